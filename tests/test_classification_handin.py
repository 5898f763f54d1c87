"""Issue 16 item 3: the class, indices and 12 scores stored with each monthly
hand-in, shown with the snapshot and used by the class history."""

import datetime as dt

from sqlalchemy import select

from kkbweb.classification.models import KampungKb
from kkbweb.extensions import db
from kkbweb.reports.models import MonthlyReport
from kkbweb.timeutil import today_wib
from tests import factories
from tests.querycount import count_queries
from tests.test_classification import _instansi, _store_profile, _text


def _last_month() -> str:
    first = today_wib().replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


def _report(pokja) -> MonthlyReport:
    with factories.context():
        found = db.session.scalars(
            select(MonthlyReport).where(MonthlyReport.pokja_id == pokja.id)
        ).one()
        db.session.expunge(found)
    return found


def test_hand_in_stores_the_class_of_that_moment(app, login_as):
    a = factories.pokja("Ciwedus")
    _store_profile(a)
    _instansi(a, [3, 5, 12, 20])  # 4 instansi: lintas sektor 3, Proses 3.00
    client = login_as(factories.make_user("pokja", pokja=a))
    month = _last_month()
    with count_queries(app) as q:
        response = client.post(f"/reports/pokja/{a.id}/{month}/serahkan")
    assert response.status_code == 303
    assert q.count <= 6, q.statements
    report = _report(a)
    assert report.klass == "Berkembang"
    assert str(report.index_input) == "3.40" and str(report.index_proses) == "3.00"
    assert str(report.index_output) == "2.00"
    assert report.class_scores["P3"] == 3 and len(report.class_scores) == 12
    # A meeting with a new instansi later moves the live class, not the stored one.
    _instansi(a, [30, 31, 32], "Later")
    page = _text(client.get(f"/reports/pokja/{a.id}?bulan={month}"))
    assert "Kelas Kampung KB saat diserahkan" in page
    assert "<b>Berkembang</b> · Input 3.40 · Proses 3.00 · Output 2.00" in page
    assert 'P3 Lintas sektor</td><td class="num">3<' in page
    history = _text(client.get(f"/klasifikasi/pokja/{a.id}"))
    assert "Laporan bulanan" in history and "Riwayat kelas" in history


def test_hand_in_without_profile_or_kampung(app, login_as):
    a = factories.pokja("Ciwedus")
    client = login_as(factories.make_user("pokja", pokja=a))
    month = _last_month()
    client.post(f"/reports/pokja/{a.id}/{month}/serahkan")
    report = _report(a)
    assert report.klass == "Dasar" and report.class_scores["I1"] == 1
    b = factories.pokja("Bendungan")
    with factories.context():
        db.session.execute(
            KampungKb.__table__.update()
            .where(KampungKb.pokja_id == b.id)
            .values(pokja_id=None)
        )
        db.session.commit()
    client = login_as(factories.make_user("pokja", pokja=b))
    client.post(f"/reports/pokja/{b.id}/{month}/serahkan")
    assert _report(b).klass is None
    page = _text(client.get(f"/reports/pokja/{b.id}?bulan={month}"))
    assert "Kelas Kampung KB tidak tercatat" in page


def test_board_history_takes_the_later_of_profile_and_hand_in(app, login_as):
    a = factories.pokja("Ciwedus")
    year = today_wib().year - 1
    _store_profile(a, year=year)  # Dasar (no instansi), saved now
    factories.make_report(a, month=(year, 12))
    with factories.context():
        db.session.execute(
            MonthlyReport.__table__.update().values(
                klass="Mandiri", submitted_at=dt.datetime(2099, 1, 1)
            )
        )
        db.session.commit()
    staff = login_as(factories.make_user("staf"))
    body = _text(staff.get("/klasifikasi/kota"))
    assert "Mandiri" in body
    from kkbweb.classification import queries

    with factories.context():
        kampung = db.session.scalars(
            select(KampungKb).where(KampungKb.pokja_id == a.id)
        ).one()
        assert queries.class_history()[kampung.id][year] == "Mandiri"
