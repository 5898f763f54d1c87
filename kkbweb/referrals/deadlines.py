"""Legal deadlines of adminduk events, from the event date. No Flask, no database.

- a birth is reported within 60 days (Perpres 96/2018), later needs the
  late-registration form;
- a death within 30 days;
- a non-Muslim marriage is registered at Disdukcapil within 60 days of the
  religious ceremony;
- a Muslim marriage is registered at the KUA at least 10 working days before the
  akad (PMA 20/2019); later needs the camat's dispensation.

Working days are Monday to Friday outside the national holidays and cuti
bersama of data/national_holidays.csv (the SKB 3 Menteri lists, sources in its
header). A year the file does not cover counts Monday to Friday only, and the
deadline says so (holidays_known), for the page to warn.
"""

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HOLIDAYS_FILE = Path(__file__).parent / "data" / "national_holidays.csv"


def load_holidays(path: Path = HOLIDAYS_FILE) -> dict[date, str]:
    """{date: name} of the days offices are closed besides the weekend."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {date.fromisoformat(row["date"]): row["name"] for row in rows}


HOLIDAYS = load_holidays()
# The years the file lists in full; another year counts Monday to Friday only.
HOLIDAY_YEARS = frozenset(day.year for day in HOLIDAYS)

AFTER_EVENT_DAYS = {
    "akta_kelahiran": 60,
    "akta_kematian": 30,
    "akta_perkawinan": 60,
}
BEFORE_AKAD_WORKING_DAYS = {"buku_nikah": 10}


@dataclass(frozen=True)
class Deadline:
    """The last day to act, and where today stands against it."""

    due: date
    days_left: int  # negative when late
    before_event: bool = False  # a marriage: the deadline lies before the akad
    holidays_known: bool = True  # False: a year without the holiday list

    @property
    def late(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        """'sisa 20 hari', 'batas hari ini', 'terlambat 3 hari'."""
        if self.days_left > 0:
            return f"sisa {self.days_left} hari"
        if self.days_left == 0:
            return "batas hari ini"
        return f"terlambat {-self.days_left} hari"


def is_working_day(day: date, holidays=None) -> bool:
    """Monday to Friday and not a national holiday or cuti bersama."""
    holidays = HOLIDAYS if holidays is None else holidays
    return day.weekday() < 5 and day not in holidays


def working_days_before(day: date, count: int, holidays=None) -> date:
    """The date `count` working days before `day` (weekends and holidays skipped)."""
    current = day
    left = count
    while left > 0:
        current -= timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def holidays_known(start: date, end: date) -> bool:
    """True when the holiday list covers every year from start to end."""
    return all(year in HOLIDAY_YEARS for year in range(start.year, end.year + 1))


def due_date(doc_type: str, event_date: date | None) -> date | None:
    """The last day to register this document, or None (no legal deadline)."""
    if event_date is None:
        return None
    if doc_type in AFTER_EVENT_DAYS:
        return event_date + timedelta(days=AFTER_EVENT_DAYS[doc_type])
    if doc_type in BEFORE_AKAD_WORKING_DAYS:
        return working_days_before(event_date, BEFORE_AKAD_WORKING_DAYS[doc_type])
    return None


def deadline(doc_type: str, event_date: date | None, today: date) -> Deadline | None:
    """Where today stands against this document's deadline (None: no deadline)."""
    due = due_date(doc_type, event_date)
    if due is None:
        return None
    before = doc_type in BEFORE_AKAD_WORKING_DAYS
    return Deadline(
        due,
        (due - today).days,
        before_event=before,
        holidays_known=not before or holidays_known(due, event_date),
    )


def is_late(doc_type: str, event_date: date | None, today: date) -> bool:
    """True when the deadline has passed (the late papers are needed)."""
    found = deadline(doc_type, event_date, today)
    return found is not None and found.late


def age_on(birth_date: date | None, day: date | None) -> int | None:
    """Whole years of age on a day (None when a date is missing)."""
    if birth_date is None or day is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
