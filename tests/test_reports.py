"""Reports: monthly recap per Pokja, city dashboard, hand-in, exports, budgets."""

import csv
import datetime as dt
import gzip
import io
import re
import statistics
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.demo import kie as kie_demo
from kkbweb.demo import meetings as meetings_demo
from kkbweb.demo import poktan as poktan_demo
from kkbweb.demo import referrals as referrals_demo
from kkbweb.demo import units as units_demo
from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity, KieTerm, kie_activity_term
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.meetings.rules import percent_text
from kkbweb.meetings.vocab import MEETING_KINDS
from kkbweb.members.models import Member
from kkbweb.pokja.models import Pokja
from kkbweb.referrals import routing, service, workflow
from kkbweb.referrals.models import Referral, ReferralEvent
from kkbweb.reports import exports, handin, metrics, recap, rules, shapes, table
from kkbweb.reports.models import MonthlyReport, MonthlyReportEvent
from kkbweb.reports.months import Month
from kkbweb.reports.sqlfuncs import days_between, month_key, wib_month_key
from kkbweb.timeutil import today_wib, utcnow
from tests import factories
from tests.factories import (
    make_guest,
    make_kie_activity,
    make_mark,
    make_meeting,
    make_member,
    make_referral,
    make_report,
    make_resident,
    make_user,
)
from tests.poktan_counts import count_poktan_by_hand
from tests.querycount import count_queries

HX = {"HX-Request": "true"}
MAY = Month(2024, 5)
KB = 1024


def last_closed_month() -> Month:
    return Month.of(today_wib()).previous()


def angka(n) -> str:
    return f"{int(n):,}".replace(",", ".")


# --- reading pages -------------------------------------------------------------


class Tables(HTMLParser):
    """Every table row of a page as a list of cell texts; list items apart."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.items: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._item: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "caption"):
            self._skip += 1
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "li":
            self._item = []

    def handle_endtag(self, tag):
        if tag in ("svg", "caption"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "li" and self._item is not None:
            self.items.append(" ".join("".join(self._item).split()))
            self._item = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        if self._item is not None:
            self._item.append(data)


def read_page(body: bytes) -> Tables:
    parser = Tables()
    parser.feed(body.decode())
    return parser


# --- an independent count from the features' own rows ----------------------------


def _on_roster(member: Member, day: dt.date) -> bool:
    """The meetings feature's rule, restated: on the roster of that date."""
    return (
        (member.active_from is None or member.active_from <= day)
        and (member.active_until is None or member.active_until >= day)
        and (member.is_active or member.active_until is not None)
    )


def count_by_hand(app, pokja_id: int, month: Month, now=None) -> dict:
    """Every figure of a Pokja's month, counted in Python from loaded rows.

    Deliberately shares nothing with kkbweb.reports.recap: it loads the rows the
    meeting and KIE lists show and counts them one by one.
    """
    start, end = month.date_bounds
    with app.app_context():
        meetings = {m.id: m for m in db.session.scalars(select(Meeting))}
        # (meeting, Pokja) -> how the Pokja is invited: all members or delegates.
        invited = {
            (i.meeting_id, i.pokja_id): i.mode
            for i in db.session.scalars(select(MeetingPokja))
        }
        picked = {
            (i.meeting_id, i.member_id)
            for i in db.session.scalars(select(MeetingInvitee))
        }
        members = {m.id: m for m in db.session.scalars(select(Member))}
        marks = db.session.scalars(select(Attendance)).all()
        guests = db.session.scalars(select(MeetingGuest)).all()
        activities = db.session.scalars(
            select(KieActivity).where(KieActivity.pokja_id == pokja_id)
        ).all()
        terms = {t.id: t for t in db.session.scalars(select(KieTerm))}
        links = db.session.execute(select(kie_activity_term)).all()
        referrals = db.session.scalars(
            select(Referral).where(Referral.pokja_id == pokja_id)
        ).all()
        events: dict[int, list] = {}
        for event in db.session.scalars(
            select(ReferralEvent)
            .join(Referral, Referral.id == ReferralEvent.referral_id)
            .where(Referral.pokja_id == pokja_id)
        ):
            events.setdefault(event.referral_id, []).append(event)
        db.session.expunge_all()

    def in_month(day):
        return start <= day < end

    mine = [
        m for m in meetings.values() if in_month(m.date) and (m.id, pokja_id) in invited
    ]
    kinds = Counter(m.kind for m in mine)
    marked = {(a.meeting_id, a.member_id) for a in marks}

    def delegates(meeting) -> bool:
        return invited[(meeting.id, pokja_id)] == "delegates"

    # The roll was taken for the Pokja: one of its members is marked; for named
    # delegates anyone of the meeting is (those not marked did not come).
    rolled = [
        m
        for m in mine
        if any(
            a.meeting_id == m.id and (a.pokja_id == pokja_id or delegates(m))
            for a in marks
        )
    ]
    roster = 0
    for meeting in rolled:
        for member in members.values():
            if member.pokja_id != pokja_id:
                continue
            if delegates(meeting):
                roster += (meeting.id, member.id) in picked
            elif _on_roster(member, meeting.date) or (meeting.id, member.id) in marked:
                roster += 1
    present = Counter(
        members[a.member_id].sex
        for a in marks
        if a.pokja_id == pokja_id
        and a.status == "hadir"
        and in_month(meetings[a.meeting_id].date)
        and (
            not delegates(meetings[a.meeting_id])
            or (a.meeting_id, a.member_id) in picked
        )
    )
    guest_sex = Counter(
        g.sex
        for g in guests
        if g.pokja_id == pokja_id and in_month(meetings[g.meeting_id].date)
    )
    figures = {
        "meetings": len(mine),
        "attendance.rolled": len(rolled),
        "attendance.roster": roster,
        "attendance.present": present["L"] + present["P"],
        "attendance.present.L": present["L"],
        "attendance.present.P": present["P"],
        "attendance.rate": round(100 * sum(present.values()) / roster, 1)
        if roster
        else None,
        "attendance.guests.L": guest_sex["L"],
        "attendance.guests.P": guest_sex["P"],
    }
    for kind in MEETING_KINDS:
        figures[f"meetings.{kind}"] = kinds[kind]

    entries = [a for a in activities if in_month(a.activity_date)]
    ids = {a.id for a in entries}
    figures["kie"] = len(entries)
    for kind in ("kie", "advokasi"):
        of_kind = [a for a in entries if a.activity_type == kind]
        figures[f"kie.{kind}"] = len(of_kind)
        figures[f"kie.{kind}.L"] = sum(a.participants_male for a in of_kind)
        figures[f"kie.{kind}.P"] = sum(a.participants_female for a in of_kind)
        figures[f"kie.{kind}.reach"] = sum(a.estimated_reach or 0 for a in of_kind)
    figures["kie.people.L"] = sum(a.participants_male for a in entries)
    figures["kie.people.P"] = sum(a.participants_female for a in entries)
    figures["kie.people"] = figures["kie.people.L"] + figures["kie.people.P"]
    figures["kie.reach"] = sum(a.estimated_reach or 0 for a in entries)
    methods = Counter((a.activity_type, terms[a.method_id].code) for a in entries)
    for (kind, code), n in methods.items():
        figures[f"kie.method.{kind}.{code}"] = n
    topics = Counter(
        terms[term_id].code
        for activity_id, term_id in links
        if activity_id in ids and terms[term_id].kind == "topic"
    )
    for code, n in topics.items():
        figures[f"kie.topic.{code}"] = n
    # Referrals: moments are UTC; the month is WIB.
    first, last = month.utc_bounds
    for which, moment in (
        ("opened", "created_at"),
        ("completed", "completed_at"),
        ("handed", "handed_over_at"),
    ):
        found = Counter(
            r.doc_type
            for r in referrals
            if getattr(r, moment) and first <= getattr(r, moment) < last
        )
        figures[f"referrals.{which}"] = sum(found.values())
        for code in routing.DOC_TYPES:
            figures[f"referrals.{which}.{code}"] = found[code]
        figures[f"_{which}"] = found
    durations = [
        (r.handed_over_at - r.created_at).total_seconds() / 86400
        for r in referrals
        if r.handed_over_at and first <= r.handed_over_at < last
    ]
    figures["_median"] = statistics.median(durations) if durations else None
    figures["referrals.median_days"] = (
        round(figures["_median"], 1) if durations else None
    )
    # Overdue at the month's end (now, for the running month), by the referral
    # feature's own rule applied to the status each referral had then.
    end = min(last, now or utcnow())
    overdue = 0
    for referral in referrals:
        if referral.created_at >= end:
            continue
        steps = [
            e for e in events.get(referral.id, []) if e.kind == "status" and e.at < end
        ]
        if not steps:
            continue
        step = max(steps, key=lambda e: (e.at, e.id))
        if workflow.is_overdue(step.to_status, step.at, end):
            overdue += 1
    figures["referrals.overdue"] = overdue
    figures.update(count_poktan_by_hand(app, pokja_id, month))
    figures["_labels"] = {t.code: t.label for t in terms.values()}
    figures["_topics"] = topics
    figures["_methods"] = methods
    figures["_kinds"] = kinds
    return figures


