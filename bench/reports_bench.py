"""Reports at scale: the city dashboard and a Pokja recap at demo scale 1 and 10.

Not a test: it prints a table and writes bench/results/reports.json. For each
database (SQLite files under bench/results/, and PostgreSQL: one schema per scale
in the database kkb_reports) it builds the schema with the migrations, runs
`demo-data --scale N` (each feature's seeder, N times the volume), then times in
process, through the test client as a logged-in staf user, the dashboard, a
Pokja's recap and the htmx sort fragment for the last closed month, plus the
bare /bench/ok floor: the median of --requests runs after a warm-up, scale 1 and
scale 10 interleaved so that other work on the machine hits both alike. The goal
(QUALITY.md): scale 10 within 2x of scale 1.

    /work/main/.venv/bin/python bench/reports_bench.py [--requests 15]
        [--db sqlite postgresql] [--rebuild] [--explain]

Databases are kept between runs (delete bench/results/reports-*.sqlite or pass
--rebuild to seed again); --explain prints the query plans of the recap queries.
"""

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/kkb_reports"
)
PASSWORD = "bench-kata-sandi-123"
# The settings docs/reports.md recommends for PostgreSQL on SSD or a cached
# database (an OLTP app): random reads cost about as much as sequential ones,
# and no JIT compilation of short queries. --pg-settings "" measures the defaults.
PG_SETTINGS = "random_page_cost=1.1,jit=off"
SCALES = (1, 10)
sys.path.insert(0, str(ROOT))


def machine() -> dict:
    """Cores and CPU model the figures came from."""
    with open("/proc/cpuinfo") as handle:
        models = re.findall(r"model name\s*:\s*(.+)", handle.read())
    return {
        "nproc": os.cpu_count(),
        "cpu": models[0] if models else platform.processor(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def url_for_db(kind: str, scale: int, pg_settings: str = PG_SETTINGS) -> str:
    if kind == "sqlite":
        return f"sqlite:///{RESULTS / f'reports-s{scale}.sqlite'}"
    options = [f"search_path=bench_reports_s{scale}"]
    options += [item for item in pg_settings.split(",") if item.strip()]
    encoded = "%20".join("-c" + item.strip().replace("=", "%3D") for item in options)
    return f"{PG_URL}?options={encoded}"


def build(kind: str, scale: int, rebuild: bool, pg_settings: str) -> str:
    """Migrate and seed the database of one scale unless it is already there."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from kkbweb import create_app
    from kkbweb.demo.seed import run as run_demo
    from kkbweb.extensions import db
    from kkbweb.pokja.seed import seed_pokja

    url = url_for_db(kind, scale, pg_settings)
    if kind == "sqlite":
        path = RESULTS / f"reports-s{scale}.sqlite"
        if rebuild:
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        fresh = not path.exists()
    else:
        schema = f"bench_reports_s{scale}"
        engine = create_engine(PG_URL)
        with engine.begin() as connection:
            if rebuild:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            fresh = not connection.execute(
                text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
            ).first()
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        engine.dispose()
    if not fresh:
        return url
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        seed_pokja()
        db.session.commit()
        run_demo(scale=scale, password=PASSWORD)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    print(f"  seeded {kind} scale {scale} in {time.perf_counter() - started:.0f} s")
    return url


def volumes(app) -> dict:
    """Row counts that show what 'scale' means here."""
    from sqlalchemy import func, select

    from kkbweb.extensions import db
    from kkbweb.kie.models import KieActivity
    from kkbweb.meetings.models import Attendance, Meeting
    from kkbweb.reports.models import MonthlyReport

    models = {
        "meetings": Meeting,
        "attendance": Attendance,
        "kie": KieActivity,
        "reports": MonthlyReport,
    }
    try:
        from kkbweb.referrals.models import Referral

        models["referrals"] = Referral
    except ImportError:
        pass
    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()
        }


def prepare(url: str):
    """An app on the database and a staf user's test client; the target URLs."""
    from sqlalchemy import select

    from kkbweb import create_app
    from kkbweb.auth.models import User
    from kkbweb.extensions import db
    from kkbweb.pokja.models import Pokja
    from kkbweb.reports.months import Month
    from kkbweb.timeutil import today_wib

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BENCH_MODE": True}
    )
    with app.app_context():
        user = db.session.scalars(
            select(User).where(User.username == "demo.staf")
        ).one()
        pokja_id = db.session.scalar(
            select(Pokja.id).where(Pokja.display_name == "Ciwedus")
        )
        session_id = f"{user.id}:{user.session_version}"
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    month = Month.of(today_wib()).previous()
    targets = {
        "floor /bench/ok": ("/bench/ok", {}),
        "dashboard": (f"/reports/?bulan={month}", {}),
        "dashboard sort (htmx)": (
            f"/reports/?bulan={month}&urut=hadir",
            {"HX-Request": "true"},
        ),
        "recap Ciwedus": (f"/reports/pokja/{pokja_id}?bulan={month}", {}),
    }
    return app, client, targets


def timed(client, path: str, headers: dict) -> float:
    started = time.perf_counter()
    status = client.get(path, headers=headers).status_code
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status}")
    return elapsed


