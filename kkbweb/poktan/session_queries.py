"""The selects behind a poktan's sessions: the list, the roll call and its
totals, a tap's context, walk-ins and photos; each narrowed with kkbweb.access."""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import Select, and_, distinct, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from kkbweb.access import get_scoped_or_404, scoped
from kkbweb.database import prepared
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.poktan import vocab
from kkbweb.poktan.models import (
    Household,
    PoktanAttendance,
    PoktanGuest,
    PoktanMembership,
    PoktanPhoto,
    PoktanSession,
)
from kkbweb.poktan.models import Poktan as PoktanModel
from kkbweb.poktan.queries import active_on


def _present_families():
    """Correlated count of distinct families present at a session."""
    return (
        select(func.count(distinct(PoktanAttendance.household_id)))
        .where(
            PoktanAttendance.session_id == PoktanSession.id,
            PoktanAttendance.status == vocab.PRESENT,
        )
        .correlate(PoktanSession)
        .scalar_subquery()
    )


def present_counts(session_ids: list[int]) -> dict[int, int]:
    """Distinct families present per session of a page, in one statement."""
    if not session_ids:
        return {}
    stmt = (
        select(
            PoktanAttendance.session_id,
            func.count(distinct(PoktanAttendance.household_id)),
        )
        .where(
            PoktanAttendance.session_id.in_(session_ids),
            PoktanAttendance.status == vocab.PRESENT,
        )
        .group_by(PoktanAttendance.session_id)
    )
    return dict(db.session.execute(stmt).all())


def sessions(poktan_id: int) -> Select:
    """A poktan's sessions, newest first (families present: present_counts)."""
    stmt = (
        select(PoktanSession)
        .where(PoktanSession.poktan_id == poktan_id)
        .order_by(PoktanSession.date.desc(), PoktanSession.id.desc())
    )
    return scoped(stmt, PoktanSession.pokja_id)


def latest_sessions(poktan_id: int, count: int) -> list:
    """The newest sessions of a poktan with the families present, for its page."""
    stmt = sessions(poktan_id).add_columns(_present_families().label("present"))
    return db.session.execute(stmt.limit(count)).all()


def load_session(session_id: int) -> PoktanSession:
    """The session with its poktan and Pokja if the user may see it, else 404."""
    stmt = (
        select(PoktanSession)
        .join(PoktanModel, PoktanModel.id == PoktanSession.poktan_id)
        .join(Pokja, Pokja.id == PoktanModel.pokja_id)
        .options(contains_eager(PoktanSession.poktan).contains_eager(PoktanModel.pokja))
        .where(PoktanSession.id == session_id)
    )
    return get_scoped_or_404(stmt, PoktanSession.pokja_id)


# What a roll-call row shows of a family and its mark (the page and a tap alike).
_ROW_COLUMNS = (
    PoktanMembership.target_name,
    PoktanMembership.target_birth_date,
    PoktanMembership.business,
    Household.head_name,
    Household.rt,
    Household.rw,
    PoktanAttendance.status,
    PoktanAttendance.kka_filled,
)


def roll(session: PoktanSession) -> list:
    """The roll call: families who were members on the session's date, and any
    family marked at it (a family that left later keeps its mark), by name."""
    mark = PoktanAttendance
    stmt = (
        select(PoktanMembership.id, *_ROW_COLUMNS)
        .join(Household, Household.id == PoktanMembership.household_id)
        .outerjoin(
            mark,
            and_(
                mark.membership_id == PoktanMembership.id, mark.session_id == session.id
            ),
        )
        .where(
            PoktanMembership.poktan_id == session.poktan_id,
            or_(mark.id.is_not(None), active_on(session.date)),
        )
        .order_by(Household.head_name, PoktanMembership.id)
    )
    return db.session.execute(scoped(stmt, PoktanMembership.pokja_id)).all()


@dataclass
class Totals:
    """The roll call's bar: families on the list, present, absent, KKA, walk-ins."""

    roster: int
    present: int
    absent: int
    kka: int
    guests: int

    @classmethod
    def of_rows(cls, rows, guests: int) -> "Totals":
        """Counted from the roll call already loaded (no extra query)."""
        return cls(
            roster=len(rows),
            present=sum(r.status == vocab.PRESENT for r in rows),
            absent=sum(r.status == vocab.ABSENT for r in rows),
            kka=sum(bool(r.kka_filled) for r in rows),
            guests=guests,
        )

    @property
    def counts(self) -> dict[str, int]:
        return {vocab.PRESENT: self.present, vocab.ABSENT: self.absent}

    @property
    def not_marked(self) -> int:
        return max(self.roster - self.present - self.absent, 0)

    def moved(self, old: str | None, new: str, kka_was: bool) -> "Totals":
        """The totals after one family went from `old` (None: unmarked) to `new`;
        a change of status clears its KKA tick."""
        present = self.present + (new == vocab.PRESENT) - (old == vocab.PRESENT)
        absent = self.absent + (new == vocab.ABSENT) - (old == vocab.ABSENT)
        kka = self.kka - (1 if kka_was and old != new else 0)
        return Totals(self.roster, present, absent, kka, self.guests)

    def ticked(self, was: bool, now: bool) -> "Totals":
        """The totals after one KKA tick changed."""
        return Totals(
            self.roster, self.present, self.absent, self.kka + now - was, self.guests
        )


