"""The roles of kkbweb and what each may see. Plain data, no Flask."""

ADMIN = "admin"
STAF = "staf"
PIMPINAN = "pimpinan"
PENYELENGGARA = "penyelenggara"
POKJA = "pokja"

ROLE_LABELS = {
    ADMIN: "Admin dinas",
    STAF: "Staf dinas",
    PIMPINAN: "Pimpinan (hanya baca)",
    PENYELENGGARA: "Penyelenggara rapat",
    POKJA: "Pengurus/anggota Pokja",
}

# In a sentence that lists roles ("hanya untuk: Admin, Staf dinas").
ROLE_SHORT_LABELS = {
    ADMIN: "Admin",
    STAF: "Staf dinas",
    PIMPINAN: "Pimpinan",
    PENYELENGGARA: "Penyelenggara",
    POKJA: "Pokja",
}

# Roles that always see every Pokja.
DEPARTMENT_ROLES = frozenset({ADMIN, STAF, PIMPINAN})
# Roles that must belong to one Pokja.
POKJA_BOUND_ROLES = frozenset({POKJA})
# Roles that may hold a Pokja (penyelenggara: scoped with one, city-wide without).
POKJA_OPTIONAL_ROLES = frozenset({PENYELENGGARA})


def role_problem(role: str, has_pokja: bool) -> str | None:
    """Return an Indonesian message if the role/Pokja combination is invalid."""
    if role not in ROLE_LABELS:
        return "Peran tidak dikenal."
    if role in POKJA_BOUND_ROLES and not has_pokja:
        return "Pengguna Pokja harus memilih Pokja."
    if role in DEPARTMENT_ROLES and has_pokja:
        return "Admin, staf dan pimpinan melihat semua Pokja; kosongkan pilihan Pokja."
    return None
