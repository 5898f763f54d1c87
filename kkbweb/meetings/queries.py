"""The selects behind the meeting pages, each scoped through kkbweb.access.

Each function returns rows in one statement, so a page's query count does not
grow with the number of people on the roster.
"""

import datetime as dt
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import (
    Integer,
    Select,
    String,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
)

from kkbweb.access import scoped
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.meetings import roster as roster_sql
from kkbweb.meetings import rules, vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingExternal,
    MeetingFile,
    MeetingGuest,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.meetings.totals import (
    Totals,
    external_context,
    mark_context,
    totals,
    totals_columns,
)
from kkbweb.members.models import Member
from kkbweb.pokja.models import Kecamatan, Pokja

# The counts and the toggles' reads live in totals.py, the Undangan page's in
# invitation_queries.py (split to keep each module readable).
__all__ = ["Totals", "external_context", "mark_context", "totals", "totals_columns"]


def meeting_in_pokja(pokja_id: int):
    """Condition: the meeting invites this Pokja (an EXISTS on the invitations)."""
    return Meeting.invitations.any(MeetingPokja.pokja_id == pokja_id)


def visible_meetings(stmt: Select) -> Select:
    """Narrow a select of meetings to those inviting a Pokja the user may see."""
    return scoped(stmt, meeting_in_pokja)


def meeting_list(filters: dict) -> Select:
    """The meetings of the list page: filtered, scoped, newest first.

    `filters` holds q (title), jenis, status, pokja, dari and sampai (dates);
    unknown kinds and statuses are ignored.
    """
    stmt = select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc())
    if filters["q"]:
        stmt = stmt.where(Meeting.title.icontains(filters["q"], autoescape=True))
    if filters["jenis"] in vocab.MEETING_KINDS:
        stmt = stmt.where(Meeting.kind == filters["jenis"])
    if filters["status"] in vocab.MEETING_STATUSES:
        stmt = stmt.where(Meeting.status == filters["status"])
    if filters["pokja"]:
        stmt = stmt.where(meeting_in_pokja(filters["pokja"]))
    if filters["dari"]:
        stmt = stmt.where(Meeting.date >= filters["dari"])
    if filters["sampai"]:
        stmt = stmt.where(Meeting.date <= filters["sampai"])
    return visible_meetings(stmt)


def invited_names(meeting_ids: list[int]) -> dict[int, list[str]]:
    """meeting id -> names of the invited Pokja, by name; one statement."""
    invited: dict[int, list[str]] = {}
    if not meeting_ids:
        return invited
    rows = db.session.execute(
        select(MeetingPokja.meeting_id, Pokja.display_name)
        .join(Pokja, Pokja.id == MeetingPokja.pokja_id)
        .where(MeetingPokja.meeting_id.in_(meeting_ids))
        .order_by(Pokja.display_name)
    )
    for meeting_id, name in rows:
        invited.setdefault(meeting_id, []).append(name)
    return invited


def meeting_in_use(meeting_id: int) -> bool:
    """Whether anyone is recorded in the meeting (a mark, a guest, evidence)."""
    return db.session.scalar(
        select(
            or_(
                exists().where(Attendance.meeting_id == meeting_id),
                exists().where(MeetingGuest.meeting_id == meeting_id),
                exists().where(
                    MeetingExternal.meeting_id == meeting_id,
                    MeetingExternal.status.is_not(None),
                ),
                exists().where(MeetingFile.meeting_id == meeting_id),
            )
        )
    )


@dataclass
class LoadedMeeting:
    """A meeting with its organiser's name, invited Pokja (id -> name) and how
    each is invited (id -> mode: all members or delegates)."""

    meeting: Meeting
    organiser_name: str | None
    pokja: dict[int, str]
    marked_pokja: set[int] = field(default_factory=set)
    modes: dict[int, str] = field(default_factory=dict)

    @property
    def pokja_ids(self) -> list[int]:
        return list(self.pokja)

    def mode(self, pokja_id: int) -> str:
        return self.modes.get(pokja_id, vocab.ALL_MEMBERS)


