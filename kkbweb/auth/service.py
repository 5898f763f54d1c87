"""Account rules and writes shared by the admin pages and the command line.

Each write adds its audit row to the caller's transaction; the caller commits.
"""

import re
import secrets

from kkbweb import roles
from kkbweb.audit.log import record
from kkbweb.auth import queries
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.timeutil import utcnow

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
USERNAME_RULE = (
    "3-40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung."
)


def normalize_username(raw: str | None) -> str:
    """Usernames are case-insensitive: compare and store them in lower case."""
    return (raw or "").strip().lower()


def username_problem(username: str, exclude_id: int | None = None) -> str | None:
    """Return an Indonesian message if the username is malformed or taken."""
    if not USERNAME_PATTERN.match(username):
        return f"Nama pengguna tidak valid. {USERNAME_RULE}"
    if queries.username_taken(username, exclude_id):
        return "Nama pengguna sudah dipakai."
    return None


def password_problem(password: str, minimum: int, username: str = "") -> str | None:
    """NIST-style: a length minimum and no composition rules."""
    password = password or ""
    if len(password) < minimum:
        return f"Kata sandi minimal {minimum} karakter."
    if len(password) > 200:
        return "Kata sandi maksimal 200 karakter."
    if username and password.lower() == username.lower():
        return "Kata sandi tidak boleh sama dengan nama pengguna."
    return None


def generate_password() -> str:
    """A random password that is easy to read aloud and type on a phone."""
    return "-".join(secrets.token_hex(3) for _ in range(3))


def create_user(
    username: str,
    full_name: str,
    role: str,
    password: str,
    pokja_id: int | None = None,
    must_change_password: bool = True,
) -> User:
    """Create a user after checking role and Pokja fit; raise ValueError otherwise."""
    problem = roles.role_problem(role, pokja_id is not None)
    if problem:
        raise ValueError(problem)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        pokja_id=pokja_id,
        must_change_password=must_change_password,
    )
    user.set_password(password)
    db.session.add(user)
    return user


def add_user(
    username: str,
    full_name: str,
    role: str,
    password: str,
    pokja_id: int | None = None,
    *,
    active: bool | None = None,
    note: str | None = None,
) -> User:
    """create_user, then record it; raise ValueError on a bad role and Pokja fit."""
    user = create_user(username, full_name, role, password, pokja_id)
    if active is not None:
        user.active = active
    db.session.flush()
    record("user.create", user, after=user.audit_dict(), note=note)
    return user


def update_user(user: User, values: dict) -> bool:
    """Apply the admin's changes; return False when nothing changed.

    A changed role, Pokja or active flag must take effect at once: every session
    of the account ends.
    """
    before = user.audit_dict()
    was_active = user.active
    for name, value in values.items():
        setattr(user, name, value)
    if before == user.audit_dict():
        return False
    user.end_sessions()
    action = "user.deactivate" if was_active and not user.active else "user.update"
    record(action, user, before=before, after=user.audit_dict())
    return True


def reset_password(user: User, password: str) -> None:
    """An admin sets a password that the user must change at next login."""
    user.set_password(password)
    user.must_change_password = True
    user.end_sessions()
    record("user.password_reset", user)


def change_own_password(user: User, password_hash: str) -> None:
    """The user's own new password (already hashed); other devices sign in again."""
    user.password_hash = password_hash
    user.must_change_password = False
    user.end_sessions()
    record("user.password_change", user)


def record_login(user: User) -> None:
    """A successful login."""
    user.last_login_at = utcnow()
    record("login", user, user=user)


def record_failed_login(user: User | None, username: str) -> None:
    """A refused login, for a known or unknown username."""
    record(
        "login.failed",
        entity_type="user",
        entity_id=getattr(user, "id", None),
        note=f"nama pengguna: {username}",
        user=user,
    )


def log_out(user: User) -> None:
    """End every session of the account."""
    user.end_sessions()
    record("logout", user)
