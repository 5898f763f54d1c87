"""Security sweep: crawl the app as every role (QUALITY.md, "Reliability and security").

For each role of tests/matrix the crawler (tests/crawl.py) starts at the home page
and follows every link, GET form, hx-get and redirect it can see. Every response
must carry the security headers and never be a 5xx; every GET must leave the
database as it was (read-audit rows, actions ending in ".view" or ".export",
aside); a Pokja user never sees the canary of another Pokja; full pages stay
<= 30 KB and htmx fragments <= 10 KB gzip-compressed.

Canaries: each feature may define ``canary(w, side, name, nik)`` in its
tests/matrix module, storing ``name`` and ``nik`` in records of Pokja ``w[side]``
(side "A" or "B") that a user of that Pokja can reach. The foundation's canary is
below (a Pokja's address and contact person, and a user's full name).

With KKBWEB_LIVE_URL set (``.ci/run``'s gunicorn run) the same crawl goes over
HTTP to that server (tests/live.py).
"""

import gzip
import hashlib
import logging
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, text

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from tests import factories, live
from tests.crawl import (
    Crawler,
    FlaskTransport,
    HttpTransport,
    Visit,
    endpoint_resolver,
)
from tests.matrix import ROLES
from tests.querycount import count_queries
from tests.test_access_matrix import _modules, build_world

# Per side: a name and a NIK-shaped number that only that Pokja's users may see.
CANARIES = {
    "A": ("Kenari Ciwedus Rahasia", "3672019907770001"),
    "B": ("Kenari Bendungan Rahasia", "3672029908880002"),
}
# Who must never see the other side's canary.
SCOPED = {"pokja_a": "A", "penyelenggara_a": "A", "pokja_b": "B"}
PAGE_BUDGET = 30 * 1024
FRAGMENT_BUDGET = 10 * 1024
CANARY_NIK = "3672011203990007"  # submitted through every form, never logged


def foundation_canary(w: dict, side: str, name: str, nik: str) -> None:
    """Put the canary in a Pokja's address and contact, and in a user's name."""
    with factories.context():
        pokja = db.session.get(Pokja, w[side].id)
        pokja.address = f"Sekretariat {name}, RT 0{nik[-1]}"
        db.session.commit()
    user = factories.make_user("pokja", pokja=w[side], username=f"kenari.{side}")
    with factories.context():
        db.session.execute(
            text("UPDATE users SET full_name = :n WHERE id = :i"),
            {"n": name, "i": user.id},
        )
        db.session.commit()


def seed_canaries(w: dict) -> None:
    """Seed every feature's canaries for both sides."""
    seeders = [foundation_canary] + [
        module.canary for module in _modules() if hasattr(module, "canary")
    ]
    for side, (name, nik) in CANARIES.items():
        for seed in seeders:
            seed(w, side, name, nik)


def db_fingerprint(app) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the content of every table."""
    result = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            stmt = select(table)
            if table.name == AuditLog.__tablename__:
                stmt = stmt.where(
                    ~table.c.action.endswith(".view"),
                    ~table.c.action.endswith(".export"),
                )
            rows = db.session.execute(stmt.order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
            result[table.name] = (len(rows), digest)
        db.session.rollback()
    return result


def assert_security_headers(visit: Visit) -> None:
    h = visit.response.header
    where = f"{visit.url} ({visit.response.status})"
    csp = h("content-security-policy")
    assert csp, f"no CSP on {where}"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert h("x-content-type-options") == "nosniff", where
    assert h("referrer-policy") == "same-origin", where
    if visit.endpoint != "static" and visit.response.status < 400:
        assert "no-store" in h("cache-control"), f"cacheable: {where}"


def login(transport, app, user) -> None:
    """Give the transport a session of ``user`` (test client: no scrypt)."""
    if isinstance(transport, FlaskTransport):
        factories.put_in_session(transport.client, user)
        return
    transport.cookies.clear()  # a logged-in user would be sent away from the form
    page = transport.request("GET", "/auth/login").text
    answer = transport.request(
        "POST",
        "/auth/login",
        data={
            "csrf_token": live.csrf_token(page),
            "username": user.username,
            "password": factories.PASSWORD,
        },
    )
    assert answer.status == 303, f"login of {user.username}: {answer.status}"


def session_for(role: str, app, world: dict):
    """A transport holding a session of the role's user (none for anonymous)."""
    if live.live():
        transport = HttpTransport(live.LIVE_URL)
    else:
        transport = FlaskTransport(app.test_client())
    if role == "anonymous":
        return transport
    user = world[role]
    if role == "deactivated" and live.live():
        # It must hold a real session cookie, made while it was still active.
        _set_active(app, user.id, True)
        login(transport, app, user)
        _set_active(app, user.id, False)
    else:
        login(transport, app, user)
    return transport


