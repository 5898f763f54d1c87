"""The role x route matrix: every endpoint and method declares its outcome per role.

Each feature has a module here with ACCESS = {(endpoint, method): Entry(...)} and,
if its URLs need records, a world(w) function that adds them to the dict w.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# anonymous; department roles; a city-wide and a Pokja-A organiser; Pokja A and B
# users; and a deactivated user who still holds a session cookie.
ROLES = (
    "anonymous",
    "admin",
    "staf",
    "pimpinan",
    "penyelenggara",
    "penyelenggara_a",
    "pokja_a",
    "pokja_b",
    "deactivated",
)
LOGGED_OUT = ("anonymous", "deactivated")
LOGGED_IN = tuple(r for r in ROLES if r not in LOGGED_OUT)
DEPARTMENT = ("admin", "staf", "pimpinan", "penyelenggara")
LOGIN = 302  # redirect to the login page


@dataclass
class Entry:
    """Expected status per role for one endpoint and method."""

    expected: dict[str, int]
    args: Callable[[dict], dict] = field(default=lambda w: {})
    data: Callable[[dict], dict] | None = None  # form body for POSTs


def allow(roles, ok: int = 200, denied: int = 403, **overrides) -> dict[str, int]:
    """`ok` for these roles, `denied` for other logged-in roles, login for the rest."""
    expected = {role: LOGIN for role in LOGGED_OUT}
    for role in LOGGED_IN:
        expected[role] = ok if role in roles else denied
    expected.update(overrides)
    return expected


def everyone(status: int = 200) -> dict[str, int]:
    """The same status for every role, logged in or not."""
    return {role: status for role in ROLES}
