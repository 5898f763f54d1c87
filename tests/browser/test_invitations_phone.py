"""The seed meeting replayed on a 360 px phone: a department meeting of 12 Pokja
with named delegates, invited with "Semua Pokja", delegates chosen with one quick
pick, two speakers added, marked with JavaScript on and off, two walk-ins, a photo
of the signed sheet attached; the rate is over the 26 invitees on the roll call
and the rekap, and the daftar hadir prints to numbered A4 pages."""

import pytest

from tests import factories
from tests.browser.conftest import tap
from tests.browser.test_meeting_evidence_phone import _pdf_pages

pytestmark = pytest.mark.browser

JABATAN = ("ketua", "sekretaris", "bendahara", "anggota")


@pytest.fixture(scope="module")
def members(site):
    """Four members in each of the 12 Pokja; pokja name -> [ketua, sekretaris, ...]."""
    rows = site.sql("SELECT id, display_name FROM pokja ORDER BY display_name")
    made = {}
    for _pokja_id, name in rows:
        made[name] = [
            factories.make_member(
                factories.pokja(name),
                name=f"{jabatan.title()} {name}",
                sex="L" if i % 2 else "P",
                jabatan=jabatan,
            )
            for i, jabatan in enumerate(JABATAN)
        ]
    return made


def test_a_twelve_pokja_meeting_with_delegates_and_speakers(
    site, members, phone_page, nojs_page, snap, browser_errors
):
    organiser = site.user("penyelenggara")
    page = phone_page
    site.login(page, organiser.username)
    page.goto(site.url("meetings.new"))
    page.select_option("#kind", "orientasi")
    page.fill("#title", "Orientasi Pokja Kampung KB")
    page.fill("#date", "2024-05-27")
    page.fill("#start_time", "08:30")
    page.fill("#place", "Aula DP3AP2KB")
    # One tap for all 12 Pokja, and "delegates": the picker comes next.
    tap(page, page.get_by_label("Semua Pokja (12)"))
    tap(page, page.locator("input[name=invite_mode][value=delegates]"))
    # htmx boosts the forms: wait for what the answer shows, not a navigation.
    tap(page, page.get_by_role("button", name="Simpan"))
    page.wait_for_url("**/invitees")
    page.get_by_text("Pilih utusan tiap Pokja").wait_for()
    quick = page.locator(".invite-quick")
    tap(page, quick.get_by_role("button", name="Ketua + sekretaris"))
    page.get_by_text("Ciwedus: 2 utusan").wait_for()
    for name, role, sex in (
        ("Dr. Rina Marlina", "Narasumber, Dinkes", "Perempuan"),
        ("H. Budi Santoso", "Kemenag", "Laki-laki"),
    ):
        page.fill("#ext-name", name)
        page.fill("#ext-role", role)
        tap(page, page.locator("#luar").get_by_label(sex))
        tap(page, page.get_by_role("button", name="Tambahkan ke undangan"))
        page.get_by_text(f"{name} ditambahkan ke undangan.").wait_for()
    assert "26 orang diundang" in page.locator("main").inner_text()
    snap(page, "invitees")

    meeting_id = site.sql("SELECT max(id) FROM meeting")[0][0]
    roll = site.url("meetings.detail", meeting_id=meeting_id)
    page.goto(roll)
    assert "0% hadir dari 26" in page.locator("#roll-totals").inner_text()
    names = sorted(members)
    # With JavaScript: the first six Pokja's delegates, one tap each, in place.
    for name in names[:6]:
        for person in members[name][:2]:
            page.locator(f"#m-{person.id} button[value=hadir]").click()
            page.locator(f"#m-{person.id}.is-hadir").wait_for()
    assert "12 Hadir" in page.locator("#roll-totals").inner_text()

    # Without JavaScript (Opera Mini): a search across every invited Pokja, the
    # next five Pokja's delegates and both speakers, each tap a form post.
    other = nojs_page
    site.login(other, organiser.username)
    other.goto(roll)
    for name in names[6:11]:
        for person in members[name][:2]:
            other.locator(f"#m-{person.id} button[value=hadir]").click()
            other.locator(f"#m-{person.id}.is-hadir").wait_for()
    other.fill("#q", "Rina")
    with other.expect_navigation():
        tap(other, other.get_by_role("button", name="Cari"))
    speakers = site.sql(
        "SELECT id FROM meeting_external WHERE meeting_id = :m ORDER BY name",
        m=meeting_id,
    )
    assert other.locator("#roll li").count() == 1
    for (speaker_id,) in speakers:
        other.goto(roll)
        other.locator(f"#x-{speaker_id} button[value=hadir]").click()
        other.locator(f"#x-{speaker_id}.is-hadir").wait_for()
    assert "92,3% hadir dari 26" in other.locator("#roll-totals").inner_text()

    # Two walk-ins, one with JavaScript and one without: guests, not invitees.
    for where, name, sex in (
        (page, "Ibu Lurah Ciwedus", "Perempuan"),
        (other, "Babinsa Kotasari", "Laki-laki"),
    ):
        where.goto(roll + "#tamu")
        where.fill("#guest-name", name)
        tap(where, where.locator("#tamu").get_by_label(sex))
        tap(where, where.get_by_role("button", name="Catat tamu hadir"))
        where.locator("#tamu").get_by_text(name).wait_for()

    page.reload()
    totals = page.locator("#roll-totals").inner_text()
    assert "24 Hadir" in totals and "2 Belum" in totals and "2 Tamu" in totals
    assert "92,3% hadir dari 26" in totals
    snap(page, "roll-call")

    # The signed sheet as evidence, photographed and attached without JavaScript.
    other.goto(roll)
    other.get_by_role("link", name="Lampirkan bukti").click()
    other.get_by_label("Daftar hadir bertanda tangan").check()
    other.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "daftar-hadir-1.jpg",
                "mimeType": "image/jpeg",
                "buffer": factories.kie_jpeg((1600, 1200)),
            }
        ],
    )
    other.get_by_role("button", name="Lampirkan").click()
    other.wait_for_url("**#bukti")

    page.goto(site.url("meetings.documents.summary", meeting_id=meeting_id))
    assert "92,3%" in page.locator(".stats").inner_text()
    assert "Daftar hadir bertanda tangan: ada" in page.locator("main").inner_text()
    snap(page, "summary")

    # The daftar hadir, printed to A4: every page numbered, the header on each.
    page.goto(
        site.url("meetings.documents.sign_sheet", meeting_id=meeting_id, varian="hasil")
    )
    pages = _pdf_pages(page.pdf(format="A4", print_background=True), "seed-sheet")
    assert pages and all(
        f"Halaman {n} dari {len(pages)}" in text for n, text in enumerate(pages, 1)
    )
    assert all("Tanda tangan" in text for text in pages)
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []
