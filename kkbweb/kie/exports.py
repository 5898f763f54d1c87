"""CSV and XLSX files of KIE entries: the full list, and the national portal shape.

Headers are Indonesian, counts are numbers and dates are dates (XLSX) or ISO
yyyy-mm-dd (CSV). Text that a spreadsheet would run as a formula is defused.
"""

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kkbweb.kie.models import KieActivity
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.spreadsheets import clean_cell, safe_cell, sheet_title


def _terms(activity: KieActivity, kind: str) -> str:
    return ", ".join(term.label for term in activity.terms_of(kind))


def describe(activity: KieActivity) -> str:
    """The portal's "deskripsi": the notes, then a one-line summary of the facts."""
    facts = [
        f"{ACTIVITY_TYPES.get(activity.activity_type, '')} "
        f"({activity.method.label if activity.method else ''})",
        f"topik: {_terms(activity, 'topic')}",
    ]
    if media := _terms(activity, "media"):
        facts.append(f"media: {media}")
    facts.append(
        f"peserta: {activity.participants_male} laki-laki, "
        f"{activity.participants_female} perempuan"
    )
    if activity.estimated_reach:
        facts.append(f"perkiraan jangkauan: {activity.estimated_reach}")
    if activity.speaker:
        facts.append(f"narasumber: {activity.speaker}")
    summary = "; ".join(facts) + "."
    notes = (activity.notes or "").strip()
    return f"{notes}\n{summary}" if notes else summary


# (header, value getter, column width) of each layout.
Column = tuple[str, Callable[[KieActivity], object], int]

FULL: list[Column] = [
    ("Tanggal", lambda a: a.activity_date, 12),
    ("Pokja", lambda a: a.pokja.display_name, 14),
    ("Jenis", lambda a: ACTIVITY_TYPES.get(a.activity_type, a.activity_type), 9),
    ("Metode", lambda a: a.method.label, 20),
    ("Judul", lambda a: a.title, 40),
    ("Tempat", lambda a: a.place, 25),
    ("Narasumber", lambda a: a.speaker or "", 20),
    ("Mitra", lambda a: a.mitra or "", 20),
    ("Topik", lambda a: _terms(a, "topic"), 25),
    ("Sasaran", lambda a: _terms(a, "audience"), 25),
    ("Media", lambda a: _terms(a, "media"), 20),
    ("Kategori", lambda a: a.kategori.label, 18),
    ("Kampanye", lambda a: a.campaign.name if a.campaign else "", 20),
    ("Peserta laki-laki", lambda a: a.participants_male, 10),
    ("Peserta perempuan", lambda a: a.participants_female, 10),
    ("Jumlah peserta", lambda a: a.participants, 10),
    ("Perkiraan jangkauan", lambda a: a.estimated_reach, 12),
    ("Catatan", lambda a: a.notes or "", 40),
    ("Dicatat oleh", lambda a: a.created_by.full_name if a.created_by else "", 20),
    ("Nomor catatan", lambda a: a.id, 9),
]

# The Kampung KB portal's "intervensi" fields, in its order; the Pokja comes last
# so that a city-wide file still says whose activity each row is.
PORTAL: list[Column] = [
    ("Judul", lambda a: a.title, 40),
    ("Tanggal", lambda a: a.activity_date, 12),
    ("Tempat", lambda a: a.place, 25),
    ("Deskripsi", describe, 60),
    ("Kategori", lambda a: a.kategori.label, 18),
    ("Sasaran", lambda a: _terms(a, "audience"), 25),
    ("Mitra", lambda a: a.mitra or "", 20),
    ("Kampung KB", lambda a: a.pokja.display_name, 14),
]

LAYOUTS = {"full": FULL, "portal": PORTAL}


def to_csv(rows: Iterable[KieActivity], columns: list[Column]) -> bytes:
    """UTF-8 CSV with a BOM so that Excel shows the text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header for header, _, _ in columns)
    for activity in rows:
        values = []
        for _, getter, _ in columns:
            value = getter(activity)
            if isinstance(value, date):
                value = value.isoformat()
            values.append("" if value is None else safe_cell(value))
        writer.writerow(values)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[KieActivity], columns: list[Column], title: str) -> bytes:
    """An XLSX workbook (streamed by openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, (_, _, width) in enumerate(columns, start=1):
        sheet.column_dimensions[_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for name, _, _ in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for activity in rows:
        cells = []
        for _, getter, _ in columns:
            value = clean_cell(getter(activity))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    """Spreadsheet column letters: 1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
