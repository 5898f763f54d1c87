"""Demo users: one per department role and one Pokja user per Pokja."""

import re

from sqlalchemy import select

from kkbweb.audit.log import record
from kkbweb.auth import roles
from kkbweb.auth.models import User
from kkbweb.auth.service import create_user
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja

DEPARTMENT_DEMO_USERS = [
    ("demo.admin", "Rina Marlina (admin demo)", roles.ADMIN),
    ("demo.staf", "Agus Salim (staf demo)", roles.STAF),
    ("demo.pimpinan", "Hj. Siti Aisyah (pimpinan demo)", roles.PIMPINAN),
    ("demo.penyelenggara", "Dedi Kurniawan (penyelenggara demo)", roles.PENYELENGGARA),
]


def demo_username(pokja: Pokja) -> str:
    """pokja.kebondalem for Kebon Dalem."""
    return "pokja." + re.sub(r"[^a-z0-9]", "", pokja.display_name.lower())


def seed_demo_users(password: str) -> list[User]:
    """Create the demo users that do not exist yet; return the created ones."""
    existing = set(db.session.scalars(select(User.username)))
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
