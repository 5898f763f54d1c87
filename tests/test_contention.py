"""Writers under contention (issue 19): SQLite writers wait in line, first come
first served, and no write transaction is held while a page is rendered or a
password is hashed (either would make every other writer wait for it).

Not timed: the times are in bench/contention.py.
"""

import hashlib
import sqlite3
import threading
import time

import pytest
from flask import before_render_template, url_for
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from kkbweb import database
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.meetings.models import Attendance
from kkbweb.reports.months import Month
from kkbweb.timeutil import today_wib
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.matrix import ROLES
from tests.querycount import count_queries
from tests.test_access_matrix import _access, build_world
from tests.test_reports import _city_rows

sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="SQLite's database-wide write lock"
)


def _wait_until(condition, seconds: float = 10.0) -> None:
    """Poll until ``condition()`` holds (a thread has reached its wait)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_fair_lock_serves_waiters_in_arrival_order():
    lock = database.FairLock()
    assert lock.acquire()
    order, threads = [], []
    for n in range(6):
        thread = threading.Thread(
            target=lambda n=n: (lock.acquire(), order.append(n), lock.release())
        )
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=n: lock.waiting == n + 1)  # n is in line before n+1
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order == list(range(6))


def test_fair_lock_waiter_that_gives_up_leaves_the_line():
    lock = database.FairLock()
    assert lock.acquire()
    assert lock.acquire(timeout=0.01) is False
    assert lock.waiting == 0
    lock.release()
    assert lock.acquire(timeout=0.01)  # free again: nobody was left in line


@sqlite_only
def test_writers_waiting_for_the_write_lock_commit_in_arrival_order(app):
    """Eight POST transactions arrive one after another while a ninth holds the
    lock; they commit in the order they arrived (SQLite's busy handler alone
    lets whichever retry comes first win)."""
    factories.make_user("admin")
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    queue = database.queue_for(path)
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            with app.test_request_context(method="POST"):
                db.session.add(AuditLog(action=f"antre.{n}"))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    with app.test_request_context(method="POST"):
        db.session.scalar(select(func.count()).select_from(AuditLog))  # holds it
        assert database.holds_write_turn()
        threads = []
        for n in range(8):
            thread = threading.Thread(target=writer, args=(n,))
            thread.start()
            threads.append(thread)
            _wait_until(lambda n=n: queue.lock.waiting == n + 1)
        db.session.commit()
        db.session.remove()
    for thread in threads:
        thread.join(20)
    assert errors == []
    with app.app_context():
        actions = db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.action.like("antre.%"))
            .order_by(AuditLog.id)
        ).all()
    assert actions == [f"antre.{n}" for n in range(8)]


@sqlite_only
def test_a_failed_write_lets_the_next_writer_in(app):
    """A transaction that ends in an error (rollback) still gives up its turn."""
    factories.make_user("admin")
    with app.test_request_context(method="POST"):
        db.session.scalar(select(func.count()).select_from(AuditLog))
        db.session.rollback()
        assert not database.holds_write_turn()
    with app.test_request_context(method="POST"):
        db.session.scalar(select(func.count()).select_from(AuditLog))
        with pytest.raises(OperationalError):
            db.session.execute(text("INSERT INTO no_such_table VALUES (1)"))
    assert not database.holds_write_turn()  # the request's teardown let go
    done = threading.Event()

    def writer():
        with app.test_request_context(method="POST"):
            db.session.add(AuditLog(action="berikutnya"))
            db.session.commit()
            db.session.remove()
        done.set()

    threading.Thread(target=writer).start()
    assert done.wait(5), "the next writer never got its turn"


# -- nothing slow inside a write transaction -------------------------------------


@pytest.fixture
def write_probe(app, monkeypatch):
    """Before every template render and every scrypt hash, try to take SQLite's
    write lock from another connection: "locked" means the request holds a
    write transaction through the render or the hash."""
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    found: list[str] = []

    def probe(what: str) -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            found.append(what)
        finally:
            other.close()

    def on_render(_app, template, context, **_extra):
        probe(f"render {template.name}")

    real_scrypt = hashlib.scrypt

    def scrypt(*args, **kwargs):
        probe("scrypt")
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", scrypt)
    before_render_template.connect(on_render, app)
    yield found
    before_render_template.disconnect(on_render, app)


@sqlite_only
def test_the_probe_sees_a_write_transaction(app, write_probe):
    """The probe itself: a render inside a transaction that wrote is caught (one
    that only read is ended before the render: kkbweb/database.py)."""
    with app.test_request_context(method="POST"):
        db.session.add(AuditLog(action="uji.tulis"))
        db.session.flush()
        from flask import render_template_string

        render_template_string("x")  # a string template has no name
        hashlib.scrypt(b"x", salt=b"y", n=2, r=1, p=1)
        db.session.rollback()
    assert write_probe == ["render None", "scrypt"]


@sqlite_only
def test_a_refused_form_renders_after_its_reads_are_ended(app, write_probe):
    """Reads only, then a render: the transaction ends first, what it loaded
    stays readable without a new statement."""
    user = factories.make_user("admin")
    with app.test_request_context(method="POST"):
        from flask import render_template_string

        from kkbweb.auth.models import User

        loaded = db.session.get(User, user.id)
        assert database.holds_write_turn()
        assert render_template_string("{{ name }}", name=loaded.username)
        assert not database.holds_write_turn()
        assert loaded.username == user.username
    assert write_probe == []


@sqlite_only
def test_no_write_renders_or_hashes_inside_its_transaction(app, client, write_probe):
    """Every POST route of the role x route matrix, as the first role allowed,
    with the matrix's form body, with and without htmx; and the common writes
    with real data: a roll-call tap, a login, a password change."""
    world = build_world()
    seen = []
    for (endpoint, method), entry in sorted(_access().items()):
        if method != "POST":
            continue
        role = next(
            (r for r in ROLES if r != "anonymous" and entry.expected[r] < 400), None
        )
        if role is None:
            continue
        with app.test_request_context():
            url = url_for(endpoint, **entry.args(world))
        data = entry.data(world) if entry.data else {}
        for headers in ({}, {"HX-Request": "true"}):
            client.delete_cookie("kkbweb_session")
            factories.put_in_session(client, world[role])
            before = len(write_probe)
            response = client.post(url, data=data, headers=headers)
            seen.append(endpoint)
            assert response.status_code < 500, (endpoint, response.status_code)
            if len(write_probe) > before:
                write_probe[before:] = [
                    f"{endpoint} ({'htmx' if headers else 'form'}): {what}"
                    for what in write_probe[before:]
                ]
    assert len(set(seen)) >= 40  # the matrix's POST routes were reached
    assert write_probe == [], "\n".join(write_probe)


@sqlite_only
def test_a_tap_login_and_password_change_render_and_hash_outside(
    app, client, write_probe
):
    meeting, member, organiser = _roll_call()
    client.post(
        "/auth/login",
        data={"username": organiser.username, "password": factories.PASSWORD},
    )
    for status in ("hadir", "izin"):
        response = client.post(
            f"/meetings/{meeting}/attendance/{member}",
            data={"status": status},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
    response = client.post(
        "/auth/password",
        data={
            "current": factories.PASSWORD,
            "new": "kalimat-baru-yang-panjang",
            "confirm": "kalimat-baru-yang-panjang",
        },
    )
    assert response.status_code == 303
    assert write_probe == []


def _roll_call():
    """An ongoing meeting with one person on its roll call, and its organiser."""
    pokja = factories.pokja("Ciwedus")
    organiser = factories.make_user("penyelenggara", pokja=pokja)
    member = factories.make_member(pokja, name="Siti Uji")
    meeting = factories.make_meeting(pokja, status="berlangsung")
    return meeting.id, member.id, organiser


# -- the reports' cache of closed months -----------------------------------------


def _dashboard(client, month) -> tuple[list[str], int]:
    """Ciwedus's row of the city dashboard for ``month``."""
    response = client.get(f"/reports/?bulan={month}")
    assert response.status_code == 200
    return _city_rows(response.data)["Ciwedus"]


