"""Where each civil document is issued, and the papers a referral needs."""

from dataclasses import dataclass

DOC_TYPES = {
    "akta_kelahiran": "Akta kelahiran",
    "buku_nikah": "Buku nikah (KUA)",
    "akta_perkawinan": "Akta perkawinan (Disdukcapil)",
    "itsbat_nikah": "Itsbat nikah",
    "kk": "Kartu Keluarga (KK)",
    "ktp_el": "KTP-el",
    "kia": "Kartu Identitas Anak (KIA)",
    "akta_kematian": "Akta kematian",
}

# The six religions served by the state plus penghayat kepercayaan, as on the KK.
RELIGIONS = {
    "islam": "Islam",
    "kristen": "Kristen",
    "katolik": "Katolik",
    "hindu": "Hindu",
    "buddha": "Buddha",
    "konghucu": "Khonghucu",
    "kepercayaan": "Kepercayaan terhadap Tuhan YME",
}

# Spellings people actually type, mapped to our codes.
_RELIGION_ALIASES = {
    "khonghucu": "konghucu",
    "kong hu cu": "konghucu",
    "budha": "buddha",
    "protestan": "kristen",
    "kristen protestan": "kristen",
    "katholik": "katolik",
    "kristen katolik": "katolik",
    "penghayat": "kepercayaan",
    "penghayat kepercayaan": "kepercayaan",
    "kepercayaan terhadap tuhan yme": "kepercayaan",
}

DISDUKCAPIL = "disdukcapil"
KUA = "kua"
PENGADILAN_AGAMA = "pengadilan_agama"

DISDUKCAPIL_NAME = "Disdukcapil Kota Cilegon (loket adminduk kelurahan)"
PENGADILAN_AGAMA_NAME = "Pengadilan Agama Cilegon"

_MARRIAGE_DOCS = frozenset({"buku_nikah", "akta_perkawinan"})

# Short reminders shown with a Disdukcapil suggestion; the deadlines are the ones
# residents most often miss (DOMAIN.md, "Civil-document referrals").
_DISDUKCAPIL_NOTES = {
    "akta_kelahiran": "Laporkan paling lambat 60 hari setelah kelahiran; gratis.",
    "akta_perkawinan": "Catatkan paling lambat 60 hari setelah upacara keagamaan.",
    "kk": "KK baru atau perubahan KK diurus di Disdukcapil.",
    "ktp_el": "Warga harus datang untuk perekaman (foto, sidik jari, iris).",
    "kia": "Untuk anak di bawah 17 tahun; anak 5 tahun ke atas perlu pas foto.",
    "akta_kematian": "Laporkan kematian paling lambat 30 hari.",
}


@dataclass(frozen=True)
class Destination:
    """The office a referral should go to, with a short note for staff."""

    code: str
    name: str
    note: str = ""


def normalize_religion(religion: str | None) -> str | None:
    """Map a typed religion ('Islam', 'Kristen Protestan') to a RELIGIONS code."""
    if not religion:
        return None
    value = " ".join(religion.split()).lower()
    value = _RELIGION_ALIASES.get(value, value)
    return value if value in RELIGIONS else None


def _kua_name(kecamatan_name: str | None) -> str:
    """Name the KUA of a kecamatan, accepting 'Cibeber' or 'Kecamatan Cibeber'."""
    name = " ".join((kecamatan_name or "").split())
    if name.lower().startswith("kecamatan "):
        name = name[len("kecamatan ") :]
    if not name:
        # Still a useful suggestion: every kecamatan in Cilegon has its own KUA.
        return "KUA kecamatan tempat tinggal"
    return f"KUA Kecamatan {name}"


def _marriage_destination(
    doc_type: str, religion: str | None, kecamatan_name: str | None
) -> Destination:
    """Route a marriage registration: KUA for Muslims, Disdukcapil for the others."""
    if religion == "islam":
        note = "Daftar paling lambat 10 hari kerja sebelum akad."
        if doc_type == "akta_perkawinan":
            # Residents often ask for "akta" out of habit; a Muslim marriage is
            # registered by the KUA and its document is the buku nikah.
            note = (
                "Perkawinan secara Islam dicatat KUA dengan buku nikah, bukan akta "
                "perkawinan Disdukcapil. " + note
            )
        return Destination(KUA, _kua_name(kecamatan_name), note)
    if religion is None:
        # Sending a Muslim couple to Disdukcapil costs a wasted trip, so say so.
        return Destination(
            DISDUKCAPIL,
            DISDUKCAPIL_NAME,
            "Agama belum diisi atau tidak dikenal: pastikan dulu. Perkawinan secara "
            "Islam dicatat di KUA kecamatan, agama lain di Disdukcapil.",
        )
    note = _DISDUKCAPIL_NOTES["akta_perkawinan"]
    if doc_type == "buku_nikah":
        note = (
            "Buku nikah KUA hanya untuk perkawinan secara Islam; perkawinan "
            f"{RELIGIONS[religion]} dicatat Disdukcapil dengan akta perkawinan. " + note
        )
    return Destination(DISDUKCAPIL, DISDUKCAPIL_NAME, note)