def _set_active(app, user_id: int, active: bool) -> None:
    with app.app_context():
        db.session.execute(
            text("UPDATE users SET active = :a WHERE id = :i"),
            {"a": active, "i": user_id},
        )
        db.session.commit()


@pytest.fixture
def site(tmp_path, _postgres_schema):
    """The app (in-process, or the live server's database) and the seeded world."""
    app = live.make_site_app(tmp_path)
    factories.bind(app)
    world = build_world()
    seed_canaries(world)
    yield app, world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def crawl(app, transport, after_each=None) -> list[Visit]:
    return Crawler(
        transport, endpoint_resolver(app), after_each=after_each, max_pages=250
    ).run()


@pytest.mark.parametrize("role", ROLES)
def test_sweep_as_every_role(site, role):
    """Headers, no 5xx, GETs change nothing, no canary of another Pokja, budgets."""
    app, world = site
    transport = session_for(role, app, world)
    before = db_fingerprint(app)
    failures: list[str] = []
    forbidden = None
    if role in SCOPED:
        other = "B" if SCOPED[role] == "A" else "A"
        forbidden = CANARIES[other]
    own_seen = False

    def check(visit: Visit) -> None:
        nonlocal before, own_seen
        status = visit.response.status
        if status >= 500:
            failures.append(f"{status} on {visit.url}")
        try:
            assert_security_headers(visit)
        except AssertionError as error:
            failures.append(str(error))
        after = db_fingerprint(app)
        if after != before:
            changed = sorted(t for t in after if after[t] != before.get(t))
            failures.append(f"GET {visit.url} changed tables {changed}")
            before = after
        body = visit.response.text
        if forbidden and any(secret in body for secret in forbidden):
            failures.append(f"{visit.url} shows another Pokja's canary")
        if role in SCOPED and CANARIES[SCOPED[role]][0] in body:
            own_seen = True
        if visit.response.is_html and status == 200:
            size = len(gzip.compress(visit.response.body))
            budget = FRAGMENT_BUDGET if visit.fragment else PAGE_BUDGET
            if size > budget:
                failures.append(f"{visit.url}: {size} B gzip > {budget}")

    visits = crawl(app, transport, check)
    assert failures == []
    pages = [v for v in visits if v.response.status == 200 and v.response.is_html]
    assert pages, f"{role} reached no page at all"
    if role in SCOPED:
        assert own_seen, "the own Pokja's canary never showed: is the check blind?"


def test_sweep_reaches_every_get_page(site):
    """The crawl is not blind: together the roles reach every linked GET endpoint."""
    app, world = site
    reached = set()
    for role in ("anonymous", "admin"):
        visits = crawl(app, session_for(role, app, world))
        reached |= {v.endpoint for v in visits if v.response.status == 200}
    expected = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    }
    # Not linked from any page: the health check and the benchmark floor route.
    unlinked = {"main.healthz", "main.bench_ok"}
    assert sorted(expected - unlinked - reached) == []


def test_every_page_fits_the_html_budget_for_every_role(site):
    """QUALITY.md: HTML of any page <= 30 KB gzip-compressed, fragments <= 10 KB."""
    app, world = site
    sizes = {}
    for role in ROLES:
        for visit in crawl(app, session_for(role, app, world)):
            response = visit.response
            if response.status == 200 and response.is_html:
                size = len(gzip.compress(response.body))
                sizes[(role, visit.url, visit.fragment)] = size
    assert sizes
    too_big = {
        key: size
        for key, size in sizes.items()
        if size > (FRAGMENT_BUDGET if key[2] else PAGE_BUDGET)
    }
    assert too_big == {}


