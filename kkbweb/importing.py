"""What every spreadsheet import shares: the upload's checks, the table found by
its header row, clean cells, dates and phone numbers, checked rows, and the
preview that waits for confirmation. No Flask.

A feature's importer (members/importer.py, poktan/importer.py) names its columns
(a TableSpec: field -> header aliases) and checks its own rows; the cells are
read within the limits of kkbweb/spreadsheet_upload.py. A previewed import is
kept as JSON under a one-time token (PreviewStore) until the user confirms it.
"""

import datetime as dt
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from kkbweb import spreadsheet_upload as uploads
from kkbweb.requests import clean_line

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
PREVIEW_MAX_AGE = 3600  # seconds a previewed import waits for confirmation
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
PHONE = re.compile(r"^[0-9+ -]{6,20}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

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
YES_WORDS = {"ya", "y", "yes", "1", "true", "v", "√", "✓", "iya", "benar"}
NO_WORDS = {"tidak", "t", "no", "n", "0", "false", "bukan", "-", "belum", ""}


class ImportProblem(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class TableSpec:
    """The columns of one kind of import and how much of a file is read."""

    headers: dict[str, set[str]]  # field -> lower-case header aliases
    first: str  # the field whose header marks the header row
    missing_first: str  # the message when no row carries that header
    required: tuple[tuple[str, str], ...] = ()  # (field, message if its column lacks)
    max_rows: int = 2000
    max_columns: int = 30
    max_cell: int = 300  # characters kept per cell; longer values fail their check
    header_search_rows: int = 10  # a title row or two often sits above the header

    @property
    def limits(self) -> uploads.Limits:
        """What is read of an upload: one row past the limit tells "too many"."""
        return uploads.Limits(
            rows=self.max_rows + self.header_search_rows + 1,
            columns=self.max_columns,
            cell=self.max_cell,
        )


def norm(text: str) -> str:
    """Lower case, single spaces, no surrounding punctuation: for matching words."""
    text = re.sub(r"\s+", " ", str(text).strip().lower())
    return text.strip(" :.*")


def cell(value, max_cell: int) -> str:
    """A cell as clean text: dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _CONTROL.sub(" ", str(value)).strip()[:max_cell]


def read_upload(upload, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, bytes]:
    """The uploaded file's (clean name, bytes); ImportProblem if there is none,
    it is empty or it is too big (read no further than one byte past the cap)."""
    if not upload or not getattr(upload, "filename", ""):
        raise ImportProblem("Pilih berkas CSV atau XLSX.")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportProblem(
            f"Berkas lebih dari {max_bytes // (1024 * 1024)} MB. Bagi menjadi "
            "beberapa berkas."
        )
    if not data:
        raise ImportProblem("Berkas kosong.")
    return (clean_line(upload.filename) or "berkas")[:100], data


def read_table(filename: str, data: bytes, spec: TableSpec) -> list[dict[str, str]]:
    """Rows of the upload keyed by field name; ImportProblem if unreadable."""
    name = (filename or "").lower()
    try:
        if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
            raw = uploads.xlsx_rows(data, spec.limits)
        elif name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ImportProblem(
                "Berkas Excel lama (.xls) belum didukung. Buka di Excel lalu simpan "
                "sebagai .xlsx atau CSV, kemudian unggah lagi."
            )
        elif name.endswith((".csv", ".txt")):
            raw = uploads.csv_rows(data, spec.limits)
        else:
            raise ImportProblem(
                "Jenis berkas tidak didukung. Unggah berkas .csv atau .xlsx."
            )
    except uploads.UploadProblem as problem:
        raise ImportProblem(str(problem)) from problem
    grid = [[cell(v, spec.max_cell) for v in row] for row in raw]
    return rows_from_grid(grid, spec)


def _find_header(grid: list[list[str]], spec: TableSpec) -> tuple[int, dict]:
    """The header row's index and the position of each known column in it."""
    for index, row in enumerate(grid[: spec.header_search_rows]):
        columns: dict[str, int] = {}
        for position, heading in enumerate(row):
            key = norm(heading)
            for name, aliases in spec.headers.items():
                if key in aliases and name not in columns:
                    columns[name] = position
        if spec.first in columns:
            return index, columns
    raise ImportProblem(spec.missing_first)


def rows_from_grid(grid: list[list[str]], spec: TableSpec) -> list[dict[str, str]]:
    """Find the header row, map its columns to fields, return the data rows."""
    index, columns = _find_header(grid, spec)
    for name, message in spec.required:
        if name not in columns:
            raise ImportProblem(message)
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
    if len(rows) > spec.max_rows:
        raise ImportProblem(
            f"Berkas berisi lebih dari {spec.max_rows} baris. Bagi menjadi beberapa "
            "berkas."
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


def match(vocabulary: dict[str, str], text: str, extra: dict[str, str] | None = None):
    """The key whose key or label matches the text, ignoring case; else None."""
    key = norm(text)
    for code, label in vocabulary.items():
        if key in (code, norm(label), code.replace("_", " ")):
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


def yes_no(text: str) -> bool | None:
    """Ya/Tidak (and the usual ticks and words) as a bool; None if neither."""
    key = norm(text)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


class PreviewStore:
    """Previewed imports waiting for confirmation: one JSON file per token."""

    def __init__(self, folder: Path, max_age: int = PREVIEW_MAX_AGE):
        self.folder = folder
        self.max_age = max_age

    def path(self, token: str) -> Path | None:
        """The stored preview's file for a token of the expected shape."""
        if (
            not token
            or len(token) > 64
            or not token.replace("-", "").replace("_", "").isalnum()
        ):
            return None
        return self.folder / f"{token}.json"

    def save(self, token: str, payload: dict) -> None:
        """Keep a preview (and drop those nobody confirmed within the hour)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep()
        self.folder.joinpath(f"{token}.json").write_text(
            json.dumps(payload), encoding="utf-8"
        )

    def read(self, path: Path | None) -> dict | None:
        """The stored preview, or None when missing, expired or just confirmed.

        A parallel copy of the confirm may remove the file between any two looks
        at it, so it is opened once and a vanished file is the same as none.
        """
        if path is None:
            return None
        try:
            with path.open(encoding="utf-8") as file:
                if time.time() - os.fstat(file.fileno()).st_mtime >= self.max_age:
                    return None
                return json.loads(file.read())
        except (FileNotFoundError, ValueError):
            return None

    def load(self, token: str) -> tuple[Path | None, dict | None]:
        """The file and preview of a token (None, None for a malformed one)."""
        path = self.path(token)
        return path, self.read(path)

    def sweep(self) -> None:
        """Remove previews nobody confirmed in time."""
        limit = time.time() - self.max_age
        for path in self.folder.glob("*.json"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass
