"""The city table: its columns, their formats and sorting. No Flask."""

from collections.abc import Callable
from dataclasses import dataclass

from kkbweb.meetings.rules import percent_text
from kkbweb.reports.handin import HandIn
from kkbweb.reports.recap import Figures

ASCENDING, DESCENDING = "naik", "turun"


@dataclass
class CityRow:
    """One Pokja on the dashboard: its figures, trend and hand-in state."""

    pokja_id: int
    name: str
    figures: Figures
    trend: list[int]
    handin: HandIn


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


COLUMNS = [
    Column("rapat", "Rapat", "Rapat yang mengundang Pokja", lambda f: f.meetings),
    Column(
        "hadir", "Hadir", "Anggota hadir (jumlah kehadiran)", lambda f: f.present_total
    ),
    Column(
        "kehadiran",
        "% hadir",
        "Tingkat kehadiran: hadir ÷ anggota diundang",
        lambda f: f.rate,
        "pct",
    ),
    Column("kie", "KIE", "Kegiatan KIE (ke masyarakat)", lambda f: f.kie("kie")),
    Column(
        "advokasi",
        "Advokasi",
        "Kegiatan advokasi (ke pejabat dan pemangku kepentingan)",
        lambda f: f.kie("advokasi"),
    ),
    Column("peserta", "Peserta", "Peserta KIE dan advokasi", lambda f: f.people()),
    Column("rujukan", "Rujukan", "Rujukan adminduk baru", lambda f: f.referrals()),
    Column(
        "diserahkan",
        "Diserahkan",
        "Dokumen diserahkan ke warga",
        lambda f: f.referrals("handed"),
    ),
    Column(
        "terlambat",
        "Terlambat",
        "Rujukan terlambat di akhir bulan",
        lambda f: f.overdue,
    ),
    Column(
        "median",
        "Median hari",
        "Median hari dari pengajuan sampai diserahkan",
        lambda f: f.median_days,
        "days",
    ),
]
BY_KEY = {column.key: column for column in COLUMNS}
SORT_KEYS = ("pokja", *BY_KEY, "laporan")
_FIRST_ASCENDING = frozenset({"pokja", "laporan"})


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
