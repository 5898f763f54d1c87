"""The city table: its columns (from the figure registry) and sorting. No Flask."""

import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from kkbweb.reports import metrics
from kkbweb.reports.handin import HandIn
from kkbweb.reports.recap import Figures
from kkbweb.reports.shapes import fmt

ASCENDING, DESCENDING = "naik", "turun"


@dataclass
class CityRow:
    """One Pokja on the dashboard: its figures, trend and hand-in state."""

    pokja_id: int
    name: str
    figures: Figures
    trend: list[int]
    handin: HandIn
    bars: Markup = Markup("")  # the trend drawn once (trend_svg), shown twice


@dataclass(frozen=True)
class Column:
    """A sortable figure of the city table (key: the ?urut= value)."""

    key: str
    label: str
    title: str
    value: Callable[[Figures], int | float | None]
    kind: str = "int"  # int | pct | days

    def text(self, figures: Figures) -> str:
        return fmt(self.value(figures), self.kind)


# The registry's figures that have a city-table column, in report order.
COLUMNS = [
    Column(sortable.key, sortable.label, sortable.title, figure.value, figure.kind)
    for sortable, figure in metrics.TABLE
]
BY_KEY = {column.key: column for column in COLUMNS}
SORT_KEYS = ("pokja", *BY_KEY, "laporan")
_FIRST_ASCENDING = frozenset({"pokja", "laporan"})


def trend_svg(values: list[int], months, peak: int, name: str) -> Markup:
    """A Pokja's activities of 12 months as bars: SVG attributes only (the CSP
    forbids style=), one scale (peak) for every Pokja of a page so that rows
    compare. Built here, not in a Jinja macro: the city page draws 13 of them,
    and the macro's escaping of every attribute was a tenth of its render."""
    top = peak if peak > 0 else 1
    labels = [escape(m.short_label) for m in months]
    parts = [
        '<svg class="trend" viewBox="0 0 96 28" width="96" height="28" role="img" '
        f'aria-label="Kegiatan 12 bulan {escape(name)}: {labels[0]} s.d. '
        f'{labels[-1]}, tertinggi {max(values)}, bulan ini {values[-1]}">'
        '<rect class="base" x="0" y="27" width="96" height="1"/>\n'
    ]
    last = len(values) - 1
    for i, v in enumerate(values):
        h = int(math.ceil((v / top) * 26)) if v else 0
        now = ' class="now"' if i == last else ""
        parts.append(
            f'<rect{now} x="{i * 8 + 1}" y="{27 - h}" width="6" height="{h}">'
            f"<title>{labels[i]}: {v}</title></rect>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def sort_rows(rows: list[CityRow], key: str, direction: str) -> list[CityRow]:
    """Rows ordered by a column; rows without a value (no rate) always last."""
    descending = direction == DESCENDING
    if key == "laporan":
        return sorted(rows, key=lambda r: (r.handin.rank, r.name), reverse=descending)
    column = BY_KEY.get(key)
    if column is None:
        return sorted(rows, key=lambda r: r.name.lower(), reverse=descending)
    present = [r for r in rows if column.value(r.figures) is not None]
    missing = [r for r in rows if column.value(r.figures) is None]
    # Ties keep alphabetical order whichever way the figure is sorted.
    present.sort(key=lambda r: r.name.lower())
    present.sort(key=lambda r: column.value(r.figures), reverse=descending)
    return present + sorted(missing, key=lambda r: r.name.lower())


def parse_sort(key: str | None, direction: str | None) -> tuple[str, str]:
    """A known sort key and direction; Pokja name ascending by default."""
    key = key if key in SORT_KEYS else "pokja"
    if direction not in (ASCENDING, DESCENDING):
        direction = ASCENDING if key in _FIRST_ASCENDING else DESCENDING
    return key, direction


def next_direction(column: str, current_key: str, current_direction: str) -> str:
    """Clicking a header: figures start largest first (names A-Z, reports that
    need attention first); a second click flips."""
    if column == current_key:
        return ASCENDING if current_direction == DESCENDING else DESCENDING
    return ASCENDING if column in _FIRST_ASCENDING else DESCENDING
