"""Load: 60 organisers and 15 staff at once, for a few minutes, under gunicorn.

Each virtual user is a thread with its own session: it logs in (spread over the
ramp-up), then repeats a weighted choice of actions with a think time, until the
end. Reported per category and action: count, p50/p95/p99/max latency, errors
(exceptions, 5xx, unexpected statuses), and the "database is locked" lines of
the server log; afterwards every acknowledged write must be in the database
exactly once (its audit row).

QUALITY.md: p95 <= 300 ms for pages, <= 200 ms for toggles, 0 errors, 0
"database is locked", on SQLite and PostgreSQL.

Organisers (penyelenggara, 5 per Pokja) take the roll call of their Pokja's
meeting of today (60 people): they open it now and then and tap one of their
own fifth of the people to a random status (the htmx toggle), between a look at
their Pokja page, home and the password form. Staff browse the city pages; the
admins also the audit trail, and they edit Pokja contact data.

Afterwards every acknowledged write must be in the database exactly once: each
Pokja edit's audit row, each password change's, and for every person tapped one
attendance row holding the last acknowledged status, with one audit row per
acknowledged change (each person is tapped by one organiser only, so the order
of their taps is known).

    python -m bench.load [--db sqlite|postgresql] [--seconds 180]
"""

import argparse
import gzip
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
    make_roll_call,
    percentile,
    table,
    write_results,
)

ROSTER = 60  # people on each Pokja's roll call
BUDGET_P95_MS = {"page": 300, "fragment": 300, "toggle": 200, "write": 200}
HX = {"HX-Request": "true"}
OTHER_PASSWORD = "bench-kata-sandi-456"


@dataclass
class User:
    username: str
    role: str
    pokja_id: int | None
    password: str = DEMO_PASSWORD
    meeting_id: int | None = None  # organisers: their Pokja's meeting of today
    slot: tuple[int, int] = (0, 1)  # organisers: their (k, n): every nth from k
    people: list[int] = field(default_factory=list)  # member ids they tap


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


MARK_PATH = re.compile(rb"/meetings/(\d+)/attendance/(\d+)")


def open_roll_call(s, user, stats, ctx):
    """The meeting page with the whole roll call; remember whom to tap."""
    answer = s.get(f"/meetings/{user.meeting_id}", headers={"Accept-Encoding": "gzip"})
    if stats.add("page", f"roll call ({ctx['roster']} people)", answer):
        body = answer.body
        if answer.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        ids = sorted({int(m) for _, m in MARK_PATH.findall(body)})
        first, step = user.slot
        user.people = ids[first::step]
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
        s.csrf = found.group(1).decode() if found else s.csrf


def toggle_attendance(s, user, stats, ctx):
    """One tap, as htmx sends it: the row and the totals come back."""
    if not user.people:
        open_roll_call(s, user, stats, ctx)
        if not user.people:
            return
    member_id = random.choice(user.people)
    status = random.choice(ATTENDANCE)
    answer = s.request(
        "POST",
        f"/meetings/{user.meeting_id}/attendance/{member_id}",
        data={"csrf_token": s.csrf, "status": status},
        headers=HX,
    )
    if stats.add("toggle", "roll-call tap (htmx)", answer):
        with stats.lock:
            stats.writes["attendance.mark"].append((user.meeting_id, member_id, status))


ATTENDANCE = ["hadir", "hadir", "hadir", "izin", "sakit", "tidak_hadir"]
ORGANISER_ACTIONS = [
    (5, pokja_page),
    (3, home),
    (1, password_form),
    (0.05, change_password),
    (4, open_roll_call),
    (20, toggle_attendance),
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


def _audits(action: str) -> list:
    from kkbweb.audit.models import AuditLog
    from kkbweb.extensions import db

    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def verify_pokja_edits(writes) -> list[str]:
    """Each acknowledged Pokja edit has exactly one audit row with its address."""
    seen = Counter((row.after or {}).get("address") for row in _audits("pokja.update"))
    return [a for a in writes.get("pokja.update", []) if seen[a] != 1]


def verify_password_changes(writes) -> list[str]:
    done = len(_audits("user.password_change"))
    wanted = len(writes.get("user.password_change", []))
    return [] if done == wanted else [f"{wanted} acknowledged, {done} audited"]


def verify_marks(writes) -> list[str]:
    """One attendance row per tapped person, holding the last acknowledged
    status, and one audit row per acknowledged change of status."""
    from kkbweb.extensions import db
    from kkbweb.meetings.models import Attendance

    last, changes = {}, Counter()
    for meeting_id, member_id, status in writes.get("attendance.mark", []):
        key = (meeting_id, member_id)
        if last.get(key) != status:
            changes[key] += 1
        last[key] = status
    meetings = {meeting_id for meeting_id, _ in last}
    rows = db.session.execute(
        select(Attendance.meeting_id, Attendance.member_id, Attendance.status).where(
            Attendance.meeting_id.in_(meetings)
        )
    ).all()
    stored = Counter((r.meeting_id, r.member_id) for r in rows)
    status_of = {(r.meeting_id, r.member_id): r.status for r in rows}
    audited = Counter(
        (row.after["meeting_id"], row.after["member_id"])
        for row in _audits("attendance.mark")
    )
    problems = [
        f"meeting {m} member {p}: {stored[(m, p)]} rows, "
        f"{status_of.get((m, p))!r} for {last.get((m, p))!r}, "
        f"{audited[(m, p)]} audited for {changes[(m, p)]}"
        for m, p in sorted(set(last) | set(stored))
        if stored[(m, p)] != 1
        or status_of.get((m, p)) != last.get((m, p))
        or audited[(m, p)] != changes[(m, p)]
    ]
    return problems


# (what, key in Stats.writes, check(writes) -> problems), run in an app context
VERIFIERS = [
    ("Pokja edits", "pokja.update", verify_pokja_edits),
    ("password changes", "user.password_change", verify_password_changes),
    ("roll-call taps", "attendance.mark", verify_marks),
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
    pokja = db.session.execute(
        select(Pokja.id, Pokja.display_name).order_by(Pokja.id)
    ).all()
    meetings = {p.id: make_roll_call(p.id, ROSTER) for p in pokja}
    per_pokja = -(-organisers // len(pokja))  # organisers of one Pokja, rounded up
    users = []
    for n in range(organisers):
        pokja_id = pokja[n % len(pokja)][0]
        users.append(
            User(
                f"org{n}.load",
                "penyelenggara",
                pokja_id,
                meeting_id=meetings[pokja_id],
                slot=(n // len(pokja), per_pokja),
            )
        )
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
        "roster": ROSTER,
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
            problems = {name: check(stats.writes) for name, _, check in VERIFIERS}

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
    for name, key, _ in VERIFIERS:
        missing = problems[name]
        acknowledged = len(stats.writes.get(key, []))
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
