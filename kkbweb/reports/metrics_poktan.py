"""The registry's poktan and services sections (issue 14), spliced into
metrics.MEASURES and metrics.SECTIONS (kept apart to hold both modules small).

Poktan: active poktan, sessions held, families attending and member families
per kind, and attending ÷ members as a rate. Services: Posyandu and PAUD sessions
and the sums of their counts. Keys are stored in hand-in snapshots: never rename.
"""

from kkbweb.meetings.rules import attendance_rate
from kkbweb.poktan.vocab import KINDS as POKTAN_KINDS
from kkbweb.reports import queries_poktan as parts
from kkbweb.reports.shapes import RATE, Each, Figure, Measure, Sortable
from kkbweb.units import vocab as unit_vocab

POKTAN = "Poktan"
SERVICES = "Posyandu dan PAUD"

MEASURES = (
    Measure("poktan.active", parts.poktan_active, "poktan_active"),
    Measure("poktan.sessions", parts.poktan_sessions, "poktan_sessions"),
    Measure("poktan.families", parts.poktan_families, "poktan_families"),
    Measure("poktan.members", parts.poktan_members, "poktan_members"),
    Measure("unit.sessions", parts.unit_sessions, "unit_sessions"),
    Measure("unit.counts", parts.unit_counts, "unit_counts"),
)


def _total(counts: dict) -> int:
    return sum(counts.values())


def _rate(f, code=None) -> float | None:
    """Families attending ÷ member families (of one kind, or all), in percent."""
    if code is None:
        return attendance_rate(_total(f.poktan_families), _total(f.poktan_members))
    return attendance_rate(
        f.poktan_families.get(code, 0), f.poktan_members.get(code, 0)
    )


POKTAN_BY_KIND = Each(
    POKTAN_KINDS,
    (
        Figure(
            "poktan.{code}.active",
            "{name}: poktan aktif",
            lambda f, code: f.poktan_active.get(code, 0),
            heading="Poktan aktif",
            total="poktan.active",
        ),
        Figure(
            "poktan.{code}.sessions",
            "{name}: pertemuan",
            lambda f, code: f.poktan_sessions.get(code, 0),
            column={
                "bkb": Sortable("bkb", "Sesi BKB", "Pertemuan BKB di bulan ini"),
            },
            city={"bkb": "Sesi BKB"},
            heading="Pertemuan",
            total="poktan.sessions",
        ),
        Figure(
            "poktan.{code}.families",
            "{name}: keluarga hadir",
            lambda f, code: f.poktan_families.get(code, 0),
            heading="Keluarga hadir",
            total="poktan.families",
        ),
        Figure(
            "poktan.{code}.members",
            "{name}: keluarga anggota",
            lambda f, code: f.poktan_members.get(code, 0),
            heading="Keluarga anggota",
            total="poktan.members",
        ),
        Figure(
            "poktan.{code}.rate",
            "{name}: keluarga hadir (%)",
            _rate,
            RATE,
            "pct",
            heading="% hadir",
            total="poktan.rate",
        ),
    ),
)

UNITS_BY_KIND = Each(
    unit_vocab.KINDS,
    (
        Figure(
            "units.{code}.sessions",
            "{name}: sesi layanan",
            lambda f, code: f.unit_sessions.get(code, 0),
            column={
                "posyandu": Sortable("posyandu", "Posyandu", "Sesi Posyandu"),
            },
            city={"posyandu": "Sesi Posyandu", "paud": "Sesi PAUD"},
            heading="Sesi",
            total="units.sessions",
        ),
    ),
)

_POKTAN = (
    Figure(
        "poktan.active",
        "Poktan aktif",
        lambda f: _total(f.poktan_active),
        city="Poktan aktif",
    ),
    Figure(
        "poktan.sessions",
        "Pertemuan poktan",
        lambda f: _total(f.poktan_sessions),
        column=Sortable("poktan", "Sesi poktan", "Pertemuan poktan di bulan ini"),
        city="Pertemuan poktan",
    ),
    Figure(
        "poktan.families",
        "Keluarga hadir",
        lambda f: _total(f.poktan_families),
        city="Keluarga hadir poktan",
    ),
    Figure(
        "poktan.members",
        "Keluarga anggota",
        lambda f: _total(f.poktan_members),
        city="Keluarga anggota poktan",
    ),
    Figure(
        "poktan.rate",
        "Keluarga hadir (%)",
        _rate,
        RATE,
        "pct",
        column=Sortable(
            "keluarga", "% keluarga", "Keluarga hadir ÷ keluarga anggota poktan"
        ),
        city="Keluarga hadir poktan (%)",
    ),
    POKTAN_BY_KIND,
)
_COUNT_FIGURES = tuple(
    Figure(
        f"units.{column}",
        label,
        lambda f, column=column: f.unit_counts.get(column, 0),
        city=label,
    )
    for column, label in unit_vocab.COUNT_LABELS.items()
)
_SERVICES = (
    Figure("units.sessions", "Sesi layanan", lambda f: _total(f.unit_sessions)),
    UNITS_BY_KIND,
    *_COUNT_FIGURES,
)
SECTIONS = ((POKTAN, _POKTAN), (SERVICES, _SERVICES))
