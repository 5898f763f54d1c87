"""Shared pieces of the benchmarks: a gunicorn server on a seeded database, an HTTP
session with cookies and CSRF, percentiles, tables, JSON results, machine facts.

Benchmarks are not tests: they print a table and write JSON to bench/results/
(git-ignored); they never pass or fail on time. Every figure is compared with a
floor measured in the same run on the same machine (QUALITY.md, "Time").
"""

import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "bench-kata-sandi-123"
DEFAULT_PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/kkb_quality"
)


# -- machine and results -------------------------------------------------------


def machine() -> dict:
    """What the figures came from: cores, memory, CPU model, versions."""
    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo") as handle:
            models = re.findall(r"model name\s*:\s*(.+)", handle.read())
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        with open("/proc/meminfo") as handle:
            total_kb = int(re.search(r"MemTotal:\s+(\d+)", handle.read()).group(1))
        info["memory_gib"] = round(total_kb / 1024 / 1024, 1)
    except (OSError, AttributeError):
        pass
    return info


def write_results(name: str, data: dict) -> Path:
    """Write bench/results/<name>.json with the machine facts and a timestamp."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"\nJSON: {path.relative_to(ROOT)}")
    return path


def table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table, columns padded, numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for i, value in enumerate(row):
            numeric = n > 0 and re.fullmatch(r"[-+0-9.,%x ]+", value or "x") is not None
            parts.append(value.rjust(widths[i]) if numeric else value.ljust(widths[i]))
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return "" if value is None else str(value)


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of the values, None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# -- a seeded database and a gunicorn server -------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(*args: str, env: dict) -> str:
    """Run `flask --app wsgi ...` and return its output."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)}: {result.stderr or result.stdout}")
    return result.stdout


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL database (drop and recreate its public schema),
    creating it first if the server does not have it yet."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    name = make_url(url).database
    server = make_url(plain).set(database="postgres").render_as_string(False)
    with psycopg.connect(server, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not found:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            connection.execute(create)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@dataclass
class Database:
    """A benchmark database: its URL, and the environment to serve it."""

    url: str
    folder: Path
    kind: str

    def env(self, **extra) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "SECRET_KEY": "bench-secret-key",
            "RATELIMIT_STORAGE_URI": "memory://",
            **extra,
        }
        env.pop("TEST_DATABASE_URL", None)
        return env


@contextmanager
def database(kind: str = "sqlite", scale: int = 1, pg_url: str = DEFAULT_PG_URL):
    """A migrated database with the 12 Pokja and the demo data at ``scale``."""
    folder = Path(tempfile.mkdtemp(prefix="kkbweb-bench-"))
    if kind == "sqlite":
        url = f"sqlite:///{folder}/bench.sqlite"
    else:
        url = pg_url
        reset_postgres(url)
    db = Database(url, folder, kind)
    try:
        env = db.env()
        flask("db", "upgrade", env=env)
        flask("seed", env=env)
        flask("demo-data", "--scale", str(scale), "--password", DEMO_PASSWORD, env=env)
        yield db
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Server:
    base_url: str
    port: int
    workers: int
    log: Path
    pid: int = 0

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn workers.

        Unlike wall-clock time it does not grow when other programs compete for
        the cores, so per-request CPU stays comparable on a busy machine.
        Workers recycled meanwhile (max_requests) take their time with them;
        compare short intervals only.
        """
        ticks = os.sysconf("SC_CLK_TCK")
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return 0.0
        total = 0
        for child in children.split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1]
            except OSError:
                continue
            parts = fields.split()
            total += int(parts[11]) + int(parts[12])  # utime, stime
        return total / ticks


@contextmanager
def gunicorn(
    db: Database,
    workers: int | None = None,
    bench_mode: bool = True,
    args: tuple[str, ...] = (),
    env: dict | None = None,
    log_name: str = "server.log",
):
    """Serve the app with deploy/gunicorn.conf.py on a free loopback port;
    ``args`` come after the defaults below (and win), ``env`` adds variables."""
    port = free_port()
    log = db.folder / log_name
    extra = {"KKBWEB_BENCH_MODE": "1" if bench_mode else "0", **(env or {})}
    if workers:
        extra["WEB_CONCURRENCY"] = str(workers)
    env = db.env(**extra)
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "deploy/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        # No worker recycling during a run: a recycled worker takes its CPU
        # time with it (Server.cpu_seconds).
        "--max-requests",
        "0",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(log),
        *args,
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")
        count = workers or _configured_workers()
        yield Server(base, port, count, log, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _configured_workers() -> int:
    """The worker count deploy/gunicorn.conf.py chooses on this machine."""
    namespace: dict = {}
    source = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    exec(compile(source, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    return namespace["workers"]


# -- an HTTP session -------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    seconds: float


@dataclass
class Session:
    """One browser-like client: cookies, CSRF token, a new connection per request
    (gunicorn's sync workers close every connection anyway)."""

    port: int
    cookies: dict = field(default_factory=dict)
    csrf: str = ""

    def request(
        self, method: str, path: str, data: dict | None = None, headers=None
    ) -> Answer:
        headers = dict(headers or {})
        headers.setdefault("Accept-Encoding", "gzip, br")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return Answer(response.status, dict(response.headers.items()), payload, seconds)

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def form_token(self, path: str) -> str:
        """GET a page with a form and remember its CSRF token."""
        answer = self.get(path, headers={"Accept-Encoding": "identity"})
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', answer.body)
        self.csrf = found.group(1).decode() if found else ""
        return self.csrf

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Answer:
        self.cookies.clear()
        self.form_token("/auth/login")
        answer = self.request(
            "POST",
            "/auth/login",
            data={
                "csrf_token": self.csrf,
                "username": username,
                "password": password,
            },
        )
        if answer.status != 303:
            raise RuntimeError(f"login {username}: HTTP {answer.status}")
        return answer


def app_context(db: Database):
    """An app context on the benchmark database (to read ids, add users)."""
    sys.path.insert(0, str(ROOT))
    from kkbweb import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": db.url, "SECRET_KEY": "bench-secret-key"}
    )
    return app.app_context()


def make_roll_call(pokja_id: int, people: int = 60) -> int:
    """An ongoing meeting of today for one Pokja whose roll call has at least
    ``people`` people (its demo members, topped up); return its id. Call in an
    app context."""
    from sqlalchemy import func, select

    from kkbweb.extensions import db
    from kkbweb.meetings.models import Meeting, MeetingPokja
    from kkbweb.members.models import Member, on_roster
    from kkbweb.timeutil import today_wib

    today = today_wib()
    members = db.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.pokja_id == pokja_id, on_roster(today))
    )
    db.session.add_all(
        Member(
            pokja_id=pokja_id,
            name=f"Peserta uji {pokja_id}-{i:02d}",
            sex="P",
            jabatan="anggota",
            unsur="pkk",
        )
        for i in range(people - members)
    )
    meeting = Meeting(
        kind="rapat_pokja",
        title="Rapat uji beban",
        date=today,
        place="Aula kelurahan",
        status="berlangsung",
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingPokja(meeting_id=meeting.id, pokja_id=pokja_id))
    db.session.commit()
    return meeting.id
