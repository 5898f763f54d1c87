"""Reads of Posyandu and PAUD units and their sessions, narrowed to the user's Pokja.

No Flask beyond `db`.
"""

from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from kkbweb.access import scoped
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.units.models import ServiceSession, ServiceUnit


def unit_list(kind: str | None = None, pokja_id: int | None = None) -> Select:
    """The units the user may see (their Pokja loaded), by Pokja, kind and name."""
    stmt = (
        select(ServiceUnit)
        .join(Pokja, Pokja.id == ServiceUnit.pokja_id)
        .options(contains_eager(ServiceUnit.pokja))
        .order_by(
            Pokja.display_name,
            ServiceUnit.is_active.desc(),
            ServiceUnit.kind,
            ServiceUnit.name,
            ServiceUnit.id,
        )
    )
    if kind:
        stmt = stmt.where(ServiceUnit.kind == kind)
    if pokja_id:
        stmt = stmt.where(ServiceUnit.pokja_id == pokja_id)
    return scoped(stmt, ServiceUnit.pokja_id)


def session_stats(unit_ids: list[int]) -> dict[int, tuple[int, date]]:
    """(sessions, last session date) per unit of a page; one query."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(
            ServiceSession.unit_id,
            func.count(),
            func.max(ServiceSession.date),
        )
        .where(ServiceSession.unit_id.in_(unit_ids))
        .group_by(ServiceSession.unit_id)
    )
    return {unit_id: (n, last) for unit_id, n, last in rows}


def unit(unit_id: int):
    """(unit, Pokja name) within the user's scope, or None."""
    stmt = (
        select(ServiceUnit, Pokja.display_name)
        .join(Pokja, Pokja.id == ServiceUnit.pokja_id)
        .where(ServiceUnit.id == unit_id)
    )
    return db.session.execute(scoped(stmt, ServiceUnit.pokja_id)).first()


def session_list(unit_id: int) -> Select:
    """A unit's sessions, newest first (the caller checked the unit's scope)."""
    return (
        select(ServiceSession)
        .where(ServiceSession.unit_id == unit_id)
        .order_by(ServiceSession.date.desc(), ServiceSession.id.desc())
    )


def session(session_id: int):
    """(session, its unit, Pokja name) within the user's scope, or None."""
    stmt = (
        select(ServiceSession, ServiceUnit, Pokja.display_name)
        .join(ServiceUnit, ServiceUnit.id == ServiceSession.unit_id)
        .join(Pokja, Pokja.id == ServiceUnit.pokja_id)
        .where(ServiceSession.id == session_id)
    )
    return db.session.execute(scoped(stmt, ServiceSession.pokja_id)).first()


def name_taken(pokja_id: int, kind: str, name: str, exclude_id: int | None) -> bool:
    """Whether the Pokja has another unit of this kind and name."""
    stmt = select(ServiceUnit.id).where(
        ServiceUnit.pokja_id == pokja_id,
        ServiceUnit.kind == kind,
        func.lower(ServiceUnit.name) == name.lower(),
    )
    if exclude_id is not None:
        stmt = stmt.where(ServiceUnit.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def day_taken(unit_id: int, day: date, exclude_id: int | None) -> bool:
    """Whether the unit has another session on this day."""
    stmt = select(ServiceSession.id).where(
        ServiceSession.unit_id == unit_id, ServiceSession.date == day
    )
    if exclude_id is not None:
        stmt = stmt.where(ServiceSession.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def has_sessions(unit_id: int) -> bool:
    """Whether the unit has any session (its Pokja then stays as it is)."""
    stmt = select(ServiceSession.id).where(ServiceSession.unit_id == unit_id)
    return db.session.scalar(stmt.limit(1)) is not None
