"""Posyandu and PAUD as services (issue 14, item 4): units, sessions with counts,
Pokja isolation, budgets; the retired meeting kinds; the migration 0012."""

import datetime as dt
import gzip
import os

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text

from kkbweb import create_app
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import Meeting
from kkbweb.pokja.seed import seed_pokja
from kkbweb.timeutil import today_wib
from kkbweb.units import rules
from kkbweb.units.models import ServiceSession, ServiceUnit
from tests import factories
from tests.querycount import count_queries

HX = {"HX-Request": "true"}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _audits(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditLog.action == action))


# -- units -----------------------------------------------------------------------


def test_pokja_user_adds_a_posyandu_for_their_own_pokja(app, login_as):
    user = factories.make_user("pokja", pokja="Ciwedus")
    client = login_as(user)
    page = client.get("/units/baru")
    assert page.status_code == 200
    assert 'name="pokja_id"' not in _text(page)  # their own Pokja, no choice
    response = client.post(
        "/units/baru",
        data={
            "kind": "posyandu",
            "name": "Posyandu Mawar RW 03",
            "rw": "03",
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        unit = db.session.scalars(select(ServiceUnit)).one()
        assert (unit.pokja_id, unit.kind, unit.rw) == (user.pokja_id, "posyandu", "03")
    assert _audits(app, "unit.create") == 1
    listing = _text(client.get("/units/"))
    assert "Posyandu Mawar RW 03" in listing and "RW 03" in listing


def test_a_second_unit_of_the_same_name_is_refused_keeping_the_input(app, login_as):
    factories.make_unit("Ciwedus", name="Posyandu Mawar RW 03")
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    response = client.post(
        "/units/baru",
        data={"kind": "posyandu", "name": "posyandu mawar rw 03", "rw": "3x"},
    )
    body = _text(response)
    assert response.status_code == 200
    assert "sudah dipakai di Pokja ini" in body
    assert "Isi nomor RW dengan angka" in body
    assert 'value="posyandu mawar rw 03"' in body
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceUnit.id))) == 1


def test_staff_choose_the_pokja_and_the_same_name_is_fine_elsewhere(app, login_as):
    factories.make_unit("Ciwedus", name="Posyandu Mawar RW 03")
    other = factories.pokja("Bendungan")
    client = login_as(factories.make_user("staf"))
    assert 'name="pokja_id"' in _text(client.get("/units/baru"))
    refused = client.post("/units/baru", data={"kind": "paud", "name": "PAUD A"})
    assert "Pilih Pokja." in _text(refused)
    response = client.post(
        "/units/baru",
        data={
            "kind": "posyandu",
            "name": "Posyandu Mawar RW 03",
            "pokja_id": str(other.id),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceUnit.id))) == 2


def test_pimpinan_reads_but_does_not_write(app, login_as):
    unit = factories.make_unit()
    client = login_as(factories.make_user("pimpinan"))
    page = _text(client.get(f"/units/{unit.id}"))
    assert unit.name in page and "Catat sesi" not in page
    assert client.get(f"/units/{unit.id}/sesi/baru").status_code == 403


# -- sessions --------------------------------------------------------------------


def test_a_posyandu_session_records_its_counts_only(app, login_as):
    unit = factories.make_unit()
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    form = _text(client.get(f"/units/{unit.id}/sesi/baru"))
    assert "Balita ditimbang" in form and "Anak terdaftar" not in form
    response = client.post(
        f"/units/{unit.id}/sesi/baru",
        data={
            "date": "2024-05-10",
            "balita_present": "34",
            "balita_weighed": "31",
            "ibu_hamil": "5",
            "kader_on_duty": "5",
            # a PAUD count sent anyway is ignored
            "children_present": "9",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        session = db.session.scalars(select(ServiceSession)).one()
        assert (session.balita_present, session.balita_weighed) == (34, 31)
        assert session.children_present is None
        assert session.pokja_id == unit.pokja_id
    detail = _text(client.get(f"/units/{unit.id}"))
    assert "10 Mei 2024" in detail and '<td class="num">31</td>' in detail
    assert _audits(app, "unit_session.create") == 1


def test_bad_counts_are_refused_with_messages_keeping_the_input(app, login_as):
    unit = factories.make_unit()
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    tomorrow = (today_wib() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/units/{unit.id}/sesi/baru",
        data={
            "date": tomorrow,
            "balita_present": "20",
            "balita_weighed": "25",
            "ibu_hamil": "-1",
            "kader_on_duty": "9" * 40,
        },
    )
    body = _text(response)
    assert response.status_code == 200
    assert "tidak boleh di masa depan" in body
    assert "tidak boleh lebih dari balita hadir" in body
    assert f"Isi angka 0 sampai {rules.MAX_COUNT}" in body
    assert "Angka terlalu besar" in body
    assert 'value="25"' in body
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceSession.id))) == 0


