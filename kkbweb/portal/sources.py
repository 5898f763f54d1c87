"""The kinds of activity that carry a portal record: a plain registry.

Each Source reads its activities in batches (queries.Selection: one id, or a
Pokja's month) and describes each as defaults.Facts with its stored record,
and lists a month's activities for the "belum diunggah" page. Adding a kind of
activity is one entry in SOURCES (plus its reads in queries.py): a batch reader
returning [(Facts, record)] like poktan_batch or service_batch below, and its
vocabulary's mapping.VOCABS entries. No Flask.
"""

from collections.abc import Callable
from dataclasses import dataclass

from kkbweb.kie.exports import describe
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.poktan import vocab as poktan_vocab
from kkbweb.portal import queries, vocab
from kkbweb.portal.defaults import Candidate, Facts, instansi_from_text, majority
from kkbweb.portal.queries import Selection
from kkbweb.units import vocab as units_vocab


@dataclass(frozen=True)
class Source:
    """One kind of activity: how to read it and where its own page is."""

    kind: str
    label: str
    batch: Callable[[Selection, dict], list[tuple[Facts, object]]]
    month: Callable[[Selection], object]  # a Select of the list's columns
    detail: Callable[[int], tuple[str, dict]]


def kie_batch(selection: Selection, config: dict | None = None) -> list:
    """KIE and advokasi entries as Facts (title, place, notes + summary).

    The mitra suggestions' labels come from config["kie_mitra"] when the caller
    read them already (queries.lookups), else from one read when needed.
    """
    found = queries.kie_batch(selection)
    mitra: dict[str, str] = {}
    if selection.defaults and any(activity.mitra for activity, _ in found):
        mitra = (config or {}).get("kie_mitra")
        if mitra is None:
            mitra = {code: label for _, code, label in queries.kie_terms(("mitra",))}
    result = []
    for activity, record in found:
        triples, targets = instansi_from_text(activity.mitra, mitra)
        facts = Facts(
            kind="kie",
            source_id=activity.id,
            pokja_id=activity.pokja_id,
            pokja_name=activity.pokja.display_name,
            title=activity.title,
            date=activity.activity_date,
            place=activity.place,
            description=describe(activity),
            kategori=[
                ("kie_kategori", activity.kategori.code, activity.kategori.label)
            ],
            sasaran=[
                ("kie_audience", term.code, term.label)
                for term in activity.terms_of("audience")
            ],
            instansi=triples,
            instansi_targets=targets,
            photos=[
                Candidate(
                    f"kie:{photo.id}",
                    "kie",
                    "kie",
                    photo.filename,
                    "kie.photo",
                    {"photo_id": photo.id},
                    photo.width,
                    photo.height,
                )
                for photo in activity.photos
            ],
        )
        result.append((facts, record))
    return result


def meeting_batch(selection: Selection, config: dict | None = None):
    """Meetings as Facts, one per invited Pokja: the agenda as deskripsi, the
    present members' seksi (most common first) then the kind as kategori, the
    kind as sasaran, the present members' unsur as instansi."""
    rows = queries.meeting_batch(selection)
    ids = sorted({row[0].id for row in rows})
    people = queries.meeting_people(ids) if selection.defaults else []
    photos: dict[int, list] = {}
    invitations = {}
    for meeting, pokja_id, pokja_name, record, file in rows:
        invitations.setdefault(
            (meeting.id, pokja_id), (meeting, pokja_id, pokja_name, record)
        )
        if file is not None and file not in photos.setdefault(meeting.id, []):
            photos[meeting.id].append(file)
    seksi = meeting_vocab.seksi_choices(config or {})
    result = []
    for meeting, pokja_id, pokja_name, record in invitations.values():
        mine = [p for p in people if p[0] == meeting.id and p[1] == pokja_id]
        by_seksi = majority([(p[3], p[4]) for p in mine])
        by_unsur = majority([(p[2], p[4]) for p in mine])
        kind_label = meeting_vocab.label(meeting_vocab.MEETING_KINDS, meeting.kind)
        description = (meeting.agenda or "").strip() or (
            f"{kind_label}: {meeting.title}."
        )
        facts = Facts(
            kind="meeting",
            source_id=meeting.id,
            pokja_id=pokja_id,
            pokja_name=pokja_name,
            title=meeting.title,
            date=meeting.date,
            place=meeting.place,
            description=description,
            kategori=[
                *(("pokja_seksi", code, seksi.get(code, code)) for code in by_seksi),
                ("meeting_kind_kategori", meeting.kind, kind_label),
            ],
            sasaran=[("meeting_kind_sasaran", meeting.kind, kind_label)],
            instansi=[
                ("member_unsur", code, meeting_vocab.label(meeting_vocab.UNSUR, code))
                for code in by_unsur
            ],
            photos=[
                Candidate(
                    f"meeting:{file.id}",
                    "meeting",
                    "meetings",
                    file.filename,
                    "meetings.evidence.file",
                    {"meeting_id": meeting.id, "file_id": file.id},
                )
                for file in photos.get(meeting.id, [])
            ],
        )
        result.append((facts, record))
    return result


