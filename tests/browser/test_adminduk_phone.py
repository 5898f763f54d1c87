"""Issue 17's acceptance flow on a 360 px phone: a kader opens an akta kelahiran
case for a baby born 40 days ago with both parents, sees "sisa 20 hari", takes
the file to the desk and records "dokumen terbit" with the PDF; without
JavaScript the same form works."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.referrals import service
from kkbweb.referrals.models import Referral, ReferralDocument
from kkbweb.timeutil import today_wib
from tests import factories

pytestmark = pytest.mark.browser


def _log_in(page, live_url, user) -> None:
    page.context.clear_cookies()
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width} px wide"


def _step(page, target: str, pdf=None) -> None:
    page.check(f"input[name=target][value={target}]")
    if pdf is not None:
        page.set_input_files("#document", pdf)
    page.click("#langkah button[type=submit]")
    page.wait_for_load_state()


def _flow(app, page, live_url, tmp_path) -> int:
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mother = factories.make_resident("Ciwedus", name="Ibu Rahmawati")
    father = factories.make_resident("Ciwedus", name="Ayah Hidayat", sex="L")
    child = factories.make_resident(
        "Ciwedus", name="Bayi Rahma", birth_date=today_wib() - timedelta(days=40)
    )
    _log_in(page, live_url, kader)
    page.goto(live_url("referrals.new", warga=mother.id))
    page.select_option("#doc_type", "akta_kelahiran")
    page.click("main form button[type=submit]")
    page.locator("#p_anak").wait_for()
    _no_sideways_scroll(page)
    page.select_option("#p_anak", str(child.id))
    page.select_option("#p_ibu", str(mother.id))
    page.select_option("#p_ayah", str(father.id))
    page.fill("#event_date", (today_wib() - timedelta(days=40)).isoformat())
    page.click("main form button.primary")
    # htmx swaps the page in (boosted form): wait for the case page itself.
    page.locator("#orang").wait_for()
    body = page.locator("main").inner_text()
    assert "sisa 20 hari" in body
    assert "Bayi Rahma" in body and "Ayah Hidayat" in body
    _no_sideways_scroll(page)
    with app.app_context():
        referral_id = db.session.scalars(select(Referral.id)).one()
    _step(page, "berkas_lengkap")
    _step(page, "diteruskan")
    pdf = tmp_path / "akta-bayi.pdf"
    pdf.write_bytes(factories.tiny_pdf(1))
    _step(page, "selesai", pdf=str(pdf))
    page.get_by_text("akta-bayi.pdf").wait_for()
    body = page.locator("main").inner_text()
    assert "Dokumen terbit" in body and "akta-bayi.pdf" in body
    _no_sideways_scroll(page)
    with app.app_context():
        assert db.session.get(Referral, referral_id).status == "selesai"
        assert db.session.scalars(select(ReferralDocument.referral_id)).all() == [
            referral_id
        ]
    return referral_id


def test_birth_case_on_a_phone(
    app, phone_page, live_url, browser_errors, snap, tmp_path
):
    factories_seed(app)
    _flow(app, phone_page, live_url, tmp_path)
    snap(phone_page, "adminduk-dokumen-terbit")
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []


def test_birth_case_without_javascript(app, nojs_page, live_url, tmp_path):
    factories_seed(app)
    _flow(app, nojs_page, live_url, tmp_path)


def factories_seed(app) -> None:
    with app.app_context():
        service.ensure_checklists()
        db.session.commit()


def _correct_the_case(app, page, live_url) -> None:
    """The kader corrects the birth date and place after intake, on the phone."""
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mother = factories.make_resident("Ciwedus", name="Ibu Salamah")
    child = factories.make_resident("Ciwedus", name="Bayi Salamah")
    referral = factories.make_referral(child, by=kader)
    _log_in(page, live_url, kader)
    page.goto(live_url("referrals.detail", referral_id=referral.id))
    page.get_by_text("Ubah orang, KK dan peristiwa").click()
    page.locator("#event_date").wait_for()
    _no_sideways_scroll(page)
    page.select_option("#p_ibu", str(mother.id))
    page.fill("#kk_number", "12")
    page.fill("#event_place", "Bidan Desa Ciwedus")
    page.click("main form button.primary")
    page.locator("#kk_number-err").wait_for()
    # Refused: the message, and what was typed is still there.
    assert page.input_value("#event_place") == "Bidan Desa Ciwedus"
    _no_sideways_scroll(page)
    page.fill("#kk_number", "3672021203150007")
    page.fill("#event_date", (today_wib() - timedelta(days=70)).isoformat())
    page.click("main form button.primary")
    page.locator("#orang").wait_for()
    body = page.locator("main").inner_text()
    assert "terlambat 10 hari" in body and "Ibu Salamah" in body
    _no_sideways_scroll(page)


def test_correcting_a_case_on_a_phone(app, phone_page, live_url, browser_errors):
    factories_seed(app)
    _correct_the_case(app, phone_page, live_url)
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []


def test_correcting_a_case_without_javascript(app, nojs_page, live_url):
    factories_seed(app)
    _correct_the_case(app, nojs_page, live_url)
