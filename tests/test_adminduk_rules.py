"""Unit tests of the plain adminduk modules (issue 17): deadlines, the conditions
that add papers, alternatives, routing by the akad's kecamatan and both catin,
and a child's akta when the parents' marriage is unregistered."""

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from kkbweb.referrals import checklist_rules, deadlines, routing, vocab
from kkbweb.referrals.checklist_rules import CaseFacts, conditions, paper_progress

TODAY = date(2026, 12, 1)  # a Tuesday
SHARED = Path(__file__).resolve().parents[2] / "shared" / "domain"
DATA = Path(routing.__file__).parent / "data"


# -- deadlines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_type", "age_days", "label", "late"),
    [
        ("akta_kelahiran", 0, "sisa 60 hari", False),
        ("akta_kelahiran", 40, "sisa 20 hari", False),
        ("akta_kelahiran", 59, "sisa 1 hari", False),
        ("akta_kelahiran", 60, "batas hari ini", False),
        ("akta_kelahiran", 61, "terlambat 1 hari", True),
        ("akta_kelahiran", 100, "terlambat 40 hari", True),
        ("akta_kematian", 29, "sisa 1 hari", False),
        ("akta_kematian", 30, "batas hari ini", False),
        ("akta_kematian", 31, "terlambat 1 hari", True),
        ("akta_perkawinan", 60, "batas hari ini", False),
        ("akta_perkawinan", 61, "terlambat 1 hari", True),
    ],
)
def test_deadline_after_the_event(doc_type, age_days, label, late):
    """Birth + 60 days, death + 30, a non-Muslim marriage + 60: every edge."""
    found = deadlines.deadline(doc_type, TODAY - timedelta(days=age_days), TODAY)
    assert found.label == label
    assert found.late is late
    assert deadlines.is_late(doc_type, TODAY - timedelta(days=age_days), TODAY) is late


@pytest.mark.parametrize(
    ("akad", "last_day"),
    [
        # Akad on Monday 14 Dec: 10 working days back is Monday 30 Nov.
        (date(2026, 12, 14), date(2026, 11, 30)),
        # Akad on Saturday 12 or Sunday 13 Dec: the weekend counts for nothing,
        # so also Monday 30 Nov (Fri 11 is the 1st working day back).
        (date(2026, 12, 12), date(2026, 11, 30)),
        (date(2026, 12, 13), date(2026, 11, 30)),
        # Akad on Tuesday 15 Dec: Mon 14 is the 1st, Tue 1 Dec the 10th.
        (date(2026, 12, 15), date(2026, 12, 1)),
    ],
)
def test_buku_nikah_registers_ten_working_days_before_the_akad(akad, last_day):
    """The last day to register at the KUA skips weekends."""
    assert deadlines.due_date("buku_nikah", akad) == last_day
    found = deadlines.deadline("buku_nikah", akad, TODAY)
    assert found.before_event is True
    assert found.days_left == (last_day - TODAY).days


def test_buku_nikah_late_when_under_ten_working_days():
    """Registering 9 working days before the akad is late (camat's dispensation)."""
    akad = date(2026, 12, 14)
    assert not deadlines.is_late("buku_nikah", akad, date(2026, 11, 30))
    assert deadlines.is_late("buku_nikah", akad, date(2026, 12, 1))


@pytest.mark.parametrize("doc_type", ["kk", "ktp_el", "kia", "itsbat_nikah", "ikd"])
def test_no_deadline_without_a_legal_one(doc_type):
    """Documents without a legal deadline show none, whatever the date."""
    assert deadlines.deadline(doc_type, TODAY - timedelta(days=400), TODAY) is None


def test_no_deadline_without_an_event_date():
    assert deadlines.deadline("akta_kelahiran", None, TODAY) is None
    assert deadlines.is_late("akta_kelahiran", None, TODAY) is False


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2009, 12, 2), TODAY, 16),
        (date(2009, 12, 1), TODAY, 17),
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (None, TODAY, None),
    ],
)
def test_age_on(born, day, age):
    assert deadlines.age_on(born, day) == age