def _totals_columns(session_id, session_date, poktan_id) -> list:
    """Scalar subqueries giving Totals' fields for one session."""
    mark = aliased(PoktanAttendance)
    member = aliased(PoktanMembership)
    listed = (
        select(func.count(member.id))
        .outerjoin(
            mark, and_(mark.membership_id == member.id, mark.session_id == session_id)
        )
        .where(
            member.poktan_id == poktan_id,
            or_(mark.id.is_not(None), active_on(session_date, member)),
        )
        .scalar_subquery()
        .label("roster")
    )

    def marked(condition, label):
        counted = aliased(PoktanAttendance)
        return (
            select(func.count(counted.id))
            .where(counted.session_id == session_id, condition(counted))
            .scalar_subquery()
            .label(label)
        )

    guests = (
        select(func.count(PoktanGuest.id))
        .where(PoktanGuest.session_id == session_id)
        .scalar_subquery()
        .label("guests")
    )
    return [
        listed,
        marked(lambda a: a.status == vocab.PRESENT, "present"),
        marked(lambda a: a.status == vocab.ABSENT, "absent"),
        marked(lambda a: a.kka_filled.is_(True), "kka"),
        guests,
    ]


def totals_of(row) -> Totals:
    """Totals from a row carrying the _totals_columns."""
    m = row._mapping
    return Totals(m["roster"], m["present"], m["absent"], m["kka"], m["guests"])


def mark_context(session_id: int, membership_id: int):
    """For a tap: the session's poktan kind, the family (only if on this session's
    roll call), its current mark and the totals, in one statement; None if the
    user may not mark it."""
    mark = PoktanAttendance
    stmt = (
        select(
            PoktanSession.kind.label("poktan_kind"),
            PoktanMembership.id,
            PoktanMembership.household_id,
            PoktanMembership.pokja_id,
            *_ROW_COLUMNS,
            PoktanSession.date.label("session_date"),
            *_totals_columns(
                PoktanSession.id, PoktanSession.date, PoktanSession.poktan_id
            ),
        )
        .select_from(PoktanSession)
        .join(
            PoktanMembership,
            and_(
                PoktanMembership.id == membership_id,
                PoktanMembership.poktan_id == PoktanSession.poktan_id,
            ),
        )
        .join(Household, Household.id == PoktanMembership.household_id)
        .outerjoin(
            mark,
            and_(
                mark.membership_id == PoktanMembership.id, mark.session_id == session_id
            ),
        )
        .where(
            PoktanSession.id == session_id,
            or_(mark.id.is_not(None), active_on(PoktanSession.date)),
        )
    )
    return db.session.execute(prepared(scoped(stmt, PoktanSession.pokja_id))).first()


def guests(session_id: int) -> list[PoktanGuest]:
    """Walk-in families of a session, in the order they came."""
    stmt = (
        select(PoktanGuest)
        .where(PoktanGuest.session_id == session_id)
        .order_by(PoktanGuest.id)
    )
    return list(db.session.scalars(scoped(stmt, PoktanGuest.pokja_id)))


def guest_of_session(session_id: int, guest_id: int):
    """(guest, totals row) of a session's walk-in, or None."""
    stmt = select(PoktanGuest).where(
        PoktanGuest.id == guest_id, PoktanGuest.session_id == session_id
    )
    return db.session.scalars(scoped(stmt, PoktanGuest.pokja_id)).first()


def session_totals(session: PoktanSession) -> Totals:
    """The totals of one session in one statement."""
    row = db.session.execute(
        select(*_totals_columns(session.id, session.date, session.poktan_id))
    ).one()
    return totals_of(row)


def photos(session_id: int) -> list[PoktanPhoto]:
    """A session's photos, oldest first."""
    stmt = (
        select(PoktanPhoto)
        .where(PoktanPhoto.session_id == session_id)
        .order_by(PoktanPhoto.id)
    )
    return list(db.session.scalars(scoped(stmt, PoktanPhoto.pokja_id)))


def photo(photo_id: int) -> PoktanPhoto | None:
    """A photo if the user may see its session's Pokja."""
    stmt = select(PoktanPhoto).where(PoktanPhoto.id == photo_id)
    return db.session.scalars(scoped(stmt, PoktanPhoto.pokja_id)).first()


def photo_of_session(session_id: int, photo_id: int) -> PoktanPhoto:
    """A photo of this session, else 404."""
    found = photo(photo_id)
    if found is None or found.session_id != session_id:
        abort(404)
    return found
