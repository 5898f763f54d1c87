"""Count the SQL statements an app runs, to hold pages to the QUALITY.md budget."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from kkbweb.extensions import db

# Transaction control and SQLite pragmas are not queries.
IGNORED_PREFIXES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(app):
    """Record every SQL statement the app's engine runs inside the block."""
    with app.app_context():
        engine = db.engine
    log = QueryLog()

    def before_cursor_execute(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(IGNORED_PREFIXES):
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
