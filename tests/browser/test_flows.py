"""The foundation's flows in real Chromium on a 360x640 phone, JavaScript on and off.

Every flow runs twice (``any_page``): with JavaScript (htmx boosts links and
forms) and without it (Opera Mini in data-saving mode: plain forms, PRG). A page
that breaks the CSP, or any script error, shows up as a console error: none is
allowed. Features add their flows in their own test modules with the same
fixtures (``site``, ``any_page``, ``snap``).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, real_errors, tap

pytestmark = pytest.mark.browser

NEW_PASSWORD = "sepeda-merah-di-pasar"


def open_menu(page: Page) -> None:
    """Open the phone menu (a <details>: works without JavaScript too)."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        tap(page, menu.locator("summary"))
    expect(menu.locator("nav")).to_be_visible()


def test_login_on_a_phone(site: Site, any_page: Page, browser_errors, snap):
    page = any_page
    user = site.user("staf", username="staf.login")
    page.goto(site.url("auth.login"))
    expect(page).to_have_title(re.compile("Masuk"))
    assert page.evaluate("innerWidth") == 360
    snap(page, "login")
    site.login(page, user.username)
    expect(page).to_have_url(site.url("main.index"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kampung KB Kota Cilegon")
    snap(page, "home")
    assert browser_errors == []


def test_wrong_password_keeps_the_username_and_says_why(
    site: Site, any_page: Page, browser_errors
):
    page = any_page
    user = site.user("staf", username="staf.salah")
    site.login(page, user.username, "bukan-kata-sandinya")
    expect(page.get_by_role("alert")).to_contain_text(
        "Nama pengguna atau kata sandi salah"
    )
    expect(page.get_by_label("Nama pengguna", exact=True)).to_have_value(user.username)
    assert browser_errors == []


def test_change_password_flow(site: Site, any_page: Page, browser_errors, snap):
    """A password set by the admin must be replaced at first login; then it works."""
    page = any_page
    user = site.user("pokja", pokja="Ciwedus", must_change_password=True)
    site.login(page, user.username)
    expect(page).to_have_url(site.url("auth.change_password"))
    # Any other page sends the user back here until the password is changed.
    page.goto(site.url("main.index"))
    expect(page).to_have_url(site.url("auth.change_password"))
    page.get_by_label("Kata sandi sekarang", exact=True).fill("kata-sandi-uji-123")
    page.get_by_label("Kata sandi baru", exact=True).fill("pendek")
    page.get_by_label("Ulangi kata sandi baru", exact=True).fill("pendek")
    with page.expect_navigation():
        tap(page, page.get_by_role("button", name="Simpan kata sandi"))
    expect(page.locator(".error").first).to_contain_text("minimal 10 karakter")
    snap(page, "error")
    page.get_by_label("Kata sandi sekarang", exact=True).fill("kata-sandi-uji-123")
    page.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru", exact=True).fill(NEW_PASSWORD)
    with page.expect_navigation():
        tap(page, page.get_by_role("button", name="Simpan kata sandi"))
    expect(page.locator(".flash-success")).to_have_text("Kata sandi berhasil diganti.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pokja Ciwedus")

    # Log out and back in with the new password.
    open_menu(page)
    with page.expect_navigation():
        tap(page, page.get_by_role("button", name="Keluar"))
    expect(page.locator(".flash-info")).to_have_text("Anda telah keluar.")
    site.login(page, user.username, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Pokja Ciwedus")
    assert browser_errors == []


def test_admin_creates_a_pokja_user_who_sees_only_their_pokja(
    site: Site, any_page: Page, browser_errors, snap, request
):
    page = any_page
    js = request.node.callspec.params["any_page"] == "js"
    admin = site.user("admin")
    username = f"siti.bendungan.{'js' if js else 'nojs'}"
    site.login(page, admin.username)
    open_menu(page)
    tap(page, page.get_by_role("link", name="Pengguna"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengguna")
    tap(page, page.get_by_role("link", name="+ Pengguna baru"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengguna baru")
    page.get_by_label("Nama pengguna", exact=True).fill(username)
    page.get_by_label("Nama lengkap", exact=True).fill("Siti Rahmawati")
    page.get_by_label("Peran", exact=True).select_option("pokja")
    page.get_by_label("Pokja", exact=True).select_option(label="Bendungan")
    page.get_by_label("Kata sandi awal", exact=True).fill("awal-dari-admin-1")
    snap(page, "user-form")
    tap(page, page.get_by_role("button", name="Simpan"))
    expect(page.locator(".flash-success")).to_have_text(f"Pengguna {username} dibuat.")
    expect(page).to_have_url(site.url("auth.users"))
    rows = site.sql(
        "SELECT role, must_change_password FROM users WHERE username = :u", u=username
    )
    assert [tuple(r) for r in rows] == [("pokja", True)]

    open_menu(page)
    with page.expect_navigation():
        tap(page, page.get_by_role("button", name="Keluar"))
    site.login(page, username, "awal-dari-admin-1")
    expect(page).to_have_url(site.url("auth.change_password"))
    page.get_by_label("Kata sandi sekarang", exact=True).fill("awal-dari-admin-1")
    page.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru", exact=True).fill(NEW_PASSWORD)
    with page.expect_navigation():
        tap(page, page.get_by_role("button", name="Simpan kata sandi"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pokja Bendungan")
    snap(page, "pokja-home")

    # The menu offers nothing of the admin's, and another Pokja is "not found".
    open_menu(page)
    menu = page.locator("details.menu nav")
    for label in ("Pengguna", "Pokja", "Audit"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)
    ciwedus = site.sql("SELECT id FROM pokja WHERE display_name = 'Ciwedus'")[0][0]
    answer = page.goto(site.url("pokja.detail", pokja_id=ciwedus))
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
    answer = page.goto(site.url("auth.users"))
    assert answer.status == 403
    # Chromium logs the 404 and 403 answers themselves as console errors.
    assert real_errors(browser_errors, ("status of 404", "status of 403")) == []


def test_logged_out_htmx_request_lands_on_the_login_page(
    site: Site, phone_page: Page, browser_errors, snap
):
    """A session ended on the server: the htmx filter navigates to the full login
    page instead of swapping it into the table."""
    page = phone_page
    admin = site.user("admin")
    site.login(page, admin.username)
    page.goto(site.url("audit.index"))
    expect(page.locator("#audit-rows")).to_be_visible()
    # The filter works while logged in: an htmx swap, no navigation.
    page.evaluate("window.__same_document = true")
    page.get_by_label("Aksi (awalan)", exact=True).fill("login")
    page.get_by_label("Aksi (awalan)", exact=True).press("Tab")
    expect(page).to_have_url(re.compile(r"aksi=login"))
    assert page.evaluate("window.__same_document") is True

    site.sql(
        "UPDATE users SET session_version = session_version + 1 WHERE id = :i",
        i=admin.id,
    )
    with page.expect_navigation():
        page.get_by_label("Aksi (awalan)", exact=True).fill("user")
        page.get_by_label("Aksi (awalan)", exact=True).press("Tab")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    assert page.evaluate("window.__same_document") is None  # a real page load
    assert page.locator("main").count() == 1 and page.locator("header").count() == 1
    assert page.locator("#audit-rows").count() == 0
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    snap(page, "login-after-expiry")
    assert real_errors(browser_errors, ("status of 401",)) == []


def test_logged_out_filter_without_javascript_lands_on_the_login_page(
    site: Site, nojs_page: Page, browser_errors
):
    page = nojs_page
    admin = site.user("admin")
    site.login(page, admin.username)
    page.goto(site.url("audit.index"))
    site.sql("UPDATE users SET active = :f WHERE id = :i", f=False, i=admin.id)
    page.get_by_label("Aksi (awalan)", exact=True).fill("login")
    with page.expect_navigation():
        tap(page, page.get_by_role("button", name="Saring"))
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    expect(page.locator(".flash-info")).to_have_text("Silakan masuk terlebih dahulu.")
    assert browser_errors == []


@pytest.mark.parametrize(
    "viewport,scale",
    [({"width": 360, "height": 640}, 1), ({"width": 180, "height": 320}, 2)],
    ids=["360px", "200pct-zoom"],
)
def test_menu_is_usable_on_a_phone_and_at_200_percent_zoom(
    site: Site, browser, viewport, scale, snap
):
    """200 % zoom on a 360 px phone is a 180 CSS-pixel viewport at scale 2."""
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=scale,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
    )
    errors = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        admin = site.user("admin")
        site.login(page, admin.username)
        open_menu(page)
        snap(page, "menu-open")
        width = page.evaluate("innerWidth")
        assert width == viewport["width"]
        links = page.locator("details.menu nav a")
        assert links.count() >= 5
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
            assert box["height"] >= 24, "too small to tap"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        tap(page, page.get_by_role("link", name="Audit"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Jejak audit")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()
