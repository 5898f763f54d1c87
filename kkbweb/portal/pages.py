"""Page builders shared by the portal views: loading one activity, its record
or defaults, the form's choices and photo slots, the copy screen's rows."""

from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, url_for

from kkbweb import reference
from kkbweb.images import PhotoError, process
from kkbweb.kie import pending
from kkbweb.portal import queries, rules, vocab
from kkbweb.portal.defaults import (
    Draft,
    Facts,
    Slot,
    draft_from_facts,
    draft_from_record,
    inpres_matches,
)
from kkbweb.portal.forms import TOKEN_PATTERN, RecordForm
from kkbweb.portal.mapping import Target
from kkbweb.portal.queries import Selection
from kkbweb.portal.sources import SOURCES
from kkbweb.reports import frozen
from kkbweb.requests import clean_line


@dataclass
class Loaded:
    """One activity of one Pokja: its source, facts, stored record and draft."""

    source: object
    facts: Facts
    record: object
    draft: Draft


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def load(kind: str, source_id: int, pokja_id: int, with_draft: bool = True) -> Loaded:
    """The activity if the user may see it (else 404), with its record."""
    source = SOURCES.get(kind)
    if source is None:
        abort(404)
    selection = Selection(source_id=source_id, pokja_id=pokja_id, defaults=with_draft)
    found = source.batch(selection, current_app.config)
    if not found:
        abort(404)
    facts, record = found[0]
    draft = None
    if with_draft:
        draft = draft_of(facts, record, None)
    return Loaded(source, facts, record, draft)


def draft_of(facts: Facts, record, overrides) -> Draft:
    """The stored record, or the defaults (overrides: None reads them)."""
    if record is not None:
        return draft_from_record(record)
    return draft_from_facts(
        facts, queries.overrides() if overrides is None else overrides
    )


def frozen_notice(loaded: Loaded, saved: bool = False) -> str | None:
    """The rule of KIE entries and meetings (kkbweb/reports/frozen.py): a record
    dated in a month whose report is handed in or verified may still be saved,
    but it is announced, as its instansi feed the recap's partners figure.

    saved: on the copy screen, say so if the record was confirmed after the
    hand-in (the report now reads "berubah sejak ..."); otherwise warn before a
    change is saved. No query for the running month.
    """
    record = loaded.record
    day = record.tanggal if record is not None else loaded.facts.date
    found = frozen.of_day([loaded.facts.pokja_id], day)
    if (
        saved
        and record is not None
        and (notice := frozen.after_saving(found, record.confirmed_at))
    ):
        return notice
    return frozen.before_saving(found)


def record_args(facts: Facts) -> dict:
    return {
        "kind": facts.kind,
        "source_id": facts.source_id,
        "pokja_id": facts.pokja_id,
    }


def may_write(user) -> bool:
    return rules.can_write(user.role, user.pokja_id)


# -- photos ------------------------------------------------------------------------


def slot_url(
    slot_ref: str, loaded: Loaded, token: str | None = None, download: bool = False
) -> str | None:
    """Where the browser fetches the photo of a slot (download: named by caption)."""
    kind, _, rest = slot_ref.partition(":")
    if kind == "p" and loaded.record is not None:
        extra = {"unduh": 1} if download else {}
        return url_for(
            "portal.photo", record_id=loaded.record.id, position=int(rest), **extra
        )
    if kind == "t" and token:
        return url_for("kie.pending_photo", token=token, name=rest)
    for candidate in loaded.facts.photos:
        if candidate.ref == slot_ref:
            return url_for(candidate.endpoint, **candidate.args)
    return None


