"""The shapes of the figure registry (metrics.py) and the figures' number format.

No Flask, no SQL: a Measure names the query part (queries.py) that computes it,
a Figure reads its value from the folded measures (recap.Figures).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from kkbweb.meetings.rules import percent_text

# How the city's figure arises from the Pokja's.
SUM = "sum"  # the Pokja's added up
RATE = "rate"  # recomputed from the summed parts (hadir ÷ diundang)
DISTINCT = "distinct"  # counted again: a meeting of several Pokja once
MEDIAN = "median"  # the city's own median (a median of medians is not one)
AT_END = "at_end"  # a state at the month's end, counted per Pokja and summed
# Measures the city takes from its own branch of the statement.
CITY_OWN = frozenset({DISTINCT, MEDIAN})


def fmt(value, kind: str = "int") -> str:
    """A figure the Indonesian way: 1.234, 66,7%, 4,5 (days); '–' when none.

    kind "num" shows whole numbers as such and other numbers with one decimal.
    """
    if kind == "pct":
        return percent_text(value)
    if value is None:
        return "–"
    if kind == "days" or (kind == "num" and not float(value).is_integer()):
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def same_key(key):
    return key


@dataclass(frozen=True)
class Measure:
    """One aggregate of the recap statement, folded into a Figures attribute.

    key: maps a row's key to the attribute's (a dict); None: the attribute is
    one number (rows add up; a median is set). term: for rows carrying a
    vocabulary term's label, the term's code in the attribute's key.
    """

    metric: str
    query: Callable[..., list]  # (queries.Scope, metric) -> its branches
    into: str
    fold: str = SUM
    key: Callable | None = same_key
    term: Callable | None = None


@dataclass(frozen=True)
class Sortable:
    """A sortable column of the city table (key: the ?urut= value)."""

    key: str
    label: str
    title: str


@dataclass
class Line:
    """One reported number: its section, a stable key, a label and the value."""

    section: str
    key: str
    label: str
    value: int | float | None


@dataclass(frozen=True)
class Figure:
    """One reported figure (its fields: see metrics.py); inside an Each, value
    takes the code and `column`/`city` may map codes to their column."""

    key: str
    label: str
    value: Callable
    fold: str = SUM
    kind: str = "int"
    reported: bool = True
    column: Sortable | Mapping[str, Sortable] | None = None
    city: str | Mapping[str, str] | None = None
    # The Kota sheet puts it after this key (a total after its parts, as ever).
    city_after: str | None = None
    heading: str | None = None
    total: str | None = None
    section: str = ""

    def line_value(self, figures, *code) -> int | float | None:
        """The value as reported: days rounded to the decimal shown."""
        value = self.value(figures, *code)
        if self.kind == "days" and value is not None:
            return round(value, 1)
        return value

    def text(self, figures, *code) -> str:
        """The value formatted (inside an Each: of one code)."""
        return fmt(self.value(figures, *code), self.kind)


def _bound(value: Callable, code: str) -> Callable:
    return lambda figures: value(figures, code)


@dataclass(frozen=True)
class Each:
    """Figures repeated per code of a vocabulary or of the month's data.

    codes: a vocabulary {code: name}, or a function of the Figures giving the
    month's (code, name) pairs. rows: the codes a recap table shows (all by
    default).
    """

    codes: Mapping[str, str] | Callable[..., Iterable[tuple[str, str]]]
    figures: tuple[Figure, ...]
    rows: Callable | None = None
    section: str = ""

    @property
    def static(self) -> bool:
        return isinstance(self.codes, Mapping)

    @property
    def columns(self) -> list[Figure]:
        """The figures a recap table shows as columns, in order."""
        return [f for f in self.figures if f.heading]

    def table_rows(self, figures) -> list[tuple[str, str]]:
        if self.rows is not None:
            return list(self.rows(figures))
        return list(self.codes.items() if self.static else self.codes(figures))

    def expand(self) -> list[Figure]:
        """A vocabulary's figures: one per code and template, code by code."""
        return [
            replace(
                template,
                key=template.key.format(code=code, name=name),
                label=template.label.format(code=code, name=name),
                value=_bound(template.value, code),
                column=_pick(template.column, code),
                city=_pick(template.city, code),
                section=self.section,
            )
            for code, name in self.codes.items()
            for template in self.figures
        ]


def _pick(value, code: str):
    return value.get(code) if isinstance(value, Mapping) else value
