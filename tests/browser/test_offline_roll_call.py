"""The roll call with no signal, in real Chromium (issue 18): marks and walk-ins
queued on the phone, kept pages opening offline, everything sent exactly once.

Each phone is a persistent browser profile in a folder (service worker, Cache
Storage and IndexedDB survive closing it, as closing Chrome does). Chromium's
offline emulation (context.set_offline) also cuts the service worker's own
requests: a page opened offline comes from the device, never from the server.
"""

import json
import time

import pytest

from tests import factories
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEFAULT_TIMEOUT_MS,
    PHONE,
    SCREENSHOTS,
    PlaywrightError,
)

pytestmark = pytest.mark.browser

WAITING = "menunggu dikirim"


class Phone:
    """One phone: a browser profile kept in a folder, opened and closed at will."""

    def __init__(self, browser, folder):
        self.browser_type, self.folder = browser.browser_type, folder
        self.errors: list[str] = []
        self.context = self.page = None

    def open(self):
        """Start the browser on the profile; return its page."""
        self.context = self.browser_type.launch_persistent_context(
            str(self.folder), executable_path=CHROMIUM, args=CHROMIUM_ARGS, **PHONE
        )
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        pages = self.context.pages
        self.page = pages[0] if pages else self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        return self.page

    def close(self):
        self.context.close()
        self.context = None

    def offline(self, value: bool = True):
        self.context.set_offline(value)


@pytest.fixture
def phones(browser, tmp_path):
    """Make phones on demand; all closed at the end."""
    made = []

    def make(name="a"):
        phone = Phone(browser, tmp_path / name)
        phone.open()
        made.append(phone)
        return phone

    yield make
    for phone in made:
        if phone.context is not None:
            phone.close()


@pytest.fixture
def hall(site):
    """A running Ciwedus meeting with 22 members and an organiser of Ciwedus."""
    meeting = factories.make_meeting("Ciwedus", status="berlangsung", title="Rapat RW")
    ids = factories.make_members("Ciwedus", count=22, prefix="Warga")
    organiser = site.user("penyelenggara", pokja=factories.pokja("Ciwedus"))
    return meeting, ids, organiser


def until(check, timeout=10.0):
    """Wait until check() is true (polling: page functions cannot be eval'd
    under the CSP); return its value."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            assert value, "timed out"
            return value
        time.sleep(0.1)


def banner(page) -> str:
    return page.locator("#offline p").inner_text()


def outbox(page) -> list[dict]:
    """The entries waiting in the page's IndexedDB outbox."""
    return page.evaluate(
        """() => new Promise(ok => { const r = indexedDB.open('kkb', 1);
        r.onupgradeneeded = () => r.result.createObjectStore('out', {keyPath: 'key'});
        r.onsuccess = () => { const q = r.result.transaction('out').objectStore('out')
          .getAll(); q.onsuccess = () => ok(q.result); }; })"""
    )


def kept_pages(page) -> list[str]:
    """The pages (not the shared assets) kept in the phone's Cache Storage."""
    paths = page.evaluate(
        "async () => { const c = await caches.open('kkb-offline');"
        " return (await c.keys()).map(r => new URL(r.url).pathname); }"
    )
    return [p for p in paths if not p.startswith("/static/")]


def tap_offline(page, member: int, status: str) -> None:
    """Tap a status with no signal and wait until the mark is in the outbox.

    The page writes the mark to IndexedDB after the click returns: on a busy
    machine a test that goes on at once (back online, cookies cleared) would
    race the page and send nothing, or send it late."""
    page.locator(f"#m-{member} button[value={status}]").click()
    until(
        lambda: any(
            e.get("member") == member and e.get("status") == status
            for e in outbox(page)
        )
    )


def open_roll(site, page, meeting):
    """Open the roll call and wait until the phone kept it."""
    page.goto(site.url("meetings.detail", meeting_id=meeting.id))
    page.locator("#offline[data-kept='1']").wait_for(state="attached")
    until(
        lambda: page.evaluate("!!navigator.serviceWorker.controller") or page.reload()
    )


