"""Applying a batch of queued roll-call entries exactly once, with their audit rows.

Whatever the size of the batch, at most four writes: the keys (INSERT ... ON
CONFLICT DO NOTHING RETURNING: a key already applied comes back missing, so its
entry changes nothing), the marks (one upsert for every person, guarded by the
rule of offline_batch: a mark older than the one held does not replace it), the
walk-ins, and the audit rows (one INSERT for all). The caller commits.
"""

from sqlalchemy import insert

from kkbweb.audit.log import record
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.marks import _INSERTS
from kkbweb.meetings import offline_batch as ob
from kkbweb.meetings import rules
from kkbweb.meetings.models import Attendance, MeetingGuest, OfflineEntry
from kkbweb.meetings.offline_queries import BatchContext
from kkbweb.timeutil import utcnow


def _dialect_insert(table):
    return _INSERTS[db.session.get_bind().dialect.name](table)


def _refuse(entries, ctx: BatchContext, user, can_see) -> None:
    """Set each entry's problem: locked meeting, person no longer listed, guest
    of a Pokja the user may not choose."""
    locked = rules.is_locked(ctx.status, user, ctx.pokja_ids)
    for entry in entries:
        if entry.problem:
            continue
        if locked:
            entry.problem = ob.LOCKED
        elif entry.kind == ob.MARK and entry.member_id not in ctx.people:
            entry.problem = ob.NOT_LISTED
        elif entry.kind == ob.GUEST:
            if entry.pokja_id is None and not user.sees_all_pokja:
                entry.pokja_id = user.pokja_id
            if entry.pokja_id is not None and (
                entry.pokja_id not in ctx.pokja_ids or not can_see(entry.pokja_id)
            ):
                entry.problem = ob.GUEST_POKJA


def _new_keys(meeting_id: int, entries, user_id: int, received) -> set[str]:
    """Record the keys; those already applied before are not returned."""
    if not entries:
        return set()
    table = OfflineEntry.__table__
    stmt = (
        _dialect_insert(table)
        .values(
            [
                {
                    "key": e.key,
                    "meeting_id": meeting_id,
                    "user_id": user_id,
                    "kind": e.kind,
                    "device_at": e.at,
                    "received_at": received,
                }
                for e in entries
            ]
        )
        .on_conflict_do_nothing(index_elements=[table.c.key])
        .returning(table.c.key)
    )
    return set(db.session.scalars(stmt))


def _upsert_marks(meeting_id: int, best: dict, ctx: BatchContext, user_id: int):
    """One upsert for the winning marks; member id -> status it replaced, for
    the rows it changed."""
    if not best:
        return {}
    table = Attendance.__table__
    stmt = _dialect_insert(table).values(
        [
            {
                "meeting_id": meeting_id,
                "member_id": e.member_id,
                "pokja_id": ctx.people[e.member_id].member_pokja,
                "status": e.status,
                "previous_status": None,
                "marked_by_id": user_id,
                "marked_at": e.at,
            }
            for e in best.values()
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.meeting_id, table.c.member_id],
        set_={
            "previous_status": table.c.status,
            "status": stmt.excluded.status,
            "marked_by_id": stmt.excluded.marked_by_id,
            "marked_at": stmt.excluded.marked_at,
        },
        # The rule: a mark older than the one held does not replace it.
        where=(table.c.status != stmt.excluded.status)
        & (table.c.marked_at <= stmt.excluded.marked_at),
    ).returning(table.c.id, table.c.member_id, table.c.previous_status)
    return {row.member_id: row for row in db.session.execute(stmt)}


