"""What an outside attack found (issue 12), each class proven at its mechanism.

Each test fails on the code before the fix. The fuzzers (tests/test_fuzz.py) try
the same kinds of input on every form and field.
"""

import io
import json
import logging
import struct
import zlib

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image, ImageFile
from sqlalchemy import select

from kkbweb import images, logfilter, nik, spreadsheets
from kkbweb.audit.log import record
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.kie import photos
from tests import factories

NIK = "3672014107900099"
GROUPED_NIKS = [
    "3672-0141-0790-0099",
    "3672 0141 0790 0099",
    "3672.0141.0790.0099",
    "367201 410790 0099",
]


def png_header(width: int, height: int, rgba: bool = True) -> bytes:
    """A PNG whose header claims the size, with a few bytes of pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6 if rgba else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


# --- 1. image decompression ---------------------------------------------------


def test_a_9400_px_png_is_refused_from_its_header_without_decoding(monkeypatch):
    """355 KiB on disk, 353 MB decoded: refused before a pixel is decoded."""

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(photos.PhotoError, match="maksimal 40 megapiksel"):
        photos.process(png_header(9400, 9400), "layar.png")


def test_the_pixel_limit_is_40_megapixels():
    just_over = png_header(6400, 6300)  # 40.3 MP
    with pytest.raises(photos.PhotoError, match="terlalu besar"):
        photos.process(just_over, "a.png")
    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS == 40_000_000


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    """JPEG draft mode: libjpeg decodes at 1/2..1/8 of the size."""
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 120, 200)).save(buffer, "JPEG")
    decoded_sizes = []
    original = ImageFile.ImageFile.load

    def spy(self):
        decoded_sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    result = photos.process(buffer.getvalue(), "IMG_1.jpg")
    assert (result.width, result.height) == (1280, 960)
    assert max(width for width, _ in decoded_sizes) <= 2000


@pytest.mark.parametrize(
    "error", [EOFError(), RuntimeError("Invalid input: libheif"), struct.error("x")]
)
def test_every_decoder_error_is_a_clear_refusal(monkeypatch, error):
    """A damaged HEIC makes libheif raise EOFError or RuntimeError: never a 500."""

    def broken(image):
        raise error

    monkeypatch.setattr(images, "_decode_small", broken)  # kkbweb/images.py
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "JPEG")
    with pytest.raises(photos.PhotoError, match="bukan foto yang dapat dibaca"):
        photos.process(buffer.getvalue(), "IMG_0001.HEIC")


def test_a_truncated_heic_is_refused():
    buffer = io.BytesIO()
    try:
        Image.new("RGB", (320, 240), (30, 120, 60)).save(buffer, "HEIF")
    except (OSError, KeyError, ValueError):
        pytest.skip("this libheif has no HEIC encoder to make a sample")
    damaged = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    with pytest.raises(photos.PhotoError):
        photos.process(damaged, "IMG_0002.HEIC")


def test_an_oversized_photo_on_the_kie_form_is_a_message(client, login_as):
    from tests.test_kie import entry_form

    login_as(factories.make_user("pokja"))
    data = entry_form(factories.kie_terms())
    data["photos"] = (io.BytesIO(png_header(9400, 9400)), "layar.png")
    response = client.post("/kie/baru", data=data, content_type="multipart/form-data")
    assert response.status_code < 500
    assert "maksimal 40 megapiksel" in response.get_data(as_text=True)


# --- 4. answers of 500: what a form reads from a request ----------------------


def test_a_text_field_sent_as_a_file_part_is_missing_not_a_500(client):
    response = client.post(
        "/auth/login",
        data={
            "username": (io.BytesIO(b"siti"), "username.txt"),
            "password": "rahasia-sekali",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Isi nama pengguna." in response.get_data(as_text=True)


def test_a_file_part_never_becomes_a_member_name(client, login_as):
    from kkbweb.members.models import Member

    login_as(factories.make_user("pokja"))
    client.post(
        "/members/new",
        data={"name": (io.BytesIO(b"x"), "nama.txt"), "sex": "P"},
        content_type="multipart/form-data",
    )
    with factories.context():
        names = db.session.scalars(select(Member.name)).all()
    assert not any("FileStorage" in name for name in names)


@pytest.mark.parametrize(
    "body",
    ["[1, 2, 3]", '"siti"', "null", '{"username": {"a": 1}, "password": [1, [2]]}'],
)
def test_a_json_body_that_is_not_a_flat_object_is_no_500(client, body):
    response = client.post("/auth/login", data=body, content_type="application/json")
    assert response.status_code == 200
    assert "Isi nama pengguna." in response.get_data(as_text=True)


def test_nested_json_to_a_kie_entry_is_no_500(client, login_as):
    login_as(factories.make_user("pokja"))
    response = client.post(
        "/kie/baru",
        data=json.dumps({"title": {"$ne": 1}, "topics": [[1]], "tanggal": [None]}),
        content_type="application/json",
    )
    assert response.status_code < 500


# --- 4. downloads and spreadsheets --------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "rekap-kebon—dalem-2024-05.xlsx",
        "rekap-x\".html; filename*=UTF-8''x.html.xlsx",
        "rekap-\x01\r\n-a.csv",
    ],
)
def test_a_download_name_cannot_break_its_header(name):
    header = spreadsheets.content_disposition(name)
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and '"' not in fallback
    assert header.count("filename*=") == 1
    assert "\r" not in header and "\n" not in header and "\x01" not in header
    assert fallback.endswith(name[-4:].strip("\r\n"))


def test_control_characters_never_break_a_workbook():
    book = Workbook()
    spreadsheets.write_table(book.active, ["Nama"], [["Pokja \x01 Baru\x1f"]], [20])
    book.create_sheet(spreadsheets.sheet_title("Kebon/Dalem [\x01]: *?"))
    buffer = io.BytesIO()
    book.save(buffer)
    reread = load_workbook(buffer)
    assert reread.active["A2"].value == "Pokja  Baru"
    assert reread.sheetnames[1] == "Kebon Dalem"


# --- 5. NIK where it must not be ----------------------------------------------


@pytest.mark.parametrize("written", [NIK, *GROUPED_NIKS])
def test_one_mask_finds_a_nik_however_it_is_written(written):
    assert nik.redact(f"catatan: {written}.") == "catatan: 3672********0099."


@pytest.mark.parametrize(
    "text",
    ["telepon 081234567890", "12345678901234567", "rapat 2024-05-27 10:30", "RT 03"],
)
def test_the_mask_leaves_other_numbers_alone(text):
    assert nik.redact(text) == text


@pytest.mark.parametrize("written", [NIK, GROUPED_NIKS[0]])
def test_the_audit_trail_masks_a_nik_typed_anywhere(app, written):
    with app.test_request_context():
        row = record(
            "login.failed",
            entity_type="user",
            after={"username": written, "tags": [written]},
            note=f"warga {written}",
        )
        db.session.commit()
        stored = db.session.get(AuditLog, row.id)
        text = json.dumps(stored.after) + (stored.note or "")
    assert "0141" not in text and "3672********0099" in text


def test_a_nik_typed_as_a_username_is_masked_on_the_audit_page(
    app, client, auth, login_as
):
    auth.login(NIK, "salah-sekali-kata-sandi")
    login_as(factories.make_user("admin"))
    page = client.get("/audit/?aksi=login.failed").get_data(as_text=True)
    assert NIK not in page and "3672********0099" in page


@pytest.mark.parametrize("written", GROUPED_NIKS)
def test_log_lines_lose_grouped_niks(caplog, written):
    logfilter.install()
    with caplog.at_level(logging.WARNING, logger="kkbweb"):
        logging.getLogger("kkbweb").warning("warga %s", written)
    assert "0141" not in caplog.text and "3672********0099" in caplog.text


def test_log_lines_lose_query_strings(caplog):
    logfilter.install()
    with caplog.at_level(logging.ERROR, logger="gunicorn.error"):
        logging.getLogger("gunicorn.error").error(
            "Error handling request %s", "/referrals/warga/?q=Siti+Aminah&nik=1"
        )
    assert "Siti" not in caplog.text and "/referrals/warga/?" in caplog.text


# --- 3. login throttling --------------------------------------------------------


def _count_password_checks(monkeypatch) -> list:
    """Record every scrypt check the login and password views make."""
    from kkbweb.auth import views

    checks = []
    real = views.check_password_hash

    def counting(stored, password):
        checks.append(password)
        return real(stored, password)

    monkeypatch.setattr(views, "check_password_hash", counting)
    return checks


def test_a_throttled_account_stays_throttled_through_a_json_body(client, auth):
    factories.make_user("staf", username="agus")
    for _ in range(5):
        auth.login("agus", "salah-sekali-123")
    assert auth.login("agus", factories.PASSWORD).status_code == 429
    as_json = client.post(
        "/auth/login",
        json={"username": "AGUS", "password": factories.PASSWORD},
        headers={"X-CSRFToken": "x"},
    )
    assert as_json.status_code == 429


def test_parallel_guesses_are_counted_before_they_are_checked(app, monkeypatch):
    """24 parallel wrong guesses: exactly 5 reach scrypt, 19 answer 429."""
    import threading

    factories.make_user("staf", username="agus")
    checks = _count_password_checks(monkeypatch)
    barrier = threading.Barrier(24)
    statuses = []

    def guess():
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/auth/login", data={"username": "agus", "password": "tebakan-salah-1"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == 5
    assert sorted(statuses) == [200] * 5 + [429] * 19
    with app.app_context():
        failed = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "login.failed")
        ).all()
    assert len(failed) == 5


def test_one_client_trying_many_names_is_slowed(client, auth, monkeypatch):
    """New names from one address: 30 checked failures, then 429 for every name,
    known or not, from that address; another address logs in as usual."""
    factories.make_user("staf", username="agus")
    checks = _count_password_checks(monkeypatch)
    for n in range(30):
        assert auth.login(f"tamu{n}", "salah-sekali-123").status_code == 200
    unknown = auth.login("tamu-baru", "salah-sekali-123")
    known = auth.login("agus", factories.PASSWORD)
    assert unknown.status_code == known.status_code == 429
    assert unknown.get_data(as_text=True).count("Terlalu banyak") == 1
    assert len(checks) == 30  # refused attempts cost no scrypt
    elsewhere = client.post(
        "/auth/login",
        data={"username": "agus", "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert elsewhere.status_code == 303


def test_a_global_budget_bounds_failures_from_many_clients(tmp_path, _postgres_schema):
    from tests.conftest import make_app

    app = make_app(tmp_path, LOGIN_FAILURE_LIMIT_ALL="3 per 15 minutes")
    factories.bind(app)
    client = app.test_client()

    def login(name, password, address):
        return client.post(
            "/auth/login",
            data={"username": name, "password": password},
            environ_base={"REMOTE_ADDR": address},
        ).status_code

    assert [login(f"x{n}", "salah-sekali-1", f"10.0.0.{n}") for n in range(3)] == [
        200,
        200,
        200,
    ]
    assert login("x9", "salah-sekali-1", "10.0.0.9") == 429


def test_successful_logins_spend_no_budget(client, auth):
    factories.make_user("staf", username="agus")
    for _ in range(8):
        assert auth.login("agus", factories.PASSWORD).status_code == 303
        auth.logout()
    for _ in range(5):
        auth.login("agus", "salah-sekali-123")
    assert auth.login("agus", factories.PASSWORD).status_code == 429


def test_guessing_the_current_password_is_throttled(client, login_as, monkeypatch):
    user = factories.make_user("staf", username="agus")
    login_as(user)
    checks = _count_password_checks(monkeypatch)
    wrong = {
        "current": "bukan-sandinya-1",
        "new": "sandi-baru-panjang",
        "confirm": "sandi-baru-panjang",
    }
    for _ in range(5):
        assert client.post("/auth/password", data=wrong).status_code == 200
    right = dict(wrong, current=factories.PASSWORD)
    throttled = client.post("/auth/password", data=right)
    assert throttled.status_code == 429
    assert "Terlalu banyak percobaan" in throttled.get_data(as_text=True)
    assert len(checks) == 5


# --- 4. control characters in admin-typed names ---------------------------------


def test_an_admin_form_refuses_control_characters_and_keeps_the_rest(app, login_as):
    from kkbweb.pokja.models import Kecamatan, Pokja

    client = login_as(factories.make_user("admin"))
    with app.app_context():
        kecamatan_id = db.session.scalars(select(Kecamatan.id)).first()
    response = client.post(
        "/pokja/new",
        data={
            "display_name": "Jombang\x01 Wetan",
            "official_name": "Jombang Wetan",
            "code": "36.72.05.1003",
            "kecamatan_id": str(kecamatan_id),
            "is_active": "y",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Isian memuat karakter yang tidak diizinkan." in body
    assert 'value="36.72.05.1003"' in body
    with app.app_context():
        assert not db.session.scalars(
            select(Pokja).where(Pokja.code == "36.72.05.1003")
        ).all()


def test_a_user_full_name_with_a_control_character_is_refused(app, login_as):
    client = login_as(factories.make_user("admin"))
    response = client.post(
        "/auth/users/new",
        data={
            "username": "operator.baru",
            "full_name": "Operator\x1f Baru",
            "role": "staf",
            "password": "sandi-awal-panjang",
            "active": "y",
        },
    )
    assert response.status_code == 200
    assert "Isian memuat karakter yang tidak diizinkan." in response.get_data(
        as_text=True
    )


def test_a_control_character_already_stored_cannot_break_an_export(app, login_as):
    """Names stored before input was checked reach the XLSX through one helper."""
    from kkbweb.pokja.models import Pokja

    with app.app_context():
        pokja = db.session.scalars(
            select(Pokja).where(Pokja.display_name == "Ciwedus")
        ).one()
        pokja.display_name = 'Ciwedus\x01 — "Barat"'
        db.session.commit()
        pokja_id = pokja.id
    client = login_as(factories.make_user("staf"))
    for url in (
        f"/reports/pokja/{pokja_id}/ekspor.xlsx?bulan=2024-05",
        "/reports/ekspor.xlsx?bulan=2024-05",
        f"/reports/pokja/{pokja_id}/ekspor.csv?bulan=2024-05",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        disposition = response.headers["Content-Disposition"]
        assert disposition.count("filename*=") == 1 and "\x01" not in disposition
        if url.endswith("xlsx"):
            load_workbook(io.BytesIO(response.data))
