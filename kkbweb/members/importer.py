"""Read a member list from CSV or XLSX and check each row. No Flask.

`read_table` turns the upload into rows of text keyed by our field names (or
says, in Indonesian, why it cannot); `check_row` validates one row and returns
clean values or a list of problems. Nothing here touches the database: the
caller passes what it knows (visible Pokja, existing names, seksi list).
"""

import csv
import io
import re

from kkbweb import importing
from kkbweb.importing import (  # noqa: F401  (the names the members code and tests use)
    SEX_WORDS,
    CheckedRow,
    ImportProblem,
    fix_phone,
    parse_date,
)
from kkbweb.meetings import vocab

MAX_ROWS = 2000
MAX_COLUMNS = 30
MAX_CELL = 300  # characters kept per cell; longer values fail their own check
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
SPEC = importing.TableSpec(
    headers=HEADERS,
    first="name",
    missing_first=(
        "Kolom 'Nama' tidak ditemukan. Baris judul tabel harus memuat kolom "
        "Nama dan L/P; unduh contoh berkas untuk melihat susunannya."
    ),
    required=(("sex", "Kolom 'L/P' (jenis kelamin) tidak ditemukan."),),
    max_rows=MAX_ROWS,
    max_columns=MAX_COLUMNS,
    max_cell=MAX_CELL,
    header_search_rows=HEADER_SEARCH_ROWS,
)
# What is read of an upload: one row past the limit tells "too many rows".
LIMITS = SPEC.limits

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
PHONE = importing.PHONE
_norm = importing.norm
_match = importing.match


def _cell(value) -> str:
    """A cell as clean text (kkbweb/importing.py), cut at this import's limit."""
    return importing.cell(value, MAX_CELL)


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows of the upload keyed by field name; ImportProblem if unreadable."""
    return importing.read_table(filename, data, SPEC)


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
