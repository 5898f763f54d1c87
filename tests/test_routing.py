"""Unit tests for referral destinations and default paper checklists."""

import pytest

from kkbweb.referrals.routing import (
    DEFAULT_CHECKLISTS,
    DOC_TYPES,
    RELIGIONS,
    Destination,
    normalize_religion,
    suggest_destination,
)

NON_MUSLIM = ["kristen", "katolik", "hindu", "buddha", "konghucu", "kepercayaan"]
DISDUKCAPIL_NAME = "Disdukcapil Kota Cilegon (loket adminduk kelurahan)"


def test_doc_types_and_religions():
    """The document and religion codes are the agreed ones, with labels."""
    assert DOC_TYPES == {
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
    assert list(RELIGIONS) == ["islam", *NON_MUSLIM]
    assert all(RELIGIONS.values())


def test_muslim_marriage_goes_to_the_kua_of_the_kecamatan():
    """A Muslim couple is sent to the KUA of their own kecamatan."""
    dest = suggest_destination("buku_nikah", "islam", "Cibeber")
    assert dest == Destination(
        "kua",
        "KUA Kecamatan Cibeber",
        "Daftar paling lambat 10 hari kerja sebelum akad.",
    )


def test_muslim_asking_for_akta_perkawinan_is_redirected_to_kua():
    """A Muslim asking for an akta perkawinan is told it is a KUA buku nikah."""
    dest = suggest_destination("akta_perkawinan", "Islam", "Citangkil")
    assert (dest.code, dest.name) == ("kua", "KUA Kecamatan Citangkil")
    assert "buku nikah" in dest.note


@pytest.mark.parametrize("religion", NON_MUSLIM)
def test_non_muslim_marriage_goes_to_disdukcapil(religion):
    """Other religions and penghayat register marriages at Disdukcapil."""
    dest = suggest_destination("akta_perkawinan", religion, "Cibeber")
    assert (dest.code, dest.name) == ("disdukcapil", DISDUKCAPIL_NAME)
    assert "60 hari" in dest.note


@pytest.mark.parametrize("religion", NON_MUSLIM)
def test_non_muslim_asking_for_buku_nikah_is_redirected(religion):
    """A non-Muslim asking for a buku nikah is told it is an akta perkawinan."""
    dest = suggest_destination("buku_nikah", religion, "Cibeber")
    assert dest.code == "disdukcapil"
    assert "akta perkawinan" in dest.note
    assert RELIGIONS[religion] in dest.note


@pytest.mark.parametrize("religion", [None, "", "lainnya", "  "])
@pytest.mark.parametrize("doc_type", ["buku_nikah", "akta_perkawinan"])
def test_marriage_with_unknown_religion_asks_to_check(doc_type, religion):
    """Without a known religion the suggestion is Disdukcapil, flagged for checking."""
    dest = suggest_destination(doc_type, religion, "Cibeber")
    assert dest.code == "disdukcapil"
    assert "pastikan" in dest.note


@pytest.mark.parametrize("religion", ["islam", None, "lainnya"])
def test_itsbat_nikah_goes_to_pengadilan_agama(religion):
    """Unregistered Muslim marriages go to the Pengadilan Agama Cilegon."""
    dest = suggest_destination("itsbat_nikah", religion, "Jombang")
    assert (dest.code, dest.name) == ("pengadilan_agama", "Pengadilan Agama Cilegon")
    assert "KUA" in dest.note


@pytest.mark.parametrize("religion", NON_MUSLIM)
def test_itsbat_for_non_muslims_is_not_sent_to_pengadilan_agama(religion):
    """The Pengadilan Agama does not hear non-Muslim marriages."""
    dest = suggest_destination("itsbat_nikah", religion, "Jombang")
    assert dest.code == "disdukcapil"
    assert "hanya untuk perkawinan secara Islam" in dest.note


@pytest.mark.parametrize(
    "doc_type", ["akta_kelahiran", "kk", "ktp_el", "kia", "akta_kematian"]
)
@pytest.mark.parametrize("religion", ["islam", "kristen", None])
def test_other_documents_go_to_disdukcapil(doc_type, religion):
    """Births, family cards, ID cards and deaths go to Disdukcapil, any religion."""
    dest = suggest_destination(doc_type, religion, "Purwakarta")
    assert (dest.code, dest.name) == ("disdukcapil", DISDUKCAPIL_NAME)
    assert dest.note


def test_birth_note_mentions_the_deadline():
    """The akta kelahiran suggestion reminds of the 60-day limit."""
    assert "60 hari" in suggest_destination("akta_kelahiran", None, None).note


@pytest.mark.parametrize(
    ("kecamatan", "name"),
    [
        ("Cibeber", "KUA Kecamatan Cibeber"),
        ("Kecamatan Pulomerak", "KUA Kecamatan Pulomerak"),
        # Kemendagri's spelling finds the KUA Kemenag names "Grogol".
        ("kecamatan  Gerogol ", "KUA Kecamatan Grogol"),
        ("Banten Lama", "KUA Kecamatan Banten Lama"),
        ("", "KUA kecamatan tempat akad"),
        (None, "KUA kecamatan tempat akad"),
    ],
)
def test_kua_name(kecamatan, name):
    """The KUA is named after the kecamatan however it was typed."""
    assert suggest_destination("buku_nikah", "islam", kecamatan).name == name


def test_unknown_doc_type_is_an_error():
    """A document code outside DOC_TYPES is refused."""
    with pytest.raises(ValueError, match="tidak dikenal"):
        suggest_destination("paspor", "islam", "Cibeber")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Islam", "islam"),
        (" ISLAM ", "islam"),
        ("Kristen Protestan", "kristen"),
        ("Khonghucu", "konghucu"),
        ("Budha", "buddha"),
        ("Penghayat Kepercayaan", "kepercayaan"),
        ("lainnya", None),
        (None, None),
    ],
)
def test_normalize_religion(typed, code):
    """Common spellings map to a religion code; anything else to None."""
    assert normalize_religion(typed) == code


def test_every_document_has_a_checklist():
    """Each document type seeds a non-empty list of distinct papers."""
    assert set(DEFAULT_CHECKLISTS) == set(DOC_TYPES)
    for doc_type, papers in DEFAULT_CHECKLISTS.items():
        assert papers, doc_type
        assert len(papers) == len(set(papers)), doc_type
        assert all(isinstance(p, str) and p.strip() for p in papers), doc_type


def test_birth_checklist_follows_the_domain_notes():
    """Akta kelahiran needs the birth letter, parents' marriage papers, KK, KTP-el."""
    papers = " | ".join(DEFAULT_CHECKLISTS["akta_kelahiran"]).lower()
    for needed in [
        "surat keterangan lahir",
        "buku nikah",
        "akta perkawinan",
        "kartu keluarga",
        "ktp-el",
        "sptjm",
        "2 saksi",
    ]:
        assert needed in papers


def test_buku_nikah_checklist_has_kelurahan_forms():
    """Buku nikah: N1 (kelurahan), N3 (consent), N5 (parents), Elsimil, IDs."""
    papers = " | ".join(DEFAULT_CHECKLISTS["buku_nikah"])
    for needed in [
        "Formulir N1",
        "Formulir N3",
        "Formulir N5",
        "Elsimil",
        "KTP-el",
        "Kartu Keluarga",
        "Akta kelahiran",
        "Pas foto",
    ]:
        assert needed in papers
    assert "N1-N4" not in papers and "N2" not in papers and "N4" not in papers
