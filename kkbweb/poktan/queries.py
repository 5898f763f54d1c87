"""The selects behind the poktan pages, each narrowed with kkbweb.access.

Every row carries its Pokja (`pokja_id`), so scoping is one condition and another
Pokja's poktan, family or session is simply not found (404).

`activity_counts` is the reports' entry: sessions held and families attending
per Pokja, month and kind, in one grouped statement.
"""

import datetime as dt

from flask import abort
from sqlalchemy import Integer, Select, and_, cast, distinct, extract, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from kkbweb.access import get_scoped_or_404, scoped
from kkbweb.extensions import db
from kkbweb.members.models import Member
from kkbweb.pokja.models import Pokja
from kkbweb.poktan import vocab
from kkbweb.poktan.models import (
    Household,
    PoktanAttendance,
    PoktanMembership,
    PoktanSession,
)
from kkbweb.poktan.models import Poktan as PoktanModel


def active_on(day, membership=PoktanMembership):
    """Condition: the family was a member on the day (date or date column)."""
    return and_(
        or_(membership.joined_on.is_(None), membership.joined_on <= day),
        or_(membership.left_on.is_(None), membership.left_on >= day),
    )


def family_counts(poktan_ids: list[int], today: dt.date) -> dict[int, int]:
    """Families active today per poktan of a page, in one grouped statement."""
    if not poktan_ids:
        return {}
    stmt = (
        select(PoktanMembership.poktan_id, func.count(PoktanMembership.id))
        .where(PoktanMembership.poktan_id.in_(poktan_ids), active_on(today))
        .group_by(PoktanMembership.poktan_id)
    )
    return dict(db.session.execute(stmt).all())


def poktan_list(filters: dict, today: dt.date) -> Select:
    """The registry page: poktan the user may see (their families: family_counts).

    `filters` holds kind, pokja and status (aktif, nonaktif or semua).
    """
    stmt = (
        select(PoktanModel)
        .join(Pokja, Pokja.id == PoktanModel.pokja_id)
        .options(contains_eager(PoktanModel.pokja))
        .order_by(Pokja.display_name, PoktanModel.kind, PoktanModel.name)
    )
    if filters.get("kind") in vocab.KINDS:
        stmt = stmt.where(PoktanModel.kind == filters["kind"])
    if filters.get("pokja"):
        stmt = stmt.where(PoktanModel.pokja_id == filters["pokja"])
    if filters.get("status") == "nonaktif":
        stmt = stmt.where(PoktanModel.is_active.is_(False))
    elif filters.get("status") != "semua":
        filters["status"] = "aktif"
        stmt = stmt.where(PoktanModel.is_active.is_(True))
    return scoped(stmt, PoktanModel.pokja_id)


def get_poktan(poktan_id: int) -> PoktanModel:
    """The poktan with its Pokja, ketua and kader if the user may see it, else 404."""
    ketua, kader = aliased(Member), aliased(Member)
    stmt = (
        select(PoktanModel)
        .join(Pokja, Pokja.id == PoktanModel.pokja_id)
        .outerjoin(ketua, ketua.id == PoktanModel.ketua_member_id)
        .outerjoin(kader, kader.id == PoktanModel.kader_member_id)
        .options(
            contains_eager(PoktanModel.pokja),
            contains_eager(PoktanModel.ketua_member.of_type(ketua)),
            contains_eager(PoktanModel.kader_member.of_type(kader)),
        )
        .where(PoktanModel.id == poktan_id)
    )
    return get_scoped_or_404(stmt, PoktanModel.pokja_id)


def name_taken(pokja_id: int, name: str, except_id: int | None = None) -> bool:
    """Another poktan of this Pokja already has the name (ignoring case)."""
    stmt = select(PoktanModel.id).where(
        PoktanModel.pokja_id == pokja_id,
        func.lower(PoktanModel.name) == name.lower(),
        PoktanModel.id != (except_id or 0),
    )
    return db.session.scalar(stmt) is not None


def has_families_or_sessions(poktan_id: int) -> bool:
    """The poktan has a member family or a session (its kind is then fixed)."""
    families = select(PoktanMembership.id).where(
        PoktanMembership.poktan_id == poktan_id
    )
    held = select(PoktanSession.id).where(PoktanSession.poktan_id == poktan_id)
    return bool(db.session.scalar(select(families.exists() | held.exists())))


def member_choices(pokja_id: int | None) -> list[tuple[int, str]]:
    """Active members of a Pokja, for the ketua and kader selects."""
    if pokja_id is None:
        return []
    stmt = (
        select(Member.id, Member.name)
        .where(Member.pokja_id == pokja_id, Member.is_active.is_(True))
        .order_by(Member.name, Member.id)
    )
    return [tuple(row) for row in db.session.execute(scoped(stmt, Member.pokja_id))]


