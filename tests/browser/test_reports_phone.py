"""Reports on a 360 px phone in real Chromium: hand-in without JS, sorting with htmx."""

import datetime as dt
import re

import pytest

from tests import factories

pytestmark = pytest.mark.browser


def _errors(found: list[str]) -> list[str]:
    """Script errors; Chromium also logs the favicon's 404 and a refused form's 400."""
    return [e for e in found if not re.search(r"status of (404|400|403)", e)]


def _login(page, live_url, user) -> None:
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _may_2024(pokja) -> None:
    """A meeting with one person present and a KIE entry, in May 2024."""
    member = factories.make_member(pokja, name="Siti Aminah")
    meeting = factories.make_meeting(pokja, date=dt.date(2024, 5, 6), status="selesai")
    factories.make_mark(meeting, member, "hadir")
    factories.make_kie_activity(pokja.display_name, activity_date=dt.date(2024, 5, 8))


def test_pokja_hands_in_may_without_javascript(
    app, nojs_page, live_url, browser_errors, snap
):
    ciwedus = factories.pokja("Ciwedus")
    _may_2024(ciwedus)
    user = factories.make_user("pokja", pokja=ciwedus)
    page = nojs_page
    _login(page, live_url, user)
    # The menu's "Laporan" is the Pokja's own recap; May via the month field.
    page.goto(live_url("pokja.detail", pokja_id=ciwedus.id))
    page.locator("a.tile", has_text="Laporan").click()
    page.wait_for_load_state()
    assert "Rekap Pokja Ciwedus" in page.inner_text("h1")
    page.fill("#bulan", "2024-05")
    with page.expect_navigation():
        page.click(".rep-months button")
    assert "Mei 2024" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#serahkan-note", "Laporan Mei kami serahkan.")
    with page.expect_navigation():
        page.locator("#laporan button.primary").click()
    assert "diserahkan" in page.inner_text(".flashes")
    assert "Diserahkan" in page.inner_text("#laporan")
    assert "Laporan Mei kami serahkan." in page.inner_text("#laporan")
    assert _errors(browser_errors) == []
    snap(page, "recap")  # last: a screenshot injects a style the CSP refuses


def test_staff_sorts_the_city_and_returns_a_report_with_htmx(
    app, phone_page, live_url, browser_errors, snap
):
    for name in ("Ciwedus", "Bendungan"):
        _may_2024(factories.pokja(name))
    bendungan = factories.pokja("Bendungan")
    factories.make_report(bendungan, status="diserahkan")
    staff = factories.make_user("staf")
    page = phone_page
    _login(page, live_url, staff)
    page.goto(live_url("reports.dashboard", bulan="2024-05"))
    # At phone width the Pokja are cards (the table is for wider screens).
    cards = page.locator("#kota .rep-cards > li:not(.total)")
    assert cards.count() == 12
    page.select_option("#urut-kartu", "hadir")
    page.select_option("#kota select[name=arah]", "turun")
    page.locator("#kota .rep-sort button").click()
    page.wait_for_url("**urut=hadir*")
    page.locator("#urut-kartu option[value=hadir][selected]").wait_for(state="attached")
    first = cards.first.inner_text()
    assert "Bendungan" in first or "Ciwedus" in first
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#kota .rep-cards a", has_text="Bendungan").click()
    page.wait_for_url(f"**/reports/pokja/{bendungan.id}*")
    page.fill("#kembalikan-note", "Lengkapi daftar hadir posyandu.")
    page.locator("form[action$='/kembalikan'] button").click()
    page.locator("#laporan", has_text="Dikembalikan dinas").wait_for()
    assert "Lengkapi daftar hadir posyandu." in page.inner_text("#laporan")
    assert _errors(browser_errors) == []
    snap(page, "returned")  # last: a screenshot injects a style the CSP refuses