def one(site, statement: str, **params):
    """The single value a SQL statement gives."""
    return site.sql(statement, **params)[0][0]


def audited(site, action_like: str, **match) -> list[tuple[str, str]]:
    """(action, username) of the audit rows whose `after` holds these values, in
    order (read in Python: `after` is JSON on PostgreSQL, text on SQLite)."""
    rows = site.sql(
        "SELECT action, username, after FROM audit_log WHERE action LIKE :a"
        " ORDER BY id",
        a=action_like,
    )
    found = []
    for action, username, after in rows:
        after = json.loads(after) if isinstance(after, str) else after or {}
        if all(after.get(k) == v for k, v in match.items()):
            found.append((action, username))
    return found


def counts(site, meeting_id):
    """(attendance rows, their audit rows, guests, guest audit rows)."""
    return (
        one(
            site, "SELECT count(*) FROM attendance WHERE meeting_id = :m", m=meeting_id
        ),
        len(audited(site, "attendance.mark%", meeting_id=meeting_id)),
        one(
            site,
            "SELECT count(*) FROM meeting_guest WHERE meeting_id = :m",
            m=meeting_id,
        ),
        len(audited(site, "meeting.guest_add", meeting_id=meeting_id)),
    )


def phone_shot(page, name):
    """What the organiser sees at the roll call's top (docs/img/meetings-*.png)."""
    page.evaluate("document.getElementById('hadir').scrollIntoView()")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"meetings-{name}.png")


def tap_walk_in(page, name):
    page.fill("#guest-name", name)
    page.locator("#tamu").get_by_label("Perempuan").check()
    page.get_by_role("button", name="Catat tamu hadir").click()


def test_twenty_marks_and_a_walk_in_offline_land_exactly_once(site, phones, hall):
    meeting, ids, organiser = hall
    phone = phones()
    page = phone.page
    site.login(page, organiser.username)
    open_roll(site, page, meeting)
    assert "tersimpan di perangkat" in banner(page)

    phone.offline()
    for i, member in enumerate(ids[:20]):
        status = "hadir" if i % 4 else "izin"
        page.locator(f"#m-{member} button[value={status}]").click()
        row = page.locator(f"#m-{member}")
        assert row.get_attribute("class") == f"is-{status} q-wait"
    tap_walk_in(page, "Ibu Bidan Desa")
    page.locator("#tamu li.q-wait", has_text="Ibu Bidan Desa").wait_for()
    until(lambda: "21 tanda menunggu dikirim" in banner(page))
    assert "Tidak ada sinyal" in banner(page)
    assert "15 Hadir" in page.locator("#roll-totals").inner_text()
    phone_shot(page, "offline-waiting")

    # Reloaded with no signal: the page opens from the phone, the 21 still wait.
    response = page.reload()
    assert response.from_service_worker
    until(lambda: "21 tanda menunggu dikirim" in banner(page))
    assert page.locator("#roll li.q-wait").count() == 20
    assert WAITING in page.locator("#tamu").inner_text()
    assert counts(site, meeting.id) == (0, 0, 0, 0)

    # The browser closed and opened again, still in the hall with no signal.
    phone.close()
    page = phone.open()
    phone.offline()
    page.goto(site.url("meetings.detail", meeting_id=meeting.id))
    until(lambda: "21 tanda menunggu dikirim" in banner(page))
    assert len(outbox(page)) == 21

    batches = []
    page.on(
        "request",
        lambda r: batches.append(r.post_data) if r.method == "POST" else None,
    )
    phone.offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    until(lambda: "Semua tanda sudah terkirim" in banner(page))
    assert counts(site, meeting.id) == (20, 20, 1, 1)
    assert page.locator("#roll li.q-wait").count() == 0
    assert page.locator(f"#m-{ids[0]}").get_attribute("class") == "is-izin"
    assert WAITING not in page.locator("#roll").inner_text()
    until(lambda: "15 Hadir" in page.locator("#roll-totals").inner_text())
    assert outbox(page) == []
    phone_shot(page, "offline-sent")
    # With signal, a change of mind goes at once (the token fetched once is reused).
    for status in ("sakit", "hadir"):
        page.locator(f"#m-{ids[21]} button[value={status}]").click()
        page.locator(f"#m-{ids[21]}.is-{status}").wait_for()
    until(lambda: counts(site, meeting.id)[:2] == (21, 22))
    page.locator(f"#m-{ids[21]}[class='is-hadir']").wait_for()

    # The same outbox sent twice more (a duplicated outbox): nothing changes.
    replay = json.loads(batches[0])
    for _ in range(2):
        answer = page.evaluate(
            """async body => { const s = await (await fetch(location.pathname +
              '/offline')).json(); const r = await fetch(location.pathname +
              '/offline', {method: 'POST', headers: {'Content-Type':
              'application/json', 'X-CSRFToken': s.csrf}, body}); return r.status; }""",
            json.dumps(replay),
        )
        assert answer == 200
    assert counts(site, meeting.id) == (21, 22, 1, 1)
    assert phone.errors == []