# -- conditions that add papers ------------------------------------------------------


def _held(**kwargs) -> frozenset:
    return conditions(CaseFacts(today=TODAY, **kwargs))


def test_late_birth_adds_the_late_form_only_after_60_days():
    on_time = _held(doc_type="akta_kelahiran", event_date=TODAY - timedelta(days=60))
    late = _held(doc_type="akta_kelahiran", event_date=TODAY - timedelta(days=61))
    assert "terlambat" not in on_time
    assert "terlambat" in late


@pytest.mark.parametrize(
    ("unregistered", "kk_status", "expected"),
    [
        (False, vocab.KAWIN_TERCATAT, "nikah_tercatat"),
        (True, vocab.KAWIN_BELUM_TERCATAT, "nikah_belum_tercatat_kk_kawin"),
        (True, vocab.KAWIN_TERCATAT, "nikah_belum_tercatat_kk_kawin"),
        (True, vocab.BELUM_KAWIN, "nikah_belum_tercatat_kk_lain"),
        (True, vocab.CERAI, "nikah_belum_tercatat_kk_lain"),
        (True, None, "nikah_belum_tercatat_kk_lain"),
    ],
)
def test_unregistered_parents(unregistered, kk_status, expected):
    """F-2.04 only when the KK shows the parents married."""
    held = _held(
        doc_type="akta_kelahiran", unregistered=unregistered, marital_status=kk_status
    )
    assert expected in held
    others = {
        "nikah_tercatat",
        "nikah_belum_tercatat_kk_kawin",
        "nikah_belum_tercatat_kk_lain",
    } - {expected}
    assert not (others & held)


@pytest.mark.parametrize(
    ("mother_born", "under_17"),
    [(date(2010, 1, 1), True), (date(2009, 11, 20), False), (None, False)],
)
def test_mother_under_17_at_the_birth(mother_born, under_17):
    """A mother under 17 at the birth needs no KTP-el (the exception)."""
    held = _held(
        doc_type="akta_kelahiran",
        event_date=date(2026, 11, 20),
        mother_birth_date=mother_born,
    )
    assert ("ibu_bawah_17" in held) is under_17


def test_catin_ages_add_n5_and_dispensation():
    akad = date(2027, 1, 10)
    twenty = _held(
        doc_type="buku_nikah",
        event_date=akad,
        catin_birth_dates=(date(2006, 6, 1), date(1990, 1, 1)),
    )
    eighteen = _held(
        doc_type="buku_nikah", event_date=akad, catin_birth_dates=(date(2008, 6, 1),)
    )
    adults = _held(
        doc_type="buku_nikah", event_date=akad, catin_birth_dates=(date(1990, 1, 1),)
    )
    assert "catin_bawah_21" in twenty and "catin_bawah_19" not in twenty
    assert {"catin_bawah_21", "catin_bawah_19"} <= eighteen
    assert not ({"catin_bawah_21", "catin_bawah_19"} & adults)


@pytest.mark.parametrize(
    ("homes", "akad", "needs"),
    [
        (("Jombang", "Jombang"), "Jombang", False),
        (("Cibeber", "Jombang"), "Jombang", True),
        (("Kecamatan Jombang", "jombang"), "Jombang", False),
        (("Gerogol",), "Grogol", False),
        (("Cibeber",), None, False),
    ],
)
def test_rekomendasi_for_a_catin_from_another_kecamatan(homes, akad, needs):
    held = _held(doc_type="buku_nikah", home_kecamatans=homes, akad_kecamatan=akad)
    assert ("luar_kecamatan" in held) is needs


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("hilang", {"ktp_hilang"}),
        ("rusak", {"ktp_rusak"}),
        ("perubahan", {"ktp_rusak"}),
        ("baru", set()),
        (None, set()),
    ],
)
def test_ktp_reason(reason, expected):
    assert _held(doc_type="ktp_el", ktp_reason=reason) == frozenset(expected)


