"""Plain data builders for tests (CTFd style): make_user(role=..., pokja=...).

Each builder opens an app context if none is active, commits, and returns the object
loaded and detached, so a test can read its attributes outside any context.
"""

from contextlib import contextmanager, nullcontext
from functools import cache

from flask import current_app, has_app_context
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja

PASSWORD = "kata-sandi-uji-123"
_counter = iter(range(1, 10**9))
_app = None


def bind(app) -> None:
    """Remember the test's app (called by the app fixture)."""
    global _app
    _app = app


@contextmanager
def context():
    """An app context: the active one, or a new one for the bound app."""
    with nullcontext() if has_app_context() else _app.app_context():
        yield


def detach(obj):
    """Load every column of a committed object and detach it from the session."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def save(*objects):
    """Add, commit and detach objects; return the first (or all, if several)."""
    with context():
        db.session.add_all(objects)
        db.session.commit()
        detached = [detach(obj) for obj in objects]
    return detached[0] if len(detached) == 1 else detached


@cache
def _hash(password: str, method: str) -> str:
    """Hash once per password: scrypt at production strength is deliberately slow."""
    return generate_password_hash(password, method=method)


def pokja(name: str = "Ciwedus") -> Pokja:
    """Fetch a seeded Pokja by display name."""
    with context():
        found = db.session.scalars(
            select(Pokja).where(Pokja.display_name == name)
        ).one()
        db.session.expunge(found)
    return found


def make_user(
    role: str = "pokja",
    pokja: Pokja | str | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
    must_change_password: bool = False,
) -> User:
    """Create a user; a Pokja user defaults to Ciwedus."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    if pokja is None and role == "pokja":
        pokja = globals()["pokja"]("Ciwedus")
    with context():
        user = User(
            username=username or f"{role}{next(_counter)}",
            full_name=f"Pengguna {role}",
            role=role,
            pokja_id=pokja.id if pokja else None,
            password_hash=_hash(password, current_app.config["PASSWORD_HASH_METHOD"]),
            active=active,
            must_change_password=must_change_password,
        )
        return save(user)


def put_in_session(client, user: User) -> None:
    """Log a user into a test client directly, with their current session version."""
    with context():
        version = db.session.get(User, user.id).session_version
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{version}"
        session["_fresh"] = True


# --- meetings ------------------------------------------------------------------

import datetime as dt  # noqa: E402

from kkbweb.meetings.models import (  # noqa: E402
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingPokja,
    Member,
)


def make_member(
    pokja="Ciwedus",
    name: str | None = None,
    sex: str = "P",
    jabatan: str = "anggota",
    unsur: str = "pkk",
    **fields,
):
    """Create a member of a Pokja (a Pokja object or its display name)."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    member = Member(
        pokja_id=pokja.id,
        name=name or f"Anggota {next(_counter)}",
        sex=sex,
        jabatan=jabatan,
        unsur=unsur,
        **fields,
    )
    return save(member)


def make_members(pokja="Ciwedus", count: int = 5, prefix: str = "Anggota") -> list:
    """Create `count` members of a Pokja in one commit; return their ids."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    with context():
        members = [
            Member(
                pokja_id=pokja.id,
                name=f"{prefix} {pokja.display_name} {i:03d}",
                sex="L" if i % 3 == 0 else "P",
                jabatan="anggota",
                unsur="pkk",
            )
            for i in range(1, count + 1)
        ]
        db.session.add_all(members)
        db.session.commit()
        return [m.id for m in members]


def make_meeting(
    pokja=("Ciwedus",),
    title: str = "Rapat Pokja bulanan",
    kind: str = "rapat_pokja",
    status: str = "dijadwalkan",
    date=None,
    **fields,
):
    """Create a meeting inviting the given Pokja (objects or display names)."""
    if isinstance(pokja, (str, Pokja)):
        pokja = (pokja,)
    pokja = [globals()["pokja"](p) if isinstance(p, str) else p for p in pokja]
    with context():
        meeting = Meeting(
            kind=kind,
            title=title,
            date=date or dt.date(2024, 5, 27),
            start_time=fields.pop("start_time", dt.time(8, 30)),
            place=fields.pop("place", "Aula Kantor Kelurahan"),
            status=status,
            **fields,
        )
        db.session.add(meeting)
        db.session.flush()
        for p in pokja:
            db.session.add(MeetingPokja(meeting_id=meeting.id, pokja_id=p.id))
        db.session.commit()
        return detach(meeting)


def make_mark(meeting, member, status: str = "hadir"):
    """Record a status for a member at a meeting."""
    return save(
        Attendance(
            meeting_id=meeting.id,
            member_id=member.id,
            pokja_id=member.pokja_id,
            status=status,
        )
    )


def make_guest(meeting, name: str = "Tamu Uji", pokja=None, sex: str = "L"):
    """Record a walk-in guest."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    return save(
        MeetingGuest(
            meeting_id=meeting.id,
            name=name,
            sex=sex,
            affiliation="Puskesmas",
            pokja_id=pokja.id if pokja else None,
        )
    )
