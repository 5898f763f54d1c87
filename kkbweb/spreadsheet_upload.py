"""Read an uploaded CSV or XLSX into a bounded grid of cells. No Flask.

Every import goes through here, so that a small upload cannot buy seconds of
worker CPU. An XLSX is a zip of XML parts; openpyxl's load_workbook parses
sharedStrings.xml and styles.xml whole at open and, for every sheet without a
<dimension> tag, the whole sheet XML (measured: 13 s, 28 s and 8 s for a
95 KiB file whose part unpacks to 36 MB). So:

1. the zip's directory is checked before any part is unpacked: the number of
   parts, each part's unpacked size (zipfile never unpacks more than the size
   it declares: a lying header fails its CRC check) and compression ratio;
2. only the parts the first sheet needs are read (workbook, its relations,
   styles for dates, shared strings, the first sheet), streamed with an
   XML pull parser that counts elements and stops at the row limit, at the
   needed shared strings, and refuses past an element budget fitted to
   `max_rows x max_columns`.

openpyxl supplies the date rules (number formats, epochs), not the reading.
"""

import contextlib
import csv
import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError, XMLPullParser

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

MIB = 1024 * 1024
# A 2,000 x 30 sheet of 40-character texts unpacks to 4.6 MiB (openpyxl, inline
# strings); with shared strings each part stays below that. Styles of a heavily
# formatted Excel file stay below 200 KiB; workbook, relations, theme, document
# properties below 200 KiB.
MAX_PART_SIZE = {"sheet": 8 * MIB, "sharedStrings": 8 * MIB, "styles": MIB}
MAX_OTHER_PART = 8 * MIB  # parts we never unpack (images, other sheets)
MAX_SMALL_PART = MIB  # workbook.xml and the .rels we do unpack
MAX_UNZIPPED = 32 * MIB
MAX_PARTS = 300  # Excel writes ~10 parts, plus ~4 per sheet and one per image
MAX_RATIO = 100  # text XML packs 2-20 times; a 36 MB run of "<c/>" 400 times
RATIO_FROM = MIB  # small parts may pack well without being a threat
ELEMENTS_PER_CELL = 4  # <c><is><t> or <c><f><v>, and room for rows and columns
SMALL_BUDGET = 10_000  # elements of workbook.xml before its first sheet, of a .rels
READ_CHUNK = 64 * 1024
CELL_PARTS = {"v", "is", "t", "r"}  # kept until their cell ends

UNREADABLE = (
    "Berkas tidak dapat dibaca sebagai XLSX. Pastikan berkas dari Excel "
    "atau Google Sheets (Unduh sebagai .xlsx) dan tidak rusak."
)
TOO_BIG = (
    "Berkas terlalu besar setelah dibuka ({what}: {size} MB, paling banyak "
    "{limit} MB). Hapus lembar, gambar atau kolom yang tidak perlu, atau "
    "simpan lembar anggota sebagai CSV, lalu unggah lagi."
)
TOO_MANY_CELLS = (
    "Lembar pertama memuat terlalu banyak sel atau kolom (paling banyak "
    "{rows} baris x {columns} kolom dibaca). Hapus kolom dan baris kosong yang "
    "berformat, atau simpan sebagai CSV, lalu unggah lagi."
)
INTRICATE = (
    "Berkas XLSX tidak wajar: bagian {what} terlalu rumit untuk dibaca. Simpan "
    "ulang dari Excel atau simpan sebagai CSV, lalu unggah lagi."
)
PACKED = (
    "Berkas terlalu besar setelah dibuka: isinya dipadatkan tidak wajar "
    "({what}). Simpan ulang dari Excel atau simpan sebagai CSV."
)