def recap_lines(app, pokja_id: int, month: Month, now=None) -> dict:
    with app.app_context():
        figures = recap.compute([pokja_id], month, now=now or utcnow()).of(pokja_id)
        lines = {line.key: line.value for line in figures.lines()}
        lines["_median"] = figures.median_days
        return lines


def assert_page_shows(body: bytes, expected: dict) -> None:
    """Every figure of the recap page's tables, read back from the HTML."""
    page = read_page(body)
    rows = page.rows
    labels = expected["_labels"]

    for kind, n in expected["_kinds"].items():
        assert [MEETING_KINDS[kind], angka(n)] in rows
    if expected["meetings"]:
        assert ["Jumlah rapat", angka(expected["meetings"])] in rows
    else:
        assert "Tidak ada rapat di bulan ini." in body.decode()
    e = expected
    assert [
        "Anggota hadir",
        angka(e["attendance.present.L"]),
        angka(e["attendance.present.P"]),
        angka(e["attendance.present"]),
    ] in rows
    assert [
        "Tamu",
        angka(e["attendance.guests.L"]),
        angka(e["attendance.guests.P"]),
        angka(e["attendance.guests.L"] + e["attendance.guests.P"]),
    ] in rows
    assert ["Anggota diundang", "", "", angka(e["attendance.roster"])] in rows
    assert ["Tingkat kehadiran", "", "", percent_text(e["attendance.rate"])] in rows
    for kind, name in (("kie", "KIE"), ("advokasi", "Advokasi")):
        assert [
            name,
            angka(e[f"kie.{kind}"]),
            angka(e[f"kie.{kind}.L"]),
            angka(e[f"kie.{kind}.P"]),
            angka(e[f"kie.{kind}.L"] + e[f"kie.{kind}.P"]),
            angka(e[f"kie.{kind}.reach"]),
        ] in rows
    assert [
        "Jumlah",
        angka(e["kie"]),
        angka(e["kie.people.L"]),
        angka(e["kie.people.P"]),
        angka(e["kie.people"]),
        angka(e["kie.reach"]),
    ] in rows
    for (kind, code), n in e["_methods"].items():
        name = {"kie": "KIE", "advokasi": "Advokasi"}[kind]
        assert [name, labels[code], angka(n)] in rows
    top = sorted(e["_topics"].items(), key=lambda kv: (-kv[1], labels[kv[0]]))[:5]
    shown = [i for i in page.items if i.endswith("kegiatan)")]
    assert shown == [f"{labels[code]} ({n} kegiatan)" for code, n in top]
    for code, label in routing.DOC_TYPES.items():
        counts = [e["_opened"][code], e["_completed"][code], e["_handed"][code]]
        if any(counts):
            assert [label, *map(angka, counts)] in rows
    assert [
        "Jumlah rujukan",
        angka(e["referrals.opened"]),
        angka(e["referrals.completed"]),
        angka(e["referrals.handed"]),
    ] in rows
    assert ["Terlambat di akhir bulan", angka(e["referrals.overdue"])] in rows
    median = next(r for r in rows if r and r[0].startswith("Median hari"))
    if e["_median"] is None:
        assert median[1] == "–"
    else:
        assert abs(float(median[1].replace(",", ".")) - e["_median"]) <= 0.051


def assert_same(counted: dict, computed: dict) -> None:
    """The recap's lines equal the hand count (zero lines may be absent)."""
    keys = {k for k in counted if not k.startswith("_")} | set(computed)
    for key in sorted(keys - {"_median", "referrals.median_days"}):
        assert computed.get(key, 0) == counted.get(key, 0), key
    # Days computed by the database and by Python agree to the second.
    if counted["_median"] is None:
        assert computed["_median"] is None
    else:
        assert abs(computed["_median"] - counted["_median"]) < 1e-5


# --- every figure against a hand count -------------------------------------------


