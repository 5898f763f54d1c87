"""Read a member list from CSV or XLSX and check each row. No Flask.

`read_table` turns the upload into rows of text keyed by our field names (or
says, in Indonesian, why it cannot); `check_row` validates one row and returns
clean values or a list of problems. Nothing here touches the database: the
caller passes what it knows (visible Pokja, existing names, seksi list).
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

from kkbweb.meetings import vocab

MAX_ROWS = 2000
MAX_COLUMNS = 30
MAX_CELL = 300  # characters kept per cell; longer values fail their own check
MAX_UNZIPPED = 40 * 1024 * 1024  # an XLSX of 2,000 members unpacks to ~1 MB
HEADER_SEARCH_ROWS = 10  # a title row or two often sits above the header

HEADERS = {
    "name": {"nama", "nama lengkap", "nama anggota", "name"},
    "sex": {"l/p", "lp", "jk", "jenis kelamin", "kelamin", "sex", "gender", "l / p"},
    "jabatan": {"jabatan", "jabatan di pokja", "kedudukan"},
    "seksi": {"seksi", "bidang", "seksi/bidang"},
    "unsur": {"unsur", "asal unsur", "asal", "unsur/instansi"},
    "phone": {
        "telepon",
        "telp",
        "no telp",
        "no hp",
        "nomor hp",
        "hp",
        "wa",
        "no wa",
        "telepon/wa",
        "hp/wa",
        "no hp/wa",
    },
    "active_from": {"aktif sejak", "tanggal mulai", "mulai", "sejak", "tmt"},
    "pokja": {"pokja", "kelurahan", "pokja/kelurahan"},
}
FIELDS = tuple(HEADERS)

SEX_WORDS = {
    "l": "L",
    "lk": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "laki": "L",
    "pria": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
}
UNSUR_WORDS = {
    "sub ppkbd": "sub_ppkbd",
    "subppkbd": "sub_ppkbd",
    "kader pkk": "pkk",
    "tp pkk": "pkk",
    "rt": "rt_rw",
    "rw": "rt_rw",
    "ketua rt": "rt_rw",
    "ketua rw": "rt_rw",
    "toga": "tokoh_agama",
    "toma": "tokoh_masyarakat",
    "plkb": "plkb",
    "pkb": "plkb",
    "bidan": "bidan_nakes",
    "nakes": "bidan_nakes",
    "kader": "lainnya",
    "kelurahan": "aparatur_kelurahan",
    "aparat kelurahan": "aparatur_kelurahan",
    "karang taruna": "karang_taruna",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
PHONE = re.compile(r"^[0-9+ -]{6,20}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ImportProblem(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _norm(text: str) -> str:
    """Lower case, single spaces, no surrounding punctuation: for matching words."""
    text = re.sub(r"\s+", " ", str(text).strip().lower())
    return text.strip(" :.*")


def _cell(value) -> str:
    """A cell as clean text: dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _CONTROL.sub(" ", str(value)).strip()[:MAX_CELL]


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows of the upload keyed by field name; ImportProblem if unreadable."""
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        grid = _xlsx_grid(data)
    elif name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportProblem(
            "Berkas Excel lama (.xls) belum didukung. Buka di Excel lalu simpan "
            "sebagai .xlsx atau CSV, kemudian unggah lagi."
        )
    elif name.endswith((".csv", ".txt")):
        grid = _csv_grid(data)
    else:
        raise ImportProblem(
            "Jenis berkas tidak didukung. Unggah berkas .csv atau .xlsx."
        )
    return _rows_from_grid(grid)


def _xlsx_grid(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text (openpyxl, read-only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportProblem(
            "Berkas tidak dapat dibaca sebagai XLSX. Pastikan berkas dari Excel "
            "atau Google Sheets (Unduh sebagai .xlsx) dan tidak rusak."
        ) from error
    if unpacked > MAX_UNZIPPED:
        # A small file that unpacks to gigabytes is a "zip bomb", not a member list.
        raise ImportProblem("Isi berkas XLSX terlalu besar. Simpan sebagai CSV.")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        grid = [
            [_cell(v) for v in row]
            for row in sheet.iter_rows(
                max_row=MAX_ROWS + HEADER_SEARCH_ROWS + 1,
                max_col=MAX_COLUMNS,
                values_only=True,
            )
        ]
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        raise ImportProblem(
            "Berkas tidak dapat dibaca sebagai XLSX. Pastikan berkas dari Excel "
            "atau Google Sheets (Unduh sebagai .xlsx) dan tidak rusak."
        ) from error
    except Exception as error:  # openpyxl raises many types on broken files
        raise ImportProblem(
            "Berkas XLSX rusak atau tidak dikenali. Simpan ulang lalu coba lagi."
        ) from error
    return grid


def _csv_grid(data: bytes) -> list[list[str]]:
    """CSV cells as text: UTF-8 (with or without BOM) or Windows-1252; , ; or tab."""
    if b"\x00" in data[:4096]:
        raise ImportProblem("Berkas ini bukan CSV teks. Unggah berkas .csv atau .xlsx.")
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
            grid.append([_cell(v) for v in row[:MAX_COLUMNS]])
            if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
    except csv.Error as error:
        raise ImportProblem(
            "Berkas CSV tidak dapat dibaca (tanda kutip tidak seimbang?)."
        ) from error
    return grid


def _find_header(grid: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row's index and the position of each known column in it."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, heading in enumerate(row):
            key = _norm(heading)
            for name, aliases in HEADERS.items():
                if key in aliases and name not in columns:
                    columns[name] = position
        if "name" in columns:
            return index, columns
    raise ImportProblem(
        "Kolom 'Nama' tidak ditemukan. Baris judul tabel harus memuat kolom "
        "Nama dan L/P; unduh contoh berkas untuk melihat susunannya."
    )


def _rows_from_grid(grid: list[list[str]]) -> list[dict[str, str]]:
    """Find the header row, map its columns to fields, return the data rows."""
    index, columns = _find_header(grid)
    if "sex" not in columns:
        raise ImportProblem("Kolom 'L/P' (jenis kelamin) tidak ditemukan.")
    rows = []
    for row in grid[index + 1 :]:
        values = {
            name: (row[pos] if pos < len(row) else "") for name, pos in columns.items()
        }
        if not any(values.values()):
            continue  # blank lines between blocks are common in sheets
        rows.append(values)
    if not rows:
        raise ImportProblem("Berkas tidak berisi baris data di bawah baris judul.")
    if len(rows) > MAX_ROWS:
        raise ImportProblem(
            f"Berkas berisi lebih dari {MAX_ROWS} baris. Bagi menjadi beberapa berkas."
        )
    return rows


@dataclass
class CheckedRow:
    """One data row after checking: clean values, or the problems found."""

    number: int  # 1-based data row number, as the user counts them
    raw: dict[str, str]
    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _match(vocabulary: dict[str, str], text: str, extra: dict[str, str] | None = None):
    """The key whose key or label matches the text, ignoring case; else None."""
    key = _norm(text)
    for code, label in vocabulary.items():
        if key in (code, _norm(label), code.replace("_", " ")):
            return code
    return (extra or {}).get(key)


def parse_date(text: str) -> dt.date | None:
    """A date in ISO or Indonesian day-first order; None if none matches."""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def fix_phone(text: str) -> str:
    """Excel drops the leading 0 of 0812...: put it back."""
    digits = text.replace(" ", "")
    if digits.isdigit() and digits.startswith("8") and 9 <= len(digits) <= 13:
        return "0" + digits
    return text


def check_rows(
    rows: list[dict[str, str]],
    *,
    pokja_by_name: dict[str, int],
    default_pokja_id: int | None,
    seksi: dict[str, str],
    existing: set[tuple[int, str]],
) -> list[CheckedRow]:
    """Check every row; duplicates within the file and against `existing` fail.

    pokja_by_name maps lower-case Pokja names the user may use to ids;
    existing holds (pokja_id, lower-case name) of members already registered.
    """
    seen: dict[tuple[int, str], int] = {}
    checked = []
    for number, raw in enumerate(rows, start=1):
        row = check_row(number, raw, pokja_by_name, default_pokja_id, seksi)
        if row.ok:
            key = (row.values["pokja_id"], row.values["name"].lower())
            if key in existing:
                row.problems.append("Sudah terdaftar di Pokja ini.")
            elif key in seen:
                row.problems.append(f"Nama ganda: sama dengan baris {seen[key]}.")
            else:
                seen[key] = number
        checked.append(row)
    return checked


def check_row(
    number: int,
    raw: dict[str, str],
    pokja_by_name: dict[str, int],
    default_pokja_id: int | None,
    seksi: dict[str, str],
) -> CheckedRow:
    """Validate one row into Member fields, collecting Indonesian messages."""
    row = CheckedRow(number, raw)
    problems = row.problems
    name = raw.get("name", "").strip()
    if not name:
        problems.append("Nama kosong.")
    elif len(name) > 100:
        problems.append("Nama lebih dari 100 karakter.")
    sex = SEX_WORDS.get(_norm(raw.get("sex", "")))
    if sex is None:
        problems.append("L/P harus diisi L (laki-laki) atau P (perempuan).")
    jabatan_text = raw.get("jabatan", "")
    jabatan = _match(vocab.JABATAN, jabatan_text) if jabatan_text else "anggota"
    if jabatan is None:
        problems.append(f"Jabatan '{jabatan_text[:40]}' tidak dikenal.")
    seksi_text = re.sub(r"^seksi\s+", "", raw.get("seksi", "").strip(), flags=re.I)
    seksi_key = _match(seksi, seksi_text) if seksi_text else None
    if seksi_text and seksi_key is None:
        problems.append(f"Seksi '{seksi_text[:40]}' tidak dikenal.")
    unsur_text = raw.get("unsur", "")
    unsur = _match(vocab.UNSUR, unsur_text, UNSUR_WORDS) if unsur_text else "lainnya"
    if unsur is None:
        problems.append(f"Unsur '{unsur_text[:40]}' tidak dikenal.")
    phone = fix_phone(raw.get("phone", "").strip())
    if phone and not PHONE.match(phone):
        problems.append("Telepon hanya boleh angka, spasi, + atau - (6-20 karakter).")
    active_from = None
    if raw.get("active_from", "").strip():
        active_from = parse_date(raw["active_from"])
        if active_from is None or not 2000 <= active_from.year <= 2100:
            problems.append("Tanggal aktif tidak valid (contoh: 27/05/2024).")
    pokja_text = raw.get("pokja", "").strip()
    if pokja_text:
        key = re.sub(r"^(pokja|kelurahan)\s+", "", _norm(pokja_text))
        pokja_id = pokja_by_name.get(key)
        if pokja_id is None:
            problems.append(
                f"Pokja '{pokja_text[:40]}' tidak dikenal atau bukan wewenang Anda."
            )
    else:
        pokja_id = default_pokja_id
        if pokja_id is None:
            problems.append("Pokja belum ditentukan: isi kolom Pokja atau pilih Pokja.")
    if not problems:
        row.values = {
            "pokja_id": pokja_id,
            "name": name,
            "sex": sex,
            "jabatan": jabatan,
            "seksi": seksi_key,
            "unsur": unsur,
            "phone": phone or None,
            "active_from": active_from,
        }
    return row


TEMPLATE_ROWS = [
    ["Nama", "L/P", "Jabatan", "Seksi", "Unsur", "Telepon/WA", "Aktif sejak"],
    ["Siti Aminah", "P", "Ketua", "", "PKK", "081234567890", "01/01/2024"],
    ["Ahmad Fauzi", "L", "Koordinator seksi", "Keagamaan", "Tokoh agama", "", ""],
    ["Euis Kurniasih", "P", "Anggota", "Reproduksi", "Sub-PPKBD", "", ""],
]


def template_csv() -> str:
    """An example file users can fill in."""
    out = io.StringIO()
    csv.writer(out).writerows(TEMPLATE_ROWS)
    return out.getvalue()
