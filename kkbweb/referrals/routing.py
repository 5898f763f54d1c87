"""Where each civil document is issued (no Flask, no database).

The 8 KUA come from data/cilegon_offices.csv, a verbatim copy of
../shared/domain/cilegon_offices.csv. A Muslim marriage goes to the KUA of the
kecamatan where the akad is held, whatever the catin's home kecamatan; a catin from
another kecamatan brings the home KUA's rekomendasi (checklist_rules). The papers
themselves: checklist_rules.py (re-exported here for older callers).
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kkbweb.referrals import checklist_rules, vocab
from kkbweb.referrals.checklist_rules import (  # noqa: F401 (older callers)
    DEFAULT_CHECKLISTS,
    PaperProgress,
    is_substitute,
    paper_progress,
    replaced_paper,
)

OFFICES_FILE = Path(__file__).parent / "data" / "cilegon_offices.csv"
WILAYAH_FILE = Path(__file__).parent / "data" / "cilegon_wilayah.csv"

DOC_TYPES = {
    "akta_kelahiran": "Akta kelahiran",
    "buku_nikah": "Buku nikah (KUA)",
    "akta_perkawinan": "Akta perkawinan (Disdukcapil)",
    "itsbat_nikah": "Itsbat nikah",
    "kk": "Kartu Keluarga (KK)",
    "ktp_el": "KTP-el",
    "kia": "Kartu Identitas Anak (KIA)",
    "akta_kematian": "Akta kematian",
    "ikd": "Aktivasi IKD (KTP digital)",
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
    "ikd": "Aktivasi Identitas Kependudukan Digital di loket; bawa ponsel sendiri.",
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


def _load_kua() -> dict[str, str]:
    """{kecamatan (lower case): KUA name} of the 8 KUA in cilegon_offices.csv."""
    with OFFICES_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            checklist_rules.same_kecamatan(row["kecamatan"]): row["name"]
            for row in csv.DictReader(handle)
            if row["office_type"] == "KUA"
        }


def _load_kecamatan() -> list[str]:
    """The kecamatan names of Cilegon in code order (cilegon_wilayah.csv)."""
    with WILAYAH_FILE.open(encoding="utf-8", newline="") as handle:
        names: list[str] = []
        for row in csv.DictReader(handle):
            if row["kecamatan"] not in names:
                names.append(row["kecamatan"])
        return names


KUA_BY_KECAMATAN = _load_kua()
KECAMATAN_NAMES = _load_kecamatan()


def _kua_name(kecamatan_name: str | None) -> str:
    """Name the KUA of a kecamatan, accepting 'Cibeber' or 'Kecamatan Cibeber'."""
    key = checklist_rules.same_kecamatan(kecamatan_name)
    if key in KUA_BY_KECAMATAN:
        return KUA_BY_KECAMATAN[key]
    name = " ".join((kecamatan_name or "").split())
    if name.lower().startswith("kecamatan "):
        name = name[len("kecamatan ") :]
    if not name:
        # Still a useful suggestion: every kecamatan in Cilegon has its own KUA.
        return "KUA kecamatan tempat akad"
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


# -- couples and children -------------------------------------------------------------

SEMA_WARNING = (
    "Pasangan beda agama: sejak SEMA No. 2 Tahun 2023 pengadilan tidak mengabulkan "
    "permohonan pencatatan perkawinan antar-umat beragama, jadi KUA maupun "
    "Disdukcapil tidak dapat mencatatnya. Jelaskan kepada pasangan sebelum berkas "
    "dikumpulkan."
)


@dataclass(frozen=True)
class MarriageRoute:
    """Where a couple registers, what to warn about, and who needs a rekomendasi."""

    destination: Destination
    warnings: tuple[str, ...] = ()
    # Roles of the catin whose home kecamatan is not the kecamatan of the akad.
    rekomendasi_for: tuple[str, ...] = ()


def marriage_route(
    doc_type: str,
    religions: dict[str, str | None],
    akad_kecamatan: str | None,
    home_kecamatans: dict[str, str | None],
) -> MarriageRoute:
    """Route a marriage by BOTH catin's religions and the kecamatan of the akad.

    religions / home_kecamatans: {"calon_suami": ..., "calon_istri": ...}.
    """
    codes = {role: normalize_religion(value) for role, value in religions.items()}
    known = {code for code in codes.values() if code}
    warnings: list[str] = []
    if len(known) > 1:
        warnings.append(SEMA_WARNING)
        destination = Destination(
            DISDUKCAPIL,
            DISDUKCAPIL_NAME,
            "Agama kedua catin berbeda: tujuan tidak dapat ditentukan.",
        )
        return MarriageRoute(destination, tuple(warnings))
    religion = next(iter(known)) if known and None not in codes.values() else None
    if known and religion is None:
        # One catin's religion is missing: route by the known one, but say so.
        religion = next(iter(known))
        warnings.append(
            "Agama salah satu catin belum diisi: pastikan keduanya seagama "
            "sebelum berkas dikumpulkan."
        )
    if not checklist_rules.same_kecamatan(akad_kecamatan) and religion == "islam":
        # Unknown yet: the akad is most often held at the bride's home.
        akad_kecamatan = home_kecamatans.get("calon_istri") or home_kecamatans.get(
            "calon_suami"
        )
        warnings.append(
            "Kecamatan tempat akad belum diisi: dianggap kecamatan tempat tinggal "
            "calon istri. Nikah dicatat KUA kecamatan tempat akad, bukan kecamatan "
            "tempat tinggal."
        )
    destination = _marriage_destination(doc_type, religion, akad_kecamatan)
    rekomendasi: list[str] = []
    if destination.code == KUA:
        akad = checklist_rules.same_kecamatan(akad_kecamatan)
        for role, home in home_kecamatans.items():
            if akad and home and checklist_rules.same_kecamatan(home) != akad:
                rekomendasi.append(role)
    return MarriageRoute(destination, tuple(warnings), tuple(rekomendasi))


BELUM_TERCATAT_PHRASE = (
    "anak dari ayah dan ibu yang perkawinannya belum tercatat sesuai ketentuan "
    "peraturan perundang-undangan"
)


@dataclass(frozen=True)
class BirthRoute:
    """How a child's akta treats the parents' marriage."""

    route: str  # "buku_nikah", "f204", "ibu_saja"
    consequence: str = ""
    suggest_itsbat: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def birth_route(unregistered: bool, kk_status: str | None) -> BirthRoute:
    """The parents' marriage for a child's akta: buku nikah, F-2.04, or mother only.

    The SPTJM of husband and wife (F-2.04) replaces the buku nikah only when the KK
    shows the couple as married; the akta then carries the "belum tercatat" phrase.
    """
    if not unregistered:
        return BirthRoute("buku_nikah")
    itsbat = (
        "Sarankan itsbat nikah (sidang isbat terpadu) agar perkawinan tercatat; "
        "setelah itu akta anak dapat diperbarui."
    )
    if kk_status in vocab.MARRIED_ON_KK:
        return BirthRoute(
            "f204",
            f"Akta kelahiran akan memuat frasa \u201c{BELUM_TERCATAT_PHRASE}\u201d.",
            True,
            (itsbat,),
        )
    return BirthRoute(
        "ibu_saja",
        "KK belum menunjukkan orang tua kawin, jadi SPTJM F-2.04 belum dapat "
        "dipakai: akta hanya mencantumkan nama ibu. Ubah dulu status KK menjadi "
        "kawin belum tercatat (SPTJM F-1.05).",
        True,
        (itsbat,),
    )
