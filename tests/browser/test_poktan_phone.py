"""A Pokja user runs a BKB on a 360 px phone: registers "BKB Melati RW 03", adds
families, holds a session and marks 9 of 12 families present with one tap each,
with JavaScript and without it. The screenshots feed docs/img (docs/poktan.md)."""

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.poktan.models import Poktan, PoktanAttendance, PoktanMembership
from tests import factories

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
FAMILIES = [
    ("Ahmad Fauzi", "Aisyah", "2023-02-14"),
    ("Dedi Supriadi", "Rizky", "2021-09-03"),
    ("Euis Kurniasih", "Putri", "2024-01-20"),
]


def _log_in(page, live_url, user) -> None:
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _keep(snap, page, name: str) -> None:
    """A screenshot for the user guide (docs/img/poktan-<name>.png)."""
    DOCS_IMG.mkdir(exist_ok=True)
    shutil.copyfile(snap(page, name), DOCS_IMG / f"poktan-{name}.png")


def _present(app, session_id: int) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(PoktanAttendance.id).where(
                    PoktanAttendance.session_id == session_id,
                    PoktanAttendance.status == "hadir",
                )
            ).all()
        )


def test_a_bkb_on_a_phone_with_javascript(
    app, phone_page, live_url, browser_errors, snap
):
    page = phone_page
    user = factories.make_user("pokja", pokja="Ciwedus")
    _log_in(page, live_url, user)
    page.goto(live_url("poktan.index"))
    page.get_by_role("link", name="+ Poktan").click()
    page.get_by_label("Jenis poktan").select_option("bkb")
    page.get_by_label("Nama poktan").fill("BKB Melati RW 03")
    page.get_by_label("RW", exact=True).fill("03")
    page.get_by_label("atau nama ketua").fill("Ibu Siti Aminah")
    _keep(snap, page, "new")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").click()
    assert "BKB Melati RW 03 didaftarkan." in page.locator(".flashes").inner_text()
    with app.app_context():
        poktan = db.session.scalars(select(Poktan)).one()
        db.session.expunge(poktan)

    page.get_by_role("link", name="+ Keluarga").click()
    for head, child, birth in FAMILIES:
        page.get_by_label("Nama kepala keluarga").fill(head)
        page.get_by_label("RT", exact=True).fill("01")
        page.get_by_label("Nama balita").fill(child)
        page.get_by_label("Tanggal lahir").fill(birth)
        page.get_by_label("Pasangan usia subur (PUS)").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Simpan lalu tambah lagi").click()
        assert f"{head} ditambahkan" in page.locator(".flashes").inner_text()
    # The other nine families came in by import (tested elsewhere).
    factories.make_families(poktan, 9, prefix="Keluarga Impor")
    page.goto(live_url("poktan.detail", poktan_id=poktan.id))
    assert "12 keluarga" in page.locator("#families").inner_text()
    _keep(snap, page, "detail")

    page.get_by_role("link", name="+ Pertemuan").click()
    page.get_by_label("Tempat").fill("Posyandu Melati RW 03")
    page.get_by_label("Materi").fill("Stimulasi tumbuh kembang balita")
    page.get_by_label("Narasumber").fill("Bidan Ratna")
    page.get_by_role("button", name="Simpan, lalu isi daftar hadir").click()
    page.wait_for_url(re.compile(r"/poktan/pertemuan/\d+$"))
    session_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(PoktanMembership.id).where(
                    PoktanMembership.poktan_id == poktan.id
                )
            )
        )
    before = page.url
    for number, mid in enumerate(ids[:9], start=1):
        button = page.locator(f"#f-{mid} button[value=hadir]")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 70  # a thumb-sized target
        button.click()
        page.locator(f"#f-{mid} button[value=hadir][aria-pressed=true]").wait_for()
        assert f"{number} dari 12" in page.locator("#roll-totals").inner_text()
    assert page.url == before  # swapped in place, no navigation
    first = ids[0]
    page.locator(f"#f-{first} .kka button").click()
    page.locator(f"#f-{first} .kka button[aria-pressed=true]").wait_for()
    assert "KKA 1" in page.locator("#roll-totals").inner_text()
    page.locator(f"#f-{ids[9]} button[value=tidak_hadir]").click()
    page.locator(f"#f-{ids[9]}.is-tidak_hadir").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    _keep(snap, page, "roll-call")
    assert _present(app, session_id) == 9
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []


def test_the_same_roll_call_without_javascript(app, nojs_page, live_url, snap):
    page = nojs_page
    poktan = factories.make_poktan("Ciwedus", name="BKB Melati RW 03")
    ids = factories.make_families(poktan, 12, prefix="Keluarga")
    session = factories.make_poktan_session(poktan)
    user = factories.make_user("pokja", pokja="Ciwedus")
    _log_in(page, live_url, user)
    # The family form, filled in (shot here: without htmx a screenshot in the
    # middle of a form cannot disturb the next boosted submit).
    page.goto(live_url("poktan.families.new", poktan_id=poktan.id))
    head, child, birth = FAMILIES[0]
    page.get_by_label("Nama kepala keluarga").fill(head)
    page.get_by_label("RT", exact=True).fill("01")
    page.get_by_label("Nama balita").fill(child)
    page.get_by_label("Tanggal lahir").fill(birth)
    page.get_by_label("Pasangan usia subur (PUS)").check()
    _keep(snap, page, "family")
    page.goto(live_url("poktan.sessions.detail", session_id=session.id))
    for number, mid in enumerate(ids[:9], start=1):
        with page.expect_navigation():
            page.locator(f"#f-{mid} button[value=hadir]").click()
        assert page.url.endswith(f"#f-{mid}")  # back at the same family
        assert f"{number} dari 12" in page.locator("#roll-totals").inner_text()
        assert "Hadir." in page.locator(".flashes").inner_text()
    with page.expect_navigation():
        page.locator(f"#f-{ids[0]} .kka button").click()
    assert "KKA 1" in page.locator("#roll-totals").inner_text()
    assert _present(app, session.id) == 9
