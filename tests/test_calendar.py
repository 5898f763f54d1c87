"""Issue 16 item 6: the reporting calendar (deadlines.py unit tests on every
edge, the page, its scope, its reminders and its query budget)."""

import datetime as dt
import gzip
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from kkbweb.classification import deadlines as dl
from kkbweb.classification.models import KampungKb, Pkb
from kkbweb.extensions import db
from kkbweb.poktan.register_models import RegisterSubmission
from kkbweb.reports.months import Month
from kkbweb.timeutil import today_wib
from tests import factories
from tests.querycount import count_queries

D = dt.date
P1 = dl.PokjaInfo(1, "Ciwedus", "0812-3456-7890", "36.72.02.1002")


def _facts(poktan=(), marks=None, reports=None, profiles=None, pokja=(P1,)):
    return dl.Facts(
        list(pokja), list(poktan), marks or {}, reports or {}, profiles or {}
    )


def _item(rows, kind, period=None):
    return next(
        i
        for i in rows[0].items
        if i.kind == kind and (period is None or i.period == period)
    )


# --- deadlines ----------------------------------------------------------------------


def test_due_days():
    assert dl.ri_due(Month(2026, 10)) == D(2026, 11, 3)
    assert dl.ri_due(Month(2025, 12)) == D(2026, 1, 3)  # over the year's end
    assert dl.recap_due(Month(2026, 10), 10) == D(2026, 11, 10)
    assert dl.recap_due(Month(2025, 12), 28) == D(2026, 1, 28)
    assert dl.recap_due(Month(2026, 1), 1) == D(2026, 2, 1)
    assert dl.k0_due(2026) == D(2026, 1, 3)
    assert dl.profile_due(2026) == D(2026, 1, 31)


@pytest.mark.parametrize(
    ("today", "done_on", "status"),
    [
        (D(2026, 11, 3), None, dl.DUE),  # on the due day: still on time
        (D(2026, 11, 4), None, dl.LATE),  # the day after: late
        (D(2026, 11, 2), None, dl.DUE),
        (D(2026, 12, 1), D(2026, 11, 3), dl.DONE),  # done on the due day
        (D(2026, 12, 1), D(2026, 11, 4), dl.DONE_LATE),  # a day after
        (D(2026, 11, 1), D(2026, 10, 31), dl.DONE),  # done early
    ],
)
def test_status_on_both_sides_of_the_due_day(today, done_on, status):
    assert dl.status_of(D(2026, 11, 3), done_on, today) == status


def test_months_covered_are_the_last_closed_months():
    assert dl.months_covered(D(2026, 1, 15)) == [
        Month(2025, 12),
        Month(2025, 11),
        Month(2025, 10),
    ]
    assert dl.months_covered(D(2026, 3, 1), 1) == [Month(2026, 2)]


def test_ri_is_done_when_every_owing_poktan_is_marked():
    a = dl.PoktanInfo(10, 1, D(2020, 1, 1))
    b = dl.PoktanInfo(11, 1, D(2020, 1, 1))
    late_comer = dl.PoktanInfo(12, 1, D(2026, 11, 1))  # formed after October
    today = D(2026, 11, 20)
    marks = {(10, "ri", 2026, 10): D(2026, 11, 2)}
    rows = dl.rows(_facts([a, b, late_comer], marks), today, 10)
    item = _item(rows, dl.RI, "Oktober 2026")
    assert item.status == dl.LATE and item.detail == "1 dari 2 poktan"
    marks[(11, "ri", 2026, 10)] = D(2026, 11, 3)
    item = _item(
        dl.rows(_facts([a, b, late_comer], marks), today, 10), dl.RI, "Oktober 2026"
    )
    assert item.status == dl.DONE and item.done_on == D(2026, 11, 3)
    marks[(11, "ri", 2026, 10)] = D(2026, 11, 4)
    item = _item(dl.rows(_facts([a, b], marks), today, 10), dl.RI, "Oktober 2026")
    assert item.status == dl.DONE_LATE
    # The poktan formed on 1 November owes November's register, not October's.
    nov = D(2026, 12, 20)
    rows = dl.rows(_facts([late_comer]), nov, 10)
    assert _item(rows, dl.RI, "November 2026").detail == "0 dari 1 poktan"
    assert not [
        i for i in rows[0].items if i.kind == dl.RI and i.period == "Oktober 2026"
    ]


