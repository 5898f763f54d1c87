"""Reads of user accounts."""

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from kkbweb import roles
from kkbweb.auth.models import User
from kkbweb.extensions import db

# The user of every signed-in request, read as a plain row and handed to the
# session as if loaded: about half the CPU of Session.get's loading machinery.
_USER_ROW = select(User.__table__).where(User.__table__.c.id == bindparam("id"))


def signed_in_user(user_id: int) -> User | None:
    """The account with this id, in the session as if the ORM had loaded it."""
    existing = db.session.identity_map.get(identity_key(User, user_id))
    if existing is not None:
        return existing
    row = db.session.connection().execute(_USER_ROW, {"id": user_id}).first()
    if row is None:
        return None
    user = User(**row._mapping)
    make_transient_to_detached(user)  # no pending INSERT, no changed attributes
    db.session.add(user)
    return user


def user_by_username(username: str) -> User | None:
    """The account with this (normalized) username, or None."""
    return db.session.scalars(select(User).where(User.username == username)).first()


def users(role: str | None = None) -> list[User]:
    """Every account, active first, by username; only one role's when given."""
    stmt = select(User).order_by(User.active.desc(), User.username)
    if role is not None:
        stmt = stmt.where(User.role == role)
    return db.session.scalars(stmt).all()


def username_taken(username: str, exclude_id: int | None = None) -> bool:
    """Tell whether another account already uses this username."""
    stmt = select(func.count()).select_from(User).where(User.username == username)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return bool(db.session.scalar(stmt))


def admin_exists() -> bool:
    """Tell whether any admin account exists (active or not)."""
    return bool(
        db.session.scalar(
            select(func.count()).select_from(User).where(User.role == roles.ADMIN)
        )
    )
