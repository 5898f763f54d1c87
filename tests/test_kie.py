"""KIE and advokasi logs: entry on a phone, photos, lists, exports, campaigns, terms."""

import csv
import gzip
import io
import os
import re
import struct
import threading
import zlib
from datetime import date, timedelta
from functools import cache

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from kkbweb import roles
from kkbweb.audit.models import AuditLog
from kkbweb.demo import kie as demo
from kkbweb.extensions import db
from kkbweb.kie import photos, rules
from kkbweb.kie.models import (
    KieActivity,
    KieCampaign,
    KiePhoto,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.timeutil import today_wib, utcnow
from tests import factories
from tests.querycount import count_queries

# -- helpers ---------------------------------------------------------------------


@pytest.fixture
def terms(app):
    return factories.kie_terms()


@cache
def phone_jpeg() -> bytes:
    """A ~3 MB 4000x3000 camera JPEG, shot sideways (EXIF orientation 6), with EXIF."""
    coarse = Image.effect_noise((1000, 750), 60).resize((4000, 3000))
    fine = Image.effect_noise((4000, 3000), 20)
    image = Image.merge("RGB", (Image.blend(coarse, fine, 0.5), coarse, fine))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees to display
    exif[0x010F] = "PonselUji"  # maker: must not survive
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif.tobytes())
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A PNG header claiming 30000 x 30000 pixels (900 MP) with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


def entry_form(terms, **overrides) -> dict:
    """A valid entry: 2 topics, 3 audiences, counts."""
    data = {
        "form_token": "a" * 32,
        "activity_date": today_wib().isoformat(),
        "activity_type": "kie",
        "method_id": str(terms[("method", "tatap_muka")]),
        "title": "Sosialisasi pencegahan stunting di Posyandu Mawar RW 03",
        "place": "Posyandu Mawar RW 03",
        "topic_ids": [
            str(terms[("topic", "stunting")]),
            str(terms[("topic", "gizi_asi")]),
        ],
        "audience_ids": [
            str(terms[("audience", "ibu_hamil")]),
            str(terms[("audience", "keluarga_balita")]),
            str(terms[("audience", "pus")]),
        ],
        "participants_male": "4",
        "participants_female": "31",
        "kategori_id": str(terms[("kategori", "sosialisasi_pendidikan")]),
        "campaign_id": "0",  # what a browser sends for "no campaign"
        "speaker": "Bidan Siti Rohmah",
        "mitra": "Puskesmas Cilegon, TP PKK Kelurahan",
        "notes": "Dibagikan leaflet dan dilakukan penimbangan.",
    }
    data.update(overrides)
    return data


def token(n: int) -> str:
    return f"{n:032x}"


