"""Writes to meetings, attendance and guests, each with its audit row.

Everything is added to the caller's transaction; the caller commits, so the
change and its audit row are saved together or not at all.
"""

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.meetings import queries, vocab
from kkbweb.meetings.models import (
    MarkResult,
    Meeting,
    MeetingExternal,
    MeetingGuest,
    MeetingInvitee,
    MeetingPokja,
    mark_attendance,
)
from kkbweb.meetings.queries import LoadedMeeting
from kkbweb.timeutil import utcnow


def fill_meeting(meeting: Meeting, form) -> None:
    """Copy the meeting form onto the meeting."""
    meeting.kind = form.kind.data
    meeting.title = form.title.data
    meeting.date = form.date.data
    meeting.start_time = form.start_time.data
    meeting.place = form.place.data
    meeting.agenda = form.agenda.data or None
    meeting.organiser_id = form.organiser_id.data


def create_meeting(form, user) -> Meeting:
    """A new scheduled meeting inviting the form's Pokja."""
    meeting = Meeting(created_by_id=user.id, status=vocab.SCHEDULED)
    fill_meeting(meeting, form)
    db.session.add(meeting)
    db.session.flush()
    pokja_ids = form.chosen_pokja_ids()
    db.session.execute(
        insert(MeetingPokja),
        [
            {"meeting_id": meeting.id, "pokja_id": pid, "mode": form.mode}
            for pid in pokja_ids
        ],
    )
    record(
        "meeting.create",
        meeting,
        after={**meeting.audit_dict(), "pokja_ids": pokja_ids, "mode": form.mode},
        user=user,
    )
    return meeting


def update_meeting(loaded: LoadedMeeting, form, user) -> bool:
    """Apply the form and the change of invited Pokja; False if nothing changed."""
    meeting = loaded.meeting
    old, new_ids = set(loaded.pokja_ids), set(form.chosen_pokja_ids())
    removed, added = old - new_ids, new_ids - old
    before = {**meeting.audit_dict(), "pokja_ids": sorted(old)}
    fill_meeting(meeting, form)
    if removed:
        # The removed Pokja's picks go with their invitation (ON DELETE CASCADE).
        db.session.execute(
            delete(MeetingPokja).where(
                MeetingPokja.meeting_id == meeting.id,
                MeetingPokja.pokja_id.in_(removed),
            )
        )
    if added:
        db.session.execute(
            insert(MeetingPokja),
            [
                {"meeting_id": meeting.id, "pokja_id": p, "mode": form.mode}
                for p in sorted(added)
            ],
        )
    after = {**meeting.audit_dict(), "pokja_ids": sorted(new_ids)}
    if after == before:
        return False
    record("meeting.update", meeting, before=before, after=after, user=user)
    return True


def save_minutes(meeting: Meeting, minutes: str, follow_ups: str, user) -> bool:
    """Set the notulen and follow-ups; False if nothing changed."""
    before = {"minutes": meeting.minutes, "follow_ups": meeting.follow_ups}
    meeting.minutes = minutes or None
    meeting.follow_ups = follow_ups or None
    after = {"minutes": meeting.minutes, "follow_ups": meeting.follow_ups}
    if after == before:
        return False
    record("meeting.minutes", meeting, before=before, after=after, user=user)
    return True


def set_status(meeting: Meeting, new_status: str, user) -> str:
    """Move the meeting to an allowed status; the audit action it recorded."""
    before = {"status": meeting.status}
    action = "meeting.reopen" if meeting.status == vocab.FINISHED else "meeting.status"
    meeting.status = new_status
    record(action, meeting, before=before, after={"status": new_status}, user=user)
    return action


def delete_meeting(loaded: LoadedMeeting, user) -> None:
    """Delete an unused meeting and its invitations (picks and invited outsiders
    go with it: ON DELETE CASCADE)."""
    meeting = loaded.meeting
    before = {**meeting.audit_dict(), "pokja_ids": loaded.pokja_ids}
    db.session.execute(
        delete(MeetingPokja).where(MeetingPokja.meeting_id == meeting.id)
    )
    record("meeting.delete", meeting, before=before, user=user)
    db.session.delete(meeting)


def mark(
    *, meeting_id: int, member_id: int, pokja_id: int, name: str, status: str, user
) -> MarkResult:
    """One tap: the person's status (an atomic upsert), audited when it changed."""
    result = mark_attendance(
        meeting_id=meeting_id,
        member_id=member_id,
        pokja_id=pokja_id,
        status=status,
        user_id=user.id,
    )
    if result.changed:
        record(
            "attendance.mark",
            entity_type="attendance",
            entity_id=result.id,
            before={"status": result.previous},
            after={"status": status, "meeting_id": meeting_id, "member_id": member_id},
            note=name,
            user=user,
        )
    return result


