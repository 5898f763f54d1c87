"""The roll call's totals (the invited, each status among them, the uninvited
present, the guests: scalar subqueries of one statement; roster.py says who counts
as invited) and the one read of a toggle. No Flask beyond `db`.
"""

import datetime as dt
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Integer, and_, bindparam, func, not_, or_, select
from sqlalchemy.orm import aliased

from kkbweb.access import scoped
from kkbweb.database import prepared
from kkbweb.extensions import db
from kkbweb.meetings import roster as roster_sql
from kkbweb.meetings import rules, vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingExternal,
    MeetingGuest,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.members.models import Member, on_roster

# The totals' own aliases, built once per thread: an alias copies every column
# of its table, which cost a toggle ~3 ms of CPU when built per request, and an
# alias fills its column collections on first use, which is not safe from two
# threads at once (a cold gthread worker logged "Did not locate an expression").
# Sibling subqueries may share one; none is used by an enclosing select.
_per_thread = threading.local()


def _aliases() -> SimpleNamespace:
    """This thread's aliases of the roster's tables (named: the statement cache
    sees the same SQL from every thread)."""
    found = getattr(_per_thread, "aliases", None)
    if found is None:
        found = _per_thread.aliases = SimpleNamespace(
            roster_member=aliased(Member, name="roster_member"),
            roster_mark=aliased(Attendance, name="roster_mark"),
            roster_invitation=aliased(MeetingPokja, name="roster_invitation"),
            roster_pick=aliased(MeetingInvitee, name="roster_pick"),
            status_mark=aliased(Attendance, name="status_mark"),
            status_invitation=aliased(MeetingPokja, name="status_invitation"),
            status_pick=aliased(MeetingInvitee, name="status_pick"),
            external=aliased(MeetingExternal, name="external_count"),
            guest=aliased(MeetingGuest, name="guest_count"),
        )
    return found


def _count(stmt, pokja_column, user=None):
    """A scoped count as a scalar subquery."""
    return scoped(stmt, pokja_column, user).scalar_subquery()


def totals_columns(meeting_id, meeting_date, user=None) -> list:
    """Scalar subqueries counting the invited, each status among them, the
    uninvited present and the guests.

    `meeting_date` may be a date or the Meeting.date column (then the subqueries
    correlate with the Meeting of the enclosing select). Aliases keep them from
    correlating with a Member or Attendance the enclosing select also reads.
    `user` scopes them (default: the signed-in user).
    """
    aliases = _aliases()
    member, mark = aliases.roster_member, aliases.roster_mark
    invitation = aliases.roster_invitation
    all_members = _count(
        select(func.count())
        .select_from(member)
        .join(
            invitation,
            and_(
                invitation.pokja_id == member.pokja_id,
                invitation.meeting_id == meeting_id,
                invitation.mode == vocab.ALL_MEMBERS,
            ),
        )
        .outerjoin(
            mark, and_(mark.meeting_id == meeting_id, mark.member_id == member.id)
        )
        .where(or_(on_roster(meeting_date, member), mark.id.is_not(None))),
        member.pokja_id,
        user,
    )
    pick = aliases.roster_pick
    delegates = _count(
        select(func.count())
        .select_from(pick)
        .join(
            invitation,
            and_(
                invitation.meeting_id == pick.meeting_id,
                invitation.pokja_id == pick.pokja_id,
                invitation.mode == vocab.DELEGATES,
            ),
        )
        .where(pick.meeting_id == meeting_id),
        pick.pokja_id,
        user,
    )
    external = aliases.external

    def external_count(*conditions):
        return _count(
            select(func.count())
            .select_from(external)
            .where(external.meeting_id == meeting_id, *conditions),
            external.pokja_id,
            user,
        )

    columns = [(all_members + delegates + external_count()).label("roster")]
    marks, status_invitation, status_pick = (
        aliases.status_mark,
        aliases.status_invitation,
        aliases.status_pick,
    )

    def mark_count(*conditions):
        return _count(
            select(func.count())
            .select_from(marks)
            .join(
                status_invitation,
                and_(
                    status_invitation.meeting_id == marks.meeting_id,
                    status_invitation.pokja_id == marks.pokja_id,
                ),
            )
            .outerjoin(
                status_pick,
                and_(
                    status_pick.meeting_id == marks.meeting_id,
                    status_pick.member_id == marks.member_id,
                ),
            )
            .where(marks.meeting_id == meeting_id, *conditions),
            marks.pokja_id,
            user,
        )

    counted = roster_sql.mark_invited(status_invitation, status_pick)
    for status in vocab.ATTENDANCE_STATUSES:
        members = mark_count(marks.status == status, counted)
        columns.append(
            (members + external_count(external.status == status)).label(status)
        )
    columns.append(
        mark_count(marks.status == vocab.PRESENT, not_(counted)).label("uninvited")
    )
    guests = aliases.guest
    columns.append(
        _count(
            select(func.count())
            .select_from(guests)
            .where(guests.meeting_id == meeting_id),
            guests.pokja_id,
            user,
        ).label("guests")
    )
    return columns


