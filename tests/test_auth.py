"""Logins: throttling, sessions that die, safe redirects, password rules, user admin."""

import pytest
from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.auth.models import User
from kkbweb.auth.views import LOGIN_FAILED, LOGIN_THROTTLED
from kkbweb.extensions import db
from kkbweb.requests import is_local_path
from tests import factories
from tests.factories import PASSWORD


def test_login_page_is_indonesian(client):
    body = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="id">' in body
    assert "Nama pengguna" in body and "Kata sandi" in body


def test_login_then_logout(client, auth):
    user = factories.make_user("staf", username="staf.satu")
    response = auth.login("staf.satu")
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 303
    assert client.get("/").status_code == 302
    assert user.username == "staf.satu"


def test_username_is_case_insensitive(client, auth):
    factories.make_user("staf", username="siti")
    assert auth.login("  SITI ").status_code == 303


def test_wrong_password_and_unknown_user_get_the_same_answer(client, auth):
    factories.make_user("staf", username="agus")
    wrong = auth.login("agus", "salah-sekali-123")
    unknown = auth.login("tidak.ada", "salah-sekali-123")
    assert wrong.status_code == unknown.status_code == 200
    assert LOGIN_FAILED in wrong.get_data(as_text=True)
    assert LOGIN_FAILED in unknown.get_data(as_text=True)


def test_failed_logins_are_audited(app, auth):
    factories.make_user("staf", username="agus")
    auth.login("agus", "salah-sekali-123")
    with app.app_context():
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "login.failed")
        ).one()
    assert "agus" in row.note


@pytest.mark.parametrize("username", ["agus", "tidak.ada"])
def test_five_failures_then_429_even_with_the_right_password(client, auth, username):
    factories.make_user("staf", username="agus")
    for _ in range(5):
        assert auth.login(username, "salah-sekali-123").status_code == 200
    throttled = auth.login(username, PASSWORD)
    assert throttled.status_code == 429
    assert LOGIN_THROTTLED in throttled.get_data(as_text=True)


def test_throttle_is_per_username(client, auth):
    factories.make_user("staf", username="agus")
    factories.make_user("staf", username="budi")
    for _ in range(5):
        auth.login("agus", "salah-sekali-123")
    assert auth.login("agus", PASSWORD).status_code == 429
    assert auth.login("budi", PASSWORD).status_code == 303


def test_successful_logins_do_not_count(client, auth):
    factories.make_user("staf", username="agus")
    for _ in range(6):
        assert auth.login("agus").status_code == 303
        auth.logout()


