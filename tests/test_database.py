"""Concurrent writers: no lost writes and no "database is locked" (QUALITY.md)."""

import threading

from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from tests import factories


def test_twenty_parallel_writers_all_commit(app):
    """Each thread reads then writes in its own transaction, as a POST does."""
    factories.make_user("admin")
    errors: list[Exception] = []
    barrier = threading.Barrier(20)

    def writer(n: int) -> None:
        try:
            with app.test_request_context(method="POST"):
                barrier.wait()
                db.session.scalar(select(func.count()).select_from(AuditLog))
                db.session.add(AuditLog(action=f"uji.{n}"))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        actions = set(db.session.scalars(select(AuditLog.action)))
    assert {f"uji.{n}" for n in range(20)} <= actions


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") >= 5000
