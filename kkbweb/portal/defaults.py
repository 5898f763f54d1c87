"""What an activity's portal record holds, stored or computed. No Flask.

A source (kkbweb/portal/sources.py) describes an activity as Facts: its title,
date, place, description, the kkbweb values that map onto the portal's lists,
and the photos it already has. `draft_from_facts` turns them into the record a
Pokja user confirms; `draft_from_record` reads a stored one back.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kkbweb import reference
from kkbweb.portal import mapping
from kkbweb.portal.mapping import Target

CAPTION_MAX = 255


@dataclass(frozen=True)
class Candidate:
    """A photo the source already holds, offered for the record."""

    ref: str  # "kie:<photo id>", "meeting:<file id>"
    origin: str  # kie | meeting
    folder: str  # under UPLOAD_FOLDER
    filename: str
    endpoint: str  # where the source serves it
    args: dict
    width: int | None = None
    height: int | None = None


@dataclass
class Facts:
    """An activity as its source knows it, for one Pokja."""

    kind: str
    source_id: int
    pokja_id: int
    pokja_name: str
    title: str
    date: date
    place: str
    description: str
    # (vocab, code, label): the first that lands on a kategori other than
    # Lainnya wins; sasaran and instansi values are all used.
    kategori: list[tuple[str, str, str]] = field(default_factory=list)
    sasaran: list[tuple[str, str, str]] = field(default_factory=list)
    instansi: list[tuple[str, str, str]] = field(default_factory=list)
    # Portal instansi already known (free-text partners matched or not).
    instansi_targets: list[Target] = field(default_factory=list)
    photos: list[Candidate] = field(default_factory=list)


@dataclass
class Slot:
    """One photo of a record: where its file is, its portal type and caption."""

    ref: str  # "p:<n>" stored, "kie:<id>"/"meeting:<id>" source, "t:<name>" kept
    type_id: int
    caption: str = ""
    width: int | None = None
    height: int | None = None


@dataclass
class Draft:
    """The portal fields of one record (stored, or the defaults)."""

    judul: str
    tanggal: date | None
    tempat: str
    deskripsi: str
    kategori_id: int
    jenis_post_id: int
    inpres_id: int | None = None
    sasaran: list[Target] = field(default_factory=list)
    instansi: list[Target] = field(default_factory=list)
    photos: list[Slot] = field(default_factory=list)


def _unique(targets) -> list[Target]:
    return list(dict.fromkeys(targets))


def draft_from_facts(facts: Facts, overrides: dict) -> Draft:
    """The defaults: the source's values, mapped; every photo a Kegiatan photo."""

    def resolve(triple) -> Target:
        return mapping.resolve(*triple, overrides)

    kategori = reference.KATEGORI_LAINNYA
    for triple in facts.kategori:
        found = resolve(triple).portal_id
        if found != reference.KATEGORI_LAINNYA:
            kategori = found
            break
    return Draft(
        judul=facts.title[:255],
        tanggal=facts.date,
        tempat=facts.place[:255],
        deskripsi=facts.description,
        kategori_id=kategori,
        jenis_post_id=reference.JENIS_KEGIATAN,
        sasaran=_unique(resolve(t) for t in facts.sasaran),
        instansi=_unique(
            [*(resolve(t) for t in facts.instansi), *facts.instansi_targets]
        ),
        photos=[
            Slot(
                c.ref,
                reference.FOTO_KEGIATAN,
                facts.title[:CAPTION_MAX],
                c.width,
                c.height,
            )
            for c in facts.photos[:5]
        ],
    )


def draft_from_record(record) -> Draft:
    """A stored record as a Draft."""
    return Draft(
        judul=record.judul,
        tanggal=record.tanggal,
        tempat=record.tempat,
        deskripsi=record.deskripsi,
        kategori_id=record.kategori_id,
        jenis_post_id=record.jenis_post_id,
        inpres_id=record.inpres_id,
        sasaran=[Target(i, t or None) for i, t in record.sasaran or []],
        instansi=[Target(i, t or None) for i, t in record.instansi or []],
        photos=[
            Slot(
                f"p:{n}",
                p["type"],
                p.get("caption") or "",
                p.get("width"),
                p.get("height"),
            )
            for n, p in enumerate(record.photos or [])
        ],
    )


def majority(values: list[tuple[str, int]]) -> list[str]:
    """Codes by how often they occur (most first; ties by code)."""
    counts: Counter = Counter()
    for code, n in values:
        if code:
            counts[code] += n
    return sorted(counts, key=lambda code: (-counts[code], code))


SPLIT = re.compile(r"\s*(?:[,;/]|\bdan\b|\n)\s*", re.IGNORECASE)


def instansi_from_text(text: str | None, mitra: dict[str, str]) -> tuple[list, list]:
    """Free-text partners: (mitra vocab triples, other portal targets).

    A piece that starts with a mitra suggestion's label (code -> label) maps
    through that suggestion; one that starts with a portal instansi's name is
    that instansi; anything else is Lainnya with the text as typed.
    """
    triples, targets = [], []
    portal = sorted(reference.instansi(), key=lambda i: -len(i.name))
    by_label = sorted(mitra.items(), key=lambda item: -len(item[1]))
    for piece in SPLIT.split(text or ""):
        piece = piece.strip(" .")
        if not piece:
            continue
        low = piece.lower()
        code = next((c for c, label in by_label if low.startswith(label.lower())), None)
        if code is not None:
            triples.append(("kie_mitra", code, mitra[code]))
            continue
        item = next(
            (
                i
                for i in portal
                if i.id != reference.INSTANSI_LAINNYA and low.startswith(i.name.lower())
            ),
            None,
        )
        if item is not None:
            targets.append(Target(item.id))
        else:
            targets.append(Target(reference.INSTANSI_LAINNYA, piece[:200]))
    return triples, targets


WORD = re.compile(r"\w+", re.UNICODE)


def inpres_matches(judul: str) -> list[int]:
    """The Inpres kegiatan the portal offers for a judul: any word of it matches,
    on a word boundary and ignoring case, the kegiatan's name, a keyword or its
    indikator (portal_intervensi_fields.md). Short words (< 3 letters) are not
    looked up, as they match almost everything."""
    words = {w.lower() for w in WORD.findall(judul or "") if len(w) >= 3}
    if not words:
        return []
    found = []
    for item in reference.inpres():
        haystack = " ".join((item.name, item.indikator, *item.keywords)).lower()
        if any(re.search(rf"\b{re.escape(word)}\b", haystack) for word in words):
            found.append(item.id)
    return found
