"""Costly imports (issue 12, item 6): a small upload cannot buy seconds of CPU.

The crafted files are zipped by hand (tests/xlsx_files.py): a valid minimal
XLSX with one bloated part. openpyxl's read-only mode spent 13 s on the 95 KiB
file whose sharedStrings.xml unpacks to 36 MB, 28 s on styles.xml, 25 s on a
row of millions of cells and 8 s on a sheet without <dimension>. Each is now
refused from the zip's directory, or stopped by the streaming reader's limits.
"""

import csv
import datetime as dt
import io
import re
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from kkbweb import spreadsheet_upload as uploads
from kkbweb.extensions import db
from kkbweb.members import importer
from kkbweb.members.models import Member
from tests import factories, xlsx_files
from tests.factories import make_user

MIB = 1024 * 1024
QUICK = 1.0  # seconds: the refusals read the zip's directory only
# Files within the limits are stopped by the element budget: they may cost what
# the legitimate 2,000-member list costs on the same machine in the same run
# (the machine is shared, so no absolute figure), with room for noise.
BOUNDED = 3.0  # times the legitimate list's time


@pytest.fixture(scope="module")
def legit_seconds() -> float:
    """The floor: reading the Excel-like 2,000 x 30 member list (best of two)."""
    data = xlsx_files.member_list()
    return min(read(data)[1] for _ in range(2))


def read(data: bytes, name: str = "anggota.xlsx"):
    """read_table's rows or its message, and the CPU seconds it took (this
    thread's: other programs on a busy machine do not inflate them)."""
    start = time.thread_time()
    try:
        outcome = importer.read_table(name, data)
    except importer.ImportProblem as problem:
        outcome = str(problem)
    return outcome, time.thread_time() - start


# --- the attack: 36 MB unpacked ---------------------------------------------


@pytest.mark.parametrize("kind", sorted(xlsx_files.bloated_parts(1)))
def test_a_small_xlsx_unpacking_to_36_mb_is_refused_before_parsing(kind):
    data = xlsx_files.bombs()[kind]
    assert len(data) < 96 * 1024
    outcome, seconds = read(data)
    assert isinstance(outcome, str) and outcome.startswith(
        "Berkas terlalu besar setelah dibuka"
    ), outcome
    assert "36 MB" in outcome
    assert seconds < QUICK, f"{kind}: {seconds:.2f} s"


@pytest.mark.parametrize("kind", sorted(xlsx_files.bloated_parts(1)))
def test_a_bloated_part_within_the_size_limits_is_stopped_at_the_limits(
    kind, legit_seconds
):
    """Stored (not compressed), so neither the size nor the ratio check fires:
    the streaming reader's row limit and element budget bound the work."""
    size = MIB - 4096 if kind.startswith("styles") else 3 * MIB // 2
    data = xlsx_files.minimal(xlsx_files.bloated_parts(size)[kind], stored=True)
    outcome, seconds = read(data)
    assert seconds < BOUNDED * legit_seconds, f"{kind}: {seconds:.2f} s"
    if kind == "sheet: one row of millions of empty cells":
        assert outcome.startswith("Lembar pertama memuat terlalu banyak sel"), outcome
    else:
        assert isinstance(outcome, list), outcome
        assert outcome[0] == {"name": "Siti", "sex": "P"}
        assert all(len(v) <= importer.MAX_CELL for r in outcome for v in r.values())


def test_only_the_first_sheet_is_read():
    """5,000 sheets pointing at one big sheet without <dimension>: openpyxl
    would scan the sheet once per sheet at open."""
    rows = xlsx_files.bloated_parts(3 * MIB // 2)[
        "sheet: millions of rows, no dimension"
    ]
    data = xlsx_files.minimal(rows, sheets=5000, stored=True)
    outcome, seconds = read(data)
    assert outcome == [{"name": "Siti", "sex": "P"}]
    assert seconds < QUICK