def test_copied_cookie_dies_after_logout(app, auth, client):
    factories.make_user("staf", username="agus")
    auth.login("agus")
    stolen = client.get_cookie("kkbweb_session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("kkbweb_session", stolen)
    assert thief.get("/").status_code == 302


def test_deactivation_ends_the_session_on_the_next_request(app, auth, client):
    user = factories.make_user("staf", username="agus")
    auth.login("agus")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login("agus").status_code == 200  # refused like a wrong password


def test_admin_deactivating_a_user_kills_their_session(app, login_as):
    admin = factories.make_user("admin")
    target = factories.make_user("staf", username="agus")
    victim = app.test_client()
    factories.put_in_session(victim, target)
    assert victim.get("/").status_code == 200
    client = login_as(admin)
    response = client.post(
        f"/auth/users/{target.id}",
        data={"username": "agus", "full_name": "Agus", "role": "staf", "pokja_id": ""},
    )
    assert response.status_code == 303
    assert victim.get("/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action)).all()
    assert "user.deactivate" in actions


def test_password_change_ends_other_sessions_but_keeps_this_one(app, auth, client):
    user = factories.make_user("staf", username="agus")
    other_device = app.test_client()
    factories.put_in_session(other_device, user)
    auth.login("agus")
    response = client.post(
        "/auth/password",
        data={
            "current": PASSWORD,
            "new": "kalimat baru yang panjang",
            "confirm": "kalimat baru yang panjang",
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    auth.logout()
    assert auth.login("agus", "kalimat baru yang panjang").status_code == 303


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("pendek", "minimal 10 karakter"),
        ("agus.santoso", "tidak boleh sama dengan nama pengguna"),
        (PASSWORD, "harus berbeda"),
    ],
)
def test_password_rules(auth, client, new, message):
    factories.make_user("staf", username="agus.santoso")
    auth.login("agus.santoso")
    response = client.post(
        "/auth/password", data={"current": PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_password_is_hashed_with_strong_scrypt(app):
    user = factories.make_user("staf")
    method = user.password_hash.split("$")[0]
    kind, n, r, p = method.split(":")
    assert kind == "scrypt" and int(n) >= 2**15 and int(r) >= 8 and int(p) >= 3


def test_admin_set_password_must_be_changed_first(client, auth):
    factories.make_user("pokja", username="baru", must_change_password=True)
    response = auth.login("baru")
    assert response.headers["Location"].endswith("/auth/password")
    assert client.get("/").headers["Location"].endswith("/auth/password")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:/evil",
        "javascript:alert(1)",
        "",
    ],
)
def test_next_refuses_other_sites(client, auth, target):
    factories.make_user("staf", username="agus")
    response = auth.login("agus", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_next_accepts_a_local_path(client, auth):
    factories.make_user("admin", username="rina")
    response = auth.login("rina", query_string={"next": "/audit/?aksi=login"})
    assert response.headers["Location"] == "/audit/?aksi=login"
    assert is_local_path("/pokja/1")


def test_login_redirect_remembers_the_page(client):
    response = client.get("/audit/?aksi=login")
    assert response.status_code == 302
    assert "next=/audit/?aksi%3Dlogin" in response.headers["Location"]


def test_admin_creates_a_pokja_user_who_sees_only_their_pokja(app, auth, client):
    """The acceptance path: admin creates a Ciwedus user; that user lands on Ciwedus."""
    factories.make_user("admin", username="rina")
    auth.login("rina")
    ciwedus, bendungan = factories.pokja("Ciwedus"), factories.pokja("Bendungan")
    response = client.post(
        "/auth/users/new",
        data={
            "username": "operator.ciwedus",
            "full_name": "Operator Ciwedus",
            "role": "pokja",
            "pokja_id": str(ciwedus.id),
            "password": "sandi-awal-ciwedus",
            "active": "y",
        },
    )
    assert response.status_code == 303
    auth.logout()
    assert auth.login("operator.ciwedus", "sandi-awal-ciwedus").status_code == 303
    client.post(
        "/auth/password",
        data={
            "current": "sandi-awal-ciwedus",
            "new": "sandi sendiri ciwedus",
            "confirm": "sandi sendiri ciwedus",
        },
    )
    home = client.get("/")
    assert home.headers["Location"] == f"/pokja/{ciwedus.id}"
    page = client.get(home.headers["Location"]).get_data(as_text=True)
    assert "Ciwedus" in page and "Bendungan" not in page
    assert client.get(f"/pokja/{bendungan.id}").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "pokja", "pokja_id": ""}, "Pengguna Pokja harus memilih Pokja"),
        ({"role": "staf", "pokja_id": "POKJA"}, "kosongkan pilihan Pokja"),
        ({"username": "Ada Spasi"}, "Nama pengguna tidak valid"),
        ({"password": "pendek"}, "minimal 10 karakter"),
        ({"username": "rina"}, "sudah dipakai"),
        ({"pokja_id": "999999"}, "Pilihan tidak valid"),
        ({"role": "raja"}, "Pilihan tidak valid"),
    ],
)
def test_user_form_rejects_bad_input_and_keeps_it(login_as, data, message):
    client = login_as(factories.make_user("admin", username="rina"))
    ciwedus = factories.pokja("Ciwedus")
    form = {
        "username": "baru.satu",
        "full_name": "Nama Yang Diketik",
        "role": "pokja",
        "pokja_id": str(ciwedus.id),
        "password": "sandi-awal-panjang",
    }
    form.update({k: str(ciwedus.id) if v == "POKJA" else v for k, v in data.items()})
    response = client.post("/auth/users/new", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body
    assert 'value="Nama Yang Diketik"' in body


def test_admin_cannot_lock_themselves_out(app, login_as):
    admin = factories.make_user("admin", username="rina")
    client = login_as(admin)
    response = client.post(
        f"/auth/users/{admin.id}",
        data={"username": "rina", "full_name": "Rina", "role": "staf", "pokja_id": ""},
    )
    assert "tidak dapat mencabut peran admin" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).role == "admin"


def test_reset_password_forces_a_change_and_ends_sessions(app, login_as):
    admin = factories.make_user("admin")
    target = factories.make_user("staf", username="agus")
    victim = app.test_client()
    factories.put_in_session(victim, target)
    client = login_as(admin)
    response = client.post(
        f"/auth/users/{target.id}/password", data={"password": "sandi-baru-dari-admin"}
    )
    assert response.status_code == 303
    assert victim.get("/").status_code == 302
    with app.app_context():
        user = db.session.get(User, target.id)
        assert user.must_change_password and user.check_password(
            "sandi-baru-dari-admin"
        )
        count = db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "user.password_reset")
        )
    assert count == 1


def _redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="Redis is not running")
def test_login_counters_are_shared_between_workers_through_redis(tmp_path):
    """Two app instances (two gunicorn workers) count failures together."""
    import redis

    from tests.conftest import make_app

    redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
    uri = "redis://127.0.0.1:6379/15"
    worker_one = make_app(tmp_path, RATELIMIT_STORAGE_URI=uri)
    worker_two = create_app_like(worker_one, RATELIMIT_STORAGE_URI=uri)
    factories.bind(worker_one)
    factories.make_user("staf", username="agus")
    bad = {"username": "agus", "password": "salah-sekali-123"}
    for worker in (worker_one, worker_two, worker_one, worker_two, worker_one):
        assert worker.test_client().post("/auth/login", data=bad).status_code == 200
    good = {"username": "agus", "password": PASSWORD}
    assert worker_two.test_client().post("/auth/login", data=good).status_code == 429
    assert any(b"login:agus" in key for key in redis.Redis.from_url(uri).scan_iter())
    redis.Redis.from_url(uri).flushdb()


def create_app_like(app, **overrides):
    """A second app on the same database, as another worker process would be."""
    from kkbweb import create_app

    config = {
        key: app.config[key]
        for key in (
            "TESTING",
            "SECRET_KEY",
            "WTF_CSRF_ENABLED",
            "SQLALCHEMY_DATABASE_URI",
        )
    }
    return create_app({**config, **overrides})