def _add_guests(meeting_id: int, guests, user_id: int, received) -> dict[str, int]:
    """One INSERT for the walk-ins; key -> guest id."""
    if not guests:
        return {}
    table = MeetingGuest.__table__
    stmt = (
        insert(table)
        .values(
            [
                {
                    "meeting_id": meeting_id,
                    "name": g.name,
                    "sex": g.sex,
                    "affiliation": g.affiliation,
                    "pokja_id": g.pokja_id,
                    "created_by_id": user_id,
                    "created_at": received,
                    "form_token": g.key,  # the device's key: one guest per key
                }
                for g in guests
            ]
        )
        .returning(table.c.id, table.c.form_token)
    )
    return {row.form_token: row.id for row in db.session.execute(stmt)}


def apply_batch(meeting_id: int, entries, ctx: BatchContext, user, can_see) -> list:
    """Apply the batch; one answer per entry: key, ok, the person's final status
    (marks) or the guest's id, and the reason when refused or outdone."""
    received = utcnow()
    _refuse(entries, ctx, user, can_see)
    good = [e for e in entries if not e.problem]
    fresh = _new_keys(meeting_id, good, user.id, received)
    new = [e for e in good if e.key in fresh]
    marks = [e for e in new if e.kind == ob.MARK]
    best = ob.winners(marks)
    changed = _upsert_marks(meeting_id, best, ctx, user.id)
    guest_ids = _add_guests(
        meeting_id, [e for e in new if e.kind == ob.GUEST], user.id, received
    )
    final = {m: row.mark_status for m, row in ctx.people.items()}
    final.update({m: best[m].status for m in changed})
    trail = []
    for entry in marks:
        person = ctx.people[entry.member_id]
        row = changed.get(entry.member_id) if best[entry.member_id] is entry else None
        detail = {
            "status": entry.status,
            "meeting_id": meeting_id,
            "member_id": entry.member_id,
            "offline_key": entry.key,
            "device_at": entry.at.isoformat(timespec="seconds"),
        }
        if row is not None:
            trail.append(
                record(
                    "attendance.mark",
                    entity_type="attendance",
                    entity_id=row.id,
                    before={"status": row.previous_status},
                    after=detail,
                    note=person.name,
                    user=user,
                )
            )
        else:
            # Outdone or a repeat: kept in the trail, the row not changed.
            trail.append(
                record(
                    "attendance.mark_not_applied",
                    entity_type="attendance",
                    before={"status": final[entry.member_id]},
                    after=detail,
                    note=person.name,
                    user=user,
                )
            )
    for entry in new:
        if entry.kind == ob.GUEST and entry.key in guest_ids:
            trail.append(
                record(
                    "meeting.guest_add",
                    entity_type="meetingguest",
                    entity_id=guest_ids[entry.key],
                    after={
                        "meeting_id": meeting_id,
                        "name": entry.name,
                        "sex": entry.sex,
                        "affiliation": entry.affiliation,
                        "pokja_id": entry.pokja_id,
                        "offline_key": entry.key,
                    },
                    user=user,
                )
            )
    _save_trail(trail, received)
    return [_answer(e, final, guest_ids) for e in entries]


def _save_trail(trail: list[AuditLog], received) -> None:
    """The batch's audit rows in one INSERT (the ORM would send one a row)."""
    if not trail:
        return
    columns = [c.key for c in AuditLog.__table__.columns if c.key != "id"]
    for row in trail:
        db.session.expunge(row)
        row.created_at = row.created_at or received
    db.session.execute(
        insert(AuditLog.__table__),
        [{c: getattr(row, c) for c in columns} for row in trail],
    )


def _answer(entry, final: dict, guest_ids: dict) -> dict:
    """What the device is told about one entry."""
    if entry.problem:
        return {"key": entry.key, "ok": False, "reason": entry.problem}
    if entry.kind == ob.GUEST:
        return {"key": entry.key, "ok": True, "guest": guest_ids.get(entry.key)}
    status = final.get(entry.member_id)
    answer = {"key": entry.key, "ok": True, "member": entry.member_id}
    answer["status"] = status
    if status != entry.status:
        answer["note"] = ob.LATER_WINS
    return answer
