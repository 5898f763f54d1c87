"""Writers under contention: the roll-call tap and the other POSTs at concurrency
1, 4 and 8, against the floor at the same concurrency, in one run.

Serves the app with gunicorn in the set-ups people run it with:
- ``make-run``: `make run`'s server, 1 worker with 8 threads (gthread), SQLite;
- ``deploy``: deploy/gunicorn.conf.py as it is (2 x cores + 1 sync workers);
on a demo database (scale 1), SQLite or PostgreSQL. For each write and level c
it runs, in turns and ``--rounds`` times, c closed-loop clients on the floor
(`GET /bench/ok`) and c on the write, and pools the latencies of the rounds:
p50 / p95 / p99, requests per second, errors. The goal (issue 19): at c = 4 and
8, p95 <= 3 x p50 and p99 <= 50 ms, no error.

Writes:
- the roll-call tap as htmx sends it (row and totals back); client i taps its own
  eighth of the 60 people, each tap a change of status, so that afterwards every
  acknowledged tap can be checked: one attendance row per person with the last
  acknowledged status, one audit row per acknowledged change;
- a Pokja edit (admin; 303), each with its own address, audited exactly once.

With ``--timing`` the server writes, per SQLite write transaction, how long it
waited in line (the process's queue, the flock, SQLite's busy handler inside
BEGIN IMMEDIATE) and how long it held the lock (KKBWEB_LOCK_TIMING,
kkbweb/database.py). ``--queue off`` serves with KKBWEB_WRITE_QUEUE=0 (writers
left to SQLite's busy handler: the code before issue 19); ``both`` runs the two in
one run. ``--max-requests N`` turns worker recycling on (jitter N / 2, as
deploy/gunicorn.conf.py has it) and counts the restarts.

    python -m bench.contention [--db sqlite|postgresql|both] [--setup make-run,deploy]
        [--levels 1,4,8] [--seconds 2] [--rounds 3] [--queue on|off|both]
        [--timing] [--max-requests N] [--writes toggle,pokja-edit]
"""

import argparse
import gzip
import itertools
import os
import re
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench import load, targets
from bench.common import (
    Session,
    app_context,
    database,
    gunicorn,
    median,
    percentile,
    table,
    write_results,
)

SETUPS = {
    # `make run` (Makefile): one process, 8 threads, no recycling
    "make-run": ("--workers", "1", "--threads", "8"),
    # deploy/gunicorn.conf.py unchanged (workers: 2 x cores + 1, sync)
    "deploy": (),
}
STATUSES = ["hadir", "izin", "sakit", "tidak_hadir"]
MARK_PATH = re.compile(rb"/meetings/(\d+)/attendance/(\d+)")
CLIENTS = 8  # the most clients of any level: the people are split among them


class Write:
    """One client's stream of one kind of write; ``next()`` gives a request,
    ``done()`` notes what the server acknowledged."""

    def __init__(self, name, user, expected):
        self.name, self.user, self.expected = name, user, expected


class Toggle(Write):
    def __init__(self, ctx, slot):
        super().__init__("roll-call tap (htmx)", "penyelenggara.ciwedus", 200)
        self.ctx = ctx
        self.people = ctx["people"][slot::CLIENTS]
        self.turn = itertools.cycle(self.people)

    def next(self, session):
        member = next(self.turn)
        while member in self.ctx["uncertain"]:
            member = next(self.turn)
        last = self.ctx["last"].get(member)
        status = STATUSES[(STATUSES.index(last) + 1) % 4 if last else 0]
        path = f"/meetings/{self.ctx['meeting']}/attendance/{member}"
        body = {"csrf_token": session.csrf, "status": status}
        return "POST", path, body, targets.HX, (member, status)

    def done(self, ok, note):
        member, status = note
        if ok:
            self.ctx["last"][member] = status
            self.ctx["writes"]["attendance.mark"].append(
                (self.ctx["meeting"], member, status)
            )
        else:  # committed or not: this person is left out of the check
            self.ctx["uncertain"].add(member)


class PokjaEdit(Write):
    def __init__(self, ctx, slot):
        super().__init__("Pokja edit (admin)", "demo.admin", 303)
        self.ctx, self.slot, self.n = ctx, slot, 0

    def next(self, session):
        pokja_id = self.ctx["pokja_ids"][self.slot % len(self.ctx["pokja_ids"])]
        self.n += 1
        address = f"Sekretariat kontensi {self.slot}-{self.n}-{time.time_ns()}"
        form = {**self.ctx["pokja_forms"][pokja_id], "address": address}
        body = {**form, "csrf_token": session.csrf}
        return "POST", f"/pokja/{pokja_id}/edit", body, {}, address

    def done(self, ok, note):
        if ok:
            self.ctx["writes"]["pokja.update"].append(note)


