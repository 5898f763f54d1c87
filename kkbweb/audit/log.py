"""Write audit rows in the caller's transaction, with personal data masked."""

from types import SimpleNamespace

from flask import g, has_request_context, request
from flask_login import current_user

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.nik import mask_nik, redact

# Keys whose values are personal identifiers and must never be stored in full.
MASKED_KEYS = frozenset({"nik", "nik_suami", "nik_istri", "nik_ayah", "nik_ibu"})
DROPPED_KEYS = frozenset({"password", "password_hash", "csrf_token"})


def _clean(data: dict | None) -> dict | None:
    """Mask NIKs and drop secrets from a before/after dict."""
    if data is None:
        return None
    clean = {}
    for key, value in data.items():
        if key in DROPPED_KEYS:
            continue
        if key in MASKED_KEYS and value:
            value = mask_nik(str(value))
        elif isinstance(value, str):
            # A NIK typed where no NIK belongs (a username, a note) is masked too.
            value = redact(value)
        elif isinstance(value, list):
            value = [redact(item) if isinstance(item, str) else item for item in value]
        elif isinstance(value, dict):
            value = _clean(value)
        elif not isinstance(value, (str, int, float, bool, list, type(None))):
            value = str(value)
        clean[key] = value
    return clean


def record(
    action: str,
    entity=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    note: str | None = None,
    user=None,
    entity_type: str | None = None,
    entity_id=None,
) -> AuditLog:
    """Add an audit row to the session; the caller's commit saves it with the change."""
    actor = user if user is not None else _current_actor()
    if entity is not None:
        entity_type = entity_type or type(entity).__name__.lower()
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    row = AuditLog(
        user_id=getattr(actor, "id", None),
        username=getattr(actor, "username", None),
        role=getattr(actor, "role", None),
        pokja_id=getattr(actor, "pokja_id", None),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=_clean(before),
        after=_clean(after),
        note=None if note is None else redact(note),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(row)
    return row


def record_read(action: str, entity, note: str | None = None) -> None:
    """Record that personal data was viewed, from a GET request, and commit it.

    The read transaction is closed first so that the audit insert opens a fresh
    write transaction (SQLite cannot safely upgrade a read transaction).
    """
    db.session.commit()
    record(action, entity, note=note)
    db.session.commit()


# The reads the response being built shows, written once it is built.
_PENDING = "kkbweb_pending_reads"


def record_read_on_send(
    action: str, entity_type: str, entity_id, note: str | None = None
) -> None:
    """Put on record that the response being built shows this personal data.

    Once per response and entity; write_pending_reads writes the row after the
    response is rendered and before it is sent, whatever the request's outcome.
    """
    pending = g.setdefault(_PENDING, {})
    key = (action, entity_type, str(entity_id))
    if key not in pending:
        # Who is looking, taken now: the rollback below expires the user object.
        actor = _current_actor()
        pending[key] = (
            note,
            SimpleNamespace(
                **{
                    name: getattr(actor, name, None)
                    for name in ("id", "username", "role", "pokja_id")
                }
            ),
        )


def write_pending_reads(response):
    """Commit the read rows of what this response shows (an after-request hook).

    Whatever the request left uncommitted (a refused or conflicting change) is
    rolled back first, exactly as the teardown would roll it back: the read rows
    get a short transaction of their own, never carry a half-done change, and on
    SQLite never wait behind the request's own BEGIN IMMEDIATE lock. Should the
    write fail, the error page is sent instead of the data.
    """
    pending = g.pop(_PENDING, None)
    if not pending:
        return response
    db.session.rollback()
    outcome = ""
    if request.method != "GET" or response.status_code != 200:
        outcome = f"{request.method} {response.status_code}"
    for (action, entity_type, entity_id), (note, actor) in pending.items():
        record(
            action,
            user=actor,
            entity_type=entity_type,
            entity_id=entity_id,
            note=" · ".join(part for part in (note, outcome) if part) or None,
        )
    db.session.commit()
    return response


def _current_actor():
    """The logged-in user, or None outside a request or when anonymous."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None
