"""No request holds SQLite's write lock while it hashes a password.

A POST's transaction takes the write lock at its first statement (BEGIN
IMMEDIATE); a scrypt check takes ~0.35 s. Hashing inside the transaction made
every other writer queue behind each login, and a burst of logins (bench/load.py:
75 users logging in over 20 s) ran past the busy timeout: "database is locked",
HTTP 500. While the hash runs, another connection must get the lock at once.
"""

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from kkbweb.auth import views
from tests import factories
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="SQLite's database-wide write lock"
)


@pytest.fixture
def lock_probe(app, monkeypatch):
    """Wrap the hash functions: each call first tries to take the write lock."""
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    results = []

    def probe():
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            results.append("free")
        except sqlite3.OperationalError as error:
            results.append(str(error))
        finally:
            other.close()

    real_check, real_generate = views.check_password_hash, views.generate_password_hash

    def check(*args, **kwargs):
        probe()
        return real_check(*args, **kwargs)

    def generate(*args, **kwargs):
        probe()
        return real_generate(*args, **kwargs)

    monkeypatch.setattr(views, "check_password_hash", check)
    monkeypatch.setattr(views, "generate_password_hash", generate)
    return results


@pytest.mark.parametrize("password", [factories.PASSWORD, "salah-sekali-123"])
def test_login_hashes_outside_the_write_lock(app, auth, lock_probe, password):
    user = factories.make_user("staf")
    response = auth.login(user.username, password)
    assert response.status_code in (200, 303)
    assert lock_probe == ["free"]


def test_unknown_user_login_hashes_outside_the_write_lock(app, auth, lock_probe):
    assert auth.login("tidak.ada", "apa-saja-123").status_code == 200
    assert lock_probe == ["free"]


def test_password_change_hashes_outside_the_write_lock(app, login_as, lock_probe):
    client = login_as(factories.make_user("pokja"))
    response = client.post(
        "/auth/password",
        data={
            "current": factories.PASSWORD,
            "new": "kalimat-baru-yang-panjang",
            "confirm": "kalimat-baru-yang-panjang",
        },
    )
    assert response.status_code == 303
    assert lock_probe == ["free", "free"]