def available(
    loaded: Loaded, token: str | None, user_id: int
) -> list[tuple[str, str, str]]:
    """(ref, label, url) of every photo a slot may take: the record's own, the
    source's, and the ones kept from a refused form of this user."""
    refs = []
    if loaded.record is not None:
        refs += [f"p:{n}" for n in range(len(loaded.record.photos or []))]
    refs += [c.ref for c in loaded.facts.photos]
    if token:
        refs += [f"t:{name}" for name in pending.names(upload_root(), token, user_id)]
    return [
        (ref, f"Foto {chr(65 + n) if n < 26 else n + 1}", slot_url(ref, loaded, token))
        for n, ref in enumerate(refs)
    ]


def read_slots(data, files, loaded: Loaded, token: str, user_id: int):
    """The photo slots of a submitted form: (the 5 slots as typed, messages).

    A new file is re-encoded and kept under the form's token at once, so a
    refused form loses nothing; its slot then points at the kept file. A slot
    without a photo keeps its type and caption for the page (ref "").
    """
    allowed = {ref for ref, _, _ in available(loaded, token, user_id)}
    slots, messages = [], []
    for n in range(rules.MAX_PHOTOS):
        ref = (data.get(f"foto-{n}-ref") or "").strip()
        upload = files.get(f"foto-{n}-berkas")
        if upload is not None and getattr(upload, "filename", ""):
            raw = upload.read()
            try:
                processed = process(raw, upload.filename) if raw else None
            except PhotoError as error:
                messages.append(f"Foto {n + 1}: {error}")
                processed = None
            if processed is not None:
                [name] = pending.keep(upload_root(), token, user_id, [processed])
                ref = f"t:{name}"
                allowed.add(ref)
        if ref and ref not in allowed:
            messages.append(f"Foto {n + 1}: foto tidak ditemukan, pilih ulang.")
            ref = ""
        try:
            type_id = int(data.get(f"foto-{n}-jenis") or 0)
        except ValueError:
            type_id = 0
        if type_id not in reference.names("gambar_type"):
            type_id = reference.FOTO_KEGIATAN
        caption = clean_line(data.get(f"foto-{n}-keterangan") or "") or ""
        slots.append(Slot(ref, type_id, caption))
    return slots, messages


def filled(slots: list[Slot]) -> list[Slot]:
    """The slots that hold a photo, in order."""
    return [slot for slot in slots if slot is not None and slot.ref]


def new_token() -> str:
    import secrets

    return secrets.token_hex(16)


def usable_token(raw: str | None, user_id: int) -> str:
    """The form's token for kept photos, or a new one (foreign or malformed)."""
    if TOKEN_PATTERN.match(raw or "") and pending.usable(upload_root(), raw, user_id):
        return raw
    return new_token()


# -- the form ----------------------------------------------------------------------


STAR = "\u2605 "


def set_choices(form: RecordForm, judul: str = "") -> None:
    """The portal's lists; the Inpres kegiatan the portal would offer for the
    judul come first, marked with a star."""
    form.kategori_id.choices = [(i.id, i.name) for i in reference.kategori()]
    matches = set(inpres_matches(judul))
    ordered = sorted(reference.inpres(), key=lambda i: (i.id not in matches, i.id))
    form.inpres_id.choices = [(None, vocab.INPRES_NONE)] + [
        (i.id, f"{STAR if i.id in matches else ''}{i.id}. {i.name}") for i in ordered
    ]
    form.sasaran_ids.choices = [(i.id, i.name) for i in reference.sasaran()]
    form.instansi_ids.choices = [(i.id, i.name) for i in reference.instansi()]
    form.jenis_post_id.choices = [(i.id, i.name) for i in reference.jenis_post()]


def fill_form(form: RecordForm, draft: Draft) -> None:
    """Put a draft into an unsubmitted form."""
    form.judul.data = draft.judul
    form.tanggal.data = draft.tanggal
    form.tempat.data = draft.tempat
    form.deskripsi.data = draft.deskripsi
    form.kategori_id.data = draft.kategori_id
    form.inpres_id.data = draft.inpres_id
    form.jenis_post_id.data = draft.jenis_post_id
    form.sasaran_ids.data = sorted({t.portal_id for t in draft.sasaran})
    form.sasaran_lainnya.data = "\n".join(t.lainnya for t in draft.sasaran if t.lainnya)
    form.instansi_ids.data = sorted({t.portal_id for t in draft.instansi})
    form.instansi_lainnya.data = "\n".join(
        t.lainnya for t in draft.instansi if t.lainnya
    )


