"""Issue 16 item 1: the SK Camat scan on the Kampung KB identity form."""

import io
import re
from pathlib import Path

from sqlalchemy import select

from kkbweb.classification import scans
from kkbweb.classification.models import KampungKb
from kkbweb.extensions import db
from tests import factories
from tests.factories import kie_jpeg, tiny_pdf
from tests.querycount import count_queries
from tests.test_classification import _text


def _kampung(pokja) -> KampungKb:
    with factories.context():
        found = db.session.scalars(
            select(KampungKb).where(KampungKb.pokja_id == pokja.id)
        ).one()
        db.session.expunge(found)
    return found


def _form(**extra):
    data = {
        "name": "Kampung KB Ciwedus",
        "kelurahan_code": "36.72.02.1002",
        "sk_camat_number": "SK/12/2024",
        "sk_camat_date": "2024-03-01",
    }
    data.update(extra)
    return data


def _folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "kampung"


def test_a_pdf_scan_is_stored_and_served_to_who_sees_the_kampung(app, login_as):
    a = factories.pokja("Ciwedus")
    client = login_as(factories.make_user("pokja", pokja=a))
    with count_queries(app) as q:
        saved = client.post(
            f"/klasifikasi/pokja/{a.id}/identitas",
            data=_form(sk_scan=(io.BytesIO(tiny_pdf()), "SK Camat.pdf")),
            content_type="multipart/form-data",
        )
    assert saved.status_code == 303
    assert q.count <= 6, q.statements
    kampung = _kampung(a)
    assert kampung.sk_scan_mimetype == "application/pdf"
    assert kampung.sk_scan_original_name == "SK Camat.pdf"
    assert (_folder(app) / kampung.sk_scan_filename).is_file()
    assert "scan SK" in _text(client.get(f"/klasifikasi/pokja/{a.id}"))
    served = client.get(f"/klasifikasi/pokja/{a.id}/sk-camat")
    assert served.status_code == 200 and served.data.startswith(b"%PDF-")
    assert served.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in served.headers["Content-Disposition"]
    other = login_as(factories.make_user("pokja", pokja="Bendungan"))
    assert other.get(f"/klasifikasi/pokja/{a.id}/sk-camat").status_code == 404
    # A photo replaces it; the old file goes.
    client = login_as(factories.make_user("staf"))
    client.post(
        f"/klasifikasi/pokja/{a.id}/identitas",
        data=_form(sk_scan=(io.BytesIO(kie_jpeg()), "foto-sk.jpg")),
        content_type="multipart/form-data",
    )
    photo = _kampung(a)
    assert photo.sk_scan_mimetype == "image/jpeg"
    assert not (_folder(app) / kampung.sk_scan_filename).exists()
    assert client.get(f"/klasifikasi/pokja/{a.id}/sk-camat").data[:2] == b"\xff\xd8"
    # Removing it on the form.
    client.post(f"/klasifikasi/pokja/{a.id}/identitas", data=_form(remove_scan="y"))
    assert _kampung(a).sk_scan_filename is None
    assert not (_folder(app) / photo.sk_scan_filename).exists()
    assert client.get(f"/klasifikasi/pokja/{a.id}/sk-camat").status_code == 404


def test_a_bad_file_is_refused_keeping_the_rest_of_the_form(app, login_as):
    a = factories.pokja("Ciwedus")
    client = login_as(factories.make_user("pokja", pokja=a))
    refused = client.post(
        f"/klasifikasi/pokja/{a.id}/identitas",
        data=_form(
            sk_camat_number="SK/99/2024",
            sk_scan=(io.BytesIO(b"bukan gambar sama sekali"), "sk.docx"),
        ),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200
    page = _text(refused)
    assert "Scan tidak disimpan; isian lain tetap." in page
    assert 'value="SK/99/2024"' in page
    kampung = _kampung(a)
    assert kampung.sk_scan_filename is None and kampung.sk_camat_number is None


def test_a_good_scan_of_a_refused_form_is_kept_until_saved(app, login_as):
    a = factories.pokja("Ciwedus")
    user = factories.make_user("pokja", pokja=a)
    client = login_as(user)
    refused = client.post(
        f"/klasifikasi/pokja/{a.id}/identitas",
        data=_form(name="", sk_scan=(io.BytesIO(tiny_pdf()), "sk.pdf")),
        content_type="multipart/form-data",
    )
    page = _text(refused)
    assert "Isi nama Kampung KB." in page and "sudah diterima" in page
    token = re.search(r'name="sk_scan_kept" type="hidden" value="([^"]+)"', page)
    assert token is not None
    # Another user cannot use the token.
    other = login_as(factories.make_user("staf"))
    other.post(
        f"/klasifikasi/pokja/{a.id}/identitas",
        data=_form(sk_scan_kept=token.group(1)),
    )
    assert _kampung(a).sk_scan_filename is None
    client = login_as(user)
    client.post(
        f"/klasifikasi/pokja/{a.id}/identitas",
        data=_form(sk_scan_kept=token.group(1)),
    )
    kampung = _kampung(a)
    assert kampung.sk_scan_original_name == "sk.pdf"
    assert (_folder(app) / kampung.sk_scan_filename).is_file()
    assert not list((_folder(app) / "pending").glob("*"))


def test_pending_scans_are_swept(tmp_path):
    scan = scans.keep(tmp_path, b"%PDF-1.4", scans.PDF, "sk.pdf")
    scans.sweep(tmp_path)
    assert (tmp_path / "pending" / scan.filename).exists()
    scans.sweep(tmp_path, now=9e12)
    assert not (tmp_path / "pending" / scan.filename).exists()
    token = scans.token(scan, 1, "s")
    assert scans.from_token(token, 1, "s", tmp_path) is None  # gone
    assert scans.from_token("rusak", 1, "s", tmp_path) is None
