"""SQLite connection settings that make concurrent writers safe.

PostgreSQL needs nothing here; these listeners only touch SQLite connections.
"""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from kkbweb.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_sqlite(dbapi_connection) -> bool:
    """Tell whether a raw DBAPI connection is sqlite3."""
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    """Apply WAL, durability, foreign keys and a busy timeout to each connection."""
    if not _is_sqlite(dbapi_connection):
        return
    # Take transaction control away from pysqlite so that "begin" below decides
    # how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    """Start write transactions with BEGIN IMMEDIATE.

    A deferred transaction that reads and then writes fails at once with
    "database is locked" when another writer committed in between; taking the
    write lock up front makes it wait (busy_timeout) instead. Safe requests only
    read, so they keep a plain BEGIN and never queue behind writers.
    """
    if connection.dialect.name != "sqlite":
        return
    reading = has_request_context() and request.method in READ_ONLY_METHODS
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def init_app(app) -> None:
    """Bind Flask-SQLAlchemy, giving SQLite a connect timeout as a second guard."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options = dict(options)
        options.setdefault("connect_args", {"timeout": 10})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
