"""Who may keep Posyandu and PAUD units and sessions; the counts' checks. No Flask.

A Pokja user only ever loads their own Pokja's units (kkbweb.access decides that
when a unit is loaded); these rules add the role on top.
"""

from datetime import date

from kkbweb import roles
from kkbweb.units import vocab

# Counts above this are typing mistakes (a Posyandu serves some dozens of balita).
MAX_COUNT = 2_000
# Kampung KB started in 2016; older dates are typing mistakes.
EARLIEST_DATE = date(2015, 1, 1)

# Department roles that write for any Pokja.
DEPARTMENT_WRITERS = frozenset({roles.ADMIN, roles.STAF})
# Roles that write for their own Pokja only.
POKJA_WRITERS = frozenset({roles.POKJA, roles.PENYELENGGARA})
WRITER_ROLES = DEPARTMENT_WRITERS | POKJA_WRITERS
# Everyone logged in sees the menu; the list is narrowed to the own Pokja.
MENU_ROLES = frozenset(roles.ROLE_LABELS)


def can_write(role: str, pokja_id: int | None) -> bool:
    """Admin and staf write for any Pokja; Pokja-scoped users for their own."""
    if role in DEPARTMENT_WRITERS:
        return True
    return role in POKJA_WRITERS and pokja_id is not None


def chooses_pokja(role: str) -> bool:
    """Department writers pick the Pokja of a unit; others write for their own."""
    return role in DEPARTMENT_WRITERS


def date_problem(value: date, today: date) -> str | None:
    """An Indonesian message when a session date is out of range."""
    if value < EARLIEST_DATE:
        return "Tanggal terlalu lama; sesi dicatat mulai 1 Januari 2015."
    if value > today:
        return "Tanggal sesi tidak boleh di masa depan."
    return None


def count_problems(kind: str, counts: dict[str, int | None]) -> dict[str, str]:
    """Messages per count column: a part larger than its whole, a missing count."""
    problems = {}
    if kind == vocab.POSYANDU:
        present, weighed = counts.get("balita_present"), counts.get("balita_weighed")
        if present is None:
            problems["balita_present"] = "Isi jumlah balita hadir."
        elif weighed is not None and weighed > present:
            problems["balita_weighed"] = (
                "Balita ditimbang tidak boleh lebih dari balita hadir."
            )
    elif kind == vocab.PAUD:
        enrolled, present = (
            counts.get("children_enrolled"),
            counts.get("children_present"),
        )
        if present is None:
            problems["children_present"] = "Isi jumlah anak hadir."
        elif enrolled is not None and present > enrolled:
            problems["children_present"] = (
                "Anak hadir tidak boleh lebih dari anak terdaftar."
            )
    return problems
