"""Account rules shared by the admin pages and the command line."""

import re
import secrets

from sqlalchemy import func, select

from kkbweb.auth import roles
from kkbweb.auth.models import User
from kkbweb.extensions import db

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
    stmt = select(func.count()).select_from(User).where(User.username == username)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt):
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