def explain(app, kind: str) -> None:
    """Print the plans of the dashboard's recap and trend statements."""
    from sqlalchemy import select, text, union_all

    from kkbweb.extensions import db
    from kkbweb.pokja.models import Pokja
    from kkbweb.reports import recap
    from kkbweb.reports.months import Month
    from kkbweb.timeutil import today_wib, utcnow

    month = Month.of(today_wib()).previous()
    with app.app_context():
        ids = db.session.scalars(select(Pokja.id)).all()
        statements = recap.statements(ids, month, now=utcnow())
        prefix = "EXPLAIN QUERY PLAN " if kind == "sqlite" else "EXPLAIN ANALYZE "
        for name, stmt in statements.items():
            if isinstance(stmt, list):
                stmt = union_all(*stmt)
            compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
            print(f"\n-- {kind}: {name}")
            for row in db.session.execute(text(prefix + str(compiled))):
                print("   ", " ".join(str(c) for c in row))


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def main() -> None:
    from kkbweb.extensions import db

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument(
        "--db",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=["sqlite", "postgresql"],
    )
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--pg-settings",
        default=PG_SETTINGS,
        help="PostgreSQL settings for the session, comma-separated",
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": machine(),
        "requests": args.requests,
        "pg_settings": args.pg_settings,
        "databases": {},
    }
    lines = []
    for kind in args.db:
        print(f"{kind}: preparing scale {', '.join(map(str, SCALES))}")
        prepared = {}
        for scale in SCALES:
            url = build(kind, scale, args.rebuild, args.pg_settings)
            app, client, targets = prepare(url)
            prepared[scale] = (app, client, targets, volumes(app))
            if args.explain:
                explain(app, kind)
        times: dict[int, dict[str, list[float]]] = {s: {} for s in SCALES}
        for name in prepared[1][2]:
            for scale in SCALES:
                _app, client, targets, _v = prepared[scale]
                for _ in range(3):  # warm-up: caches, compiled statements
                    timed(client, *targets[name])
                times[scale][name] = []
            for _ in range(args.requests):
                for scale in SCALES:
                    _app, client, targets, _v = prepared[scale]
                    times[scale][name].append(timed(client, *targets[name]))
        entry = {}
        for scale in SCALES:
            entry[f"scale {scale}"] = {
                "rows": prepared[scale][3],
                "median_ms": {n: median(v) for n, v in times[scale].items()},
            }
        results["databases"][kind] = entry
        for name in prepared[1][2]:
            one = entry["scale 1"]["median_ms"][name]
            ten = entry["scale 10"]["median_ms"][name]
            ratio = ten / one if one else 0
            lines.append((kind, name, one, ten, ratio))
        for scale in SCALES:
            print(f"  rows at scale {scale}: {prepared[scale][3]}")
            with prepared[scale][0].app_context():
                db.engine.dispose()
    print()
    print(f"{'database':<11} {'page':<24} {'ms x1':>8} {'ms x10':>8} {'ratio':>7}")
    for kind, name, one, ten, ratio in lines:
        goal = (
            "" if name.startswith("floor") else ("  ok" if ratio <= 2 else "  MISSED")
        )
        print(f"{kind:<11} {name:<24} {one:>8.1f} {ten:>8.1f} {ratio:>6.2f}x{goal}")
    m = results["machine"]
    print(f"\nmachine: {m['nproc']} x {m['cpu']}, Python {m['python']}, ", end="")
    print(
        f"SQLite {m['sqlite']}; PostgreSQL settings: {args.pg_settings or 'defaults'}"
    )
    print(f"load average at the end: {os.getloadavg()}")
    out = RESULTS / "reports.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
