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

SCHEDULED = "dijadwalkan"
ONGOING = "berlangsung"
FINISHED = "selesai"
MEETING_STATUSES = {
    SCHEDULED: "Dijadwalkan",
    ONGOING: "Berlangsung",
    FINISHED: "Selesai",
}

PRESENT = "hadir"
ATTENDANCE_STATUSES = {
    PRESENT: "Hadir",
    "izin": "Izin",
    "sakit": "Sakit",
    "tidak_hadir": "Tidak hadir",
}
NOT_MARKED_LABEL = "Belum ditandai"

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
