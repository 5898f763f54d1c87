"""Issue 13, section 4 at 360 px in real Chromium: the city dashboard as cards, the
referral paper counter with each tick, a KIE photo kept on a refused form."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.kie.models import KiePhoto
from kkbweb.referrals import service as referral_service
from tests import factories

pytestmark = pytest.mark.browser

POKJA = (
    "Ciwedus", "Bendungan", "Bulakan", "Kalitimbang", "Kubangsari", "Banjarnegara",
    "Warnasari", "Citangkil", "Sukmajaya", "Kebon Dalem", "Kotasari", "Lebak Gede",
)  # fmt: skip


def _errors(found: list[str]) -> list[str]:
    """Script errors; Chromium also logs the favicon's 404."""
    return [e for e in found if not re.search(r"status of (404|400|403)", e)]


def _login(page, live_url, user) -> None:
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _may(pokja, n: int) -> None:
    """n meetings with one person present and a KIE entry in May 2024."""
    member = factories.make_member(pokja, name=f"Anggota {pokja.display_name}")
    for day in range(n):
        meeting = factories.make_meeting(pokja, date=dt.date(2024, 5, 6 + day))
        factories.make_mark(meeting, member, "hadir")
    factories.make_kie_activity(pokja.display_name, activity_date=dt.date(2024, 5, 8))


def _cards_readable(page) -> list[str]:
    """Problems: a card figure cut off or outside the 360 px screen."""
    return page.evaluate(
        """(() => {
        const bad = [];
        for (const dd of document.querySelectorAll('#kota .rep-cards dd')) {
          const box = dd.getBoundingClientRect();
          if (box.width === 0 || box.left < 0 || box.right > 360
              || dd.scrollWidth > dd.clientWidth + 1) bad.push(dd.textContent);
        }
        return bad;
        })()"""
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_city_dashboard_is_one_card_per_pokja_at_360_px(
    app, phone_page, nojs_page, live_url, browser_errors, snap, javascript
):
    for n, name in enumerate(POKJA[:4], start=1):
        _may(factories.pokja(name), n)
    factories.make_report(factories.pokja("Bendungan"), status="diserahkan")
    staff = factories.make_user("staf")
    page = phone_page if javascript else nojs_page
    _login(page, live_url, staff)
    page.goto(live_url("reports.dashboard", bulan="2024-05"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not page.locator("#kota .rep-table").is_visible()
    cards = page.locator("#kota .rep-cards > li")
    assert cards.count() == 13  # 12 Pokja and the city
    names = [cards.nth(i).locator("h2").inner_text() for i in range(12)]
    assert sorted(names) == sorted(POKJA)
    for i in range(13):
        card = cards.nth(i)
        assert card.is_visible()
        assert card.locator("dd").count() == 14  # 10 + poktan and Posyandu columns
        assert card.locator("svg.trend").count() == 1
    assert _cards_readable(page) == []
    ciwedus = cards.filter(has_text="Ciwedus").first.inner_text()
    assert "Rapat\n1" in ciwedus and "% hadir\n100%" in ciwedus
    bendungan = cards.filter(has_text="Bendungan").first.inner_text()
    assert "Diserahkan" in bendungan and "Rapat\n2" in bendungan
    assert "Tidak ada kegiatan" in cards.filter(has_text="Sukmajaya").first.inner_text()
    # On a wide screen and on paper: the table, no cards.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator("#kota .rep-table").is_visible()
    assert not page.locator("#kota .rep-cards").is_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 360, "height": 640})
    assert page.locator("#kota .rep-table").is_visible()
    assert not page.locator("#kota .rep-cards").is_visible()
    page.emulate_media(media="screen")
    assert _errors(browser_errors) == []
    snap(page, "cards")
    page.locator("#kota .rep-cards > li").nth(4).scroll_into_view_if_needed()
    snap(page, "cards-scrolled")


def test_the_referral_paper_counter_follows_each_tick(
    app, phone_page, live_url, browser_errors, snap
):
    with app.app_context():
        referral_service.ensure_checklists()
        db.session.commit()
    ciwedus = factories.pokja("Ciwedus")
    user = factories.make_user("pokja", pokja=ciwedus)
    referral = factories.make_referral(factories.make_resident(ciwedus))
    page = phone_page
    _login(page, live_url, user)
    page.goto(live_url("referrals.detail", referral_id=referral.id))
    counter = page.locator("#berkas-hitung")
    assert counter.inner_text() == "(0 dari 5 berkas diterima)"
    rows = page.locator("#berkas li.paper")
    assert rows.count() == 6  # F-2.04 shows only for an unregistered marriage
    wanted = [
        "Buku nikah atau akta perkawinan orang tua",
        "Kartu Keluarga (KK)",
        "KTP-el ayah dan ibu",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Pengganti surat keterangan lahir",
    ]
    for number, label in enumerate(wanted, start=1):
        rows.filter(has_text=label).locator("button").click()
        rows.filter(has_text=label).locator("[aria-pressed=true]").wait_for()
        # No reload: the counter came with the tick.
        page.wait_for_function(
            "n => document.querySelector('#berkas-hitung').textContent"
            ".startsWith('(' + n + ' dari 5')",
            arg=number,
        )
    assert counter.inner_text() == "(5 dari 5 berkas lengkap, 1 lewat pengganti)"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _errors(browser_errors) == []
    snap(page, "counter")


def _kie_form(page, with_audience: bool) -> None:
    page.select_option("#method_id", label="Tatap muka kelompok")
    page.fill("#title", "Penyuluhan KB di balai RW 02")
    page.fill("#place", "Balai RW 02")
    page.locator("#topic_ids label", has_text="Stunting").click()
    if with_audience:
        page.locator("#audience_ids label", has_text="PUS").click()
    page.fill("#participants_female", "12")
    page.select_option("#kategori_id", label="Sosialisasi dan pendidikan")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_refused_kie_form_keeps_its_photo(
    app, phone_page, nojs_page, live_url, browser_errors, tmp_path, snap, javascript
):
    factories.kie_terms()
    user = factories.make_user("pokja", pokja="Ciwedus")
    page = phone_page if javascript else nojs_page
    _login(page, live_url, user)
    page.goto(live_url("kie.new"))
    _kie_form(page, with_audience=False)
    photo = tmp_path / "IMG_20240520.jpg"
    photo.write_bytes(factories.kie_jpeg(size=(800, 600)))
    page.set_input_files("#photos", str(photo))
    with page.expect_navigation():
        page.click("button.primary")
    assert "Pilih minimal satu sasaran." in page.content()
    kept = page.locator("#foto-tersimpan")
    assert "foto sudah tersimpan, tidak perlu dipilih lagi" in kept.inner_text()
    thumb = kept.locator("img")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('#foto-tersimpan img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "kept")
    # Only Sasaran is filled in; the photo is not chosen again.
    page.locator("#audience_ids label", has_text="PUS").click()
    with page.expect_navigation():
        page.click("button.primary")
    assert "tersimpan" in page.inner_text(".flashes")
    assert page.locator(".kie-photos img").count() == 1
    with app.app_context():
        assert len(db.session.scalars(select(KiePhoto)).all()) == 1
    assert _errors(browser_errors) == []
