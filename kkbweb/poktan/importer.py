"""Read a poktan's member families from CSV or XLSX and check each row. No Flask.

The shared machinery (the upload, the header row, clean cells, dates, the
preview) is kkbweb/importing.py; here are the columns of a family list and the
checks of one row for a poktan of a given kind. The caller passes what it knows
of the database: the Pokja's households and the families already in the poktan.
"""

import csv
import io

from kkbweb import importing
from kkbweb.importing import CheckedRow, ImportProblem, parse_date  # noqa: F401
from kkbweb.poktan import vocab

HEADERS = {
    "head_name": {
        "kepala keluarga",
        "nama kepala keluarga",
        "nama kk",
        "kk",
        "keluarga",
        "nama keluarga",
    },
    "address": {"alamat", "alamat rumah", "dusun/kampung", "kampung"},
    "rt": {"rt"},
    "rw": {"rw"},
    "phone": {"telepon", "telp", "no hp", "hp", "wa", "no wa", "telepon/wa", "hp/wa"},
    "target_name": {
        "nama balita",
        "balita",
        "nama anak",
        "nama remaja",
        "remaja",
        "nama lansia",
        "lansia",
        "nama anggota",
        "anggota",
        "nama",
    },
    "target_sex": {"l/p", "lp", "jk", "jenis kelamin", "kelamin", "l / p"},
    "target_birth_date": {"tanggal lahir", "tgl lahir", "tgl. lahir", "lahir"},
    "business": {"nama usaha", "usaha", "jenis usaha"},
    "sub_sector": {"subsektor", "sub sektor", "sub-sektor", "sektor"},
    "is_pus": {"pus", "status pus"},
    "uses_kb": {"kb", "ber-kb", "ber kb", "peserta kb", "akseptor"},
    "kb_method": {"metode kb", "alat kontrasepsi", "kontrasepsi", "metode"},
    "joined_on": {"bergabung", "tanggal bergabung", "sejak", "masuk"},
}
SPEC = importing.TableSpec(
    headers=HEADERS,
    first="head_name",
    missing_first=(
        "Kolom 'Kepala keluarga' tidak ditemukan. Baris judul tabel harus memuat "
        "kolom Kepala keluarga; unduh contoh berkas untuk melihat susunannya."
    ),
    max_rows=1000,
)
METHOD_WORDS = {
    "spiral": "iud",
    "akdr": "iud",
    "susuk": "implan",
    "kb suntik": "suntik",
}


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows of the upload keyed by field name; ImportProblem if unreadable."""
    return importing.read_table(filename, data, SPEC)


def _text(raw: dict, name: str) -> str:
    return raw.get(name, "").strip()


def _digits(text: str) -> str:
    """RT/RW as typed ("3", "003", "RT 03") written as two digits: "03"."""
    text = text.upper().removeprefix("RT").removeprefix("RW").strip()
    return text.zfill(2) if text.isdigit() and len(text) <= 3 else text


def check_row(number: int, raw: dict, kind: str) -> CheckedRow:
    """Validate one row into household and membership fields (Indonesian messages)."""
    row = CheckedRow(number, raw)
    problems = row.problems
    head = _text(raw, "head_name")
    if not head:
        problems.append("Nama kepala keluarga kosong.")
    elif len(head) > 100:
        problems.append("Nama kepala keluarga lebih dari 100 karakter.")
    rt, rw = _digits(_text(raw, "rt")), _digits(_text(raw, "rw"))
    for label, value in (("RT", rt), ("RW", rw)):
        if value and not (value.isdigit() and len(value) <= 3):
            problems.append(f"{label} harus angka, mis. 03.")
    phone = importing.fix_phone(_text(raw, "phone"))
    if phone and not importing.PHONE.match(phone):
        problems.append("Telepon hanya boleh angka, spasi, + atau - (6-20 karakter).")
    address = _text(raw, "address")
    if len(address) > 200:
        problems.append("Alamat lebih dari 200 karakter.")
    member = _check_target(raw, kind, problems)
    for name, label in (("is_pus", "PUS"), ("uses_kb", "KB")):
        value = importing.yes_no(_text(raw, name))
        if value is None:
            problems.append(f"Kolom {label} harus Ya atau Tidak.")
        member[name] = bool(value)
    method_text = _text(raw, "kb_method")
    method = None
    if method_text:
        method = importing.match(vocab.KB_METHODS, method_text, METHOD_WORDS)
        if method is None:
            problems.append(f"Metode KB '{method_text[:30]}' tidak dikenal.")
        else:
            member["uses_kb"] = True
    member["kb_method"] = method
    member["joined_on"] = _date(raw, "joined_on", "Tanggal bergabung", problems)
    member["left_on"] = None
    if not problems:
        row.values = {
            "household": {
                "head_name": head,
                "address": address or None,
                "rt": rt or None,
                "rw": rw or None,
                "phone": phone or None,
            },
            "household_key": (head.lower(), rt, rw),
            "membership": member,
        }
    return row


def _date(raw: dict, name: str, label: str, problems: list[str]):
    """An optional date column; a message when it is not a date."""
    text = _text(raw, name)
    if not text:
        return None
    value = parse_date(text)
    if value is None or not 1900 <= value.year <= 2100:
        problems.append(f"{label} tidak valid (contoh: 27/05/2024).")
        return None
    return value


def _check_target(raw: dict, kind: str, problems: list[str]) -> dict:
    """The target member's fields for this kind of poktan."""
    if kind == vocab.UPPKA:
        business = _text(raw, "business")
        if not business:
            problems.append("Nama usaha kosong.")
        elif len(business) > 100:
            problems.append("Nama usaha lebih dari 100 karakter.")
        sector_text = _text(raw, "sub_sector")
        sector = None
        if sector_text:
            sector = importing.match(vocab.UPPKA_SUBSECTORS, sector_text)
            if sector is None:
                problems.append(f"Subsektor '{sector_text[:30]}' tidak dikenal.")
        return {
            "business": business,
            "sub_sector": sector,
            "target_name": None,
            "target_sex": None,
            "target_birth_date": None,
        }
    label = vocab.TARGET_LABELS[kind]
    name = _text(raw, "target_name")
    if not name:
        problems.append(f"{label} kosong.")
    elif len(name) > 100:
        problems.append(f"{label} lebih dari 100 karakter.")
    sex_text = _text(raw, "target_sex")
    sex = importing.SEX_WORDS.get(importing.norm(sex_text)) if sex_text else None
    if sex_text and sex is None:
        problems.append("L/P harus diisi L (laki-laki) atau P (perempuan).")
    birth = _date(raw, "target_birth_date", "Tanggal lahir", problems)
    if kind == vocab.BKB and birth is None and not _text(raw, "target_birth_date"):
        problems.append("Tanggal lahir balita kosong (kelompok umur dihitung darinya).")
    return {
        "target_name": name,
        "target_sex": sex,
        "target_birth_date": birth,
        "business": None,
        "sub_sector": None,
    }


