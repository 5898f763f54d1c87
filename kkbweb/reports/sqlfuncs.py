"""SQL pieces that SQLite and PostgreSQL spell differently, in one place.

Each is a SQLAlchemy construct compiled per dialect, so the recap queries and the
views never branch on the database. Medians need no construct: they are written
with window functions (ROW_NUMBER/COUNT OVER), which both databases run.
"""

from sqlalchemy import JSON, Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class month_key(FunctionElement):
    """'YYYY-MM' of a calendar date (a Date column)."""

    type = String()
    inherit_cache = True
    name = "month_key"


class wib_month_key(FunctionElement):
    """'YYYY-MM' of a stored naive-UTC datetime, by its WIB month (UTC+7, no DST)."""

    type = String()
    inherit_cache = True
    name = "wib_month_key"


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw):
    # SQLite keeps a date as ISO text: the first 7 characters are the month,
    # and substr is several times cheaper than strftime over thousands of rows.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(month_key, "postgresql")
def _month_key_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(wib_month_key, "sqlite")
def _wib_month_key_sqlite(element, compiler, **kw):
    expr = compiler.process(element.clauses, **kw)
    return f"strftime('%Y-%m', {expr}, '+7 hours')"


@compiles(wib_month_key, "postgresql")
def _wib_month_key_postgresql(element, compiler, **kw):
    expr = compiler.process(element.clauses, **kw)
    return f"to_char(({expr}) + INTERVAL '7 hours', 'YYYY-MM')"


class days_between(FunctionElement):
    """Days (with fractions) from `earlier` to `later`, two stored datetimes."""

    type = Float()
    inherit_cache = True
    name = "days_between"

    def __init__(self, later: ColumnElement, earlier: ColumnElement):
        super().__init__(later, earlier)


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


class no_index(FunctionElement):
    """The same value, but not an index SQLite may pick to drive the query.

    SQLite's planner sometimes walks a Pokja's (or a vocabulary kind's) whole
    history through an index on an IN or equality condition when starting from
    the month's few rows by date would read far less. Its documented remedy is
    the unary plus, which keeps the value and hides the index. PostgreSQL's
    cost-based planner needs no hint: there the column is left as it is.
    """

    inherit_cache = True
    name = "no_index"

    def __init__(self, expr: ColumnElement):
        super().__init__(expr)
        self.type = expr.type


@compiles(no_index, "sqlite")
def _no_index_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(no_index, "postgresql")
def _no_index_postgresql(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


class json_list(FunctionElement):
    """The JSON values of a column over a group as one JSON list (an aggregate).

    SQLite gives '[]' over no row, PostgreSQL NULL: callers read None as [].
    """

    type = JSON()
    inherit_cache = True
    name = "json_list"


@compiles(json_list, "sqlite")
def _json_list_sqlite(element, compiler, **kw):
    return f"json_group_array(json({compiler.process(element.clauses, **kw)}))"


@compiles(json_list, "postgresql")
def _json_list_postgresql(element, compiler, **kw):
    return f"json_agg({compiler.process(element.clauses, **kw)})"
