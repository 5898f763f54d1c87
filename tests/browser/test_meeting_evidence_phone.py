"""Issue 13, sections 2 and 3 in a real Chromium: the daftar hadir printed to A4
PDF (page numbers, header rows, no orphaned heading, Pokja or Dinas heading), the
tapped person readable at 360 x 640 without JavaScript, "Tandai selesai" asking
first with and without JavaScript, evidence attached from a phone."""

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.meetings.models import Meeting, MeetingFile
from kkbweb.pokja.models import Pokja
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

PDFTOTEXT = shutil.which("pdftotext")


def _log_in(page, live_url, user) -> None:
    page.context.clear_cookies()
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _pdf_pages(pdf: bytes, name: str) -> list[str]:
    """The text of each page of a PDF (pdftotext from poppler-utils)."""
    if PDFTOTEXT is None:
        pytest.fail("pdftotext missing: run .ci/install-system.sh (poppler-utils)")
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1]  # a form feed ends every page


def _print(browser, live_server, user, path: str, name: str) -> list[str]:
    """Log in, open a print view, print it to A4; the text of each page."""
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/auth/login")
        page.fill("#username", user.username)
        page.fill("#password", factories.PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server + path)
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    return _pdf_pages(pdf, name)


def _heading_problems(pages: list[str]) -> list[str]:
    """Pages whose last Pokja heading has fewer than 3 rows under it there."""
    problems = []
    for number, text in enumerate(pages, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        headings = [i for i, line in enumerate(lines) if re.match(r"Pokja \w", line)]
        if not headings:
            continue
        after = lines[headings[-1] + 1 :]
        rows = [line for line in after if re.match(r"\d+ ", line)]
        if len(rows) < 3:
            problems.append(f"page {number}: {lines[headings[-1]]} + {len(rows)}")
    return problems


def test_240_names_print_on_numbered_pages_without_an_orphaned_heading(
    app, browser, live_server
):
    """The 27 May 2024 orientation: 12 Pokja x 20 members on the Dinas sheet."""
    with app.app_context():
        names = list(db.session.scalars(select(Pokja.display_name).order_by(Pokja.id)))
    assert len(names) == 12
    for name in names:
        factories.make_members(name, count=20, prefix=f"Peserta {name}")
    meeting = factories.make_meeting(
        tuple(names), title="Orientasi Pokja Kampung KB", kind="orientasi"
    )
    staf = factories.make_user("staf")
    pages = _print(
        browser,
        live_server,
        staf,
        f"/meetings/{meeting.id}/sign-sheet?varian=kosong",
        "daftar-hadir-240",
    )
    total = len(pages)
    assert total < 12, f"{total} pages for 240 names (12 before issue 13)"
    for number, text in enumerate(pages, 1):
        assert f"Halaman {number} dari {total}" in text, number
        assert "Tanda tangan" in text and "Jabatan/Unsur" in text, number
    assert "PEMERINTAH KOTA CILEGON" in pages[0]
    assert "Penyelenggara," in pages[-1]
    assert _heading_problems(pages) == []
    # Every name once, numbered 1..240 in order, then the blank rows.
    everything = "\n".join(pages)
    for name in names:
        assert everything.count(f"Peserta {name} ") == 20, name
    assert re.search(r"^\s*240\s+Peserta", everything, re.M)


def test_a_pokja_meeting_prints_the_pokja_heading_and_the_ketua(
    app, browser, live_server
):
    ketua = factories.make_member("Ciwedus", name="Hj. Siti Rohmah", jabatan="ketua")
    for n in range(30):
        factories.make_member("Ciwedus", name=f"Anggota Ciwedus {n:02d}")
    organiser = factories.make_user("pokja", pokja="Ciwedus")
    meeting = factories.make_meeting(
        "Ciwedus", title="Rapat Pokja Juni", organiser_id=organiser.id
    )
    pages = _print(
        browser,
        live_server,
        organiser,
        f"/meetings/{meeting.id}/sign-sheet",
        "daftar-hadir-pokja",
    )
    assert len(pages) == 2
    assert "POKJA KAMPUNG KB CIWEDUS" in pages[0]
    assert "KECAMATAN CILEGON" in pages[0] and "KELURAHAN" in pages[0]
    assert "DINAS PEMBERDAYAAN" not in pages[0]
    assert "Ketua Pokja Kampung KB Ciwedus" in pages[-1]
    assert ketua.name in pages[-1]
    assert "Halaman 2 dari 2" in pages[1]


def _covered(page, member_id: int) -> dict:
    """Where the row's name and status are, and what covers them."""
    return page.evaluate(
        """(id) => {
          const row = document.getElementById('m-' + id);
          const name = row.querySelector('b'), st = row.querySelector('.st');
          const bar = document.getElementById('roll-totals').getBoundingClientRect();
          const box = (el) => el.getBoundingClientRect();
          const visible = (el) => {
            const b = box(el);
            const x = b.left + b.width / 2, y = b.top + b.height / 2;
            const top = document.elementFromPoint(x, y);
            return b.top >= 0 && b.bottom <= innerHeight && el.contains(top);
          };
          const flash = document.querySelector('.flashes .flash');
          return {
            name: visible(name), status: visible(st), status_text: st.innerText,
            bar_bottom: bar.bottom, name_top: box(name).top,
            flash: flash ? visible(flash) : false,
          };
        }""",
        member_id,
    )


def test_after_a_tap_without_javascript_the_person_is_in_view(nojs_page, live_url):
    meeting = factories.make_meeting("Ciwedus", title="Rapat Pokja Juli")
    members = [
        factories.make_member("Ciwedus", name=f"Warga Ciwedus {n:02d}")
        for n in range(25)
    ]
    user = factories.make_user("penyelenggara", pokja="Ciwedus")
    page = nojs_page
    _log_in(page, live_url, user)
    page.goto(live_url("meetings.detail", meeting_id=meeting.id))
    for member in (members[7], members[15], members[24]):
        page.locator(f"#m-{member.id} button[value=izin]").click()
        page.wait_for_url(f"**#m-{member.id}")
        where = _covered(page, member.id)
        assert where["name"] and where["status"], where
        assert where["name_top"] >= where["bar_bottom"], where
        assert where["status_text"].lower() == "izin"
        assert where["flash"], "the confirmation is off-screen"
    # What the organiser sees: the viewport, not the whole page.
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "after-tap-viewport.png")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_finish_asks_first_and_the_city_organiser_may_reopen(
    app, request, js, live_url, snap
):
    page = request.getfixturevalue("phone_page" if js else "nojs_page")
    meeting = factories.make_meeting(
        ("Ciwedus", "Bendungan"), title="Rakor lintas Pokja", status="berlangsung"
    )
    organiser = factories.make_user("penyelenggara")  # city-wide: no Pokja
    _log_in(page, live_url, organiser)
    page.goto(live_url("meetings.detail", meeting_id=meeting.id))
    assert page.get_by_role("button", name="Mulai rapat").count() == 0
    page.get_by_role("link", name="Tandai selesai…").click()
    page.wait_for_url("**/finish")
    text = page.locator("main").inner_text()
    assert "pengguna Pokja Bendungan, Ciwedus" in text
    snap(page, "finish-question")
    page.get_by_role("link", name="Batal").click()
    page.wait_for_url(f"**/meetings/{meeting.id}")
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).status == "berlangsung"
    page.get_by_role("link", name="Tandai selesai…").click()
    page.get_by_role("button", name="Ya, tandai selesai").click()
    page.wait_for_url(f"**/meetings/{meeting.id}")
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).status == "selesai"
    page.get_by_role("button", name="Buka kembali").click()
    # The URL is the same before and after: wait for what the answer shows.
    page.get_by_role("link", name="Tandai selesai…").wait_for()
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).status == "berlangsung"