def test_every_figure_of_a_pokja_matches_a_hand_count_on_demo_data(
    app, client, login_as
):
    """The acceptance check: the numbers for one Pokja match a count by hand."""
    with app.app_context():
        meetings_demo.seed(scale=1)
        kie_demo.seed(scale=1)
        referrals_demo.seed(scale=1)
        poktan_demo.seed(scale=1)
        units_demo.seed(scale=1)
        db.session.commit()
    login_as(make_user("staf"))
    ciwedus = factories.pokja("Ciwedus")
    for month in (last_closed_month(), MAY, Month.of(today_wib())):
        counted = count_by_hand(app, ciwedus.id, month)
        assert_same(counted, recap_lines(app, ciwedus.id, month))
        response = client.get(f"/reports/pokja/{ciwedus.id}?bulan={month}")
        assert response.status_code == 200
        assert_page_shows(response.data, counted)
    # The busy month has real figures, so the comparison above meant something.
    counted = count_by_hand(app, ciwedus.id, last_closed_month())
    assert counted["meetings"] > 5 and counted["attendance.present"] > 20
    assert counted["kie"] > 0
    assert counted["referrals.opened"] > 5 and counted["referrals.overdue"] > 0
    assert counted["_median"] is not None
    assert counted["poktan.sessions"] > 0 and counted["poktan.families"] > 5
    assert counted["units.sessions"] > 0 and counted["units.balita_weighed"] > 10
    # The orientation of 27 May 2024 invited all 12 Pokja: once for the city.
    with app.app_context():
        may = recap.compute(db.session.scalars(select(Pokja.id)).all(), MAY)
    assert may.city.meetings_by_kind["orientasi"] == 1
    assert all(f.meetings_by_kind.get("orientasi") == 1 for f in may.by_pokja.values())


def test_edge_cases_of_the_count(app, client, login_as):
    """Month bounds, a joint meeting, roster changes, off-roster marks, guests."""
    a, b = factories.pokja("Ciwedus"), factories.pokja("Bendungan")
    stays = make_member(a, name="Tetap", sex="L")
    left = make_member(
        a, name="Keluar", active_until=dt.date(2024, 5, 10), is_active=False
    )
    joined = make_member(a, name="Baru", active_from=dt.date(2024, 5, 20))
    make_member(a, name="Nonaktif", is_active=False)  # off every roster
    other = make_member(b, name="Lain", sex="L")
    first = make_meeting(a, date=dt.date(2024, 5, 1), status="selesai")
    joint = make_meeting((a, b), kind="orientasi", date=dt.date(2024, 5, 31))
    make_meeting(a, date=dt.date(2024, 5, 15))  # no roll call yet
    make_meeting(a, date=dt.date(2024, 4, 30), kind="monev")  # April
    make_meeting(a, date=dt.date(2024, 6, 1), kind="monev")  # June
    make_mark(first, stays, "hadir")
    make_mark(first, left, "hadir")  # still on the roster on 1 May
    make_mark(joint, joined, "hadir")
    make_mark(joint, left, "izin")  # marked although off the roster by then
    make_mark(joint, other, "hadir")
    make_guest(first, pokja=a, sex="P")
    make_guest(joint, pokja=None)  # a department guest: nobody's
    make_kie_activity("Ciwedus", activity_date=dt.date(2024, 5, 1), reach=None)
    make_kie_activity(
        "Ciwedus",
        activity_date=dt.date(2024, 5, 31),
        activity_type="advokasi",
        method="kunjungan_rumah",
        topics=("kb", "stunting"),
        male=2,
        female=0,
        reach=150,
    )
    make_kie_activity("Ciwedus", activity_date=dt.date(2024, 6, 1))
    make_kie_activity("Bendungan", activity_date=dt.date(2024, 5, 10))
    counted = count_by_hand(app, a.id, MAY)
    computed = recap_lines(app, a.id, MAY)
    assert_same(counted, computed)
    assert computed["meetings"] == 3 and computed["attendance.rolled"] == 2
    # 1 May: Tetap, Keluar (Baru not yet); 31 May: Tetap, Baru, Keluar (marked).
    assert computed["attendance.roster"] == 5
    assert computed["attendance.present"] == 3 and computed["attendance.rate"] == 60.0
    assert computed["attendance.guests.P"] == 1
    assert computed["kie.topic.stunting"] == 2 and computed["kie.reach"] == 150
    with app.app_context():
        city = recap.compute([a.id, b.id], MAY).city
    assert city.meetings == 3  # the joint meeting once
    assert city.meetings_by_kind["orientasi"] == 1
    assert city.present_total == 4 and city.kie() == 3
    login_as(make_user("staf"))
    response = client.get(f"/reports/pokja/{a.id}?bulan=2024-05")
    assert_page_shows(response.data, counted)


def _referral(app, pokja, doc_type: str, steps: list, staff) -> int:
    """A referral opened at steps[0] and moved through (status, when) steps."""
    from kkbweb.auth.models import User

    referral = make_referral(make_resident(pokja), doc_type)
    opened = steps[0]
    with app.app_context():
        row = db.session.get(Referral, referral.id)
        row.created_at = row.status_changed_at = opened
        db.session.execute(
            ReferralEvent.__table__.update()
            .where(ReferralEvent.referral_id == row.id)
            .values(at=opened)
        )
        user = db.session.get(User, staff.id)
        for status, when in steps[1:]:
            service.move(row, status, user, "alasan uji", when)
        db.session.commit()
    return referral.id