class UploadProblem(Exception):
    """The upload as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    """What is read of an upload: rows, columns per row, characters per cell."""

    rows: int
    columns: int
    cell: int

    @property
    def elements(self) -> int:
        """The XML elements one part may spend on the rows and columns we keep."""
        return self.rows * self.columns * ELEMENTS_PER_CELL + SMALL_BUDGET


def _local(tag: str) -> str:
    """An XML tag without its namespace: OOXML writers vary the prefixes."""
    return tag.rpartition("}")[2]


def _mb(size: int) -> str:
    return f"{size / MIB:.0f}" if size >= 10 * MIB else f"{size / MIB:.1f}"


def _kind(name: str) -> str:
    """Which limit a part falls under, by its name in the package."""
    stem = posixpath.basename(name)
    if stem in ("sharedStrings.xml", "styles.xml"):
        return stem.removesuffix(".xml")
    if (
        stem in ("workbook.xml", "[Content_Types].xml")
        or stem.endswith(".rels")
        or name.startswith("docProps/")
    ):
        return "small"
    return "sheet" if name.startswith("xl/worksheets/") else "other"


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse by the directory alone: part count, each part's size and ratio."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise UploadProblem(
            f"Berkas XLSX berisi terlalu banyak bagian ({len(parts)}). Simpan "
            "lembar anggota sebagai berkas baru atau CSV, lalu unggah lagi."
        )
    total = 0
    for part in parts:
        kind = _kind(part.filename)
        limit = MAX_PART_SIZE.get(kind) or (
            MAX_SMALL_PART if kind == "small" else MAX_OTHER_PART
        )
        what = posixpath.basename(part.filename)[:40]
        if part.file_size > limit:
            raise UploadProblem(
                TOO_BIG.format(what=what, size=_mb(part.file_size), limit=_mb(limit))
            )
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise UploadProblem(PACKED.format(what=what))
        total += part.file_size
    if total > MAX_UNZIPPED:
        raise UploadProblem(
            TOO_BIG.format(what="seluruh isi", size=_mb(total), limit=_mb(MAX_UNZIPPED))
        )


def _ends(archive, name: str, budget: int, refusal: str):
    """The elements of one part as each ends, streamed; refuse past `budget`.

    Only end events: a start event per element would double the Python work
    (a row's number and a cell's reference are read at their end as well).
    """
    parser = XMLPullParser(events=("end",))
    spent = 0
    with archive.open(name) as stream:
        while chunk := stream.read(READ_CHUNK):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                spent += 1
                if spent > budget:
                    raise UploadProblem(refusal)
                yield element
    parser.close()
    for _event, element in parser.read_events():
        yield element


def _relations(archive, name: str) -> dict[str, tuple[str, str]]:
    """Id -> (type's last word, target path) of a .rels part."""
    folder = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/x.rels -> xl
    found = {}
    refusal = INTRICATE.format(what=posixpath.basename(name))
    for element in _ends(archive, name, SMALL_BUDGET, refusal):
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join(folder, target))
            kind = element.get("Type", "").rpartition("/")[2]
            found[element.get("Id", "")] = (kind, path)
    return found


def _first_sheet(archive, limits: Limits):
    """Paths of the first sheet, the shared strings and the styles; the epoch."""
    names = set(archive.namelist())
    root = _relations(archive, "_rels/.rels") if "_rels/.rels" in names else {}
    book = next(
        (path for kind, path in root.values() if kind == "officeDocument"),
        "xl/workbook.xml",
    )
    epoch, sheet_id = CALENDAR_WINDOWS_1900, None
    refusal = INTRICATE.format(what=posixpath.basename(book))
    for element in _ends(archive, book, SMALL_BUDGET, refusal):
        tag = _local(element.tag)
        if tag == "workbookPr":
            if element.get("date1904", "").lower() in ("1", "true"):
                epoch = CALENDAR_MAC_1904
        elif tag == "sheet":
            sheet_id = next(
                (v for k, v in element.attrib.items() if _local(k) == "id"), None
            )
            break  # only the first sheet is read: the rest is never parsed
    folder = posixpath.dirname(book)
    rels = _relations(
        archive, posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels")
    )
    if sheet_id not in rels:
        raise UploadProblem(UNREADABLE)
    by_kind = {kind: path for kind, path in rels.values()}
    return rels[sheet_id][1], by_kind.get("sharedStrings"), by_kind.get("styles"), epoch


def _date_styles(archive, name: str | None, limits: Limits) -> set[int]:
    """Indices of the cell styles whose number format shows a date."""
    if name is None or name not in set(archive.namelist()):
        return set()
    codes = dict(BUILTIN_FORMATS)
    formats: list[str] = []  # numFmtId of each <xf> of the list being read
    refusal = INTRICATE.format(what="styles.xml")
    for element in _ends(archive, name, limits.elements, refusal):
        tag = _local(element.tag)
        if tag == "numFmt":
            with contextlib.suppress(ValueError):
                codes[int(element.get("numFmtId", ""))] = element.get("formatCode", "")
        elif tag == "xf":
            formats.append(element.get("numFmtId", "0"))
        elif tag == "cellStyleXfs":
            formats = []  # the named styles' list, not the cells'
        elif tag == "cellXfs":
            break  # fonts, dxfs and the rest after it do not matter here
        element.clear()
    dates = set()
    for index, number in enumerate(formats):
        with contextlib.suppress(ValueError):
            code = codes.get(int(number), "")
            if code and is_date_format(code):
                dates.add(index)
    return dates


