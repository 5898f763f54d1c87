"""kkbweb side by side with the systems an organiser would pick instead.

The peers are installed from PyPI into their own virtualenvs under a cache
directory (never vendored), served the way their docs recommend (gunicorn for
pretix, uWSGI or gunicorn for Indico), and one check-in request of each is timed
with the same closed-loop client as bench/contention.py, at concurrency 1, 4
and 8, next to each server's own cheapest answer (the floor).

    python -m bench.peers install pretix|indico [--cache DIR]
    python -m bench.peers setup-pretix|setup-indico [--cache DIR]
    python -m bench.peers measure --name NAME --url URL [--method POST]
        [--header 'K: V' ...] [--body 'k=v&...' ...] [--floor-url URL]
        [--levels 1,4,8] [--seconds 2] [--rounds 3]
    python -m bench.peers serve-kkbweb
    python -m bench.peers cold --name NAME --url URL [--login URL
        --field name=value ...] [--profile regular3g] [--repeat 3]
    python -m bench.peers memory --name NAME --pattern TEXT

`install` makes ``DIR/<peer>/venv`` (default DIR: ~/.cache/kkbweb-peers) with the
version of the issue's table (pretix 2026.8.0, Indico 3.2.9) and gunicorn, and
prints the steps that remain, which need the peer's own setup commands:

pretix (docs.pretix.eu, "Installation"): `setup-pretix` does the steps below,
writes an nginx.conf that serves the built static files and proxies to gunicorn
on :8011, and prints the serve, measure and cold commands. By hand: write
``pretix.cfg`` (the command prints one with SQLite in DIR/pretix/data), then
``PRETIX_CONFIG_FILE=... venv/bin/python -m pretix migrate`` and
``... -m pretix rebuild``; create an organiser, an event with one product, 400
paid orders and a check-in list in the admin UI or ``-m pretix shell``; make an
API token (organiser settings, Teams). Serve with
``venv/bin/gunicorn pretix.wsgi --workers 5``. The timed request is the web
check-in's redeem call:
``POST /api/v1/organizers/<org>/checkinrpc/redeem/`` with
``{"secret": "<ticket secret>", "lists": [<list id>]}`` and
``Authorization: Token <token>``; the floor is ``GET /robots.txt``
(``/healthcheck/`` answers 503 "Cache not available" without Redis).

Indico (docs.getindico.io, "Installation", production): needs PostgreSQL and
Redis. `setup-indico` writes the ``indico.conf`` its setup wizard would (database
``indico_bench`` at 127.0.0.1, made afresh; Redis db 10/11), runs
``indico db prepare`` and makes an admin, an event with a registration form, 400
registrants and a personal token with the ``registrants`` scope. Served with
``venv/bin/gunicorn "indico.web.flask.app:make_app()" --workers 5``. The timed request
is the check-in of the Indico check-in app,
``PATCH /api/events/<id>/registrants/<reg>`` with ``{"checked_in": true}`` and
``Authorization: Bearer <token>``; the floor is ``GET /ping``.

`cold` loads a page on a fresh browser cache under bench.browser's throttling
(signed in first through the login form when --login is given), and `memory`
sums the RSS and the PSS of the processes whose command line holds --pattern
(the server, measured after its load run).

Then `measure` each, and kkbweb with `python -m bench.contention --writes
toggle`, in one sitting on the same machine; docs/PERFORMANCE.md says which
figures were re-measured and which are quoted from issue 19.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bench.common import ROOT, median, percentile, table, write_results
from bench.contention import closed_loop

PEERS = {
    "pretix": ["pretix==2026.8.0", "gunicorn"],
    "indico": ["indico==3.2.9", "gunicorn"],
}
PEER_PASSWORD = "bench-password-123"  # the peers' bench admin, on 127.0.0.1 only
PRETIX_CFG = """[pretix]
instance_name=pretix bench
url=http://127.0.0.1:8001
datadir={data}

[database]
backend=sqlite3
name={data}/db.sqlite3

