"""Fixtures for real-browser tests: Debian's Chromium driven by Playwright.

We never run ``playwright install`` (it downloads a browser build, which this
network refuses); ``.ci/install-system.sh`` installs Debian's ``chromium``.
The only app interface used is the ``app`` fixture of ``tests/conftest.py``.

- ``live_server`` serves ``app`` on 127.0.0.1 in a thread and yields its base URL.
  Requests are answered in other threads: give the test config a SQLite file
  (e.g. under ``tmp_path``), not ``sqlite://`` in memory.
- ``phone_page`` / ``nojs_page``: a 360x640 Android-like phone (id-ID, WIB),
  the second with JavaScript off, as Opera Mini in data-saving mode.
- ``snap(page, name)`` saves a screenshot; a failing test saves one by itself.
  Both go to ``tests/browser/screenshots/`` (git-ignored).
- ``throttle(page, "regular3g")`` applies Lighthouse's Regular 3G or Slow 4G.
- ``site`` (one per test module): the app with the 12 Pokja, CSRF on as in
  production, served on 127.0.0.1 in a thread -- or, with ``KKBWEB_LIVE_URL``
  (``.ci/run``'s gunicorn run, see tests/live.py), the external server and its
  database. ``site.user(role, ...)`` makes a user, ``site.url(endpoint)`` an
  absolute URL, ``site.login(page, user)`` logs in through the form.

Environment: ``KKBWEB_REQUIRE_BROWSER=1`` turns a missing Chromium from a skip
into an error (CI sets it); ``KKBWEB_CHROMIUM`` overrides the executable path.
"""

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import text
from werkzeug.serving import make_server

from kkbweb.extensions import db
from tests import factories, live

try:
    from playwright.sync_api import Browser, Page, sync_playwright
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # reported by the `browser` fixture, not at collection time
    sync_playwright = None
    PlaywrightError = OSError

CHROMIUM = os.environ.get("KKBWEB_CHROMIUM", "/usr/bin/chromium")
# Playwright already passes most of these; they are listed so the launch does
# not depend on its defaults. Without the networking ones Chromium keeps
# calling Google's hosts, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Android's system-ui is Roboto; here it would be DejaVu Sans, about 10 % wider.
# Chromium resolves system-ui as fontconfig's sans-serif, so preferring Roboto
# there makes `font-family: system-ui` wrap lines as on a phone.
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="strong">
    <family>sans-serif</family><prefer><family>Roboto</family></prefer>
  </alias>
</fontconfig>
"""
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Generous for a throttled page, short enough that a wrong selector fails fast.
DEFAULT_TIMEOUT_MS = 10_000
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}
# Lighthouse's DevTools presets: RTT x 3.75 as request latency, throughput x 0.9,
# in bytes per second (kbit * 1024 / 8), CPU slowed 4x.
NETWORK_PROFILES = {
    "regular3g": {"latency": 1125, "down": 80_640, "up": 80_640, "cpu": 4},
    "slow4g": {"latency": 562.5, "down": 188_743.68, "up": 86_400, "cpu": 4},
}
_REPORTS = pytest.StashKey[dict]()


def _browser_required() -> bool:
    """Tell whether a missing browser must fail the run instead of skipping."""
    return os.environ.get("KKBWEB_REQUIRE_BROWSER", "") not in ("", "0")


def _safe_name(name: str) -> str:
    """Turn a test id such as ``test_x[a/b]`` into a file name."""
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


def _screenshot(page: "Page", name: str) -> Path:
    """Save a full-page screenshot of ``page`` under ``SCREENSHOTS``."""
    SCREENSHOTS.mkdir(exist_ok=True)  # git-ignored in the root .gitignore
    path = SCREENSHOTS / f"{_safe_name(name)}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item so fixtures can see a failure."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    """Tell whether the setup or call phase of ``node`` failed."""
    reports = node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


def _missing(reason: str) -> None:
    """Skip, or fail when KKBWEB_REQUIRE_BROWSER is set, for a missing browser."""
    if _browser_required():
        pytest.fail(f"{reason}, and KKBWEB_REQUIRE_BROWSER is set", pytrace=False)
    pytest.skip(f"{reason}: run .ci/install-system.sh (browser tests skipped)")


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator["Browser"]:
    """Launch Debian's headless Chromium once per session."""
    if sync_playwright is None:
        _missing("the Python package playwright is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} not found")
    fonts = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    fonts.write_text(FONTCONFIG)
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _browser_first(browser: "Browser") -> None:
    """Skip every test here before the app is built when there is no browser."""


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 and yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits for it, at every test's teardown.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def live_url(app: Flask, live_server: str) -> Callable[..., str]:
    """Return ``url_for`` giving absolute URLs on the live server."""

    def build(endpoint: str, **values) -> str:
        with app.test_request_context(base_url=live_server):
            return url_for(endpoint, _external=True, **values)

    return build


@pytest.fixture
def browser_errors() -> list[str]:
    """Collect console errors and uncaught exceptions of this test's pages."""
    return []