def test_kk_kawin_belum_tercatat_adds_f105():
    assert "kk_kawin_belum_tercatat" in _held(
        doc_type="kk", marital_status=vocab.KAWIN_BELUM_TERCATAT
    )
    assert "kk_kawin_belum_tercatat" not in _held(
        doc_type="kk", marital_status=vocab.KAWIN_TERCATAT
    )


def test_every_condition_in_the_seed_is_known_and_labelled():
    used = {
        c for items in checklist_rules.DEFAULT_ITEMS.values() for _, c in items if c
    }
    assert used <= set(vocab.CONDITION_LABELS)
    assert set(checklist_rules.DEFAULT_ITEMS) == set(routing.DOC_TYPES)


def _papers(doc_type: str, held: frozenset):
    return [
        label
        for label, condition in checklist_rules.DEFAULT_ITEMS[doc_type]
        if checklist_rules.applies(condition, held)
    ]


def test_seeded_papers_follow_the_domain():
    """N1/N3/N5, Elsimil, F-2.03/F-2.04, F-1.02 + police letter, F-1.05, IKD."""
    nikah = " | ".join(_papers("buku_nikah", frozenset({"catin_bawah_21"})))
    for needed in ("N1", "N3", "N5", "Elsimil"):
        assert needed in nikah
    assert "N5" not in " | ".join(_papers("buku_nikah", frozenset()))
    birth = " | ".join(
        _papers("akta_kelahiran", frozenset({"nikah_belum_tercatat_kk_kawin"}))
    )
    assert "F-2.03" in birth and "F-2.04" in birth
    assert "F-2.04" not in " | ".join(
        _papers("akta_kelahiran", frozenset({"nikah_tercatat"}))
    )
    lost = " | ".join(_papers("ktp_el", frozenset({"ktp_hilang"})))
    assert "F-1.02" in lost and "kepolisian" in lost
    assert "F-1.05" in " | ".join(_papers("kk", frozenset({"kk_kawin_belum_tercatat"})))
    assert "terlambat" in " | ".join(
        _papers("akta_kelahiran", frozenset({"terlambat"}))
    )
    assert _papers("ikd", frozenset())


class P:
    def __init__(self, label, received=False):
        self.label, self.received = label, received


@pytest.mark.parametrize(
    "held",
    [
        frozenset({"nikah_belum_tercatat_kk_kawin"}),
        frozenset({"ibu_bawah_17"}),
    ],
)
def test_substitutes_are_alternatives_not_extra_papers(held):
    """F-2.04 stands in for the buku nikah, the under-17 rule for the KTP-el:
    the needed count does not grow, and a ticked substitute completes it."""
    base = _papers("akta_kelahiran", frozenset())
    with_alt = _papers("akta_kelahiran", held)
    assert (
        paper_progress([P(x) for x in with_alt]).needed
        == paper_progress([P(x) for x in base]).needed
    )
    papers = [P(x, received=True) for x in with_alt]
    labels = [p.label for p in papers]
    substitute = next(
        p
        for p in papers
        if checklist_rules.is_substitute(p.label) and p.label not in base
    )
    replaced = checklist_rules.replaced_paper(substitute.label, labels)
    assert replaced is not None
    papers[replaced].received = False
    progress = paper_progress(papers)
    assert progress.complete
    assert progress.by_substitute == 1


# -- routing -------------------------------------------------------------------------


def test_eight_kua_from_the_reference_file():
    assert len(routing.KUA_BY_KECAMATAN) == 8
    assert routing.KUA_BY_KECAMATAN["jombang"] == "KUA Kecamatan Jombang"
    assert len(routing.KECAMATAN_NAMES) == 8


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/domain here")
@pytest.mark.parametrize("name", ["cilegon_offices.csv", "cilegon_wilayah.csv"])
def test_reference_files_are_verbatim_copies(name):
    assert (DATA / name).read_bytes() == (SHARED / name).read_bytes()


