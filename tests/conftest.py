"""Shared fixtures, flaskr style: app, client, runner, auth, plus a database per test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
Under pytest-xdist (`make test` runs `-n auto`) each worker process on PostgreSQL
gets its own database, `<name>_gw0`, `<name>_gw1`..., created on the same server.

The `app` fixture pushes no app context: a request made by the test client must get
its own context (fresh `g`, fresh database session), as in production. Builders in
tests/factories.py open a context themselves and return loaded, detached objects;
to query the database in a test, use `with app.app_context():`.
"""

import atexit
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing.rules import Rule

from kkbweb import create_app
from kkbweb.extensions import db, limiter
from kkbweb.pokja.seed import seed_pokja
from kkbweb.portal.models import seed_reference
from tests import factories


def _worker_database(url: str | None) -> str | None:
    """Under xdist on PostgreSQL, this worker's own database (created if new):
    the tests truncate and rebuild their schema, which workers must not share."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database need not wait for the disk at every commit; the
        # suite commits thousands of times (CI time, not behaviour).
        connection.execute(
            text(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        )
    engine.dispose()
    worker_url = base.set(database=name).render_as_string(hide_password=False)
    # Tests that start the app in a subprocess read the environment.
    os.environ["TEST_DATABASE_URL"] = worker_url
    return worker_url


TEST_DATABASE_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))


def _share_url_builders() -> None:
    """Compile each route's URL builder once per process, not once per app.

    Werkzeug generates and compiles Python code for every rule of every new app:
    four fifths of create_app's time, and the suite makes an app per test. The
    generated function takes the rule as its argument and depends only on the
    rule's text, its defaults and the variant, so one copy serves every app.
    (Werkzeug is pinned; without the private hook this does nothing.)
    """
    original = getattr(Rule, "_compile_builder", None)
    if original is None:
        return
    built: dict = {}

    def shared(self, append_unknown=True):
        key = (
            self.rule,
            self.subdomain,
            self.host,
            repr(self._trace),
            repr(sorted((self.defaults or {}).items())),
            append_unknown,
        )
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared


_share_url_builders()


def _config(tmp_path, **overrides) -> dict:
    """Test configuration: CSRF off (one test turns it on), a throwaway database."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL
        or f"sqlite:///{tmp_path}/test.sqlite",
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL, build the schema once per session; tests truncate instead."""
    if not TEST_DATABASE_URL:
        yield
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, "SECRET_KEY": "x"})
    with app.app_context():
        db.drop_all()
        db.session.execute(
            text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
        )
        db.session.commit()
        db.create_all()
    yield


_seeded_sqlite: Path | None = None


def _seeded_sqlite_file() -> Path:
    """A SQLite file with the schema and the seed, built once per process: each
    test starts from a copy (building them took a tenth of the suite's time)."""
    global _seeded_sqlite
    if _seeded_sqlite is None:
        folder = Path(tempfile.mkdtemp(prefix="kkbweb-seeded-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "seeded.sqlite"
        app = create_app(_config(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
        with app.app_context():
            db.create_all()
            seed_pokja()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        # One self-contained file (its WAL folded in): a copy is a whole database.
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()
        _seeded_sqlite = path
    return _seeded_sqlite


_emptying_sql: str | None = None


def _postgres_emptying_sql() -> str:
    """Statements that empty every table and restart every id sequence.

    DELETE, not TRUNCATE: a TRUNCATE of every table took 0.1 s a test, DELETE of
    the few rows a test leaves 0.01 s. As the replica role, the triggers (the
    audit log's append-only guard) and foreign-key checks stand aside.
    """
    global _emptying_sql
    if _emptying_sql is None:
        sequences = db.session.scalars(
            text(
                "SELECT sequencename FROM pg_sequences"
                " WHERE schemaname = current_schema()"
            )
        ).all()
        _emptying_sql = ";".join(
            ["SET LOCAL session_replication_role = replica"]
            + [f'DELETE FROM "{t.name}"' for t in db.metadata.sorted_tables]
            + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        )
    return _emptying_sql


def make_app(tmp_path, **overrides):
    """Create an app bound to a fresh, empty-but-seeded database."""
    config = _config(tmp_path, **overrides)
    fresh_file = tmp_path / "test.sqlite"
    if (
        config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{fresh_file}"
        and not fresh_file.exists()
    ):
        shutil.copyfile(_seeded_sqlite_file(), fresh_file)
        limiter.reset()
        return create_app(config)
    app = create_app(config)
    with app.app_context():
        if TEST_DATABASE_URL:
            db.session.connection().exec_driver_sql(_postgres_emptying_sql())
            # The portal's lists are reference data, filled when their tables
            # are created: put them back after the truncation.
            seed_reference(db.session)
            db.session.commit()
        else:
            db.create_all()
        seed_pokja()
        db.session.commit()
    limiter.reset()
    return app


@pytest.fixture
def app(tmp_path, _postgres_schema):
    """The app with the 12 Pokja seeded."""
    app = make_app(tmp_path)
    factories.bind(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, username, password=factories.PASSWORD, **kwargs):
        return self._client.post(
            "/auth/login", data={"username": username, "password": password}, **kwargs
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(client):
    """Put a user into the test client's session without the (slow) scrypt check."""

    def _login(user):
        factories.put_in_session(client, user)
        return client

    return _login