def test_referral_figures_at_the_month_boundaries(app, client, login_as):
    """Opened/completed/handed by WIB month, overdue from the history, median."""
    a, b = factories.pokja("Ciwedus"), factories.pokja("Bendungan")
    staff = make_user("admin")
    d = dt.datetime
    w = workflow
    happy = [w.BERKAS_LENGKAP, w.DITERUSKAN, w.DIPROSES, w.SELESAI, w.DISERAHKAN]

    def path(statuses, *moments):
        return [moments[0], *zip(statuses, moments[1:], strict=True)]

    # Opened, completed and handed over in May: 10 days.
    _referral(
        app,
        a,
        "akta_kelahiran",
        path(happy, *(d(2024, 5, n, 3) for n in (2, 3, 4, 6, 10, 12))),
        staff,
    )
    # Waiting for papers since April: overdue at the end of May (fixed in June).
    _referral(
        app,
        a,
        "kk",
        path(
            [w.BERKAS_TIDAK_LENGKAP, w.BERKAS_LENGKAP],
            d(2024, 4, 20),
            d(2024, 4, 21),
            d(2024, 6, 5),
        ),
        staff,
    )
    # 23.00 WIB on 31 May is May; 01.00 WIB on 1 June is June.
    _referral(app, a, "ktp_el", [d(2024, 5, 31, 16)], staff)
    _referral(app, a, "ktp_el", [d(2024, 5, 31, 18)], staff)
    # Cancelled in May: closed, never overdue.
    _referral(app, a, "kia", path([w.DIBATALKAN], d(2024, 4, 1), d(2024, 5, 15)), staff)
    # Issued in May, handed over in June: waiting at the Pokja at the end of May.
    # (An akta perkawinan: a buku nikah has no "dokumen terbit", it ends at the akad.)
    _referral(
        app,
        a,
        "akta_perkawinan",
        path(happy, *(d(2024, 5, n) for n in (1, 2, 3, 4, 20)), d(2024, 6, 2)),
        staff,
    )
    # A complete file not forwarded for five days: overdue (limit 3).
    _referral(
        app,
        a,
        "akta_kematian",
        path([w.BERKAS_LENGKAP], d(2024, 5, 25), d(2024, 5, 26)),
        staff,
    )
    # Opened in April, handed over in May: 8 days.
    _referral(
        app,
        a,
        "akta_kelahiran",
        path(
            happy,
            *(d(2024, 4, n) for n in (25, 26, 27, 28)),
            d(2024, 5, 1),
            d(2024, 5, 3),
        ),
        staff,
    )
    _referral(app, b, "kk", [d(2024, 5, 10)], staff)  # another Pokja
    counted = count_by_hand(app, a.id, MAY)
    computed = recap_lines(app, a.id, MAY)
    assert_same(counted, computed)
    assert computed["referrals.opened"] == 4
    assert computed["referrals.completed"] == 3
    assert computed["referrals.handed"] == 2
    assert computed["referrals.overdue"] == 3
    assert computed["_median"] == pytest.approx(9.0, abs=1e-6)
    assert computed["referrals.opened.ktp_el"] == 1
    with app.app_context():
        city = recap.compute([a.id, b.id], MAY, now=utcnow()).city
    assert city.referrals() == 5 and city.median_days == pytest.approx(9.0)
    # The REFERRAL_OVERDUE_DAYS setting moves the limits: 30 days for papers.
    with app.app_context():
        relaxed = recap.compute(
            [a.id], MAY, now=utcnow(), overdue_days={"berkas_tidak_lengkap": 60}
        ).of(a.id)
    assert relaxed.overdue == 2
    login_as(make_user("staf"))
    assert_page_shows(client.get(f"/reports/pokja/{a.id}?bulan=2024-05").data, counted)


# --- the dashboard ---------------------------------------------------------------


def _busy_city(app, months=(MAY,)) -> None:
    """Activity in several Pokja: meetings, marks, guests, KIE entries."""
    names = ["Ciwedus", "Bendungan", "Bulakan", "Kalitimbang"]
    for i, name in enumerate(names):
        member = make_member(name, sex="P" if i % 2 else "L")
        for month in months:
            for day in range(1, 2 + i):
                meeting = make_meeting(
                    name, date=month.first_day + dt.timedelta(days=day)
                )
                make_mark(meeting, member, "hadir" if day % 2 else "sakit")
            make_kie_activity(name, activity_date=month.first_day, male=i, female=5)


def test_dashboard_shows_every_pokja_side_by_side(app, client, login_as):
    _busy_city(app)
    login_as(make_user("pimpinan"))
    response = client.get("/reports/?bulan=2024-05")
    assert response.status_code == 200
    page = read_page(response.data)
    body = response.data.decode()
    assert "Mei 2024" in body
    named = [r for r in page.rows if r and _unbadged(r[0]) in POKJA_NAMES]
    assert len(named) == 12
    idle = [r for r in named if "Tidak ada kegiatan" in r[0]]
    assert len(idle) == 8  # a text badge, not colour only
    # No poktan session anywhere in this city: every Pokja is flagged for BKB.
    assert all("Tanpa sesi BKB" in r[0] for r in named)
    ciwedus = next(r for r in named if _unbadged(r[0]) == "Ciwedus")
    assert ciwedus[2:5] == ["1", "1", "100%"]
    total = next(r for r in page.rows if r and r[0] == "Kota Cilegon")
    assert total[2] == "10"  # 1 + 2 + 3 + 4 meetings
    # Previous and next month, and the month picker, work without JavaScript.
    assert 'href="/reports/?bulan=2024-04' in body
    assert 'href="/reports/?bulan=2024-06' in body
    assert '<input type="month" id="bulan" name="bulan" value="2024-05"' in body
    # Trends are inline SVG drawn with attributes, never style=; once in the
    # table and once in the phone's cards (CSS shows one of the two).
    assert body.count('<svg class="trend"') == 2 * 13
    assert "style=" not in body


POKJA_NAMES = {
    "Ciwedus",
    "Bendungan",
    "Bulakan",
    "Kalitimbang",
    "Kubangsari",
    "Banjarnegara",
    "Warnasari",
    "Citangkil",
    "Sukmajaya",
    "Kebon Dalem",
    "Kotasari",
    "Lebak Gede",
}


def _unbadged(cell: str) -> str:
    """A Pokja's name cell without its flags ('no activity', 'no BKB session')."""
    return re.sub(r" (Tidak ada kegiatan|Tanpa sesi BKB)", "", cell)


def _city_rows(body: bytes) -> dict[str, list[str]]:
    """Dashboard rows by Pokja name (the flag badges taken off)."""
    rows = {}
    for row in read_page(body).rows:
        name = _unbadged(row[0]) if row else ""
        if name in POKJA_NAMES:
            rows[name] = [name, *row[1:]]
    return rows


def _first_column(body: bytes) -> list[str]:
    return list(_city_rows(body))


