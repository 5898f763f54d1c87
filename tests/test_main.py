"""The bench floor route: only in bench mode (was the matrix entry main.bench_ok)."""

from kkbweb.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.matrix import ROLES
from tests.test_access_matrix import build_world


def test_bench_floor_is_absent_outside_bench_mode(app, client):
    """Every role gets 404 at /bench/ok: the blueprint is not registered."""
    assert "bench.ok" not in {rule.endpoint for rule in app.url_map.iter_rules()}
    world = build_world()
    statuses = {}
    for role in ROLES:
        client.delete_cookie("kkbweb_session")
        if role != "anonymous":
            factories.put_in_session(client, world[role])
        statuses[role] = client.get("/bench/ok").status_code
    assert statuses == dict.fromkeys(ROLES, 404)


def test_bench_floor_answers_in_bench_mode(tmp_path, _postgres_schema):
    app = make_app(tmp_path, BENCH_MODE=True)
    response = app.test_client().get("/bench/ok")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 200 and response.get_data() == b"ok"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
