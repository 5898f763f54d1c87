"""The batch of queued roll-call marks and walk-ins (meetings.offline.*): each
entry applied exactly once by its key, the rule for two devices, refusals with a
reason, another user's outbox, CSRF, and the query budget."""

import datetime as dt
import gzip
import secrets
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.meetings import offline_batch
from kkbweb.meetings.models import Attendance, Meeting, MeetingGuest, OfflineEntry
from kkbweb.pokja.seed import seed_pokja
from kkbweb.timeutil import utcnow
from tests import factories
from tests.conftest import make_app
from tests.factories import make_mark, make_meeting, make_member, make_user
from tests.querycount import count_queries
from tests.test_migrations import _empty_database, _migrated_app, _row_counts

EPOCH = dt.datetime(1970, 1, 1)


def ms(moment: dt.datetime) -> int:
    return int((moment - EPOCH).total_seconds() * 1000)


def now_ms(minutes: float = 0) -> int:
    return ms(utcnow() + dt.timedelta(minutes=minutes))


def key() -> str:
    return secrets.token_hex(16)


def mark(member_id, status="hadir", at=None, k=None) -> dict:
    return {
        "key": k or key(),
        "kind": "mark",
        "member": member_id,
        "status": status,
        "at": now_ms() if at is None else at,
    }


def guest(name="Bu Tamu", sex="P", k=None, **extra) -> dict:
    return {"key": k or key(), "kind": "guest", "name": name, "sex": sex, **extra}


def send(client, meeting, user, entries):
    return client.post(
        f"/meetings/{meeting.id}/offline",
        json={"user": user.id, "entries": entries},
    )


def counts(app, meeting_id):
    """(attendance rows, audit rows of marks, guests) of a meeting."""
    with app.app_context():
        marks = db.session.scalar(
            select(func.count()).where(Attendance.meeting_id == meeting_id)
        )
        audits = db.session.scalar(
            select(func.count()).where(AuditLog.action.like("attendance.mark%"))
        )
        guests = db.session.scalar(
            select(func.count()).where(MeetingGuest.meeting_id == meeting_id)
        )
    return marks, audits, guests


def statuses(app, meeting_id) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(
            select(Attendance.member_id, Attendance.status).where(
                Attendance.meeting_id == meeting_id
            )
        )
        return dict(rows.all())


@pytest.fixture
def hall():
    """A running Ciwedus meeting with five members and its organiser."""
    meeting = make_meeting("Ciwedus", status="berlangsung")
    members = [make_member(name=f"Warga {i}") for i in range(5)]
    return meeting, members, make_user("penyelenggara", pokja="Ciwedus")


def test_a_batch_lands_exactly_once_and_a_resend_changes_nothing(app, login_as, hall):
    meeting, members, user = hall
    client = login_as(user)
    entries = [mark(m.id, "hadir") for m in members[:4]]
    entries += [mark(members[4].id, "izin"), guest(affiliation="Puskesmas")]
    first = send(client, meeting, user, entries)
    assert first.status_code == 200
    results = first.get_json()["results"]
    assert [r["ok"] for r in results] == [True] * 6
    assert [r.get("status") for r in results[:5]] == ["hadir"] * 4 + ["izin"]
    assert counts(app, meeting.id) == (5, 5, 1)
    # The same outbox twice more (a duplicated outbox, a lost answer).
    for _ in range(2):
        again = send(client, meeting, user, entries + entries)
        assert [r["ok"] for r in again.get_json()["results"]] == [True] * 6
    assert counts(app, meeting.id) == (5, 5, 1)
    assert statuses(app, meeting.id)[members[4].id] == "izin"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OfflineEntry)) == 6
        name = db.session.scalar(select(MeetingGuest.affiliation))
    assert name == "Puskesmas"