def test_no_poktan_owes_no_register():
    rows = dl.rows(_facts(), D(2026, 11, 20), 10)
    kinds = {i.kind for i in rows[0].items}
    assert kinds == {dl.RECAP, dl.PROFILE}


def test_recap_uses_the_configured_day_and_the_first_hand_in():
    today = D(2026, 11, 12)
    reports = {(1, 2026, 10): ("diserahkan", D(2026, 11, 11))}
    assert (
        _item(
            dl.rows(_facts(reports=reports), today, 10), dl.RECAP, "Oktober 2026"
        ).status
        == dl.DONE_LATE
    )
    assert (
        _item(
            dl.rows(_facts(reports=reports), today, 11), dl.RECAP, "Oktober 2026"
        ).status
        == dl.DONE
    )
    assert (
        _item(dl.rows(_facts(), today, 12), dl.RECAP, "Oktober 2026").status == dl.DUE
    )
    assert (
        _item(dl.rows(_facts(), today, 11), dl.RECAP, "Oktober 2026").status == dl.LATE
    )
    verified = {(1, 2026, 10): ("diverifikasi", D(2026, 11, 1))}
    assert (
        _item(
            dl.rows(_facts(reports=verified), today, 10), dl.RECAP, "Oktober 2026"
        ).status
        == dl.DONE
    )


def test_a_returned_recap_is_late_only_after_its_due_day():
    returned = {(1, 2026, 10): ("dikembalikan", D(2026, 11, 2))}
    before = _item(
        dl.rows(_facts(reports=returned), D(2026, 11, 10), 10), dl.RECAP, "Oktober 2026"
    )
    assert before.status == dl.RETURNED and not before.open_late and before.needs_action
    after = _item(
        dl.rows(_facts(reports=returned), D(2026, 11, 11), 10), dl.RECAP, "Oktober 2026"
    )
    assert after.open_late


def test_k0_and_yearly_profile_in_january():
    poktan = [dl.PoktanInfo(10, 1, D(2020, 1, 1))]
    on_3rd = dl.rows(_facts(poktan), D(2026, 1, 3), 10)
    assert _item(on_3rd, dl.K0).status == dl.DUE
    assert _item(dl.rows(_facts(poktan), D(2026, 1, 4), 10), dl.K0).status == dl.LATE
    marked = {(10, "k0", 2026, 0): D(2026, 1, 3)}
    assert (
        _item(dl.rows(_facts(poktan, marked), D(2026, 5, 1), 10), dl.K0).status
        == dl.DONE
    )
    assert _item(dl.rows(_facts(), D(2026, 1, 31), 10), dl.PROFILE).status == dl.DUE
    assert _item(dl.rows(_facts(), D(2026, 2, 1), 10), dl.PROFILE).status == dl.LATE
    saved = {(1, 2026): D(2026, 1, 31)}
    assert (
        _item(dl.rows(_facts(profiles=saved), D(2026, 6, 1), 10), dl.PROFILE).status
        == dl.DONE
    )
    saved = {(1, 2026): D(2026, 2, 1)}
    assert (
        _item(dl.rows(_facts(profiles=saved), D(2026, 6, 1), 10), dl.PROFILE).status
        == dl.DONE_LATE
    )
    # A poktan formed during the year owes that year's K/0 too; one formed
    # next year does not.
    later = [dl.PoktanInfo(10, 1, D(2027, 1, 1))]
    assert not [
        i for i in dl.rows(_facts(later), D(2026, 5, 1), 10)[0].items if i.kind == dl.K0
    ]


def test_phone_and_whatsapp_links():
    assert dl.phone_digits("0812-3456-7890") == "6281234567890"
    assert dl.phone_digits("+62 812 3456 7890") == "6281234567890"
    assert dl.phone_digits("(0254) 391 234") == "62254391234"
    assert dl.phone_digits("12345") is None
    assert dl.phone_digits("+1 202 555 0100") is None
    assert dl.phone_digits(None) is None
    link = dl.whatsapp_link("Halo & salam", "0812-3456-7890")
    assert link == "https://wa.me/6281234567890?text=Halo%20%26%20salam"
    assert dl.whatsapp_link("x", None) == "https://wa.me/?text=x"