def add_guest(meeting: Meeting, form, user) -> MeetingGuest | None:
    """Record a walk-in guest as present.

    None, rolled back, when the form's token already recorded the guest (a
    double tap or a resend): nothing is written twice.
    """
    guest = MeetingGuest(
        meeting_id=meeting.id,
        name=form.name.data,
        sex=form.sex.data,
        affiliation=form.affiliation.data or None,
        pokja_id=form.pokja_id.data,
        created_by_id=user.id,
        form_token=form.form_token.data,
    )
    db.session.add(guest)
    try:
        db.session.flush()  # a copy of the form waits and fails here
    except IntegrityError:
        db.session.rollback()
        if guest.form_token and queries.guest_token_used(guest.form_token):
            return None
        raise
    record("meeting.guest_add", guest, after=guest.audit_dict(), user=user)
    return guest


def remove_guest(guest: MeetingGuest, user) -> None:
    """Remove a guest recorded by mistake."""
    record("meeting.guest_remove", guest, before=guest.audit_dict(), user=user)
    db.session.delete(guest)


# --- invitations: who is invited --------------------------------------------------


def set_invitations(
    loaded: LoadedMeeting,
    wanted: dict[int, tuple[str, set[int]]],
    current: dict[int, set[int]],
    user,
) -> bool:
    """Set how these Pokja are invited: pokja id -> (mode, picked member ids).

    `current` holds each Pokja's picks now. Mode "all" drops the picks. At most
    one UPDATE per mode, one DELETE and one INSERT whatever the number of Pokja,
    and one audit row; False when nothing changed.
    """
    meeting_id = loaded.meeting.id
    to_mode: dict[str, list[int]] = {}
    removed: set[int] = set()
    added: list[dict] = []
    before, after = {}, {}
    for pokja_id, (mode, picked) in sorted(wanted.items()):
        picked = picked if mode == vocab.DELEGATES else set()
        old_mode, old_picked = loaded.mode(pokja_id), current.get(pokja_id, set())
        if (mode, picked) == (old_mode, old_picked):
            continue
        if mode != old_mode:
            to_mode.setdefault(mode, []).append(pokja_id)
        removed |= old_picked - picked
        added += [
            {
                "meeting_id": meeting_id,
                "member_id": member_id,
                "pokja_id": pokja_id,
                "created_by_id": user.id,
                "created_at": utcnow(),
            }
            for member_id in sorted(picked - old_picked)
        ]
        before[str(pokja_id)] = {"mode": old_mode, "member_ids": sorted(old_picked)}
        after[str(pokja_id)] = {"mode": mode, "member_ids": sorted(picked)}
    if not after:
        return False
    for mode, pokja_ids in to_mode.items():
        db.session.execute(
            update(MeetingPokja)
            .where(
                MeetingPokja.meeting_id == meeting_id,
                MeetingPokja.pokja_id.in_(pokja_ids),
            )
            .values(mode=mode)
        )
    if removed:
        db.session.execute(
            delete(MeetingInvitee).where(
                MeetingInvitee.meeting_id == meeting_id,
                MeetingInvitee.member_id.in_(removed),
            )
        )
    if added:
        db.session.execute(insert(MeetingInvitee), added)
    record(
        "meeting.invitees",
        loaded.meeting,
        before={"pokja": before},
        after={"pokja": after},
        user=user,
    )
    return True


def add_external(meeting: Meeting, form, pokja_id: int | None, user):
    """Invite a person outside the Pokja (narasumber, dinas, mitra)."""
    person = MeetingExternal(
        meeting_id=meeting.id,
        name=form.name.data,
        role=form.role.data or None,
        sex=form.sex.data,
        pokja_id=pokja_id,
        created_by_id=user.id,
    )
    db.session.add(person)
    db.session.flush()
    record("meeting.external_add", person, after=person.audit_dict(), user=user)
    return person


def remove_external(person: MeetingExternal, user) -> None:
    """Withdraw an outsider's invitation (not once they are marked)."""
    record("meeting.external_remove", person, before=person.audit_dict(), user=user)
    db.session.delete(person)


def mark_external(person: MeetingExternal, status: str, user) -> str | None:
    """Set an invited outsider's status; the status it replaced, audited when it
    changed (a repeat changes nothing)."""
    if status not in vocab.ATTENDANCE_STATUSES:
        raise ValueError(f"unknown attendance status {status!r}")
    previous = person.status
    if previous == status:
        return previous
    person.status = status
    person.marked_by_id = user.id
    person.marked_at = utcnow()
    record(
        "attendance.mark_external",
        person,
        before={"status": previous},
        after={"status": status, "meeting_id": person.meeting_id},
        note=person.name,
        user=user,
    )
    return previous
