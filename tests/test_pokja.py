"""Pokja data: the 12 seeded from data, a 13th added by an admin, pages per role."""

from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.pokja.seed import seed_pokja
from tests import factories

TWELVE = {
    "Ciwedus": ("36.72.02.1002", "Ciwedus", "Cilegon"),
    "Bendungan": ("36.72.02.1003", "Bendungan", "Cilegon"),
    "Bulakan": ("36.72.01.1003", "Bulakan", "Cibeber"),
    "Kalitimbang": ("36.72.01.1006", "Kalitimbang", "Cibeber"),
    "Kubangsari": ("36.72.04.1003", "Kubangsari", "Ciwandan"),
    "Banjarnegara": ("36.72.04.1001", "Banjar Negara", "Ciwandan"),
    "Warnasari": ("36.72.08.1001", "Warnasari", "Citangkil"),
    "Citangkil": ("36.72.08.1007", "Citangkil", "Citangkil"),
    "Sukmajaya": ("36.72.05.1001", "Sukmajaya", "Jombang"),
    "Kebon Dalem": ("36.72.07.1003", "Kebon Dalem", "Purwakarta"),
    "Kotasari": ("36.72.06.1001", "Kotasari", "Grogol"),
    "Lebak Gede": ("36.72.03.1002", "Lebakgede", "Pulomerak"),
}


def test_the_twelve_pokja_with_official_codes(app):
    with app.app_context():
        rows = db.session.execute(
            select(
                Pokja.display_name,
                Pokja.code,
                Pokja.official_name,
                Kecamatan.display_name,
            ).join(Kecamatan)
        ).all()
    assert {name: (code, official, kec) for name, code, official, kec in rows} == TWELVE


def test_grogol_keeps_its_official_spelling(app):
    with app.app_context():
        grogol = db.session.scalars(
            select(Kecamatan).where(Kecamatan.code == "36.72.06")
        ).one()
    assert (grogol.display_name, grogol.official_name) == ("Grogol", "Gerogol")


def test_seed_is_idempotent(app):
    with app.app_context():
        assert seed_pokja() == 0
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Pokja)) == 12
        assert db.session.scalar(select(func.count()).select_from(Kecamatan)) == 8


def test_admin_adds_a_thirteenth_pokja(app, login_as):
    client = login_as(factories.make_user("admin"))
    with app.app_context():
        jombang = db.session.scalars(
            select(Kecamatan).where(Kecamatan.code == "36.72.05")
        ).one()
    response = client.post(
        "/pokja/new",
        data={
            "display_name": "Jombang Wetan",
            "official_name": "Jombang Wetan",
            "code": "36.72.05.1003",
            "kecamatan_id": str(jombang.id),
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    assert "Jombang Wetan" in client.get("/pokja/").get_data(as_text=True)
    assert "Jombang Wetan" in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Pokja)) == 13
        audit = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "pokja.create")
        ).one()
        assert audit.after["code"] == "36.72.05.1003"


def test_pokja_form_errors_keep_input(app, login_as):
    client = login_as(factories.make_user("admin"))
    ciwedus = factories.pokja("Ciwedus")
    response = client.post(
        "/pokja/new",
        data={
            "display_name": "Ciwedus",
            "official_name": "Nama Diketik",
            "code": "3672",
            "kecamatan_id": str(ciwedus.kecamatan_id),
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kode harus berformat 36.72.03.1002" in body
    assert "Sudah dipakai Pokja lain" in body
    assert 'value="Nama Diketik"' in body


def test_admin_edits_a_pokja_with_audit(app, login_as):
    client = login_as(factories.make_user("admin"))
    lebak = factories.pokja("Lebak Gede")
    response = client.post(
        f"/pokja/{lebak.id}/edit",
        data={
            "display_name": "Lebak Gede",
            "official_name": "Lebakgede",
            "code": lebak.code,
            "kecamatan_id": str(lebak.kecamatan_id),
            "contact_phone": "0812-3456-7890",
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "pokja.update")
        ).one()
    assert (
        row.before["contact_phone"] is None
        and row.after["contact_phone"] == "0812-3456-7890"
    )
    # The class is computed (kkbweb/classification), no longer picked by hand.
    form = client.get(f"/pokja/{lebak.id}/edit").get_data(as_text=True)
    assert "kampung_kb_class" not in form


def test_staff_land_on_the_city_overview_with_all_twelve(login_as):
    client = login_as(factories.make_user("staf"))
    body = client.get("/").get_data(as_text=True)
    assert all(name in body for name in TWELVE)


def test_pokja_user_lands_on_own_pokja_and_cannot_open_another(login_as):
    user = factories.make_user("pokja", pokja="Kotasari")
    client = login_as(user)
    home = client.get("/")
    assert home.status_code == 302
    page = client.get(home.headers["Location"]).get_data(as_text=True)
    assert "Pokja Kotasari" in page
    assert client.get(f"/pokja/{factories.pokja('Ciwedus').id}").status_code == 404
