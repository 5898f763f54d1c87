"""The starting vocabularies of KIE logs (DOMAIN.md). Plain data, no Flask.

Admins extend and rename these in the app; the codes stay stable so that seeds,
reports and exports can refer to a term whatever its label becomes.
"""

KINDS = {
    "method": "Metode",
    "media": "Media",
    "topic": "Topik",
    "audience": "Sasaran",
    "kategori": "Kategori (fungsi keluarga)",
    "mitra": "Mitra (saran isian)",
}

# Kinds linked to an entry through the kie_activity_term association table.
LINKED_KINDS = ("media", "topic", "audience")

ACTIVITY_TYPES = {"kie": "KIE", "advokasi": "Advokasi"}

DEFAULT_TERMS: dict[str, list[tuple[str, str]]] = {
    "method": [
        ("tatap_muka", "Tatap muka kelompok"),
        ("kunjungan_rumah", "Kunjungan rumah"),
        ("konseling", "Konseling perorangan"),
        ("kie_massa", "KIE massa"),
        ("media_sosial", "Media sosial"),
        ("radio", "Radio"),
        ("mupen", "MUPEN (mobil unit penerangan)"),
    ],
    "media": [
        ("spanduk", "Spanduk/baliho"),
        ("leaflet", "Leaflet/brosur"),
        ("poster", "Poster"),
        ("lembar_balik", "Lembar balik (ABPK)"),
        ("video", "Video"),
        ("konten_medsos", "Konten media sosial"),
        ("kie_kit", "KIE kit"),
    ],
    "topic": [
        ("stunting", "Stunting"),
        ("hpk_1000", "1000 HPK"),
        ("kb", "KB/kontrasepsi"),
        ("kespro_remaja", "Kespro remaja"),
        ("pup", "Pendewasaan usia perkawinan"),
        ("fungsi_keluarga", "8 fungsi keluarga"),
        ("pengasuhan", "Pengasuhan"),
        ("adminduk", "Adminduk"),
        ("kekerasan", "Pencegahan kekerasan pada perempuan dan anak"),
        ("gizi_asi", "Gizi/ASI"),
        ("ekonomi_keluarga", "Ekonomi keluarga"),
    ],
    "audience": [
        ("pus", "PUS"),
        ("wus", "WUS"),
        ("remaja", "Remaja"),
        ("catin", "Catin"),
        ("ibu_hamil", "Ibu hamil"),
        ("keluarga_balita", "Keluarga balita"),
        ("keluarga_remaja", "Keluarga remaja"),
        ("keluarga_lansia", "Keluarga lansia"),
        ("lansia", "Lansia"),
        ("tokoh_masyarakat", "Tokoh masyarakat"),
        ("umum", "Umum"),
    ],
    "kategori": [
        ("keagamaan", "Keagamaan"),
        ("sosialisasi_pendidikan", "Sosialisasi dan pendidikan"),
        ("reproduksi", "Reproduksi"),
        ("ekonomi", "Ekonomi"),
        ("perlindungan", "Perlindungan"),
        ("kasih_sayang", "Kasih sayang"),
        ("sosial_budaya", "Sosial budaya"),
        ("pembinaan_lingkungan", "Pembinaan lingkungan"),
        ("lainnya", "Lainnya"),
    ],
    "mitra": [
        ("puskesmas", "Puskesmas"),
        ("pkk", "TP PKK Kelurahan"),
        ("kua", "KUA Kecamatan"),
        ("disdukcapil", "Disdukcapil"),
        ("dinkes", "Dinas Kesehatan"),
        ("bkkbn", "Perwakilan BKKBN Banten"),
        ("kelurahan", "Kantor Kelurahan"),
        ("karang_taruna", "Karang Taruna"),
        ("sekolah", "Sekolah/madrasah"),
        ("babinsa", "Babinsa/Bhabinkamtibmas"),
    ],
}


def default_rows() -> list[dict]:
    """The default terms as rows for a bulk insert."""
    return [
        {"kind": kind, "code": code, "label": label, "sort": index * 10, "active": True}
        for kind, terms in DEFAULT_TERMS.items()
        for index, (code, label) in enumerate(terms, start=1)
    ]
