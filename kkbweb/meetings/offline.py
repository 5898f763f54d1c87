"""The roll call kept on a phone (meetings.offline.*): what a device asks before
sending, and the batch of marks and walk-ins it queued while there was no signal.

Both answer JSON to static/js/offline.js; the roll call itself stays the plain
forms of roll_call.py (no JavaScript: nothing here is used).
"""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from kkbweb.access import can_see_pokja, role_required
from kkbweb.database import keeping_loaded
from kkbweb.extensions import db
from kkbweb.meetings import offline_batch, offline_queries, offline_service, rules

bp = Blueprint("offline", __name__)

OTHER_USER = (
    "Tanda ini dibuat oleh pengguna lain di perangkat ini; masuk sebagai dia "
    "untuk mengirimnya."
)


@bp.get("/<int:meeting_id>/offline")
@role_required(*rules.ORGANISER_ROLES)
def state(meeting_id: int):
    """Who is logged in, a fresh CSRF token and whether the roll call is open."""
    ctx = offline_queries.meeting_state(meeting_id)
    if ctx is None:
        abort(404)
    return jsonify(
        user=current_user.id,
        csrf=generate_csrf(),
        status=ctx.status,
        open=not rules.is_locked(ctx.status, current_user, ctx.pokja_ids),
    )


@bp.post("/<int:meeting_id>/offline")
@role_required(*rules.ORGANISER_ROLES)
def batch(meeting_id: int):
    """Apply a device's queued entries, each exactly once by its key."""
    parsed = offline_batch.read_batch(
        request.get_json(silent=True), offline_service.utcnow()
    )
    if parsed is None:
        if offline_queries.meeting_state(meeting_id) is None:
            abort(404)
        return jsonify(error="Kiriman tidak dapat dibaca."), 400
    user_id, entries = parsed
    members = [e.member_id for e in entries if e.kind == offline_batch.MARK]
    ctx = offline_queries.batch_context(meeting_id, [m for m in members if m])
    if ctx is None:
        abort(404)
    if user_id != current_user.id:
        return jsonify(error=OTHER_USER), 403
    results = offline_service.apply_batch(
        meeting_id, entries, ctx, current_user, can_see_pokja
    )
    with keeping_loaded():
        db.session.commit()
    return jsonify(results=results)
