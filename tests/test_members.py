"""The member registry: registering, editing, history, and the CSV/XLSX import."""

import datetime as dt
import gzip
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from kkbweb import spreadsheet_upload
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.meetings import vocab
from kkbweb.members import importer
from kkbweb.members.models import Member
from tests import factories
from tests.factories import make_mark, make_meeting, make_member, make_user

TOKEN_VALUE = re.compile(r'name="form_token"[^>]*value="([0-9a-f]{32})"')


def audit_rows(app, action: str) -> list[AuditLog]:
    """Audit rows of one action, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()
        db.session.expunge_all()
        return rows


# --- import parsing -----------------------------------------------------------


def test_csv_with_semicolons_bom_and_a_title_row():
    data = (
        "\ufeffDAFTAR ANGGOTA POKJA CIWEDUS;;\n"
        "No;Nama;L/P;Jabatan;Seksi;Unsur;No HP\n"
        "1;Siti Aminah;P;Ketua;;PKK;81234567890\n"
        ";;;;;;\n"
        "2;Ahmad Fauzi;Laki-laki;koordinator seksi;Seksi Keagamaan;Toga;\n"
    ).encode()
    rows = importer.read_table("anggota.csv", data)
    assert [r["name"] for r in rows] == ["Siti Aminah", "Ahmad Fauzi"]
    checked = importer.check_rows(
        rows,
        pokja_by_name={"ciwedus": 1},
        default_pokja_id=1,
        seksi=vocab.DEFAULT_SEKSI,
        existing=set(),
    )
    assert all(r.ok for r in checked), [r.problems for r in checked]
    assert checked[0].values["phone"] == "081234567890"  # Excel dropped the 0
    assert checked[1].values["sex"] == "L"
    assert checked[1].values["seksi"] == "keagamaan"
    assert checked[1].values["unsur"] == "tokoh_agama"


def test_xlsx_upload_is_read_with_dates_and_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "L/P", "Jabatan", "Aktif sejak", "Telepon/WA", "Pokja"])
    sheet.append(
        ["Euis Kurniasih", "P", "Sekretaris", dt.datetime(2024, 1, 2), 81234567890, ""]
    )
    sheet.append(["Dedi", "X", "Raja", "31/02/2024", "abc", "Atlantis"])
    out = io.BytesIO()
    book.save(out)
    rows = importer.read_table("Anggota.XLSX", out.getvalue())
    checked = importer.check_rows(
        rows,
        pokja_by_name={"ciwedus": 1},
        default_pokja_id=1,
        seksi=vocab.DEFAULT_SEKSI,
        existing=set(),
    )
    assert checked[0].ok
    assert checked[0].values["active_from"] == dt.date(2024, 1, 2)
    assert checked[0].values["phone"] == "081234567890"
    problems = " ".join(checked[1].problems)
    assert "L/P harus diisi L" in problems
    assert "Jabatan 'Raja' tidak dikenal" in problems
    assert "Tanggal aktif tidak valid" in problems
    assert "Telepon hanya boleh angka" in problems
    assert "Pokja 'Atlantis' tidak dikenal" in problems


def test_duplicates_within_the_file_and_with_existing_members_are_refused():
    rows = [
        {"name": "Siti", "sex": "P"},
        {"name": "siti", "sex": "P"},
        {"name": "Nur", "sex": "P"},
    ]
    checked = importer.check_rows(
        rows,
        pokja_by_name={},
        default_pokja_id=1,
        seksi=vocab.DEFAULT_SEKSI,
        existing={(1, "nur")},
    )
    assert checked[0].ok
    assert checked[1].problems == ["Nama ganda: sama dengan baris 1."]
    assert checked[2].problems == ["Sudah terdaftar di Pokja ini."]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("anggota.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Excel lama (.xls)"),
        ("foto.jpg", b"\xff\xd8\xff\xe0", "Jenis berkas tidak didukung"),
        ("anggota.xlsx", b"bukan zip", "tidak dapat dibaca sebagai XLSX"),
        ("anggota.csv", b"a\x00b\x00c", "bukan CSV teks"),
        ("anggota.csv", b"Judul;Lain\nx;y\n", "Kolom 'Nama' tidak ditemukan"),
        ("anggota.csv", b"Nama;Jabatan\nSiti;Ketua\n", "Kolom 'L/P'"),
        ("anggota.csv", b"Nama;L/P\n", "tidak berisi baris data"),
    ],
)
def test_unreadable_files_get_a_clear_message(filename, data, message):
    with pytest.raises(importer.ImportProblem, match=re.escape(message)):
        importer.read_table(filename, data)


def test_an_xlsx_that_unpacks_to_gigabytes_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/sharedStrings.xml", b"\0" * (spreadsheet_upload.MAX_UNZIPPED + 1)
        )
    with pytest.raises(importer.ImportProblem, match="terlalu besar"):
        importer.read_table("bom.xlsx", out.getvalue())


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx", "a"]))
def test_any_bytes_give_rows_or_a_message_never_a_crash(data, name):
    try:
        rows = importer.read_table(name, data)
    except importer.ImportProblem:
        return
    importer.check_rows(
        rows,
        pokja_by_name={},
        default_pokja_id=None,
        seksi=vocab.DEFAULT_SEKSI,
        existing=set(),
    )


# --- members ------------------------------------------------------------------


def member_form(**overrides) -> dict:
    data = {
        "name": "Siti Aminah",
        "sex": "P",
        "pokja_id": factories.pokja("Ciwedus").id,
        "jabatan": "ketua",
        "seksi": "keagamaan",
        "unsur": "pkk",
        "phone": "0812 3456 7890",
        "active_from": "2024-01-01",
        "active_until": "",
        "is_active": "y",
    }
    data.update(overrides)
    return data


def test_pokja_user_registers_members_of_their_own_pokja_only(app, login_as):
    client = login_as(make_user("pokja", pokja="Ciwedus"))
    assert client.post("/members/new", data=member_form()).status_code == 303
    other = client.post(
        "/members/new",
        data=member_form(pokja_id=factories.pokja("Bendungan").id, name="Lain"),
    )
    assert other.status_code == 200
    assert "Pilihan tidak valid" in other.get_data(as_text=True)
    (row,) = audit_rows(app, "member.create")
    assert row.after["name"] == "Siti Aminah" and row.after["phone"] == "0812 3456 7890"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "n" * 101, "Maksimal 100 karakter"),
        ("sex", "X", "Pilihan tidak valid"),
        ("phone", "08-abc", "Hanya angka"),
        ("active_from", "31-31-2024", "Tanggal tidak valid"),
        ("active_until", "2023-01-01", "tidak boleh sebelum tanggal mulai"),
        ("seksi", "bukan_seksi", "Pilihan tidak valid"),
        ("pokja_id", "99999999999999999999", "Pilihan tidak valid"),
    ],
)
def test_bad_member_input_gets_a_message(app, login_as, field, value, message):
    client = login_as(make_user("staf"))
    response = client.post("/members/new", data=member_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_seksi_list_is_configurable(app, login_as):
    app.config["MEETINGS_SEKSI"] = {"kesehatan": "Kesehatan"}
    client = login_as(make_user("staf"))
    page = client.get("/members/new").get_data(as_text=True)
    assert ">Kesehatan</option>" in page and "Keagamaan" not in page
    ok = client.post("/members/new", data=member_form(seksi="kesehatan"))
    assert ok.status_code == 303


def test_deactivating_a_member_sets_an_end_date_and_keeps_history(app, login_as):
    meeting = make_meeting(date=dt.date(2024, 2, 1))
    member = make_member(name="Ibu Lama")
    make_mark(meeting, member, "hadir")
    client = login_as(make_user("staf"))
    response = client.post(
        f"/members/{member.id}/edit",
        data=member_form(name="Ibu Lama", is_active=""),
    )
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(Member, member.id)
        assert not saved.is_active and saved.active_until is not None
    moved = client.post(
        f"/members/{member.id}/edit",
        data=member_form(name="Ibu Lama", pokja_id=factories.pokja("Bendungan").id),
    )
    assert "tidak dapat diubah" in moved.get_data(as_text=True)
    history = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "Rapat Pokja bulanan" in history and "<b>100%</b>" in history
    assert (
        client.get(f"/meetings/{meeting.id}").get_data(as_text=True).count("Ibu Lama")
    )


def test_member_history_counts(app, login_as):
    member = make_member()
    for day, status in ((1, "hadir"), (2, "izin"), (3, None)):
        meeting = make_meeting(date=dt.date(2024, 3, day), title=f"Rapat {day} Maret")
        if status:
            make_mark(meeting, member, status)
    html = login_as(make_user("pokja")).get(f"/members/{member.id}")
    body = html.get_data(as_text=True)
    assert "<b>3</b><span>Rapat diundang</span>" in body
    assert "<b>1</b><span>Belum ditandai</span>" in body
    assert "<b>33,3%</b>" in body
    assert body.index("Rapat 3 Maret") < body.index("Rapat 1 Maret")


# --- member import ------------------------------------------------------------


def upload(client, content: bytes, filename: str = "anggota.csv", **extra):
    return client.post(
        "/members/import",
        data={"file": (io.BytesIO(content), filename), **extra},
        content_type="multipart/form-data",
    )


def members_named(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Member.name)))


def test_import_previews_then_saves_only_valid_rows_on_confirm(app, login_as):
    make_member("Ciwedus", name="Sudah Ada")
    client = login_as(make_user("pokja", pokja="Ciwedus"))
    content = (
        b"Nama,L/P,Jabatan,Unsur\n"
        b"Siti Aminah,P,Ketua,PKK\n"
        b"Sudah Ada,P,,\n"
        b",L,,\n"
        b"Ahmad,L,Anggota,Karang Taruna\n"
    )
    preview = upload(client, content)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<b>2</b> siap disimpan" in html and "Sudah terdaftar di Pokja ini." in html
    assert "Nama kosong." in html
    assert members_named(app) == ["Sudah Ada"]  # nothing saved yet
    token = TOKEN_VALUE.search(html)[1]

    other = factories.make_user("pokja", pokja="Ciwedus")
    factories.put_in_session(client, other)
    refused = client.post("/members/import/confirm", data={"form_token": token})
    assert refused.status_code == 303 and members_named(app) == ["Sudah Ada"]

    factories.put_in_session(client, factories.make_user("staf"))
    client.post("/members/import/confirm", data={"form_token": "../../etc/passwd"})
    assert members_named(app) == ["Sudah Ada"]


def test_a_large_import_preview_stays_light(app, login_as):
    client = login_as(make_user("pokja"))
    lines = ["Nama;L/P"] + [f"Anggota Nomor {i};P" for i in range(1500)]
    lines += [f"Salah {i};X" for i in range(10)]
    response = upload(client, "\n".join(lines).encode())
    html = response.get_data(as_text=True)
    assert "<b>1500</b> siap disimpan" in html and "1470 baris lain siap" in html
    assert html.count("L/P harus diisi") == 10
    assert len(gzip.compress(response.data)) <= 30 * 1024


def test_import_confirm_saves_and_audits(app, login_as):
    client = login_as(make_user("staf"))
    bendungan = factories.pokja("Bendungan").id
    content = b"Nama;L/P;Pokja\nSiti;P;Ciwedus\nNur;P;\nAsep;L;kelurahan Bendungan\n"
    html = upload(client, content, pokja_id=str(bendungan)).get_data(as_text=True)
    token = TOKEN_VALUE.search(html)[1]
    done = client.post("/members/import/confirm", data={"form_token": token})
    assert done.status_code == 303
    assert members_named(app) == ["Asep", "Nur", "Siti"]
    (row,) = audit_rows(app, "member.import")
    assert row.after["count"] == 3
    again = client.post("/members/import/confirm", data={"form_token": token})
    assert again.status_code == 303 and len(members_named(app)) == 3  # token used up


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n", "foto.png", "Jenis berkas tidak didukung"),
        (b"Nama,L/P\nA,P\n", "anggota.xls", "Excel lama"),
        (b"", "anggota.csv", "Berkas kosong"),
        (b"x" * (2 * 1024 * 1024 + 1), "besar.csv", "lebih dari 2 MB"),
    ],
)
def test_import_wrong_files_get_a_message_not_a_500(
    app, login_as, content, filename, message
):
    client = login_as(make_user("pokja"))
    response = upload(client, content, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_import_without_a_file_and_the_example_file(app, login_as):
    client = login_as(make_user("pokja"))
    response = client.post("/members/import", data={})
    assert "Pilih berkas CSV atau XLSX." in response.get_data(as_text=True)
    example = client.get("/members/import/template.csv")
    rows = importer.read_table("contoh.csv", example.data)
    assert rows[0]["name"] == "Siti Aminah"
