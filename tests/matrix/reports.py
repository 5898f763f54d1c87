"""Access for reports: the city dashboard, a Pokja's recap, hand-in and exports.

The city pages are for users who see every Pokja (admin, staf, pimpinan and the
city-wide penyelenggara); Pokja-scoped users get 403 there and their own Pokja's
recap instead. Pokja A's recap answers 404 to Pokja B. Hand-in POSTs end in a
303 back to the recap whatever the state (a refused step says why in a flash),
so every role can run against one world: the month is May 2024.
"""

from tests import factories
from tests.matrix import DEPARTMENT, Entry, allow

SEES_A = (*DEPARTMENT, "penyelenggara_a", "pokja_a")
MONTH = "2024-05"


def canary(w: dict, side: str, name: str, nik: str) -> None:
    """A handed-in report of the Pokja whose note carries the canary name."""
    factories.make_report(w[side], month=(2024, 4), note=f"Catatan {name}")


def _a(w):
    return {"pokja_id": w["A"].id, "bulan": MONTH}


def _a_page(w):
    return {"pokja_id": w["A"].id}


ACCESS = {
    ("reports.dashboard", "GET"): Entry(allow(DEPARTMENT)),
    ("reports.city_print", "GET"): Entry(allow(DEPARTMENT)),
    ("reports.city_export", "GET"): Entry(
        allow(DEPARTMENT), args=lambda w: {"fmt": "csv"}
    ),
    ("reports.pokja", "GET"): Entry(allow(SEES_A, pokja_b=404), args=_a_page),
    ("reports.pokja_print", "GET"): Entry(allow(SEES_A, pokja_b=404), args=_a_page),
    ("reports.pokja_export", "GET"): Entry(
        allow(SEES_A, pokja_b=404), args=lambda w: {**_a_page(w), "fmt": "xlsx"}
    ),
    # Pokja B passes the role check, then finds no Pokja A: 404.
    ("reports.submit", "POST"): Entry(
        allow(("admin", "pokja_a"), ok=303, pokja_b=404), args=_a
    ),
    ("reports.verify", "POST"): Entry(allow(("admin", "staf"), ok=303), args=_a),
    ("reports.return_report", "POST"): Entry(
        allow(("admin", "staf"), ok=303),
        args=_a,
        data=lambda w: {"kembalikan-note": "Lengkapi"},
    ),
}
