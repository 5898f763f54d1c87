"""The fixed vocabularies of meetings and members. Plain data, no Flask.

Keys are stored in the database and read by the reports, so they never change;
labels may. Meeting kinds, statuses and the member's jabatan/unsur follow the
programme's own structure (Peraturan BKKBN 20/2023) and change only with a code
release. The seksi list is configurable instead (config key MEETINGS_SEKSI), as
DOMAIN.md asks: see `seksi_choices`.
"""

MEETING_KINDS = {
    "rapat_pokja": "Rapat Pokja",
    "rapat_perencanaan": "Rapat perencanaan (RKM)",
    "rakor_kelurahan": "Rakor kelurahan",
    "poktan_bkb": "Pertemuan poktan BKB",
    "poktan_bkr": "Pertemuan poktan BKR",
    "poktan_bkl": "Pertemuan poktan BKL",
    "poktan_uppka": "Pertemuan poktan UPPKA",
    "poktan_pikr": "Pertemuan PIK-R",
    "posyandu": "Posyandu",
    "kader_imp": "Pertemuan kader IMP",
    "staff_meeting_plkb": "Staff meeting PLKB",
    "minilok": "Minilok (lokakarya mini)",
    "monev": "Monev",
    "orientasi": "Orientasi / pertemuan lintas sektor",
    "lainnya": "Lainnya",
}

# Kinds kept for the meetings recorded with them before issue 14, no longer
# offered for new meetings: a poktan session is attended by families (menu
# Poktan), a Posyandu is a service with counts (menu Posyandu & PAUD). Old
# records stay what they were (a meeting of the Pokja's officers) and keep
# their kind when edited; the reports count them as meetings, as before.
RETIRED_KINDS = frozenset(
    {
        "poktan_bkb",
        "poktan_bkr",
        "poktan_bkl",
        "poktan_uppka",
        "poktan_pikr",
        "posyandu",
    }
)
RETIRED_KINDS_HINT = (
    "Pertemuan poktan (BKB, BKR, BKL, UPPKA, PIK-R) dicatat di menu Poktan; "
    "Posyandu dan PAUD di menu Posyandu & PAUD."
)


def kind_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The kinds a meeting form offers: all but the retired ones, unless the
    meeting being edited already has one."""
    return [
        (key, label)
        for key, label in MEETING_KINDS.items()
        if key not in RETIRED_KINDS or key == current
    ]


SCHEDULED = "dijadwalkan"
ONGOING = "berlangsung"
FINISHED = "selesai"
MEETING_STATUSES = {
    SCHEDULED: "Dijadwalkan",
    ONGOING: "Berlangsung",
    FINISHED: "Selesai",
}

# How a Pokja is invited (meeting_pokja.mode).
ALL_MEMBERS = "all"
DELEGATES = "delegates"
INVITE_MODES = {
    ALL_MEMBERS: "Semua anggota aktif",
    DELEGATES: "Utusan terpilih",
}
# Jabatan in the order delegates are picked ("N orang per Pokja").
JABATAN_RANK = (
    "ketua",
    "wakil_ketua",
    "sekretaris",
    "bendahara",
    "koordinator_seksi",
    "anggota",
    "penasehat",
    "pelindung",
)
# The quick pick "ketua + sekretaris".
CORE_JABATAN = ("ketua", "sekretaris")

PRESENT = "hadir"
ATTENDANCE_STATUSES = {
    PRESENT: "Hadir",
    "izin": "Izin",
    "sakit": "Sakit",
    "tidak_hadir": "Tidak hadir",
}
NOT_MARKED_LABEL = "Belum ditandai"
UNINVITED_LABEL = "Hadir, tidak diundang"

SEXES = {"L": "Laki-laki", "P": "Perempuan"}

JABATAN = {
    "pelindung": "Pelindung",
    "penasehat": "Penasehat",
    "ketua": "Ketua",
    "wakil_ketua": "Wakil ketua",
    "sekretaris": "Sekretaris",
    "bendahara": "Bendahara",
    "koordinator_seksi": "Koordinator seksi",
    "anggota": "Anggota",
}

UNSUR = {
    "ppkbd": "PPKBD",
    "sub_ppkbd": "Sub-PPKBD",
    "pkk": "PKK",
    "rt_rw": "RT/RW",
    "tokoh_agama": "Tokoh agama",
    "tokoh_masyarakat": "Tokoh masyarakat",
    "plkb": "PLKB/PKB",
    "bidan_nakes": "Bidan/nakes",
    "karang_taruna": "Karang Taruna",
    "aparatur_kelurahan": "Aparatur kelurahan",
    "lainnya": "Lainnya",
}

# The 8 fungsi keluarga (PP 87/2014): the default seksi of a Pokja.
DEFAULT_SEKSI = {
    "keagamaan": "Keagamaan",
    "sosialisasi_pendidikan": "Sosialisasi dan pendidikan",
    "reproduksi": "Reproduksi",
    "ekonomi": "Ekonomi",
    "perlindungan": "Perlindungan",
    "kasih_sayang": "Kasih sayang",
    "sosial_budaya": "Sosial budaya",
    "pembinaan_lingkungan": "Pembinaan lingkungan",
}


def seksi_choices(config: dict) -> dict[str, str]:
    """The seksi a member may belong to: MEETINGS_SEKSI from the config, or the 8."""
    configured = config.get("MEETINGS_SEKSI")
    return dict(configured) if configured else dict(DEFAULT_SEKSI)


def label(vocabulary: dict[str, str], key: str | None) -> str:
    """The label of a key; an unknown key (e.g. a seksi removed later) as stored."""
    if not key:
        return ""
    return vocabulary.get(key, key)


# What an organiser attaches to a meeting as evidence (SPJ): the signed sheet
# first, because the recap asks whether there is one.
SIGNED_SHEET = "daftar_hadir"
EVIDENCE_KINDS = {
    SIGNED_SHEET: "Daftar hadir bertanda tangan",
    "notulen": "Notulen (tulisan tangan)",
    "foto": "Foto kegiatan",
}
