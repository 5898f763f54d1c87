"""The fixed cost of a signed-in request, cut without changing what users see.

An unchanged session cookie is re-signed only once a minute old (its 12-hour
expiry still slides and is still checked); Flask-Limiter's per-request hooks are
off while no route has a limit (the login throttle uses its storage directly).
"""

import time

import itsdangerous.timed

from kkbweb import security
from kkbweb.auth import queries
from kkbweb.auth.models import User
from kkbweb.extensions import db, limiter
from tests import factories


def _signed_in(client, user):
    factories.put_in_session(client, user)
    with client.session_transaction() as session:
        session.permanent = True  # as the login sets it


def test_an_unchanged_session_is_resigned_only_once_a_minute_old(client, monkeypatch):
    _signed_in(client, factories.make_user("admin"))
    assert client.get("/").status_code == 200  # Flask-Login notes the session
    response = client.get("/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers

    later = time.time() + security.SESSION_RESIGN_AFTER + 1
    monkeypatch.setattr(security.time, "time", lambda: later)
    response = client.get("/")
    assert response.status_code == 200
    assert "Expires=" in response.headers["Set-Cookie"]


def test_a_session_past_its_lifetime_is_still_refused(app, client, monkeypatch):
    _signed_in(client, factories.make_user("admin"))
    assert client.get("/").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    stamp = int(time.time() + lifetime + 60)
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: stamp
    )
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_limiter_hooks_are_off_while_no_route_has_a_limit(app):
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    assert not limiter.limit_manager._decorated_limits


def test_the_signed_in_user_is_the_sessions_own_object(app):
    user_id = factories.make_user("admin", username="budi").id
    with app.test_request_context("/"):
        user = queries.signed_in_user(user_id)
        assert user.username == "budi" and user.created_at is not None
        assert db.session.get(User, user_id) is user
        assert not db.session.new and not db.session.dirty
        user.full_name = "Budi Baru"
        db.session.commit()
        db.session.remove()
        assert db.session.get(User, user_id).full_name == "Budi Baru"
        assert queries.signed_in_user(10**6) is None


def test_a_tap_builds_its_upsert_once_per_thread(app):
    from kkbweb import marks
    from kkbweb.meetings.models import Attendance

    with app.app_context():
        table = Attendance.__table__
        args = (
            db.engine.dialect.name,
            table,
            ("meeting_id", "member_id"),
            ("status",),
            (),
        )
        first = marks._statement(*args)
        assert marks._statement(*args) is first
        assert "ON CONFLICT" in str(first.compile(dialect=db.engine.dialect))
