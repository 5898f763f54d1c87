"""Demo users: one per department role and one Pokja user per Pokja."""

import re
from collections.abc import Container

from sqlalchemy import select

from kkbweb import roles
from kkbweb.audit.log import record
from kkbweb.auth.models import User
from kkbweb.auth.service import create_user
from kkbweb.demo import rows
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja

# (username, full name, role) of the department demo users.
DEPARTMENT_DEMO_USERS = [tuple(row.values()) for row in rows("users")]


def demo_username(pokja: Pokja) -> str:
    """pokja.kebondalem for Kebon Dalem."""
    return "pokja." + re.sub(r"[^a-z0-9]", "", pokja.display_name.lower())


def seed_demo_users(password: str) -> list[User]:
    """Create the demo users that do not exist yet; return the created ones."""
    existing = set(db.session.scalars(select(User.username)))
    wanted = _wanted_demo_users()
    created = []
    for username, full_name, role, pokja_id in wanted:
        if username in existing:
            continue
        user = create_user(
            username, full_name, role, password, pokja_id, must_change_password=False
        )
        created.append(user)
    db.session.flush()
    for user in created:
        record("user.create", user, after=user.audit_dict(), note="data demo")
    return created


def reset_demo_passwords(password: str, skip: Container[int] = ()) -> list[User]:
    """Give the existing demo users this password again (audited); return them.

    The way back to a demo password once the users exist: `demo-data --password P`.
    Only the demo usernames are touched, never a real account; `skip` holds the
    ids of users just created with it.
    """
    names = [username for username, *_ in _wanted_demo_users()]
    users = db.session.scalars(
        select(User).where(User.username.in_(names)).order_by(User.id)
    ).all()
    users = [user for user in users if user.id not in skip]
    for user in users:
        user.set_password(password)
        user.must_change_password = False
        # Whoever was signed in with the old password signs in again.
        user.end_sessions()
        record("user.password_reset", user, note="data demo: kata sandi demo diatur")
    return users


def _wanted_demo_users() -> list[tuple[str, str, str, int | None]]:
    """(username, full name, role, pokja id) of every demo user."""
    wanted: list[tuple[str, str, str, int | None]] = [
        (name, full, role, None) for name, full, role in DEPARTMENT_DEMO_USERS
    ]
    pokja_list = db.session.scalars(select(Pokja).order_by(Pokja.id)).all()
    for pokja in pokja_list:
        wanted.append(
            (
                demo_username(pokja),
                f"Operator Pokja {pokja.display_name}",
                roles.POKJA,
                pokja.id,
            )
        )
    if pokja_list:
        first = pokja_list[0]
        wanted.append(
            (
                f"penyelenggara.{demo_username(first).split('.')[1]}",
                f"Penyelenggara {first.display_name}",
                roles.PENYELENGGARA,
                first.id,
            )
        )
    return wanted
