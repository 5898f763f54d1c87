"""SQLite connection settings that make concurrent writers safe, and fast in line.

PostgreSQL needs nothing here; these listeners only touch SQLite connections.

SQLite has one write lock per database. A writer that finds it taken is left to
SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10 ... 100 ms) and
retries, so a roll-call tap that collided waited many times longer than the lock
was held (docs/PERFORMANCE.md, "Contention"). Writers therefore queue here before
BEGIN IMMEDIATE: within a process on a first-come first-served lock, across
processes on an flock() of ``<database>-writelock`` (the kernel wakes a waiter as
soon as the holder lets go). Both are let go when the connection returns to the
pool, i.e. after its COMMIT or ROLLBACK.

And the lock is held only while it must be: a write request loads its user before
taking it (_load_user_first), and a write transaction that wrote nothing ends
before a template renders (_end_if_read_only).
"""

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from kkbweb.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Seconds a writer waits in line before giving up, as SQLite's busy_timeout does.
QUEUE_TIMEOUT = 10.0
# KKBWEB_WRITE_QUEUE=0 leaves writers to SQLite's busy handler alone (to measure
# the difference: bench/contention.py); KKBWEB_LOCK_TIMING=<file> appends one
# line per write transaction: pid, ms in the queue, ms for the flock, ms inside
# BEGIN IMMEDIATE (the busy handler), ms holding the lock.
WRITE_QUEUE = os.environ.get("KKBWEB_WRITE_QUEUE", "1") != "0"
LOCK_TIMING = os.environ.get("KKBWEB_LOCK_TIMING", "")

log = logging.getLogger(__name__)


class FairLock:
    """A lock that threads get in the order they asked for it (FIFO).

    threading.Lock promises no order; a late thread can win over one that has
    waited for a while, which is exactly the tail this removes.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, timeout: float = QUEUE_TIMEOUT) -> bool:
        """Wait for the turn of this thread; False when ``timeout`` ran out."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ran out
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        """Hand the lock to the longest waiting thread, or leave it free."""
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()  # stays held: ownership moves on
            else:
                self._held = False

    @property
    def waiting(self) -> int:
        """How many threads are in line (for tests)."""
        with self._mutex:
            return len(self._waiting)


class WriteQueue:
    """The line for one SQLite database: a FairLock, then an flock of its file."""

    def __init__(self, path: str | None) -> None:
        self.lock = FairLock()
        self._path = None
        if path and path != ":memory:" and not path.startswith("file:"):
            self._path = f"{path}-writelock"
        self._fd = None
        self._pid = 0

    def _file(self) -> int | None:
        """The lock file, opened once per process: an flock belongs to the open
        file, which a forked worker would otherwise share with its parent."""
        if self._path is None:
            return None
        if self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def enter(self) -> float:
        """Wait for this process's turn, then for this database's; return when
        the process's turn came (time.perf_counter)."""
        if not self.lock.acquire():
            raise sqlite3.OperationalError("database is locked (write queue)")
        queued = time.perf_counter()
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self.lock.release()
            raise
        return queued

    def leave(self) -> None:
        """Let the next writer in: other processes first, then this one's."""
        if self._fd is not None and self._pid == os.getpid():
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self.lock.release()


_queues: dict[str, WriteQueue] = {}
_queues_mutex = threading.Lock()
# dbapi connection id -> its Turn while it holds one
_holding: dict[int, tuple] = {}
_local = threading.local()


def queue_for(path: str | None) -> WriteQueue:
    """The one WriteQueue of a database file in this process."""
    key = path or ":memory:"
    with _queues_mutex:
        if key not in _queues:
            _queues[key] = WriteQueue(path)
        return _queues[key]


def holds_write_turn() -> bool:
    """Tell whether this thread holds a write turn (a write transaction is open)."""
    return getattr(_local, "turns", 0) > 0


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
    # FULL: a commit the user saw acknowledged survives a power cut too (NORMAL
    # in WAL may lose the last ones); its fsync costs little here
    # (0.3 ms a commit: docs/PERFORMANCE.md, "Writers under contention").
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    """Start write transactions with BEGIN IMMEDIATE, after waiting in line.

    A deferred transaction that reads and then writes fails at once with
    "database is locked" when another writer committed in between; taking the
    write lock up front makes it wait instead. Safe requests only read, so they
    keep a plain BEGIN and never queue behind writers.
    """
    if connection.dialect.name != "sqlite":
        return
    reading = has_request_context() and (
        request.method in READ_ONLY_METHODS or g.get("_reading_first", False)
    )
    dbapi_connection = connection.connection.dbapi_connection
    if reading:
        # Straight to sqlite3: SQLAlchemy's execution path (events, result
        # object) cost more than the statement, on every signed-in request.
        dbapi_connection.execute("BEGIN")
        return
    if id(dbapi_connection) in _holding:
        # Committed and began again before going back to the pool (a Core
        # connection, Alembic between steps): it still has its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    nested = holds_write_turn()  # a second connection of the same thread
    queue = None
    started = time.perf_counter()
    queued = locked = started
    if WRITE_QUEUE and not nested:
        queue = queue_for(connection.engine.url.database)
        queued = queue.enter()
        locked = time.perf_counter()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queue is not None:
            queue.leave()
        raise
    times = (started, queued, locked, time.perf_counter())
    _holding[id(dbapi_connection)] = Turn(queue, threading.get_ident(), times)
    _local.turns = getattr(_local, "turns", 0) + 1


