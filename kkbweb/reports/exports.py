"""The monthly recap as XLSX and CSV: Indonesian headers, numbers as numbers.

City workbook: a "Kota" sheet (every Pokja as a row, the main figures, the hand-in
state and the city total), one sheet per section (every Pokja as a row, every
figure of that section as a column) and one sheet per Pokja (its whole recap,
section by section). A Pokja's workbook: a summary sheet and one per section.
"""

import io

from openpyxl import Workbook

from kkbweb.reports.metrics import CITY_SHEET
from kkbweb.reports.months import Month
from kkbweb.reports.recap import Figures
from kkbweb.reports.shapes import Line
from kkbweb.reports.table import CityRow
from kkbweb.spreadsheets import csv_bytes, safe_cell, sheet_title, write_table

# The Kota sheet, the city CSV and the city print: (header, line key, format),
# the registry's figures that have a Kota column.
CITY_COLUMNS = [(figure.city, figure.key, figure.kind) for figure in CITY_SHEET]
CITY_TOTAL = "Kota Cilegon (jumlah)"


def values(figures: Figures) -> dict[str, int | float | None]:
    """Every figure by its line key."""
    return {line.key: line.value for line in figures.lines()}


def _cell(value):
    """Numbers stay numbers; a missing rate or median is an empty cell."""
    return "" if value is None else value


def city_header() -> list[str]:
    return ["Pokja", *(h for h, _k, _f in CITY_COLUMNS), "Status laporan", "Terlambat"]


def city_lines(rows: list[CityRow], city: Figures) -> list[list]:
    """The Kota sheet: one line per Pokja, then the city total."""
    lines = []
    for row in rows:
        found = values(row.figures)
        lines.append(
            [
                row.name,
                *(_cell(found.get(key)) for _h, key, _f in CITY_COLUMNS),
                row.handin.label,
                "Ya" if row.handin.late else "Tidak",
            ]
        )
    found = values(city)
    lines.append(
        [CITY_TOTAL, *(_cell(found.get(key)) for _h, key, _f in CITY_COLUMNS), "", ""]
    )
    return lines


def city_csv(rows: list[CityRow], city: Figures) -> bytes:
    """The Kota sheet as CSV (UTF-8 with BOM, for Excel)."""
    return csv_bytes(city_header(), city_lines(rows, city))


def _sections(lines: list[Line]) -> dict[str, list[Line]]:
    grouped: dict[str, list[Line]] = {}
    for line in lines:
        grouped.setdefault(line.section, []).append(line)
    return grouped


def city_xlsx(month: Month, rows: list[CityRow], city: Figures) -> bytes:
    """The city workbook: Kota, one sheet per section, one sheet per Pokja."""
    book = Workbook()
    taken: set[str] = set()
    sheet = book.active
    sheet.title = sheet_title("Kota", taken)
    _table(sheet, city_header(), city_lines(rows, city), widths=[22] + [11] * 11)
    # Each Pokja's lines once (the registry builds them; the sheets reread them).
    everyone = [(row.name, row.figures.lines()) for row in rows]
    everyone.append((CITY_TOTAL, city.lines()))
    per_section: dict[str, dict[str, str]] = {}  # section -> key -> label, in order
    for _name, lines in everyone:
        for section, grouped in _sections(lines).items():
            keys = per_section.setdefault(section, {})
            for line in grouped:
                keys.setdefault(line.key, line.label)
    found = [(name, {x.key: x.value for x in lines}) for name, lines in everyone]
    for section, keys in per_section.items():
        _table(
            book.create_sheet(sheet_title(section, taken)),
            ["Pokja", *keys.values()],
            [[name, *(_cell(v.get(key, 0)) for key in keys)] for name, v in found],
            widths=[22] + [12] * len(keys),
        )
    for row, (_name, lines) in zip(rows, everyone[:-1], strict=True):
        _pokja_sheet(book.create_sheet(sheet_title(row.name, taken)), lines)
    _about(book.create_sheet(sheet_title("Keterangan", taken)), month)
    return _save(book)


def _pokja_sheet(sheet, lines: list[Line]) -> None:
    """One Pokja's whole recap: section, figure, value."""
    _table(
        sheet,
        ["Bagian", "Uraian", "Jumlah"],
        [[x.section, x.label, _cell(x.value)] for x in lines],
        widths=[20, 40, 12],
    )


def _about(sheet, month: Month) -> None:
    sheet.append(["Rekap bulanan Kampung KB Kota Cilegon"])
    sheet.append(["Bulan", month.label])
    sheet.append(["Sumber", "kkbweb, DP3AP2KB Kota Cilegon"])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 50


def pokja_xlsx(month: Month, name: str, figures: Figures) -> bytes:
    """One Pokja's workbook: a summary sheet and one sheet per section."""
    book = Workbook()
    taken: set[str] = set()
    sheet = book.active
    sheet.title = sheet_title("Ringkasan", taken)
    lines = figures.lines()
    _pokja_sheet(sheet, lines)
    for section, grouped in _sections(lines).items():
        _table(
            book.create_sheet(sheet_title(section, taken)),
            ["Uraian", "Jumlah"],
            [[x.label, _cell(x.value)] for x in grouped],
            widths=[40, 12],
        )
    about = book.create_sheet(sheet_title("Keterangan", taken))
    _about(about, month)
    about.append(["Pokja", safe_cell(name)])
    return _save(book)


def pokja_csv(figures: Figures) -> bytes:
    """One Pokja's recap as CSV lines: section, figure, value."""
    return csv_bytes(
        ["Bagian", "Uraian", "Jumlah"],
        [[x.section, x.label, _cell(x.value)] for x in figures.lines()],
    )


def _table(sheet, headers: list[str], rows: list[list], widths: list[int]) -> None:
    """A table whose first column (the Pokja) stays in view while scrolling."""
    write_table(sheet, headers, rows, widths, freeze="B2")


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
