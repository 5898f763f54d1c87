"""The rooms rules of docs/ARCHITECTURE.md that a maintainer would break first.

The import contracts themselves are import-linter's (pyproject.toml, `make lint`);
these are the two rules it cannot express.
"""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kkbweb"
MAX_LINES = 500
# A module defines routes when it makes or decorates with a blueprint.
ROUTES = re.compile(r"^(?:bp = Blueprint\(|@bp\.(?:get|post|route)\()", re.MULTILINE)
# SQL built in place: a select, or a statement run on the session.
SQL = re.compile(r"\bselect\(|db\.session\.(?:execute|scalars?)\(|\bfunc\.")

MODULES = sorted(PACKAGE.rglob("*.py"))
VIEW_MODULES = [path for path in MODULES if ROUTES.search(path.read_text())]


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_view_modules_are_found():
    """The rule below must look at the route modules (it would pass on none)."""
    names = {_name(path) for path in VIEW_MODULES}
    assert {"kkbweb/meetings/views.py", "kkbweb/kie/views.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_is_at_most_500_lines(path):
    """A module that grows past 500 lines holds more than one room."""
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{_name(path)}: {lines} lines"


@pytest.mark.parametrize("path", VIEW_MODULES, ids=_name)
def test_view_module_runs_no_sql(path):
    """Reads live in queries.py, writes in service.py; a view only calls them."""
    found = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SQL.search(line)
    ]
    assert not found, f"{_name(path)} runs SQL:\n" + "\n".join(found)
