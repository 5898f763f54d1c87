"""The admin's view of the audit trail."""

from flask import Blueprint, request

from kkbweb.access import role_required
from kkbweb.audit import log, queries, rules
from kkbweb.htmx import render
from kkbweb.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")
# Every response that showed personal data gets its read rows (log.record_read_on_send).
bp.after_app_request(log.write_pending_reads)


@bp.get("/")
@role_required(*rules.AUDIT_ROLES)
def index():
    """List audit rows, newest first, filtered by action, user, entity and period."""
    filters = {
        "aksi": request.args.get("aksi", "").strip()[:40],
        "pengguna": request.args.get("pengguna", "").strip()[:40],
        "entitas": request.args.get("entitas", "").strip()[:40],
        "dari": request.args.get("dari", ""),
        "sampai": request.args.get("sampai", ""),
    }
    page = paginate(queries.trail(filters))
    return render("audit/index.html", "audit/_rows.html", page=page, filters=filters)
