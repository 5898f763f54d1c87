"""Failed-login budgets: counted before the password is checked, atomically.

Every way of sending a password (the login form, a JSON body, the password
change) spends from the same budgets, read from the same submitted data:
- per username (LOGIN_FAILURE_LIMIT, 5 per 15 minutes): guessing one account;
- per client address (LOGIN_FAILURE_LIMIT_CLIENT): one machine trying many names;
- for everyone together (LOGIN_FAILURE_LIMIT_ALL): many machines at once.

An attempt is counted *before* its scrypt check (a storage increment, atomic in
memory and in Redis), so 24 parallel guesses make at most 5 checks, not 11; an
attempt over any budget is refused without hashing at all, so refused guesses
cost no CPU that real users need. A refused attempt and a successful login give
their counts back: only checked failures use the budgets up, so one client that
keeps hammering after its own budget is spent cannot drain everyone's. The
answer is the same whichever budget ran out, and for known and unknown names
alike: nothing to enumerate.
"""

from dataclasses import dataclass

from flask import current_app, request
from limits import RateLimitItem, parse

from kkbweb.extensions import limiter

THROTTLED = (
    "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit lalu coba lagi, "
    "atau minta admin mengatur ulang kata sandi."
)


@dataclass
class Attempt:
    """One password check, counted against its budgets (allowed) or not."""

    allowed: bool
    spent: list[tuple[RateLimitItem, str]]

    def succeeded(self) -> None:
        """Give the counts back: a correct password uses no budget."""
        _give_back(self.spent)
        self.spent = []


def begin(username: str) -> Attempt:
    """Count a password check for this username and client, if every budget allows."""
    config = current_app.config
    budgets = [
        (config["LOGIN_FAILURE_LIMIT"], f"login:{username[:40]}"),
        (config["LOGIN_FAILURE_LIMIT_CLIENT"], f"login-client:{request.remote_addr}"),
        (config["LOGIN_FAILURE_LIMIT_ALL"], "login-all"),
    ]
    spent = []
    for limit, key in budgets:
        item = parse(limit)
        spent.append((item, key))
        if not limiter.limiter.hit(item, key):
            _give_back(spent)
            return Attempt(allowed=False, spent=[])
    return Attempt(allowed=True, spent=spent)


def _give_back(spent: list[tuple[RateLimitItem, str]]) -> None:
    """Undo the counts of an attempt (the storage adds -1, atomically)."""
    for item, key in spent:
        limiter.limiter.hit(item, key, cost=-1)
