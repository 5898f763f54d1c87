"""The papers a case needs: the seeded checklists (with the conditions that add a
paper), which conditions hold for a case, and how far its file is. No Flask.

A line starting "Pengganti <paper>: ..." is an ALTERNATIVE of the required paper
it names, never an extra paper: it is not counted among the needed papers, and
when it is ticked it counts for the paper it replaces (paper_progress).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from kkbweb.referrals import deadlines, vocab
from kkbweb.timeutil import today_wib

# (label, condition): condition None = always; else a vocab.CONDITION_LABELS key.
# Seeded by migrations 0004 (first version) and 0014_adminduk (this version);
# afterwards the admin edits the table.
DEFAULT_ITEMS: dict[str, list[tuple[str, str | None]]] = {
    "akta_kelahiran": [
        ("Surat keterangan lahir dari bidan, puskesmas, atau rumah sakit", None),
        ("Buku nikah atau akta perkawinan orang tua", None),
        ("Kartu Keluarga (KK)", None),
        ("KTP-el ayah dan ibu", None),
        ("Formulir F-2.01 (pelaporan pencatatan sipil)", None),
        (
            "Pengganti surat keterangan lahir: SPTJM kebenaran data kelahiran "
            "(F-2.03) + 2 saksi",
            None,
        ),
        (
            "Pengganti buku nikah/akta perkawinan: SPTJM kebenaran sebagai pasangan "
            "suami istri (F-2.04); akta memuat frasa perkawinan belum tercatat",
            "nikah_belum_tercatat_kk_kawin",
        ),
        (
            "Ubah status KK dulu: SPTJM kawin belum tercatat (F-1.05), baru F-2.04 "
            "bisa dipakai; tanpa itu akta hanya mencantumkan nama ibu",
            "nikah_belum_tercatat_kk_lain",
        ),
        (
            "Pengganti KTP-el ayah dan ibu: ibu di bawah 17 tahun cukup KK atau akta "
            "kelahiran ibu (belum wajib KTP-el)",
            "ibu_bawah_17",
        ),
        (
            "Formulir pelaporan kelahiran terlambat (lewat 60 hari): surat "
            "pernyataan keterlambatan, diketahui lurah",
            "terlambat",
        ),
    ],
    "buku_nikah": [
        ("Formulir N1 (surat keterangan untuk nikah, dari kelurahan)", None),
        ("Formulir N3 (persetujuan calon suami dan calon istri)", None),
        ("Formulir N5 (izin orang tua bagi catin di bawah 21 tahun)", "catin_bawah_21"),
        ("Sertifikat Elsimil (BKKBN/Kemenag) calon suami dan calon istri", None),
        ("KTP-el calon suami dan calon istri", None),
        ("Kartu Keluarga (KK) calon suami dan calon istri", None),
        ("Akta kelahiran atau ijazah calon suami dan calon istri", None),
        ("Pas foto 2x3 dan 4x6 latar biru", None),
        (
            "Dispensasi kawin dari Pengadilan Agama bagi catin di bawah 19 tahun",
            "catin_bawah_19",
        ),
        ("Akta cerai atau akta kematian pasangan bagi duda/janda", None),
        (
            "Surat rekomendasi nikah dari KUA kecamatan tempat tinggal catin "
            "(akad di kecamatan lain)",
            "luar_kecamatan",
        ),
        (
            "Surat dispensasi camat: pendaftaran kurang dari 10 hari kerja sebelum "
            "akad",
            "terlambat",
        ),
        ("Izin komandan/atasan bagi anggota TNI/Polri", None),
    ],
    "akta_perkawinan": [
        ("Surat perkawinan dari pemuka agama atau pemuka penghayat kepercayaan", None),
        ("KTP-el kedua mempelai", None),
        ("Kartu Keluarga (KK) kedua mempelai", None),
        ("Akta kelahiran kedua mempelai", None),
        ("Pas foto berdampingan suami istri", None),
        ("KTP-el 2 orang saksi", None),
        ("Formulir F-2.01 (pelaporan pencatatan sipil)", None),
        ("Dispensasi kawin dari pengadilan bagi calon di bawah 19 tahun", None),
        ("Akta cerai atau akta kematian pasangan bagi duda/janda", None),
        (
            "Formulir pelaporan perkawinan terlambat (lewat 60 hari dari upacara)",
            "terlambat",
        ),
    ],
    "itsbat_nikah": [
        ("Surat permohonan itsbat nikah", None),
        ("KTP-el suami dan istri", None),
        ("Kartu Keluarga (KK)", None),
        ("Surat keterangan dari KUA bahwa perkawinan belum tercatat", None),
        ("Surat keterangan nikah dari kelurahan", None),
        ("Identitas 2 orang saksi akad nikah", None),
        ("Panjar biaya perkara, atau SKTM dari kelurahan untuk perkara prodeo", None),
    ],
    "kk": [
        ("KK lama (bila ada perubahan atau penggantian)", None),
        ("Buku nikah atau akta perkawinan (untuk KK baru)", None),
        ("Surat keterangan pindah (bagi pendatang)", None),
        ("Akta kelahiran, kematian, atau cerai bila KK berubah karenanya", None),
        ("Formulir biodata keluarga (F-1.01)", None),
        (
            "Pengganti buku nikah/akta perkawinan: SPTJM kawin belum tercatat "
            "(F-1.05), status KK menjadi kawin belum tercatat",
            "kk_kawin_belum_tercatat",
        ),
    ],
    "ktp_el": [
        ("Kartu Keluarga (KK)", None),
        ("Sudah berusia 17 tahun, atau buku nikah bila sudah kawin", None),
        ("KTP-el lama (rusak atau ada perubahan data)", "ktp_rusak"),
        ("Formulir F-1.02 (pendaftaran peristiwa kependudukan)", "ktp_hilang"),
        ("Surat keterangan kehilangan dari kepolisian", "ktp_hilang"),
        ("Hadir untuk perekaman atau pencetakan (foto, sidik jari, iris)", None),
    ],
    "kia": [
        ("Kutipan akta kelahiran anak", None),
        ("Kartu Keluarga (KK) orang tua/wali", None),
        ("KTP-el ayah dan ibu/wali", None),
        ("Pas foto anak berwarna 2x3 (anak usia 5 tahun ke atas)", None),
    ],
    "akta_kematian": [
        (
            "Surat keterangan kematian dari rumah sakit, puskesmas, dokter, atau "
            "kelurahan",
            None,
        ),
        ("Kartu Keluarga (KK) almarhum/almarhumah", None),
        ("KTP-el almarhum/almarhumah", None),
        ("KTP-el pelapor", None),
        ("Formulir F-2.01 (pelaporan pencatatan sipil)", None),
        (
            "Pengganti surat keterangan kematian: SPTJM kebenaran data kematian "
            "+ 2 saksi",
            None,
        ),
        (
            "Formulir pelaporan kematian terlambat (lewat 30 hari): surat "
            "pernyataan keterlambatan",
            "terlambat",
        ),
    ],
    "ikd": [
        ("KTP-el sudah tercetak (aktivasi IKD memakai NIK yang sama)", None),
        ("Ponsel Android/iPhone dengan aplikasi Identitas Kependudukan Digital", None),
        ("Nomor ponsel dan alamat e-mail aktif milik sendiri", None),
        ("Hadir di loket untuk verifikasi wajah dan pindai kode QR", None),
    ],
}

DEFAULT_CHECKLISTS = {
    doc_type: [label for label, _ in items] for doc_type, items in DEFAULT_ITEMS.items()
}


@dataclass(frozen=True)
class CaseFacts:
    """What decides which conditional papers a case needs."""

    doc_type: str
    event_date: date | None = None
    today: date | None = None
    marital_status: str | None = None  # as on the KK
    unregistered: bool = False  # the (parents') marriage is not registered
    mother_birth_date: date | None = None
    catin_birth_dates: tuple = ()
    home_kecamatans: tuple = ()  # of the catin, names
    akad_kecamatan: str | None = None
    ktp_reason: str | None = None


def conditions(facts: CaseFacts) -> frozenset[str]:
    """The conditions that hold for this case (vocab.CONDITION_LABELS keys)."""
    held = set()
    today = facts.today or today_wib()
    if deadlines.is_late(facts.doc_type, facts.event_date, today):
        held.add("terlambat")
    if facts.doc_type == "akta_kelahiran":
        if facts.unregistered:
            if facts.marital_status in vocab.MARRIED_ON_KK:
                held.add("nikah_belum_tercatat_kk_kawin")
            else:
                held.add("nikah_belum_tercatat_kk_lain")
        else:
            held.add("nikah_tercatat")
        age = deadlines.age_on(facts.mother_birth_date, facts.event_date or today)
        if age is not None and age < 17:
            held.add("ibu_bawah_17")
    if facts.doc_type in ("buku_nikah", "akta_perkawinan"):
        ages = [
            deadlines.age_on(born, facts.event_date or today)
            for born in facts.catin_birth_dates
        ]
        if any(age is not None and age < 21 for age in ages):
            held.add("catin_bawah_21")
        if any(age is not None and age < 19 for age in ages):
            held.add("catin_bawah_19")
        akad = _kecamatan(facts.akad_kecamatan)
        if akad and any(
            _kecamatan(home) and _kecamatan(home) != akad
            for home in facts.home_kecamatans
        ):
            held.add("luar_kecamatan")
    if facts.doc_type == "ktp_el":
        if facts.ktp_reason == "hilang":
            held.add("ktp_hilang")
        if facts.ktp_reason in ("rusak", "perubahan"):
            held.add("ktp_rusak")
    if facts.doc_type == "kk" and (
        facts.marital_status == vocab.KAWIN_BELUM_TERCATAT or facts.unregistered
    ):
        held.add("kk_kawin_belum_tercatat")
    return frozenset(held)


def applies(condition: str | None, held: frozenset[str]) -> bool:
    """Whether a checklist item with this condition belongs in the case."""
    return not condition or condition in held


def _kecamatan(name: str | None) -> str:
    value = " ".join((name or "").split()).lower()
    if value.startswith("kecamatan "):
        value = value[len("kecamatan ") :]
    # Kemendagri spells it Gerogol, Kemenag and the press Grogol.
    return {"gerogol": "grogol"}.get(value, value)


same_kecamatan = _kecamatan


# -- what a complete file needs ----------------------------------------------------

SUBSTITUTE_PREFIX = "pengganti"


class Paper(Protocol):
    label: str
    received: bool


@dataclass(frozen=True)
class PaperProgress:
    """How far a case's file is: `done` of the `needed` papers are in hand.

    A "Pengganti ..." row is an alternative, not an extra paper: it is not one of
    the needed papers, and when it is ticked it counts for the paper it replaces.
    """

    done: int
    needed: int
    by_substitute: int = 0

    @property
    def complete(self) -> bool:
        return self.needed > 0 and self.done == self.needed


def is_substitute(label: str) -> bool:
    """A checklist line that replaces another paper ("Pengganti surat ...: ...")."""
    return _words(label)[:1] == [SUBSTITUTE_PREFIX]


def replaced_paper(substitute: str, labels: list[str]) -> int | None:
    """The index in `labels` of the paper a substitute line stands in for.

    "Pengganti buku nikah/akta perkawinan: SPTJM ..." replaces the paper whose
    label starts with most of the same words ("Buku nikah atau akta ..."); at
    least two words must agree (one when the subject is a single word), so an
    unrelated paper is never ticked by a substitute.
    """
    subject = _words(substitute.split(":", 1)[0])[1:]
    best, best_score = None, 0
    for index, label in enumerate(labels):
        if is_substitute(label):
            continue
        words = _words(label)
        score = 0
        for mine, theirs in zip(subject, words, strict=False):
            if mine != theirs:
                break
            score += 1
        if score > best_score:
            best, best_score = index, score
    if best_score >= min(2, len(subject)) and best_score > 0:
        return best
    return None


def paper_progress(papers: Iterable[Paper]) -> PaperProgress:
    """Needed papers and how many are in hand, a substitute counting for its paper."""
    papers = list(papers)
    labels = [paper.label for paper in papers]
    in_hand = {i for i, paper in enumerate(papers) if paper.received}
    by_substitute = 0
    for paper in papers:
        if paper.received and is_substitute(paper.label):
            target = replaced_paper(paper.label, labels)
            if target is not None and target not in in_hand:
                in_hand.add(target)
                by_substitute += 1
    needed = [i for i, label in enumerate(labels) if not is_substitute(label)]
    done = sum(1 for i in needed if i in in_hand)
    return PaperProgress(done, len(needed), by_substitute)


def _words(text: str) -> list[str]:
    """Lower-case words of a label, slashes and punctuation as spaces."""
    return re.findall(r"[a-z0-9]+", text.lower())
