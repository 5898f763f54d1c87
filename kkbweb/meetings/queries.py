"""The selects behind the meeting pages, each scoped through kkbweb.auth.access.

Each function returns rows in one statement, so a page's query count does not
grow with the number of people on the roster.
"""

import datetime as dt
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from kkbweb.auth.access import scoped
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.meetings import rules, vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingPokja,
    Member,
    on_roster,
)
from kkbweb.pokja.models import Pokja


def meeting_in_pokja(pokja_id: int):
    """Condition: the meeting invites this Pokja (an EXISTS on the invitations)."""
    return Meeting.invitations.any(MeetingPokja.pokja_id == pokja_id)


def visible_meetings(stmt: Select) -> Select:
    """Narrow a select of meetings to those inviting a Pokja the user may see."""
    return scoped(stmt, meeting_in_pokja)


@dataclass
class LoadedMeeting:
    """A meeting with its organiser's name and invited Pokja (id -> name)."""

    meeting: Meeting
    organiser_name: str | None
    pokja: dict[int, str]
    marked_pokja: set[int] = field(default_factory=set)

    @property
    def pokja_ids(self) -> list[int]:
        return list(self.pokja)


def load_meeting(meeting_id: int, with_marks: bool = False) -> LoadedMeeting:
    """The meeting if the user may see it, else 404; one statement.

    with_marks also tells which invited Pokja already have attendance (those
    cannot be uninvited).
    """
    columns = [Meeting, User.full_name, Pokja.id, Pokja.display_name]
    if with_marks:
        columns.append(
            select(Attendance.id)
            .where(Attendance.meeting_id == Meeting.id, Attendance.pokja_id == Pokja.id)
            .exists()
            .label("has_marks")
        )
    stmt = (
        select(*columns)
        .outerjoin(User, User.id == Meeting.organiser_id)
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .join(Pokja, Pokja.id == MeetingPokja.pokja_id)
        .where(Meeting.id == meeting_id)
        .order_by(Pokja.display_name)
    )
    rows = db.session.execute(visible_meetings(stmt)).all()
    if not rows:
        abort(404)
    loaded = LoadedMeeting(rows[0][0], rows[0][1], {r[2]: r[3] for r in rows})
    if with_marks:
        loaded.marked_pokja = {r[2] for r in rows if r[4]}
    return loaded


def _roster_conditions(meeting_id, meeting_date, member, attendance, invitation):
    """Join and filter conditions shared by the roster and its count."""
    return (
        and_(
            invitation.pokja_id == member.pokja_id, invitation.meeting_id == meeting_id
        ),
        and_(attendance.meeting_id == meeting_id, attendance.member_id == member.id),
        or_(on_roster(meeting_date, member), attendance.id.is_not(None)),
    )


def roster(
    meeting_id: int, meeting_date: dt.date, name: str = "", pokja_id: int | None = None
) -> list:
    """Everyone on the roll call: the invited Pokja's members of the meeting date,
    plus anyone already marked; the user's Pokja only; grouped by Pokja."""
    invite, join_mark, keep = _roster_conditions(
        meeting_id, meeting_date, Member, Attendance, MeetingPokja
    )
    stmt = (
        select(
            Member.id,
            Member.name,
            Member.sex,
            Member.jabatan,
            Member.unsur,
            Member.pokja_id,
            Pokja.display_name.label("pokja_name"),
            Attendance.status,
            Member.seksi,
            Attendance.marked_at,
        )
        .join(MeetingPokja, invite)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .outerjoin(Attendance, join_mark)
        .where(keep)
        .order_by(Pokja.display_name, Member.name, Member.id)
    )
    if name:
        stmt = stmt.where(Member.name.icontains(name, autoescape=True))
    if pokja_id:
        stmt = stmt.where(Member.pokja_id == pokja_id)
    return db.session.execute(scoped(stmt, Member.pokja_id)).all()


def roster_by_pokja(meeting_id: int, meeting_date: dt.date) -> list:
    """Per invited Pokja: id, name, people on the roster, people already marked."""
    invite, join_mark, keep = _roster_conditions(
        meeting_id, meeting_date, Member, Attendance, MeetingPokja
    )
    stmt = (
        select(
            Member.pokja_id,
            Pokja.display_name,
            func.count(),
            func.count(Attendance.id),
        )
        .join(MeetingPokja, invite)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .outerjoin(Attendance, join_mark)
        .where(keep)
        .group_by(Member.pokja_id, Pokja.display_name)
        .order_by(Pokja.display_name)
    )
    return db.session.execute(scoped(stmt, Member.pokja_id)).all()


