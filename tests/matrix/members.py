"""Access for the member registry and the member import.

The member belongs to Pokja A (Ciwedus); Pokja B's users must get 404 for it.
"""

from tests import factories
from tests.matrix import DEPARTMENT, LOGGED_IN, Entry, allow

EDITORS = ("admin", "staf", "pokja_a", "pokja_b")
VIEW_A = (*DEPARTMENT, "penyelenggara_a", "pokja_a")  # who may see Pokja A's records


def world(w: dict) -> None:
    """A member of Pokja A."""
    w["registered_a"] = factories.make_member(w["A"], name="Kanari Anggota Ciwedus")


def _member(w):
    return {"member_id": w["registered_a"].id}


def a_only(roles, ok=200, **overrides):
    """`ok` for these roles on Pokja A's records: 404 for Pokja B, 403 for others."""
    return allow(roles, ok=ok, pokja_b=404, **overrides)


ACCESS = {
    ("members.index", "GET"): Entry(allow(LOGGED_IN)),
    ("members.new", "GET"): Entry(allow(EDITORS)),
    ("members.new", "POST"): Entry(allow(EDITORS)),
    ("members.detail", "GET"): Entry(a_only(VIEW_A), args=_member),
    ("members.edit", "GET"): Entry(a_only(("admin", "staf", "pokja_a")), args=_member),
    # An empty POST keeps the stored values (WTForms falls back to the object).
    ("members.edit", "POST"): Entry(
        a_only(("admin", "staf", "pokja_a"), ok=303), args=_member
    ),
    ("members.import_upload", "GET"): Entry(allow(EDITORS)),
    ("members.import_upload", "POST"): Entry(allow(EDITORS)),
    # No preview token: back to the upload form with a message.
    ("members.import_confirm", "POST"): Entry(allow(EDITORS, ok=303)),
    ("members.import_template", "GET"): Entry(allow(LOGGED_IN)),
}