def load_meeting(meeting_id: int, with_marks: bool = False) -> LoadedMeeting:
    """The meeting if the user may see it, else 404; one statement.

    with_marks also tells which invited Pokja already have attendance (those
    cannot be uninvited).
    """
    columns = [Meeting, User.full_name, Pokja.id, Pokja.display_name, MeetingPokja.mode]
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
    loaded = LoadedMeeting(
        rows[0][0],
        rows[0][1],
        {r[2]: r[3] for r in rows},
        modes={r[2]: r[4] for r in rows},
    )
    if with_marks:
        loaded.marked_pokja = {r[2] for r in rows if r[5]}
    return loaded


def _invitees():
    """The aliases the roster selects join: invitation, mark, pick."""
    return MeetingPokja, Attendance, MeetingInvitee


MEMBER, OUTSIDER = "m", "x"  # the kinds of roster rows


def roster(
    meeting_id: int,
    meeting_date: dt.date,
    name: str = "",
    pokja_id: int | None = None,
    with_addable: bool = False,
) -> list:
    """Everyone on the roll call, in one statement: the invited members and anyone
    marked (kind MEMBER, with an `invited` flag), grouped by Pokja, then the
    invited persons outside the Pokja (kind OUTSIDER; not with a Pokja filter);
    all within the user's scope.

    with_addable (a name search) also finds the invited Pokja's other members
    active that day, who may be added as they arrive ("hadir, tidak diundang").
    """
    invitation, mark, invitee = _invitees()
    invite, join_mark, join_pick = roster_sql.joins(
        meeting_id, Member, mark, invitation, invitee
    )
    which = roster_sql.markable if with_addable else roster_sql.listed
    members = (
        select(
            literal(MEMBER).label("kind"),
            Member.id,
            Member.name,
            Member.sex,
            Member.jabatan,
            Member.unsur,
            Member.pokja_id,
            Pokja.display_name.label("pokja_name"),
            mark.status,
            Member.seksi,
            mark.marked_at,
            roster_sql.invited_flag(meeting_date, Member, mark, invitation, invitee),
        )
        .join(invitation, invite)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .outerjoin(mark, join_mark)
        .outerjoin(invitee, join_pick)
        .where(which(meeting_date, Member, mark, invitation, invitee))
    )
    if name:
        members = members.where(Member.name.icontains(name, autoescape=True))
    if pokja_id:
        members = members.where(Member.pokja_id == pokja_id)
    members = scoped(members, Member.pokja_id)
    if pokja_id:
        stmt = members.order_by(Pokja.display_name, Member.name, Member.id)
        return db.session.execute(stmt).all()
    outsider = MeetingExternal
    outsiders = select(
        literal(OUTSIDER),
        outsider.id,
        outsider.name,
        outsider.sex,
        outsider.role,
        cast(null(), String),
        outsider.pokja_id,
        cast(null(), String),
        outsider.status,
        cast(null(), String),
        outsider.marked_at,
        literal(1),
    ).where(outsider.meeting_id == meeting_id)
    if name:
        outsiders = outsiders.where(outsider.name.icontains(name, autoescape=True))
    outsiders = scoped(outsiders, outsider.pokja_id)
    stmt = members.union_all(outsiders).order_by("kind", "pokja_name", "name", "id")
    return db.session.execute(stmt).all()


def roster_by_pokja(meeting_id: int, meeting_date: dt.date) -> list:
    """Per invited Pokja: id, name, people on the roll call, people already marked;
    then the invited outsiders the user may see as one row with id None."""
    invitation, mark, invitee = _invitees()
    invite, join_mark, join_pick = roster_sql.joins(
        meeting_id, Member, mark, invitation, invitee
    )
    stmt = (
        select(
            Member.pokja_id,
            Pokja.display_name,
            func.count(),
            func.count(mark.id),
        )
        .join(invitation, invite)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .outerjoin(mark, join_mark)
        .outerjoin(invitee, join_pick)
        .where(roster_sql.listed(meeting_date, Member, mark, invitation, invitee))
        .group_by(Member.pokja_id, Pokja.display_name)
    )
    outsiders = (
        select(
            cast(null(), Integer),
            literal("Undangan lain"),
            func.count(),
            func.count(MeetingExternal.status),
        )
        .where(MeetingExternal.meeting_id == meeting_id)
        .having(func.count() > 0)
    )
    stmt = scoped(stmt, Member.pokja_id).union_all(
        scoped(outsiders, MeetingExternal.pokja_id)
    )
    rows = db.session.execute(stmt).all()
    return sorted(rows, key=lambda r: (r[0] is None, r[1]))


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


