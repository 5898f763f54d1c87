"""Attendance arithmetic for one meeting: counts by Pokja x sex x status. No Flask."""

from dataclasses import dataclass, field

from kkbweb.meetings import rules, vocab

NOT_MARKED = None  # the status of someone on the roster who was not marked
SEX_KEYS = tuple(vocab.SEXES)
OUTSIDERS = "outsiders"  # the row of the invited persons outside the Pokja
OUTSIDERS_NAME = "Undangan lain (narasumber, instansi)"
NO_POKJA_NAME = "Tamu tanpa Pokja"


@dataclass
class RecapRow:
    """One Pokja's counts (or the outsiders', or the total): the invited by status
    and sex, the present without an invitation by sex, guests by sex."""

    pokja_id: int | None
    pokja_name: str
    counts: dict[tuple[str | None, str], int] = field(default_factory=dict)
    guests_by_sex: dict[str, int] = field(default_factory=dict)
    uninvited_by_sex: dict[str, int] = field(default_factory=dict)

    def n(self, status: str | None, sex: str | None = None) -> int:
        """Invited persons with this status (None: not marked), of one sex or both."""
        sexes = SEX_KEYS if sex is None else (sex,)
        return sum(self.counts.get((status, s), 0) for s in sexes)

    def roster(self, sex: str | None = None) -> int:
        """Invited persons, of one sex or both."""
        sexes = SEX_KEYS if sex is None else (sex,)
        return sum(n for (_status, s), n in self.counts.items() if s in sexes)

    def uninvited(self, sex: str | None = None) -> int:
        """Present without an invitation ("hadir, tidak diundang"), by sex or all."""
        if sex is None:
            return sum(self.uninvited_by_sex.values())
        return self.uninvited_by_sex.get(sex, 0)

    def present(self, sex: str | None = None) -> int:
        """Everyone present: invited hadir, uninvited hadir and guests."""
        return self.n(vocab.PRESENT, sex) + self.uninvited(sex) + self.guests(sex)

    def guests(self, sex: str | None = None) -> int:
        """Walk-in guests, of one sex or both."""
        if sex is None:
            return sum(self.guests_by_sex.values())
        return self.guests_by_sex.get(sex, 0)

    @property
    def rate(self) -> float | None:
        """Attendance rate: invited persons present over invited persons, in %."""
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
        for key, n in other.uninvited_by_sex.items():
            self.uninvited_by_sex[key] = self.uninvited_by_sex.get(key, 0) + n


@dataclass
class Recap:
    rows: list[RecapRow]
    total: RecapRow


def build(mark_rows, guest_rows, outsider_rows=()) -> Recap:
    """Fold (pokja_id, pokja_name, sex, status, invited, n) member rows (without
    `invited`: all invited), (pokja_id, name, sex, n) guest rows and (sex, status,
    n) rows of the invited persons outside the Pokja."""
    by_pokja: dict = {}

    def row_for(key, pokja_id, name) -> RecapRow:
        if key not in by_pokja:
            by_pokja[key] = RecapRow(pokja_id, name)
        return by_pokja[key]

    for mark in mark_rows:
        pokja_id, name, sex, status, *invited, n = mark
        invited = invited[0] if invited else True
        row = row_for(pokja_id, pokja_id, name)
        if invited:
            row.counts[(status, sex)] = row.counts.get((status, sex), 0) + n
        elif status == vocab.PRESENT:
            row.uninvited_by_sex[sex] = row.uninvited_by_sex.get(sex, 0) + n
    for sex, status, n in outsider_rows:
        row = row_for(OUTSIDERS, None, OUTSIDERS_NAME)
        row.counts[(status, sex)] = row.counts.get((status, sex), 0) + n
    for pokja_id, name, sex, n in guest_rows:
        row = row_for(pokja_id, pokja_id, name or NO_POKJA_NAME)
        row.guests_by_sex[sex] = row.guests_by_sex.get(sex, 0) + n
    order = {OUTSIDERS: 1, None: 2}
    rows = [
        row
        for _key, row in sorted(
            by_pokja.items(), key=lambda kv: (order.get(kv[0], 0), kv[1].pokja_name)
        )
    ]
    total = RecapRow(None, "Jumlah")
    for row in rows:
        total.add(row)
    return Recap(rows, total)


def from_loaded(roster_rows, guests, outsiders=()) -> Recap:
    """The same recap from rows already loaded for an export (no extra query)."""
    marks: dict[tuple, int] = {}
    for row in roster_rows:
        invited = bool(getattr(row, "invited", True))
        key = (row.pokja_id, row.pokja_name, row.sex, row.status, invited)
        marks[key] = marks.get(key, 0) + 1
    outsider_counts: dict[tuple, int] = {}
    for person in outsiders:
        key = (person.sex, person.status)
        outsider_counts[key] = outsider_counts.get(key, 0) + 1
    guest_counts: dict[tuple, int] = {}
    for guest, pokja_name in guests:
        key = (guest.pokja_id, pokja_name, guest.sex)
        guest_counts[key] = guest_counts.get(key, 0) + 1
    return build(
        [(*key, n) for key, n in marks.items()],
        [(*key, n) for key, n in guest_counts.items()],
        [(*key, n) for key, n in outsider_counts.items()],
    )