# -- a canary NIK submitted through every form never reaches a log ------------


def _fill_every_field(form, value: str) -> list[tuple[str, str]]:
    """The form's defaults with every text-like field set to ``value``."""
    pairs = []
    for name, default in form.defaults():
        field = next(f for f in form.fields if f.name == name)
        typed = field.kind in (
            "text",
            "search",
            "password",
            "textarea",
            "tel",
            "number",
            "email",
            "date",
        )
        pairs.append((name, value if typed else default))
    return pairs


def test_canary_nik_submitted_through_every_form_is_never_logged(site, caplog):
    """App, werkzeug and (echo-off) SQLAlchemy logs never hold a submitted NIK."""
    app, world = site
    assert not app.config.get("SQLALCHEMY_ECHO"), "SQL echo must stay off"
    with app.app_context():
        assert db.engine.echo is False
    caplog.set_level(logging.DEBUG, logger="kkbweb")
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    caplog.set_level(logging.DEBUG, logger="flask")
    # SQLAlchemy keeps the level production has (echo off): DEBUG there would log
    # every statement's parameters and rows by design; the handler still catches
    # anything it emits at its own (WARNING) level.
    submitted = 0
    for role in ("admin", "staf", "penyelenggara_a", "pokja_a", "anonymous"):
        transport = session_for(role, app, world)
        forms = {}
        for visit in crawl(app, transport):
            for form in visit.forms:
                forms.setdefault((form.method, form.action.split("?")[0]), form)
        for (method, action), form in sorted(forms.items()):
            if action.startswith("/auth/logout"):
                continue
            pairs = _fill_every_field(form, CANARY_NIK)
            if method == "GET":
                response = transport.request("GET", f"{action}?{urlencode(pairs)}")
            else:
                response = transport.request("POST", action, data=pairs)
            assert response.status < 500, f"{method} {action}: {response.status}"
            submitted += 1
            if role != "anonymous":  # a form may have ended the session
                login(transport, app, world[role])
    assert submitted >= 5
    logged = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records
    )
    assert CANARY_NIK not in logged
    if live.live() and live.LIVE_LOG:
        with open(live.LIVE_LOG, encoding="utf-8", errors="replace") as handle:
            assert CANARY_NIK not in handle.read(), "the server's log holds a NIK"


def test_static_files_are_compressed_for_gzip_only_clients_and_never_revalidated(
    client,
):
    """Chrome offers no brotli over plain HTTP: the app must gzip its static files
    itself when no nginx is in front; fingerprinted files need no revalidation."""
    page = client.get("/auth/login").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(assets) == 2
    for url in assets:
        raw = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
        for encoding in ("gzip", "gzip, deflate", "br"):
            response = client.get(url, headers={"Accept-Encoding": encoding})
            assert response.headers["Content-Encoding"] == encoding.split(",")[0]
            assert len(response.get_data()) < len(raw) / 2, (url, encoding)
            cache = response.headers["Cache-Control"]
            assert "immutable" in cache and "no-cache" not in cache, cache


class CountingTransport(FlaskTransport):
    """The test client, counting the SQL statements of each request."""

    def __init__(self, client, app):
        super().__init__(client)
        self.app = app
        self.counts: dict[tuple[str, bool], int] = {}

    def request(self, method, url, data=None, headers=None):
        with count_queries(self.app) as log:
            response = super().request(method, url, data, headers)
        self.counts[(url, bool(headers and "HX-Request" in headers))] = log.count
        return response


@pytest.mark.skipif(live.live(), reason="counts the in-process app's statements")
def test_every_page_keeps_the_query_budget_for_every_role(site):
    """QUALITY.md: <= 8 statements per full page, <= 4 per fragment (every GET the
    crawler reaches; the 1-row vs 50-row check stays with each feature's tests)."""
    app, world = site
    over = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            factories.put_in_session(client, world[role])
        transport = CountingTransport(client, app)
        for visit in Crawler(transport, endpoint_resolver(app)).run():
            if visit.endpoint == "static":
                continue
            count = transport.counts[(visit.url, visit.fragment)]
            if count > (4 if visit.fragment else 8):
                over[(role, visit.url, visit.fragment)] = count
    assert over == {}
