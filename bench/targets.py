"""What the benchmarks measure, as data: a feature adds its pages here.

- ``LATENCY``: pages, fragments and toggles timed against the floor route
  (bench/latency.py). ``path`` may name ids from ``ids()`` in braces.
- ``GROWTH``: lists and dashboards timed at demo scale 1 and 10
  (bench/growth.py); the reports issue adds its dashboard here.
- ``PAINT`` and ``TAPS``: largest contentful paint of pages, and htmx
  interactions, timed in throttled Chromium (bench/browser.py).

Users are the demo users of ``flask demo-data`` (password: bench.common).
The roll call is a meeting of today that ``ids()`` adds for Ciwedus (60 people).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

HX = {"HX-Request": "true"}
ROLL_CALL = "/meetings/{meeting}"


@dataclass
class Target:
    name: str
    kind: str  # "floor", "page", "fragment" or "toggle"
    path: str
    user: str | None = None  # a demo username; None: anonymous
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    # POST targets: the form bodies, sent in turn (the CSRF token is added)
    bodies: list[dict] = field(default_factory=list)


LATENCY = [
    Target("floor /bench/ok", "floor", "/bench/ok"),
    Target("login page", "page", "/auth/login"),
    Target("home (city overview)", "page", "/", "demo.admin"),
    Target("Pokja home", "page", "/pokja/{pokja_a}", "pokja.ciwedus"),
    Target("users list", "page", "/auth/users", "demo.admin"),
    Target("Pokja list", "page", "/pokja/", "demo.admin"),
    Target("audit trail", "page", "/audit/", "demo.admin"),
    Target("audit filter", "fragment", "/audit/?aksi=user", "demo.admin", headers=HX),
    Target("meetings list", "page", "/meetings/", "penyelenggara.ciwedus"),
    Target("roll call (60 people)", "page", ROLL_CALL, "penyelenggara.ciwedus"),
    Target(
        "roll-call toggle (htmx)",
        "toggle",
        ROLL_CALL + "/attendance/{member}",
        "penyelenggara.ciwedus",
        method="POST",
        headers=HX,
        # In turn, so that every tap changes the status (and writes its audit row).
        bodies=[{"status": "hadir"}, {"status": "izin"}],
    ),
    Target("KIE list", "page", "/kie/", "pokja.ciwedus"),
    Target("referral queue", "page", "/referrals/", "demo.staf"),
    Target("reports: city dashboard", "page", "/reports/", "demo.staf"),
    Target(
        "reports: sort the city (htmx)",
        "fragment",
        "/reports/?urut=hadir",
        "demo.staf",
        headers=HX,
    ),
    Target("reports: Pokja recap", "page", "/reports/pokja/{pokja_a}", "pokja.ciwedus"),
]

GROWTH = [
    Target("home (city overview)", "page", "/", "demo.admin"),
    Target("meetings list", "page", "/meetings/", "penyelenggara.ciwedus"),
    Target("roll call", "page", ROLL_CALL, "penyelenggara.ciwedus"),
    Target("KIE list", "page", "/kie/", "pokja.ciwedus"),
    Target("referral queue", "page", "/referrals/", "demo.staf"),
    Target("users list", "page", "/auth/users", "demo.admin"),
    Target("audit trail", "page", "/audit/", "demo.admin"),
    Target("audit filter", "fragment", "/audit/?aksi=user", "demo.admin", headers=HX),
    Target("reports: city dashboard", "page", "/reports/", "demo.staf"),
    Target(
        "reports: sort the city (htmx)",
        "fragment",
        "/reports/?urut=hadir",
        "demo.staf",
        headers=HX,
    ),
    Target("reports: Pokja recap", "page", "/reports/pokja/{pokja_a}", "pokja.ciwedus"),
    # Issue 14: the registers read every family and session of the month.
    Target("register overview", "page", "/poktan/register/", "demo.staf"),
    Target(
        "R/I of a Pokja (print)",
        "page",
        "/poktan/register/pokja/{pokja_a}/ri",
        "pokja.ciwedus",
    ),
    Target("Posyandu & PAUD list", "page", "/units/", "pokja.ciwedus"),
]


@dataclass
class Tap:
    """An htmx interaction: open ``path``, ``trigger(page)``, time the swap.

    The time runs from the first click or change event in the page to htmx's
    ``htmx:afterSettle``: what the person sees, without the test's own overhead.
    """

    name: str
    path: str
    user: str
    trigger: Callable  # trigger(page): a Playwright Page


def _filter_audit(page) -> None:
    page.fill("#aksi", "user")
    page.dispatch_event("#aksi", "change")


def _sort_city(page) -> None:
    page.click("#kota thead a[href*='urut=hadir']")


def _tap_first_person(page) -> None:
    page.locator("#roll li form button[value=izin]").first.click()


TAPS = [
    Tap("audit filter (swap rows)", "/audit/", "demo.admin", _filter_audit),
    Tap("reports: sort the city by attendance", "/reports/", "demo.staf", _sort_city),
]
# The roll call's tap no longer ends in an htmx swap: static/js/offline.js shows
# it at once and sends it; bench/browser.py times it with ROLL_CALL_TAP.
ROLL_CALL_TAP = Tap(
    "roll-call tap", ROLL_CALL, "penyelenggara.ciwedus", _tap_first_person
)

# Pages whose largest contentful paint is measured in throttled Chromium.
PAINT = [
    Target("login page", "page", "/auth/login"),
    Target("home (city overview)", "page", "/", "demo.admin"),
    Target("Pokja home", "page", "/pokja/{pokja_a}", "pokja.ciwedus"),
    Target("roll call (60 people)", "page", ROLL_CALL, "penyelenggara.ciwedus"),
    Target("reports: city dashboard", "page", "/reports/", "demo.staf"),
]


def ids() -> dict:
    """Ids the paths name, in an app context on the benchmark database; adds
    the roll call of today (see bench.common.make_roll_call)."""
    from bench.common import make_roll_call
    from kkbweb.extensions import db
    from kkbweb.members.models import Member, on_roster
    from kkbweb.pokja.models import Pokja
    from kkbweb.timeutil import today_wib

    pokja_a = db.session.scalar(select(Pokja.id).where(Pokja.display_name == "Ciwedus"))
    meeting = make_roll_call(pokja_a, 60)
    member = db.session.scalar(
        select(Member.id)
        .where(Member.pokja_id == pokja_a, on_roster(today_wib()))
        .order_by(Member.id.desc())
    )
    return {"pokja_a": pokja_a, "meeting": meeting, "member": member}