def families(poktan_id: int, today: dt.date, show: str = "aktif") -> Select:
    """A poktan's member families with their households (paginated by the caller).

    show: "aktif" (members today), "keluar" (left) or "semua".
    """
    stmt = (
        select(PoktanMembership)
        .join(Household, Household.id == PoktanMembership.household_id)
        .options(contains_eager(PoktanMembership.household))
        .where(PoktanMembership.poktan_id == poktan_id)
        .order_by(Household.head_name, PoktanMembership.id)
    )
    if show == "keluar":
        stmt = stmt.where(PoktanMembership.left_on < today)
    elif show != "semua":
        stmt = stmt.where(active_on(today))
    return scoped(stmt, PoktanMembership.pokja_id)


def household_choices(pokja_id: int) -> list[tuple[int, str]]:
    """The Pokja's registered households, for "already registered" in the form."""
    stmt = (
        select(Household.id, Household.head_name, Household.rt, Household.rw)
        .where(Household.pokja_id == pokja_id)
        .order_by(Household.head_name, Household.id)
        .limit(500)
    )
    rows = db.session.execute(scoped(stmt, Household.pokja_id))
    return [
        (row.id, f"{row.head_name} (RT {row.rt or '-'}/RW {row.rw or '-'})")
        for row in rows
    ]


def get_membership(poktan_id: int, membership_id: int) -> PoktanMembership:
    """A family of this poktan with its household and poktan, else 404."""
    stmt = (
        select(PoktanMembership)
        .join(Household, Household.id == PoktanMembership.household_id)
        .join(PoktanModel, PoktanModel.id == PoktanMembership.poktan_id)
        .options(
            contains_eager(PoktanMembership.household),
            contains_eager(PoktanMembership.poktan),
        )
        .where(
            PoktanMembership.id == membership_id,
            PoktanMembership.poktan_id == poktan_id,
        )
    )
    return get_scoped_or_404(stmt, PoktanMembership.pokja_id)


def import_context(poktan_id: int) -> tuple[PoktanModel, dict, set]:
    """For an import, in one statement: the poktan (404 if not the user's), its
    Pokja's households by (name, RT, RW) and the families already in it as
    (name, RT, RW, target), all in lower case."""
    stmt = (
        select(
            PoktanModel,
            Household.id,
            Household.head_name,
            Household.rt,
            Household.rw,
            PoktanMembership.target_name,
            PoktanMembership.business,
        )
        .outerjoin(Household, Household.pokja_id == PoktanModel.pokja_id)
        .outerjoin(
            PoktanMembership,
            and_(
                PoktanMembership.household_id == Household.id,
                PoktanMembership.poktan_id == PoktanModel.id,
            ),
        )
        .where(PoktanModel.id == poktan_id)
    )
    rows = db.session.execute(scoped(stmt, PoktanModel.pokja_id)).all()
    if not rows:
        abort(404)
    households, members = {}, set()
    for row in rows:
        if row.id is None:
            continue  # the poktan's Pokja has no household yet
        key = (row.head_name.lower(), row.rt or "", row.rw or "")
        households.setdefault(key, row.id)
        target = row.target_name or row.business
        if target is not None:
            members.add((*key, target.lower()))
    return rows[0][0], households, members


# --- the reports' entry ---------------------------------------------------------


def activity_counts(
    start: dt.date, end: dt.date, pokja_ids: list[int] | None = None
) -> list:
    """Poktan sessions in [start, end) per Pokja, month and kind: rows of
    (pokja_id, year, month, kind, sessions, attendances, families).

    attendances: families present summed over the sessions (a family at two
    sessions counts twice); families: distinct families present in the month.
    Not scoped: the reports feature scopes by passing the Pokja it may show.
    """
    # Whole numbers on both databases (PostgreSQL's EXTRACT gives a numeric).
    year = cast(extract("year", PoktanSession.date), Integer)
    month = cast(extract("month", PoktanSession.date), Integer)
    held = aliased(PoktanSession)
    present = (
        select(PoktanAttendance.session_id, PoktanAttendance.household_id)
        .join(held, held.id == PoktanAttendance.session_id)
        .where(
            PoktanAttendance.status == vocab.PRESENT,
            held.date >= start,
            held.date < end,
        )
        .distinct()
        .subquery()
    )
    stmt = (
        select(
            PoktanSession.pokja_id,
            year.label("year"),
            month.label("month"),
            PoktanSession.kind,
            func.count(distinct(PoktanSession.id)).label("sessions"),
            func.count(present.c.household_id).label("attendances"),
            func.count(distinct(present.c.household_id)).label("families"),
        )
        .outerjoin(present, present.c.session_id == PoktanSession.id)
        .where(PoktanSession.date >= start, PoktanSession.date < end)
        .group_by(PoktanSession.pokja_id, year, month, PoktanSession.kind)
        .order_by(PoktanSession.pokja_id, year, month, PoktanSession.kind)
    )
    if pokja_ids is not None:
        stmt = stmt.where(PoktanSession.pokja_id.in_(pokja_ids))
    return db.session.execute(stmt).all()