def _targets(ids, text: str | None, lainnya_id: int, max_len: int) -> list[Target]:
    lines = [line.strip()[:max_len] for line in (text or "").splitlines()]
    found = [Target(i) for i in ids or [] if i != lainnya_id]
    found += [Target(lainnya_id, line) for line in dict.fromkeys(lines) if line]
    return found


def draft_from_form(form: RecordForm, slots: list[Slot]) -> Draft:
    """The draft a submitted form describes."""
    return Draft(
        judul=form.judul.data or "",
        tanggal=form.tanggal.data,
        tempat=form.tempat.data or "",
        deskripsi=form.deskripsi.data or "",
        kategori_id=form.kategori_id.data or 0,
        jenis_post_id=form.jenis_post_id.data or 0,
        inpres_id=form.inpres_id.data or None,
        sasaran=_targets(
            form.sasaran_ids.data,
            form.sasaran_lainnya.data,
            reference.SASARAN_LAINNYA,
            rules.LAINNYA_MAX,
        ),
        instansi=_targets(
            form.instansi_ids.data,
            form.instansi_lainnya.data,
            reference.INSTANSI_LAINNYA,
            rules.LAINNYA_MAX,
        ),
        photos=slots,
    )


def lainnya_problems(form: RecordForm) -> dict[str, str]:
    """Lainnya ticked with no text: the portal asks for at least one row."""
    found = {}
    if (
        reference.SASARAN_LAINNYA in (form.sasaran_ids.data or [])
        and not (form.sasaran_lainnya.data or "").strip()
    ):
        found["sasaran"] = "Isi Peserta Kegiatan Lainnya (satu baris per peserta)."
    if (
        reference.INSTANSI_LAINNYA in (form.instansi_ids.data or [])
        and not (form.instansi_lainnya.data or "").strip()
    ):
        found["instansi"] = "Isi Instansi Lainnya (satu baris per instansi)."
    return found


# -- the copy screen ---------------------------------------------------------------


def portal_values(draft: Draft) -> list[tuple[str, str, str]]:
    """(key, portal label, value exactly as the portal shows it), in its order."""
    sasaran = reference.names("sasaran")
    instansi = reference.names("instansi")
    inpres = reference.inpres_names()

    def listed(targets, names, lainnya_id):
        chosen = dict.fromkeys(names.get(t.portal_id, "?") for t in targets)
        return ", ".join(chosen)

    values = {
        "judul": draft.judul,
        "tanggal": draft.tanggal.strftime("%d/%m/%Y") if draft.tanggal else "",
        "tempat": draft.tempat,
        "deskripsi": draft.deskripsi,
        "kategori": reference.names("kategori").get(draft.kategori_id, ""),
        "inpres": inpres.get(draft.inpres_id, vocab.INPRES_NONE)
        if draft.inpres_id
        else vocab.INPRES_NONE,
        "sasaran": listed(draft.sasaran, sasaran, reference.SASARAN_LAINNYA),
        "sasaran_lainnya": "\n".join(t.lainnya for t in draft.sasaran if t.lainnya),
        "instansi": listed(draft.instansi, instansi, reference.INSTANSI_LAINNYA),
        "instansi_lainnya": "\n".join(t.lainnya for t in draft.instansi if t.lainnya),
        "jenis_post": reference.names("jenis_post").get(draft.jenis_post_id, ""),
    }
    return [
        (key, label, values[key])
        for key, label in vocab.FIELDS
        if values[key] or key not in ("sasaran_lainnya", "instansi_lainnya")
    ]