# The totals' own aliases, built once: an alias copies every column of its table,
# which cost a toggle ~3 ms of CPU when built per request. Sibling subqueries
# may share one; none is used by an enclosing select.
_ROSTER_MEMBER = aliased(Member, name="roster_member")
_ROSTER_MARK = aliased(Attendance, name="roster_mark")
_ROSTER_INVITATION = aliased(MeetingPokja, name="roster_invitation")
_STATUS_MARK = aliased(Attendance, name="status_mark")
_GUEST = aliased(MeetingGuest, name="guest_count")


def totals_columns(meeting_id, meeting_date) -> list:
    """Scalar subqueries counting the roster, each status and the guests.

    `meeting_date` may be a date or the Meeting.date column (then the subqueries
    correlate with the Meeting of the enclosing select). Aliases keep them from
    correlating with a Member or Attendance the enclosing select also reads.
    """
    member, mark, invitation = _ROSTER_MEMBER, _ROSTER_MARK, _ROSTER_INVITATION
    invite = and_(
        invitation.pokja_id == member.pokja_id, invitation.meeting_id == meeting_id
    )
    join_mark = and_(mark.meeting_id == meeting_id, mark.member_id == member.id)
    eligible = on_roster(meeting_date, member)
    roster_count = scoped(
        select(func.count())
        .select_from(member)
        .join(invitation, invite)
        .outerjoin(mark, join_mark)
        .where(or_(eligible, mark.id.is_not(None))),
        member.pokja_id,
    )
    columns = [roster_count.scalar_subquery().label("roster")]
    marks = _STATUS_MARK
    for status in vocab.ATTENDANCE_STATUSES:
        count = scoped(
            select(func.count())
            .select_from(marks)
            .where(marks.meeting_id == meeting_id, marks.status == status),
            marks.pokja_id,
        )
        columns.append(count.scalar_subquery().label(status))
    guests = _GUEST
    guest_count = scoped(
        select(func.count()).select_from(guests).where(guests.meeting_id == meeting_id),
        guests.pokja_id,
    )
    columns.append(guest_count.scalar_subquery().label("guests"))
    return columns


@dataclass
class Totals:
    """Counts for the totals bar: roster, each status, not yet marked, guests."""

    roster: int
    counts: dict[str, int]
    guests: int

    @classmethod
    def from_row(cls, row) -> "Totals":
        mapping = row._mapping
        return cls(
            roster=mapping["roster"] or 0,
            counts={s: mapping[s] or 0 for s in vocab.ATTENDANCE_STATUSES},
            guests=mapping["guests"] or 0,
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

    def moved(self, old: str | None, new: str) -> "Totals":
        """The totals after one person went from `old` (None: unmarked) to `new`."""
        counts = dict(self.counts)
        if old in counts:
            counts[old] = max(counts[old] - 1, 0)
        counts[new] = counts.get(new, 0) + 1
        return Totals(self.roster, counts, self.guests)


def totals(meeting_id: int, meeting_date: dt.date) -> Totals:
    """The totals of one meeting within the user's scope; one statement."""
    row = db.session.execute(select(*totals_columns(meeting_id, meeting_date))).one()
    return Totals.from_row(row)


def mark_context(meeting_id: int, member_id: int):
    """For a toggle: meeting status, the member, their current status and the
    totals, in one statement; None when the member is not on this roll call."""
    invite, join_mark, keep = _roster_conditions(
        Meeting.id, Meeting.date, Member, Attendance, MeetingPokja
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
            Attendance.status,
            *totals_columns(Meeting.id, Meeting.date),
        )
        .select_from(Meeting)
        .join(Member, Member.id == member_id)
        .join(MeetingPokja, invite)
        .outerjoin(Attendance, join_mark)
        .where(Meeting.id == meeting_id, keep)
    )
    return db.session.execute(scoped(stmt, Member.pokja_id)).first()