def check_rows(
    rows: list[dict], kind: str, households: dict, existing: set
) -> list[CheckedRow]:
    """Check every row; a family already in the poktan, or twice in the file,
    fails. households maps (name, RT, RW) in lower case to a registered id."""
    seen: dict[tuple, int] = {}
    checked = []
    for number, raw in enumerate(rows, start=1):
        row = check_row(number, raw, kind)
        if row.ok:
            member = row.values["membership"]
            target = (member["target_name"] or member["business"]).lower()
            key = (*row.values["household_key"], target)
            if key in existing:
                row.problems.append("Sudah terdaftar di poktan ini.")
            elif key in seen:
                row.problems.append(f"Ganda: sama dengan baris {seen[key]}.")
            else:
                seen[key] = number
                row.values["household_id"] = households.get(row.values["household_key"])
        checked.append(row)
    return checked


TEMPLATE_ROWS = [
    [
        "Kepala keluarga",
        "Alamat",
        "RT",
        "RW",
        "Telepon/WA",
        "Nama balita",
        "L/P",
        "Tanggal lahir",
        "PUS",
        "KB",
        "Metode KB",
    ],
    [
        "Ahmad Fauzi",
        "Jl. Melati No. 5",
        "01",
        "03",
        "081234567890",
        "Aisyah",
        "P",
        "14/02/2023",
        "Ya",
        "Ya",
        "Suntik",
    ],
    [
        "Dedi Supriadi",
        "Kp. Baru",
        "02",
        "03",
        "",
        "Rizky",
        "L",
        "03/09/2021",
        "Ya",
        "Tidak",
        "",
    ],
]


def template_csv() -> str:
    """An example file users can fill in (a BKB list; other kinds rename the
    target column: Nama remaja, Nama lansia, Nama usaha + Subsektor)."""
    out = io.StringIO()
    csv.writer(out).writerows(TEMPLATE_ROWS)
    return out.getvalue()