def _text(element, limits: Limits) -> str:
    """The text of an <si> or <is>: its <t>, or its runs' <t>, not phonetics."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)[: limits.cell]


def _shared_strings(archive, name, wanted: set[int], limits: Limits) -> dict:
    """The shared strings the sheet uses, reading no further than the last one."""
    if not wanted or name is None or name not in archive.namelist():
        return {}
    last, index, found = max(wanted), 0, {}
    refusal = INTRICATE.format(what="sharedStrings.xml")
    for element in _ends(archive, name, limits.elements, refusal):
        if _local(element.tag) == "si":
            if index in wanted:
                found[index] = _text(element, limits)
            element.clear()
            index += 1
            if index > last:
                break
    return found


def _number(text: str, style: int, dates: set[int], epoch):
    """A numeric cell as int, float, or the date its style says it is."""
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if style in dates:
        try:
            return from_excel(value, epoch)
        except (OverflowError, ValueError, TypeError):
            return text
    return value


def _cell_value(cell, dates: set[int], epoch, limits: Limits):
    """One <c> as a Python value; shared strings as ("s", index) for later."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        child = next((c for c in cell if _local(c.tag) == "is"), None)
        return _text(child, limits) if child is not None else None
    value = next((c.text for c in cell if _local(c.tag) == "v"), None)
    if value is None:
        return None  # data_only: a formula without a cached value is empty
    value = value.strip() if kind in ("n", "s", "b") else value
    if kind == "s":
        return ("s", int(value))
    if kind == "b":
        return value == "1"
    if kind == "n":
        try:
            return _number(value, int(cell.get("s", "0") or 0), dates, epoch)
        except ValueError:
            return value[: limits.cell]
    if kind == "d":
        try:
            return from_ISO8601(value)
        except ValueError:
            return value[: limits.cell]
    return value[: limits.cell]  # "str" (a formula's text), "e" (#N/A ...)


def _sheet_rows(archive, name: str, dates, epoch, limits: Limits) -> list[list]:
    """The first `limits.rows` rows of a sheet, each cut at `limits.columns`."""
    refusal = TOO_MANY_CELLS.format(rows=limits.rows, columns=limits.columns)
    rows: list[list] = []
    row_number, column, row = 0, 0, []
    for element in _ends(archive, name, limits.elements, refusal):
        tag = _local(element.tag)
        if tag == "c":
            letters = (element.get("r") or "").rstrip("0123456789")
            column = column_index_from_string(letters) if letters else column + 1
            if column <= limits.columns:
                row.extend([None] * (column - 1 - len(row)))
                row.append(_cell_value(element, dates, epoch, limits))
        elif tag == "row":
            try:
                row_number = int(element.get("r") or row_number + 1)
            except ValueError:
                raise UploadProblem(UNREADABLE) from None
            if row_number > limits.rows or len(rows) >= limits.rows:
                break  # the rest of the sheet is never parsed
            rows.extend([] for _ in range(row_number - 1 - len(rows)))
            rows.append(row)
            column, row = 0, []
        if tag not in CELL_PARTS:
            element.clear()  # read at the end of its cell or row, then dropped
    return rows


def xlsx_rows(data: bytes, limits: Limits) -> list[list]:
    """The first sheet's values (str, int, float, bool, datetime or None), row
    by row, at most `limits` of them; UploadProblem if the file is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
            sheet, strings, styles, epoch = _first_sheet(archive, limits)
            dates = _date_styles(archive, styles, limits)
            rows = _sheet_rows(archive, sheet, dates, epoch, limits)
            wanted = {v[1] for row in rows for v in row if isinstance(v, tuple)}
            shared = _shared_strings(archive, strings, wanted, limits)
    except UploadProblem:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ParseError,
        KeyError,
        ValueError,
        EOFError,
        OSError,
        RuntimeError,  # an encrypted part
        NotImplementedError,  # an unknown compression method
    ) as error:
        raise UploadProblem(UNREADABLE) from error
    return [
        [shared.get(v[1]) if isinstance(v, tuple) else v for v in row] for row in rows
    ]


def csv_rows(data: bytes, limits: Limits) -> list[list[str]]:
    """CSV cells as text: UTF-8 (with or without BOM) or Windows-1252; , ; or tab.

    The upload is already capped in bytes; reading stops at `limits.rows` and
    each row and cell is cut at the limits.
    """
    if b"\x00" in data[:4096]:
        raise UploadProblem("Berkas ini bukan CSV teks. Unggah berkas .csv atau .xlsx.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    grid = []
    try:
        for row in reader:
            grid.append([value[: limits.cell] for value in row[: limits.columns]])
            if len(grid) >= limits.rows:
                break
    except csv.Error as error:
        raise UploadProblem(
            "Berkas CSV tidak dapat dibaca (tanda kutip tidak seimbang, atau satu "
            "sel lebih dari 100.000 karakter?)."
        ) from error
    return grid
