"""Where kkbweb's own vocabularies land on the portal's lists. No Flask.

Each vocabulary maps its codes onto one portal list (kategori, sasaran or
instansi). DEFAULTS hold the starting mapping; an admin corrects a value on the
mapping page (a PortalMapping row overrides the default). A value with no portal
counterpart goes to "Lainnya" with its own label as the free text (the portal's
sasaran_lainnya / instansi_lainnya); kategori has no free text, only Lainnya.
"""

from dataclasses import dataclass

from kkbweb import reference

L = None  # "Lainnya, with the value's own label as the text"


@dataclass(frozen=True)
class Vocab:
    """One of kkbweb's vocabularies and the portal list it maps onto."""

    key: str
    label: str
    target: str  # kategori | sasaran | instansi


VOCABS = {
    v.key: v
    for v in (
        Vocab("kie_kategori", "Kategori KIE (fungsi keluarga)", "kategori"),
        Vocab("kie_audience", "Sasaran KIE", "sasaran"),
        Vocab("kie_mitra", "Mitra KIE (saran isian)", "instansi"),
        Vocab("meeting_kind_kategori", "Jenis rapat → Seksi Kegiatan", "kategori"),
        Vocab("meeting_kind_sasaran", "Jenis rapat → Peserta Kegiatan", "sasaran"),
        Vocab("member_unsur", "Unsur anggota → Instansi", "instansi"),
        Vocab("pokja_seksi", "Seksi Pokja → Seksi Kegiatan", "kategori"),
        Vocab("poktan_kategori", "Jenis poktan → Seksi Kegiatan", "kategori"),
        Vocab("poktan_sasaran", "Jenis poktan → Peserta Kegiatan", "sasaran"),
        Vocab("poktan_instansi", "Jenis poktan → Instansi", "instansi"),
        Vocab("unit_kategori", "Posyandu/PAUD → Seksi Kegiatan", "kategori"),
        Vocab("unit_sasaran", "Dilayani (hitungan sesi) → Peserta", "sasaran"),
        Vocab("unit_instansi", "Posyandu/PAUD → Instansi", "instansi"),
    )
}

LAINNYA = {
    "kategori": reference.KATEGORI_LAINNYA,
    "sasaran": reference.SASARAN_LAINNYA,
    "instansi": reference.INSTANSI_LAINNYA,
}

_FUNGSI = {
    "keagamaan": 1,
    "sosialisasi_pendidikan": 2,
    "reproduksi": 3,
    "ekonomi": 4,
    "perlindungan": 5,
    "kasih_sayang": 6,
    "sosial_budaya": 7,
    "pembinaan_lingkungan": 8,
}