def test_two_devices_the_later_mark_wins_and_both_are_audited(app, login_as, hall):
    meeting, members, user = hall
    other = make_user("staf")
    person = members[0].id
    # Device A (the organiser) marked izin at 10 minutes ago, device B (staf)
    # hadir 5 minutes ago; B sends first, then A: B's later mark stays.
    b = login_as(other)
    send(b, meeting, other, [mark(person, "hadir", at=now_ms(-5))])
    a = login_as(user)
    answer = send(a, meeting, user, [mark(person, "izin", at=now_ms(-10))])
    result = answer.get_json()["results"][0]
    assert result["ok"] and result["status"] == "hadir"
    assert result["note"] == offline_batch.LATER_WINS
    assert statuses(app, meeting.id) == {person: "hadir"}
    with app.app_context():
        trail = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.action.like("attendance.mark%"))
            .order_by(AuditLog.id)
        ).all()
        trail = [(r.action, r.after["status"], r.username) for r in trail]
    assert trail == [
        ("attendance.mark", "hadir", other.username),
        ("attendance.mark_not_applied", "izin", user.username),
    ]


def test_a_later_device_mark_replaces_an_earlier_one(app, login_as, hall):
    meeting, members, user = hall
    person = members[1].id
    client = login_as(user)
    send(client, meeting, user, [mark(person, "sakit", at=now_ms(-20))])
    answer = send(client, meeting, user, [mark(person, "hadir", at=now_ms(-2))])
    assert answer.get_json()["results"][0]["status"] == "hadir"
    assert statuses(app, meeting.id) == {person: "hadir"}


def test_a_clock_in_the_future_is_clamped_to_the_receipt(app, login_as, hall):
    meeting, members, user = hall
    person = members[2].id
    client = login_as(user)
    # A device whose clock is a day ahead marks first; an online tap made after
    # its receipt still wins, as the rule says.
    send(client, meeting, user, [mark(person, "sakit", at=now_ms(24 * 60))])
    client.post(f"/meetings/{meeting.id}/attendance/{person}", data={"status": "izin"})
    assert statuses(app, meeting.id) == {person: "izin"}
    with app.app_context():
        held = db.session.scalar(select(OfflineEntry.device_at))
    assert held <= utcnow()


def test_within_one_batch_the_last_mark_of_a_person_wins(app, login_as, hall):
    meeting, members, user = hall
    person = members[0].id
    client = login_as(user)
    at = now_ms(-1)
    entries = [mark(person, "izin", at=at), mark(person, "hadir", at=at)]
    results = send(client, meeting, user, entries).get_json()["results"]
    assert [r["status"] for r in results] == ["hadir", "hadir"]
    assert statuses(app, meeting.id) == {person: "hadir"}
    assert counts(app, meeting.id)[1] == 2  # both marks in the trail


def test_a_locked_meeting_refuses_every_entry_with_the_reason(app, login_as, hall):
    meeting, members, _ = hall
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "selesai"
        db.session.commit()
    pokja_user = make_user("pokja", pokja="Ciwedus")
    client = login_as(pokja_user)
    entries = [mark(members[0].id), guest()]
    results = send(client, meeting, pokja_user, entries).get_json()["results"]
    assert [r["reason"] for r in results] == [offline_batch.LOCKED] * 2
    assert counts(app, meeting.id) == (0, 0, 0)
    # Refused entries are not spent: reopened, the same keys go through.
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "berlangsung"
        db.session.commit()
    again = send(client, meeting, pokja_user, entries).get_json()["results"]
    assert [r["ok"] for r in again] == [True, True]
    assert counts(app, meeting.id) == (1, 1, 1)


def test_a_person_no_longer_listed_is_refused_others_go_through(app, login_as, hall):
    meeting, members, user = hall
    outsider = make_member("Bendungan", name="Warga Lain")
    client = login_as(user)
    entries = [mark(members[0].id), mark(outsider.id), mark(999999)]
    results = send(client, meeting, user, entries).get_json()["results"]
    assert [r["ok"] for r in results] == [True, False, False]
    assert results[1]["reason"] == offline_batch.NOT_LISTED
    assert statuses(app, meeting.id) == {members[0].id: "hadir"}


