"""The roll call on a 360 px phone, with htmx and with JavaScript off."""

import pytest
from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.meetings.models import Attendance
from tests import factories

pytestmark = pytest.mark.browser


def _log_in(page, live_url, user) -> None:
    page.goto(live_url("auth.login"))
    page.fill("#username", user.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/pokja/**")


@pytest.fixture
def roll_call(app):
    """A Ciwedus meeting with six members and an organiser of Ciwedus."""
    meeting = factories.make_meeting("Ciwedus", title="Rapat Pokja Juni")
    names = ["Siti Aminah", "Ahmad Fauzi", "Euis Kurniasih", "Dedi Supriyadi"]
    members = [factories.make_member(name=n) for n in names]
    members += [factories.make_member(name=f"Kader {i}") for i in (1, 2)]
    user = factories.make_user("penyelenggara", pokja="Ciwedus")
    return meeting, members, user


def test_one_tap_marks_a_person_in_place(
    phone_page, live_url, roll_call, browser_errors, snap
):
    meeting, members, user = roll_call
    page = phone_page
    failed = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 else None,
    )
    _log_in(page, live_url, user)
    page.goto(live_url("meetings.detail", meeting_id=meeting.id))
    row = page.locator(f"#m-{members[0].id}")
    button = row.locator("button[value=hadir]")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 70  # a thumb-sized target
    before = page.url
    button.click()
    page.locator(
        f"#m-{members[0].id} button[value=hadir][aria-pressed=true]"
    ).wait_for()
    assert page.url == before  # swapped in place, no navigation
    assert "✓" not in row.locator(".st").inner_text()
    assert row.locator(".st").inner_text().lower() == "hadir"
    assert "1 Hadir" in page.locator("#roll-totals").inner_text()
    # Focus stays on the tapped button for keyboard and screen-reader users.
    assert page.evaluate("document.activeElement.value") == "hadir"
    page.locator(f"#m-{members[1].id} button[value=izin]").click()
    page.locator(f"#m-{members[1].id}.is-izin").wait_for()
    assert "1 Izin" in page.locator("#roll-totals").inner_text()
    snap(page, "roll-call")
    # The browser asks for /favicon.ico by itself (the app has none): not ours.
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []


def test_roll_call_without_javascript(nojs_page, live_url, roll_call):
    meeting, members, user = roll_call
    page = nojs_page
    _log_in(page, live_url, user)
    page.goto(live_url("meetings.detail", meeting_id=meeting.id))
    page.locator(f"#m-{members[2].id} button[value=sakit]").click()
    page.wait_for_url(f"**#m-{members[2].id}")
    pressed = page.locator(f"#m-{members[2].id} button[aria-pressed=true]")
    assert pressed.inner_text().strip() == "Sakit"
    assert "Euis Kurniasih: Sakit." in page.locator(".flashes").inner_text()


# Five taps: three statuses, one change of mind (Siti: hadir, then izin).
FIVE_TAPS = [(0, "hadir"), (1, "izin"), (2, "hadir"), (3, "sakit"), (0, "izin")]
AFTER_FIVE_TAPS = {0: "izin", 1: "izin", 2: "hadir", 3: "sakit"}


def _marks(app, meeting_id: int, members) -> dict[int, str]:
    """{index in members: status} as stored for the meeting."""
    index = {m.id: i for i, m in enumerate(members)}
    with app.app_context():
        rows = db.session.execute(
            select(Attendance.member_id, Attendance.status).where(
                Attendance.meeting_id == meeting_id
            )
        ).all()
    return {index[member_id]: status for member_id, status in rows}


def test_five_taps_swap_only_their_rows_and_match_the_no_javascript_roll_call(
    app, phone_page, nojs_page, live_url, roll_call, browser_errors
):
    meeting, members, user = roll_call
    twin = factories.make_meeting("Ciwedus", title="Rapat Pokja Juni (ulang)")

    # With htmx: the page stays, each tapped row is swapped, the others are the
    # very same DOM nodes, and the totals follow every tap.
    page = phone_page
    _log_in(page, live_url, user)
    page.goto(live_url("meetings.detail", meeting_id=meeting.id))
    page.evaluate(
        """() => {
          window.__samePage = true;
          document.querySelectorAll('#roll li').forEach(li => { li.__old = true; });
        }"""
    )
    for index, status in FIVE_TAPS:
        member = members[index]
        page.locator(f"#m-{member.id} button[value={status}]").click()
        page.locator(f"#m-{member.id}.is-{status}").wait_for()
    assert page.evaluate("window.__samePage") is True
    old_rows = page.evaluate(
        "() => [...document.querySelectorAll('#roll li')]"
        ".filter(li => li.__old).map(li => li.id)"
    )
    assert sorted(old_rows) == sorted(f"m-{m.id}" for m in members[4:])
    totals = page.locator("#roll-totals").inner_text()
    for text in ("1 Hadir", "2 Izin", "1 Sakit", "0 Tidak hadir", "2 Belum"):
        assert text in totals, totals

    # Without JavaScript: every tap is a form post and a redirect back.
    page = nojs_page
    _log_in(page, live_url, user)
    page.goto(live_url("meetings.detail", meeting_id=twin.id))
    for index, status in FIVE_TAPS:
        member = members[index]
        page.locator(f"#m-{member.id} button[value={status}]").click()
        page.locator(f"#m-{member.id}.is-{status}").wait_for()
    assert "1 Hadir" in page.locator("#roll-totals").inner_text()

    assert _marks(app, meeting.id, members) == AFTER_FIVE_TAPS
    assert _marks(app, twin.id, members) == AFTER_FIVE_TAPS
    assert [e for e in browser_errors if "Failed to load resource" not in e] == []