def guest_token_used(form_token: str) -> bool:
    """Whether a walk-in form with this token already recorded its guest."""
    stmt = select(MeetingGuest.id).where(MeetingGuest.form_token == form_token)
    return db.session.scalar(stmt) is not None


def summary(meeting_id: int, meeting_date: dt.date) -> tuple[list, list, list]:
    """Counts by Pokja x sex x status (None: not marked) x invited, guests by
    Pokja x sex, and the invited persons outside the Pokja by sex x status."""
    invitation, mark, invitee = _invitees()
    invite, join_mark, join_pick = roster_sql.joins(
        meeting_id, Member, mark, invitation, invitee
    )
    flag = roster_sql.invited_flag(meeting_date, Member, mark, invitation, invitee)
    marks = (
        select(
            Member.pokja_id,
            Pokja.display_name,
            Member.sex,
            mark.status,
            flag,
            func.count(),
        )
        .join(invitation, invite)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .outerjoin(mark, join_mark)
        .outerjoin(invitee, join_pick)
        .where(roster_sql.listed(meeting_date, Member, mark, invitation, invitee))
        .group_by(Member.pokja_id, Pokja.display_name, Member.sex, mark.status, flag)
    )
    outsiders = (
        select(MeetingExternal.sex, MeetingExternal.status, func.count())
        .where(MeetingExternal.meeting_id == meeting_id)
        .group_by(MeetingExternal.sex, MeetingExternal.status)
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
        db.session.execute(scoped(outsiders, MeetingExternal.pokja_id)).all(),
    )


def form_choices(user) -> tuple[list[tuple[int, str, int, str]], list[tuple]]:
    """Pokja the user may invite (id, name, kecamatan id, kecamatan name) and
    users who may organise (id, name), in ONE statement.

    Both lists feed the meeting form on every GET and POST; a UNION ALL keeps the
    POST within the six-statement budget.
    """
    pokja = scoped(
        select(
            literal("p").label("kind"),
            Pokja.id,
            Pokja.display_name.label("choice"),
            Kecamatan.id.label("kecamatan_id"),
            Kecamatan.display_name.label("kecamatan"),
        )
        .join(Kecamatan, Kecamatan.id == Pokja.kecamatan_id)
        .where(Pokja.is_active.is_(True)),
        Pokja.id,
        user,
    )
    organisers = scoped(
        select(
            literal("u").label("kind"),
            User.id,
            User.full_name,
            cast(null(), Integer),
            cast(null(), String),
        ).where(User.active.is_(True), User.role.in_(rules.ORGANISER_ROLES)),
        User.pokja_id,
        user,
    )
    rows = db.session.execute(
        pokja.union_all(organisers).order_by("kind", "choice")
    ).all()
    return (
        [(r[1], r[2], r[3], r[4]) for r in rows if r[0] == "p"],
        [(r[1], r[2]) for r in rows if r[0] == "u"],
    )


def guest_of_meeting(meeting_id: int, guest_id: int):
    """(guest, meeting status, meeting date) if the user may see the guest."""
    return db.session.execute(
        scoped(
            select(MeetingGuest, Meeting.status, Meeting.date)
            .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
            .where(MeetingGuest.id == guest_id, MeetingGuest.meeting_id == meeting_id),
            MeetingGuest.pokja_id,
        )
    ).first()


def invited_pokja_ids(meeting_id: int) -> list[int]:
    """The Pokja a meeting invites (for the lock of a finished meeting)."""
    stmt = select(MeetingPokja.pokja_id).where(MeetingPokja.meeting_id == meeting_id)
    return list(db.session.scalars(stmt))
