"""The fixed vocabularies of the poktan. Plain data, no Flask.

Keys are stored in the database and read by the reports, so they never change;
labels may. The KB methods are the portal's contraceptive list
(../shared/domain/portal_profil_options.csv, "kontrasepsi"); the UPPKA
sub-sectors are our design, after the older UPPKS member list (siga_forms.md S7).
"""

BKB = "bkb"
BKR = "bkr"
BKL = "bkl"
UPPKA = "uppka"
PIKR = "pikr"
KINDS = {
    BKB: "BKB",
    BKR: "BKR",
    BKL: "BKL",
    UPPKA: "UPPKA",
    PIKR: "PIK-R",
}
KIND_NAMES = {
    BKB: "Bina Keluarga Balita",
    BKR: "Bina Keluarga Remaja",
    BKL: "Bina Keluarga Lansia",
    UPPKA: "Usaha Peningkatan Pendapatan Keluarga Akseptor",
    PIKR: "Pusat Informasi dan Konseling Remaja",
}
# What each kind calls the member it is about (the target member of a family).
TARGET_LABELS = {
    BKB: "Nama balita",
    BKR: "Nama remaja",
    BKL: "Nama lansia",
    UPPKA: "Nama usaha",
    PIKR: "Nama anggota (remaja)",
}
# Kinds whose target member is a person with a sex and a birth date.
PERSON_KINDS = frozenset({BKB, BKR, BKL, PIKR})

SEXES = {"L": "Laki-laki", "P": "Perempuan"}

# The portal's contraceptive methods, in its order.
KB_METHODS = {
    "iud": "IUD",
    "mow": "MOW",
    "mop": "MOP",
    "kondom": "Kondom",
    "implan": "Implan",
    "suntik": "Suntik",
    "pil": "Pil",
}
MKJP = frozenset({"iud", "mow", "mop", "implan"})

UPPKA_SUBSECTORS = {
    "pertanian": "Pertanian",
    "peternakan": "Peternakan",
    "perikanan": "Perikanan",
    "industri_rumah_tangga": "Industri rumah tangga / olahan pangan",
    "kerajinan": "Kerajinan",
    "perdagangan": "Perdagangan / warung",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}

PRESENT = "hadir"
ABSENT = "tidak_hadir"
ATTENDANCE_STATUSES = {PRESENT: "Hadir", ABSENT: "Tidak hadir"}

# The BKB register's age groups of the child: (code, label, from, below) in
# whole years, 0-<1 ... 5-<6 (siga_forms.md 3a).
AGE_GROUPS = tuple((f"{y}_{y + 1}", f"{y}–<{y + 1} th", y, y + 1) for y in range(6))


def label(vocabulary: dict[str, str], key: str | None) -> str:
    """The label of a key; an unknown key as stored, none as empty."""
    if not key:
        return ""
    return vocabulary.get(key, key)
