"""The SIGA registers of a poktan: which counts exist, the default column layouts,
the periods and the due dates. Plain data and rules, no Flask, no SQL.

- R/I (monthly): sessions held and member activity in one month; due to the PKB by
  the 3rd of the next month (PIK-R: to the PPLKB / petugas KB kecamatan).
- K/0 (yearly data-potential card): the poktan's families and their KB status;
  filled in January, due by 3 January of the year it covers.

The official column layouts are not verified (../shared/domain/siga_forms.md):
a layout is data (register_models.RegisterColumn, editable by an admin) whose
rows pick a label and one formula of FORMULAS. DEFAULT_LAYOUTS is the best-known
layout (the older BKB/BKR registers, siga_forms.md 3a); migration 0012 seeds it,
and a layout with no stored rows shows it.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from kkbweb.poktan import vocab

RI = "ri"
K0 = "k0"
REGISTERS = {RI: "Register R/I (bulanan)", K0: "Kartu K/0 data potensi (tahunan)"}
DUE_DAY = 3  # the 3rd of the next month; K/0: 3 January
# Where each kind's register goes (siga_forms.md 2: PIK-R to the kecamatan).
RECEIVER = "PKB/PLKB kelurahan"
RECEIVER_PIKR = "PPLKB/petugas KB kecamatan"
MAX_COLUMNS = 40
MAX_LABEL = 80


def form_code(register: str, kind: str) -> str:
    """The SIGA code of a register, e.g. R/I/BKB, K/0/PIK-R."""
    prefix = "R/I" if register == RI else "K/0"
    return f"{prefix}/{vocab.KINDS.get(kind, kind.upper())}"


def receiver(kind: str) -> str:
    return RECEIVER_PIKR if kind == vocab.PIKR else RECEIVER


# --- the formulas: the fixed set of counts a column may show -----------------------


@dataclass(frozen=True)
class Formula:
    """One count: the measured metric (register_queries) and its key, if any.

    metric "members_age" with key "0_1": active member children aged 0-<1 at the
    period's reference date. `sum_keys` adds several keys (MKJP methods).
    """

    code: str
    label: str
    metric: str
    key: str | None = None
    sum_keys: tuple[str, ...] = ()
    bkb_only: bool = False


def _formulas() -> dict[str, Formula]:
    items = [
        Formula("sessions", "Pertemuan penyuluhan diadakan", "sessions"),
        Formula("members", "Keluarga anggota", "members"),
        Formula("members_pus", "Anggota PUS", "members_pus"),
        Formula("members_kb", "Anggota PUS ber-KB", "members_kb"),
        Formula(
            "members_mkjp",
            "Anggota ber-KB MKJP",
            "members_method",
            sum_keys=tuple(sorted(vocab.MKJP)),
        ),
        Formula("families_attending", "Keluarga hadir", "attending"),
        Formula("active_members", "Anggota aktif (hadir)", "attending_members"),
        Formula("attending_pus", "Anggota hadir yang PUS", "attending_pus"),
        Formula("attending_kb", "Anggota hadir yang ber-KB", "attending_kb"),
        Formula("kka", "KKA diisi", "kka", bkb_only=True),
        Formula("guests", "Keluarga bukan anggota yang hadir", "guests"),
    ]
    for method, name in vocab.KB_METHODS.items():
        items.append(
            Formula(f"kb_{method}", f"Anggota ber-KB {name}", "members_method", method)
        )
    for code, label, _start, _below in vocab.AGE_GROUPS:
        items.append(
            Formula(
                f"members_age_{code}",
                f"Anggota: anak umur {label}",
                "members_age",
                code,
                bkb_only=True,
            )
        )
        items.append(
            Formula(
                f"attending_age_{code}",
                f"Hadir: anak umur {label}",
                "attending_age",
                code,
                bkb_only=True,
            )
        )
    return {f.code: f for f in items}


FORMULAS = _formulas()


def formula_choices(kind: str) -> list[tuple[str, str]]:
    """The formulas a layout of this poktan kind may use (age groups: BKB only)."""
    return [
        (code, f.label)
        for code, f in FORMULAS.items()
        if kind == vocab.BKB or not f.bkb_only
    ]


def value(formula: str, counts: dict[tuple[str, str | None], int]) -> int:
    """A formula's value from one poktan's counts {(metric, key): n}; unknown: 0."""
    found = FORMULAS.get(formula)
    if found is None:
        return 0
    if found.sum_keys:
        return sum(counts.get((found.metric, k), 0) for k in found.sum_keys)
    return counts.get((found.metric, found.key), 0)


# --- the default layouts -----------------------------------------------------------

_AGES = [f"attending_age_{code}" for code, *_ in vocab.AGE_GROUPS]
_MEMBER_AGES = [f"members_age_{code}" for code, *_ in vocab.AGE_GROUPS]
_RI_COMMON = ["sessions", "members", "families_attending", "active_members"]
_KB = ["members_pus", "members_kb"]
_K0_COMMON = ["members", "members_pus", "members_kb", "members_mkjp"] + [
    f"kb_{method}" for method in vocab.KB_METHODS
]


def _layout(codes: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple((FORMULAS[code].label, code) for code in codes)


DEFAULT_LAYOUTS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
for _kind in vocab.KINDS:
    _ri = _RI_COMMON[:3] + (_AGES if _kind == vocab.BKB else []) + _RI_COMMON[3:]
    _ri += _KB + (["kka"] if _kind == vocab.BKB else [])
    if _kind == vocab.PIKR:
        _ri.append("guests")
    DEFAULT_LAYOUTS[(RI, _kind)] = _layout(_ri)
    _k0 = _K0_COMMON[:1] + (_MEMBER_AGES if _kind == vocab.BKB else [])
    DEFAULT_LAYOUTS[(K0, _kind)] = _layout(_k0 + _K0_COMMON[1:])


def layout_problems(rows: list[tuple[str, str]], kind: str) -> dict[int, str]:
    """Messages by row index for a layout being saved: label and formula."""
    allowed = dict(formula_choices(kind))
    problems = {}
    for index, (label, formula) in enumerate(rows):
        if not label.strip():
            problems[index] = "Isi judul kolom."
        elif len(label) > MAX_LABEL:
            problems[index] = f"Judul kolom paling panjang {MAX_LABEL} huruf."
        elif formula not in allowed:
            problems[index] = "Pilih rumus dari daftar."
    return problems


# --- periods and due dates ---------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What a register covers: [start, end) and the date ages are taken on."""

    register: str
    year: int
    month: int  # 0 for the yearly K/0

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.register == K0:
            return date(self.year + 1, 1, 1)
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        if self.register == K0:
            return date(self.year, 12, 31)
        return date(
            self.year, self.month, calendar.monthrange(self.year, self.month)[1]
        )

    def reference(self, today: date) -> date:
        """The day members and ages are counted on: the R/I's last day of the
        month; the K/0's day of filling (today, within its year)."""
        if self.register == RI:
            return self.last_day
        return min(max(today, self.start), self.last_day)

    @property
    def due(self) -> date:
        """R/I: the 3rd of the next month; K/0: 3 January of its own year."""
        if self.register == K0:
            return date(self.year, 1, DUE_DAY)
        return date(self.end.year, self.end.month, DUE_DAY)

    def is_late(self, today: date, submitted: bool) -> bool:
        """'Belum diserahkan': not marked as handed in once the due day is over."""
        return not submitted and today > self.due

    @property
    def label(self) -> str:
        if self.register == K0:
            return f"Tahun {self.year}"
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def age_bounds(reference: date) -> list[tuple[str, date]]:
    """(age group, born after this date) per group, youngest first: a child is
    in the first group whose date it was born after (whole years on the
    reference date; a 29 February reference counts from 28 February)."""
    bounds = []
    for code, _label, _start, below in vocab.AGE_GROUPS:
        year = reference.year - below
        day = min(reference.day, calendar.monthrange(year, reference.month)[1])
        bounds.append((code, date(year, reference.month, day)))
    return bounds
