"""Latency and throughput of pages and fragments against the bare floor route.

Serves the app with gunicorn (deploy/gunicorn.conf.py, its default worker count)
on a demo database in bench mode (KKBWEB_BENCH_MODE=1 adds /bench/ok), then for
every target of bench/targets.py LATENCY:
- at concurrency 1: the median latency, compared with the floor's
  (QUALITY.md: page <= floor + 15 ms, fragment/toggle <= floor + 8 ms);
- at concurrency 2 x workers: requests per second as a share of the floor's
  (pages >= 20 %, fragments >= 35 %).

Besides wall-clock time it reports the workers' CPU time per request (from
/proc), which stays comparable when other programs share the machine.

The load generator is wrk when installed (`bash .ci/install-system.sh wrk`; it
is written in C and leaves the CPU to the server), else a threaded Python client.
Both send `Accept-Encoding: gzip, br` and the session cookie.

    python -m bench.latency [--db sqlite|postgresql] [--seconds 2] [--rounds 3]
                            [--client wrk|python]
"""

import argparse
import itertools
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import targets
from bench.common import (
    RESULTS,
    Session,
    app_context,
    database,
    gunicorn,
    median,
    percentile,
    table,
    write_results,
)

BUDGET_MS = {"page": 15.0, "fragment": 8.0, "toggle": 8.0}
BUDGET_SHARE = {"page": 0.20, "fragment": 0.35, "toggle": 0.35}


def run_python(port, target, headers, concurrency: int, seconds: float) -> dict:
    """Closed loop: ``concurrency`` threads, each sending one request at a time."""
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        session = Session(port)
        own = []
        bodies = itertools.cycle(target.bodies or [None])
        while time.perf_counter() < stop:
            answer = session.request(
                target.method, target.path, data=next(bodies), headers=headers
            )
            own.append(answer.seconds * 1000)
            if answer.status >= 400:
                errors[0] += 1
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": median(latencies),
        "p95_ms": percentile(latencies, 95),
        "errors": errors[0],
    }


