"""Rules every CSV and XLSX export follows, in one place."""

import csv
import io
import re
import unicodedata
from urllib.parse import quote

from flask import Response
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection): a resident named "=HYPERLINK(...)" must stay a name.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# What may stand in the ASCII fallback of a download's file name.
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# Excel refuses these in a sheet title.
UNSAFE_IN_SHEET_TITLE = re.compile(r"[\\/*?:\[\]]")
SHEET_TITLE_MAX = 31


def clean_cell(value):
    """Text a spreadsheet can hold: control characters dropped (openpyxl refuses
    them in a workbook, and they break a CSV line). Every export's text passes
    here, through safe_cell or, for cells typed as text, directly."""
    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def safe_cell(value):
    """Text a spreadsheet can hold and will not run: clean_cell, formulas quoted."""
    if not isinstance(value, str):
        return value
    value = clean_cell(value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def sheet_title(name: str, taken: set[str] | None = None) -> str:
    """A sheet title Excel accepts, from any text (a Pokja name, a section):
    no control characters or []:*?/\\, at most 31 characters, and unique among
    `taken` (compared case-insensitively; the new title is added to it)."""
    clean = UNSAFE_IN_SHEET_TITLE.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", name))
    base = clean.strip("' ")[:SHEET_TITLE_MAX] or "Lembar"
    title, n = base, 2
    while taken is not None and title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    if taken is not None:
        taken.add(title.lower())
    return title


def csv_bytes(header: list[str], rows, delimiter: str = ",") -> bytes:
    """UTF-8 CSV with a BOM (so Excel shows Indonesian names right), cells made safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_table(sheet, headers, rows, widths, freeze: str = "A2") -> None:
    """Bold header row, formula-safe rows, column widths, frozen panes, filter."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = sheet.dimensions


def content_disposition(filename: str) -> str:
    """An attachment header for any file name: an ASCII fallback that cannot
    break out of its quotes, and the real name per RFC 5987 (filename*)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    # Accents drop to their letter (Sukmajaya stays, "é" becomes "e"); any other
    # character outside the safe set becomes "-".
    letters = unicodedata.normalize("NFKD", stem)
    letters = "".join(ch for ch in letters if not unicodedata.combining(ch))
    ascii_stem = UNSAFE_IN_FILENAME.sub("-", letters).strip("-.") or "unduhan"
    ascii_ext = UNSAFE_IN_FILENAME.sub("", ext)
    fallback = f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem
    real = ILLEGAL_CHARACTERS_RE.sub("", filename).replace("\x7f", "")
    return (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(real, safe='')}"
    )


def download(body: bytes | str, fmt: str, filename: str) -> Response:
    """The attachment response for every export (CSV, XLSX, ...)."""
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": content_disposition(filename)},
    )