def guests(meeting_id: int, pokja_id: int | None = None) -> list:
    """The walk-ins the user may see (of one Pokja if given), in arrival order."""
    stmt = (
        select(MeetingGuest, Pokja.display_name)
        .outerjoin(Pokja, Pokja.id == MeetingGuest.pokja_id)
        .where(MeetingGuest.meeting_id == meeting_id)
        .order_by(MeetingGuest.id)
    )
    if pokja_id:
        stmt = stmt.where(MeetingGuest.pokja_id == pokja_id)
    return db.session.execute(scoped(stmt, MeetingGuest.pokja_id)).all()


def summary(meeting_id: int, meeting_date: dt.date) -> tuple[list, list]:
    """Counts by Pokja x sex x status (None: not marked), and guests by Pokja x sex."""
    invite, join_mark, keep = _roster_conditions(
        meeting_id, meeting_date, Member, Attendance, MeetingPokja
    )
    marks = (
        select(
            Member.pokja_id,
            Pokja.display_name,
            Member.sex,
            Attendance.status,
            func.count(),
        )
        .join(MeetingPokja, invite)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .outerjoin(Attendance, join_mark)
        .where(keep)
        .group_by(Member.pokja_id, Pokja.display_name, Member.sex, Attendance.status)
    )
    guest_rows = (
        select(
            MeetingGuest.pokja_id,
            Pokja.display_name,
            MeetingGuest.sex,
            func.count(),
        )
        .outerjoin(Pokja, Pokja.id == MeetingGuest.pokja_id)
        .where(MeetingGuest.meeting_id == meeting_id)
        .group_by(MeetingGuest.pokja_id, Pokja.display_name, MeetingGuest.sex)
    )
    return (
        db.session.execute(scoped(marks, Member.pokja_id)).all(),
        db.session.execute(scoped(guest_rows, MeetingGuest.pokja_id)).all(),
    )


def form_choices(user) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Pokja the user may invite and users who may organise, in ONE statement.

    Both lists feed the meeting form on every GET and POST; a UNION ALL keeps the
    POST within the six-statement budget.
    """
    pokja = scoped(
        select(literal("p").label("kind"), Pokja.id, Pokja.display_name).where(
            Pokja.is_active.is_(True)
        ),
        Pokja.id,
        user,
    )
    organisers = scoped(
        select(literal("u").label("kind"), User.id, User.full_name).where(
            User.active.is_(True), User.role.in_(rules.ORGANISER_ROLES)
        ),
        User.pokja_id,
        user,
    )
    rows = db.session.execute(
        pokja.union_all(organisers).order_by("kind", "display_name")
    ).all()
    return (
        [(r[1], r[2]) for r in rows if r[0] == "p"],
        [(r[1], r[2]) for r in rows if r[0] == "u"],
    )


def pokja_choices(user) -> list[tuple[int, str]]:
    """Active Pokja the user may see, by name."""
    stmt = scoped(
        select(Pokja.id, Pokja.display_name)
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.display_name),
        Pokja.id,
        user,
    )
    return [tuple(r) for r in db.session.execute(stmt).all()]


def member_history(member_id: int, status=None) -> Select:
    """The meetings whose roster held the member, newest first.

    Pass `status=Attendance.status` to select it alongside (for counts);
    pagination selects meetings only, see `member_statuses`.
    """
    columns = [Meeting] if status is None else [Meeting.id, status]
    return (
        select(*columns)
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .join(Member, Member.pokja_id == MeetingPokja.pokja_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.meeting_id == Meeting.id, Attendance.member_id == Member.id
            ),
        )
        .where(
            Member.id == member_id,
            or_(on_roster(Meeting.date), Attendance.id.is_not(None)),
        )
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    )


def member_statuses(member_id: int, meeting_ids: list[int]) -> dict[int, str]:
    """The member's status at each of these meetings (absent key: not marked)."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Attendance.meeting_id, Attendance.status).where(
            Attendance.member_id == member_id, Attendance.meeting_id.in_(meeting_ids)
        )
    )
    return dict(rows.all())


def member_history_counts(member_id: int) -> dict[str | None, int]:
    """How often the member was hadir, izin, ... across all their meetings."""
    history = member_history(member_id, Attendance.status).order_by(None).subquery()
    rows = db.session.execute(
        select(history.c.status, func.count()).group_by(history.c.status)
    ).all()
    return {status: n for status, n in rows}
