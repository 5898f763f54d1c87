"""A child's age group on a date (the BKB register's 0-<1 ... 5-<6). No Flask."""

import datetime as dt

from kkbweb.poktan.vocab import AGE_GROUPS


def whole_years(birth: dt.date, on: dt.date) -> int:
    """Completed years of age on a date (a birthday counts on the day itself;
    29 February birthdays on 1 March in common years)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def age_group(birth: dt.date | None, on: dt.date) -> str | None:
    """The age group's code (e.g. "2_3" for 2-<3 years) on the date, or None
    when the birth date is unknown, after the date, or the child is 6 or older."""
    if birth is None or birth > on:
        return None
    years = whole_years(birth, on)
    for code, _label, start, below in AGE_GROUPS:
        if start <= years < below:
            return code
    return None


def age_text(birth: dt.date | None, on: dt.date) -> str:
    """The age in Indonesian for a list: "1 th 4 bln", "7 bln"; empty if unknown."""
    if birth is None or birth > on:
        return ""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day:
        months -= 1
    years, months = divmod(months, 12)
    if years and months:
        return f"{years} th {months} bln"
    if years:
        return f"{years} th"
    return f"{months} bln"
