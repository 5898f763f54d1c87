"""Property-based fuzzing of every form field and URL parameter: never a 5xx.

The forms and parameters are not listed by hand: each role's recorded crawl
(tests/sitecrawl.py) finds them as the role sees them, so a feature's new forms
are fuzzed as soon as a page links to them. Every example is one request with
hostile values (NUL, Unicode, over-long text, huge and negative numbers,
impossible dates, markup, NIKs written grouped); the app must answer below 500
and, when it shows the form again, keep what was typed in text fields. Each form
is also sent the way no browser sends it (every text field as a file part, a
nested JSON body), every file field gets an image too large to decode, and every
export is made from admin-typed names full of control characters, quotes and
dashes.

KKBWEB_FUZZ_EXAMPLES (default 20) sets the examples per form and per parameter.
"""

import html
import io
import json
import os
import re
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import String, Text, func, select, text
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from kkbweb.auth import views
from kkbweb.extensions import db
from kkbweb.nik import mask_nik, normalize_nik
from tests import factories, xlsx_files
from tests.crawl import Form, query_params
from tests.sitecrawl import crawl_role, site  # noqa: F401  (site: a fixture)
from tests.test_access_matrix import _access

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
    # A well-formed NIK: a search shows it back masked, never whole; written
    # grouped, as people copy it from a KK, it is the same NIK.
    "3672015708900001",
    "3672-0157-0890-0001",
    "3672 0157 0890 0001",
    "3672.0157.0890.0001",
]
hostile = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=80),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.builds(lambda c, n: c * n, st.sampled_from("xé😀9 "), st.integers(0, 6000)),
)
TYPED_KINDS = ("text", "search", "textarea", "tel", "email")

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


@dataclass(frozen=True)
class FileUpload:
    """A file part for a file field, built afresh for every request."""

    kind: str
    filename: str
    content: Callable[[], bytes] = field(repr=False)

    def part(self):
        return io.BytesIO(self.content()), self.filename


# What a file field is sent besides hostile text: every upload route must
# answer these with a message, never a 5xx (the bomb: 95 KiB, 36 MB unpacked).
FILE_UPLOADS = [
    FileUpload("zip bomb xlsx", "anggota.xlsx", xlsx_files.bomb),
    FileUpload("zip, not xlsx", "anggota.xlsx", lambda: xlsx_files.package({"a": "a"})),
    FileUpload("empty", "kosong.csv", bytes),
    FileUpload("NUL bytes as csv", "anggota.csv", lambda: b"\x00" * 64),
    FileUpload("no name", "", lambda: b"Nama;L/P\nSiti;P\n"),
]


FILE_SECONDS = 5.0


def _sent(value):
    return value.part() if isinstance(value, FileUpload) else value


def _field_strategy(field):
    if field.kind == "file":
        return st.one_of(st.sampled_from(FILE_UPLOADS), hostile)
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
        data = hidden + [(k, _sent(v)) for k, v in values.items() if v is not None]
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
    # And every kind of file in every file field, the other fields as the page
    # fills them (so that the upload is read, not stopped by a bad select).
    files = [name for name, f in fields.items() if f.kind == "file"]
    defaults = dict(form.defaults())
    for upload in FILE_UPLOADS if files else ():
        start = time.thread_time()  # CPU: a busy machine does not inflate it
        run.hypothesis.inner_test(
            values={
                name: upload if name in files else defaults.get(name) for name in fields
            }
        )
        # Loose: the bomb cost 13 s when openpyxl unpacked it; refused, 0.3 s.
        seconds = time.thread_time() - start
        assert seconds < FILE_SECONDS, f"{form.action}: {upload.kind} {seconds:.1f} s"


def _forms_and_params(app, world, roles=FUZZ_ROLES):
    """Forms per role (one per method and action path) and GET URLs with params."""
    forms, urls = {}, {}
    for role in roles:
        for visit in crawl_role(app, world, role).visits:
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
def app(site):
    """The canary world's app: its recorded crawls (tests/sitecrawl.py) say
    which forms and parameters there are."""
    return site[0]


@pytest.fixture
def world(site, monkeypatch):
    """The canary world, with light password hashes: a wrong password is checked
    at the stored hash's cost, and production's scrypt takes 0.35 s a check."""
    app, world = site
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:4096:8:1"
    light = generate_password_hash("kkbweb-dummy-password", method="scrypt:4096:8:1")
    monkeypatch.setattr(views, "_DUMMY_HASH", light)
    return world


