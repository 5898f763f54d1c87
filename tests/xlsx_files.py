"""XLSX files zipped by hand: a minimal valid workbook, an Excel-like member list
and the crafted ones of issue 12 (small files that unpack to 36 MB).

Used by tests/test_imports.py, the fuzzers' file uploads and bench/upload.py.
"""

import functools
import io
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = f'xmlns="{MAIN}"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BOMB_SIZE = 36 * 1024 * 1024  # under the old 40 MB total check

CONTENT_TYPES = (
    HEAD
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    HEAD + f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
    f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Style 1 shows a date (built-in format 14, d/m/yyyy), as Excel stores one.
STYLES = (
    HEAD + f'<styleSheet {NS}><cellStyleXfs count="1"><xf numFmtId="0"/>'
    '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" '
    'applyNumberFormat="1"/></cellXfs></styleSheet>'
)
HEADER = ["Nama", "L/P", "Jabatan", "Seksi", "Unsur", "Telepon/WA", "Aktif sejak"]


def workbook(sheets: int = 1) -> str:
    entries = "".join(
        f'<sheet name="Lembar{i}" sheetId="{i}" r:id="rId{i}"/>'
        for i in range(1, sheets + 1)
    )
    return (
        HEAD + f'<workbook {NS} xmlns:r="{REL_NS}"><workbookPr/>'
        f"<sheets>{entries}</sheets></workbook>"
    )


def workbook_rels(sheets: int = 1) -> str:
    """Every sheet points at sheet1.xml: many sheets cost nothing to write."""
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        for i in range(1, sheets + 1)
    )
    rels += (
        f'<Relationship Id="rS" Type="{REL_NS}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
        f'<Relationship Id="rT" Type="{REL_NS}/styles" Target="styles.xml"/>'
    )
    return HEAD + f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'


def shared_strings(strings) -> str:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return HEAD + f"<sst {NS}>{items}</sst>"


def column(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet(rows_xml: str, before: str = "") -> str:
    return (
        HEAD + f"<worksheet {NS}>{before}<sheetData>{rows_xml}</sheetData></worksheet>"
    )


def package(parts: dict[str, str | bytes], stored: bool = False) -> bytes:
    """A zip of the parts; `stored` skips compression (no ratio to refuse)."""
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


FIRST_ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>Siti</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>P</t></is></c></row>'
)


def minimal(parts: dict | None = None, sheets: int = 1, stored: bool = False):
    """A valid XLSX (header Nama, L/P; member Siti, P) with `parts` replaced."""
    files = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook(sheets),
        "xl/_rels/workbook.xml.rels": workbook_rels(sheets),
        "xl/sharedStrings.xml": shared_strings(["Nama", "L/P"]),
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": sheet(FIRST_ROWS),
    }
    files.update(parts or {})
    return package(files, stored)


def _fill(head: str, unit: str, tail: str, size: int) -> str:
    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail


def bloated_parts(size: int) -> dict[str, dict[str, str]]:
    """One bloated part per kind, each `size` characters unpacked."""
    sheet_head = HEAD + f"<worksheet {NS}><sheetData>"
    return {
        # openpyxl parses sharedStrings.xml whole at open, even read-only.
        "sharedStrings: a million strings": {
            "xl/sharedStrings.xml": _fill(
                HEAD + f"<sst {NS}><si><t>Nama</t></si><si><t>L/P</t></si>",
                "<si><t>x</t></si>",
                "</sst>",
                size,
            )
        },
        # ... and styles.xml whole.
        "styles: a million cell styles": {
            "xl/styles.xml": _fill(
                HEAD + f"<styleSheet {NS}><cellXfs>",
                '<xf numFmtId="0"/>',
                "</cellXfs></styleSheet>",
                size,
            )
        },
        # One row is parsed whole, however many cells it has.
        "sheet: one row of millions of empty cells": {
            "xl/worksheets/sheet1.xml": _fill(
                sheet_head + FIRST_ROWS[: FIRST_ROWS.index("</row>")],
                "<c/>",
                "</row></sheetData></worksheet>",
                size,
            )
        },
        "sheet: one giant cell": {
            "xl/worksheets/sheet1.xml": _fill(
                sheet_head + FIRST_ROWS + '<row r="3"><c r="A3" t="inlineStr"><is><t>',
                "x",
                "</t></is></c></row></sheetData></worksheet>",
                size,
            )
        },
        # Before <sheetData>, every element is parsed.
        "sheet: millions of column definitions": {
            "xl/worksheets/sheet1.xml": _fill(
                HEAD + f"<worksheet {NS}><cols>",
                '<col min="1" max="1"/>',
                f"</cols><sheetData>{FIRST_ROWS}</sheetData></worksheet>",
                size,
            )
        },
        # Without a <dimension>, openpyxl reads the whole sheet at open to find it.
        "sheet: millions of rows, no dimension": {
            "xl/worksheets/sheet1.xml": _fill(
                sheet_head + FIRST_ROWS,
                "<row/>",
                "</sheetData></worksheet>",
                size,
            )
        },
    }


@functools.cache
def bombs() -> dict[str, bytes]:
    """The attack of issue 12: files of 40-95 KiB that unpack to 36 MB."""
    return {kind: minimal(parts) for kind, parts in bloated_parts(BOMB_SIZE).items()}


@functools.cache
def bomb() -> bytes:
    """The 95 KiB XLSX whose sharedStrings.xml unpacks to 36 MB."""
    return bombs()["sharedStrings: a million strings"]


def member_list(rows: int = 2000, columns: int = 30) -> bytes:
    """An Excel-like member list: shared strings, dates as styled serials,
    `columns` columns (the 7 known ones and filler), `rows` members."""
    strings: dict[str, int] = {}

    def text(ref: str, value: str) -> str:
        index = strings.setdefault(value, len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    extra = [f"Kolom tambahan {i}" for i in range(len(HEADER) + 1, columns + 1)]
    lines = [
        '<row r="1">'
        + "".join(text(f"{column(i)}1", h) for i, h in enumerate(HEADER + extra, 1))
        + "</row>"
    ]
    for number in range(2, rows + 2):
        cells = [
            text(f"A{number}", f"Anggota Pokja {number:04d} Sukmajaya"),
            text(f"B{number}", "LP"[number % 2]),
            text(f"C{number}", "Anggota"),
            text(f"D{number}", "Keagamaan"),
            text(f"E{number}", "PKK"),
            f'<c r="F{number}"><v>812{number:08d}</v></c>',  # Excel drops the 0
            f'<c r="G{number}" s="1"><v>{45292 + number % 300}</v></c>',  # 2024
        ]
        cells += [
            text(f"{column(i)}{number}", f"Keterangan {i} baris {number}")
            for i in range(len(HEADER) + 1, columns + 1)
        ]
        lines.append(f'<row r="{number}">' + "".join(cells) + "</row>")
    dimension = f'<dimension ref="A1:{column(columns)}{rows + 1}"/>'
    return minimal(
        {
            "xl/worksheets/sheet1.xml": sheet("".join(lines), before=dimension),
            "xl/sharedStrings.xml": shared_strings(strings),
        }
    )