def _itsbat_destination(religion: str | None) -> Destination:
    """Route an unregistered marriage: Pengadilan Agama for Muslims."""
    if religion is not None and religion != "islam":
        # The Pengadilan Agama only hears marriages made under Islamic law.
        return Destination(
            DISDUKCAPIL,
            DISDUKCAPIL_NAME,
            "Itsbat nikah di Pengadilan Agama hanya untuk perkawinan secara Islam. "
            "Perkawinan agama lain yang belum dicatat: tanyakan ke Disdukcapil "
            "(bisa perlu penetapan Pengadilan Negeri).",
        )
    return Destination(
        PENGADILAN_AGAMA,
        PENGADILAN_AGAMA_NAME,
        "Setelah penetapan itsbat, catatkan ke KUA lalu perbarui KK di Disdukcapil.",
    )


def suggest_destination(
    doc_type: str, religion: str | None, kecamatan_name: str | None
) -> Destination:
    """Suggest where to send a referral for this document and resident."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"Jenis dokumen '{doc_type}' tidak dikenal.")
    code = normalize_religion(religion)
    if doc_type in _MARRIAGE_DOCS:
        return _marriage_destination(doc_type, code, kecamatan_name)
    if doc_type == "itsbat_nikah":
        return _itsbat_destination(code)
    return Destination(DISDUKCAPIL, DISDUKCAPIL_NAME, _DISDUKCAPIL_NOTES[doc_type])


# Seed data for the editable checklist table: what a Pokja cadre asks the resident
# to bring. Lines starting "Pengganti" are alternatives, not extra papers, so a
# resident without a birth letter or marriage book is not turned away.
DEFAULT_CHECKLISTS = {
    "akta_kelahiran": [
        "Surat keterangan lahir dari bidan, puskesmas, atau rumah sakit",
        "Buku nikah atau akta perkawinan orang tua",
        "Kartu Keluarga (KK)",
        "KTP-el ayah dan ibu",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Pengganti surat keterangan lahir: SPTJM data kelahiran + 2 saksi",
        "Pengganti buku nikah/akta perkawinan: SPTJM suami istri + 2 saksi",
    ],
    "buku_nikah": [
        "Surat pengantar nikah dari kelurahan (formulir N1-N4)",
        "KTP-el calon suami dan calon istri",
        "Kartu Keluarga (KK) calon suami dan calon istri",
        "Akta kelahiran calon suami dan calon istri",
        "Pas foto 2x3 dan 4x6 latar biru",
        "Surat izin orang tua bagi calon pengantin di bawah 21 tahun",
        "Dispensasi kawin dari Pengadilan Agama bagi calon di bawah 19 tahun",
        "Akta cerai atau akta kematian pasangan bagi duda/janda",
        "Surat rekomendasi nikah bila akad di luar kecamatan tempat tinggal",
        "Izin komandan/atasan bagi anggota TNI/Polri",
    ],
    "akta_perkawinan": [
        "Surat perkawinan dari pemuka agama atau pemuka penghayat kepercayaan",
        "KTP-el kedua mempelai",
        "Kartu Keluarga (KK) kedua mempelai",
        "Akta kelahiran kedua mempelai",
        "Pas foto berdampingan suami istri",
        "KTP-el 2 orang saksi",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Dispensasi kawin dari pengadilan bagi calon di bawah 19 tahun",
        "Akta cerai atau akta kematian pasangan bagi duda/janda",
    ],
    "itsbat_nikah": [
        "Surat permohonan itsbat nikah",
        "KTP-el suami dan istri",
        "Kartu Keluarga (KK)",
        "Surat keterangan dari KUA bahwa perkawinan belum tercatat",
        "Surat keterangan nikah dari kelurahan",
        "Identitas 2 orang saksi akad nikah",
        "Panjar biaya perkara, atau SKTM dari kelurahan untuk perkara prodeo",
    ],
    "kk": [
        "KK lama (bila ada perubahan atau penggantian)",
        "Buku nikah atau akta perkawinan (untuk KK baru)",
        "Surat keterangan pindah (bagi pendatang)",
        "Akta kelahiran, kematian, atau cerai bila KK berubah karenanya",
        "Formulir biodata keluarga (F-1.01)",
    ],
    "ktp_el": [
        "Kartu Keluarga (KK)",
        "Sudah berusia 17 tahun, atau buku nikah bila sudah kawin",
        "KTP-el lama bila rusak atau ada perubahan data",
        "Surat keterangan hilang dari kepolisian bila KTP-el hilang",
        "Hadir untuk perekaman (foto, sidik jari, iris)",
    ],
    "kia": [
        "Kutipan akta kelahiran anak",
        "Kartu Keluarga (KK) orang tua/wali",
        "KTP-el ayah dan ibu/wali",
        "Pas foto anak berwarna 2x3 (anak usia 5 tahun ke atas)",
    ],
    "akta_kematian": [
        "Surat keterangan kematian dari rumah sakit, puskesmas, dokter, atau kelurahan",
        "Kartu Keluarga (KK) almarhum/almarhumah",
        "KTP-el almarhum/almarhumah",
        "KTP-el pelapor",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Pengganti surat keterangan kematian: SPTJM data kematian + 2 saksi",
    ],
}