def poktan_batch(selection: Selection, config: dict | None = None) -> list:
    """Poktan sessions as Facts: the poktan and its materi as judul, the notes
    (or a summary) as deskripsi, the poktan kind's kategori, sasaran and
    instansi, the session's photos."""
    sessions: dict[int, tuple] = {}
    photos: dict[int, list] = {}
    for (
        session,
        poktan_name,
        pokja_name,
        present,
        record,
        photo,
    ) in queries.poktan_batch(selection):
        sessions.setdefault(
            session.id, (session, poktan_name, pokja_name, present, record)
        )
        if photo is not None:
            photos.setdefault(session.id, []).append(photo)
    result = []
    for session, poktan_name, pokja_name, present, record in sessions.values():
        kind_label = poktan_vocab.KINDS.get(session.kind, session.kind)
        summary = [
            f"Pertemuan penyuluhan {poktan_vocab.KIND_NAMES.get(session.kind, '')}"
            f" {poktan_name}; materi: {session.topic}",
        ]
        if session.speaker:
            summary.append(f"narasumber: {session.speaker}")
        summary.append(f"{present} keluarga hadir")
        text = "; ".join(summary) + "."
        notes = (session.notes or "").strip()
        triple = (session.kind, kind_label)
        facts = Facts(
            kind="poktan",
            source_id=session.id,
            pokja_id=session.pokja_id,
            pokja_name=pokja_name,
            title=f"{poktan_name}: {session.topic}",
            date=session.date,
            place=session.place,
            description=f"{notes}\n{text}" if notes else text,
            kategori=[("poktan_kategori", *triple)],
            sasaran=[("poktan_sasaran", *triple)],
            instansi=[("poktan_instansi", *triple)],
            photos=[
                Candidate(
                    f"poktan:{photo.id}",
                    "poktan",
                    "poktan",
                    photo.filename,
                    "poktan.sessions.photo",
                    {"photo_id": photo.id},
                    photo.width,
                    photo.height,
                )
                for photo in photos.get(session.id, [])
            ],
        )
        result.append((facts, record))
    return result


def service_batch(selection: Selection, config: dict | None = None) -> list:
    """Posyandu and PAUD service sessions as Facts: "Pelayanan <unit>" as
    judul, the unit (and its RW) as tempat, the note then the counts as
    deskripsi, the unit kind's kategori and instansi, the people its counts
    served as sasaran. A session holds no photos: they are added on the form."""
    result = []
    for session, unit, pokja_name, record in queries.service_batch(selection):
        kind_label = units_vocab.kind_label(unit.kind)
        title = f"{vocab.SERVICE_TITLES.get(unit.kind, '')} {unit.name}".strip()
        place = unit.name
        if unit.rw and "rw" not in unit.name.lower():
            place = f"{unit.name}, RW {unit.rw}"
        counts = [
            f"{label.lower()} {getattr(session, column)}"
            for column, label, _hint in units_vocab.COUNTS.get(unit.kind, ())
            if getattr(session, column) is not None
        ]
        text = title + (f": {', '.join(counts)}." if counts else ".")
        note = (session.note or "").strip()
        served = vocab.SERVICE_SASARAN.get(unit.kind, ())
        sasaran = [c for c in served if (getattr(session, c) or 0) > 0]
        facts = Facts(
            kind="layanan",
            source_id=session.id,
            pokja_id=session.pokja_id,
            pokja_name=pokja_name,
            title=title,
            date=session.date,
            place=place,
            description=f"{note}\n{text}" if note else text,
            kategori=[("unit_kategori", unit.kind, kind_label)],
            sasaran=[
                ("unit_sasaran", column, units_vocab.COUNT_LABELS[column])
                for column in sasaran or served[:1]
            ],
            instansi=[("unit_instansi", unit.kind, kind_label)],
        )
        result.append((facts, record))
    return result


SOURCES = {
    source.kind: source
    for source in (
        Source(
            "kie",
            "KIE/advokasi",
            kie_batch,
            queries.kie_month,
            lambda i: ("kie.detail", {"activity_id": i}),
        ),
        Source(
            "meeting",
            "Rapat",
            meeting_batch,
            queries.meeting_month,
            lambda i: ("meetings.detail", {"meeting_id": i}),
        ),
        Source(
            "poktan",
            "Pertemuan poktan",
            poktan_batch,
            queries.poktan_month,
            lambda i: ("poktan.sessions.detail", {"session_id": i}),
        ),
        Source(
            "layanan",
            "Layanan Posyandu/PAUD",
            service_batch,
            queries.service_month,
            lambda i: ("units.session_detail", {"session_id": i}),
        ),
    )
}