def test_shared_strings_are_read_only_as_far_as_the_sheet_needs(legit_seconds):
    strings = ["Nama", "L/P", "Siti", "P"] + [f"x{i}" for i in range(200_000)]
    sheet = xlsx_files.sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    )
    parts = {
        "xl/sharedStrings.xml": xlsx_files.shared_strings(strings),
        "xl/worksheets/sheet1.xml": sheet,
    }
    outcome, seconds = read(xlsx_files.minimal(parts))
    assert outcome == [{"name": "Siti", "sex": "P"}]
    assert seconds < QUICK
    # A reference to the millionth string streams them all: within the budget
    # or refused, never unbounded.
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<v>3</v>", "<v>999999</v>")
    outcome, seconds = read(xlsx_files.minimal(parts))
    assert outcome == "Berkas XLSX tidak wajar: bagian sharedStrings.xml terlalu " + (
        "rumit untuk dibaca. Simpan ulang dari Excel atau simpan sebagai CSV, lalu "
        "unggah lagi."
    )
    assert seconds < BOUNDED * legit_seconds


# --- the zip's directory ----------------------------------------------------


def test_too_many_parts_are_refused():
    parts = {f"xl/media/image{i}.png": b"x" for i in range(uploads.MAX_PARTS)}
    outcome, seconds = read(xlsx_files.minimal(parts))
    assert outcome.startswith("Berkas XLSX berisi terlalu banyak bagian (30"), outcome
    assert seconds < QUICK


def test_a_part_packed_beyond_any_spreadsheet_is_refused():
    """2 MiB of <c/> packs 500 times: under every size limit, not a sheet."""
    rows = xlsx_files.bloated_parts(2 * MIB)[
        "sheet: one row of millions of empty cells"
    ]
    outcome, seconds = read(xlsx_files.minimal(rows))
    assert outcome.startswith("Berkas terlalu besar setelah dibuka: isinya dipadatkan")
    assert seconds < QUICK


def test_the_total_unpacked_size_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNZIPPED", MIB)
    noise = {f"xl/media/image{i}.bin": bytes(range(256)) * 2048 for i in range(3)}
    outcome, _ = read(xlsx_files.minimal(noise, stored=True))
    assert outcome.startswith("Berkas terlalu besar setelah dibuka (seluruh isi:")


def test_a_part_lying_about_its_size_is_never_unpacked_past_it():
    """The directory says 300 bytes; zipfile stops there and the CRC fails."""
    data = bytearray(
        xlsx_files.minimal(xlsx_files.bloated_parts(MIB)["sheet: one giant cell"])
    )
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at : name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", 300)
            start += 4
    outcome, seconds = read(bytes(data))
    assert outcome.startswith("Berkas tidak dapat dibaca sebagai XLSX"), outcome
    assert seconds < QUICK


# --- legitimate files -------------------------------------------------------


def test_the_limits_fit_a_2000_member_list_of_30_columns():
    """The per-part limits leave room above what 2,000 x 30 really needs."""
    data = xlsx_files.member_list()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sizes = {i.filename: i.file_size for i in archive.infolist()}
    assert sizes["xl/worksheets/sheet1.xml"] * 3 < uploads.MAX_PART_SIZE["sheet"]
    assert sizes["xl/sharedStrings.xml"] * 3 < uploads.MAX_PART_SIZE["sharedStrings"]
    outcome, _ = read(data)
    assert len(outcome) == 2000
    assert outcome[0]["active_from"] == "2024-01-03"  # a styled serial is a date
    assert outcome[0]["phone"] == "81200000002"