def test_sorting_by_each_figure_without_javascript(app, client, login_as):
    _busy_city(app)
    login_as(make_user("staf"))
    order = _first_column(client.get("/reports/?bulan=2024-05&urut=rapat").data)
    assert order[:4] == ["Kalitimbang", "Bulakan", "Bendungan", "Ciwedus"]
    order = _first_column(
        client.get("/reports/?bulan=2024-05&urut=rapat&arah=naik").data
    )
    assert order[-4:] == ["Ciwedus", "Bendungan", "Bulakan", "Kalitimbang"]
    for key in table.SORT_KEYS:
        response = client.get(f"/reports/?bulan=2024-05&urut={key}&arah=turun")
        assert response.status_code == 200
        assert 'aria-sort="descending"' in response.data.decode()
        assert len(_first_column(response.data)) == 12
    # Rows without a rate sort last either way.
    order = _first_column(client.get("/reports/?bulan=2024-05&urut=kehadiran").data)
    assert set(order[:4]) == {"Ciwedus", "Bendungan", "Bulakan", "Kalitimbang"}
    # Nonsense falls back to the Pokja name, A-Z.
    response = client.get("/reports/?bulan=2024-05&urut=%00x&arah=zz")
    assert _first_column(response.data) == sorted(POKJA_NAMES)


def test_sorting_with_htmx_swaps_only_the_table(app, client, login_as):
    login_as(make_user("staf"))
    response = client.get("/reports/?bulan=2024-05&urut=kie", headers=HX)
    body = response.data.decode()
    assert body.startswith('<section id="kota"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-target="#kota"' in body and 'hx-push-url="true"' in body
    boosted = client.get("/reports/", headers={**HX, "HX-Boosted": "true"})
    assert b"<html" in boosted.data


def test_month_parameter_is_forgiving(app, client, login_as):
    login_as(make_user("staf"))
    last = last_closed_month()
    for raw in ("", "2024-13", "x" * 500, "2024-05%00", "-1", "9999-01"):
        response = client.get(f"/reports/?bulan={raw}")
        assert response.status_code == 200
    # A future month shows the running one; the default is the last closed month.
    assert (
        Month.of(today_wib()).label.encode()
        in client.get("/reports/?bulan=2099-01").data
    )
    assert f"· {last.label}".encode() in client.get("/reports/").data


def test_pokja_users_are_refused_the_city_and_sent_to_their_own(app, client, login_as):
    a, b = factories.pokja("Ciwedus"), factories.pokja("Bendungan")
    login_as(make_user("pokja", pokja=b))
    response = client.get("/reports/")
    assert response.status_code == 403
    assert f'href="/reports/pokja/{b.id}"'.encode() in response.data
    for url in (
        f"/reports/pokja/{a.id}",
        f"/reports/pokja/{a.id}/cetak",
        f"/reports/pokja/{a.id}/ekspor.xlsx",
        f"/reports/pokja/{a.id}/ekspor.csv",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/pokja/{a.id}/2024-05/serahkan").status_code == 404
    assert client.get("/reports/ekspor.csv").status_code == 403
    assert client.get("/reports/cetak").status_code == 403
    assert client.get(f"/reports/pokja/{b.id}").status_code == 200
    # The menu's "Laporan" leads a Pokja user to their own recap.
    home = client.get(f"/pokja/{b.id}").data.decode()
    assert f'href="/reports/pokja/{b.id}"' in home


def test_foreign_and_silly_ids_are_404(app, client, login_as):
    login_as(make_user("admin"))
    for url in (
        "/reports/pokja/999999",
        "/reports/pokja/0",
        f"/reports/pokja/{2**31}",
        "/reports/pokja/99999999999999999999",
        "/reports/pokja/1/ekspor.pdf",
        "/reports/ekspor.pdf",
    ):
        assert client.get(url).status_code == 404, url
    for bad in ("2024-13", "2099-01", "mei", "2024-05%00"):
        response = client.post(f"/reports/pokja/1/{bad}/serahkan")
        assert response.status_code == 404, bad


# --- the hand-in ---------------------------------------------------------------


def _events(app, pokja_id: int, month: Month) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(MonthlyReportEvent.action, MonthlyReportEvent.note)
            .join(MonthlyReport, MonthlyReport.id == MonthlyReportEvent.report_id)
            .where(
                MonthlyReport.pokja_id == pokja_id,
                MonthlyReport.year == month.year,
                MonthlyReport.month == month.month,
            )
            .order_by(MonthlyReportEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def _audit(app, prefix: str) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.action.startswith(prefix))
            .order_by(AuditLog.id)
        ).all()
        db.session.expunge_all()
    return rows


def test_hand_in_submit_return_resubmit_verify(app, client, login_as):
    """A Pokja submits May, staff return it with a note, it comes back, verified."""
    a = factories.pokja("Ciwedus")
    member = make_member(a)
    meeting = make_meeting(a, date=dt.date(2024, 5, 6))
    make_mark(meeting, member, "hadir")
    pokja_user = make_user("pokja", pokja=a)
    staf = make_user("staf")
    url = f"/reports/pokja/{a.id}/2024-05"
    page = f"/reports/pokja/{a.id}?bulan=2024-05"

    login_as(pokja_user)
    body = client.get(page).data.decode()
    assert "Belum diserahkan" in body and "Terlambat" in body
    assert f'action="{url}/serahkan"' in body
    response = client.post(
        f"{url}/serahkan", data={"serahkan-note": "Data sudah lengkap."}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#laporan")
    body = client.get(page).data.decode()
    assert "Laporan Mei 2024 diserahkan" in body and "Diserahkan" in body
    # The Pokja cannot review its own report, nor hand it in twice.
    assert client.post(f"{url}/verifikasi").status_code == 403
    client.post(f"{url}/serahkan")
    assert "sudah diserahkan" in client.get(page).data.decode()

    login_as(staf)
    body = client.get(page).data.decode()
    assert "Verifikasi laporan" in body and "Kembalikan ke Pokja" in body
    # Returning needs a note: refused, with the message, nothing changed.
    response = client.post(f"{url}/kembalikan", data={"kembalikan-note": "   "})
    assert response.status_code == 400
    assert "Tulis alasan laporan dikembalikan." in response.data.decode()
    response = client.post(
        f"{url}/kembalikan",
        data={"kembalikan-note": "Jumlah peserta posyandu belum masuk."},
    )
    assert response.status_code == 303

    login_as(pokja_user)
    body = client.get(page).data.decode()
    assert "Dikembalikan dinas:" in body and "posyandu belum masuk" in body
    assert "Serahkan ulang Mei 2024" in body
    assert (
        client.post(
            f"{url}/serahkan", data={"serahkan-note": "Sudah diperbaiki."}
        ).status_code
        == 303
    )

    login_as(staf)
    assert client.post(f"{url}/verifikasi").status_code == 303
    body = client.get(page).data.decode()
    assert "Diverifikasi" in body and "Verifikasi laporan" not in body
    history = read_page(body.encode()).items
    steps = [i.split(" · ")[0] for i in history if " · " in i]
    assert steps == ["Diserahkan", "Dikembalikan", "Diserahkan ulang", "Diverifikasi"]
    assert _events(app, a.id, MAY) == [
        ("diserahkan", "Data sudah lengkap."),
        ("dikembalikan", "Jumlah peserta posyandu belum masuk."),
        ("diserahkan", "Sudah diperbaiki."),
        ("diverifikasi", None),
    ]
    audit = _audit(app, "report.")
    assert [r.action for r in audit] == [
        "report.submit",
        "report.return",
        "report.submit",
        "report.verify",
    ]
    assert audit[1].after["status"] == "dikembalikan"
    assert audit[1].note == "Jumlah peserta posyandu belum masuk."
    # A verified report is final.
    login_as(pokja_user)
    client.post(f"{url}/serahkan")
    assert "sudah diverifikasi" in client.get(page).data.decode()
    assert len(_events(app, a.id, MAY)) == 4


def test_the_snapshot_is_frozen_and_compared_with_live_figures(app, client, login_as):
    a = factories.pokja("Ciwedus")
    member = make_member(a)
    make_mark(make_meeting(a, date=dt.date(2024, 5, 6)), member, "hadir")
    login_as(make_user("pokja", pokja=a))
    client.post(f"/reports/pokja/{a.id}/2024-05/serahkan")
    with app.app_context():
        report = db.session.scalars(select(MonthlyReport)).one()
        lines = {key: value for _s, key, _l, value in report.figures["lines"]}
    assert lines["meetings"] == 1 and lines["attendance.present"] == 1
    page = f"/reports/pokja/{a.id}?bulan=2024-05"
    assert "Angka berubah sejak diserahkan" not in client.get(page).data.decode()
    # A late entry for May changes the live figures, not the handed-in ones.
    make_meeting(a, date=dt.date(2024, 5, 20), kind="posyandu")
    rows = read_page(client.get(page).data).rows
    assert ["Rapat: Jumlah rapat", "1", "2"] in rows
    assert ["Rapat: Posyandu", "0", "1"] in rows


def test_only_closed_months_can_be_handed_in(app, client, login_as):
    a = factories.pokja("Ciwedus")
    login_as(make_user("pokja", pokja=a))
    current = Month.of(today_wib())
    body = client.get(f"/reports/pokja/{a.id}?bulan={current}").data.decode()
    assert "Bulan berjalan" in body and "/serahkan" not in body
    client.post(f"/reports/pokja/{a.id}/{current}/serahkan")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MonthlyReport)) == 0


