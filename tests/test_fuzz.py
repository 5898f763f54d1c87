"""Property-based fuzzing of every form field and URL parameter: never a 5xx.

The forms and parameters are not listed by hand: the crawler (tests/crawl.py)
finds them as each role sees them, so a feature's new forms are fuzzed as soon
as a page links to them. Every example is one request with hostile values
(NUL, Unicode, over-long text, huge and negative numbers, impossible dates,
markup); the app must answer below 500 and, when it shows the form again, keep
what was typed in text fields.

KKBWEB_FUZZ_EXAMPLES (default 20) sets the examples per form and per parameter.
"""

import html
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from kkbweb.auth import views
from kkbweb.extensions import db
from kkbweb.referrals.nik import mask_nik, normalize_nik
from tests import factories
from tests.crawl import Crawler, FlaskTransport, Form, endpoint_resolver, query_params
from tests.test_access_matrix import build_world

EXAMPLES = int(os.environ.get("KKBWEB_FUZZ_EXAMPLES", "20"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_ROLES = ("anonymous", "admin", "staf", "penyelenggara_a", "pokja_a")

SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 50,
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "9" * 30,
    str(2**63),
    str(-(2**63) - 1),
    str(2**64),
    "2024-02-30",
    "2024-13-45",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "24:61",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00%ff",
    "../../etc/passwd",
    "\u202e\u200b\ufeff",
    "😀" * 40,
    "ḁ̴̢̛̖̦̳͎̬̐̅͋̈́",
    "\r\n\t",
    "None",
    "True",
    # Digits to str.isdigit() that int() refuses, and digits int() takes.
    "²",
    "12³",
    "١٢",
    "１２",
    # A well-formed NIK: a search shows it back masked, never whole.
    "3672015708900001",
]
hostile = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=80),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.builds(lambda c, n: c * n, st.sampled_from("xé😀9 "), st.integers(0, 6000)),
)
TYPED_KINDS = ("text", "search", "textarea", "tel", "email")

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _crawl(app, role: str, world: dict):
    client = app.test_client()
    if role != "anonymous":
        factories.put_in_session(client, world[role])
    return Crawler(FlaskTransport(client), endpoint_resolver(app), max_pages=200).run()


def _restore(app, world: dict, role: str, client) -> None:
    """Undo what a fuzzed form may have done to the acting user, then log in."""
    if role == "anonymous":
        client.delete_cookie("kkbweb_session")
        return
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE users SET active = :t, must_change_password = :f WHERE id = :i"
            ),
            {"t": True, "f": False, "i": world[role].id},
        )
        db.session.commit()
    factories.put_in_session(client, world[role])


def _field_strategy(field):
    if field.kind in ("select", "radio") and field.options:
        return st.one_of(st.sampled_from(field.options), hostile)
    if field.kind == "checkbox":
        return st.one_of(st.none(), st.just(field.value or "y"), hostile)
    return hostile


def _fuzz_form(app, world, role, form: Form, client) -> None:
    fields = {f.name: f for f in form.user_fields}
    hidden = [(f.name, f.value) for f in form.fields if f.kind == "hidden"]
    strategy = st.fixed_dictionaries(
        {name: _field_strategy(f) for name, f in fields.items()}
    )

    @FUZZ_SETTINGS
    @given(values=strategy)
    def run(values):
        _restore(app, world, role, client)
        data = hidden + [(k, v) for k, v in values.items() if v is not None]
        if form.method == "GET":
            response = client.get(form.action.split("?")[0], query_string=data)
        else:
            response = client.post(form.action, data=MultiDict(data))
        where = f"{form.method} {form.action} as {role} with {values!r}"
        assert response.status_code < 500, where
        if form.method == "POST" and response.status_code == 200:
            page = html.unescape(response.get_data(as_text=True))
            for name, value in values.items():
                # Control characters may be dropped (NUL at the door, others by
                # the forms' filters) and white space trimmed or folded; a NIK
                # comes back masked; everything else visible must come back.
                if (
                    fields[name].kind in TYPED_KINDS
                    and CONTROL.sub("", value or "").strip()
                ):
                    folded_page = " ".join(page.split())
                    variants = {
                        CONTROL.sub("", value or ""),
                        (value or "").replace("\x00", ""),
                        re.sub(r"[\x00-\x1f\x7f]", "", value or ""),  # one-line fields
                    }
                    if re.fullmatch(r"[0-9]{16}", normalize_nik(value)):
                        variants.add(mask_nik(value))
                    assert any(" ".join(v.split()) in folded_page for v in variants), (
                        f"{where}: {name!r} lost"
                    )

    run()
    # Every special value in every field at once, not left to chance.
    for value in SPECIAL:
        run.hypothesis.inner_test(values={name: value for name in fields})


