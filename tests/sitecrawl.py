"""The canary world, and one recorded crawl of it per role, shared by the checks.

The security sweep (tests/test_sweep.py), the NIK read-audit check
(tests/test_nik_reads.py), the accessibility check (tests/test_a11y.py) and the
fuzzers' discovery (tests/test_fuzz.py) all look at every page a role can reach.
Each crawled again for itself, the same pages over and over: a fifth of the
suite's time. Now each role is crawled once per test process, by the first test
that asks, on its own fresh world, and every request is recorded with what the
checks read: the response, its forms, the SQL statements it ran and the NIK read
rows it wrote; the crawl also notes which tables the GETs changed.

The world is built by one recipe (tests/matrix and the canaries below) on a fresh
database, so its ids are the same in every test: a recording made on one test's
database stands for another's, and the forms it found can be sent to it.

With KKBWEB_LIVE_URL set (``.ci/run``'s gunicorn run) the crawl goes over HTTP
to that server (tests/live.py); statements and read rows are then not recorded.
"""

import hashlib
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select, text

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from tests import factories, live
from tests.crawl import Crawler, FlaskTransport, HttpTransport, Visit, endpoint_resolver
from tests.querycount import count_queries
from tests.test_access_matrix import _modules, build_world

# Per side: a name and a NIK-shaped number that only that Pokja's users may see.
CANARIES = {
    "A": ("Kenari Ciwedus Rahasia", "3672019907770001"),
    "B": ("Kenari Bendungan Rahasia", "3672029908880002"),
}
NIK_READ = "resident.nik.view"
# Deep and wide enough for every feature: the resident form is 5 links from the
# home page, and the admin reaches every feature's pages within 450.
MAX_DEPTH = 6
MAX_PAGES = 450


# -- the world ------------------------------------------------------------------


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
    """Seed every feature's canaries (``canary`` in its tests/matrix module)."""
    seeders = [foundation_canary] + [
        module.canary for module in _modules() if hasattr(module, "canary")
    ]
    for side, (name, nik) in CANARIES.items():
        for seed in seeders:
            seed(w, side, name, nik)


@pytest.fixture
def site(tmp_path, _postgres_schema):
    """The app (in-process, or the live server's database) and the canary world:
    the matrix world with every feature's canaries."""
    app = live.make_site_app(tmp_path)
    factories.bind(app)
    world = build_world()
    seed_canaries(world)
    yield app, world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# -- sessions -------------------------------------------------------------------


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


# -- the database as the checks see it ------------------------------------------


def db_fingerprint(app) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the content of every table (read-audit rows and
    export rows aside: a GET may write those)."""
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


def last_audit_id(app) -> int:
    with app.app_context():
        value = db.session.scalar(select(func.max(AuditLog.id))) or 0
        db.session.rollback()
    return value


def reads_since(app, after_id: int) -> list[tuple[int | None, str]]:
    """(user id, resident id) of every NIK read row written after ``after_id``."""
    with app.app_context():
        rows = db.session.execute(
            select(AuditLog.user_id, AuditLog.entity_id)
            .where(AuditLog.id > after_id, AuditLog.action == NIK_READ)
            .order_by(AuditLog.id)
        ).all()
        db.session.rollback()
    return [(user_id, entity_id) for user_id, entity_id in rows]


# -- the recorded crawl ---------------------------------------------------------


@dataclass
class Exchange:
    """One request and what it did (statements and reads: in-process only)."""

    method: str
    url: str
    htmx: bool
    status: int
    text: str
    statements: int | None
    reads: list[tuple[int | None, str]] | None


class RecordingTransport:
    """Any transport, noting each request's statements and NIK read rows."""

    def __init__(self, inner, app):
        self.inner = inner
        self.app = app
        self.in_process = isinstance(inner, FlaskTransport)
        self.exchanges: list[Exchange] = []

    def request(self, method, url, data=None, headers=None):
        if not self.in_process:
            response = self.inner.request(method, url, data, headers)
            statements = reads = None
        else:
            before = last_audit_id(self.app)
            with count_queries(self.app) as log:
                response = self.inner.request(method, url, data, headers)
            statements = log.count
            reads = reads_since(self.app, before)
        self.exchanges.append(
            Exchange(
                method,
                url,
                bool(headers and "HX-Request" in headers),
                response.status,
                response.text,
                statements,
                reads,
            )
        )
        return response


@dataclass
class SiteCrawl:
    """Every GET a role's crawl made, in order, with its exchange."""

    role: str
    visits: list[Visit]
    exchanges: list[Exchange]
    changed: list[str] = field(default_factory=list)  # "GET url changed [tables]"

    def pages(self, statuses=(200,)) -> list[Visit]:
        """The HTML answers with one of these statuses."""
        return [
            v
            for v in self.visits
            if v.response.status in statuses and v.response.is_html
        ]


_recorded: dict[str, SiteCrawl] = {}


def crawl_role(app, world: dict, role: str) -> SiteCrawl:
    """The role's recorded crawl of the site world: made on this test's database
    the first time this process asks, then the same recording. A test asks for
    every recording it needs before it changes its database."""
    if role not in _recorded:
        _recorded[role] = _record(app, world, role)
    return _recorded[role]


def _crawl(app, transport, after_each=None) -> list[Visit]:
    return Crawler(
        transport,
        endpoint_resolver(app),
        max_depth=MAX_DEPTH,
        max_pages=MAX_PAGES,
        after_each=after_each,
    ).run()


def _record(app, world: dict, role: str) -> SiteCrawl:
    transport = RecordingTransport(session_for(role, app, world), app)
    before = db_fingerprint(app)
    visits = _crawl(app, transport)
    crawl = SiteCrawl(role, visits, transport.exchanges)
    if db_fingerprint(app) != before:
        # Some GET changed the database: crawl again, comparing after each
        # request, to name it (only then: a fingerprint costs 10 ms).
        state = db_fingerprint(app)

        def compare(visit: Visit) -> None:
            nonlocal state
            after = db_fingerprint(app)
            if after != state:
                tables = sorted(t for t in after if after[t] != state.get(t))
                crawl.changed.append(f"GET {visit.url} changed {tables}")
                state = after

        _crawl(app, session_for(role, app, world), compare)
        crawl.changed = crawl.changed or ["a GET changed the database"]
    return crawl