def test_a_bad_note_is_refused_and_kept(app, client, login_as):
    a = factories.pokja("Ciwedus")
    login_as(make_user("pokja", pokja=a))
    typed = "Catatan panjang " + "x" * 2100
    response = client.post(
        f"/reports/pokja/{a.id}/2024-05/serahkan", data={"serahkan-note": typed}
    )
    assert response.status_code == 400
    body = response.data.decode()
    assert "Maksimal 2000 karakter." in body and typed in body
    response = client.post(
        f"/reports/pokja/{a.id}/2024-05/serahkan",
        data={"serahkan-note": typed},
        headers=HX,
    )
    assert response.status_code == 200  # htmx swaps only 2xx
    # NUL and control characters are dropped, not stored.
    client.post(
        f"/reports/pokja/{a.id}/2024-05/serahkan", data={"serahkan-note": "ok\x00\x07!"}
    )
    with app.app_context():
        assert db.session.scalar(select(MonthlyReport.note)) == "ok!"


def test_a_second_submit_of_the_same_month_makes_no_second_report(
    app, client, login_as
):
    a = factories.pokja("Ciwedus")
    make_report(a, month=(2024, 5), status="diserahkan")
    login_as(make_user("admin"))
    response = client.post(f"/reports/pokja/{a.id}/2024-05/serahkan")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MonthlyReport)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_dashboard_shows_hand_in_states_and_lateness(app, client, login_as):
    names = ["Ciwedus", "Bendungan", "Bulakan"]
    make_report(names[0], status="diverifikasi", submitted_at=dt.datetime(2024, 6, 3))
    make_report(names[1], status="dikembalikan", submitted_at=dt.datetime(2024, 6, 12))
    make_report(names[2], status="diserahkan", submitted_at=dt.datetime(2024, 6, 9, 18))
    login_as(make_user("staf"))
    rows = _city_rows(client.get("/reports/?bulan=2024-05").data)
    status = len(table.COLUMNS) + 2
    assert rows["Ciwedus"][status] == "Diverifikasi"
    assert rows["Bendungan"][status] == "Dikembalikan Terlambat"
    # 9 June 18.00 UTC is already 10 June in WIB: still on time.
    assert rows["Bulakan"][status] == "Diserahkan"
    assert rows["Kotasari"][status] == "Belum diserahkan Terlambat"
    # The deadline is configurable.
    app.config["REPORT_DEADLINE_DAY"] = 15
    rows = _city_rows(client.get("/reports/?bulan=2024-05").data)
    assert rows["Bendungan"][status] == "Dikembalikan"
    order = _first_column(client.get("/reports/?bulan=2024-05&urut=laporan").data)
    assert order[-1] == "Ciwedus"  # verified last, what needs attention first


# --- exports and print ---------------------------------------------------------------


def test_xlsx_opens_with_the_same_numbers_as_the_screen(app, client, login_as):
    _busy_city(app)
    login_as(make_user("staf"))
    screen = {
        _unbadged(r[0]): r
        for r in read_page(client.get("/reports/?bulan=2024-05").data).rows
        if r
    }
    response = client.get("/reports/ekspor.xlsx?bulan=2024-05")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == ["Kota", "Rapat", "Kehadiran", "KIE dan advokasi"]
    assert set(POKJA_NAMES) <= set(book.sheetnames)
    kota = book["Kota"]
    header = [c.value for c in kota[1]]
    by_name = {
        row[0]: dict(zip(header, row, strict=True))
        for row in kota.iter_rows(2, values_only=True)
    }
    assert len(by_name) == 13 and "Kota Cilegon (jumlah)" in by_name
    for name in ("Ciwedus", "Kalitimbang", "Kota Cilegon (jumlah)"):
        sheet_row = by_name[name]
        screen_row = screen["Kota Cilegon" if name.startswith("Kota") else name]
        for index, column in enumerate(table.COLUMNS, start=2):
            value = SHEET_VALUE[column.key](sheet_row)
            assert isinstance(value, (int, float)) or value is None, (name, column)
            assert table.fmt(value, column.kind) == screen_row[index], (name, column)
    # The Pokja sheet holds the whole recap as numbers.
    ciwedus = {r[1]: r[2] for r in book["Ciwedus"].iter_rows(2, values_only=True)}
    assert ciwedus["Jumlah rapat"] == 1 and isinstance(ciwedus["Hadir"], int)
    audit = _audit(app, "report.export")
    assert len(audit) == 1 and "xlsx" in audit[0].note


