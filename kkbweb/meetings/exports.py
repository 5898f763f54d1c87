"""The attendance list as CSV and XLSX: Indonesian headers, numbers as numbers."""

import io

from openpyxl import Workbook

from kkbweb.meetings import vocab
from kkbweb.meetings.recap import Recap
from kkbweb.spreadsheets import csv_bytes, safe_cell, write_table
from kkbweb.timeutil import hari_tanggal, to_wib

LIST_HEADERS = [
    "No",
    "Pokja",
    "Nama",
    "L/P",
    "Jabatan",
    "Seksi",
    "Unsur/instansi",
    "Kehadiran",
    "Waktu dicatat (WIB)",
]
RECAP_HEADERS = [
    "Pokja",
    "Diundang",
    "Hadir L",
    "Hadir P",
    "Hadir",
    "Izin",
    "Sakit",
    "Tidak hadir",
    "Belum ditandai",
    "Tamu L",
    "Tamu P",
    "Tingkat kehadiran (%)",
    "Hadir, tidak diundang",
]


def _status(person) -> str:
    """The Kehadiran cell: the status, 'Belum ditandai', or present uninvited."""
    if not getattr(person, "invited", True) and person.status == vocab.PRESENT:
        return vocab.UNINVITED_LABEL
    return vocab.ATTENDANCE_STATUSES.get(person.status, vocab.NOT_MARKED_LABEL)


def attendance_rows(members, guests, seksi: dict[str, str], outsiders=()) -> list:
    """One list per person: members (with status or 'Belum ditandai'), the invited
    persons outside the Pokja, then guests."""
    rows = []
    for member in members:
        rows.append(
            [
                len(rows) + 1,
                member.pokja_name,
                member.name,
                member.sex,
                vocab.label(vocab.JABATAN, member.jabatan),
                vocab.label(seksi, member.seksi),
                vocab.label(vocab.UNSUR, member.unsur),
                _status(member),
                _local(member.marked_at),
            ]
        )
    for person in outsiders:
        rows.append(
            [
                len(rows) + 1,
                "Undangan lain",
                person.name,
                person.sex,
                "Undangan",
                "",
                person.jabatan or "",
                _status(person),
                _local(person.marked_at),
            ]
        )
    for guest, pokja_name in guests:
        rows.append(
            [
                len(rows) + 1,
                pokja_name or "",
                guest.name,
                guest.sex,
                "Tamu",
                "",
                guest.affiliation or "",
                "Hadir (tamu)",
                _local(guest.created_at),
            ]
        )
    return rows


def _local(moment) -> str:
    """A stored UTC moment as 'yyyy-mm-dd hh:mm' WIB, or empty."""
    return f"{to_wib(moment):%Y-%m-%d %H:%M}" if moment else ""


def recap_rows(recap: Recap) -> list[list]:
    """The Rekap sheet: one line per Pokja and a total, all counts as numbers."""
    lines = []
    for row in [*recap.rows, recap.total]:
        lines.append(
            [
                row.pokja_name,
                row.roster(),
                row.n(vocab.PRESENT, "L"),
                row.n(vocab.PRESENT, "P"),
                row.n(vocab.PRESENT),
                row.n("izin"),
                row.n("sakit"),
                row.n("tidak_hadir"),
                row.n(None),
                row.guests("L"),
                row.guests("P"),
                row.rate if row.rate is not None else "",
                row.uninvited(),
            ]
        )
    return lines


def to_csv(rows: list[list]) -> bytes:
    """The attendance list as CSV."""
    return csv_bytes(LIST_HEADERS, rows)


def to_xlsx(meeting, pokja_names: list[str], rows: list[list], recap: Recap) -> bytes:
    """A workbook with the attendance list, the recap and the meeting's details."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Daftar hadir"
    write_table(sheet, LIST_HEADERS, rows, widths=[5, 16, 30, 5, 18, 20, 22, 15, 18])
    write_table(
        book.create_sheet("Rekap"),
        RECAP_HEADERS,
        recap_rows(recap),
        widths=[22] + [10] * 10 + [12, 12],
    )
    info = book.create_sheet("Rapat")
    details = [
        ("Jenis", meeting.kind_label),
        ("Judul", meeting.title),
        ("Hari/tanggal", hari_tanggal(meeting.date)),
        ("Jam", f"{meeting.start_time:%H.%M} WIB" if meeting.start_time else ""),
        ("Tempat", meeting.place),
        ("Pokja diundang", ", ".join(pokja_names)),
        ("Status", meeting.status_label),
    ]
    for key, value in details:
        info.append([key, safe_cell(value)])
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