def wrk_script(target) -> Path:
    """A wrk Lua script sending ``target.bodies`` in turn with its method."""
    bodies = ", ".join(json.dumps(urlencode(body)) for body in target.bodies)
    script = RESULTS / "wrk-post.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        f"wrk.method = {json.dumps(target.method)}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f"local bodies = {{{bodies}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[n % #bodies + 1])\n"
        "end\n"
    )
    return script


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(base_url, target, headers, concurrency: int, seconds: float) -> dict:
    command = [
        "wrk",
        f"-t{min(concurrency, 2)}",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    if target.bodies:
        command += ["-s", str(wrk_script(target))]
    for _attempt in range(3):  # a run that completed nothing is retried
        done = subprocess.run(
            [*command, base_url + target.path],
            capture_output=True,
            text=True,
            check=False,
        )
        output = done.stdout
        if re.search(r"Requests/sec:\s+[1-9]", output):
            break
        print(f"wrk: no request completed, retrying: {done.stderr.strip()[:200]}")

    def latency(label: str) -> float | None:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(found.group(1)) * _UNITS[found.group(2)] if found else None

    requests = re.search(r"(\d+) requests in", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.+)", output)
    return {
        "requests": int(requests.group(1)) if requests else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": latency("50"),
        "p95_ms": None,  # wrk prints 50/75/90/99
        "p99_ms": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=["wrk", "python"], default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--only", default="", help="time only targets whose name contains this"
    )
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "python")

    with database(args.db) as db:
        with app_context(db):
            values = targets.ids()
        with gunicorn(db, workers=args.workers) as server:
            many_c = 2 * server.workers
            sessions: dict[str | None, Session] = {None: Session(server.port)}

            def runner(target):
                target.path = target.path.format(**values)
                if target.user not in sessions:
                    session = Session(server.port)
                    session.login(target.user)
                    sessions[target.user] = session
                session = sessions[target.user]
                headers = {"Accept-Encoding": "gzip, br", **target.headers}
                if target.method == "POST":
                    headers["X-CSRFToken"] = session.form_token("/auth/password")
                if session.cookies:
                    headers["Cookie"] = "; ".join(
                        f"{k}={v}" for k, v in session.cookies.items()
                    )
                check = session.request(
                    target.method,
                    target.path,
                    data=target.bodies[0] if target.bodies else None,
                    headers=headers,
                )
                if check.status != 200:
                    raise SystemExit(f"{target.name}: HTTP {check.status}")

                def run(concurrency):
                    cpu = server.cpu_seconds()
                    if client == "wrk":
                        result = run_wrk(
                            server.base_url, target, headers, concurrency, args.seconds
                        )
                    else:
                        result = run_python(
                            server.port, target, headers, concurrency, args.seconds
                        )
                    used = server.cpu_seconds() - cpu
                    result["cpu_ms_per_request"] = (
                        used * 1000 / result["requests"] if result["requests"] else None
                    )
                    return result

                run(1)  # warm-up: caches, connection pools, compiled templates
                return run, len(check.body)

            floor_target = next(t for t in targets.LATENCY if t.kind == "floor")
            floor_run, _ = runner(floor_target)
            rows, results = [], []
            floor_all = {"p50_ms": [], "rps": [], "cpu_ms": []}
            for target in targets.LATENCY:
                if target.kind == "floor" or args.only not in target.name:
                    continue
                run, size = runner(target)
                rounds = []
                # Floor and target in turns, so that other work on this shared
                # machine weighs on both alike; the ratios are per round.
                for _ in range(args.rounds):
                    floor_one, one = floor_run(1), run(1)
                    floor_many, many = floor_run(many_c), run(many_c)
                    rounds.append(
                        {
                            "floor_c1": floor_one,
                            "c1": one,
                            f"floor_c{many_c}": floor_many,
                            f"c{many_c}": many,
                            "extra_ms": one["p50_ms"] - floor_one["p50_ms"],
                            "share": many["rps"] / max(floor_many["rps"], 1e-9),
                            "cpu_ms": many["cpu_ms_per_request"],
                            "floor_cpu_ms": floor_many["cpu_ms_per_request"],
                        }
                    )
                    floor_all["cpu_ms"].append(floor_many["cpu_ms_per_request"])
                    floor_all["p50_ms"].append(floor_one["p50_ms"])
                    floor_all["rps"].append(floor_many["rps"])
                extra_ms = median([r["extra_ms"] for r in rounds])
                share = median([r["share"] for r in rounds])
                p50 = median([r["c1"]["p50_ms"] for r in rounds])
                rps = median([r[f"c{many_c}"]["rps"] for r in rounds])
                errors = sum(
                    r["c1"]["errors"] + r[f"c{many_c}"]["errors"] for r in rounds
                )
                cpu_ms = median([r["cpu_ms"] for r in rounds if r["cpu_ms"]])
                floor_cpu = median([r["floor_cpu_ms"] for r in rounds if r["cpu_ms"]])
                budget_ms = BUDGET_MS[target.kind]
                budget_share = BUDGET_SHARE[target.kind]
                ok = extra_ms <= budget_ms and share >= budget_share
                rows.append(
                    [
                        target.name,
                        target.kind,
                        size,
                        p50,
                        f"+{extra_ms:.1f}",
                        f"+{budget_ms:.0f}",
                        rps,
                        f"{share:.0%}",
                        f"{budget_share:.0%}",
                        errors,
                        "ok" if ok else "MISSED",
                        cpu_ms,
                        f"+{cpu_ms - floor_cpu:.1f}",
                        f"{floor_cpu / cpu_ms:.0%}",
                    ]
                )
                results.append(
                    {
                        "name": target.name,
                        "kind": target.kind,
                        "path": target.path,
                        "bytes_compressed": size,
                        "p50_ms_c1": p50,
                        f"rps_c{many_c}": rps,
                        "extra_ms_over_floor": extra_ms,
                        "rps_share_of_floor": share,
                        "app_cpu_ms_per_request": cpu_ms,
                        "floor_cpu_ms_per_request": floor_cpu,
                        "verdict": "ok" if ok else "MISSED",
                        "rounds": rounds,
                    }
                )
            rows.insert(
                0,
                [
                    floor_target.name,
                    "floor",
                    2,
                    median(floor_all["p50_ms"]),
                    "",
                    "",
                    median(floor_all["rps"]),
                    "100%",
                    "",
                    0,
                    "",
                    median(floor_all["cpu_ms"]),
                    "",
                    "100%",
                ],
            )
            print(
                f"\nLatency and throughput, gunicorn {server.workers} sync workers, "
                f"{args.db}, client {client}; medians of {args.rounds} rounds of "
                f"{args.seconds:.0f} s runs, floor and target in turns"
            )
            print(
                "(CPU ms/req: the gunicorn workers' own CPU time per request at "
                f"c{many_c}, which other programs on the machine do not inflate; "
                "floor/CPU: the throughput share a CPU-bound server would reach. "
                "PostgreSQL's own CPU is not in it.)"
            )
            print(
                table(
                    [
                        "target",
                        "kind",
                        "bytes",
                        "p50 ms c1",
                        "vs floor",
                        "budget",
                        f"rps c{many_c}",
                        "of floor",
                        "budget",
                        "errors",
                        "verdict",
                        "CPU ms/req",
                        "vs floor",
                        "floor/CPU",
                    ],
                    rows,
                )
            )
    write_results(
        f"latency-{args.db}",
        {
            "database": args.db,
            "client": client,
            "workers": server.workers,
            "seconds_per_run": args.seconds,
            "rounds": args.rounds,
            "floor": {
                "cpu_ms_per_request": median(floor_all["cpu_ms"]),
                "p50_ms_c1": median(floor_all["p50_ms"]),
                f"rps_c{many_c}": median(floor_all["rps"]),
            },
            "targets": results,
        },
    )


if __name__ == "__main__":
    main()
