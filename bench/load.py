"""Load: 60 organisers and 15 staff at once, for a few minutes, under gunicorn.

Each virtual user is a thread with its own session: it logs in (spread over the
ramp-up), then repeats a weighted choice of actions with a think time, until the
end. Reported per category and action: count, p50/p95/p99/max latency, errors
(exceptions, 5xx, unexpected statuses), and the "database is locked" lines of
the server log; afterwards every acknowledged write must be in the database
exactly once (its audit row).

QUALITY.md: p95 <= 300 ms for pages, <= 200 ms for toggles, 0 errors, 0
"database is locked", on SQLite and PostgreSQL.

Until the meetings feature lands there is no roll-call toggle: organisers browse
their Pokja and now and then change their password; staff browse the city pages
and the audit trail, and admins edit Pokja contact data (the write load). The
meetings feature plugs its toggle in as an ORGANISER_ACTIONS entry and a
verifier in VERIFIERS.

    python -m bench.load [--db sqlite|postgresql] [--seconds 180]
"""

import argparse
import os
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from bench.common import (
    DEMO_PASSWORD,
    Session,
    app_context,
    database,
    gunicorn,
    percentile,
    table,
    write_results,
)

BUDGET_P95_MS = {"page": 300, "fragment": 300, "toggle": 200, "write": 200}
HX = {"HX-Request": "true"}
OTHER_PASSWORD = "bench-kata-sandi-456"


@dataclass
class User:
    username: str
    role: str
    pokja_id: int | None
    password: str = DEMO_PASSWORD


@dataclass
class Stats:
    """Latencies and outcomes, shared by all threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    error_samples: list = field(default_factory=list)
    writes: dict = field(default_factory=lambda: defaultdict(list))

    steady_from: float = 0.0  # monotonic time at which the ramp-up ends
    steady: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, category, name, answer, expected=(200,)) -> bool:
        ok = answer.status in expected
        with self.lock:
            self.latencies[(category, name)].append(answer.seconds * 1000)
            if time.monotonic() - answer.seconds >= self.steady_from:
                self.steady[(category, name)].append(answer.seconds * 1000)
            if not ok:
                self.errors[(category, name)] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{name}: HTTP {answer.status}")
        return ok

    def fail(self, category, name, error: Exception) -> None:
        with self.lock:
            self.errors[(category, name)] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{name}: {error!r}")


# -- actions: (weight, function(session, user, stats, ctx)) ---------------------


def pokja_page(s, user, stats, ctx):
    stats.add("page", "Pokja home", s.get(f"/pokja/{user.pokja_id or ctx['pokja_a']}"))


def home(s, user, stats, ctx):
    expected = (302,) if user.pokja_id else (200,)
    stats.add("page", "home", s.get("/"), expected)


def password_form(s, user, stats, ctx):
    stats.add("page", "password form", s.get("/auth/password"))


def change_password(s, user, stats, ctx):
    s.form_token("/auth/password")
    new = OTHER_PASSWORD if user.password == DEMO_PASSWORD else DEMO_PASSWORD
    answer = s.request(
        "POST",
        "/auth/password",
        data={
            "csrf_token": s.csrf,
            "current": user.password,
            "new": new,
            "confirm": new,
        },
    )
    if stats.add("write", "password change (2 scrypt)", answer, (303,)):
        user.password = new
        with stats.lock:
            stats.writes["user.password_change"].append(user.username)


def audit_page(s, user, stats, ctx):
    stats.add("page", "audit trail", s.get("/audit/"))


def audit_filter(s, user, stats, ctx):
    prefix = random.choice(["login", "pokja", "user", "logout"])
    stats.add("fragment", "audit filter", s.get(f"/audit/?aksi={prefix}", headers=HX))


def users_page(s, user, stats, ctx):
    stats.add("page", "users list", s.get("/auth/users"))


def pokja_list(s, user, stats, ctx):
    stats.add("page", "Pokja list", s.get("/pokja/"))


def edit_pokja(s, user, stats, ctx):
    pokja_id = random.choice(ctx["pokja_ids"])
    path = f"/pokja/{pokja_id}/edit"
    s.form_token(path)
    form = ctx["pokja_forms"][pokja_id]
    with stats.lock:
        ctx["sequence"] += 1
        address = f"Sekretariat uji beban {ctx['sequence']}"
    answer = s.request(
        "POST", path, data={**form, "address": address, "csrf_token": s.csrf}
    )
    if stats.add("write", "Pokja edit", answer, (303,)):
        with stats.lock:
            stats.writes["pokja.update"].append(address)


ORGANISER_ACTIONS = [
    (5, pokja_page),
    (3, home),
    (1, password_form),
    (0.05, change_password),
    # meetings: (8, open_roll_call), (20, toggle_attendance)
]
STAFF_ACTIONS = [(4, home), (3, pokja_page)]
ADMIN_ACTIONS = [
    (3, home),
    (2, audit_page),
    (3, audit_filter),
    (1, users_page),
    (1, pokja_list),
    (2, pokja_page),
    (3, edit_pokja),
]


def verify_pokja_edits(writes, rows) -> list[str]:
    """Each acknowledged Pokja edit has exactly one audit row with its address."""
    seen = Counter(
        (row.after or {}).get("address") for row in rows if row.action == "pokja.update"
    )
    return [a for a in writes.get("pokja.update", []) if seen[a] != 1]


def verify_password_changes(writes, rows) -> list[str]:
    done = sum(1 for row in rows if row.action == "user.password_change")
    wanted = len(writes.get("user.password_change", []))
    return [] if done == wanted else [f"{wanted} acknowledged, {done} audited"]


VERIFIERS = [
    ("Pokja edits", verify_pokja_edits),
    ("password changes", verify_password_changes),
]


# -- the run -------------------------------------------------------------------


def make_users(organisers: int, staff: int) -> tuple[list[User], dict]:
    """Add the load's users (one hash at production strength, reused)."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from kkbweb.auth.models import User as UserRow
    from kkbweb.extensions import db
    from kkbweb.pokja.models import Pokja

    method = current_app.config["PASSWORD_HASH_METHOD"]
    hashed = generate_password_hash(DEMO_PASSWORD, method=method)
    pokja = db.session.execute(select(Pokja.id, Pokja.display_name)).all()
    users = []
    for n in range(organisers):
        pokja_id = pokja[n % len(pokja)][0]
        users.append(User(f"org{n}.load", "penyelenggara", pokja_id))
    for n in range(staff):
        role = "admin" if n % 3 == 0 else "staf"
        users.append(User(f"{role}{n}.load", role, None))
    for u in users:
        db.session.add(
            UserRow(
                username=u.username,
                full_name=f"Pengguna beban {u.username}",
                role=u.role,
                pokja_id=u.pokja_id,
                password_hash=hashed,
                must_change_password=False,
            )
        )
    db.session.commit()
    forms = {}
    for row in db.session.scalars(select(Pokja)):
        forms[row.id] = {
            "display_name": row.display_name,
            "official_name": row.official_name,
            "code": row.code,
            "kecamatan_id": str(row.kecamatan_id),
            "kampung_kb_class": row.kampung_kb_class or "",
            "contact_phone": row.contact_phone or "",
            "is_active": "y",
        }
    ctx = {
        "pokja_ids": sorted(forms),
        "pokja_forms": forms,
        "pokja_a": min(forms),
        "sequence": 0,
    }
    return users, ctx


