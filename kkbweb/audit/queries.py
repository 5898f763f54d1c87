"""Reads of the audit trail: the admin's filtered list."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, select

from kkbweb.audit.models import AuditLog
from kkbweb.timeutil import WIB


def parse_date(raw: str | None):
    """A yyyy-mm-dd filter value, or None when empty, malformed or out of range."""
    try:
        day = datetime.strptime(raw or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    # 0001-01-01 WIB is still year 0 in UTC, and 9999-12-31 has no next day.
    return day if 1 < day.year < 9999 else None


def wib_day_start_utc(day) -> datetime:
    """The UTC instant at which a WIB calendar day begins."""
    return datetime.combine(day, time(), WIB).astimezone(UTC).replace(tzinfo=None)


def trail(filters: dict) -> Select:
    """Audit rows, newest first, narrowed by the list's filters (see views.index)."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if filters["aksi"]:
        stmt = stmt.where(AuditLog.action.startswith(filters["aksi"], autoescape=True))
    if filters["pengguna"]:
        stmt = stmt.where(AuditLog.username == filters["pengguna"].lower())
    if filters["entitas"]:
        stmt = stmt.where(AuditLog.entity_type == filters["entitas"])
    if start := parse_date(filters["dari"]):
        stmt = stmt.where(AuditLog.created_at >= wib_day_start_utc(start))
    if end := parse_date(filters["sampai"]):
        stmt = stmt.where(
            AuditLog.created_at < wib_day_start_utc(end + timedelta(days=1))
        )
    return stmt
