"""One status mark in one atomic statement: the roll calls' upsert. No Flask.

Shared by the meeting roll call (attendance) and the poktan's family roll call
(poktan_attendance): a table with a unique key, a `status`, the `previous_status`
it replaced, `marked_by_id` and `marked_at`.
"""

import threading
from dataclasses import dataclass

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from kkbweb.database import prepared
from kkbweb.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class MarkResult:
    """What a mark did: `changed` is False for a repeat, `previous` None at first."""

    changed: bool
    previous: str | None
    id: int | None = None  # the row, when changed


def upsert_status(
    table: Table, keys: tuple[str, ...], values: dict, also: dict | None = None
) -> MarkResult:
    """INSERT ... ON CONFLICT (keys) DO UPDATE ... WHERE status differs RETURNING.

    Two markers, a double tap or a resent request can never make a second row,
    and the last writer wins without an error. `previous_status` is set from the
    row being replaced, so an audit "from" is exact even under a race. A repeat
    of the current status updates nothing and returns no row (not audited
    twice). `also`: further columns the update sets to a value (e.g. a flag
    cleared).
    """
    also = also or {}
    dialect = db.session.get_bind().dialect.name
    stmt = _statement(dialect, table, keys, tuple(values), tuple(also))
    params = {
        **values,
        "previous_status": None,
        **{f"also_{k}": v for k, v in also.items()},
    }
    row = db.session.execute(stmt, params).first()
    if row is None:
        return MarkResult(changed=False, previous=values["status"])
    return MarkResult(changed=True, previous=row.previous_status, id=row.id)


# The statements, built once per thread with bound parameters. A tap runs its
# upsert holding SQLite's write lock; building it there (its `excluded` columns
# alone) was ~1 ms of that time. Per thread: a statement fills some of its
# column collections on first use, which is not safe from two threads at once.
_built = threading.local()


def _statement(dialect: str, table: Table, keys, names, also_names):
    cache = _built.__dict__.setdefault("statements", {})
    key = (dialect, table.name, keys, names, also_names)
    stmt = cache.get(key)
    if stmt is None:
        stmt = cache[key] = _build(dialect, table, keys, names, also_names)
    return stmt


def _build(dialect: str, table: Table, keys, names, also_names):
    # The VALUES come from the parameters' keys (`names`, part of the key).
    stmt = _INSERTS[dialect](table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={
            # Evaluated against the existing row: the status being replaced.
            "previous_status": table.c.status,
            "status": stmt.excluded.status,
            "marked_by_id": stmt.excluded.marked_by_id,
            "marked_at": stmt.excluded.marked_at,
            **{name: bindparam(f"also_{name}") for name in also_names},
        },
        where=table.c.status != stmt.excluded.status,
    ).returning(table.c.id, table.c.previous_status)
    return prepared(stmt)