def test_a_later_edit_of_a_closed_month_shows_at_once(app, client, login_as):
    """The second view of a closed month comes from the cache (fewer statements);
    a correction made afterwards, here a roll-call tap on last month's meeting
    and a KIE entry added to that month, shows on the very next view."""
    month = Month.of(today_wib()).previous()
    pokja = factories.pokja("Ciwedus")
    present, other = factories.make_member(pokja), factories.make_member(pokja)
    meeting = factories.make_meeting(pokja, status="selesai", date=month.first_day)
    factories.make_mark(meeting, present, "hadir")
    factories.make_mark(meeting, other, "hadir")
    login_as(factories.make_user("admin"))

    with count_queries(app) as first:
        before = _dashboard(client, month)
    with count_queries(app) as second:
        assert _dashboard(client, month) == before
    assert second.count < first.count  # the figures were not computed again

    tapped = client.post(
        f"/meetings/{meeting.id}/attendance/{other.id}",
        data={"status": "tidak_hadir"},
    )
    assert tapped.status_code == 303
    after = _dashboard(client, month)
    assert before[4] == "100%" and after[4] == "50%"  # attended / invited

    factories.make_kie_activity("Ciwedus", activity_date=month.first_day)
    assert _dashboard(client, month) != after  # an added row: a new write mark


def test_the_running_month_is_never_cached(app, client, login_as):
    """Even a change that leaves no trace in the write mark (made straight in
    the database) shows at once for the running month."""
    month = Month.of(today_wib())
    pokja = factories.pokja("Ciwedus")
    member = factories.make_member(pokja)
    meeting = factories.make_meeting(pokja, status="selesai", date=today_wib())
    factories.make_mark(meeting, member, "hadir")
    login_as(factories.make_user("admin"))
    before = _dashboard(client, month)
    with app.app_context():
        db.session.execute(
            update(Attendance)
            .where(Attendance.meeting_id == meeting.id)
            .values(status="izin")
        )
        db.session.commit()
    after = _dashboard(client, month)
    assert before[4] == "100%" and after[4] == "0%"


@sqlite_only
def test_a_connection_that_commits_and_begins_again_keeps_one_turn(app):
    """A Core connection (Alembic does this between steps) commits and writes
    again before it goes back to the pool; then the next writer gets in."""
    with app.app_context():
        with db.engine.connect() as connection:
            for n in range(3):
                connection.execute(insert(AuditLog).values(action=f"uji.{n}"))
                connection.commit()
            assert database.holds_write_turn()
        assert not database.holds_write_turn()
    done = threading.Event()

    def writer():
        with app.test_request_context(method="POST"):
            db.session.add(AuditLog(action="sesudahnya"))
            db.session.commit()
            db.session.remove()
        done.set()

    threading.Thread(target=writer).start()
    assert done.wait(5), "the connection's turn was never given back"