def test_reminder_texts():
    rows = dl.rows(_facts(), D(2026, 11, 20), 10)
    text = dl.pokja_reminder(rows[0])
    assert text.startswith("Yth. Pokja Kampung KB Ciwedus")
    assert "Rekap bulanan Pokja Oktober 2026 (tenggat 10 November 2026)" in text
    pkb = Pkb(
        name="Ibu Rina", phone="0813 1111 2222", kelurahan_codes=["36.72.02.1002"]
    )
    other = Pkb(name="Pak Budi", phone=None, kelurahan_codes=["36.72.01.1001"])
    found = dl.pkb_reminders(rows, [pkb, other])
    assert [r.name for r in found] == ["Ibu Rina"] and found[0].pokja == ["Ciwedus"]
    assert found[0].link.startswith(
        "https://wa.me/6281311112222?text=Yth.%20Ibu%20Rina"
    )


# --- the page -------------------------------------------------------------------------


def _mark(poktan, register, year, month, at):
    with factories.context():
        db.session.add(
            RegisterSubmission(
                poktan_id=poktan.id,
                pokja_id=poktan.pokja_id,
                register=register,
                year=year,
                month=month,
                submitted_at=at,
            )
        )
        db.session.commit()


def test_calendar_page_staff_sees_all_with_reminders(app, login_as):
    a = factories.pokja("Ciwedus")
    with factories.context():
        db.session.execute(
            a.__table__.update()
            .where(a.__table__.c.id == a.id)
            .values(contact_phone="0812 3456 7890")
        )
        kampung = db.session.scalars(
            select(KampungKb).where(KampungKb.pokja_id == a.id)
        ).one()
        db.session.add(
            Pkb(
                name="Ibu Rina PKB",
                phone="0813 1111 2222",
                kelurahan_codes=[kampung.kelurahan_code],
            )
        )
        db.session.commit()
    staff = login_as(factories.make_user("staf"))
    page = staff.get("/klasifikasi/kalender")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Kalender pelaporan" in body and "Bendungan" in body and "Ciwedus" in body
    # No report handed in at all: every Pokja is late with last months' recap.
    assert "Kirim pengingat" in body
    assert "https://wa.me/6281234567890?text=" in body
    assert "Pengingat lewat PKB" in body and "https://wa.me/6281311112222?text=" in body
    link = body.split("https://wa.me/6281234567890?text=")[1].split('"')[0]
    assert unquote(link).startswith("Yth. Pokja Kampung KB Ciwedus")


def test_calendar_page_pokja_user_sees_only_its_own(app, login_as):
    a = factories.pokja("Ciwedus")
    client = login_as(factories.make_user("pokja", pokja=a))
    body = client.get("/klasifikasi/kalender").get_data(as_text=True)
    assert "Ciwedus" in body and "Bendungan" not in body
    assert "Kirim pengingat" not in body


def test_calendar_shows_done_items(app, login_as):
    a = factories.pokja("Ciwedus")
    poktan = factories.make_poktan(a, since=dt.date(2020, 1, 1))
    today = today_wib()
    last = Month.of(today).previous()
    _mark(
        poktan,
        "ri",
        last.year,
        last.month,
        dt.datetime(last.next().year, last.next().month, 1, 3),
    )
    client = login_as(factories.make_user("pokja", pokja=a))
    body = client.get("/klasifikasi/kalender").get_data(as_text=True)
    assert f"Register R/I {last.label}" in body
    assert "1 dari 1 poktan" in body and "Selesai" in body


def _last() -> tuple[int, int]:
    month = Month.of(today_wib()).previous()
    return (month.year, month.month)


@pytest.mark.parametrize("extra", [0, 3])
def test_calendar_query_budget(app, login_as, extra):
    """At most 8 statements whatever the number of Pokja, poktan and marks."""
    for pokja_name in ("Ciwedus", "Bendungan", "Bulakan")[:extra]:
        poktan = factories.make_poktan(pokja_name, since=dt.date(2020, 1, 1))
        _mark(poktan, "ri", today_wib().year, 1, dt.datetime(2026, 2, 1))
        factories.make_report(pokja_name, month=_last())
    staff = login_as(factories.make_user("staf"))
    staff.get("/klasifikasi/kalender")
    with count_queries(app) as q:
        response = staff.get("/klasifikasi/kalender")
    assert response.status_code == 200
    assert q.count <= 8, q.statements
    assert q.count == 6  # session user, Pokja, poktan, marks, reports+profiles, PKB
    assert len(gzip.compress(response.data)) <= 30_000