@dataclass
class Turn:
    """A write transaction under way: its place in line, and whether it wrote."""

    queue: WriteQueue | None
    thread: int
    times: tuple
    wrote: bool = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, _cursor, statement, *_args) -> None:
    """Remember which write transactions have written (see _end_if_read_only)."""
    if not holds_write_turn() or statement.lstrip()[:6].upper() == "SELECT":
        return
    turn = _holding.get(id(connection.connection.dbapi_connection))
    if turn is not None:
        turn.wrote = True


def _end_if_read_only() -> dict:
    """Before a template renders, end a write transaction that wrote nothing.

    A POST takes the write lock at its first statement; a refused form, an error
    page or a fragment read back after the commit would otherwise hold it while
    rendering. Nothing is lost: no statement wrote and no change is pending, so
    the commit only ends the reads (keeping what they loaded). Runs as a context
    processor: every render_template calls it before rendering.
    """
    if not holds_write_turn():
        return {}
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return {}
    me = threading.get_ident()
    if any(turn.wrote for turn in _holding.values() if turn.thread == me):
        return {}
    commit_keeping_loaded()
    return {}


def _let_go(key: int) -> None:
    """End the write turn taken by the connection ``key``, if it holds one."""
    turn = _holding.pop(key, None)
    if turn is None:
        return
    if turn.thread == threading.get_ident():
        _local.turns = max(0, getattr(_local, "turns", 0) - 1)
    if turn.queue is not None:
        turn.queue.leave()
    if LOCK_TIMING:
        _write_timing(turn.times, time.perf_counter())


def _write_timing(times: tuple, ended: float) -> None:
    """Append one transaction's waits and hold time to KKBWEB_LOCK_TIMING."""
    started, queued, locked, began = times
    waits = (queued - started, locked - queued, began - locked, ended - began)
    line = f"{os.getpid()} " + " ".join(f"{t * 1000:.3f}" for t in waits) + "\n"
    with open(LOCK_TIMING, "a") as handle:  # one short write: O_APPEND keeps lines
        handle.write(line)


@event.listens_for(Pool, "checkin")
def _on_checkin(dbapi_connection, record) -> None:
    """A connection back in the pool has committed or rolled back: let go."""
    if dbapi_connection is not None:
        _let_go(id(dbapi_connection))


@event.listens_for(Pool, "invalidate")
def _on_invalidate(dbapi_connection, record, _exception) -> None:
    """A broken connection ends its transaction with it."""
    if dbapi_connection is not None:
        _let_go(id(dbapi_connection))


def _release_leftovers(_error=None) -> None:
    """After the session is removed, this thread holds no write turn any more."""
    if not holds_write_turn():
        return
    me = threading.get_ident()
    for key, turn in list(_holding.items()):
        if turn.thread == me:
            log.warning("a write turn outlived its request; released")
            _let_go(key)
    _local.turns = 0


def _load_user_first() -> None:
    """Load the signed-in user of a write request in a read transaction of its own.

    The user is the first statement of every request; a write request would take
    the write lock with it and hold it while the view builds its own queries
    (the roll-call tap: ~7 ms of the ~10 ms it held the lock). Ended here, the
    lock is taken at the view's first statement.
    """
    if request.method in READ_ONLY_METHODS or not session.get("_user_id"):
        return
    g._reading_first = True
    try:
        current_user._get_current_object()  # Flask-Login's user_loader runs
        commit_keeping_loaded()
    finally:
        g._reading_first = False


def init_app(app) -> None:
    """Bind Flask-SQLAlchemy, giving SQLite a connect timeout as a second guard."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options = dict(options)
        options.setdefault("connect_args", {"timeout": 10})
        # A connection to a local file cannot go stale: no "SELECT 1" before
        # each checkout (the pre-ping is for PostgreSQL's network connections).
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    # Registered before Flask-SQLAlchemy's own teardown, so it runs after it
    # (Flask runs teardowns in reverse): by then the session has let go.
    app.teardown_appcontext(_release_leftovers)
    db.init_app(app)
    if uri.startswith("sqlite"):
        app.before_request(_load_user_first)
        app.context_processor(_end_if_read_only)


def prepared(stmt):
    """The statement with its cache key worked out now, not when it executes.

    SQLAlchemy computes a statement's cache key (a walk over the whole
    expression) when it runs, and keeps it on the statement. A write request's
    first statement runs holding SQLite's write lock (BEGIN IMMEDIATE comes
    with it): for the roll-call tap's one big read that walk was ~1 ms of the
    time the lock was held. Called before, it happens outside.
    """
    stmt._generate_cache_key()  # memoized on the statement
    return stmt


@contextmanager
def keeping_loaded() -> Iterator[None]:
    """Commit inside without expiring what the request has loaded.

    A page already built from these objects (or about to be) would otherwise
    reload each of them, and the user, after an audit or read-row commit.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = True


def commit_keeping_loaded() -> None:
    """Commit, keeping loaded objects readable without new queries.

    Also ends a SQLite write transaction early (BEGIN IMMEDIATE holds the lock
    until the commit), e.g. before decoding photos.
    """
    with keeping_loaded():
        db.session.commit()