def _forms_and_params(app, world, roles=FUZZ_ROLES):
    """Forms per role (one per method and action path) and GET URLs with params."""
    forms, urls = {}, {}
    for role in roles:
        for visit in _crawl(app, role, world):
            if visit.endpoint != "static" and query_params(visit.url):
                urls.setdefault((role, visit.endpoint), visit.url)
            for form in visit.forms:
                if form.action.startswith("/auth/logout"):
                    continue
                # One role per form: the same view behind it answers them all.
                key = (form.method, re.sub(r"\d+", "N", form.action))
                forms.setdefault(key, (role, form))
    return forms, urls


@pytest.fixture
def world(app, monkeypatch):
    """The matrix world, with light password hashes: a wrong password is checked
    at the stored hash's cost, and production's scrypt takes 0.35 s a check."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:4096:8:1"
    light = generate_password_hash("kkbweb-dummy-password", method="scrypt:4096:8:1")
    monkeypatch.setattr(views, "_DUMMY_HASH", light)
    return build_world()


# The work is cut into shards (every SHARDS-th item) so that parallel workers
# share it: one long test would keep one worker busy while the other idles.
SHARDS = 3


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_form_field_survives_hostile_values(app, world, shard):
    forms, _ = _forms_and_params(app, world)
    assert len(forms) >= 7, sorted(forms)
    client = app.test_client()
    for _key, (role, form) in sorted(forms.items())[shard::SHARDS]:
        _fuzz_form(app, world, role, form, client)


def _scope(world, role: str) -> str:
    """Who a view answers for: every department-wide role sees the same rows."""
    if role != "anonymous" and world[role].sees_all_pokja:
        return "department"
    return role


# Every role's pages are found, but each view is fuzzed once per scope: staf
# reaches admin's views with the same department-wide rows, so a view is fuzzed
# as the first role (in FUZZ_ROLES order, the crawl's) that reaches it.
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_query_parameter_survives_hostile_values(app, world, shard):
    _, urls = _forms_and_params(app, world)
    todo = {}
    for (role, endpoint), url in urls.items():
        todo.setdefault((_scope(world, role), endpoint), (role, url))
    assert {role for role, _ in todo.values()} >= set(FUZZ_ROLES) - {"staf"}, todo
    client = app.test_client()
    for role, url in list(todo.values())[shard::SHARDS]:
        _fuzz_query(app, world, role, url, client)


def _fuzz_query(app, world, role: str, url: str, client) -> None:
    path = url.split("?")[0]
    names = sorted({name for name, _ in query_params(url)} | {"hal"})

    @FUZZ_SETTINGS
    @given(values=st.fixed_dictionaries({n: hostile for n in names}))
    def run(values):
        _restore(app, world, role, client)
        response = client.get(path, query_string=values)
        assert response.status_code < 500, f"{path} as {role} with {values!r}"
        fragment = client.get(path, query_string=values, headers={"HX-Request": "true"})
        assert fragment.status_code < 500, f"fragment {path} with {values!r}"

    run()
    for value in SPECIAL:
        run.hypothesis.inner_test(values={name: value for name in names})


id_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64]),
)


def test_every_url_id_survives_huge_and_negative_numbers(app, world):
    """Every <int:...> in every rule, as admin and as a Pokja user: 404, never 500."""
    client = app.test_client()
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint != "static"
    ]
    assert rules
    for role in ("admin", "pokja_a"):
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                _fuzz_ids(app, world, role, rule.rule, method, client)


def _fuzz_ids(app, world, role: str, pattern: str, method: str, client) -> None:
    @FUZZ_SETTINGS
    @given(value=id_values)
    def run(value):
        _restore(app, world, role, client)
        path = re.sub(r"<(?:\w+:)?\w+>", str(value), pattern)
        response = client.open(path, method=method)
        assert response.status_code < 500, f"{method} {path} as {role}"

    run()
