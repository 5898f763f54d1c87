"""Every page each role can reach is usable at 200 % zoom on a phone.

200 % zoom on a 360 px phone is a 180 CSS-pixel viewport at device scale 2. The
pages come from the crawler (tests/crawl.py), so a feature's pages are checked as
soon as they are linked. Nothing may stick out sideways (the body never scrolls
horizontally); wide tables scroll inside their ``.table-wrap``. No console errors.
"""

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Site
from tests.crawl import Crawler, endpoint_resolver
from tests.sitecrawl import session_for
from tests.test_access_matrix import build_world

pytestmark = pytest.mark.browser

ZOOMED_PHONE = {
    "viewport": {"width": 180, "height": 320},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}
ROLES = (
    "anonymous",
    "admin",
    "staf",
    "pimpinan",
    "penyelenggara",
    "penyelenggara_a",
    "pokja_a",
)
# Elements whose box goes past either side of the viewport, except inside a box
# that scrolls sideways on its own (.table-wrap, the print-sheet preview).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`page is ${document.documentElement.scrollWidth}px wide`);
  }
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.skip') || !el.checkVisibility() || scrolls(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
      found.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
    }
  }
  return found.slice(0, 8);
}"""


@pytest.fixture(scope="module")
def world(site: Site) -> dict:
    return build_world()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_at_200_percent_zoom(
    site: Site, world: dict, browser: Browser, role: str, snap
):
    transport = session_for(role, site.app, world)
    visits = Crawler(transport, endpoint_resolver(site.app), per_endpoint=2).run()
    urls = [
        v.url
        for v in visits
        if not v.fragment
        and v.endpoint != "static"
        and v.response.status == 200
        and v.response.is_html
    ]
    assert urls
    context = browser.new_context(**ZOOMED_PHONE)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        if role != "anonymous":
            site.login(page, world[role].username)
        problems = {}
        for url in urls:
            page.goto(site.base_url + url)
            if found := page.evaluate(OVERFLOW_JS):
                problems[url] = found
                snap(page, f"{role}-{url.strip('/').replace('/', '-') or 'home'}")
        assert problems == {}
        assert errors == []
    finally:
        context.close()