def _cell(row, header):
    value = row[header]
    return None if value == "" else value


# How each dashboard column reads from the Kota sheet.
SHEET_VALUE = {
    "rapat": lambda r: _cell(r, "Rapat"),
    "hadir": lambda r: _cell(r, "Hadir"),
    "kehadiran": lambda r: _cell(r, "Tingkat kehadiran (%)"),
    "kie": lambda r: _cell(r, "KIE"),
    "advokasi": lambda r: _cell(r, "Advokasi"),
    "peserta": lambda r: _cell(r, "Peserta L") + _cell(r, "Peserta P"),
    "rujukan": lambda r: _cell(r, "Rujukan baru"),
    "diserahkan": lambda r: _cell(r, "Diserahkan ke warga"),
    "terlambat": lambda r: _cell(r, "Terlambat akhir bulan"),
    "median": lambda r: _cell(r, "Median hari"),
    "poktan": lambda r: _cell(r, "Pertemuan poktan"),
    "keluarga": lambda r: _cell(r, "Keluarga hadir poktan (%)"),
    "bkb": lambda r: _cell(r, "Sesi BKB"),
    "posyandu": lambda r: _cell(r, "Sesi Posyandu"),
}


def test_csv_and_pokja_exports(app, client, login_as):
    _busy_city(app)
    a = factories.pokja("Kalitimbang")
    login_as(make_user("pokja", pokja=a))
    response = client.get(f"/reports/pokja/{a.id}/ekspor.csv?bulan=2024-05")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Bagian", "Uraian", "Jumlah"]
    assert ["Rapat", "Jumlah rapat", "4"] in rows
    book = load_workbook(
        io.BytesIO(client.get(f"/reports/pokja/{a.id}/ekspor.xlsx?bulan=2024-05").data)
    )
    assert book.sheetnames[0] == "Ringkasan" and "Kehadiran" in book.sheetnames
    rapat = {r[0]: r[1] for r in book["Rapat"].iter_rows(2, values_only=True)}
    assert rapat["Jumlah rapat"] == 4
    login_as(make_user("admin"))
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/reports/ekspor.csv?bulan=2024-05").data.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["Pokja", "Rapat", "Rapat dengan daftar hadir"]
    assert len(rows) == 14 and rows[-1][0] == "Kota Cilegon (jumlah)"
    assert [r.action for r in _audit(app, "report.export")] == ["report.export"] * 3
    assert all(r.action.endswith(".export") for r in _audit(app, "report."))


def test_print_views_are_a4_sheets(app, client, login_as):
    _busy_city(app)
    a = factories.pokja("Bulakan")
    login_as(make_user("staf"))
    body = client.get(f"/reports/pokja/{a.id}/cetak?bulan=2024-05").data.decode()
    assert 'class="sheet-page"' in body and "REKAP BULANAN" in body
    assert "Pokja Kampung KB Bulakan" in body and "Bulan Mei 2024" in body
    body = client.get("/reports/cetak?bulan=2024-05").data.decode()
    assert "REKAP BULANAN KAMPUNG KB" in body and body.count("<tr>") >= 13


# --- budgets ----------------------------------------------------------------------


def _seed_volume(app, per_pokja: int, first_day: int = 1) -> None:
    """Meetings, marks and KIE entries for all 12 Pokja in May 2024."""
    with app.app_context():
        everyone = db.session.scalars(select(Pokja)).all()
        db.session.expunge_all()
    for pokja in everyone:
        members = [make_member(pokja, sex="L" if i % 2 else "P") for i in range(2)]
        for day in range(first_day, first_day + per_pokja):
            meeting = make_meeting(pokja, date=dt.date(2024, 5, day))
            for member in members:
                make_mark(meeting, member)
            make_kie_activity(pokja.display_name, activity_date=dt.date(2024, 5, day))


def _measure(app, client, urls) -> list[int]:
    counts = []
    for url, headers, budget in urls:
        with count_queries(app) as q:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert q.count <= budget, (url, q.statements)
        counts.append(q.count)
        if "ekspor" not in url:
            limit = 10 * KB if headers else 30 * KB
            assert len(gzip.compress(response.data)) <= limit, url
    return counts


def test_query_budgets_and_page_weight(app, client, login_as):
    """Dashboard and recap <= 8 queries, fragment <= 4, POST <= 6, <= 30 KB;
    the same number of statements for 1 and 20 records per Pokja."""
    a = factories.pokja("Ciwedus")
    login_as(make_user("admin"))
    urls = [
        ("/reports/?bulan=2024-05", {}, 8),
        ("/reports/?bulan=2024-05&urut=hadir", HX, 4),
        (f"/reports/pokja/{a.id}?bulan=2024-05", {}, 8),
        (f"/reports/pokja/{a.id}/cetak?bulan=2024-05", {}, 8),
        ("/reports/cetak?bulan=2024-05", {}, 8),
        ("/reports/ekspor.xlsx?bulan=2024-05", {}, 8),
        (f"/reports/pokja/{a.id}/ekspor.csv?bulan=2024-05", {}, 8),
    ]
    _seed_volume(app, 1)
    for name in POKJA_NAMES:
        make_report(name, status="diserahkan")
    small = _measure(app, client, urls)
    _seed_volume(app, 19, first_day=2)
    assert _measure(app, client, urls) == small
    with count_queries(app) as q:
        response = client.post(f"/reports/pokja/{a.id}/2024-05/verifikasi")
    assert response.status_code == 303 and q.count <= 6, q.statements
    other = factories.pokja("Bendungan")
    with app.app_context():
        db.session.execute(
            MonthlyReport.__table__.update()
            .where(MonthlyReport.pokja_id == other.id)
            .values(status="dikembalikan")
        )
        db.session.commit()
    with count_queries(app) as q:
        response = client.post(f"/reports/pokja/{other.id}/2024-05/serahkan")
    assert response.status_code == 303 and q.count <= 6, q.statements
    with count_queries(app) as q:
        client.post(f"/reports/pokja/{a.id}/2024-04/serahkan")
    assert q.count <= 6, q.statements
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MonthlyReport)) == 13


# --- plain rules -------------------------------------------------------------------


