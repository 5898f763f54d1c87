"""Month arithmetic and the hand-in deadline. Plain Python, no Flask."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
MONTH_NAMES = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. Month(2024, 5) for Mei 2024."""

    year: int
    month: int

    @classmethod
    def parse(cls, raw: str | None) -> "Month | None":
        """Read '2024-05'; None when malformed or out of the supported range."""
        found = _PATTERN.match(raw or "")
        if not found:
            return None
        year, month = int(found.group(1)), int(found.group(2))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return None
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """'Mei 2024'."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        """'Mei 24', for chart axes."""
        return f"{MONTH_NAMES[self.month - 1][:3]} {self.year % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def minus(self, months: int) -> "Month":
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) of this month in WIB, as naive UTC datetimes (stored form)."""
        start = datetime.combine(self.first_day, time(), WIB)
        end = datetime.combine(self.next().first_day, time(), WIB)
        return _naive_utc(start), _naive_utc(end)

    @property
    def date_bounds(self) -> tuple[date, date]:
        """[first day, first day of next month) for date columns."""
        return self.first_day, self.next().first_day


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def deadline(month: Month, day: int = 10) -> date:
    """The last day to hand in a month's report: the `day`th of the next month."""
    return month.next().first_day + timedelta(days=day - 1)


def is_late(month: Month, today: date, submitted_on: date | None, day: int = 10):
    """Late: not handed in after the deadline, or handed in after it."""
    limit = deadline(month, day)
    if submitted_on is not None:
        return submitted_on > limit
    return today > limit


def is_closed(month: Month, today: date) -> bool:
    """A month can be handed in once it has ended."""
    return Month.of(today) > month


def trailing(month: Month, count: int = 12) -> list[Month]:
    """The `count` months ending with `month`, oldest first."""
    return [month.minus(n) for n in range(count - 1, -1, -1)]
