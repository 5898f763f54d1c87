"""Growth: lists and dashboards at demo scale 1 and 10 (QUALITY.md: within 2x).

Builds two SQLite databases with `flask demo-data --scale 1` and `--scale 10`
(each feature's seeder multiplies its records by the scale), then times every
bench/targets.py GROWTH target in-process (the app without a server, so that
only the app and the database count): median of --requests after a warm-up,
and the ratio scale 10 / scale 1. `demo-data` ends with ANALYZE, as the
nightly `flask analyze` leaves a live database.

    python -m bench.growth [--requests 30]
"""

import argparse
import sys
import time

from bench import targets
from bench.common import ROOT, database, median, table, write_results

sys.path.insert(0, str(ROOT))


# The tables whose size the figures depend on, printed with them.
GROWN_TABLES = (
    "meeting",
    "attendance",
    "kie_activity",
    "referral",
    "poktan_session",
    "poktan_attendance",
    "service_session",
    "audit_log",
)


def prepare(db):
    """An app on the database and a logged-in test client per target."""
    from sqlalchemy import func, select

    from kkbweb import create_app
    from kkbweb.auth.models import User
    from kkbweb.extensions import db as sa

    app = create_app({"SQLALCHEMY_DATABASE_URI": db.url, "SECRET_KEY": "bench"})
    with app.app_context():
        values = targets.ids()
        users = {u.username: u for u in sa.session.scalars(select(User))}
        rows = {
            table: sa.session.scalar(
                select(func.count()).select_from(sa.metadata.tables[table])
            )
            for table in GROWN_TABLES
        }
    calls = {}
    for target in targets.GROWTH:
        client = app.test_client()
        if target.user:
            user = users[target.user]
            with client.session_transaction() as session:
                session["_user_id"] = f"{user.id}:{user.session_version}"
        path = target.path.format(**values)
        headers = {"Accept-Encoding": "gzip", **target.headers}
        calls[target.name] = (client, path, headers)
    return rows, calls


def timed(call) -> float:
    client, path, headers = call
    started = time.perf_counter()
    status = client.get(path, headers=headers).status_code
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--db", choices=["sqlite"], default="sqlite")
    args = parser.parse_args()
    with database(args.db, scale=1) as one, database(args.db, scale=10) as ten:
        prepared = {1: prepare(one), 10: prepare(ten)}
        times = {1: {}, 10: {}}
        # Interleaved, so that the other work on this machine hits both alike.
        for target in targets.GROWTH:
            for scale in (1, 10):
                for _ in range(3):
                    timed(prepared[scale][1][target.name])
                times[scale][target.name] = []
            for _ in range(args.requests):
                for scale in (1, 10):
                    call = prepared[scale][1][target.name]
                    times[scale][target.name].append(timed(call))
    measured = {
        scale: {
            "rows": prepared[scale][0],
            "times_ms": {name: median(v) for name, v in times[scale].items()},
        }
        for scale in (1, 10)
    }
    rows = []
    for target in targets.GROWTH:
        one = measured[1]["times_ms"][target.name]
        ten = measured[10]["times_ms"][target.name]
        ratio = ten / one
        rows.append(
            [target.name, one, ten, f"{ratio:.2f}x", "ok" if ratio <= 2 else "MISSED"]
        )
    print(
        f"\nGrowth, {args.db}: rows at scale 1 {measured[1]['rows']}, "
        f"at scale 10 {measured[10]['rows']}"
    )
    print(table(["target", "ms x1", "ms x10", "ratio", "budget 2x"], rows))
    write_results(f"growth-{args.db}", {"database": args.db, "scales": measured})


if __name__ == "__main__":
    main()
