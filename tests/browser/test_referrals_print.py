"""A referral moved and handed over in a real browser; print views on A4 paper."""

import pytest

from kkbweb.extensions import db
from kkbweb.referrals.models import Referral
from tests import factories

pytestmark = pytest.mark.browser


def _log_in(page, live_url, user) -> None:
    page.context.clear_cookies()
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _move(page, live_url, referral_id: int, target: str) -> None:
    page.goto(live_url("referrals.detail", referral_id=referral_id))
    page.check(f"input[name=target][value={target}]")
    page.click("#langkah button[type=submit]")
    page.wait_for_load_state()


def _status(app, referral_id: int) -> str:
    with app.app_context():
        return db.session.get(Referral, referral_id).status


def test_referral_moved_by_staff_and_handed_over_by_the_pokja(
    app, phone_page, live_url, browser_errors, snap
):
    resident = factories.make_resident("Ciwedus", name="Nur Aisyah")
    referral = factories.make_referral(resident)
    pokja_user = factories.make_user("pokja", pokja="Ciwedus")
    staf = factories.make_user("staf")
    page = phone_page

    _log_in(page, live_url, pokja_user)
    _move(page, live_url, referral.id, "berkas_lengkap")
    assert _status(app, referral.id) == "berkas_lengkap"

    _log_in(page, live_url, staf)
    for target in ("diteruskan", "diproses", "selesai"):
        _move(page, live_url, referral.id, target)
        assert _status(app, referral.id) == target
    # The hand-over happens at the Pokja, where the resident collects it.
    _log_in(page, live_url, pokja_user)
    _move(page, live_url, referral.id, "diserahkan")
    assert _status(app, referral.id) == "diserahkan"
    history = page.locator("body").inner_text()
    assert "Dokumen dikirim sebagai PDF / diserahkan" in history
    snap(page, "referral-handed-over")
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []


def _fits_a4(page) -> list[str]:
    """Elements of the printed page whose box goes past the paper's right edge."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll('main *')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 1) {
              out.push(el.tagName + '.' + el.className);
            }
          }
          return out.slice(0, 5);
        }"""
    )


def test_print_views_fit_a4_without_cut_columns(app, browser, live_server, snap):
    """Daftar hadir and the referral slip, printed: nothing past the paper edge."""
    meeting = factories.make_meeting("Ciwedus", title="Rapat Pokja Juli")
    for n in range(25):
        factories.make_member(name=f"Anggota Dengan Nama Cukup Panjang {n}")
    resident = factories.make_resident("Ciwedus", name="Warga Cetak")
    referral = factories.make_referral(resident)
    staf = factories.make_user("staf")
    # A4 portrait at 96 dpi minus ~15 mm margins is about 700 CSS px wide.
    context = browser.new_context(viewport={"width": 700, "height": 990})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/auth/login")
        page.fill("#username", staf.username)
        page.fill("#password", factories.PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.emulate_media(media="print")
        for path in (
            f"/meetings/{meeting.id}/sign-sheet?varian=kosong",
            f"/meetings/{meeting.id}/sign-sheet?varian=hasil",
            f"/referrals/{referral.id}/surat",
        ):
            page.goto(live_server + path)
            assert _fits_a4(page) == [], path
            headers = page.locator("th").all_inner_texts()
            if "sign-sheet" in path:
                for column in ("No", "Nama", "L/P", "Tanda tangan"):
                    assert any(column in h for h in headers), (path, headers)
            pdf = page.pdf(format="A4", print_background=True)
            assert pdf.startswith(b"%PDF")
            snap(page, path.strip("/").replace("/", "-").replace("?", "-"))
    finally:
        context.close()