def test_two_offline_phones_marking_one_person_end_as_the_rule_says(site, phones, hall):
    meeting, ids, organiser = hall
    staf = site.user("staf")
    person = ids[21]
    first, second = phones("a"), phones("b")
    site.login(first.page, organiser.username)
    site.login(second.page, staf.username)
    for phone in (first, second):
        open_roll(site, phone.page, meeting)
        phone.offline()
    # The organiser marks izin, a minute later the staff member marks hadir.
    tap_offline(first.page, person, "izin")
    time.sleep(0.05)  # its time is taken in the page
    tap_offline(second.page, person, "hadir")
    # The later mark reaches the server first; the earlier one comes after.
    second.offline(False)
    second.page.evaluate("dispatchEvent(new Event('online'))")
    until(lambda: "Semua tanda sudah terkirim" in banner(second.page))
    mark = "SELECT status FROM attendance WHERE meeting_id = :m AND member_id = :p"
    until(lambda: site.sql(mark, m=meeting.id, p=person) == [("hadir",)])
    first.offline(False)
    first.page.evaluate("dispatchEvent(new Event('online'))")
    until(lambda: "Semua tanda sudah terkirim" in banner(first.page))
    assert site.sql(mark, m=meeting.id, p=person) == [("hadir",)]
    # The organiser's phone shows the final status and why.
    row = first.page.locator(f"#m-{person}")
    assert row.get_attribute("class") == "is-hadir"
    assert "lebih baru berlaku" in row.inner_text()
    trail = audited(site, "attendance.mark%", member_id=person)
    assert trail == [
        ("attendance.mark", staf.username),
        ("attendance.mark_not_applied", organiser.username),
    ]


def test_logout_deletes_kept_pages_and_the_outbox(site, phones, hall):
    meeting, ids, organiser = hall
    phone = phones()
    page = phone.page
    site.login(page, organiser.username)
    open_roll(site, page, meeting)
    page.route("**/offline", lambda route: route.abort())  # the hall's bad signal
    tap_offline(page, ids[0], "hadir")
    page.locator("summary", has_text="Menu").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/auth/login**")
    assert kept_pages(page) == [] and outbox(page) == []

    # Another organiser on the same phone, offline, cannot open the first one's page.
    other = site.user("penyelenggara", pokja=factories.pokja("Ciwedus"))
    site.login(page, other.username)
    phone.offline()
    with pytest.raises(PlaywrightError):  # the browser's own offline error
        page.goto(site.url("meetings.detail", meeting_id=meeting.id))
    assert counts(site, meeting.id)[0] == 0


