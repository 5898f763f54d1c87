"""Issue 16 items 1, 3, 5, 6 on a 360 px phone without JavaScript: the reporting
calendar, the PKB pages, the identity form with its SK Camat scan, and the
class stored with a hand-in fit the width and work with plain links and forms."""

import pytest

from kkbweb.classification.models import Pkb
from kkbweb.extensions import db
from tests import factories
from tests.factories import tiny_pdf

pytestmark = pytest.mark.browser


def _log_in(page, live_url, user) -> None:
    page.context.clear_cookies()
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_calendar_and_pkb_pages_fit_360_px_without_javascript(
    app, nojs_page, live_url, browser_errors
):
    with factories.context():
        db.session.add(
            Pkb(
                name="Ibu Rina Kusumawati, S.Sos",
                phone="0813 1111 2222",
                kelurahan_codes=["36.72.02.1002", "36.72.02.1001"],
            )
        )
        db.session.commit()
    page = nojs_page
    _log_in(page, live_url, factories.make_user("staf"))
    page.goto(live_url("classification.calendar"))
    assert "Kirim pengingat" in page.content()
    _fits(page)
    page.goto(live_url("classification.pkb_list"))
    _fits(page)
    page.click("text=Tambah PKB")
    page.fill("#name", "Pak Budi")
    page.fill("#phone", "bukan nomor")
    page.click("main button[type=submit]")
    assert "Isi nomor HP seperti" in page.content()
    _fits(page)
    page.fill("#phone", "0812 3456 7890")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "PKB Pak Budi disimpan." in page.content()
    _fits(page)
    assert browser_errors == []


def test_identity_scan_upload_without_javascript(
    app, nojs_page, live_url, browser_errors, tmp_path
):
    a = factories.pokja("Ciwedus")
    page = nojs_page
    _log_in(page, live_url, factories.make_user("pokja", pokja=a))
    page.goto(live_url("classification.identity", pokja_id=a.id))
    _fits(page)
    scan = tmp_path / "SK Camat.pdf"
    scan.write_bytes(tiny_pdf())
    page.set_input_files("#sk_scan", str(scan))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "scan SK" in page.content()
    _fits(page)
    assert browser_errors == []
