"""Access for the foundation: home, health, auth, Pokja admin, audit.

The bench floor route (bench.ok) exists only in bench mode: tests/test_main.py.
"""

from tests import factories
from tests.matrix import DEPARTMENT, LOGGED_IN, Entry, allow, everyone

ADMIN = ("admin",)
ALL_POKJA_A = (*DEPARTMENT, "penyelenggara_a", "pokja_a")


def world(w: dict) -> None:
    """A user for the admin pages to edit, apart from the role users."""
    w["target"] = factories.make_user("pokja", pokja=w["B"], username="sasaran.uji")


ACCESS = {
    ("main.index", "GET"): Entry(
        # Pokja-scoped users are sent on to their own Pokja page, pimpinan to
        # the Kampung KB classes of the city (classification.board).
        allow(LOGGED_IN, penyelenggara_a=302, pokja_a=302, pokja_b=302, pimpinan=302)
    ),
    ("main.healthz", "GET"): Entry(everyone(200)),
    ("main.service_worker", "GET"): Entry(everyone(200)),
    ("auth.login", "GET"): Entry(
        allow(LOGGED_IN, ok=302, anonymous=200, deactivated=200)
    ),
    ("auth.login", "POST"): Entry(
        allow(LOGGED_IN, ok=302, anonymous=200, deactivated=200)
    ),
    ("auth.logout", "POST"): Entry(allow(LOGGED_IN, ok=303)),
    ("auth.change_password", "GET"): Entry(allow(LOGGED_IN)),
    ("auth.change_password", "POST"): Entry(allow(LOGGED_IN)),
    ("auth.users", "GET"): Entry(allow(ADMIN)),
    ("auth.user_new", "GET"): Entry(allow(ADMIN)),
    ("auth.user_new", "POST"): Entry(allow(ADMIN)),
    ("auth.user_edit", "GET"): Entry(
        allow(ADMIN), args=lambda w: {"user_id": w["target"].id}
    ),
    # An empty POST keeps the stored values (WTForms falls back to the object).
    ("auth.user_edit", "POST"): Entry(
        allow(ADMIN, ok=303), args=lambda w: {"user_id": w["target"].id}
    ),
    ("auth.user_reset_password", "POST"): Entry(
        allow(ADMIN), args=lambda w: {"user_id": w["target"].id}
    ),
    ("pokja.index", "GET"): Entry(allow(ADMIN)),
    ("pokja.new", "GET"): Entry(allow(ADMIN)),
    ("pokja.new", "POST"): Entry(allow(ADMIN)),
    ("pokja.edit", "GET"): Entry(allow(ADMIN), args=lambda w: {"pokja_id": w["A"].id}),
    ("pokja.edit", "POST"): Entry(
        allow(ADMIN, ok=303), args=lambda w: {"pokja_id": w["A"].id}
    ),
    ("pokja.detail", "GET"): Entry(
        allow(ALL_POKJA_A, denied=404), args=lambda w: {"pokja_id": w["A"].id}
    ),
    ("audit.index", "GET"): Entry(allow(ADMIN)),
}