def test_bad_entries_are_refused_with_a_reason_never_a_500(app, login_as, hall):
    meeting, members, user = hall
    client = login_as(user)
    entries = [
        mark(members[0].id, status="datang"),
        {"key": key(), "kind": "mark", "member": "1; drop", "status": "hadir"},
        guest(name="   "),
        guest(sex="X"),
        guest(name="A" * 101),
        {"key": key(), "kind": "lain"},
        {"key": "pendek"},  # no usable key: nothing to answer
        "bukan entri",
        mark(members[1].id, at="kemarin"),
    ]
    answer = send(client, meeting, user, entries)
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert [r["ok"] for r in results] == [False] * 6 + [True]
    assert results[2]["reason"] == offline_batch.GUEST_NAME
    assert results[3]["reason"] == offline_batch.GUEST_SEX
    for body in (None, [], {"entries": "x"}, {"entries": [{}] * 101}):
        refused = client.post(f"/meetings/{meeting.id}/offline", json=body)
        assert refused.status_code == 400
    assert client.post(f"/meetings/{meeting.id}/offline", data="{").status_code == 400


def test_a_batch_of_another_user_is_refused(app, login_as, hall):
    meeting, members, user = hall
    someone = make_user("penyelenggara", pokja="Ciwedus")
    client = login_as(someone)
    answer = send(client, meeting, user, [mark(members[0].id)])
    assert answer.status_code == 403
    assert "pengguna lain" in answer.get_json()["error"]
    assert counts(app, meeting.id) == (0, 0, 0)


def test_another_pokja_gets_404_and_its_guests_pokja_is_refused(app, login_as, hall):
    meeting, members, _ = hall
    stranger = make_user("pokja", pokja="Bendungan")
    client = login_as(stranger)
    assert send(client, meeting, stranger, [mark(members[0].id)]).status_code == 404
    assert client.get(f"/meetings/{meeting.id}/offline").status_code == 404
    staf = make_user("staf")
    client = login_as(staf)
    bendungan = factories.pokja("Bendungan").id
    results = send(client, meeting, staf, [guest(pokja=bendungan)]).get_json()
    assert results["results"][0]["reason"] == offline_batch.GUEST_POKJA


def test_the_state_gives_the_user_a_fresh_token_and_whether_open(app, login_as, hall):
    meeting, _, user = hall
    client = login_as(user)
    state = client.get(f"/meetings/{meeting.id}/offline")
    assert state.headers["Cache-Control"].startswith("no-store")
    body = state.get_json()
    assert body["user"] == user.id and body["open"] and body["csrf"]


