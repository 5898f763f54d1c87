"""What the benchmarks measure, as data: a feature adds its pages here.

- ``LATENCY``: pages, fragments and toggles timed against the floor route
  (bench/latency.py). ``path`` may name ids from ``ids()`` in braces.
- ``GROWTH``: lists and dashboards timed at demo scale 1 and 10
  (bench/growth.py); the reports issue adds its dashboard here.
- ``PAINT`` and ``TAPS``: largest contentful paint of pages, and htmx
  interactions, timed in throttled Chromium (bench/browser.py).

Users are the demo users of ``flask demo-data`` (password: bench.common).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

HX = {"HX-Request": "true"}


@dataclass
class Target:
    name: str
    kind: str  # "floor", "page", "fragment" or "toggle"
    path: str
    user: str | None = None  # a demo username; None: anonymous
    method: str = "GET"
    headers: dict = field(default_factory=dict)


LATENCY = [
    Target("floor /bench/ok", "floor", "/bench/ok"),
    Target("login page", "page", "/auth/login"),
    Target("home (city overview)", "page", "/", "demo.admin"),
    Target("Pokja home", "page", "/pokja/{pokja_a}", "pokja.ciwedus"),
    Target("users list", "page", "/auth/users", "demo.admin"),
    Target("Pokja list", "page", "/pokja/", "demo.admin"),
    Target("audit trail", "page", "/audit/", "demo.admin"),
    Target("audit filter", "fragment", "/audit/?aksi=user", "demo.admin", headers=HX),
    # meetings: Target("roll call", "page", "/rapat/{meeting}/hadir", ...),
    #           Target("roll-call toggle", "toggle", ..., method="POST"),
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


TAPS = [
    Tap("audit filter (swap rows)", "/audit/", "demo.admin", _filter_audit),
    Tap("reports: sort the city by attendance", "/reports/", "demo.staf", _sort_city),
    # meetings: Tap("roll-call toggle", "/rapat/{meeting}/hadir", ..., tap_first_row),
]

# Pages whose largest contentful paint is measured in throttled Chromium.
PAINT = [
    Target("login page", "page", "/auth/login"),
    Target("home (city overview)", "page", "/", "demo.admin"),
    Target("Pokja home", "page", "/pokja/{pokja_a}", "pokja.ciwedus"),
    # meetings: Target("roll call (60 people)", "page", "/rapat/{meeting}/hadir", ...),
    Target("reports: city dashboard", "page", "/reports/", "demo.staf"),
]


def ids() -> dict:
    """Ids the paths name, read in an app context on the benchmark database."""
    from kkbweb.extensions import db
    from kkbweb.pokja.models import Pokja

    pokja_a = db.session.scalar(select(Pokja.id).where(Pokja.display_name == "Ciwedus"))
    return {"pokja_a": pokja_a}
