"""The reads of the Undangan page (who is invited): the meeting with its Pokja's
members and picks, and the invited outsiders; scoped through kkbweb.access.
Split from queries.py."""

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import load_only

from kkbweb.access import pokja_condition, scoped
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.meetings.models import (
    Meeting,
    MeetingExternal,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.meetings.queries import LoadedMeeting, visible_meetings
from kkbweb.members.models import Member, on_roster
from kkbweb.pokja.models import Pokja


def externals(meeting_id: int, name: str = "") -> list:
    """The invited persons outside the Pokja whom the user may see, by name."""
    stmt = (
        select(MeetingExternal)
        .where(MeetingExternal.meeting_id == meeting_id)
        .order_by(MeetingExternal.name, MeetingExternal.id)
    )
    if name:
        stmt = stmt.where(MeetingExternal.name.icontains(name, autoescape=True))
    return list(db.session.scalars(scoped(stmt, MeetingExternal.pokja_id)))


@dataclass
class InvitationSheet:
    """The Undangan page: the meeting, and per invited Pokja the user may see its
    members active on the meeting date (and anyone picked), with `picked` set."""

    loaded: LoadedMeeting
    members: dict[int, list] = field(default_factory=dict)

    def picked(self, pokja_id: int) -> set[int]:
        return {m.id for m in self.members.get(pokja_id, []) if m.picked}


def invitation_sheet(meeting_id: int) -> InvitationSheet:
    """The meeting (404 if unseen) with its Pokja's members and picks; one statement."""
    picked = exists().where(
        MeetingInvitee.meeting_id == Meeting.id, MeetingInvitee.member_id == Member.id
    )
    stmt = (
        select(
            Meeting,
            User.full_name,
            Pokja.id,
            Pokja.display_name,
            MeetingPokja.mode,
            Member.id.label("member_id"),
            Member.name,
            Member.sex,
            Member.jabatan,
            Member.unsur,
            picked.label("picked"),
        )
        .outerjoin(User, User.id == Meeting.organiser_id)
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .join(Pokja, Pokja.id == MeetingPokja.pokja_id)
        .outerjoin(
            Member,
            and_(
                Member.pokja_id == Pokja.id,
                pokja_condition(Member.pokja_id),
                or_(on_roster(Meeting.date, Member), picked),
            ),
        )
        .where(Meeting.id == meeting_id)
        # The meeting's long texts are not needed here, and would repeat per row.
        .options(
            load_only(
                Meeting.id,
                Meeting.kind,
                Meeting.title,
                Meeting.date,
                Meeting.status,
                Meeting.place,
                Meeting.organiser_id,
            )
        )
        .order_by(Pokja.display_name, Member.name, Member.id)
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
    sheet = InvitationSheet(loaded)
    for row in rows:
        if row.member_id is not None:
            sheet.members.setdefault(row[2], []).append(
                SheetMember(
                    row.member_id,
                    row.name,
                    row.sex,
                    row.jabatan,
                    row.unsur,
                    bool(row.picked),
                )
            )
    return sheet


@dataclass(frozen=True)
class SheetMember:
    """A member as the delegate picker shows them."""

    id: int
    name: str
    sex: str
    jabatan: str
    unsur: str
    picked: bool