def test_logged_out_the_device_is_told_401_and_keeps_its_entries(app, client, hall):
    meeting, members, user = hall
    answer = client.post(
        f"/meetings/{meeting.id}/offline",
        json={"user": user.id, "entries": [mark(members[0].id)]},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 401
    assert counts(app, meeting.id) == (0, 0, 0)


def test_a_batch_needs_the_csrf_token(tmp_path, _postgres_schema):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    factories.bind(app)
    try:
        meeting = make_meeting("Ciwedus", status="berlangsung")
        member = make_member()
        user = make_user("penyelenggara", pokja="Ciwedus")
        client = app.test_client()
        factories.put_in_session(client, user)
        body = {"user": user.id, "entries": [mark(member.id)]}
        url = f"/meetings/{meeting.id}/offline"
        assert client.post(url, json=body).status_code == 400
        token = client.get(url).get_json()["csrf"]
        ok = client.post(url, json=body, headers={"X-CSRFToken": token})
        assert ok.status_code == 200
        assert statuses(app, meeting.id) == {member.id: "hadir"}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_batch_of_60_costs_at_most_6_queries_like_a_batch_of_1(app, login_as):
    meeting = make_meeting("Ciwedus", status="berlangsung")
    ids = factories.make_members("Ciwedus", count=60)
    user = make_user("penyelenggara", pokja="Ciwedus")
    client = login_as(user)
    make_mark(meeting, type("M", (), {"id": ids[0], "pokja_id": factories.pokja().id}))
    seen = []
    for batch in ([mark(ids[1]), guest()], [mark(i) for i in ids[2:]] + [guest()]):
        with count_queries(app) as q:
            answer = send(client, meeting, user, batch)
        assert answer.status_code == 200
        seen.append(q.count)
    assert seen[0] == seen[1] <= 6, seen
    assert counts(app, meeting.id)[0] == 60


# --- the page, the service worker, the budget -------------------------------------


def test_our_javascript_stays_within_4_kb_compressed(app):
    """QUALITY.md: our own JavaScript (service worker + outbox) <= 4 KB gzipped."""
    folder = Path(app.static_folder) / "js"
    sizes = {p.name: len(gzip.compress(p.read_bytes())) for p in folder.glob("*.js")}
    # The portal's copy.js is a page script of its own, not part of the roll call.
    assert sizes["offline.js"] + sizes["sw.js"] <= 4096, sizes


def test_the_service_worker_is_served_at_the_root_never_cached(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Service-Worker-Allowed"] == "/"
    assert "no-store" in answer.headers["Cache-Control"]
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert b"caches" in answer.data


def test_the_roll_call_offers_offline_only_to_organisers_without_inline_script(
    app, login_as, hall
):
    meeting, _, user = hall
    html = login_as(user).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert '<div id="offline" class="offline" hidden' in html
    assert f'data-batch="/meetings/{meeting.id}/offline"' in html
    assert 'data-open="1"' in html and "Siapkan untuk offline" in html
    assert f'data-uid="{user.id}"' in html
    assert "<script>" not in html and "/static/js/offline.js?v=" in html
    viewer = make_user("pimpinan")
    html = login_as(viewer).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="offline"' not in html


def test_a_finished_meeting_tells_the_phone_to_drop_its_copy(app, login_as, hall):
    meeting, _, user = hall
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "selesai"
        db.session.commit()
    html = login_as(user).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'data-open="0"' in html


def test_0015_keeps_every_row_of_0011_and_starts_with_no_keys(tmp_path):
    """Marks and guests made before the offline roll call keep their rows; the
    table of applied keys starts empty and takes a key once."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0011_poktan")
            seed_pokja()
            now = "2026-11-30 03:00:00"
            for statement in (
                "INSERT INTO meeting (id, kind, title, date, place, status, "
                "created_at, updated_at) VALUES (1, 'rapat_pokja', 'Rapat', "
                "'2026-11-30', 'Balai RW', 'berlangsung', :now, :now)",
                "INSERT INTO meeting_guest (id, meeting_id, name, sex, created_at) "
                "VALUES (1, 1, 'Tamu Satu', 'P', :now)",
                "INSERT INTO users (id, username, full_name, role, password_hash, "
                "active, must_change_password, session_version, created_at) VALUES "
                "(1, 'org', 'Org', 'staf', 'x', true, false, 1, :now)",
            ):
                db.session.execute(text(statement), {"now": now})
            db.session.commit()
            # The migrations between (0012-0014 seed their own rows) run first.
            upgrade(revision="0014_adminduk")
            before = _row_counts()
            db.session.commit()
            upgrade(revision="0015_offline_marks")
            after = _row_counts()
            assert {table: after[table] for table in before} == before
            assert after["offline_entry"] == 0
            insert = text(
                "INSERT INTO offline_entry (key, meeting_id, user_id, kind, "
                "device_at, received_at) VALUES (:k, 1, 1, 'mark', :now, :now)"
            )
            db.session.execute(insert, {"k": "a" * 32, "now": now})
            db.session.commit()
            with pytest.raises(IntegrityError):
                db.session.execute(insert, {"k": "a" * 32, "now": now})
                db.session.commit()
            db.session.rollback()
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_the_same_batch_sent_by_8_threads_at_once_lands_once(app, hall):
    """A phone that resends while its first send is still running (a flaky hall)."""
    meeting, members, user = hall
    entries = [mark(m.id, "hadir") for m in members] + [guest()]
    barrier = threading.Barrier(8)
    results, errors = [], []

    def work(client):
        try:
            barrier.wait(timeout=30)
            results.append(send(client, meeting, user, entries).status_code)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    clients = []
    for _ in range(8):
        client = app.test_client()
        factories.put_in_session(client, user)
        clients.append(client)
    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and results == [200] * 8
    assert counts(app, meeting.id) == (5, 5, 1)
