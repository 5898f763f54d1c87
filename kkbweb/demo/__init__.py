"""Demo data for every feature: `flask --app wsgi demo-data`, benchmarks and tests.

The running app never imports the generators (command.py loads them only when the
command runs). Their names, titles, places and notes are CSV files in data/, read
with the helpers below; a row's position in its file is its position in the list
the generator draws from, so reordering rows changes the demo data.
"""

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of data/<name>.csv, as text (an empty cell is "")."""
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def column(name: str, key: str, **match: str) -> list[str]:
    """One column of data/<name>.csv, of the rows whose other cells match."""
    return [
        row[key]
        for row in rows(name)
        if all(row[field] == value for field, value in match.items())
    ]


def texts(name: str) -> dict[str, str]:
    """data/<name>.csv as a dict of its first column to its second."""
    return dict(tuple(row.values()) for row in rows(name))


def or_none(text: str) -> str | None:
    """An empty cell stands for no value."""
    return text or None


def grouped(name: str, key: str, value: str) -> dict[str, list[str]]:
    """data/<name>.csv as lists of one column by another, in file order."""
    groups: dict[str, list[str]] = {}
    for row in rows(name):
        groups.setdefault(row[key], []).append(row[value])
    return groups
