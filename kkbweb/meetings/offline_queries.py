"""The one read of a queued batch: the meeting's status, the Pokja it invites and,
for the people the batch marks, whether they may still be marked, their current
mark and when it was made. No Flask beyond `db`."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import aliased

from kkbweb.access import scoped
from kkbweb.extensions import db
from kkbweb.meetings import roster as roster_sql
from kkbweb.meetings.models import Attendance, Meeting, MeetingInvitee, MeetingPokja
from kkbweb.meetings.queries import visible_meetings
from kkbweb.members.models import Member

_MEETING = aliased(Meeting, name="batch_meeting")
_INVITATION = aliased(MeetingPokja, name="batch_invitation")


@dataclass
class BatchContext:
    """What a batch is checked against; `people` maps member id -> its row."""

    status: str
    pokja_ids: list[int]
    people: dict[int, object] = field(default_factory=dict)


def _people(meeting_id: int, member_ids: list[int]):
    """The batch's people who may be marked here, within the user's scope."""
    mark, invitee = Attendance, MeetingInvitee
    invite, join_mark, join_pick = roster_sql.joins(
        _MEETING.id, Member, mark, _INVITATION, invitee
    )
    stmt = (
        select(
            Member.id.label("member_id"),
            Member.name,
            Member.pokja_id.label("member_pokja"),
            mark.status.label("mark_status"),
            mark.marked_at,
            roster_sql.invited_flag(_MEETING.date, Member, mark, _INVITATION, invitee),
        )
        .select_from(_MEETING)
        .join(Member, Member.id.in_(member_ids))
        .join(_INVITATION, invite)
        .outerjoin(mark, join_mark)
        .outerjoin(invitee, join_pick)
        .where(
            _MEETING.id == meeting_id,
            roster_sql.markable(_MEETING.date, Member, mark, _INVITATION, invitee),
        )
    )
    return scoped(stmt, Member.pokja_id).subquery("people")


def batch_context(meeting_id: int, member_ids: list[int]) -> BatchContext | None:
    """One statement: None when the user may not see the meeting."""
    columns = [Meeting.status, MeetingPokja.pokja_id]
    stmt = select(*columns).join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
    people = None
    if member_ids:
        people = _people(meeting_id, sorted(set(member_ids)))
        stmt = stmt.add_columns(*people.c).outerjoin(
            people, people.c.member_pokja == MeetingPokja.pokja_id
        )
    rows = db.session.execute(
        visible_meetings(stmt.where(Meeting.id == meeting_id))
    ).all()
    if not rows:
        return None
    context = BatchContext(rows[0].status, sorted({r.pokja_id for r in rows}))
    if people is not None:
        context.people = {r.member_id: r for r in rows if r.member_id is not None}
    return context


def meeting_state(meeting_id: int) -> BatchContext | None:
    """The meeting's status and invited Pokja (for a device about to send)."""
    return batch_context(meeting_id, [])