def count(app, model=KieActivity, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_rows(app, action: str) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()
        db.session.expunge_all()
        return rows


def export(client, fmt: str, **filters):
    return client.post("/kie/ekspor", data={"format": fmt, **filters})


def xlsx_rows(body: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(body)).active
    return list(sheet.iter_rows(values_only=True))


def page_text(response) -> str:
    return response.get_data(as_text=True)


# -- the acceptance walk-through -------------------------------------------------


def test_pokja_user_logs_activity_with_photo_then_lists_filters_and_exports(
    app, client, login_as, terms
):
    """Acceptance: phone entry with 2 topics, 3 audiences, counts and a 3 MB photo."""
    user = factories.make_user("pokja", pokja="Ciwedus")
    login_as(user)
    form_page = client.get("/kie/baru")
    assert form_page.status_code == 200
    html = page_text(form_page)
    assert "Ciwedus" in html and f'value="{today_wib().isoformat()}"' in html
    assert re.search(r'name="form_token" type="hidden" value="[0-9a-f]{32}"', html)
    assert 'name="pokja_id"' not in html  # own Pokja, not a choice

    raw = phone_jpeg()
    assert len(raw) > 2_500_000
    data = entry_form(terms, photos=[(io.BytesIO(raw), "IMG_20240601.jpg")])
    response = client.post("/kie/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    detail_url = response.headers["Location"]

    with app.app_context():
        activity = db.session.scalars(select(KieActivity)).one()
        assert activity.pokja_id == factories.pokja("Ciwedus").id
        assert (activity.participants_male, activity.participants_female) == (4, 31)
        links = db.session.scalar(
            select(func.count()).where(kie_activity_term.c.activity_id == activity.id)
        )
        assert links == 5
        photo = db.session.scalars(select(KiePhoto)).one()
        photo_id, filename = photo.id, photo.filename
    stored = f"{app.config['UPLOAD_FOLDER']}/kie/{filename}"
    with open(stored, "rb") as handle:
        processed = handle.read()
    assert len(processed) <= photos.TARGET_BYTES
    with Image.open(io.BytesIO(processed)) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 1280
        assert image.height > image.width  # EXIF orientation applied
        assert not image.getexif() and "exif" not in image.info

    detail = client.get(detail_url)
    assert "Sosialisasi pencegahan stunting" in page_text(detail)
    assert f"/kie/foto/{photo_id}" in page_text(detail)
    served = client.get(f"/kie/foto/{photo_id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    assert "private" in served.headers["Cache-Control"]

    stunting, kb = terms[("topic", "stunting")], terms[("topic", "kb")]
    assert "Posyandu Mawar" in page_text(client.get(f"/kie/?topik={stunting}"))
    assert "Posyandu Mawar" not in page_text(client.get(f"/kie/?topik={kb}"))

    download = export(client, "xlsx", topik=str(stunting))
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    header, row = xlsx_rows(download.data)
    values = dict(zip(header, row, strict=True))
    assert values["Judul"].startswith("Sosialisasi pencegahan stunting")
    assert values["Peserta laki-laki"] == 4 and values["Peserta perempuan"] == 31
    assert values["Jumlah peserta"] == 35
    assert values["Tanggal"].date() == today_wib()
    assert values["Topik"] == "Stunting, Gizi/ASI"

    created = audit_rows(app, "kie.create")
    assert len(created) == 1 and created[0].after["photos"] == 1
    assert created[0].after["topics"] == ["Gizi/ASI", "Stunting"]
    exported = audit_rows(app, "kie.export")
    assert exported[0].after["rows"] == 1
    assert exported[0].after["filters"] == {"dari": "", "topik": str(stunting)}


def test_staff_filters_city_list_to_a_month_and_topic_and_totals_match(
    app, client, login_as, terms
):
    """Acceptance: the totals are those of the filtered rows, across Pokja."""
    month = date(2024, 6, 1)
    wanted = [
        factories.make_kie_activity(
            "Ciwedus", activity_date=date(2024, 6, 3), male=2, female=10, reach=50
        ),
        factories.make_kie_activity(
            "Bendungan", activity_date=date(2024, 6, 28), male=5, female=7
        ),
    ]
    factories.make_kie_activity("Ciwedus", activity_date=date(2024, 7, 1), male=99)
    factories.make_kie_activity(
        "Bendungan", activity_date=date(2024, 6, 10), topics=("kb",), male=77
    )
    login_as(factories.make_user("staf"))
    stunting = terms[("topic", "stunting")]
    url = f"/kie/?dari={month}&sampai=2024-06-30&topik={stunting}"
    html = page_text(client.get(url))
    stats = re.findall(r'<div class="stat"><b>([\d.]+)</b>', html)
    assert stats == ["2", "7", "17", "50"]
    for activity in wanted:
        assert f'/kie/{activity.id}"' in html
    assert html.count("<tr>\n      <td>") == 2
    assert "Ciwedus" in html and "Bendungan" in html


# -- bad input ---------------------------------------------------------------------


BAD_INPUT = [
    ({"participants_male": "-5"}, "Isi angka 0 sampai 10.000.", "-5"),
    ({"participants_female": "999999999999999999999"}, "Isi angka 0", "99999999999"),
    ({"participants_male": "1e5"}, "Harus berupa bilangan bulat.", "1e5"),
    ({"activity_date": "2099-01-01"}, "tidak boleh di masa depan", "2099-01-01"),
    ({"activity_date": "2014-12-31"}, "mulai 1 Januari 2015", "2014-12-31"),
    ({"activity_date": "31-12-2024"}, "Tanggal tidak valid", "31-12-2024"),
    (
        {"notes": "catatan panjang " * 625},
        "Maksimal 2.000 karakter.",
        "catatan panjang",
    ),
    (
        {"title": "Judul\x07berbahaya"},  # NUL is already stripped at the door
        "karakter yang tidak diizinkan",
        "Posyandu Mawar",
    ),
    ({"title": "x" * 151}, "Maksimal 150 karakter.", "xxxxxxxx"),
    ({"title": ""}, "Isi judul kegiatan.", "Posyandu Mawar RW 03"),
    ({"topic_ids": ["999999"]}, "Pilihan tidak valid", "Posyandu Mawar"),
    ({"topic_ids": ["99999999999999999999"]}, "Pilihan tidak valid", "Posyandu Mawar"),
    ({"topic_ids": []}, "Pilih minimal satu topik.", "Posyandu Mawar"),
    ({"method_id": "abc"}, "Pilih metode.", "Posyandu Mawar"),
    ({"method_id": "0"}, "Pilih metode.", "Posyandu Mawar"),
    ({"activity_type": "rapat"}, "Pilihan tidak valid.", "Posyandu Mawar"),
    (
        {"participants_male": "0", "participants_female": ""},
        "Isi jumlah peserta atau perkiraan jangkauan.",
        "Posyandu Mawar",
    ),
    ({"form_token": "../../etc"}, "Formulir kedaluwarsa", "Posyandu Mawar"),
]


@pytest.mark.parametrize(("change", "message", "kept"), BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    app, client, login_as, terms, change, message, kept
):
    login_as(factories.make_user("pokja"))
    response = client.post("/kie/baru", data=entry_form(terms, **change))
    assert response.status_code == 200
    html = page_text(response)
    assert message in html
    assert kept in html
    assert 'value="Bidan Siti Rohmah"' in html  # other fields kept too
    assert count(app) == 0


def test_htmx_form_errors_come_back_with_200_so_htmx_swaps_them(
    client, login_as, terms
):
    login_as(factories.make_user("pokja"))
    response = client.post(
        "/kie/baru",
        data=entry_form(terms, participants_male="-1"),
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 200
    assert "Isi angka 0 sampai 10.000." in page_text(response)


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("surat.jpg", b"%PDF-1.4\n" + b"0" * 4000, "bukan foto yang dapat dibaca"),
        ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x01" * 500, "bukan foto"),
        ("rusak.jpg", None, "bukan foto yang dapat dibaca"),
        ("bom.png", bomb_png(), "terlalu besar: maksimal 40 megapiksel"),
        ("kosong.jpg", b"", "kosong"),
    ],
)
def test_non_image_upload_is_refused_and_values_kept(
    app, client, login_as, terms, name, payload, message
):
    if payload is None:
        payload = phone_jpeg()[:20_000]  # a truncated camera file
    login_as(factories.make_user("pokja"))
    data = entry_form(terms, photos=[(io.BytesIO(payload), name)])
    response = client.post("/kie/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    html = page_text(response)
    assert message in html and name in html
    assert 'value="Posyandu Mawar RW 03"' in html
    assert count(app) == 0 and count(app, KiePhoto) == 0


def test_more_than_three_photos_are_refused(app, client, login_as, terms):
    login_as(factories.make_user("pokja"))
    files = [(io.BytesIO(factories.kie_jpeg()), f"foto{n}.jpg") for n in range(4)]
    data = entry_form(terms, photos=files)
    response = client.post("/kie/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Maksimal 3 foto per kegiatan." in page_text(response)
    assert count(app) == 0


def test_an_upload_over_the_size_limit_gets_the_413_page(client, login_as, terms):
    login_as(factories.make_user("pokja"))
    huge = io.BytesIO(b"\xff\xd8" + b"\0" * (17 * 1024 * 1024))
    data = entry_form(terms, photos=[(huge, "besar.jpg")])
    response = client.post("/kie/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Berkas terlalu besar" in page_text(response)


def test_silly_ids_and_filters_never_reach_the_database(client, login_as):
    login_as(factories.make_user("admin"))
    assert client.get("/kie/99999999999999999999").status_code == 404
    assert client.get("/kie/2147483648/ubah").status_code == 404
    assert client.get("/kie/foto/0").status_code == 404
    response = client.get(
        "/kie/?pokja=99999999999999999999&topik=-1&metode=%00&dari=2024-13-45"
        "&kampanye=abc&jenis=<script>&hal=-4"
    )
    assert response.status_code == 200
    assert "<script>" not in page_text(response)


# -- one entry, however often it is sent -------------------------------------------


def test_a_resent_form_makes_one_entry_and_lands_on_it(app, client, login_as, terms):
    login_as(factories.make_user("pokja"))
    data = entry_form(terms, form_token=token(7))
    first = client.post("/kie/baru", data=data)
    second = client.post("/kie/baru", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app) == 1
    assert len(audit_rows(app, "kie.create")) == 1
    landing = client.get(second.headers["Location"])
    assert "sudah tersimpan sebelumnya" in page_text(landing)


def test_ten_concurrent_identical_submissions_make_exactly_one_row(
    app, login_as, terms
):
    user = factories.make_user("pokja")
    data = entry_form(terms, form_token=token(10))
    statuses, errors = [], []

    def submit():
        try:
            client = app.test_client()
            factories.put_in_session(client, user)
            statuses.append(client.post("/kie/baru", data=data).status_code)
        except Exception as error:  # collected: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [303] * 10
    assert count(app) == 1
    assert len(audit_rows(app, "kie.create")) == 1


def test_the_form_token_survives_a_refused_submission(client, login_as, terms):
    login_as(factories.make_user("pokja"))
    response = client.post(
        "/kie/baru", data=entry_form(terms, form_token=token(3), title="")
    )
    assert f'value="{token(3)}"' in page_text(response)


# -- defaults and Pokja of an entry ------------------------------------------------


def test_pokja_user_cannot_log_for_another_pokja(app, client, login_as, terms):
    login_as(factories.make_user("pokja", pokja="Ciwedus"))
    bendungan = factories.pokja("Bendungan").id
    client.post("/kie/baru", data=entry_form(terms, pokja_id=str(bendungan)))
    with app.app_context():
        saved = db.session.scalars(select(KieActivity.pokja_id)).one()
    assert saved == factories.pokja("Ciwedus").id


def test_staff_choose_the_pokja_and_must_choose_one(app, client, login_as, terms):
    login_as(factories.make_user("staf"))
    refused = client.post("/kie/baru", data=entry_form(terms))
    assert refused.status_code == 200 and "Pilih Pokja." in page_text(refused)
    bendungan = factories.pokja("Bendungan").id
    saved = client.post("/kie/baru", data=entry_form(terms, pokja_id=str(bendungan)))
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(KieActivity.pokja_id)).one() == bendungan


def test_the_form_defaults_to_the_users_last_method(client, login_as, terms):
    user = factories.make_user("pokja")
    radio = terms[("method", "radio")]
    factories.make_kie_activity(method="radio", created_by=user)
    login_as(user)
    html = page_text(client.get("/kie/baru"))
    assert f'<option selected value="{radio}">' in html


# -- Pokja isolation ---------------------------------------------------------------


def test_a_pokja_never_sees_another_pokjas_entries(app, client, login_as, terms):
    canary = factories.make_kie_activity(
        "Ciwedus", title="KANARI-CIWEDUS rahasia", photo=True
    )
    mine = factories.make_kie_activity("Bendungan", title="Kegiatan Bendungan")
    with app.app_context():
        photo_id = db.session.scalar(
            select(KiePhoto.id).where(KiePhoto.activity_id == canary.id)
        )
    login_as(factories.make_user("pokja", pokja="Bendungan"))
    bendungan_id = factories.pokja("Bendungan").id
    ciwedus_id = factories.pokja("Ciwedus").id
    pages = [
        client.get("/kie/"),
        client.get(f"/kie/?pokja={ciwedus_id}"),
        client.get("/kie/", headers={"HX-Request": "true"}),
        export(client, "csv"),
        export(client, "portal_csv", pokja=str(ciwedus_id)),
        client.get("/kie/kampanye"),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "KANARI" not in page_text(response)
    assert "Kegiatan Bendungan" in page_text(pages[0])
    assert "Kegiatan Bendungan" in page_text(pages[3])
    for url in (
        f"/kie/{canary.id}",
        f"/kie/{canary.id}/ubah",
        f"/kie/{canary.id}/foto",
        f"/kie/{canary.id}/hapus",
        f"/kie/foto/{photo_id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/kie/{canary.id}/hapus", data={"confirm": "ya"}).status_code
    assert count(app, KieActivity, KieActivity.id == canary.id) == 1
    assert mine.pokja_id == bendungan_id


# -- edits, deletes and who may make them -------------------------------------------


def test_pokja_users_edit_their_entries_for_30_days_staff_always(
    app, client, login_as, terms
):
    fresh = factories.make_kie_activity(created_at=utcnow() - timedelta(days=29))
    old = factories.make_kie_activity(created_at=utcnow() - timedelta(days=31))
    login_as(factories.make_user("pokja", pokja="Ciwedus"))
    assert client.get(f"/kie/{fresh.id}/ubah").status_code == 200
    assert client.get(f"/kie/{old.id}/ubah").status_code == 403
    assert client.post(f"/kie/{old.id}/ubah", data=entry_form(terms)).status_code == 403
    assert "Ubah</a>" not in page_text(client.get(f"/kie/{old.id}"))

    data = entry_form(
        terms, participants_male="12", topic_ids=[str(terms[("topic", "kb")])]
    )
    assert client.post(f"/kie/{fresh.id}/ubah", data=data).status_code == 303
    update = audit_rows(app, "kie.update")[-1]
    assert update.before["topics"] == ["Stunting"]
    assert update.after["topics"] == ["KB/kontrasepsi"]
    assert (update.before["participants_male"], update.after["participants_male"]) == (
        3,
        12,
    )

    login_as(factories.make_user("staf"))
    assert client.post(f"/kie/{old.id}/ubah", data=entry_form(terms)).status_code == 303


def test_an_unchanged_edit_writes_nothing(app, client, login_as):
    entry = factories.make_kie_activity()
    login_as(factories.make_user("staf"))
    html = page_text(client.get(f"/kie/{entry.id}/ubah"))
    assert "Ciwedus" in html and 'name="pokja_id"' not in html
    assert client.post(f"/kie/{entry.id}/ubah").status_code == 303
    assert audit_rows(app, "kie.update") == []


def test_pimpinan_and_city_organiser_only_read(client, login_as):
    entry = factories.make_kie_activity()
    for role in (roles.PIMPINAN, roles.PENYELENGGARA):
        login_as(factories.make_user(role))
        assert client.get("/kie/").status_code == 200
        assert "Catat kegiatan" not in page_text(client.get("/kie/"))
        assert client.get("/kie/baru").status_code == 403
        assert client.get(f"/kie/{entry.id}/ubah").status_code == 403
        assert export(client, "xlsx").status_code == 200


def test_scoped_organiser_writes_for_own_pokja(app, client, login_as, terms):
    login_as(factories.make_user("penyelenggara", pokja="Ciwedus"))
    assert client.post("/kie/baru", data=entry_form(terms)).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(KieActivity.pokja_id)) == (
            factories.pokja("Ciwedus").id
        )


def test_delete_asks_first_then_removes_entry_photos_and_audits(app, client, login_as):
    entry = factories.make_kie_activity(title="Kegiatan yang dihapus", photo=True)
    with app.app_context():
        filename = db.session.scalar(select(KiePhoto.filename))
    path = f"{app.config['UPLOAD_FOLDER']}/kie/{filename}"
    login_as(factories.make_user("pokja"))
    confirm = client.get(f"/kie/{entry.id}/hapus")
    assert "Ya, hapus" in page_text(confirm)
    assert client.post(f"/kie/{entry.id}/hapus").status_code == 200
    assert count(app) == 1
    response = client.post(f"/kie/{entry.id}/hapus", data={"confirm": "ya"})
    assert response.status_code == 303
    assert count(app) == 0 and count(app, KiePhoto) == 0
    assert count(app, KieTerm) > 0  # the vocabulary stays
    assert not os.path.exists(path)
    deleted = audit_rows(app, "kie.delete")
    assert deleted[0].before["title"] == "Kegiatan yang dihapus"
    assert deleted[0].before["photos"] == 1


def test_photos_can_be_added_and_removed_up_to_three(app, client, login_as):
    entry = factories.make_kie_activity(photo=True)
    login_as(factories.make_user("pokja"))
    url = f"/kie/{entry.id}/foto"
    too_many = [(io.BytesIO(factories.kie_jpeg()), f"f{n}.jpg") for n in range(3)]
    refused = client.post(
        url, data={"photos": too_many}, content_type="multipart/form-data"
    )
    assert refused.status_code == 200 and "Maksimal 3 foto" in page_text(refused)
    two = [(io.BytesIO(factories.kie_jpeg()), f"f{n}.png") for n in range(2)]
    added = client.post(url, data={"photos": two}, content_type="multipart/form-data")
    assert added.status_code == 303
    assert count(app, KiePhoto) == 3
    with app.app_context():
        first = db.session.scalar(select(KiePhoto.id).order_by(KiePhoto.id))
    removed = client.post(url, data={"remove_ids": [str(first)]})
    assert removed.status_code == 303
    assert count(app, KiePhoto) == 2
    assert [row.after["photos"] for row in audit_rows(app, "kie.photos")] == [3, 2]


# -- list pages: queries, size, htmx -----------------------------------------------


def _make_many(n: int) -> None:
    for i in range(n):
        factories.make_kie_activity(
            "Ciwedus" if i % 2 else "Bendungan",
            title=f"Sosialisasi pencegahan stunting di Posyandu Mawar RW {i:02d}",
            topics=("stunting", "gizi_asi", "hpk_1000"),
            audiences=("ibu_hamil", "keluarga_balita"),
            media=("leaflet",),
            activity_date=today_wib() - timedelta(days=i),
            reach=100 if i % 3 == 0 else None,
        )


@pytest.mark.parametrize("role", ["staf", "pokja"])
def test_list_queries_are_the_same_for_1_and_50_rows_and_the_page_is_small(
    app, client, login_as, role
):
    login_as(factories.make_user(role, pokja="Ciwedus" if role == "pokja" else None))
    counts, fragments = [], []
    for rows in (1, 50):
        with app.app_context():
            db.session.execute(kie_activity_term.delete())
            db.session.execute(KieActivity.__table__.delete())
            db.session.commit()
        _make_many(rows if role == "staf" else rows * 2)
        with count_queries(app) as full:
            page = client.get("/kie/")
        with count_queries(app) as fragment:
            client.get("/kie/?jenis=kie", headers={"HX-Request": "true"})
        counts.append(full.count)
        fragments.append(fragment.count)
    assert counts[0] == counts[1] <= 8
    assert fragments[0] == fragments[1] <= 4
    assert page_text(page).count("/kie/foto") == 0
    assert page_text(page).count('<td class="num">') >= 150
    assert len(gzip.compress(page.data)) <= 30 * 1024


def test_the_filter_form_is_a_plain_get_that_htmx_enhances(client, login_as):
    factories.make_kie_activity(title="Kegiatan fragmen")
    login_as(factories.make_user("staf"))
    full = client.get("/kie/?jenis=kie")
    html = page_text(full)
    assert '<form method="get" action="/kie/"' in html
    assert 'hx-target="#kie-results"' in html and 'hx-push-url="true"' in html
    fragment = client.get("/kie/?jenis=kie", headers={"HX-Request": "true"})
    assert page_text(fragment).lstrip().startswith('<div id="kie-results">')
    assert "<html" not in page_text(fragment)
    assert "Kegiatan fragmen" in page_text(fragment)
    boosted = client.get("/kie/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in page_text(boosted)
    for response in (full, fragment):
        assert "HX-Request" in response.headers["Vary"]
    assert len(gzip.compress(fragment.data)) <= 10 * 1024


def test_the_list_is_newest_first_and_paginated(client, login_as):
    for days in (3, 1, 2):
        factories.make_kie_activity(
            title=f"Kegiatan {days} hari lalu",
            activity_date=today_wib() - timedelta(days=days),
        )
    login_as(factories.make_user("staf"))
    html = page_text(client.get("/kie/"))
    positions = [html.index(f"Kegiatan {d} hari lalu") for d in (1, 2, 3)]
    assert positions == sorted(positions)


def test_a_bare_list_shows_twelve_months_and_clearing_dari_shows_all(client, login_as):
    factories.make_kie_activity(
        title="Kegiatan tahun lalu sekali",
        activity_date=today_wib() - timedelta(days=400),
    )
    factories.make_kie_activity(title="Kegiatan bulan ini")
    login_as(factories.make_user("staf"))
    bare = page_text(client.get("/kie/"))
    assert "Kegiatan bulan ini" in bare and "tahun lalu sekali" not in bare
    assert (
        f'name="dari" type="date" value="{today_wib() - timedelta(days=365)}"' in bare
    )
    everything = page_text(client.get("/kie/?dari="))
    assert "tahun lalu sekali" in everything
    assert re.search(r'<div class="stat"><b>2</b><span>kegiatan', everything)
    # The export of an all-time list is all-time too.
    rows = xlsx_rows(export(client, "xlsx", dari="").data)
    assert len(rows) == 3


def test_post_query_budgets(app, client, login_as, terms):
    user = factories.make_user("staf")
    login_as(user)
    bendungan = str(factories.pokja("Bendungan").id)
    campaign = factories.make_kie_campaign(pokja_names=("Bendungan",))
    data = entry_form(
        terms,
        pokja_id=bendungan,
        campaign_id=str(campaign.id),
        media_ids=[str(terms[("media", "leaflet")])],
        photos=[(io.BytesIO(factories.kie_jpeg()), "a.jpg")],
    )
    with count_queries(app) as create:
        response = client.post(
            "/kie/baru", data=data, content_type="multipart/form-data"
        )
    assert response.status_code == 303
    entry_id = int(response.headers["Location"].rsplit("/", 1)[1])
    changed = entry_form(terms, participants_female="40", title="Judul baru")
    with count_queries(app) as edit:
        assert client.post(f"/kie/{entry_id}/ubah", data=changed).status_code == 303
    with count_queries(app) as exporting:
        assert export(client, "portal_xlsx").status_code == 200
    with count_queries(app) as deleting:
        response = client.post(f"/kie/{entry_id}/hapus", data={"confirm": "ya"})
        assert response.status_code == 303
    assert create.count <= 6, create.statements
    assert edit.count <= 6, "\n".join(edit.statements)
    assert exporting.count <= 6
    assert deleting.count <= 6


def test_detail_and_form_pages_stay_within_budget(app, client, login_as):
    entry = factories.make_kie_activity(photo=True, media=("leaflet", "poster"))
    login_as(factories.make_user("pokja"))
    for url in (
        f"/kie/{entry.id}",
        "/kie/baru",
        f"/kie/{entry.id}/ubah",
        "/kie/kampanye",
    ):
        with count_queries(app) as q:
            response = client.get(url)
        assert response.status_code == 200
        assert q.count <= 8, (url, q.statements)
        assert len(gzip.compress(response.data)) <= 30 * 1024


# -- exports -------------------------------------------------------------------------


def test_exports_have_indonesian_headers_and_the_portal_shape(client, login_as):
    factories.make_kie_activity(
        title='=HYPERLINK("http://contoh")',
        audiences=("pus", "remaja"),
        kategori="reproduksi",
        reach=1500,
    )
    login_as(factories.make_user("staf"))
    portal = export(client, "portal_csv")
    assert portal.mimetype == "text/csv"
    text = portal.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "Judul",
        "Tanggal",
        "Tempat",
        "Deskripsi",
        "Kategori",
        "Sasaran",
        "Mitra",
        "Kampung KB",
    ]
    judul, tanggal, tempat, deskripsi, kategori, sasaran, mitra, kampung = rows[1]
    assert judul.startswith("'=")  # never run as a formula
    assert tanggal == today_wib().isoformat()
    assert kategori == "Reproduksi" and sasaran == "PUS, Remaja"
    assert "perkiraan jangkauan: 1500" in deskripsi and kampung == "Ciwedus"

    header, row = xlsx_rows(export(client, "portal_xlsx").data)
    assert header[:7] == ("Judul", "Tanggal", "Tempat", "Deskripsi", "Kategori",
                          "Sasaran", "Mitra")  # fmt: skip
    assert row[0] == '=HYPERLINK("http://contoh")'  # text, not a formula
    full = xlsx_rows(export(client, "xlsx").data)
    values = dict(zip(full[0], full[1], strict=True))
    assert values["Perkiraan jangkauan"] == 1500
    assert isinstance(values["Peserta perempuan"], int)
    csv_rows = list(csv.reader(io.StringIO(export(client, "csv").data.decode()[1:])))
    assert "Peserta laki-laki" in csv_rows[0]
    assert export(client, "pdf").status_code == 400


def test_an_export_too_big_for_one_file_asks_to_narrow_the_filter(
    app, client, login_as
):
    app.config["KIE_EXPORT_MAX_ROWS"] = 2
    for _ in range(3):
        factories.make_kie_activity()
    login_as(factories.make_user("staf"))
    response = export(client, "xlsx")
    assert response.status_code == 303
    assert "Persempit saringan" in page_text(client.get(response.headers["Location"]))
    assert audit_rows(app, "kie.export") == []


def test_csrf_protects_the_entry_form(tmp_path, _postgres_schema):
    from tests.conftest import make_app

    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    factories.bind(app)
    client = app.test_client()
    factories.put_in_session(client, factories.make_user("pokja"))
    response = client.post("/kie/baru", data=entry_form(factories.kie_terms()))
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in page_text(response)
    assert count(app) == 0
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# -- campaigns -------------------------------------------------------------------------


def test_campaigns_cover_their_pokja_and_period(app, client, login_as, terms):
    login_as(factories.make_user("staf"))
    ciwedus, bendungan = factories.pokja("Ciwedus").id, factories.pokja("Bendungan").id
    start = today_wib() - timedelta(days=20)
    response = client.post(
        "/kie/kampanye/baru",
        data={
            "name": "Cegah Stunting Juni 2024",
            "theme": "Sosialisasi 1000 HPK",
            "start_date": start.isoformat(),
            "end_date": today_wib().isoformat(),
            "pokja_ids": [str(ciwedus)],
        },
    )
    assert response.status_code == 303
    with app.app_context():
        campaign_id = db.session.scalar(select(KieCampaign.id))

    outside = entry_form(
        terms,
        pokja_id=str(bendungan),
        campaign_id=str(campaign_id),
    )
    refused = client.post("/kie/baru", data=outside)
    assert "tidak mencakup Pokja Bendungan" in page_text(refused)
    too_early = entry_form(
        terms,
        pokja_id=str(ciwedus),
        campaign_id=str(campaign_id),
        activity_date=(start - timedelta(days=1)).isoformat(),
    )
    assert "di luar periode kampanye" in page_text(
        client.post("/kie/baru", data=too_early)
    )
    inside = entry_form(terms, pokja_id=str(ciwedus), campaign_id=str(campaign_id))
    assert client.post("/kie/baru", data=inside).status_code == 303
    listed = page_text(client.get(f"/kie/?kampanye={campaign_id}"))
    assert "Posyandu Mawar" in listed
    campaigns_page = page_text(client.get("/kie/kampanye"))
    assert "Cegah Stunting Juni 2024" in campaigns_page

    # Ciwedus has an entry in the campaign: it cannot be taken out of it.
    edit_url = f"/kie/kampanye/{campaign_id}/ubah"
    moved = client.post(
        edit_url,
        data={
            "name": "Cegah Stunting Juni 2024",
            "start_date": start.isoformat(),
            "end_date": today_wib().isoformat(),
            "pokja_ids": [str(bendungan)],
        },
    )
    assert moved.status_code == 200
    assert "tidak dapat dilepas" in page_text(moved)
    widened = client.post(
        edit_url,
        data={
            "name": "Cegah Stunting Juni 2024",
            "start_date": start.isoformat(),
            "end_date": today_wib().isoformat(),
            "pokja_ids": [str(ciwedus), str(bendungan)],
        },
    )
    assert widened.status_code == 303
    update = audit_rows(app, "kie.campaign_update")[0]
    assert update.after["pokja_ids"] == sorted([ciwedus, bendungan])


def test_pokja_users_run_campaigns_of_their_own_pokja_only(app, client, login_as):
    shared = factories.make_kie_campaign("Kampanye bersama", ("Ciwedus", "Bendungan"))
    login_as(factories.make_user("pokja", pokja="Ciwedus"))
    response = client.post(
        "/kie/kampanye/baru",
        data={
            "name": "Kampanye Ciwedus",
            "start_date": today_wib().isoformat(),
            "end_date": today_wib().isoformat(),
            "pokja_ids": [str(factories.pokja("Bendungan").id)],
        },
    )
    assert response.status_code == 303
    with app.app_context():
        members = db.session.scalars(
            select(kie_campaign_pokja.c.pokja_id)
            .join(KieCampaign, KieCampaign.id == kie_campaign_pokja.c.campaign_id)
            .where(KieCampaign.name == "Kampanye Ciwedus")
        ).all()
    assert members == [factories.pokja("Ciwedus").id]  # Bendungan was ignored
    assert client.get(f"/kie/kampanye/{shared.id}/ubah").status_code == 403
    bad = client.post(
        "/kie/kampanye/baru",
        data={"name": "Terbalik", "start_date": "2024-06-30", "end_date": "2024-06-01"},
    )
    assert "tidak boleh sebelum tanggal mulai" in page_text(bad)


# -- vocabularies ------------------------------------------------------------


def test_admin_extends_renames_and_deactivates_terms(app, client, login_as, terms):
    old_entry = factories.make_kie_activity(topics=("kespro_remaja",))
    login_as(factories.make_user("admin"))
    added = client.post(
        "/kie/istilah/baru", data={"kind": "topic", "label": "Kesehatan jiwa"}
    )
    assert added.status_code == 303
    duplicate = client.post(
        "/kie/istilah/baru", data={"kind": "topic", "label": "kesehatan JIWA"}
    )
    assert duplicate.status_code == 200 and "sudah ada" in page_text(duplicate)
    with app.app_context():
        new_term = db.session.scalars(
            select(KieTerm).where(KieTerm.label == "Kesehatan jiwa")
        ).one()
        assert (new_term.kind, new_term.code, new_term.active) == (
            "topic",
            "kesehatan_jiwa",
            True,
        )
    kespro = terms[("topic", "kespro_remaja")]
    renamed = client.post(
        f"/kie/istilah/{kespro}",
        data={"label": "Kesehatan reproduksi remaja", "sort": "5"},
    )
    assert renamed.status_code == 303  # "active" unticked: deactivated too

    login_as(factories.make_user("pokja"))
    form_page = page_text(client.get("/kie/baru"))
    assert "Kesehatan jiwa" in form_page
    assert "Kesehatan reproduksi remaja" not in form_page
    assert "Kesehatan reproduksi remaja" in page_text(
        client.get(f"/kie/{old_entry.id}")
    )
    assert "Kesehatan reproduksi remaja (nonaktif)" in page_text(
        client.get(f"/kie/{old_entry.id}/ubah")
    )
    assert "Kesehatan reproduksi remaja (nonaktif)" in page_text(client.get("/kie/"))
    used = entry_form(terms, topic_ids=[str(kespro)])
    assert "sudah tidak aktif" in page_text(client.post("/kie/baru", data=used))
    update = audit_rows(app, "kie.term_update")[0]
    assert update.before["active"] is True and update.after["active"] is False
    assert len(audit_rows(app, "kie.term_create")) == 1


def test_terms_page_shows_usage_counts(client, login_as, terms):
    factories.make_kie_activity(topics=("stunting",))
    factories.make_kie_activity(topics=("stunting",))
    login_as(factories.make_user("admin"))
    html = page_text(client.get("/kie/istilah"))
    row = html.split(f'/kie/istilah/{terms[("topic", "stunting")]}"')[1][:300]
    assert '<td class="num">2</td>' in row


# -- demo data ------------------------------------------------------------


def test_demo_seed_gives_every_pokja_a_year_of_logs_once(app, client, login_as):
    with app.app_context():
        made = demo.seed(scale=1)
        db.session.commit()
        assert demo.seed(scale=1) == 0  # idempotent: skipped the second time
        per_pokja = dict(
            db.session.execute(
                select(KieActivity.pokja_id, func.count()).group_by(
                    KieActivity.pokja_id
                )
            ).all()
        )
        first = db.session.scalar(select(func.min(KieActivity.activity_date)))
        campaigns = db.session.scalar(select(func.count()).select_from(KieCampaign))
    assert 600 <= made <= 1500
    assert len(per_pokja) == 12 and min(per_pokja.values()) >= 48
    assert (today_wib() - first).days >= 330
    assert campaigns >= 1
    login_as(factories.make_user("staf"))
    with count_queries(app) as q:
        page = client.get("/kie/")
    assert q.count <= 8 and len(gzip.compress(page.data)) <= 30 * 1024
    assert export(client, "portal_xlsx").status_code == 200


# -- plain rules and photo processing --------------------------------------------------


def test_edit_window_rules():
    now = utcnow()
    recent, stale = now - timedelta(days=30), now - timedelta(days=30, seconds=1)
    assert rules.can_change(roles.POKJA, 1, recent, now)
    assert not rules.can_change(roles.POKJA, 1, stale, now)
    assert rules.can_change(roles.STAF, None, stale, now)
    assert not rules.can_change(roles.PIMPINAN, None, recent, now)
    assert not rules.can_change(roles.PENYELENGGARA, None, recent, now)
    assert rules.can_change(roles.PENYELENGGARA, 1, recent, now)
    assert rules.can_manage_campaign(roles.POKJA, 1, {1})
    assert not rules.can_manage_campaign(roles.POKJA, 1, {1, 2})


def test_png_with_transparency_becomes_a_white_backed_jpeg():
    image = Image.new("RGBA", (2000, 500), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    result = photos.process(buffer.getvalue(), "layar.png")
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.format == "JPEG" and out.size == (1280, 320)
        assert out.getpixel((10, 10))[0] > 240  # white, not black


def test_heic_from_an_iphone_is_accepted():
    buffer = io.BytesIO()
    try:
        Image.new("RGB", (1600, 1200), (30, 120, 60)).save(buffer, "HEIF")
    except (OSError, KeyError, ValueError):
        pytest.skip("this libheif has no HEIC encoder to make a sample")
    result = photos.process(buffer.getvalue(), "IMG_0001.HEIC")
    assert (result.width, result.height) == (1280, 960)


def test_filters_parse_defensively_and_keep_all_time_in_links():
    from kkbweb.kie.queries import Filters

    bare = Filters.parse({}, True, today_wib())
    assert bare.dari == today_wib() - timedelta(days=365)
    assert Filters.parse({"dari": ""}, True, today_wib()).args() == {"dari": ""}
    silly = Filters.parse(
        {"pokja": "99999999999", "topik": "-3", "metode": "1.5", "jenis": "x"},
        True,
        today_wib(),
    )
    assert (silly.pokja, silly.topik, silly.metode, silly.jenis) == (None,) * 3 + ("",)
    assert Filters.parse({"pokja": "2"}, False, today_wib()).pokja is None


def test_a_new_entry_is_not_shown_as_edited(client, login_as, terms):
    login_as(factories.make_user("pokja"))
    response = client.post("/kie/baru", data=entry_form(terms))
    page = page_text(client.get(response.headers["Location"]))
    assert "Dicatat" in page and "· diubah" not in page
