"""Issue 15 in a real Chromium at 360 px: "Salin ke portal" copies a field with
one tap (JavaScript on), shows plain selectable text without JavaScript, fits
the phone's width; the record form confirms without JavaScript.

KKBWEB_DOC_SHOTS=1 also writes the screenshots of docs/portal.md.
"""

import os
from pathlib import Path

import pytest

from kkbweb.timeutil import today_wib
from tests import factories

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _log_in(page, live_url, user) -> None:
    page.context.clear_cookies()
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _meeting():
    meeting = factories.make_meeting(
        ("Ciwedus",),
        title="Rapat Pokja: rencana kerja Juli",
        kind="rapat_pokja",
        date=today_wib(),
        agenda="Menyusun rencana kerja seksi dan jadwal poktan bulan Juli.",
        status="selesai",
    )
    for unsur, seksi in (
        ("pkk", "sosialisasi_pendidikan"),
        ("bidan_nakes", "reproduksi"),
    ):
        member = factories.make_member("Ciwedus", unsur=unsur, seksi=seksi)
        factories.make_mark(meeting, member, "hadir")
    factories.make_meeting_file(meeting, kind="foto")
    return meeting


def _shot(page, name: str) -> None:
    if os.environ.get("KKBWEB_DOC_SHOTS"):
        DOCS_IMG.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=True)


def test_copy_screen_copies_a_field_with_one_tap_at_360_px(
    app, phone_page, live_url, browser_errors
):
    user = factories.make_user("pokja", pokja=factories.pokja("Ciwedus"))
    meeting = _meeting()
    page = phone_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _log_in(page, live_url, user)
    pokja_id = factories.pokja("Ciwedus").id
    page.goto(
        live_url(
            "portal.detail", kind="meeting", source_id=meeting.id, pokja_id=pokja_id
        )
    )
    assert (
        page.locator("#nilai-judul").inner_text() == "Rapat Pokja: rencana kerja Juli"
    )
    button = page.locator("button[data-copy=nilai-judul]")
    assert button.is_visible()
    button.click()
    page.wait_for_function(
        "document.querySelector('button[data-copy=nilai-judul]').textContent"
        " === 'Tersalin'"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Rapat Pokja: rencana kerja Juli"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the copy screen is {width} px wide on a 360 px phone"
    _shot(page, "portal-copy")
    page.goto(
        live_url("portal.edit", kind="meeting", source_id=meeting.id, pokja_id=pokja_id)
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "portal-form")
    assert browser_errors == []


def test_without_javascript_the_values_are_plain_text_and_the_form_saves(
    app, nojs_page, live_url
):
    user = factories.make_user("pokja", pokja=factories.pokja("Ciwedus"))
    meeting = _meeting()
    page = nojs_page
    _log_in(page, live_url, user)
    args = {
        "kind": "meeting",
        "source_id": meeting.id,
        "pokja_id": factories.pokja("Ciwedus").id,
    }
    page.goto(live_url("portal.detail", **args))
    assert not page.locator("button[data-copy=nilai-judul]").is_visible()
    assert "Menyusun rencana kerja" in page.locator("#nilai-deskripsi").inner_text()
    page.goto(live_url("portal.edit", **args))
    page.select_option("#foto-0-ref", index=1)  # the meeting's activity photo
    page.fill("#foto-0-keterangan", "Peserta rapat Pokja")
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()
    assert "Catatan portal disimpan" in page.content()
    assert page.locator("#keterangan-1").inner_text() == "Peserta rapat Pokja"
    page.click("text=Tandai sudah diunggah ke portal")
    page.wait_for_load_state()
    assert "ditandai sudah diunggah" in page.content()


def test_without_the_clipboard_api_the_field_is_selected_and_copied(
    app, phone_page, live_url, browser_errors
):
    """Plain HTTP on the intranet has no navigator.clipboard: the tap selects
    the value and copies it with execCommand."""
    user = factories.make_user("pokja", pokja=factories.pokja("Ciwedus"))
    meeting = _meeting()
    page = phone_page
    page.add_init_script(
        "Object.defineProperty(navigator, 'clipboard', {value: undefined})"
    )
    _log_in(page, live_url, user)
    page.goto(
        live_url(
            "portal.detail",
            kind="meeting",
            source_id=meeting.id,
            pokja_id=factories.pokja("Ciwedus").id,
        )
    )
    page.locator("button[data-copy=nilai-tempat]").click()
    selected = page.evaluate("getSelection().toString()")
    assert selected == page.locator("#nilai-tempat").inner_text()
    assert page.locator("button[data-copy=nilai-tempat]").inner_text() == "Tersalin"
    assert browser_errors == []