def test_paud_present_cannot_exceed_enrolled_and_one_session_a_day(app, login_as):
    unit = factories.make_unit(kind="paud", name="PAUD Tunas Bangsa")
    factories.make_unit_session(unit, date=dt.date(2024, 5, 10))
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    response = client.post(
        f"/units/{unit.id}/sesi/baru",
        data={
            "date": "2024-05-10",
            "children_enrolled": "20",
            "children_present": "21",
        },
    )
    body = _text(response)
    assert "tidak boleh lebih dari anak terdaftar" in body
    assert "Sesi tanggal ini sudah dicatat" in body


def test_a_session_is_corrected_and_deleted_only_when_confirmed(app, login_as):
    unit = factories.make_unit()
    session = factories.make_unit_session(unit)
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    edited = client.post(
        f"/units/sesi/{session.id}/ubah",
        data={"date": "2024-05-11", "balita_present": "30", "balita_weighed": "29"},
    )
    assert edited.status_code == 303
    assert _audits(app, "unit_session.update") == 1
    kept = client.post(f"/units/sesi/{session.id}/hapus", data={})
    assert kept.status_code == 303 and "/ubah" in kept.headers["Location"]
    gone = client.post(f"/units/sesi/{session.id}/hapus", data={"yakin": "ya"})
    assert gone.status_code == 303
    with app.app_context():
        assert db.session.get(ServiceSession, session.id) is None
    assert _audits(app, "unit_session.delete") == 1


def test_a_session_page_shows_its_counts_and_links_to_the_portal(app, login_as):
    unit = factories.make_unit("Ciwedus")
    session = factories.make_unit_session(unit, note="PMT lokal")
    writer = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    listing = _text(writer.get(f"/units/{unit.id}"))
    assert f'href="/units/sesi/{session.id}"' in listing
    page = _text(writer.get(f"/units/sesi/{session.id}"))
    assert "Balita ditimbang" in page and "28" in page and "PMT lokal" in page
    portal = f"/portal/layanan/{session.id}/{unit.pokja_id}"
    assert portal in page and f"/units/sesi/{session.id}/ubah" in page
    reader = login_as(factories.make_user("pimpinan"))
    page = _text(reader.get(f"/units/sesi/{session.id}"))
    assert portal in page and "/ubah" not in page


def test_a_unit_with_sessions_keeps_its_kind(app, login_as):
    unit = factories.make_unit()
    factories.make_unit_session(unit)
    client = login_as(factories.make_user("staf"))
    response = client.post(
        f"/units/{unit.id}/ubah", data={"kind": "paud", "name": unit.name}
    )
    assert "tidak bisa ganti jenis" in _text(response)


# -- isolation -------------------------------------------------------------------


def test_another_pokjas_unit_and_session_answer_404_and_never_show(app, login_as):
    unit = factories.make_unit("Ciwedus", name="Posyandu Rahasia Ciwedus")
    session = factories.make_unit_session(unit)
    client = login_as(factories.make_user("pokja", pokja="Bendungan"))
    for url in (
        f"/units/{unit.id}",
        f"/units/{unit.id}/ubah",
        f"/units/{unit.id}/sesi/baru",
        f"/units/sesi/{session.id}/ubah",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/units/sesi/{session.id}/hapus", data={"yakin": "ya"}).status_code
        == 404
    )
    assert "Rahasia" not in _text(client.get("/units/"))
    assert "Rahasia" not in _text(client.get(f"/units/?pokja={unit.pokja_id}"))
    with app.app_context():
        assert db.session.get(ServiceSession, session.id) is not None


# -- budgets ---------------------------------------------------------------------