def test_another_user_never_gets_the_first_users_pages_nor_sends_their_marks(
    site, phones, hall
):
    meeting, ids, organiser = hall
    phone = phones()
    page = phone.page
    site.login(page, organiser.username)
    open_roll(site, page, meeting)
    assert kept_pages(page) == [f"/meetings/{meeting.id}"]
    phone.offline()
    tap_offline(page, ids[9], "hadir")
    phone.context.clear_cookies()  # the session ended without logging out
    phone.offline(False)
    other = site.user("penyelenggara", pokja=factories.pokja("Ciwedus"))
    site.login(page, other.username)
    until(lambda: kept_pages(page) == [])
    page.goto(site.url("meetings.detail", meeting_id=meeting.id))
    page.locator("#offline p", has_text="Semua tanda sudah terkirim").wait_for()
    # The first organiser's mark stays on the phone, for them alone.
    assert [e["uid"] for e in outbox(page)] == [organiser.id]
    assert page.locator(f"#m-{ids[9]}").get_attribute("class") is None
    assert counts(site, meeting.id)[0] == 0


def test_kept_pages_go_after_48_hours_and_when_the_meeting_is_finished(
    site, phones, hall
):
    meeting, _ids, organiser = hall
    phone = phones()
    page = phone.page
    site.login(page, organiser.username)
    open_roll(site, page, meeting)
    path = f"/meetings/{meeting.id}"
    # Kept 49 hours ago: with no signal the phone no longer opens it.
    page.evaluate(
        """async path => { const c = await caches.open('kkb-offline');
          const m = await c.match(path), h = new Headers(m.headers);
          h.set('x-kept', Date.now() - 49 * 3600e3);
          await c.put(path, new Response(await m.text(), {headers: h})); }""",
        path,
    )
    phone.offline()
    with pytest.raises(PlaywrightError):
        page.reload()
    phone.offline(False)
    page.goto(site.url("main.index"))
    assert kept_pages(page) == []
    open_roll(site, page, meeting)
    site.sql("UPDATE meeting SET status = 'selesai' WHERE id = :m", m=meeting.id)
    page.reload()  # the organiser opens the finished meeting: its copy goes
    until(lambda: kept_pages(page) == [])


def test_a_session_ended_offline_sends_after_logging_in_again(site, phones, hall):
    meeting, ids, organiser = hall
    phone = phones()
    page = phone.page
    site.login(page, organiser.username)
    open_roll(site, page, meeting)
    phone.offline()
    tap_offline(page, ids[3], "sakit")
    phone.context.clear_cookies()  # the session expired meanwhile
    phone.offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    until(lambda: "Sesi Anda berakhir" in banner(page))
    assert "1 tanda menunggu dikirim" in banner(page)
    assert counts(site, meeting.id)[0] == 0
    site.login(page, organiser.username)  # the landing page sends them
    until(lambda: counts(site, meeting.id)[0] == 1)
    page.goto(site.url("meetings.detail", meeting_id=meeting.id))
    until(lambda: "Semua tanda sudah terkirim" in banner(page))
    assert page.locator(f"#m-{ids[3]}").get_attribute("class") == "is-sakit"


def test_a_meeting_locked_meanwhile_refuses_with_a_visible_reason(site, phones, hall):
    meeting, ids, _organiser = hall
    member = site.user("pokja", pokja=factories.pokja("Ciwedus"))
    phone = phones()
    page = phone.page
    site.login(page, member.username)
    open_roll(site, page, meeting)
    phone.offline()
    tap_offline(page, ids[5], "hadir")
    site.sql("UPDATE meeting SET status = 'selesai' WHERE id = :m", m=meeting.id)
    phone.offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    row = page.locator(f"#m-{ids[5]}.q-bad")
    row.wait_for()
    assert "ditolak: Rapat sudah selesai dan dikunci" in row.inner_text()
    until(lambda: "1 ditolak" in banner(page))
    assert "Tidak ada sinyal" not in banner(page)
    assert counts(site, meeting.id)[0] == 0


def test_without_javascript_the_roll_call_is_the_plain_forms(site, nojs_page, hall):
    meeting, ids, organiser = hall
    site.login(nojs_page, organiser.username)
    nojs_page.goto(site.url("meetings.detail", meeting_id=meeting.id))
    assert nojs_page.locator("#offline").is_hidden()
    nojs_page.locator(f"#m-{ids[7]} button[value=izin]").click()
    nojs_page.wait_for_url(f"**#m-{ids[7]}")
    assert nojs_page.locator(f"#m-{ids[7]}").get_attribute("class") == "is-izin"
