"""Headers, CSRF, htmx fragments, health, static caching, bad input (QUALITY.md)."""

import gzip
import html

import pytest
from flask import url_for
from sqlalchemy import text

from kkbweb import create_app
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.test_access_matrix import _routes

HX = {"HX-Request": "true"}


def _assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/auth/login", "/healthz", "/tidak-ada", "/"])
def test_security_headers_on_anonymous_responses(client, path):
    _assert_security_headers(client.get(path))


def test_authenticated_pages_are_not_stored(login_as):
    client = login_as(factories.make_user("admin"))
    for path in ["/", "/audit/", "/auth/users", "/pokja/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]
        _assert_security_headers(response)


def test_session_cookie_flags(app, auth, client):
    factories.make_user("staf", username="agus")
    response = auth.login("agus")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_when_configured(tmp_path, _postgres_schema):
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    factories.bind(app)
    factories.make_user("staf", username="agus")
    response = app.test_client().post(
        "/auth/login", data={"username": "agus", "password": factories.PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def _sample_args(rule) -> dict:
    """A value each URL argument accepts: 1, or the first choice of an any()."""
    return {
        arg: sorted(getattr(converter, "items", None) or [1])[0]
        for arg, converter in rule._converters.items()
    }


def test_csrf_is_enforced_on_every_post_route(tmp_path, _postgres_schema):
    """With CSRF on (as in production), every POST without a token is refused."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    factories.bind(app)
    admin = factories.make_user("admin")
    client = app.test_client()
    factories.put_in_session(client, admin)
    posts = sorted(endpoint for endpoint, method in _routes(app) if method == "POST")
    assert "auth.login" in posts
    for endpoint in posts:
        rule = next(app.url_map.iter_rules(endpoint))
        with app.test_request_context():
            path = url_for(endpoint, **_sample_args(rule))
        response = client.post(path, data={"username": "x", "password": "y"})
        assert response.status_code == 400, f"{endpoint} accepted a POST without CSRF"
        assert "Formulir kedaluwarsa" in response.get_data(as_text=True), path


def test_csrf_token_in_htmx_header_is_accepted(tmp_path, _postgres_schema):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    factories.bind(app)
    client = app.test_client()
    factories.put_in_session(client, factories.make_user("staf"))
    page = html.unescape(client.get("/").get_data(as_text=True))
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post("/auth/logout", headers={"X-CSRFToken": token, **HX})
    assert response.status_code == 303


def test_fragment_or_full_page_with_vary(login_as):
    client = login_as(factories.make_user("admin"))
    full = client.get("/audit/")
    fragment = client.get("/audit/", headers=HX)
    boosted = client.get("/audit/", headers={**HX, "HX-Boosted": "true"})
    restore = client.get(
        "/audit/", headers={**HX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in full.get_data(as_text=True)
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="audit-rows">')
    assert "<html" in boosted.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)
    for response in (full, fragment):
        assert "HX-Request" in response.headers["Vary"]


def test_logged_out_htmx_request_gets_hx_redirect(client):
    response = client.get("/audit/", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")
    assert response.get_data() == b""


def test_htmx_config_is_in_a_meta_tag_and_history_cache_is_off(client):
    page = html.unescape(client.get("/auth/login").get_data(as_text=True))
    assert '<meta name="htmx-config"' in page
    assert '"historyCacheSize": 0' in page
    assert "<script>" not in page and 'style="' not in page


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data() == b"ok"


def test_healthz_503_when_the_database_is_gone(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_static_files_are_fingerprinted_and_immutable(client):
    page = client.get("/auth/login").get_data(as_text=True)
    css_url = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "?v=" in css_url
    response = client.get(css_url)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_budgets_for_css_and_js(client):
    page = client.get("/auth/login").get_data(as_text=True)
    css = client.get(page.split('rel="stylesheet" href="')[1].split('"')[0]).get_data()
    js = client.get(page.split('<script src="')[1].split('"')[0]).get_data()
    assert len(gzip.compress(css)) <= 20 * 1024
    assert len(gzip.compress(js)) <= 20 * 1024


def test_responses_are_compressed(login_as):
    client = login_as(factories.make_user("admin"))
    response = client.get("/audit/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]


def test_no_cdn_and_vendored_htmx_licence(app):
    from pathlib import Path

    static = Path(app.static_folder)
    assert (static / "vendor" / "htmx.LICENSE").exists()
    assert b"htmx" in (static / "vendor" / "htmx-2.0.11.min.js").read_bytes()[:200]


@pytest.mark.parametrize(
    "path",
    [
        "/pokja/99999999999999999999999999",
        "/pokja/-1",
        "/pokja/0",
        "/auth/users/18446744073709551616",
        "/pokja/abc",
        "/audit/?hal=99999999999999999999999",
        "/audit/?hal=-4&dari=2024-13-45&sampai=%00",
        "/audit/?aksi=%00%00&pengguna=" + "x" * 5000,
    ],
)
def test_silly_ids_and_parameters_never_give_500(login_as, path):
    client = login_as(factories.make_user("admin"))
    assert client.get(path).status_code in (200, 404)


def test_bodies_over_the_limit_get_413(tmp_path, _postgres_schema):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/auth/login", data={"username": "x" * 4096})
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_unexpected_errors_get_the_indonesian_500_page(tmp_path, _postgres_schema):
    app = make_app(tmp_path, TESTING=False)

    @app.get("/rusak")
    def broken():
        raise RuntimeError("boom")

    response = app.test_client().get("/rusak")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.get_data(as_text=True)


def test_error_pages_are_indonesian(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_audit_log_is_append_only(app):
    factories.make_user("admin")
    with app.app_context():
        db.session.add(AuditLog(action="x"))
        db.session.commit()
        for statement in ("UPDATE audit_log SET action = 'y'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()


def test_nul_bytes_in_forms_are_harmless(login_as):
    client = login_as(factories.make_user("admin"))
    response = client.post(
        "/pokja/new",
        data={"display_name": "Nama\x00Aneh", "official_name": "\x00", "code": "\x00"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Isi kode kelurahan" in body and "NamaAneh" in body
