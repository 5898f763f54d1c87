"""A meeting's documents: invitation, daftar hadir, recap, export
(meetings.documents.*)."""

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from kkbweb.audit.log import record_read
from kkbweb.meetings import (
    evidence_queries,
    exports,
    letterhead,
    pages,
    queries,
    recap,
    rules,
    sheet,
    vocab,
)
from kkbweb.spreadsheets import MIMETYPES, download

bp = Blueprint("documents", __name__)

MEETING = "/<int:meeting_id>"


@bp.get(f"{MEETING}/invitation")
@login_required
def invitation(meeting_id: int):
    """The invitation text to copy, and a link that opens it in WhatsApp."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    text = rules.invitation_text(
        kind=meeting.kind,
        title=meeting.title,
        date=meeting.date,
        start_time=meeting.start_time,
        place=meeting.place,
        agenda=meeting.agenda,
        pokja_names=list(loaded.pokja.values()),
        organiser_name=loaded.organiser_name,
        own_pokja_name=letterhead.of_meeting(loaded).pokja_name,
    )
    return render_template(
        "meetings/invitation.html",
        loaded=loaded,
        meeting=meeting,
        text=text,
        whatsapp=rules.whatsapp_link(text),
    )


@bp.get(f"{MEETING}/sign-sheet")
@login_required
def sign_sheet(meeting_id: int):
    """The paper daftar hadir for A4: blank before the meeting, filled after;
    numbered pages, the header row on each, a Pokja's or the Dinas' heading."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    variant = request.args.get("varian", "kosong")
    if variant not in ("kosong", "hasil"):
        variant = "kosong"
    # ?pokja= prints one Pokja's sheet of a many-Pokja meeting; else every one.
    pokja_id = pages.roll_filters(loaded)["pokja"]
    rows = queries.roster(meeting.id, meeting.date, "", pokja_id)
    guests = queries.guests(meeting.id, pokja_id) if variant == "hasil" else []
    groups = _sheet_groups(rows, guests, with_status=variant == "hasil")
    listed = any(group.rows for group in groups)
    return render_template(
        "meetings/sign_sheet.html",
        loaded=loaded,
        meeting=meeting,
        variant=variant,
        pages=sheet.paginate(
            groups, "Peserta lain (belum terdaftar)" if listed else None
        ),
        head=letterhead.of_meeting(loaded),
        pokja_names=[loaded.pokja[pokja_id]]
        if pokja_id
        else list(loaded.pokja.values()),
        back={"pokja": pokja_id} if pokja_id else {},
    )


OUTSIDERS_HEADING = "Undangan lain"


def _sheet_groups(rows, guests, with_status: bool) -> list[sheet.Group]:
    """The rows the sheet prints: members by Pokja (headed when several), guests."""
    statuses = vocab.ATTENDANCE_STATUSES
    by_pokja: dict[str, list[sheet.Row]] = {}
    for row in rows:
        status = statuses.get(row.status, "–") if with_status else ""
        if row.kind == queries.OUTSIDER:
            # Invited persons outside the Pokja get their own heading.
            by_pokja.setdefault(OUTSIDERS_HEADING, []).append(
                sheet.Row(row.name, row.jabatan or "", row.sex, status)
            )
            continue
        role = (
            f"{vocab.JABATAN.get(row.jabatan, row.jabatan)} / "
            f"{vocab.UNSUR.get(row.unsur, row.unsur)}"
        )
        by_pokja.setdefault(row.pokja_name, []).append(
            sheet.Row(row.name, role, row.sex, status)
        )
    several = len(by_pokja) > 1
    groups = [
        sheet.Group(
            name if name == OUTSIDERS_HEADING else f"Pokja {name}" if several else None,
            people,
        )
        for name, people in by_pokja.items()
    ]
    if guests:
        people = [
            sheet.Row(
                guest.name,
                guest.affiliation or (f"Pokja {pokja_name}" if pokja_name else "Tamu"),
                guest.sex,
                "Hadir (tamu)",
            )
            for guest, pokja_name in guests
        ]
        groups.append(sheet.Group("Tamu", people))
    return groups


@bp.get(f"{MEETING}/summary")
@login_required
def summary(meeting_id: int):
    """Counts by status, sex and Pokja, and the attendance rate."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    marks, guests, outsiders = queries.summary(meeting.id, meeting.date)
    return render_template(
        "meetings/summary.html",
        loaded=loaded,
        meeting=meeting,
        recap=recap.build(marks, guests, outsiders),
        statuses=vocab.ATTENDANCE_STATUSES,
        evidence=evidence_queries.counts(meeting.id),
    )


@bp.get(f"{MEETING}/export.<fmt>")
@login_required
def export(meeting_id: int, fmt: str):
    """Download the attendance list as CSV or XLSX (audited)."""
    if fmt not in MIMETYPES:
        abort(404)
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    everyone = queries.roster(meeting.id, meeting.date)
    roster = [row for row in everyone if row.kind == queries.MEMBER]
    outsiders = [row for row in everyone if row.kind == queries.OUTSIDER]
    guests = queries.guests(meeting.id)
    rows = exports.attendance_rows(roster, guests, pages.seksi(), outsiders)
    if fmt == "csv":
        body = exports.to_csv(rows)
    else:
        body = exports.to_xlsx(
            meeting,
            list(loaded.pokja.values()),
            rows,
            recap.from_loaded(roster, guests, outsiders),
        )
    filename = f"daftar-hadir-{meeting.date:%Y-%m-%d}-{meeting.id}.{fmt}"
    record_read("meeting.export", meeting, note=f"{fmt}, {len(rows)} baris")
    return download(body, fmt, filename)
