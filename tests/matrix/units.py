"""Access for Posyandu and PAUD: the list, a unit, its sessions and their forms.

Writers: admin and staf (any Pokja) and Pokja-scoped users (their own Pokja);
pimpinan and the city-wide penyelenggara only read. A Pokja B user asking for
Pokja A's unit or session gets 404.
"""

from tests import factories
from tests.matrix import LOGGED_IN, Entry, allow

WRITERS = ("admin", "staf", "penyelenggara_a", "pokja_a", "pokja_b")
SEES_A = ("admin", "staf", "pimpinan", "penyelenggara", "penyelenggara_a", "pokja_a")
CHANGES_A = ("admin", "staf", "penyelenggara_a", "pokja_a")


def world(w: dict) -> None:
    """A Posyandu of Pokja A with one session."""
    w["unit_a"] = factories.make_unit(w["A"], name="Posyandu Uji RW 01", rw="01")
    w["unit_session_a"] = factories.make_unit_session(w["unit_a"])


def canary(w: dict, side: str, name: str, nik: str) -> None:
    """A PAUD of the Pokja named after the canary, with a session noting it."""
    unit = factories.make_unit(w[side], kind="paud", name=f"PAUD {name}", rw="02")
    factories.make_unit_session(unit, note=f"Catatan {name}")


def _unit(w):
    return {"unit_id": w["unit_a"].id}


def _session(w):
    return {"session_id": w["unit_session_a"].id}


def _on_a(ok: int) -> dict:
    """ok for roles that change A's units; 404 for Pokja B; 403 for readers."""
    return allow(CHANGES_A, ok=ok, pokja_b=404)


ACCESS = {
    ("units.index", "GET"): Entry(allow(LOGGED_IN)),
    ("units.new", "GET"): Entry(allow(WRITERS)),
    # An empty form is refused with messages (200), never saved.
    ("units.new", "POST"): Entry(allow(WRITERS)),
    ("units.detail", "GET"): Entry(allow(SEES_A, denied=404), args=_unit),
    ("units.edit", "GET"): Entry(_on_a(200), args=_unit),
    # An empty POST keeps the stored name and kind: saved, back to the unit.
    ("units.edit", "POST"): Entry(_on_a(303), args=_unit),
    ("units.session_new", "GET"): Entry(_on_a(200), args=_unit),
    # No date: refused with a message (200).
    ("units.session_new", "POST"): Entry(_on_a(200), args=_unit),
    ("units.session_detail", "GET"): Entry(allow(SEES_A, denied=404), args=_session),
    ("units.session_edit", "GET"): Entry(_on_a(200), args=_session),
    # An empty POST keeps the stored date and counts: back to the unit.
    ("units.session_edit", "POST"): Entry(_on_a(303), args=_session),
    # Without the confirmation box the session stays: back to its form.
    ("units.session_delete", "POST"): Entry(_on_a(303), args=_session),
}
