"""Reads of kecamatan and Pokja, including the Pokja options every form offers."""

from sqlalchemy import Row, func, select

from kkbweb.access import scoped
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.models import Kecamatan, Pokja


def pokja_choices(user=None, active_only: bool = True) -> list[tuple[int, str]]:
    """(id, display name) of the Pokja, by name: the options of any Pokja select.

    With a user, only the Pokja that user may see (kkbweb.access); without one,
    all of them (for department pages that offer every Pokja).
    """
    stmt = select(Pokja.id, Pokja.display_name).order_by(Pokja.display_name)
    if active_only:
        stmt = stmt.where(Pokja.is_active.is_(True))
    if user is not None:
        stmt = scoped(stmt, Pokja.id, user)
    return [(pokja_id, name) for pokja_id, name in db.session.execute(stmt)]


def pokja_names() -> dict[int, str]:
    """Display name by id, for every Pokja (active or not)."""
    return dict(pokja_choices(active_only=False))


def kecamatan_choices() -> list[tuple[int, str]]:
    """Kecamatan options, by display name."""
    return [
        (k.id, f"{k.display_name} ({k.code})")
        for k in db.session.scalars(select(Kecamatan).order_by(Kecamatan.display_name))
    ]


def active_pokja_with_kecamatan() -> list[Row]:
    """(Pokja, kecamatan name) of the active Pokja, by name: the city overview."""
    return db.session.execute(
        select(Pokja, Kecamatan.display_name)
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.display_name)
    ).all()


def pokja_with_user_counts() -> list[Row]:
    """(Pokja, kecamatan name, active users) of every Pokja, by name."""
    user_counts = (
        select(User.pokja_id, func.count().label("n"))
        .where(User.active.is_(True))
        .group_by(User.pokja_id)
        .subquery()
    )
    return db.session.execute(
        select(Pokja, Kecamatan.display_name, func.coalesce(user_counts.c.n, 0))
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .outerjoin(user_counts, user_counts.c.pokja_id == Pokja.id)
        .order_by(Pokja.display_name)
    ).all()


def pokja_and_kecamatan(pokja_id: int) -> Row | None:
    """(Pokja, Kecamatan) for one id, or None."""
    return db.session.execute(
        select(Pokja, Kecamatan)
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .where(Pokja.id == pokja_id)
    ).first()


def taken(column, value: str, exclude_id: int | None = None) -> bool:
    """Tell whether another Pokja already has this value in a unique column."""
    stmt = select(Pokja.id).where(column == value)
    if exclude_id is not None:
        stmt = stmt.where(Pokja.id != exclude_id)
    return db.session.scalar(stmt) is not None


def find_pokja(name: str) -> Pokja | None:
    """Find a Pokja by display or official name, case-insensitively, or by code."""
    key = name.strip().lower()
    return db.session.scalars(
        select(Pokja).where(
            (func.lower(Pokja.display_name) == key)
            | (func.lower(Pokja.official_name) == key)
            | (Pokja.code == name.strip())
        )
    ).first()