[mail]
from=bench@localhost
"""


# pretix's data for the timed check-in, through its Django shell (pretix 2026.8:
# team permissions as all_*_permissions, orders need a sales channel). The list
# allows repeated entries, so that every redeem of the one ticket is a new
# check-in row, i.e. a write, as a kkbweb tap is.
PRETIX_SETUP = """
from decimal import Decimal
from django.utils.timezone import now
from django_scopes import scopes_disabled
from pretix.base.models import (CheckinList, Event, Item, Order, OrderPosition,
                                Organizer, Team, User)

with scopes_disabled():
    o = Organizer.objects.create(name="Bench", slug="bench")
    e = Event.objects.create(organizer=o, name="Rapat", slug="rapat", date_from=now(),
                             live=True, currency="IDR")
    item = Item.objects.create(event=e, name="Peserta", default_price=Decimal("0"),
                               admission=True)
    cl = CheckinList.objects.create(event=e, name="Daftar hadir", all_products=True,
                                    allow_multiple_entries=True)
    team = Team.objects.create(organizer=o, name="bench", all_events=True,
                               all_event_permissions=True,
                               all_organizer_permissions=True)
    token = team.tokens.create(name="bench")
    team.members.add(User.objects.create_user("bench@example.org", PASSWORD))
    channel = o.sales_channels.get(identifier="web")
    secrets = []
    for i in range(400):
        order = Order.objects.create(event=e, sales_channel=channel,
                                     status=Order.STATUS_PAID,
                                     email=f"p{i}@example.org", total=Decimal("0"),
                                     datetime=now(), expires=now(), locale="en")
        secrets.append(OrderPosition.objects.create(order=order, item=item,
                       price=Decimal("0"), positionid=1).secret)
    print("TOKEN", token.token, "LIST", cl.id, "SECRET", secrets[0])
"""

INDICO_CONF = """SQLALCHEMY_DATABASE_URI = {db!r}
SECRET_KEY = 'kkbweb-bench-not-secret-0123456789abcdef'
BASE_URL = 'http://127.0.0.1:8002'
CELERY_BROKER = 'redis://127.0.0.1:6379/10'
REDIS_CACHE_URL = 'redis://127.0.0.1:6379/11'
DEFAULT_TIMEZONE = 'Asia/Jakarta'
DEFAULT_LOCALE = 'en_GB'
ENABLE_ROOMBOOKING = False
CACHE_DIR = '{data}/cache'
TEMP_DIR = '{data}/tmp'
LOG_DIR = '{data}/log'
STORAGE_BACKENDS = {{'default': 'fs:{data}/archive'}}
ATTACHMENT_STORAGE = 'default'
NO_REPLY_EMAIL = 'noreply@localhost'
SUPPORT_EMAIL = 'bench@localhost'
SMTP_USE_CELERY = False
DISABLE_CELERY_CHECK = True
USE_PROXY = False
"""

# Indico's data for the timed check-in (its own test fixtures' way of making an
# event, a registration form and registrations): an admin with a local login for
# the cold load of the registrant list, and a personal token with the
# 'registrants' scope for the check-in API the Indico check-in app calls.
INDICO_SETUP = """
from datetime import timedelta
from indico.web.flask.app import make_app
app = make_app()
with app.app_context():
    from indico.core.db import db
    from indico.core.oauth.models.personal_tokens import PersonalToken
    from indico.modules.auth import Identity
    from indico.modules.categories import Category
    from indico.modules.events import Event
    from indico.modules.events.features.util import set_feature_enabled
    from indico.modules.events.models.events import EventType
    from indico.modules.events.registration.models.forms import RegistrationForm
    from indico.modules.events.registration.models.registrations import (
        Registration, RegistrationState)
    from indico.modules.events.registration.util import create_personal_data_fields
    from indico.modules.users import User
    from indico.util.date_time import now_utc

    user = User(first_name='Bench', last_name='Admin', is_admin=True)
    user.email = 'bench@example.org'
    user.identities.add(Identity(provider='indico', identifier='bench',
                                 password={password!r}))
    db.session.add(user)
    db.session.flush()
    start = now_utc(exact=False)
    event = Event(creator=user, acl_entries=set(), type_=EventType.meeting,
                  title='Rapat', start_dt=start, end_dt=start + timedelta(hours=3),
                  timezone='Asia/Jakarta', category=Category.get_root())
    db.session.add(event)
    db.session.flush()
    set_feature_enabled(event, 'registration', True)
    form = RegistrationForm(event=event, title='Daftar hadir', currency='IDR')
    create_personal_data_fields(form)
    for field in form.sections[0].fields:
        field.is_enabled = True
    db.session.add(form)
    # friendly ids are counted on the event in a separate transaction
    db.session.commit()
    regs = []
    for i in range(400):
        reg = Registration(registration_form_id=form.id, first_name=f'Warga{{i}}',
                           last_name='Ciwedus', state=RegistrationState.complete,
                           currency='IDR', email=f'p{{i}}@example.org')
        event.registrations.append(reg)
        regs.append(reg)
    token = PersonalToken(user=user, name='bench', scopes={{'registrants'}})
    secret = token.generate_token()
    db.session.commit()
    print('EVENT', event.id, 'FORM', form.id, 'REG', regs[0].id, 'TOKEN', secret)
