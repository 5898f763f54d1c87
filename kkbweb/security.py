"""Sessions, login loading, security headers and static-file fingerprints."""

import hashlib
import time
from functools import cache

from flask import Flask, current_app, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature
from werkzeug.middleware.proxy_fix import ProxyFix

from kkbweb.extensions import login_manager
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
# An unchanged session cookie is signed afresh (its 12-hour expiry slides) once
# it is this old, not on every response: re-signing was a fifth of the fixed
# cost of a signed-in request. A session then ends 12 hours after the last
# request, give or take this much.
SESSION_RESIGN_AFTER = 60  # seconds
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
    app.session_interface = SlidingSessionInterface()
    app.before_request(_force_password_change)
    app.after_request(_security_headers)
    app.url_defaults(_fingerprint_static)


class SlidingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, re-signed when changed or SESSION_RESIGN_AFTER old.

    Flask's default (SESSION_REFRESH_EACH_REQUEST) signs and sends the cookie of
    a permanent session with every response to move its expiry. The expiry is
    read from the signature's timestamp (max_age, checked on every request as
    before), so re-signing a cookie signed a minute ago moves it by a minute:
    nothing a user notices, and most requests skip the HMAC and the header.
    """

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        # One serializer per key set, not one per request.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                self._serializers = {keys: serializer}
        return serializer

    def open_session(self, app: Flask, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(
                value, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= SESSION_RESIGN_AFTER


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