def virtual_user(port, user, stats, ctx, start_at, stop_at, think):
    time.sleep(max(0.0, start_at - time.monotonic()))
    session = Session(port)
    try:
        answer = session.login(user.username, user.password)
        stats.add("login", "login (1 scrypt)", answer, (303,))
    except Exception as error:  # counted, then this user gives up
        stats.fail("login", "login (1 scrypt)", error)
        return
    if user.role == "penyelenggara":
        actions = ORGANISER_ACTIONS
    else:
        actions = ADMIN_ACTIONS if user.role == "admin" else STAFF_ACTIONS
    weights = [w for w, _ in actions]
    while time.monotonic() < stop_at:
        action = random.choices([a for _, a in actions], weights)[0]
        try:
            action(session, user, stats, ctx)
        except Exception as error:  # a refused connection, a timeout
            stats.fail("error", action.__name__, error)
        time.sleep(random.uniform(*think[user.role == "penyelenggara"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--ramp", type=float, default=20)
    parser.add_argument("--organisers", type=int, default=60)
    parser.add_argument("--staff", type=int, default=15)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    random.seed(7)
    # Think time (s): staff read a page; organisers tap through a roll call.
    think = {False: (4.0, 8.0), True: (2.0, 4.0)}

    with database(args.db) as db:
        with app_context(db):
            users, ctx = make_users(args.organisers, args.staff)
        with gunicorn(db, workers=args.workers, bench_mode=False) as server:
            stats = Stats()
            began = time.monotonic()
            stats.steady_from = began + args.ramp
            load_before = os.getloadavg()
            stop_at = began + args.ramp + args.seconds
            threads = [
                threading.Thread(
                    target=virtual_user,
                    args=(
                        server.port,
                        u,
                        stats,
                        ctx,
                        began + args.ramp * n / len(users),
                        stop_at,
                        think,
                    ),
                )
                for n, u in enumerate(users)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            load_after = os.getloadavg()
            log = server.log.read_text(errors="replace")
        locked = len(re.findall(r"database is locked", log))
        tracebacks = log.count("Traceback")
        with app_context(db):
            from kkbweb.audit.models import AuditLog
            from kkbweb.extensions import db as sa

            rows = sa.session.scalars(
                select(AuditLog).where(
                    AuditLog.action.in_(["pokja.update", "user.password_change"])
                )
            ).all()
            problems = {name: check(stats.writes, rows) for name, check in VERIFIERS}

    total = sum(len(v) for v in stats.latencies.values())
    table_rows, results = [], []
    for (category, name), values in sorted(stats.latencies.items()):
        steady = stats.steady.get((category, name), [])
        p95 = percentile(steady, 95) if steady else percentile(values, 95)
        budget = BUDGET_P95_MS.get(category)
        errors = stats.errors[(category, name)]
        verdict = "" if budget is None else ("ok" if p95 <= budget else "MISSED")
        if name.startswith("password change"):
            verdict = "n/a (scrypt)"
        table_rows.append(
            [
                category,
                name,
                len(values),
                percentile(values, 50),
                percentile(values, 95),
                percentile(values, 99),
                max(values),
                len(steady),
                percentile(steady, 50),
                p95,
                budget or "",
                errors,
                verdict,
            ]
        )
        results.append(
            {
                "category": category,
                "name": name,
                "count": len(values),
                "p50_ms": percentile(values, 50),
                "p95_ms": percentile(values, 95),
                "p99_ms": percentile(values, 99),
                "max_ms": max(values),
                "steady_count": len(steady),
                "steady_p50_ms": percentile(steady, 50),
                "steady_p95_ms": percentile(steady, 95),
                "steady_p99_ms": percentile(steady, 99),
                "budget_p95_ms": budget,
                "errors": errors,
            }
        )
    for (category, name), count in stats.errors.items():
        if (category, name) not in stats.latencies:
            table_rows.append(
                [category, name, 0, "", "", "", "", "", "", "", "", count, ""]
            )
    print(
        f"\nLoad: {args.organisers} organisers + {args.staff} staff, "
        f"{args.seconds:.0f} s after a {args.ramp:.0f} s ramp, {args.db}, "
        f"gunicorn {server.workers} sync workers; {total} requests in "
        f"{elapsed:.0f} s ({total / elapsed:.1f}/s)"
    )
    print(
        table(
            [
                "category",
                "action",
                "count",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "steady n",
                "steady p50",
                "steady p95",
                "p95 budget",
                "errors",
                "verdict",
            ],
            table_rows,
        )
    )
    error_total = sum(stats.errors.values())
    print(
        "(all: from the first login; steady: requests started after the ramp-up;"
        " the verdict compares the steady p95)"
    )
    print(
        f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f} "
        f"(other work on this {os.cpu_count()}-core machine adds to it)"
    )
    print(
        f"\nerrors: {error_total}; 'database is locked' in the server log: {locked};"
        f" tracebacks: {tracebacks}"
    )
    for sample in stats.error_samples[:10]:
        print(f"  {sample}")
    for name, missing in problems.items():
        acknowledged = {
            "Pokja edits": len(stats.writes.get("pokja.update", [])),
            "password changes": len(stats.writes.get("user.password_change", [])),
        }.get(name, "?")
        state = "each exactly once" if not missing else f"PROBLEM: {missing[:5]}"
        print(f"acknowledged {name}: {acknowledged}, in the database: {state}")
    write_results(
        f"load-{args.db}",
        {
            "database": args.db,
            "organisers": args.organisers,
            "staff": args.staff,
            "seconds": args.seconds,
            "ramp_seconds": args.ramp,
            "workers": server.workers,
            "requests": total,
            "requests_per_second": total / elapsed,
            "load_average_before_after": [load_before[0], load_after[0]],
            "actions": results,
            "errors": error_total,
            "error_samples": stats.error_samples,
            "database_is_locked": locked,
            "tracebacks": tracebacks,
            "writes_acknowledged": {k: len(v) for k, v in stats.writes.items()},
            "write_problems": problems,
        },
    )


if __name__ == "__main__":
    main()