"""


def setup_indico(cache: Path) -> None:
    """Indico's PostgreSQL database, its tables and the data, then the commands.

    Needs PostgreSQL (a superuser at 127.0.0.1, for the unaccent and pg_trgm
    extensions) and Redis, as Indico's production install does."""
    import psycopg

    home = cache / "indico"
    data = home / "data"
    for sub in ("cache", "tmp", "log", "archive"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    url = "postgresql://postgres@127.0.0.1:5432/indico_bench"
    with psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as admin:
        admin.execute("DROP DATABASE IF EXISTS indico_bench")
        admin.execute("CREATE DATABASE indico_bench")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    config = home / "indico.conf"
    config.write_text(INDICO_CONF.format(db=url, data=data))
    site = next((home / "venv" / "lib").glob("python3*/site-packages/indico"))
    (home / "logging.yaml").write_text((site / "logging.yaml.sample").read_text())
    env = {**os.environ, "INDICO_CONFIG": str(config)}
    bin_ = home / "venv" / "bin"
    subprocess.run([str(bin_ / "indico"), "db", "prepare"], env=env, check=True)
    done = subprocess.run(
        [str(bin_ / "python"), "-c", INDICO_SETUP.format(password=PEER_PASSWORD)],
        env=env,
        text=True,
        capture_output=True,
    )
    if done.returncode:
        sys.exit(done.stderr)
    line = next(x for x in done.stdout.splitlines() if x.startswith("EVENT"))
    _, event, _, form, _, reg, _, token = line.split()
    base = "http://127.0.0.1:8002"
    print(
        f"serve: INDICO_CONFIG={config} {bin_}/gunicorn "
        "'indico.web.flask.app:make_app()' --workers 5 --bind 127.0.0.1:8002\n"
        f"measure: python -m bench.peers measure --name indico --url "
        f"{base}/api/events/{event}/registrants/{reg} --method PATCH "
        f"--header 'Authorization: Bearer {token}' "
        "--body '{\"checked_in\": true}' --body '{\"checked_in\": false}' "
        f"--floor-url {base}/ping\n"
        f"cold: python -m bench.peers cold --name indico --url "
        f"{base}/event/{event}/manage/registration/{form}/registrations/ "
        f"--login {base}/login/ --field identifier=bench "
        f"--field password={PEER_PASSWORD}"
    )


# pretix's production layout (docs.pretix.eu, "Installation"): nginx serves the
# built static files and hands the rest to gunicorn. Root reads them from the
# cache directory under /root.
PRETIX_NGINX = """daemon off;
worker_processes 1;
user root;
pid nginx.pid;
error_log nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    gzip on;
    gzip_types text/css application/javascript image/svg+xml application/json;
    server {
        listen 127.0.0.1:8001;
        location /static/ {
            alias STATIC/;
            expires 365d;
            add_header Cache-Control public;
        }
        location / {
            proxy_pass http://127.0.0.1:8011;
            proxy_set_header Host $http_host;
        }
    }
}
"""


def setup_pretix(cache: Path) -> None:
    """Migrate pretix's SQLite database, make the data, print the measure command."""
    home = cache / "pretix"
    python = str(home / "venv" / "bin" / "python")
    env = {**os.environ, "PRETIX_CONFIG_FILE": str(home / "pretix.cfg")}
    (home / "data" / "db.sqlite3").unlink(missing_ok=True)  # made afresh
    subprocess.run([python, "-m", "pretix", "migrate"], env=env, check=True)
    done = subprocess.run(
        [python, "-m", "pretix", "shell"],
        input=f"PASSWORD = {PEER_PASSWORD!r}\n" + PRETIX_SETUP,
        env=env,
        text=True,
        capture_output=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("TOKEN"))
    _, token, _, list_id, _, secret = line.split()
    # The web check-in's page needs the built static files (pretix "rebuild")
    # served by nginx, as in pretix's production install.
    subprocess.run([python, "-m", "pretix", "rebuild"], env=env, check=True)
    static = next((home / "venv" / "lib").glob("python3*/site-packages/pretix"))
    nginx = home / "nginx.conf"
    nginx.write_text(PRETIX_NGINX.replace("STATIC", str(static / "static.dist")))
    print(
        f"serve: PRETIX_CONFIG_FILE={env['PRETIX_CONFIG_FILE']} "
        f"{home}/venv/bin/gunicorn pretix.wsgi --workers 5 --bind 127.0.0.1:8011\n"
        f"  and nginx -p {home} -c {nginx} (127.0.0.1:8001)\n"
        "measure: python -m bench.peers measure --name pretix --url "
        "http://127.0.0.1:8011/api/v1/organizers/bench/checkinrpc/redeem/ "
        f"--method POST --header 'Authorization: Token {token}' "
        f'--body \'{{"secret": "{secret}", "lists": [{list_id}]}}\' '
        "--floor-url http://127.0.0.1:8011/robots.txt\n"
        "cold: python -m bench.peers cold --name pretix --url "
        "http://127.0.0.1:8001/control/event/bench/rapat/webcheckin/ "
        "--login http://127.0.0.1:8001/control/login --field email=bench@example.org "
        f"--field password={PEER_PASSWORD}"
    )


def install(peer: str, cache: Path) -> None:
    """A virtualenv for the peer under the cache directory, then next steps."""
    home = cache / peer
    venv = home / "venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip", "wheel"], check=True)
    started = time.monotonic()
    subprocess.run([*pip, *PEERS[peer]], check=True)
    print(f"{peer}: installed in {venv} ({time.monotonic() - started:.0f} s)")
    if peer == "pretix":
        data = home / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = home / "pretix.cfg"
        if not config.exists():
            config.write_text(PRETIX_CFG.format(data=data))
        print(
            f"config: {config}; next: PRETIX_CONFIG_FILE={config} "
            f"{venv}/bin/python -m pretix migrate (see this module's help)"
        )
    else:
        print(f"next: {venv}/bin/indico setup wizard (see this module's help)")


