"""The attendance measures of the recap statement: who was invited and who of them
came, as on the roll call (kkbweb.meetings.roster). No Flask.

Split from queries.py (the other measures) to keep each module readable; the
branches have the same five columns (queries.branch_columns).
"""

from sqlalchemy import Select, and_, exists, func, not_, select

from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingExternal,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.meetings.roster import mark_invited
from kkbweb.members.models import Member, on_roster
from kkbweb.reports.queries import (
    INVITED_POKJA,
    MARKS,
    Scope,
    branch_columns,
    invitations,
    rolled_for_pokja,
)


def roster(scope: Scope, metric: str) -> list[Select]:
    """Persons invited to each rolled meeting, as on the roll call
    (kkbweb.meetings.roster).

    A Pokja invited with all members: its members on the roster that day, or
    marked anyway; with delegates: its picks; plus the invited persons outside
    the Pokja (of a Pokja: its own; of the department: the city's own row). The
    month's rolled invitations are materialized first (a handful of rows):
    joined in place, PostgreSQL pairs every member with every invitation of their
    Pokja's history before it looks at the dates. Then one walk of a Pokja's
    members per invitation; the attendance probe only runs for those off the
    roster that day.
    """
    ri = _rolledinvitations(scope, "rolled_invitation")
    marked = (
        exists()
        .where(
            Attendance.meeting_id == ri.c.meeting_id, Attendance.member_id == Member.id
        )
        .correlate(ri, Member)
    )
    on_the_day = on_roster(ri.c.date, Member)

    def members(condition):
        return (
            select(*branch_columns(ri.c.pokja_id, metric, None, None, func.count()))
            .select_from(ri)
            .join(Member, Member.pokja_id == ri.c.pokja_id)
            .where(ri.c.mode == meeting_vocab.ALL_MEMBERS, condition)
            .group_by(ri.c.pokja_id)
        )

    delegates = (
        select(*branch_columns(ri.c.pokja_id, metric, None, None, func.count()))
        .select_from(ri)
        .join(
            MeetingInvitee,
            and_(
                MeetingInvitee.meeting_id == ri.c.meeting_id,
                MeetingInvitee.pokja_id == ri.c.pokja_id,
            ),
        )
        .where(ri.c.mode == meeting_vocab.DELEGATES)
        .group_by(ri.c.pokja_id)
    )
    # Two sums (folded in Python): an OR with the EXISTS makes PostgreSQL hash
    # the whole attendance table on small databases.
    return [
        members(on_the_day),
        members(and_(not_(on_the_day), marked)),
        delegates,
        *_outsiders(scope, metric, ri, None),
    ]


def _rolledinvitations(scope: Scope, name: str):
    """The month's invitations whose roll call was taken, materialized (see roster)."""
    # Built per call: a CTE belongs to the statement that uses it.
    return (
        invitations(
            scope,
            Meeting.id.label("meeting_id"),
            Meeting.date.label("date"),
            MeetingPokja.pokja_id.label("pokja_id"),
            MeetingPokja.mode.label("mode"),
        )
        .where(rolled_for_pokja())
        .cte(name)
        .prefix_with("MATERIALIZED")
    )


def _outsiders(scope: Scope, metric: str, ri, key, *conditions) -> list[Select]:
    """Invited persons outside the Pokja: a Pokja's own (on its rolled meetings),
    and the department's, counted for the city once per meeting of these Pokja
    that has any mark."""
    outsider = MeetingExternal
    own = (
        select(*branch_columns(ri.c.pokja_id, metric, key, None, func.count()))
        .select_from(ri)
        .join(
            outsider,
            and_(
                outsider.meeting_id == ri.c.meeting_id,
                outsider.pokja_id == ri.c.pokja_id,
            ),
        )
        .where(*conditions)
        .group_by(ri.c.pokja_id, *([key] if key is not None else []))
    )
    start, end = scope.month.date_bounds
    invites_these = (
        exists()
        .where(MeetingPokja.meeting_id == Meeting.id, INVITED_POKJA.in_(scope.ids))
        .correlate(Meeting)
    )
    rolled = exists().where(MARKS.meeting_id == Meeting.id).correlate(Meeting)
    city = (
        select(*branch_columns(None, metric, key, None, func.count()))
        .select_from(outsider)
        .join(Meeting, Meeting.id == outsider.meeting_id)
        .where(
            outsider.pokja_id.is_(None),
            Meeting.date >= start,
            Meeting.date < end,
            invites_these,
            rolled,
            *conditions,
        )
    )
    if key is not None:
        city = city.group_by(key)
    return [own, city]


def present(scope: Scope, metric: str) -> list[Select]:
    """Invited persons marked hadir, by sex (a mark on someone not invited is
    "hadir, tidak diundang": not counted here)."""
    pokja = INVITED_POKJA
    branch = (
        invitations(
            scope, *branch_columns(pokja, metric, Member.sex, None, func.count())
        )
        .join(
            Attendance,
            and_(
                Attendance.pokja_id == MeetingPokja.pokja_id,
                Attendance.meeting_id == Meeting.id,
                Attendance.status == meeting_vocab.PRESENT,
            ),
        )
        .join(Member, Member.id == Attendance.member_id)
        .outerjoin(
            MeetingInvitee,
            and_(
                MeetingInvitee.meeting_id == Meeting.id,
                MeetingInvitee.member_id == Attendance.member_id,
            ),
        )
        .where(mark_invited(MeetingPokja, MeetingInvitee))
        .group_by(pokja, Member.sex)
    )
    outsider = MeetingExternal
    return [
        branch,
        *_outsiders(
            scope,
            metric,
            _rolledinvitations(scope, "rolled_for_present"),
            outsider.sex,
            outsider.status == meeting_vocab.PRESENT,
        ),
    ]