def _open_page(
    browser: "Browser",
    request: pytest.FixtureRequest,
    errors: list[str],
    label: str,
    **options,
) -> Iterator["Page"]:
    """Open a phone context and page; on failure screenshot it before closing."""
    context = browser.new_context(**PHONE, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            errors.append(f"{label} console: {m.text}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"{label} pageerror: {e}"))
    try:
        yield page
    finally:
        if _failed(request.node):
            name = request.node.name
            if label != "phone":
                name = f"{name}--{label}"
            try:
                print(f"screenshot: {_screenshot(page, name)}")
            except (PlaywrightError, OSError) as exc:  # must not hide the failure
                print(f"screenshot failed: {exc}")
            print(*(e for e in errors if e.startswith(label)), sep="\n")
        context.close()


@pytest.fixture
def phone_page(
    browser: "Browser", request: pytest.FixtureRequest, browser_errors: list[str]
) -> Iterator["Page"]:
    """A page on a 360x640 touch phone, Bahasa Indonesia, WIB."""
    yield from _open_page(browser, request, browser_errors, "phone")


@pytest.fixture
def nojs_page(
    browser: "Browser", request: pytest.FixtureRequest, browser_errors: list[str]
) -> Iterator["Page"]:
    """The same phone with JavaScript off, as Opera Mini in data-saving mode."""
    yield from _open_page(
        browser, request, browser_errors, "nojs", java_script_enabled=False
    )


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Callable[["Page", str], Path]:
    """Return ``snap(page, name)``, saving ``<test>--<name>.png``; gives its path."""

    def take(page: "Page", name: str) -> Path:
        return _screenshot(page, f"{request.node.name}--{name}")

    return take


@pytest.fixture
def throttle() -> Callable[["Page", str], None]:
    """Return ``throttle(page, profile)`` slowing network and CPU like Lighthouse."""

    def apply(page: "Page", profile: str = "regular3g") -> None:
        p = NETWORK_PROFILES[profile]
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": p["latency"],
                "downloadThroughput": p["down"],
                "uploadThroughput": p["up"],
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": p["cpu"]})

    return apply


class Site:
    """The app under test as a browser sees it: base URL, users, login."""

    def __init__(self, app: Flask, base_url: str):
        self.app = app
        self.base_url = base_url
        self._made = 0

    def url(self, endpoint: str, **values) -> str:
        """An absolute URL on the served app."""
        with self.app.test_request_context(base_url=self.base_url):
            return url_for(endpoint, _external=True, **values)

    def user(self, role: str = "pokja", username: str = "", **options):
        """A user (tests/factories.py ``make_user``) in the served database.

        The module shares one database: the username gets a unique suffix.
        """
        factories.bind(self.app)
        self._made += 1
        username = f"{username or role}.{self._made}"
        return factories.make_user(role, username=username, **options)

    def sql(self, statement: str, **params):
        """Run one SQL statement on the served database; return all rows."""
        with self.app.app_context():
            result = db.session.execute(text(statement), params)
            rows = result.all() if result.returns_rows else []
            db.session.commit()
        return rows

    def login(self, page: "Page", username: str, password: str = factories.PASSWORD):
        """Log in through the login form, as a person would (taps, typing)."""
        page.goto(self.url("auth.login"))
        tap(page, page.get_by_label("Nama pengguna", exact=True))
        page.get_by_label("Nama pengguna", exact=True).fill(username)
        tap(page, page.get_by_label("Kata sandi", exact=True))
        page.get_by_label("Kata sandi", exact=True).fill(password)
        with page.expect_navigation():
            tap(page, page.get_by_role("button", name="Masuk"))


def tap(page: "Page", locator) -> None:
    """Tap on a touch context, click otherwise."""
    if page.evaluate("navigator.maxTouchPoints > 0"):  # read-only, works without JS
        locator.tap()
    else:
        locator.click()


@pytest.fixture(scope="module")
def site(
    browser: "Browser", tmp_path_factory: pytest.TempPathFactory, _postgres_schema
) -> Iterator[Site]:
    """The app for one test module: in a thread here, or the external live server."""
    tmp = tmp_path_factory.mktemp("site")
    # CSRF on, as in production. A lighter scrypt than production's (0.35 s a
    # hash here) for passwords set during the tests: logins stay fast, and the
    # production strength is tested in tests/test_auth.py.
    app = live.make_site_app(
        tmp, WTF_CSRF_ENABLED=True, PASSWORD_HASH_METHOD="scrypt:4096:8:1"
    )
    factories.bind(app)
    if live.live():
        yield Site(app, live.LIVE_URL)
    else:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield Site(app, f"http://127.0.0.1:{server.port}")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["js", "nojs"])
def any_page(request: pytest.FixtureRequest) -> "Page":
    """The phone page with JavaScript on, then off (the same test runs twice)."""
    return request.getfixturevalue(
        "phone_page" if request.param == "js" else "nojs_page"
    )


def real_errors(errors: list[str], allowed: tuple[str, ...] = ()) -> list[str]:
    """Console errors, less those a test expects (e.g. a 401 answer)."""
    return [e for e in errors if not any(a in e for a in allowed)]