class Fixed:
    """One request for closed_loop(), its bodies in turn (several bodies make
    every request a change, e.g. check in, then undo)."""

    def __init__(self, method, path, bodies, headers, name="peer"):
        self.method, self.path, self.headers = method, path, headers
        self.bodies, self.sent = bodies or [None], 0
        self.name, self.expected = name, None

    def next(self, _session):
        body = self.bodies[self.sent % len(self.bodies)]
        self.sent += 1
        return self.method, self.path, body, self.headers, None

    def done(self, ok, note):
        pass


class RawSession:
    """bench.common.Session's request(), for any host and a raw body."""

    def __init__(self, host, port):
        self.host, self.port, self.csrf = host, port, ""

    def request(self, method, path, data=None, headers=None):
        from http.client import HTTPConnection

        from bench.common import Answer

        started = time.perf_counter()
        connection = HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers or {})
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        return Answer(
            response.status,
            dict(response.headers),
            payload,
            time.perf_counter() - started,
        )


def measure(args) -> None:
    """The request and the floor at each level, in turns; pooled percentiles."""
    target, floor = urlsplit(args.url), urlsplit(args.floor_url or args.url)
    headers = dict(h.split(": ", 1) for h in args.header)
    bodies = [b.encode() for b in args.body]
    if bodies and "Content-Type" not in headers:
        headers["Content-Type"] = (
            "application/json"
            if args.body[0].lstrip().startswith("{")
            else "application/x-www-form-urlencoded"
        )
    rows = []
    for level in args.levels:
        got = {"floor": [], "target": []}
        errors = 0
        for _ in range(args.rounds):
            for name, url, method, data in (
                ("floor", floor, "GET", None),
                ("target", target, args.method, bodies),
            ):
                stream = Fixed(
                    method,
                    url.path + (f"?{url.query}" if url.query else ""),
                    data,
                    headers if name == "target" else {},
                )
                stream.expected = None
                sessions = [
                    RawSession(url.hostname, url.port or 80) for _ in range(level)
                ]
                lat, err, _took = closed_loop(
                    None, [(s, stream) for s in sessions], args.seconds
                )
                got[name] += lat
                if name == "target":
                    errors += sum(
                        n
                        for status, n in err.items()
                        if not (isinstance(status, int) and status < 400)
                    )
        rows.append(
            [
                args.name,
                level,
                median(got["floor"]),
                median(got["target"]),
                percentile(got["target"], 95),
                percentile(got["target"], 99),
                len(got["target"]) / (args.rounds * args.seconds),
                errors,
            ]
        )
    print(
        table(["peer", "c", "floor p50", "p50", "p95", "p99", "req/s", "errors"], rows)
    )
    write_results(
        f"peers-{args.name}",
        {"rows": rows, "url": args.url, "query": dict(parse_qsl(target.query))},
    )