def test_hand_in_rules():
    may, today = MAY, dt.date(2024, 6, 5)
    assert handin.submit_problem(None, may, today) is None
    assert handin.submit_problem("dikembalikan", may, today) is None
    assert "sudah diserahkan" in handin.submit_problem("diserahkan", may, today)
    assert "diverifikasi" in handin.submit_problem("diverifikasi", may, today)
    assert "setelah bulan berakhir" in handin.submit_problem(
        None, Month(2024, 6), today
    )
    assert handin.review_problem("diserahkan", may) is None
    assert "belum diserahkan" in handin.review_problem(None, may)
    assert handin.review_problem("dikembalikan", may)
    state = handin.state(may, dt.date(2024, 6, 11), None, None)
    assert state.late and state.label == "Belum diserahkan"
    state = handin.state(may, dt.date(2024, 7, 1), "diserahkan", dt.date(2024, 6, 10))
    assert not state.late and state.badge == "badge-info"
    assert handin.state(Month(2024, 6), dt.date(2024, 6, 30), None, None).month_open
    assert handin.deadline_day("15") == 15
    assert handin.deadline_day("x") == handin.deadline_day(40) == 10


def test_table_formats_and_sorting_rules():
    assert table.fmt(1234567) == "1.234.567"
    assert table.fmt(None) == "–" and table.fmt(None, "pct") == "–"
    assert table.fmt(66.7, "pct") == "66,7%" and table.fmt(4.25, "days") == "4,2"
    assert table.fmt(3.0, "num") == "3" and table.fmt(2.5, "num") == "2,5"
    assert table.parse_sort("hadir", None) == ("hadir", "turun")
    assert table.parse_sort("bogus", "naik") == ("pokja", "naik")
    assert table.next_direction("hadir", "hadir", "turun") == "naik"
    assert table.next_direction("laporan", "hadir", "turun") == "naik"


def test_sql_helpers_on_this_database(app):
    with app.app_context():
        meeting = make_meeting(date=dt.date(2024, 5, 31))
        row = db.session.execute(
            select(
                month_key(Meeting.date),
                wib_month_key(Meeting.created_at),
                days_between(Meeting.created_at, Meeting.created_at),
            ).where(Meeting.id == meeting.id)
        ).one()
        assert row[0] == "2024-05" and row[2] == 0
        db.session.execute(
            Meeting.__table__.update()
            .where(Meeting.id == meeting.id)
            .values(created_at=dt.datetime(2024, 5, 31, 17, 0))
        )
        row = db.session.execute(
            select(wib_month_key(Meeting.created_at)).where(Meeting.id == meeting.id)
        ).one()
        assert row[0] == "2024-06"  # midnight WIB on 1 June
        db.session.rollback()


# --- the figure registry ---------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SHOWN_KEY = re.compile(r"show\(\s*\w+\s*,\s*'([^']+)'\s*\)")


def test_every_key_a_template_shows_is_in_the_registry():
    """A mistyped key in a template fails here (and raises when rendered)."""
    used = {
        key: path.name
        for path in (ROOT / "templates" / "reports").glob("*.html")
        for key in SHOWN_KEY.findall(path.read_text())
    }
    assert len(used) >= 15, used  # the tiles and the recap tables
    assert {k: where for k, where in used.items() if k not in metrics.BY_KEY} == {}
    with pytest.raises(KeyError):
        metrics.show(recap.Figures(None), "attendance.persent")


def test_tables_and_exports_take_their_columns_from_the_registry():
    """One list: the city table, the Kota sheet and the by-type tables are views
    of the registry, and every key they name exists."""
    assert [c.key for c in table.COLUMNS] == [
        figure.column.key for figure in metrics.FIGURES if figure.column
    ]
    for header, key, kind in exports.CITY_COLUMNS:
        figure = metrics.BY_KEY[key]
        assert (figure.city, figure.kind) == (header, kind)
    assert {k for _h, k, _f in exports.CITY_COLUMNS} == {
        f.key for f in metrics.FIGURES if f.city
    }
    for family in (metrics.KIE_BY_TYPE, metrics.REFERRALS_BY_TYPE):
        assert all(c.total in metrics.BY_KEY for c in family.columns)
    # Keys are unique, and every reported one is a line of the recap.
    keys = [line.key for line in recap.Figures(None).lines()]
    assert len(keys) == len(set(keys))
    assert set(keys) == {f.key for f in metrics.FIGURES if f.reported}
    assert {m.metric for m in metrics.MEASURES} == set(metrics.BY_METRIC)


def test_the_city_adds_up_the_pokja_where_the_registry_says_so(app):
    """SUM and AT_END figures of the city are the Pokja's added up; a meeting
    of several Pokja counts once (DISTINCT)."""
    _busy_city(app)
    a, b = factories.pokja("Ciwedus"), factories.pokja("Bendungan")
    make_meeting((a, b), kind="orientasi", date=dt.date(2024, 5, 20))
    with app.app_context():
        result = recap.compute(db.session.scalars(select(Pokja.id)).all(), MAY)
    summed = Counter()
    for figures in result.by_pokja.values():
        summed.update({x.key: x.value for x in figures.lines() if x.value})
    city = {x.key: x.value for x in result.city.lines()}
    folds = {key: metrics.BY_KEY[key].fold for key in city if key in metrics.BY_KEY}
    for key, value in city.items():
        fold = folds.get(key, shapes.SUM)  # methods and topics are sums
        if fold in (shapes.SUM, shapes.AT_END):
            assert value == summed.get(key, 0), key
        elif fold == shapes.DISTINCT:
            assert value <= summed.get(key, 0), key
    assert city["meetings"] == summed["meetings"] - 1


def test_who_sees_the_city():
    """A city-wide penyelenggara sees the city pages, a Pokja-scoped one not."""

    def user(role, pokja_id=None):
        sees_all = role in ("admin", "staf", "pimpinan") or (
            role == "penyelenggara" and pokja_id is None
        )
        return SimpleNamespace(role=role, pokja_id=pokja_id, sees_all_pokja=sees_all)

    assert all(rules.sees_city(user(r)) for r in ("admin", "staf", "pimpinan"))
    assert rules.sees_city(user("penyelenggara"))
    assert not rules.sees_city(user("penyelenggara", 1))
    assert not rules.sees_city(user("pokja", 1))


def test_the_views_run_no_sql():
    source = (ROOT / "kkbweb" / "reports" / "views.py").read_text()
    for sql in ("select(", "db.session", "func.", ".where(", "insert(", "update("):
        assert sql not in source, sql
