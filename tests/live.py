"""Run tests against an app served elsewhere (gunicorn in ``.ci/run``) or in-process.

With ``KKBWEB_LIVE_URL`` set (e.g. ``http://127.0.0.1:8765``) the browser tests
and the security sweep talk to that server instead of the test client or a
thread-served app. ``KKBWEB_LIVE_DATABASE_URL`` must then name the server's own
database: the tests build their users and records in it directly, and check
afterwards what the server stored. The schema is rebuilt for each test module,
so point it only at a throwaway database. Under pytest-xdist each of these (and
``KKBWEB_LIVE_UPLOADS``, ``KKBWEB_LIVE_LOG``) may be a comma-separated list,
one server per worker.
"""

import os
import re

from sqlalchemy import text

from kkbweb import create_app
from kkbweb.extensions import db
from kkbweb.pokja.seed import seed_pokja
from tests.conftest import make_app


def _this_workers(name: str) -> str:
    """This xdist worker's entry of a comma-separated variable (gw0 the first):
    .ci/live-run serves one app, with its own database, per worker."""
    entries = os.environ.get(name, "").split(",")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return entries[index % len(entries)]


LIVE_URL = _this_workers("KKBWEB_LIVE_URL").rstrip("/")
LIVE_DATABASE_URL = _this_workers("KKBWEB_LIVE_DATABASE_URL")
# The server's upload folder, so that the photos the tests store are the ones it
# serves.
LIVE_UPLOADS = _this_workers("KKBWEB_LIVE_UPLOADS")
# The server's log file, if the runner captured it: checked for canary NIKs.
LIVE_LOG = _this_workers("KKBWEB_LIVE_LOG")


def live() -> bool:
    """Tell whether the tests target an external server."""
    return bool(LIVE_URL)


def make_site_app(tmp_path, **overrides):
    """An app on a fresh, seeded database: the live server's, or a new one."""
    if not live():
        return make_app(tmp_path, **overrides)
    if not LIVE_DATABASE_URL:
        raise RuntimeError("KKBWEB_LIVE_URL needs KKBWEB_LIVE_DATABASE_URL as well")
    config = {
        "TESTING": True,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "live-test-secret"),
        "SQLALCHEMY_DATABASE_URI": LIVE_DATABASE_URL,
        "UPLOAD_FOLDER": LIVE_UPLOADS or str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": True,
        # Hashes of the users the tests make (the server checks them at login):
        # lighter than production's 0.35 s so that many logins stay quick.
        "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
            )
            db.session.commit()
        db.create_all()
        seed_pokja()
        db.session.commit()
    return app


def csrf_token(page: str) -> str:
    """The CSRF token of the first form on a page ('' when there is none)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""