def serve_kkbweb(_args) -> None:
    """kkbweb as the peers are measured: the deploy config on a demo database
    with Ciwedus's roll call of today (60 people); prints the cold and memory
    commands and serves until Ctrl+C. Its writes are timed by bench.contention."""
    from bench import targets
    from bench.common import DEMO_PASSWORD, app_context, database, gunicorn

    with database("sqlite") as db:
        with app_context(db):
            values = targets.ids()
        with gunicorn(db, bench_mode=False) as server:
            print(
                f"serving {server.base_url} ({server.workers} workers)\n"
                f"cold: python -m bench.peers cold --name kkbweb --url "
                f"{server.base_url}{targets.ROLL_CALL.format(**values)} "
                f"--login {server.base_url}/auth/login "
                f"--field username=penyelenggara.ciwedus "
                f"--field password={DEMO_PASSWORD}\n"
                "memory: python -m bench.peers memory --name kkbweb "
                "--pattern wsgi:app",
                flush=True,
            )
            with contextlib.suppress(KeyboardInterrupt):
                while Path(f"/proc/{server.pid}").exists():
                    time.sleep(1)


def cold(args) -> None:
    """The page's first load on a fresh cache, throttled as bench.browser does.

    Signs in first (unthrottled) by filling the login form's fields by name, then
    clears the cache and loads the page under the profile: LCP, bytes and
    requests as Chromium counted them, median of --repeat runs."""
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from bench.browser import load_cold
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    runs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.repeat):
            context = browser.new_context(**PHONE)
            page = context.new_page()
            if args.login:
                page.goto(args.login)
                fields = [f.split("=", 1) for f in args.field]
                for name, value in fields:
                    page.fill(f"[name='{name}']", value)
                with page.expect_navigation():
                    page.press(f"[name='{fields[-1][0]}']", "Enter")
            started = time.monotonic()
            # Indico's page takes about two minutes on Regular 3G
            lcp, sent = load_cold(page, args.url, args.profile, timeout=600_000)
            runs.append((lcp, sent, time.monotonic() - started))
            context.close()
        browser.close()
    lcp = median([r[0] for r in runs if r[0] is not None])
    row = [args.name, args.profile, lcp, runs[0][1]["requests"], runs[0][1]["bytes"]]
    row.append(median([r[2] for r in runs]) * 1000)
    print(table(["peer", "profile", "LCP ms", "requests", "bytes", "load ms"], [row]))
    write_results(
        f"peers-cold-{args.name}",
        {"url": args.url, "profile": args.profile, "runs": [list(r) for r in runs]},
    )