# code -> portal id, or (Lainnya id, text), or L (Lainnya + the label).
DEFAULTS: dict[str, dict[str, int | tuple[int, str] | None]] = {
    "kie_kategori": {**_FUNGSI, "lainnya": 9},
    "pokja_seksi": dict(_FUNGSI),
    # The portal has no Umum, WUS, Catin, Ibu hamil or Tokoh masyarakat.
    "kie_audience": {
        "pus": 2,
        "wus": L,
        "remaja": 3,
        "catin": L,
        "ibu_hamil": L,
        "keluarga_balita": 6,
        "keluarga_remaja": 7,
        "keluarga_lansia": 8,
        "lansia": 4,
        "tokoh_masyarakat": L,
        "umum": L,
    },
    "kie_mitra": {
        "puskesmas": 30,
        "pkk": 32,
        "kua": 18,
        "disdukcapil": 5,
        "dinkes": 19,
        "bkkbn": 34,
        "kelurahan": 27,
        "karang_taruna": 32,
        "sekolah": 28,
        "babinsa": 6,
    },
    "meeting_kind_kategori": {
        "rapat_pokja": 9,
        "rapat_perencanaan": 9,
        "rakor_kelurahan": 9,
        "poktan_bkb": 2,
        "poktan_bkr": 2,
        "poktan_bkl": 6,
        "poktan_uppka": 4,
        "poktan_pikr": 3,
        "posyandu": 5,
        "kader_imp": 3,
        "staff_meeting_plkb": 9,
        "minilok": 9,
        "monev": 9,
        "orientasi": 9,
        "lainnya": 9,
    },
    "meeting_kind_sasaran": {
        "rapat_pokja": (9, "Pengurus Pokja Kampung KB"),
        "rapat_perencanaan": (9, "Pengurus Pokja Kampung KB"),
        "rakor_kelurahan": (9, "Lintas sektor kelurahan"),
        "poktan_bkb": 6,
        "poktan_bkr": 7,
        "poktan_bkl": 8,
        "poktan_uppka": 2,
        "poktan_pikr": 3,
        "posyandu": 5,
        "kader_imp": (9, "Kader IMP (PPKBD dan Sub-PPKBD)"),
        "staff_meeting_plkb": (9, "PKB/PLKB"),
        "minilok": (9, "Lintas sektor kelurahan"),
        "monev": (9, "Pengurus Pokja Kampung KB"),
        "orientasi": (9, "Pengurus Pokja Kampung KB"),
        "lainnya": (9, "Peserta rapat"),
    },
    "poktan_kategori": {"bkb": 2, "bkr": 2, "bkl": 6, "uppka": 4, "pikr": 3},
    "poktan_sasaran": {"bkb": 6, "bkr": 7, "bkl": 8, "uppka": 2, "pikr": 3},
    "poktan_instansi": {"bkb": 32, "bkr": 32, "bkl": 32, "uppka": 32, "pikr": 32},
    # A Posyandu day is health protection (KIA, gizi, imunisasi) run with the
    # Puskesmas; a PAUD is early education, itself a lembaga pendidikan.
    "unit_kategori": {"posyandu": 5, "paud": 2},
    "unit_sasaran": {
        "balita_present": 5,
        "ibu_hamil": (9, "Ibu hamil"),
        "children_present": (9, "Anak usia dini (PAUD)"),
    },
    "unit_instansi": {"posyandu": 30, "paud": 28},
    "member_unsur": {
        "ppkbd": 32,
        "sub_ppkbd": 32,
        "pkk": 32,
        "rt_rw": 27,
        "tokoh_agama": 32,
        "tokoh_masyarakat": 32,
        "plkb": 26,
        "bidan_nakes": 30,
        "karang_taruna": 32,
        "aparatur_kelurahan": 27,
        "lainnya": 32,
    },
}


@dataclass(frozen=True)
class Target:
    """A portal value: its id, and the free text when the id is Lainnya."""

    portal_id: int
    lainnya: str | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.portal_id, self.lainnya or "")


def default_target(vocab_key: str, code: str, label: str) -> Target:
    """The default landing of one value (unknown values: Lainnya + the label)."""
    target = VOCABS[vocab_key].target
    value = DEFAULTS.get(vocab_key, {}).get(code, L)
    if isinstance(value, tuple):
        return Target(value[0], value[1])
    if value is None:
        return Target(LAINNYA[target], None if target == "kategori" else label)
    return Target(value)


def resolve(
    vocab_key: str, code: str, label: str, overrides: dict[tuple[str, str], Target]
) -> Target:
    """Where a value lands: the admin's correction, else the default."""
    found = overrides.get((vocab_key, code))
    return found if found is not None else default_target(vocab_key, code, label)


def problem(vocab_key: str, portal_id: int | None, lainnya: str | None) -> str | None:
    """An Indonesian message when a mapping cannot be stored."""
    target = VOCABS[vocab_key].target
    if portal_id not in reference.names(target):
        return "Pilih nilai dari daftar portal."
    if portal_id == LAINNYA[target] and target != "kategori" and not lainnya:
        return "Nilai \u201cLainnya\u201d perlu teks isian."
    if portal_id != LAINNYA[target] and lainnya:
        return "Teks isian hanya untuk \u201cLainnya\u201d."
    return None


def text_of(target_list: str, value: Target) -> str:
    """A mapped value as the portal shows it ("Lainnya: WUS" for free text)."""
    name = reference.names(target_list).get(value.portal_id, "?")
    return f"{name}: {value.lainnya}" if value.lainnya else name
