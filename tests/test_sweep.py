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
in tests/sitecrawl.py (a Pokja's address and contact person, a user's full name).

Each role's crawl is made once per test process and recorded
(tests/sitecrawl.py): the checks below read the recording. With KKBWEB_LIVE_URL
set (``.ci/run``'s gunicorn run) the crawl goes over HTTP to that server
(tests/live.py).
"""

import gzip
import logging
import re
from urllib.parse import urlencode

import pytest

from kkbweb.extensions import db
from tests import live
from tests.crawl import Visit
from tests.matrix import ROLES
from tests.sitecrawl import (  # noqa: F401  (site: a fixture)
    CANARIES,
    crawl_role,
    login,
    session_for,
    site,
)

# Who must never see the other side's canary.
SCOPED = {"pokja_a": "A", "penyelenggara_a": "A", "pokja_b": "B"}
PAGE_BUDGET = 30 * 1024
FRAGMENT_BUDGET = 10 * 1024
CANARY_NIK = "3672011203990007"  # submitted through every form, never logged


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


@pytest.mark.parametrize("role", ROLES)
def test_sweep_as_every_role(site, role):
    """Headers, no 5xx, GETs change nothing, no canary of another Pokja."""
    app, world = site
    crawl = crawl_role(app, world, role)
    failures: list[str] = list(crawl.changed)
    forbidden = None
    if role in SCOPED:
        other = "B" if SCOPED[role] == "A" else "A"
        forbidden = CANARIES[other]
    own_seen = False
    for visit in crawl.visits:
        status = visit.response.status
        if status >= 500:
            failures.append(f"{status} on {visit.url}")
        try:
            assert_security_headers(visit)
        except AssertionError as error:
            failures.append(str(error))
        body = visit.response.text
        if forbidden and any(secret in body for secret in forbidden):
            failures.append(f"{visit.url} shows another Pokja's canary")
        if role in SCOPED and CANARIES[SCOPED[role]][0] in body:
            own_seen = True
    assert failures == []
    assert crawl.pages(), f"{role} reached no page at all"
    if role in SCOPED:
        assert own_seen, "the own Pokja's canary never showed: is the check blind?"


def test_sweep_reaches_every_get_page(site):
    """The crawl is not blind: together the roles reach every linked GET endpoint."""
    app, world = site
    reached = set()
    for role in ("anonymous", "admin"):
        visits = crawl_role(app, world, role).visits
        reached |= {v.endpoint for v in visits if v.response.status == 200}
    expected = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    }
    # Not linked from any page: the health check and the benchmark floor route.
    # kie.pending_photo is shown only on a refused KIE form (a POST answer): the
    # matrix and tests/test_walkthrough_fixes.py request it.
    # The service worker and the offline roll call's state are asked for by
    # static/js/offline.js (from data- attributes): the matrix and
    # tests/test_offline.py request them. classification.index only redirects
    # (to the board or the own Kampung KB).
    unlinked = {
        "main.healthz",
        "bench.ok",
        "kie.pending_photo",
        "main.service_worker",
        "meetings.offline.state",
        "classification.index",
    }
    assert sorted(expected - unlinked - reached) == []


def test_every_page_fits_the_html_budget_for_every_role(site):
    """QUALITY.md: HTML of any page <= 30 KB gzip-compressed, fragments <= 10 KB."""
    app, world = site
    sizes = {}
    for role in ROLES:
        for visit in crawl_role(app, world, role).pages():
            size = len(gzip.compress(visit.response.body))
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
    roles = ("admin", "staf", "penyelenggara_a", "pokja_a", "anonymous")
    # Every role's forms before the first is sent: a crawl recorded after the
    # submissions would show a world the other checks do not expect.
    forms_of = {}
    for role in roles:
        forms = forms_of[role] = {}
        for visit in crawl_role(app, world, role).visits:
            for form in visit.forms:
                forms.setdefault((form.method, form.action.split("?")[0]), form)
    for role in roles:
        transport = session_for(role, app, world)
        for (method, action), form in sorted(forms_of[role].items()):
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


@pytest.mark.skipif(live.live(), reason="counts the in-process app's statements")
def test_every_page_keeps_the_query_budget_for_every_role(site):
    """QUALITY.md: <= 8 statements per full page, <= 4 per fragment (every GET the
    crawler reaches; the 1-row vs 50-row check stays with each feature's tests)."""
    app, world = site
    over = {}
    for role in ROLES:
        crawl = crawl_role(app, world, role)
        for visit, exchange in zip(crawl.visits, crawl.exchanges, strict=True):
            if visit.endpoint == "static":
                continue
            if exchange.statements > (4 if visit.fragment else 8):
                over[(role, visit.url, visit.fragment)] = exchange.statements
    assert over == {}