def test_a_photo_of_the_signed_sheet_attached_from_a_phone_without_javascript(
    app, nojs_page, live_url, snap
):
    meeting = factories.make_meeting("Ciwedus", title="Rapat Pokja Agustus")
    user = factories.make_user("penyelenggara", pokja="Ciwedus")
    page = nojs_page
    _log_in(page, live_url, user)
    page.goto(live_url("meetings.detail", meeting_id=meeting.id))
    page.get_by_role("link", name="Lampirkan bukti").click()
    page.get_by_label("Daftar hadir bertanda tangan").check()
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "IMG_20240527.jpg",
                "mimeType": "image/jpeg",
                "buffer": factories.kie_jpeg((1600, 1200)),
            },
            {
                "name": "daftar-hadir.pdf",
                "mimeType": "application/pdf",
                "buffer": factories.tiny_pdf(3),
            },
        ],
    )
    page.get_by_role("button", name="Lampirkan").click()
    page.wait_for_url("**#bukti")
    section = page.locator("#bukti").inner_text()
    assert "2 berkas bukti dilampirkan" in page.locator(".flashes").inner_text()
    assert "IMG_20240527.jpg" in section and "3 halaman" in section
    snap(page, "evidence")
    with app.app_context():
        files = db.session.scalars(select(MeetingFile)).all()
    assert {f.mimetype for f in files} == {"image/jpeg", "application/pdf"}
    page.goto(live_url("meetings.documents.summary", meeting_id=meeting.id))
    assert (
        "Daftar hadir bertanda tangan: ada (2 berkas)"
        in page.locator("main").inner_text()
    )
