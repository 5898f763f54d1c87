"""The selects behind the member pages and the import, each scoped through
kkbweb.access."""

from flask import abort
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import contains_eager

from kkbweb.access import get_scoped_or_404, scoped
from kkbweb.extensions import db
from kkbweb.meetings import roster
from kkbweb.meetings.models import Attendance, Meeting, MeetingInvitee, MeetingPokja
from kkbweb.members.models import Member
from kkbweb.pokja.models import Pokja


def member_list(filters: dict) -> Select:
    """The registry page: members the user may see, by Pokja and name.

    `filters` holds q (name), pokja and status (aktif, nonaktif or semua);
    an unknown status is set to "semua".
    """
    stmt = (
        select(Member)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .options(contains_eager(Member.pokja))
        .order_by(Pokja.display_name, Member.name, Member.id)
    )
    if filters["q"]:
        stmt = stmt.where(Member.name.icontains(filters["q"], autoescape=True))
    if filters["pokja"]:
        stmt = stmt.where(Member.pokja_id == filters["pokja"])
    if filters["status"] == "aktif":
        stmt = stmt.where(Member.is_active.is_(True))
    elif filters["status"] == "nonaktif":
        stmt = stmt.where(Member.is_active.is_(False))
    else:
        filters["status"] = "semua"
    return scoped(stmt, Member.pokja_id)


def get_member(member_id: int) -> Member:
    """The member if the user may see them, else 404."""
    return get_scoped_or_404(
        select(Member).where(Member.id == member_id), Member.pokja_id
    )


def member_with_pokja(member_id: int) -> tuple[Member, str]:
    """The member and their Pokja's name if the user may see them, else 404."""
    row = db.session.execute(
        scoped(
            select(Member, Pokja.display_name)
            .join(Pokja, Pokja.id == Member.pokja_id)
            .where(Member.id == member_id),
            Member.pokja_id,
        )
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def has_attendance(member_id: int) -> bool:
    """Whether the member is marked at any meeting."""
    return db.session.scalar(select(exists().where(Attendance.member_id == member_id)))


def importable_pokja() -> dict[str, int]:
    """Lower-case display and official names -> id of the Pokja the user may see."""
    rows = db.session.execute(
        scoped(select(Pokja.id, Pokja.display_name, Pokja.official_name), Pokja.id)
    ).all()
    by_name = {}
    for pid, display, official in rows:
        by_name[display.lower()] = pid
        by_name[official.lower()] = pid
    return by_name


def existing_names() -> set[tuple[int, str]]:
    """(pokja id, lower-case name) of the members the user may see."""
    return {
        (pid, name.lower())
        for pid, name in db.session.execute(
            scoped(select(Member.pokja_id, Member.name), Member.pokja_id)
        )
    }


def member_history(member_id: int, status=None) -> Select:
    """The meetings whose roll call listed the member (invited, or marked without
    an invitation: kkbweb.meetings.roster), newest first.

    Pass `status=Attendance.status` to select it alongside (for counts);
    pagination selects meetings only, see `member_statuses`.
    """
    columns = [Meeting] if status is None else [Meeting.id, status]
    invite, join_mark, join_pick = roster.joins(
        Meeting.id, Member, Attendance, MeetingPokja, MeetingInvitee
    )
    return (
        select(*columns)
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .join(Member, Member.pokja_id == MeetingPokja.pokja_id)
        .outerjoin(Attendance, join_mark)
        .outerjoin(MeetingInvitee, join_pick)
        .where(
            Member.id == member_id,
            roster.listed(
                Meeting.date, Member, Attendance, MeetingPokja, MeetingInvitee
            ),
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
