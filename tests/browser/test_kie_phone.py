"""KIE on a 360 px phone in real Chromium: log with a photo, list, filter, export."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.test_kie import phone_jpeg

pytestmark = pytest.mark.browser


def _errors(found: list[str]) -> list[str]:
    """Script errors; Chromium also logs the favicon's 404 and a refused form's 400."""
    return [e for e in found if not re.search(r"status of (404|400)", e)]


def _login(page, live_url, user) -> None:
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _fill_entry(page, title: str) -> None:
    page.fill("#title", title)
    page.fill("#place", "Posyandu Mawar RW 03")
    for label in ("Stunting", "Gizi/ASI"):
        page.locator("#topic_ids label", has_text=label).click()
    for label in ("Ibu hamil", "Keluarga balita", "PUS"):
        page.locator("#audience_ids label", has_text=label).click()
    page.fill("#participants_male", "4")
    page.fill("#participants_female", "31")
    page.select_option("#kategori_id", label="Sosialisasi dan pendidikan")


def test_pokja_user_logs_filters_and_exports_on_a_phone(
    app, phone_page, live_url, browser_errors, tmp_path, snap
):
    factories.kie_terms()
    factories.make_kie_activity(title="Penyuluhan KB di Majelis Taklim", topics=("kb",))
    user = factories.make_user("pokja", pokja="Ciwedus")
    page = phone_page
    _login(page, live_url, user)

    page.goto(live_url("kie.new"))
    page.select_option("#method_id", label="Tatap muka kelompok")
    _fill_entry(page, "Sosialisasi pencegahan stunting di Posyandu Mawar RW 03")
    photo = tmp_path / "IMG_20240601.jpg"
    photo.write_bytes(phone_jpeg())
    page.set_input_files("#photos", str(photo))
    # Nothing on the form may be wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    snap(page, "form")
    with page.expect_navigation():
        page.click("button.primary")
    assert "tersimpan" in page.inner_text(".flashes")
    assert page.locator(".kie-photos img").count() == 1
    # The photo is lazy: it loads once scrolled to, not with the page's load event.
    page.locator(".kie-photos img").scroll_into_view_if_needed()
    page.wait_for_function(
        "(() => { const img = document.querySelector('.kie-photos img');"
        " return img.complete && img.naturalWidth > 0; })()"
    )
    natural = page.evaluate("document.querySelector('.kie-photos img').naturalWidth")
    assert 0 < natural <= 1280

    page.goto(live_url("kie.index"))
    assert page.locator("#kie-results tbody tr").count() == 2
    page.select_option("#topik", label="Stunting")  # htmx swaps the results
    page.wait_for_url("**topik=*")
    page.wait_for_function(
        "document.querySelectorAll('#kie-results tbody tr').length === 1"
    )
    assert "Posyandu Mawar" in page.inner_text("#kie-results")
    assert "Majelis Taklim" not in page.inner_text("#kie-results")
    snap(page, "list")

    with page.expect_download() as download:
        page.click("#kie-results button[value=xlsx]")
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][4].startswith("Sosialisasi pencegahan")
    assert _errors(browser_errors) == []


def test_the_entry_and_filters_work_without_javascript(
    app, nojs_page, live_url, browser_errors
):
    factories.kie_terms()
    user = factories.make_user("pokja", pokja="Ciwedus")
    page = nojs_page
    _login(page, live_url, user)
    page.goto(live_url("kie.new"))
    page.select_option("#method_id", label="Kunjungan rumah")
    _fill_entry(page, "Kunjungan rumah keluarga balita RT 02/RW 05")
    page.fill("#activity_date", "2099-01-01")
    with page.expect_navigation():
        page.click("button.primary")
    assert "tidak boleh di masa depan" in page.inner_text("main")
    assert page.input_value("#title").startswith("Kunjungan rumah")
    assert page.is_checked("#audience_ids input[value]:near(:text('Ibu hamil'))")
    page.fill("#activity_date", "2024-06-03")
    with page.expect_navigation():
        page.click("button.primary")
    assert "tersimpan" in page.inner_text(".flashes")
    page.goto(live_url("kie.index"))
    page.select_option("#jenis", "advokasi")
    with page.expect_navigation():
        page.click(".filters button[type=submit]")
    assert "jenis=advokasi" in page.url
    assert "Belum ada kegiatan" in page.inner_text("#kie-results")
    assert _errors(browser_errors) == []
