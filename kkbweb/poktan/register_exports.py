"""The registers as XLSX: one sheet per poktan (a Pokja's in one workbook).

Numbers stay numbers, headings are Indonesian, text cells are made safe
(kkbweb.spreadsheets). No Flask.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from kkbweb.poktan.register_columns import REGISTERS
from kkbweb.poktan.register_sheets import Sheet
from kkbweb.spreadsheets import safe_cell, sheet_title
from kkbweb.timeutil import tanggal, waktu_wib


def _status(sheet: Sheet) -> str:
    if sheet.submission is not None:
        who = sheet.submission.submitted_by_name
        return f"Diserahkan {waktu_wib(sheet.submission.submitted_at)}" + (
            f" oleh {who}" if who else ""
        )
    return "Belum diserahkan" + (" (terlambat)" if sheet.late else "")


def _write(ws, sheet: Sheet) -> None:
    """A register sheet: heading lines, the columns as Uraian/Jumlah, families."""
    p = sheet.poktan
    head = [
        (REGISTERS[sheet.period.register], sheet.code),
        ("Poktan", p.name),
        ("Pokja", p.pokja.display_name),
        ("RW", p.rw or ""),
        ("Periode", sheet.period.label),
        ("Dihitung per", tanggal(sheet.reference)),
        ("Diserahkan kepada", sheet.receiver),
        ("Batas penyerahan", tanggal(sheet.period.due)),
        ("Status", _status(sheet)),
    ]
    for label, text in head:
        ws.append([label, safe_cell(text)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])
    ws.append(["No", "Uraian", "Jumlah"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for number, (label, count) in enumerate(sheet.columns, start=1):
        ws.append([number, safe_cell(label), count])
    ws.append([])
    ws.append(["Daftar keluarga anggota"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append(sheet.family_columns)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.family_rows():
        ws.append([safe_cell(v) for v in row])
    for letter, width in zip("ABCDEFGH", (22, 34, 10, 28, 14, 12, 8, 10), strict=True):
        ws.column_dimensions[letter].width = width


def workbook(sheets: list[Sheet], summary_title: str | None = None) -> bytes:
    """One sheet per poktan; with several, a first sheet listing them."""
    book = Workbook()
    taken: set[str] = set()
    first = book.active
    if summary_title is not None:
        first.title = sheet_title("Ringkasan", taken)
        first.append([safe_cell(summary_title)])
        first.cell(1, 1).font = Font(bold=True)
        first.append(["Poktan", "Jenis", "RW", "Kode", "Status"])
        for cell in first[2]:
            cell.font = Font(bold=True)
        for sheet in sheets:
            p = sheet.poktan
            first.append(
                [
                    safe_cell(p.name),
                    p.kind_label,
                    p.rw or "",
                    sheet.code,
                    _status(sheet),
                ]
            )
        first.column_dimensions["A"].width = 30
        first.column_dimensions["E"].width = 40
    for index, sheet in enumerate(sheets):
        title = sheet_title(sheet.poktan.name, taken)
        if index == 0 and summary_title is None:
            ws = first
            ws.title = title
        else:
            ws = book.create_sheet(title)
        _write(ws, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