@dataclass
class Totals:
    """Counts for the totals bar: the invited, each status among them, not yet
    marked, present without an invitation, guests."""

    roster: int
    counts: dict[str, int]
    guests: int
    uninvited: int = 0

    @classmethod
    def from_row(cls, row) -> "Totals":
        mapping = row._mapping
        return cls(
            roster=mapping["roster"] or 0,
            counts={s: mapping[s] or 0 for s in vocab.ATTENDANCE_STATUSES},
            guests=mapping["guests"] or 0,
            uninvited=mapping["uninvited"] or 0,
        )

    @property
    def not_marked(self) -> int:
        return max(self.roster - sum(self.counts.values()), 0)

    @property
    def rate(self) -> float | None:
        return rules.attendance_rate(self.counts[vocab.PRESENT], self.roster)

    @property
    def rate_text(self) -> str:
        return rules.percent_text(self.rate)

    def moved(self, old: str | None, new: str, invited: bool = True) -> "Totals":
        """The totals after one person went from `old` (None: unmarked) to `new`;
        for someone not invited only the "hadir, tidak diundang" count moves."""
        counts, uninvited = dict(self.counts), self.uninvited
        if not invited:
            uninvited += (new == vocab.PRESENT) - (old == vocab.PRESENT)
            return Totals(self.roster, counts, self.guests, max(uninvited, 0))
        if old in counts:
            counts[old] = max(counts[old] - 1, 0)
        counts[new] = counts.get(new, 0) + 1
        return Totals(self.roster, counts, self.guests, uninvited)


def totals(meeting_id: int, meeting_date: dt.date) -> Totals:
    """The totals of one meeting within the user's scope; one statement."""
    row = db.session.execute(select(*totals_columns(meeting_id, meeting_date))).one()
    return Totals.from_row(row)


# The toggle's statement for each shape of scope, built once per thread with
# the meeting, the member and the user's Pokja as bound parameters: building it
# per tap was a third of the tap's CPU (~4 ms), and the SQL is the same each time.
_SCOPE_POKJA = bindparam("scope_pokja", type_=Integer)


def _scope_shape(user) -> tuple[str, SimpleNamespace]:
    """The user's scope as a cache key, and a stand-in user for access.scoped
    whose Pokja is the bound parameter."""
    if user.sees_all_pokja:
        return "all", SimpleNamespace(sees_all_pokja=True, pokja_id=None)
    if user.pokja_id is None:
        return "none", SimpleNamespace(sees_all_pokja=False, pokja_id=None)
    return "pokja", SimpleNamespace(sees_all_pokja=False, pokja_id=_SCOPE_POKJA)


def mark_context(meeting_id: int, member_id: int, user):
    """For a toggle: meeting status, the member, their current status, whether
    invited, and the totals, within `user`'s scope, in one statement; None when
    the member may not be marked at this meeting."""
    shape, stand_in = _scope_shape(user)
    statements = _per_thread.__dict__.setdefault("mark_context", {})
    stmt = statements.get(shape)
    if stmt is None:
        stmt = statements[shape] = prepared(_mark_context_statement(stand_in))
    params = {"meeting_id": meeting_id, "member_id": member_id}
    if shape == "pokja":
        params["scope_pokja"] = user.pokja_id
    return db.session.execute(stmt, params).first()


def _mark_context_statement(user):
    """mark_context's statement, its ids bound at execution."""
    meeting_id, member_id = bindparam("meeting_id"), bindparam("member_id")
    invitation, mark, invitee = MeetingPokja, Attendance, MeetingInvitee
    invite, join_mark, join_pick = roster_sql.joins(
        Meeting.id, Member, mark, invitation, invitee
    )
    stmt = (
        select(
            Meeting.status.label("meeting_status"),
            Member.id,
            Member.name,
            Member.sex,
            Member.jabatan,
            Member.unsur,
            Member.pokja_id,
            mark.status,
            roster_sql.invited_flag(Meeting.date, Member, mark, invitation, invitee),
            *totals_columns(Meeting.id, Meeting.date, user),
        )
        .select_from(Meeting)
        .join(Member, Member.id == member_id)
        .join(invitation, invite)
        .outerjoin(mark, join_mark)
        .outerjoin(invitee, join_pick)
        .where(
            Meeting.id == meeting_id,
            roster_sql.markable(Meeting.date, Member, mark, invitation, invitee),
        )
    )
    return scoped(stmt, Member.pokja_id, user)


def external_context(meeting_id: int, external_id: int):
    """For an invited outsider's toggle: meeting status, the person and the
    totals, in one statement; None when the user may not see them."""
    stmt = (
        select(
            Meeting.status.label("meeting_status"),
            MeetingExternal,
            *totals_columns(Meeting.id, Meeting.date),
        )
        .select_from(Meeting)
        .join(MeetingExternal, MeetingExternal.meeting_id == Meeting.id)
        .where(Meeting.id == meeting_id, MeetingExternal.id == external_id)
    )
    return db.session.execute(prepared(scoped(stmt, MeetingExternal.pokja_id))).first()
