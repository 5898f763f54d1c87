"""kkbweb side by side with the systems an organiser would pick instead.

The peers are installed from PyPI into their own virtualenvs under a cache
directory (never vendored), served the way their docs recommend (gunicorn for
pretix, uWSGI or gunicorn for Indico), and one check-in request of each is timed
with the same closed-loop client as bench/contention.py, at concurrency 1, 4
and 8, next to each server's own cheapest answer (the floor).

    python -m bench.peers install pretix|indico [--cache DIR]
    python -m bench.peers setup-pretix [--cache DIR]
    python -m bench.peers measure --name NAME --url URL [--method POST]
        [--header 'K: V' ...] [--body 'k=v&...'] [--floor-url URL]
        [--levels 1,4,8] [--seconds 2] [--rounds 3]

`install` makes ``DIR/<peer>/venv`` (default DIR: ~/.cache/kkbweb-peers) with the
version of the issue's table (pretix 2026.8.0, Indico 3.2.9) and gunicorn, and
prints the steps that remain, which need the peer's own setup commands:

pretix (docs.pretix.eu, "Installation"): `setup-pretix` does the steps below
(without `rebuild`, which the API does not need) and prints the serve and measure
commands. By hand: write ``pretix.cfg`` (the command
prints one with SQLite in DIR/pretix/data), then
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
Redis; ``venv/bin/indico setup wizard`` then ``indico db prepare``; create an
event with a registration form and 400 registrants (UI or ``indico shell``);
serve with ``venv/bin/gunicorn indico.web.wsgi:application --workers 5``
(or uWSGI as its docs show). The timed request is the check-in toggle of one
registrant, ``PUT /event/<id>/manage/registration/<form>/registrations/<reg>/
check-in`` (``DELETE`` to undo) with the session cookie and CSRF header of a
manager; the floor is ``GET /ping`` (or the static favicon).

Then `measure` each, and kkbweb with `python -m bench.contention --writes
toggle`, in one sitting on the same machine; docs/PERFORMANCE.md says which
figures were re-measured and which are quoted from issue 19.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bench.common import median, percentile, table, write_results
from bench.contention import closed_loop

PEERS = {
    "pretix": ["pretix==2026.8.0", "gunicorn"],
    "indico": ["indico==3.2.9", "gunicorn"],
}
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
                                Organizer, Team)

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


def setup_pretix(cache: Path) -> None:
    """Migrate pretix's SQLite database, make the data, print the measure command."""
    home = cache / "pretix"
    python = str(home / "venv" / "bin" / "python")
    env = {**os.environ, "PRETIX_CONFIG_FILE": str(home / "pretix.cfg")}
    subprocess.run([python, "-m", "pretix", "migrate"], env=env, check=True)
    done = subprocess.run(
        [python, "-m", "pretix", "shell"],
        input=PRETIX_SETUP,
        env=env,
        text=True,
        capture_output=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("TOKEN"))
    _, token, _, list_id, _, secret = line.split()
    print(
        f"serve: PRETIX_CONFIG_FILE={env['PRETIX_CONFIG_FILE']} "
        f"{home}/venv/bin/gunicorn pretix.wsgi --workers 5 --bind 127.0.0.1:8001\n"
        "measure: python -m bench.peers measure --name pretix --url "
        "http://127.0.0.1:8001/api/v1/organizers/bench/checkinrpc/redeem/ "
        f"--method POST --header 'Authorization: Token {token}' "
        f'--body \'{{"secret": "{secret}", "lists": [{list_id}]}}\' '
        "--floor-url http://127.0.0.1:8001/robots.txt"
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
    """One request, the same every time, for closed_loop()."""

    def __init__(self, method, path, body, headers, name="peer"):
        self.method, self.path, self.body, self.headers = method, path, body, headers
        self.name, self.expected = name, None

    def next(self, _session):
        return self.method, self.path, self.body, self.headers, None

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
    body = args.body.encode() if args.body else None
    if body and "Content-Type" not in headers:
        headers["Content-Type"] = (
            "application/json"
            if args.body.lstrip().startswith("{")
            else "application/x-www-form-urlencoded"
        )
    rows = []
    for level in args.levels:
        got = {"floor": [], "target": []}
        errors = 0
        for _ in range(args.rounds):
            for name, url, method, data in (
                ("floor", floor, "GET", None),
                ("target", target, args.method, body),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    inst = sub.add_parser("install")
    inst.add_argument("peer", choices=sorted(PEERS))
    inst.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "kkbweb-peers"
    )
    prep = sub.add_parser("setup-pretix")
    prep.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "kkbweb-peers"
    )
    meas = sub.add_parser("measure")
    meas.add_argument("--name", required=True)
    meas.add_argument("--url", required=True)
    meas.add_argument("--floor-url", default="")
    meas.add_argument("--method", default="GET")
    meas.add_argument("--header", action="append", default=[])
    meas.add_argument("--body", default="")
    meas.add_argument("--levels", default="1,4,8")
    meas.add_argument("--seconds", type=float, default=2.0)
    meas.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "install":
        install(args.peer, args.cache)
    elif args.command == "setup-pretix":
        setup_pretix(args.cache)
    else:
        args.levels = [int(x) for x in args.levels.split(",")]
        measure(args)


if __name__ == "__main__":
    main()
