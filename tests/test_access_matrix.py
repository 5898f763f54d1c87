"""Every endpoint x method x role has a declared outcome, and the app keeps to it."""

import importlib
import pkgutil

from flask import url_for

from tests import factories, matrix
from tests.matrix import ROLES

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _modules():
    """Every tests/matrix/<feature>.py module."""
    return [
        importlib.import_module(f"tests.matrix.{info.name}")
        for info in pkgutil.iter_modules(matrix.__path__)
    ]


def _access() -> dict:
    """All declared entries, refusing duplicates across modules."""
    merged = {}
    for module in _modules():
        for key, entry in module.ACCESS.items():
            assert key not in merged, f"{key} declared twice"
            merged[key] = entry
    return merged


def _routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) for every route the app serves, static files aside."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - SKIPPED_METHODS
    }


def build_world() -> dict:
    """Users for every role, Pokja A and B, and each feature's sample records."""
    a, b = factories.pokja("Ciwedus"), factories.pokja("Bendungan")
    w = {
        "A": a,
        "B": b,
        "admin": factories.make_user("admin"),
        "staf": factories.make_user("staf"),
        "pimpinan": factories.make_user("pimpinan"),
        "penyelenggara": factories.make_user("penyelenggara"),
        "penyelenggara_a": factories.make_user("penyelenggara", pokja=a),
        "pokja_a": factories.make_user("pokja", pokja=a),
        "pokja_b": factories.make_user("pokja", pokja=b),
        "deactivated": factories.make_user("staf", active=False),
    }
    for module in _modules():
        if hasattr(module, "world"):
            module.world(w)
    return w


def test_every_route_has_a_matrix_entry(app):
    """A new route without a declared outcome fails here."""
    declared = set(_access())
    served = _routes(app)
    assert sorted(served - declared) == [], "routes missing from tests/matrix"
    assert sorted(declared - served) == [], (
        "matrix entries for routes that do not exist"
    )


def test_every_entry_covers_every_role():
    for key, entry in _access().items():
        assert set(entry.expected) == set(ROLES), key


def test_role_route_matrix(app, client):
    """Request every route as every role and compare with the declared status."""
    world = build_world()
    failures = []
    for (endpoint, method), entry in sorted(_access().items()):
        with app.test_request_context():
            url = url_for(endpoint, **entry.args(world))
        data = entry.data(world) if entry.data else {}
        for role in ROLES:
            client.delete_cookie("kkbweb_session")
            if role != "anonymous":
                factories.put_in_session(client, world[role])
            response = client.open(url, method=method, data=data)
            expected = entry.expected[role]
            if response.status_code != expected:
                got = response.status_code
                failures.append(f"{method} {url} as {role}: {got}, expected {expected}")
    assert failures == []