@pytest.mark.parametrize("home", routing.KECAMATAN_NAMES)
def test_muslim_couple_marrying_in_jombang_goes_to_kua_jombang(home):
    """Whatever the catin's home kecamatan, the akad's kecamatan decides."""
    route = routing.marriage_route(
        "buku_nikah",
        {"calon_suami": "islam", "calon_istri": "Islam"},
        "Jombang",
        {"calon_suami": home, "calon_istri": "Jombang"},
    )
    assert route.destination.code == routing.KUA
    assert route.destination.name == "KUA Kecamatan Jombang"
    assert route.rekomendasi_for == (() if home == "Jombang" else ("calon_suami",))
    assert route.warnings == ()


def test_mixed_couple_is_warned_with_sema_2_2023():
    route = routing.marriage_route(
        "buku_nikah",
        {"calon_suami": "islam", "calon_istri": "kristen"},
        "Jombang",
        {"calon_suami": "Jombang", "calon_istri": "Jombang"},
    )
    assert any("SEMA No. 2 Tahun 2023" in w for w in route.warnings)
    assert route.rekomendasi_for == ()


def test_non_muslim_couple_goes_to_disdukcapil():
    route = routing.marriage_route(
        "akta_perkawinan",
        {"calon_suami": "katolik", "calon_istri": "katolik"},
        "Cilegon",
        {"calon_suami": "Cibeber", "calon_istri": "Cilegon"},
    )
    assert route.destination.code == routing.DISDUKCAPIL
    assert route.rekomendasi_for == ()


def test_one_religion_missing_routes_by_the_other_with_a_warning():
    route = routing.marriage_route(
        "buku_nikah",
        {"calon_suami": "islam", "calon_istri": None},
        "Purwakarta",
        {"calon_suami": "Purwakarta", "calon_istri": "Purwakarta"},
    )
    assert route.destination.name == "KUA Kecamatan Purwakarta"
    assert any("belum diisi" in w for w in route.warnings)


def test_akad_kecamatan_missing_is_said():
    route = routing.marriage_route(
        "buku_nikah",
        {"calon_suami": "islam", "calon_istri": "islam"},
        None,
        {"calon_suami": "Cibeber", "calon_istri": "Cibeber"},
    )
    assert any("tempat akad" in w for w in route.warnings)


@pytest.mark.parametrize(
    ("unregistered", "kk_status", "route", "itsbat"),
    [
        (False, vocab.KAWIN_TERCATAT, "buku_nikah", False),
        (False, None, "buku_nikah", False),
        (True, vocab.KAWIN_BELUM_TERCATAT, "f204", True),
        (True, vocab.KAWIN_TERCATAT, "f204", True),
        (True, vocab.BELUM_KAWIN, "ibu_saja", True),
        (True, vocab.CERAI, "ibu_saja", True),
        (True, None, "ibu_saja", True),
    ],
)
def test_birth_route(unregistered, kk_status, route, itsbat):
    found = routing.birth_route(unregistered, kk_status)
    assert found.route == route
    assert found.suggest_itsbat is itsbat
    if route == "f204":
        assert "belum tercatat" in found.consequence
    if route == "ibu_saja":
        assert "F-1.05" in found.consequence and "nama ibu" in found.consequence


def test_reference_csv_is_parsed_not_retyped():
    with (DATA / "cilegon_offices.csv").open(encoding="utf-8", newline="") as handle:
        names = {
            row["name"] for row in csv.DictReader(handle) if row["office_type"] == "KUA"
        }
    assert names == set(routing.KUA_BY_KECAMATAN.values())


# -- national holidays in the working-day count ------------------------------------


