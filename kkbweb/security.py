"""Sessions, login loading, security headers and static-file fingerprints."""

import hashlib
from functools import cache

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from kkbweb.auth.models import User
from kkbweb.extensions import db, login_manager
from kkbweb.htmx import hx_redirect, is_htmx

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# Endpoints a user who must change their password can still reach.
PASSWORD_CHANGE_ALLOWED = frozenset(
    {"auth.change_password", "auth.logout", "static", "main.healthz"}
)


def init_app(app: Flask) -> None:
    """Install login loading, header rules and static fingerprints."""
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_force_password_change)
    app.after_request(_security_headers)
    app.url_defaults(_fingerprint_static)


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """Load the user only if the session's version is still current."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    """Send anonymous users to the login page; htmx gets a full-page redirect."""
    target = url_for("auth.login", next=_local_path_for_next())
    if is_htmx():
        response = hx_redirect(target)
        response.status_code = 401
        return response
    flash(login_manager.login_message, "info")
    return redirect(target)


def _local_path_for_next() -> str | None:
    """The page to come back to after login; for htmx, the page that asked."""
    if request.method != "GET" or is_htmx():
        return None
    return request.full_path.rstrip("?")


def _force_password_change():
    """Make users whose password was set by an admin choose their own first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ALLOWED
    ):
        return hx_redirect(url_for("auth.change_password"))
    return None


def _security_headers(response):
    """Add the QUALITY.md headers to every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint == "static" and request.args.get("v"):
        # The URL changes whenever the file does (see _fingerprint_static).
        response.cache_control.no_cache = None  # send_file's; no revalidation
        response.cache_control.public = True
        response.cache_control.max_age = 31536000
        response.cache_control.immutable = True
    elif request.endpoint != "static":
        # Dynamic pages may hold personal data: never keep them in any cache.
        response.cache_control.no_store = True
    return response


def _fingerprint_static(endpoint: str, values: dict) -> None:
    """Add ?v=<content hash> to every url_for('static', ...)."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        values["v"] = _file_hash(current_app.static_folder, values["filename"])


@cache
def _file_hash(folder: str, filename: str) -> str:
    """Short content hash of a static file (cached: files only change on deploy)."""
    try:
        with open(f"{folder}/{filename}", "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:12]
    except OSError:
        return "0"