def test_the_reader_reads_what_openpyxl_reads():
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "L/P", "Tanggal", "Angka", "Pecahan", "Ya", None, "Akhir"])
    sheet.append(["Siti", "P", dt.datetime(2024, 1, 2, 10, 30), 812345, 2.5, True])
    sheet.append([])
    sheet.append(["Nur", "P", dt.date(2023, 12, 31), -3, 1e20, False, None, "x" * 400])
    sheet["AH4"] = "beyond the 30 columns"
    sheet["A5"] = "=1+1"  # no cached value: empty, as openpyxl's data_only says
    out = io.BytesIO()
    book.save(out)
    ours = uploads.xlsx_rows(out.getvalue(), importer.LIMITS)
    theirs = load_workbook(io.BytesIO(out.getvalue()), read_only=True, data_only=True)
    expected = [
        list(row)
        for row in theirs.worksheets[0].iter_rows(max_col=30, values_only=True)
    ]
    clean = [[importer._cell(v) for v in row] for row in ours]
    assert [[c for c in r if c] for r in clean] == [
        [c for c in (importer._cell(v) for v in row) if c] for row in expected
    ]
    assert max(len(r) for r in ours) <= 30
    assert ours[3][7] == "x" * importer.MAX_CELL


def test_more_rows_than_allowed_get_the_row_message_without_reading_on():
    lines = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>A{n}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>P</t></is></c></row>'
        for n in range(2, 60_000)
    )
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    data = xlsx_files.minimal(
        {"xl/worksheets/sheet1.xml": xlsx_files.sheet(header + lines)}
    )
    outcome, seconds = read(data)
    assert (
        outcome == "Berkas berisi lebih dari 2000 baris. Bagi menjadi beberapa berkas."
    )
    assert seconds < QUICK


# --- CSV --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Nama;L/P\n" + b"Siti;P\n" * 250_000, "lebih dari 2000 baris"),
        (b"Nama," + b"x," * 1_000_000 + b"\n", "Kolom 'L/P'"),
        (b'Nama;L/P\n"' + b"x" * 1_500_000 + b'";P\n', "Berkas CSV tidak dapat dibaca"),
    ],
    ids=["many rows", "one wide row", "one giant cell"],
)
def test_a_csv_is_read_within_the_limits(content, message):
    assert len(content) <= 2 * MIB
    outcome, seconds = read(content, "anggota.csv")
    assert message in outcome
    assert seconds < QUICK


def test_a_csv_row_is_cut_at_the_column_and_cell_limits():
    row = ["Nama", "L/P"] + [f"k{i}" for i in range(100)]
    out = io.StringIO()
    csv.writer(out).writerows([row, ["y" * 1000, "P"] + ["z"] * 100])
    grid = uploads.csv_rows(out.getvalue().encode(), importer.LIMITS)
    assert [len(r) for r in grid] == [importer.MAX_COLUMNS] * 2
    assert grid[1][0] == "y" * importer.MAX_CELL


# --- through the page ---------------------------------------------------------


def upload(client, content: bytes, filename: str, **extra):
    return client.post(
        "/members/import",
        data={"file": (io.BytesIO(content), filename), **extra},
        content_type="multipart/form-data",
    )


def test_the_import_page_refuses_the_bomb_and_keeps_the_chosen_pokja(app, login_as):
    client = login_as(make_user("staf"))
    pokja_id = factories.pokja("Bendungan").id
    bomb = xlsx_files.bomb()  # built (1 s) before the clock starts
    start = time.thread_time()  # the test client runs the app in this thread
    response = upload(client, bomb, "anggota.xlsx", pokja_id=pokja_id)
    assert time.thread_time() - start < QUICK
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Berkas terlalu besar setelah dibuka (sharedStrings.xml: 36 MB" in html
    chosen = re.search(rf'<option[^>]*value="{pokja_id}"[^>]*>', html).group(0)
    assert "selected" in chosen


def test_a_2000_member_xlsx_still_imports(app, login_as):
    client = login_as(make_user("staf"))
    pokja_id = factories.pokja("Bendungan").id
    preview = upload(
        client, xlsx_files.member_list(), "anggota.xlsx", pokja_id=pokja_id
    )
    html = preview.get_data(as_text=True)
    assert "<b>2000</b> siap disimpan" in html, html[:2000]
    token = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', html).group(1)
    done = client.post("/members/import/confirm", data={"form_token": token})
    assert done.status_code == 303
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Member))
        dated = db.session.scalar(select(Member).where(Member.name.like("%0002%")))
        assert count == 2000
        assert dated.active_from == dt.date(2024, 1, 3)
        assert dated.phone == "081200000002"
