"""The admin's view of the audit trail."""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, request
from sqlalchemy import select

from kkbweb.audit.models import AuditLog
from kkbweb.auth import roles
from kkbweb.auth.access import role_required
from kkbweb.htmx import render
from kkbweb.pagination import paginate
from kkbweb.timeutil import WIB

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _parse_date(raw: str | None):
    """A yyyy-mm-dd filter value, or None when empty, malformed or out of range."""
    try:
        day = datetime.strptime(raw or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    # 0001-01-01 WIB is still year 0 in UTC, and 9999-12-31 has no next day.
    return day if 1 < day.year < 9999 else None


def _wib_day_start_utc(day) -> datetime:
    """The UTC instant at which a WIB calendar day begins."""
    return datetime.combine(day, time(), WIB).astimezone(UTC).replace(tzinfo=None)


@bp.get("/")
@role_required(roles.ADMIN)
def index():
    """List audit rows, newest first, filtered by action, user, entity and period."""
    filters = {
        "aksi": request.args.get("aksi", "").strip()[:40],
        "pengguna": request.args.get("pengguna", "").strip()[:40],
        "entitas": request.args.get("entitas", "").strip()[:40],
        "dari": request.args.get("dari", ""),
        "sampai": request.args.get("sampai", ""),
    }
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if filters["aksi"]:
        stmt = stmt.where(AuditLog.action.startswith(filters["aksi"], autoescape=True))
    if filters["pengguna"]:
        stmt = stmt.where(AuditLog.username == filters["pengguna"].lower())
    if filters["entitas"]:
        stmt = stmt.where(AuditLog.entity_type == filters["entitas"])
    if start := _parse_date(filters["dari"]):
        stmt = stmt.where(AuditLog.created_at >= _wib_day_start_utc(start))
    if end := _parse_date(filters["sampai"]):
        stmt = stmt.where(
            AuditLog.created_at < _wib_day_start_utc(end + timedelta(days=1))
        )
    page = paginate(stmt)
    return render("audit/index.html", "audit/_rows.html", page=page, filters=filters)
