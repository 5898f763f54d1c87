"""The fixed cost of a signed-in request, in-process (issue 19).

    python -m bench.fixed_cost [--requests 500] [--rounds 5] [--profile]

Builds an app on a throwaway SQLite database (schema + the 12 Pokja + one admin),
then, in turns, sends N requests through Flask's test client: the floor
`/bench/ok` anonymous, the same signed in, and the password form signed in.
Prints CPU ms per request (time.process_time: other programs on the machine do
not inflate it) per round and the median of rounds; `--profile` prints the
cProfile top entries of the signed-in floor. Not a test; prints, never fails.
"""

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from werkzeug.security import generate_password_hash

from kkbweb import create_app
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.seed import seed_pokja


def build_app(folder: Path):
    app = create_app(
        {
            "SECRET_KEY": "bench-fixed-cost",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/fixed.sqlite",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "BENCH_MODE": True,
        }
    )
    with app.app_context():
        db.create_all()
        seed_pokja()
        user = User(
            username="admin",
            full_name="Admin Bench",
            role="admin",
            password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"),
            active=True,
            must_change_password=False,
        )
        db.session.add(user)
        db.session.commit()
        user_id, version = user.id, user.session_version
    return app, f"{user_id}:{version}"


def signed_in(app, session_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session.permanent = True  # as the login sets it: the 12-hour expiry slides
    client.get("/bench/ok")  # Flask-Login stores its session identifier
    return client


def cpu_per_request(client, path: str, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (time.process_time() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kkbweb-fixed-"))
    try:
        run(folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, args) -> None:
    app, session_id = build_app(folder)
    anonymous = app.test_client()
    admin = signed_in(app, session_id)
    targets = [
        ("floor, anonymous", anonymous, "/bench/ok"),
        ("floor, signed in", admin, "/bench/ok"),
        ("password form, signed in", admin, "/auth/password"),
    ]
    for _label, client, path in targets:  # warm up
        cpu_per_request(client, path, 50)
    results = {label: [] for label, _, _ in targets}
    for _ in range(args.rounds):
        for label, client, path in targets:
            results[label].append(cpu_per_request(client, path, args.requests))
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    floor = statistics.median(results["floor, anonymous"])
    for label, values in results.items():
        median = statistics.median(values)
        rounds = " ".join(f"{v:.2f}" for v in values)
        print(f"{label:28} {median:6.2f} ms CPU  (+{median - floor:.2f})  [{rounds}]")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        cpu_per_request(admin, "/bench/ok", args.requests)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