# The work is cut into shards (every SHARDS-th item) so that parallel workers
# share it: one long test would keep one worker busy while the other idles.
SHARDS = 3


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_form_field_survives_hostile_values(app, world, shard):
    forms, _ = _forms_and_params(app, world)
    assert len(forms) >= 7, sorted(forms)
    # The member import's file field at least: it gets FILE_UPLOADS.
    assert any(f.kind == "file" for _, form in forms.values() for f in form.fields)
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

    # A GET changes nothing (the sweep checks it), so one log-in serves them all.
    _restore(app, world, role, client)

    @FUZZ_SETTINGS
    @given(values=st.fixed_dictionaries({n: hostile for n in names}))
    def run(values):
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


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_url_id_survives_huge_and_negative_numbers(app, world, shard):
    """Every <int:...> in every rule, as admin and as a Pokja user: 404, never 500."""
    client = app.test_client()
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint != "static"
    ]
    assert rules
    todo = [
        (role, rule.rule, method)
        for role in ("admin", "pokja_a")
        for rule in sorted(rules, key=lambda r: r.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    for role, pattern, method in todo[shard::SHARDS]:
        _fuzz_ids(app, world, role, pattern, method, client)


def _fuzz_ids(app, world, role: str, pattern: str, method: str, client) -> None:
    if method == "GET":  # it changes nothing: one log-in serves every example
        _restore(app, world, role, client)

    @FUZZ_SETTINGS
    @given(value=id_values)
    def run(value):
        if method != "GET":
            _restore(app, world, role, client)
        path = re.sub(r"<(?:\w+:)?\w+>", str(value), pattern)
        response = client.open(path, method=method)
        assert response.status_code < 500, f"{method} {path} as {role}"

    run()


# --- requests no browser sends ---------------------------------------------------


def _huge_png() -> bytes:
    """A PNG whose header claims 9400 x 9400 RGBA pixels (353 MB decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 9400, 9400, 8, 6, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 100))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


NESTED_JSON = [{"$ne": 1}, [[1, 2]], [None], {"a": {"b": []}}, [1, {"x": 2}]]


def _text_columns():
    """Every string column of the schema, as (table, column) pairs."""
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | Text)
    ]


def _stored_file_objects(app) -> list[str]:
    """Rows anywhere in the database holding a FileStorage's repr as text."""
    found = []
    with app.app_context():
        for table, column in _text_columns():
            count = db.session.scalar(
                select(func.count())
                .select_from(table)
                .where(column.like("%FileStorage%"))
            )
            if count:
                found.append(f"{table.name}.{column.name}: {count}")
    return found


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_form_survives_file_parts_nested_json_and_huge_images(app, world, shard):
    forms, _ = _forms_and_params(app, world)
    client = app.test_client()
    posts = [(role, form) for role, form in forms.values() if form.method == "POST"]
    for role, form in sorted(posts, key=lambda p: p[1].action)[shard::SHARDS]:
        defaults = [(k, v) for k, v in form.defaults() if v is not None]
        texts = [f.name for f in form.user_fields if f.kind in TYPED_KINDS]
        files = [f.name for f in form.fields if f.kind == "file"]
        for name in texts:
            # The one text field arrives as a file part (multipart filename=).
            _restore(app, world, role, client)
            data = MultiDict([(k, v) for k, v in defaults if k != name])
            data.add(name, (io.BytesIO(b"Siti Aminah"), "nama.txt"))
            response = client.post(
                form.action, data=data, content_type="multipart/form-data"
            )
            where = f"{form.action} as {role}: {name} as a file part"
            assert response.status_code < 500, where
            assert "FileStorage" not in response.get_data(as_text=True), where
        for nested in NESTED_JSON:
            _restore(app, world, role, client)
            body = dict(defaults)
            body.update({f.name: nested for f in form.user_fields})
            response = client.post(
                form.action, data=json.dumps(body), content_type="application/json"
            )
            assert response.status_code < 500, f"{form.action} as {role}: {nested!r}"
        for name in files:
            _restore(app, world, role, client)
            data = MultiDict(defaults)
            data.add(name, (io.BytesIO(_huge_png()), "layar.png"))
            response = client.post(
                form.action, data=data, content_type="multipart/form-data"
            )
            assert response.status_code < 500, f"{form.action}: 9400 px PNG"
    assert _stored_file_objects(app) == []


# --- exports of admin-typed names -------------------------------------------------

# What an admin may have typed before input was checked, or pasted from a
# document: control characters, quotes that end a header, dashes, a formula.
POISON = '\x01Kebon\x1f \u2014 "Dalem"; filename*=x.html =1+1'
EXPORT_FORMATS = {"fmt": ("csv", "xlsx"), "format": ("csv", "xlsx", "portal")}


def _poison_names(app) -> None:
    """Put the poison in every Pokja name and every user's full name."""
    with app.app_context():
        db.session.execute(
            text("UPDATE pokja SET display_name = :p || id, official_name = :p || id"),
            {"p": POISON},
        )
        db.session.execute(text("UPDATE users SET full_name = :p"), {"p": POISON})
        db.session.commit()


def test_every_export_survives_hostile_admin_typed_names(app, world):
    """Every export route in the role x route matrix, in every format, as the
    first role allowed: a download with a safe header, never a 500."""
    _poison_names(app)
    client = app.test_client()
    exports = {key: entry for key, entry in _access().items() if "export" in key[0]}
    assert len(exports) >= 5, sorted(exports)
    downloads = 0
    for (endpoint, method), entry in sorted(exports.items()):
        role = next(r for r, status in entry.expected.items() if status == 200)
        args = entry.args(world)
        data = entry.data(world) if entry.data else {}
        for key, formats in EXPORT_FORMATS.items():
            if key not in args and key not in data:
                continue
            for fmt in formats:
                _restore(app, world, role, client)
                with app.test_request_context():
                    url = url_for(
                        endpoint, **{**args, **({key: fmt} if key in args else {})}
                    )
                body = {**data, key: fmt} if key in data else data
                response = client.open(url, method=method, data=body)
                where = f"{method} {url} ({fmt}) as {role}"
                assert response.status_code < 500, where
                if response.status_code != 200:
                    continue
                header = response.headers.get("Content-Disposition", "")
                assert header.count("filename*=") <= 1, where
                assert not re.search(r"[\x00-\x1f\x7f]", header), where
                downloads += 1
                if response.mimetype.endswith("sheet"):
                    load_workbook(io.BytesIO(response.data))
    assert downloads >= 2 * len(exports)
