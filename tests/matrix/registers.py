"""Access for the SIGA registers of the poktan (poktan.registers.*).

Readers: the poktan registry's viewers (admin, staf, pimpinan, Pokja users);
organisers (penyelenggara) have no business with family lists: 403. A Pokja B
user asking for Pokja A's poktan or Pokja gets 404. Marks: the registry's
editors; layouts: admin only.
"""

import datetime as dt

from tests import register_factories as rf
from tests.matrix import Entry, allow

READERS = ("admin", "staf", "pimpinan", "pokja_a", "pokja_b")
SEES_A = ("admin", "staf", "pimpinan", "pokja_a")
MARKS_A = ("admin", "staf", "pokja_a")


def world(w: dict) -> None:
    """A BKB of Pokja A with two families (no session of its own: the registry's
    world and canaries already hold sessions, and each one is a page the sweep's
    crawl visits). The registry's canaries (tests/matrix/poktan.py: a family head,
    a balita) show on these registers' family lists."""
    poktan = rf.make_poktan(w["A"], name="BKB Matriks RW 01", rw="01")
    rf.add_family(poktan, "Bapak Satu", target_birth_date=dt.date(2022, 3, 1))
    rf.add_family(poktan, "Bapak Dua", target_birth_date=dt.date(2023, 8, 9))
    w["reg_poktan_a"] = poktan


def _sheet(register="ri"):
    def args(w):
        extra = {"bulan": "2024-05"} if register == "ri" else {"tahun": 2024}
        return {"poktan_id": w["reg_poktan_a"].id, "register": register, **extra}

    return args


def _pokja(register="ri"):
    return lambda w: {"pokja_id": w["A"].id, "register": register, "bulan": "2024-05"}


ACCESS = {
    ("poktan.registers.index", "GET"): Entry(allow(READERS)),
    ("poktan.registers.sheet", "GET"): Entry(allow(SEES_A, pokja_b=404), args=_sheet()),
    ("poktan.registers.sheet_xlsx", "GET"): Entry(
        allow(SEES_A, pokja_b=404), args=_sheet("k0")
    ),
    ("poktan.registers.pokja_sheet", "GET"): Entry(
        allow(SEES_A, pokja_b=404), args=_pokja("k0")
    ),
    ("poktan.registers.pokja_xlsx", "GET"): Entry(
        allow(SEES_A, pokja_b=404), args=_pokja()
    ),
    # Marked (or found marked) and back to the overview.
    ("poktan.registers.submit", "POST"): Entry(
        allow(MARKS_A, ok=303, pokja_b=404), args=_sheet()
    ),
    ("poktan.registers.layouts", "GET"): Entry(allow(("admin",))),
    ("poktan.registers.layout_edit", "GET"): Entry(
        allow(("admin",)), args=lambda w: {"register": "ri", "kind": "bkb"}
    ),
    # No column sent: refused with a message (200), the layout stays.
    ("poktan.registers.layout_edit", "POST"): Entry(
        allow(("admin",)), args=lambda w: {"register": "k0", "kind": "pikr"}
    ),
}
