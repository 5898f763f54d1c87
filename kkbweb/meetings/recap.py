"""Attendance arithmetic for one meeting: counts by Pokja x sex x status. No Flask."""

from dataclasses import dataclass, field

from kkbweb.meetings import rules, vocab

NOT_MARKED = None  # the status of someone on the roster who was not marked
SEX_KEYS = tuple(vocab.SEXES)


@dataclass
class RecapRow:
    """One Pokja's counts (or the total): members by status and sex, guests by sex."""

    pokja_id: int | None
    pokja_name: str
    counts: dict[tuple[str | None, str], int] = field(default_factory=dict)
    guests_by_sex: dict[str, int] = field(default_factory=dict)

    def n(self, status: str | None, sex: str | None = None) -> int:
        """Members with this status (None: not marked), of one sex or both."""
        sexes = SEX_KEYS if sex is None else (sex,)
        return sum(self.counts.get((status, s), 0) for s in sexes)

    def roster(self, sex: str | None = None) -> int:
        """Members on the roster (invited), of one sex or both."""
        sexes = SEX_KEYS if sex is None else (sex,)
        return sum(n for (_status, s), n in self.counts.items() if s in sexes)

    def guests(self, sex: str | None = None) -> int:
        """Walk-in guests, of one sex or both."""
        if sex is None:
            return sum(self.guests_by_sex.values())
        return self.guests_by_sex.get(sex, 0)

    @property
    def rate(self) -> float | None:
        """Attendance rate: hadir over invited members, in percent."""
        return rules.attendance_rate(self.n(vocab.PRESENT), self.roster())

    @property
    def rate_text(self) -> str:
        return rules.percent_text(self.rate)

    def add(self, other: "RecapRow") -> None:
        """Add another row's counts into this one."""
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        for key, n in other.guests_by_sex.items():
            self.guests_by_sex[key] = self.guests_by_sex.get(key, 0) + n


@dataclass
class Recap:
    rows: list[RecapRow]
    total: RecapRow


def build(mark_rows, guest_rows) -> Recap:
    """Fold (pokja_id, pokja_name, sex, status, n) and (pokja_id, name, sex, n) rows."""
    by_pokja: dict[int | None, RecapRow] = {}

    def row_for(pokja_id, name) -> RecapRow:
        if pokja_id not in by_pokja:
            by_pokja[pokja_id] = RecapRow(pokja_id, name or "Tamu tanpa Pokja")
        return by_pokja[pokja_id]

    for pokja_id, name, sex, status, n in mark_rows:
        row = row_for(pokja_id, name)
        row.counts[(status, sex)] = row.counts.get((status, sex), 0) + n
    for pokja_id, name, sex, n in guest_rows:
        row = row_for(pokja_id, name)
        row.guests_by_sex[sex] = row.guests_by_sex.get(sex, 0) + n
    rows = sorted(
        by_pokja.values(), key=lambda r: (r.pokja_id is None, r.pokja_name.lower())
    )
    total = RecapRow(None, "Jumlah")
    for row in rows:
        total.add(row)
    return Recap(rows, total)


def from_loaded(roster_rows, guests) -> Recap:
    """The same recap from rows already loaded for an export (no extra query)."""
    marks: dict[tuple, int] = {}
    for row in roster_rows:
        key = (row.pokja_id, row.pokja_name, row.sex, row.status)
        marks[key] = marks.get(key, 0) + 1
    guest_counts: dict[tuple, int] = {}
    for guest, pokja_name in guests:
        key = (guest.pokja_id, pokja_name, guest.sex)
        guest_counts[key] = guest_counts.get(key, 0) + 1
    return build(
        [(*key, n) for key, n in marks.items()],
        [(*key, n) for key, n in guest_counts.items()],
    )
