"""Rules every CSV and XLSX export follows, in one place."""

import csv
import io

from flask import Response
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection): a resident named "=HYPERLINK(...)" must stay a name.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value):
    """Prefix text that a spreadsheet would evaluate with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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


def download(body: bytes | str, fmt: str, filename: str) -> Response:
    """The attachment response for a CSV or XLSX export."""
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