def test_pages_keep_the_query_budget_for_1_and_50_rows(app, login_as):
    client = login_as(factories.make_user("staf"))
    counts = []
    for n in (1, 50):
        with app.app_context():
            db.session.execute(ServiceSession.__table__.delete())
            db.session.execute(ServiceUnit.__table__.delete())
            db.session.commit()
        units = [
            factories.make_unit(name=f"Posyandu {i:02d}", rw=f"{i % 9 + 1:02d}")
            for i in range(n)
        ]
        for i in range(n):
            factories.make_unit_session(
                units[0], date=dt.date(2024, 1, 1) + dt.timedelta(days=i)
            )
        with count_queries(app) as listing:
            page = client.get("/units/")
        with count_queries(app) as fragment:
            client.get("/units/?jenis=posyandu", headers=HX)
        with count_queries(app) as detail:
            unit_page = client.get(f"/units/{units[0].id}")
        with count_queries(app) as form:
            client.get(f"/units/{units[0].id}/sesi/baru")
        counts.append((listing.count, fragment.count, detail.count, form.count))
        assert len(gzip.compress(page.data)) <= 30 * 1024
        assert len(gzip.compress(unit_page.data)) <= 30 * 1024
    assert counts[0] == counts[1], counts
    full, frag, detail, form = counts[0]
    assert max(full, detail, form) <= 8 and frag <= 4


def test_a_session_post_keeps_the_post_budget(app, login_as):
    unit = factories.make_unit()
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    with count_queries(app) as post:
        response = client.post(
            f"/units/{unit.id}/sesi/baru",
            data={"date": "2024-05-10", "balita_present": "30"},
        )
    assert response.status_code == 303
    assert post.count <= 6


# -- the retired meeting kinds ---------------------------------------------------


def test_new_meetings_are_no_longer_posyandu_or_poktan(app, login_as):
    client = login_as(factories.make_user("admin"))
    form = _text(client.get("/meetings/new"))
    assert 'value="rapat_pokja"' in form
    for kind in meeting_vocab.RETIRED_KINDS:
        assert f'value="{kind}"' not in form, kind
    assert "menu Posyandu &amp; PAUD" in form
    response = client.post(
        "/meetings/new",
        data={
            "kind": "posyandu",
            "title": "Posyandu Juni",
            "date": "2024-06-10",
            "place": "RW 03",
            "pokja_ids": [str(factories.pokja("Ciwedus").id)],
        },
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_an_old_posyandu_meeting_keeps_its_kind_when_edited(app, login_as):
    meeting = factories.make_meeting(kind="posyandu", title="Posyandu Mei")
    client = login_as(factories.make_user("admin"))
    form = _text(client.get(f"/meetings/{meeting.id}/edit"))
    assert '<option selected value="posyandu">' in form, form[form.find("kind") :][:600]
    assert 'value="poktan_bkb"' not in form  # only its own retired kind
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).kind_label == "Posyandu"


# -- the migration ---------------------------------------------------------------


def test_0012_adds_empty_unit_tables_and_keeps_every_record(tmp_path):
    """A database at the revision before 0012, with a posyandu meeting: after
    the upgrade every row is there, the meeting keeps its kind, no unit exists."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/m.sqlite"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True}
    )

    def empty():
        with app.app_context():
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            if db.engine.dialect.name == "postgresql":
                db.session.execute(
                    text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
                )
            db.session.commit()

    empty()
    try:
        with app.app_context():
            script = ScriptDirectory.from_config(
                app.extensions["migrate"].migrate.get_config()
            )
            previous = script.get_revision("0012_units").down_revision
            upgrade(revision=previous)
            seed_pokja()
            db.session.execute(
                text(
                    "INSERT INTO meeting (id, kind, title, date, place, status, "
                    "created_at, updated_at) VALUES (1, 'posyandu', 'Posyandu Mei',"
                    " '2024-05-10', 'RW 03', 'selesai', :t, :t)"
                ),
                {"t": "2024-05-10 03:00:00"},
            )
            db.session.commit()
            tables = set(inspect(db.engine).get_table_names())
            before = {
                t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                for t in tables - {"alembic_version"}
            }
            db.session.commit()
            upgrade(revision="0012_units")
            after = {
                t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                for t in before
            }
            kind = db.session.execute(text("SELECT kind FROM meeting")).scalar()
            units = db.session.execute(text("SELECT count(*) FROM service_unit"))
            assert after == before
            assert kind == "posyandu"
            assert units.scalar() == 0
            db.session.commit()
    finally:
        empty()
        with app.app_context():
            db.create_all()