@pytest.mark.parametrize(
    ("akad", "last_day", "without_holidays"),
    [
        # Idul Fitri 2026: cuti bersama 18, 20, 23, 24 Mar, Nyepi 19 Mar; 10 working
        # days before Wed 1 Apr reach back to Wed 11 Mar (Mon-Fri alone: 18 Mar).
        (date(2026, 4, 1), date(2026, 3, 11), date(2026, 3, 18)),
        # The 10th day back would be Mon 1 Jun 2026 (Hari Lahir Pancasila): Fri 29 May.
        (date(2026, 6, 15), date(2026, 5, 29), date(2026, 6, 1)),
        # Natal and its cuti bersama right before the akad (25-26 Dec 2025).
        (date(2025, 12, 29), date(2025, 12, 11), date(2025, 12, 15)),
        # 18 Aug 2025, added as cuti bersama by the changed SKB, is skipped.
        (date(2025, 8, 29), date(2025, 8, 14), date(2025, 8, 15)),
        # Three in a row: Pancasila Mon 1 Jun, Idul Adha Wed 27 and its cuti
        # bersama Thu 28 May 2026 (Waisak on Sun 31 May changes nothing).
        (date(2026, 6, 12), date(2026, 5, 26), date(2026, 5, 29)),
    ],
)
def test_ten_working_days_skip_national_holidays(akad, last_day, without_holidays):
    """The KUA's 10 working days skip the SKB's holidays and cuti bersama."""
    assert deadlines.due_date("buku_nikah", akad) == last_day
    assert deadlines.working_days_before(akad, 10, holidays={}) == without_holidays
    found = deadlines.deadline("buku_nikah", akad, last_day)
    assert found.holidays_known is True and found.label == "batas hari ini"


def test_late_from_the_day_after_the_last_day_with_holidays():
    """Registering on the last day is on time, the next day is late."""
    akad = date(2026, 4, 1)
    assert not deadlines.is_late("buku_nikah", akad, date(2026, 3, 11))
    assert deadlines.is_late("buku_nikah", akad, date(2026, 3, 12))


def test_a_year_without_the_list_counts_weekdays_and_says_so():
    """2027 is not in the file: its days count as working days, flagged."""
    akad = date(2027, 1, 8)
    # Thu 7 .. Mon 4 Jan and Fri 1 Jan 2027 (unknown) count; 25 and 24 Dec 2026 not.
    assert deadlines.due_date("buku_nikah", akad) == date(2026, 12, 23)
    found = deadlines.deadline("buku_nikah", akad, date(2026, 12, 1))
    assert found.holidays_known is False
    assert deadlines.deadline(
        "buku_nikah", date(2026, 12, 14), date(2026, 12, 1)
    ).holidays_known
    # After-event deadlines count calendar days: never flagged.
    assert deadlines.deadline(
        "akta_kelahiran", date(2027, 3, 1), date(2027, 3, 2)
    ).holidays_known


def test_the_holiday_file_matches_the_skb_counts():
    """17 hari libur nasional a year, and the SKB's cuti bersama (10, 10+1, 8)."""
    kinds: dict[tuple[int, str], int] = {}
    with deadlines.HOLIDAYS_FILE.open(encoding="utf-8") as handle:
        header = [line for line in handle if line.startswith("#")]
    assert any("SKB No. 1497 Tahun 2025" in line for line in header)
    with deadlines.HOLIDAYS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    for row in rows:
        key = (int(row["date"][:4]), row["kind"])
        kinds[key] = kinds.get(key, 0) + 1
    assert {year for year, _ in kinds} == {2024, 2025, 2026}
    for year in (2024, 2025, 2026):
        assert kinds[(year, "libur")] == 17
    assert kinds[(2024, "cuti_bersama")] == 10
    assert kinds[(2025, "cuti_bersama")] == 11
    assert kinds[(2026, "cuti_bersama")] == 8
    assert len(rows) == len(deadlines.HOLIDAYS)  # no date twice
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
