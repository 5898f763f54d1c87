"""Time helpers: store UTC, show WIB (Asia/Jakarta), write dates in Indonesian."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

WIB = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form stored in the DB."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_wib(value: datetime) -> datetime:
    """Convert a stored naive-UTC datetime to Jakarta time."""
    return value.replace(tzinfo=UTC).astimezone(WIB)


def today_wib() -> date:
    """Return today's date in Jakarta."""
    return datetime.now(WIB).date()


def tanggal(value: date | datetime | None) -> str:
    """Format a date as '27 Mei 2024' (a datetime is converted to WIB first)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_wib(value).date()
    return format_date(value, "d MMMM y", locale="id")


def hari_tanggal(value: date | datetime | None) -> str:
    """Format a date as 'Senin, 27 Mei 2024'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_wib(value).date()
    return format_date(value, "EEEE, d MMMM y", locale="id")


def waktu_wib(value: datetime | None) -> str:
    """Format a stored UTC datetime as '27 Mei 2024 14.30 WIB'."""
    if value is None:
        return ""
    local = to_wib(value)
    return f"{tanggal(local.date())} {local:%H.%M} WIB"