WRITES = {"toggle": Toggle, "pokja-edit": PokjaEdit}


def closed_loop(port, clients, seconds):
    """``clients`` threads, each (session, make_request, expected), one request at
    a time for ``seconds``; latencies in ms and error count."""
    latencies, errors, lock = [], Counter(), threading.Lock()
    stop = time.perf_counter() + seconds

    def run(session, stream):
        own = []
        while time.perf_counter() < stop:
            if stream is None:
                method, path, body, headers, note = "GET", "/bench/ok", None, {}, None
            else:
                method, path, body, headers, note = stream.next(session)
            try:
                answer = session.request(method, path, data=body, headers=headers)
                ok = answer.status == (stream.expected if stream else 200)
                status = answer.status
                own.append(answer.seconds * 1000)
            except OSError as error:
                ok, status = False, type(error).__name__
            if stream is not None:
                stream.done(ok, note)
            if not ok:
                with lock:
                    errors[status] += 1
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=run, args=c) for c in clients]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - began


def read_timing(path: Path) -> list[tuple[float, ...]]:
    """The server's lock timings since the last call (the file is emptied)."""
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    path.write_text("")
    return [tuple(float(x) for x in line.split()[1:]) for line in lines if line]


def summary(values):
    return {
        "n": len(values),
        "p50_ms": median(values),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
        "max_ms": max(values) if values else None,
    }


def prepare(db):
    """The roll call's people and the Pokja forms, read once."""
    with app_context(db):
        ids = targets.ids()
        _users, ctx = load.make_users(0, 0)
    ctx.update(meeting=ids["meeting"], last={}, uncertain=set())
    ctx["writes"] = defaultdict(list)
    return ctx


def serve_and_measure(db, ctx, setup, queue, args):
    """One server: every write at every level, floor and write in turns."""
    timing = db.folder / f"timing-{setup}-{queue}.txt"
    env = {"KKBWEB_WRITE_QUEUE": "1" if queue == "on" else "0"}
    if args.timing:
        env["KKBWEB_LOCK_TIMING"] = str(timing)
    extra = SETUPS[setup]
    if args.max_requests:
        jitter = str(args.max_requests // 2)
        extra = (*extra, "--max-requests", str(args.max_requests))
        extra = (*extra, "--max-requests-jitter", jitter)
    extra = (*extra, *args.server_args.split())
    log_name = f"server-{setup}-{queue}.log"
    rows, results = [], []
    with gunicorn(db, args=extra, env=env, log_name=log_name) as server:
        workers = 1 if setup == "make-run" else server.workers
        floor_sessions = [Session(server.port) for _ in range(CLIENTS)]
        if not ctx.get("people"):
            page = Session(server.port)
            page.login("penyelenggara.ciwedus")
            answer = page.get(
                f"/meetings/{ctx['meeting']}", headers={"Accept-Encoding": "gzip"}
            )
            body = answer.body
            if answer.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            ctx["people"] = sorted({int(m) for _, m in MARK_PATH.findall(body)})
        for write_name in args.writes:
            streams = [WRITES[write_name](ctx, slot) for slot in range(CLIENTS)]
            sessions = []
            for stream in streams:
                session = Session(server.port)
                session.login(stream.user)
                session.form_token("/auth/password")
                sessions.append(session)
            # warm-up: every worker's connection, templates, caches
            closed_loop(server.port, list(zip(sessions, streams, strict=True)), 1.0)
            closed_loop(server.port, [(s, None) for s in floor_sessions], 0.5)
            read_timing(timing)
            for level in args.levels:
                floor_ms, write_ms, waits, holds, cpu_ms = [], [], [], [], []
                floor_err, write_err = Counter(), Counter()
                floor_rps, write_rps = [], []
                for _ in range(args.rounds):
                    lat, err, took = closed_loop(
                        server.port,
                        [(s, None) for s in floor_sessions[:level]],
                        args.seconds,
                    )
                    floor_ms += lat
                    floor_err += err
                    floor_rps.append(len(lat) / took)
                    cpu = server.cpu_seconds()
                    lat, err, took = closed_loop(
                        server.port,
                        list(zip(sessions[:level], streams[:level], strict=True)),
                        args.seconds,
                    )
                    if lat and not args.max_requests:  # a recycled worker's CPU is gone
                        cpu_ms.append((server.cpu_seconds() - cpu) * 1000 / len(lat))
                    write_ms += lat
                    write_err += err
                    write_rps.append(len(lat) / took)
                    for queued, flocked, busy, held in read_timing(timing):
                        waits.append(queued + flocked + busy)
                        holds.append(held)
                floor, write = summary(floor_ms), summary(write_ms)
                wait, hold = summary(waits), summary(holds)
                ok = (
                    level == 1
                    or (
                        write["p95_ms"] <= 3 * write["p50_ms"] and write["p99_ms"] <= 50
                    )
                ) and not write_err
                rows.append(
                    [
                        streams[0].name,
                        level,
                        floor["p50_ms"],
                        floor["p95_ms"],
                        floor["p99_ms"],
                        write["p50_ms"],
                        write["p95_ms"],
                        write["p99_ms"],
                        f"{write['p95_ms'] / write['p50_ms']:.1f}x",
                        median(write_rps),
                        median(floor_rps),
                        sum(write_err.values()),
                        wait["p50_ms"],
                        wait["p95_ms"],
                        wait["max_ms"],
                        hold["p50_ms"],
                        hold["p95_ms"],
                        median(cpu_ms),
                        "ok" if ok else "MISSED",
                    ]
                )
                results.append(
                    {
                        "write": streams[0].name,
                        "concurrency": level,
                        "floor": {**floor, "rps": median(floor_rps)},
                        "write_latency": {**write, "rps": median(write_rps)},
                        "errors": dict(write_err),
                        "floor_errors": dict(floor_err),
                        "lock_wait": wait,
                        "lock_hold": hold,
                        "server_cpu_ms_per_write": median(cpu_ms),
                        "verdict": "ok" if ok else "MISSED",
                    }
                )
        restarts = server.log.read_text().count("Booting worker") - workers
    return rows, results, workers, restarts


HEADERS = [
    "write",
    "c",
    "floor p50",
    "p95",
    "p99",
    "write p50",
    "p95",
    "p99",
    "p95/p50",
    "rps",
    "floor rps",
    "errors",
    "wait p50",
    "wait p95",
    "wait max",
    "hold p50",
    "hold p95",
    "CPU/req",
    "goal",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", choices=["sqlite", "postgresql", "both"], default="sqlite"
    )
    parser.add_argument("--setup", default="make-run,deploy")
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queue", choices=["on", "off", "both"], default="on")
    parser.add_argument("--timing", action="store_true")
    parser.add_argument("--max-requests", type=int, default=0)
    parser.add_argument("--writes", default="toggle,pokja-edit")
    parser.add_argument(
        "--server-args", default="", help='more gunicorn options, e.g. "--preload"'
    )
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]
    args.writes = args.writes.split(",")
    queues = ["off", "on"] if args.queue == "both" else [args.queue]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        measure_database(kind, queues, args)


