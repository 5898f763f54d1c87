"""The kinds of service unit and the counts each kind's session records. Plain data.

Keys are stored in the database and read by the reports: they never change;
labels may.
"""

POSYANDU = "posyandu"
PAUD = "paud"
KINDS = {POSYANDU: "Posyandu", PAUD: "PAUD"}

# The counts of a session, per kind, in the form's order: (column, label, hint).
COUNTS = {
    POSYANDU: (
        ("balita_present", "Balita hadir", "Balita yang datang ke posyandu."),
        ("balita_weighed", "Balita ditimbang", "Dari balita yang hadir."),
        ("ibu_hamil", "Ibu hamil dilayani", ""),
        ("kader_on_duty", "Kader bertugas", ""),
    ),
    PAUD: (
        ("children_enrolled", "Anak terdaftar", "Jumlah anak didik terdaftar."),
        ("children_present", "Anak hadir", "Dari anak yang terdaftar."),
    ),
}
COUNT_COLUMNS = tuple(column for counts in COUNTS.values() for column, *_ in counts)
COUNT_LABELS = {
    column: label for counts in COUNTS.values() for column, label, _ in counts
}


def kind_label(kind: str | None) -> str:
    """The label of a kind; an unknown key as stored."""
    return KINDS.get(kind or "", kind or "")
