"""Who is invited to a meeting, as SQL conditions: the one definition every count
uses (roll call, rekap, export, member history, reports). No Flask.

A member of an invited Pokja is
- *invited* when the Pokja's invitation is "all" and they were on its roster on
  the meeting date (active then; see members.models.on_roster) or are marked
  anyway, or when the invitation is "delegates" and they were chosen
  (a meeting_invitee row);
- *listed* on the roll call when invited or marked: a mark on someone not invited
  is "hadir, tidak diundang" (present, but not in the rate's denominator);
- *markable* when listed or on the roster that day: an uninvited member may be
  added as they arrive.
Invited persons outside the Pokja (meeting_external) are invited by definition.
The attendance rate is hadir among the invited over the invited.
"""

from sqlalchemy import and_, case, or_

from kkbweb.meetings import vocab
from kkbweb.members.models import on_roster


def joins(meeting_id, member, mark, invitation, invitee):
    """Join conditions: the member's Pokja's invitation, their mark, their pick."""
    return (
        and_(
            invitation.pokja_id == member.pokja_id, invitation.meeting_id == meeting_id
        ),
        and_(mark.meeting_id == meeting_id, mark.member_id == member.id),
        and_(invitee.meeting_id == meeting_id, invitee.member_id == member.id),
    )


def invited(meeting_date, member, mark, invitation, invitee):
    """Condition: the member is invited (see the module's docstring)."""
    return or_(
        and_(
            invitation.mode == vocab.ALL_MEMBERS,
            or_(on_roster(meeting_date, member), mark.id.is_not(None)),
        ),
        and_(invitation.mode == vocab.DELEGATES, invitee.member_id.is_not(None)),
    )


def listed(meeting_date, member, mark, invitation, invitee):
    """Condition: the member appears on the roll call (invited or marked)."""
    return or_(
        invited(meeting_date, member, mark, invitation, invitee), mark.id.is_not(None)
    )


def markable(meeting_date, member, mark, invitation, invitee):
    """Condition: the member may be marked (listed, or on the roster that day)."""
    return or_(
        listed(meeting_date, member, mark, invitation, invitee),
        on_roster(meeting_date, member),
    )


def invited_flag(meeting_date, member, mark, invitation, invitee):
    """1 when invited, else 0: a column for rows that need to tell."""
    return case(
        (invited(meeting_date, member, mark, invitation, invitee), 1), else_=0
    ).label("invited")


def mark_invited(invitation, invitee):
    """Condition on a mark joined to its invitation and pick: it counts in the rate."""
    return or_(invitation.mode == vocab.ALL_MEMBERS, invitee.member_id.is_not(None))