def measure_database(kind: str, queues: list[str], args) -> None:
    """Every set-up on one database, then the check that each mark landed once."""
    args.db = kind
    load_before = os.getloadavg()
    runs = []
    with database(args.db) as db:
        ctx = prepare(db)
        for setup in args.setup.split(","):
            for queue in queues:
                rows, results, workers, restarts = serve_and_measure(
                    db, ctx, setup, queue, args
                )
                model = (
                    "1 worker x 8 threads"
                    if setup == "make-run"
                    else (f"{workers} sync workers")
                )
                print(
                    f"\n{setup} ({model}), {args.db}, write queue {queue}"
                    + (
                        f", max_requests {args.max_requests}"
                        if args.max_requests
                        else ""
                    )
                    + f"; worker restarts during the run: {restarts}"
                )
                print(table(HEADERS, rows))
                runs.append(
                    {
                        "setup": setup,
                        "model": model,
                        "queue": queue,
                        "max_requests": args.max_requests,
                        "worker_restarts": restarts,
                        "results": results,
                    }
                )
        with app_context(db):
            problems = {
                what: check(ctx["writes"])
                for what, key, check in load.VERIFIERS
                if key in ctx["writes"]
            }
    acknowledged = {k: len(v) for k, v in ctx["writes"].items()}
    print(
        "\n(ms; floor = GET /bench/ok at the same concurrency, same server, in turns;"
        f" {args.rounds} rounds of {args.seconds:g} s pooled; wait/hold: SQLite write"
        " lock, --timing only; CPU/req: the workers' own CPU ms per write, which"
        " other programs on the machine do not inflate; goal at c >= 4:"
        " p95 <= 3 x p50, p99 <= 50 ms, 0 errors)"
    )
    for what, found in problems.items():
        print(
            f"afterwards, {what}: "
            + (
                "every acknowledged write once, as acknowledged"
                if not found
                else f"{len(found)} PROBLEMS, e.g. {found[:3]}"
            )
        )
    print(f"acknowledged: {acknowledged}; left out (an error): {len(ctx['uncertain'])}")
    print(f"load average before {load_before}, after {os.getloadavg()}")
    write_results(
        f"contention-{args.db}",
        {
            "database": args.db,
            "levels": args.levels,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "load_before": load_before,
            "load_after": os.getloadavg(),
            "runs": runs,
            "acknowledged": acknowledged,
            "problems": problems,
        },
    )


if __name__ == "__main__":
    main()
