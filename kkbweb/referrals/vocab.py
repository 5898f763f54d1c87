"""Words of the adminduk cases: persons' roles per document type, the marital status
as printed on the KK, the reasons for a KTP-el, and the conditions that add a paper
to a case's checklist. No Flask, no database."""

# -- persons in roles ----------------------------------------------------------------

ROLE_LABELS = {
    "anak": "Anak",
    "ibu": "Ibu",
    "ayah": "Ayah",
    "calon_suami": "Calon suami",
    "calon_istri": "Calon istri",
    "suami": "Suami",
    "istri": "Istri",
    "almarhum": "Almarhum/almarhumah",
    "pelapor": "Pelapor",
    "kepala_keluarga": "Kepala keluarga",
    "anggota": "Anggota keluarga",
    "pemohon": "Pemohon",
    "orang_tua": "Orang tua/wali",
    # Referrals made before cases had persons in roles: the one resident helped.
    "warga": "Warga yang dibantu (data lama)",
}

# The roles a case of each document type has, the first being the main person
# (referral.resident_id). Roles in MANY take several residents.
DOC_ROLES = {
    "akta_kelahiran": ("anak", "ibu", "ayah"),
    "buku_nikah": ("calon_suami", "calon_istri"),
    "akta_perkawinan": ("calon_suami", "calon_istri"),
    "itsbat_nikah": ("suami", "istri"),
    "kk": ("kepala_keluarga", "anggota"),
    "ktp_el": ("pemohon",),
    "kia": ("anak", "orang_tua"),
    "akta_kematian": ("almarhum", "pelapor"),
    "ikd": ("pemohon",),
}
MANY = frozenset({"anggota"})
# Roles the case page asks for when missing (only the main person is required at
# intake: a father, a reporter or the other catin may be registered later).
EXPECTED_ROLES = {
    "akta_kelahiran": ("anak", "ibu"),
    "buku_nikah": ("calon_suami", "calon_istri"),
    "akta_perkawinan": ("calon_suami", "calon_istri"),
    "itsbat_nikah": ("suami", "istri"),
}
LEGACY_ROLE = "warga"

# -- the KK ---------------------------------------------------------------------------

KAWIN_TERCATAT = "kawin_tercatat"
KAWIN_BELUM_TERCATAT = "kawin_belum_tercatat"
BELUM_KAWIN = "belum_kawin"
CERAI = "cerai"
# Status perkawinan as printed on the KK (since 2024 "kawin belum tercatat" via
# SPTJM F-1.05); "cerai" covers cerai hidup and cerai mati.
MARITAL_LABELS = {
    KAWIN_TERCATAT: "Kawin tercatat",
    KAWIN_BELUM_TERCATAT: "Kawin belum tercatat",
    BELUM_KAWIN: "Belum kawin",
    CERAI: "Cerai (hidup/mati)",
}
# The KK shows the couple as married: the F-2.04 route is open.
MARRIED_ON_KK = frozenset({KAWIN_TERCATAT, KAWIN_BELUM_TERCATAT})

KTP_REASONS = {
    "baru": "Baru (17 tahun atau sudah kawin)",
    "hilang": "Hilang",
    "rusak": "Rusak",
    "perubahan": "Perubahan data",
}

# -- conditions on checklist items ----------------------------------------------------

# A checklist item with a condition is copied into a case only when it holds
# (checklist_rules.conditions). None: always.
CONDITION_LABELS = {
    "": "Selalu",
    "terlambat": "Bila lewat batas waktu pelaporan",
    "luar_kecamatan": "Bila catin dari kecamatan lain (bukan kecamatan akad)",
    "catin_bawah_21": "Bila ada catin di bawah 21 tahun",
    "catin_bawah_19": "Bila ada catin di bawah 19 tahun",
    "nikah_belum_tercatat_kk_kawin": (
        "Perkawinan orang tua belum tercatat, KK menunjukkan kawin"
    ),
    "nikah_belum_tercatat_kk_lain": (
        "Perkawinan orang tua belum tercatat, KK belum menunjukkan kawin"
    ),
    "nikah_tercatat": "Perkawinan orang tua tercatat (ada buku nikah/akta)",
    "ibu_bawah_17": "Ibu belum berusia 17 tahun saat melahirkan",
    "ktp_hilang": "KTP-el hilang",
    "ktp_rusak": "KTP-el rusak atau berubah data",
    "kk_kawin_belum_tercatat": "KK akan memuat status kawin belum tercatat",
}