def memory(args) -> None:
    """Memory of the server's processes: RSS summed, and PSS summed (shared
    pages split between the processes that share them, so forked workers are
    not counted once each)."""
    rows, rss, pss = [], 0, 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if args.pattern not in command:
                continue
            fields = dict(
                line.split(":", 1)
                for line in (proc / "smaps_rollup").read_text().splitlines()[1:]
            )
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
        kb = {k: int(v.split()[0]) for k, v in fields.items() if k in ("Rss", "Pss")}
        rss, pss = rss + kb["Rss"], pss + kb["Pss"]
        rows.append([proc.name, kb["Rss"] / 1024, kb["Pss"] / 1024, command[:60]])
    rows.append(["all", rss / 1024, pss / 1024, f"{len(rows)} processes"])
    print(table(["pid", "RSS MB", "PSS MB", "command"], rows))
    write_results(
        f"peers-memory-{args.name}", {"rss_mb": rss / 1024, "pss_mb": pss / 1024}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    inst = sub.add_parser("install")
    inst.add_argument("peer", choices=sorted(PEERS))
    for command in (
        inst,
        sub.add_parser("setup-pretix"),
        sub.add_parser("setup-indico"),
    ):
        command.add_argument(
            "--cache", type=Path, default=Path.home() / ".cache" / "kkbweb-peers"
        )
    meas = sub.add_parser("measure")
    meas.add_argument("--name", required=True)
    meas.add_argument("--url", required=True)
    meas.add_argument("--floor-url", default="")
    meas.add_argument("--method", default="GET")
    meas.add_argument("--header", action="append", default=[])
    meas.add_argument("--body", action="append", default=[])
    meas.add_argument("--levels", default="1,4,8")
    meas.add_argument("--seconds", type=float, default=2.0)
    meas.add_argument("--rounds", type=int, default=3)
    sub.add_parser("serve-kkbweb")
    cold_ = sub.add_parser("cold")
    cold_.add_argument("--name", required=True)
    cold_.add_argument("--url", required=True)
    cold_.add_argument("--login", default="", help="the login page's URL")
    cold_.add_argument("--field", action="append", default=[], help="name=value")
    cold_.add_argument("--profile", default="regular3g")
    cold_.add_argument("--repeat", type=int, default=3)
    mem = sub.add_parser("memory")
    mem.add_argument("--name", required=True)
    mem.add_argument("--pattern", required=True, help="in the processes' command line")
    args = parser.parse_args()
    if args.command == "install":
        install(args.peer, args.cache)
    elif args.command == "setup-pretix":
        setup_pretix(args.cache)
    elif args.command == "setup-indico":
        setup_indico(args.cache)
    elif args.command == "serve-kkbweb":
        serve_kkbweb(args)
    elif args.command == "cold":
        cold(args)
    elif args.command == "memory":
        memory(args)
    else:
        args.levels = [int(x) for x in args.levels.split(",")]
        measure(args)


if __name__ == "__main__":
    main()
