"""The SIGA registers of the poktan (issue 14, item 5): the R/I count by age
group on a fixed dataset, the due/late flag on the 3rd, the "diserahkan" mark,
per-poktan and per-Pokja print and XLSX, the admin's layouts, isolation, budgets."""

import datetime as dt
import gzip
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.poktan import registers as register_views
from kkbweb.poktan.ages import age_group
from kkbweb.poktan.register_columns import (
    DEFAULT_LAYOUTS,
    FORMULAS,
    K0,
    RI,
    Period,
    age_bounds,
    formula_choices,
)
from kkbweb.poktan.register_models import RegisterColumn, RegisterSubmission
from tests import factories
from tests import register_factories as rf
from tests.querycount import count_queries

MAY = "2024-05"
# The twelve BKB families of the acceptance walk: (head, child's birth date,
# PUS, uses KB, present at the May session). On 31 May 2024 (the R/I's
# reference day) the children are 0-<1: 3, 1-<2: 3, 2-<3: 2, 3-<4: 2, 4-<5: 1,
# 5-<6: 1; present: 0-<1: 3, 1-<2: 2, 2-<3: 2, 3-<4: 1, 4-<5: 1, 5-<6: 0.
FAMILIES = [
    ("Ahmad Fauzi", dt.date(2023, 9, 1), True, True, True),
    ("Budi Santoso", dt.date(2024, 2, 14), True, True, True),
    ("Cecep Hidayat", dt.date(2023, 6, 1), True, False, True),  # 11 months
    ("Dedi Kurniawan", dt.date(2023, 5, 31), True, True, True),  # 1 year that day
    ("Eko Prasetyo", dt.date(2022, 12, 5), True, True, True),
    ("Fajar Nugroho", dt.date(2022, 7, 20), False, False, False),
    ("Gunawan", dt.date(2021, 11, 2), True, True, True),
    ("Hendra Wijaya", dt.date(2021, 6, 30), True, True, True),
    ("Iwan Setiawan", dt.date(2020, 8, 8), True, False, True),
    ("Joko Susilo", dt.date(2021, 1, 10), True, True, False),
    ("Kurnia Ramdan", dt.date(2019, 10, 1), False, False, True),
    ("Lukman Hakim", dt.date(2018, 12, 1), True, True, False),
]


def _bkb_with_twelve(of="Ciwedus"):
    poktan = rf.make_poktan(of, name="BKB Melati RW 03", ketua_name="Ibu Siti")
    members = [
        rf.add_family(
            poktan,
            head,
            target_name=f"Anak {head.split()[0]}",
            target_sex="P" if i % 2 else "L",
            target_birth_date=born,
            is_pus=pus,
            uses_kb=kb,
            kb_method="suntik" if kb else None,
        )
        for i, (head, born, pus, kb, _here) in enumerate(FAMILIES)
    ]
    present = [m for m, row in zip(members, FAMILIES, strict=True) if row[4]]
    absent = [m for m, row in zip(members, FAMILIES, strict=True) if not row[4]]
    rf.make_session(poktan, date=dt.date(2024, 5, 14), present=present, absent=absent)
    return poktan, members


def _rows(xlsx_bytes: bytes, sheet=None) -> list[tuple]:
    book = load_workbook(io.BytesIO(xlsx_bytes))
    ws = book[sheet] if sheet else book.worksheets[0]
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


def _figure(rows, label):
    found = [row[2] for row in rows if len(row) > 2 and row[1] == label]
    assert found, f"no line {label!r}"
    return found[0]


@pytest.fixture
def on_day(monkeypatch):
    """Pretend the register pages run on a given WIB date."""

    def set_day(day: dt.date):
        monkeypatch.setattr(register_views, "today_wib", lambda: day)

    return set_day


# -- the R/I count on a fixed dataset --------------------------------------------


def test_ri_register_counts_9_of_12_families_by_age_group(app, login_as, on_day):
    on_day(dt.date(2024, 6, 2))
    poktan, _members = _bkb_with_twelve()
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    xlsx = client.get(f"/poktan/register/{poktan.id}/ri.xlsx?bulan={MAY}")
    assert xlsx.status_code == 200
    rows = _rows(xlsx.data)
    expected = {
        "Pertemuan penyuluhan diadakan": 1,
        "Keluarga anggota": 12,
        "Keluarga hadir": 9,
        "Anggota aktif (hadir)": 9,
        "Hadir: anak umur 0–<1 th": 3,
        "Hadir: anak umur 1–<2 th": 2,
        "Hadir: anak umur 2–<3 th": 2,
        "Hadir: anak umur 3–<4 th": 1,
        "Hadir: anak umur 4–<5 th": 1,
        "Hadir: anak umur 5–<6 th": 0,
        "Anggota PUS": 10,
        "Anggota PUS ber-KB": 8,
        "KKA diisi": 9,
    }
    for label, n in expected.items():
        value = _figure(rows, label)
        assert value == n and isinstance(value, int), (label, value)
    heads = [row[1] for row in rows if row and row[0] == "No"]
    assert heads == ["Uraian", "Kepala keluarga"]
    # The family table: 12 lines, each with the times the family came.
    family_rows = [
        r
        for r in rows
        if r and isinstance(r[0], int) and r[1] in {f[0] for f in FAMILIES}
    ]
    assert len(family_rows) == 12
    fajar = next(r for r in family_rows if r[1] == "Fajar Nugroho")
    assert fajar[5] == 0 and fajar[4] == "1–<2 th"
    page = client.get(f"/poktan/register/{poktan.id}/ri?bulan={MAY}")
    text = page.get_data(as_text=True)
    assert "R/I/BKB" in text and "Keluarga hadir" in text
    assert "Dihitung per 31 Mei 2024" in text


def test_the_sql_age_bounds_agree_with_the_registry_age_groups():
    """The register counts ages in SQL against age_bounds; every birth date of
    seven years groups as kkbweb.poktan.ages says, leap days included."""
    for reference in (dt.date(2024, 5, 31), dt.date(2024, 2, 29), dt.date(2025, 2, 28)):
        bounds = age_bounds(reference)
        day = reference - dt.timedelta(days=7 * 366)
        while day <= reference:
            by_bounds = next((code for code, after in bounds if day > after), None)
            assert by_bounds == age_group(day, reference), (day, reference)
            day += dt.timedelta(days=1)


def test_age_groups_turn_on_the_birthday():
    reference = dt.date(2024, 5, 31)
    assert age_group(dt.date(2023, 5, 31), reference) == "1_2"
    assert age_group(dt.date(2023, 6, 1), reference) == "0_1"
    assert age_group(dt.date(2018, 6, 1), reference) == "5_6"
    assert age_group(dt.date(2018, 5, 31), reference) is None  # six: no group
    assert age_group(dt.date(2024, 6, 1), reference) is None  # not yet born
    leap = dt.date(2024, 2, 29)
    assert age_group(dt.date(2023, 2, 28), leap) == "1_2"
    assert age_group(dt.date(2023, 3, 1), leap) == "0_1"


def test_families_who_left_before_or_joined_after_the_month_do_not_count(app):
    poktan = rf.make_poktan()
    rf.add_family(poktan, "Tetap", target_birth_date=dt.date(2023, 1, 1))
    rf.add_family(poktan, "Pergi April", left_on=dt.date(2024, 4, 30))
    rf.add_family(poktan, "Pergi Mei", left_on=dt.date(2024, 5, 15))
    rf.add_family(poktan, "Masuk Juni", joined_on=dt.date(2024, 6, 1))
    from kkbweb.poktan.register_queries import counts

    with app.app_context():
        found = counts([poktan.id], Period(RI, 2024, 5), dt.date(2024, 5, 31))
    assert found[poktan.id][("members", None)] == 2


# -- due dates and the "belum diserahkan" flag ------------------------------------


def test_due_dates_and_late_flag_edges():
    may = Period(RI, 2024, 5)
    assert may.due == dt.date(2024, 6, 3)
    assert not may.is_late(dt.date(2024, 6, 3), submitted=False)
    assert may.is_late(dt.date(2024, 6, 4), submitted=False)
    assert not may.is_late(dt.date(2024, 6, 4), submitted=True)
    december = Period(RI, 2024, 12)
    assert december.due == dt.date(2025, 1, 3)
    card = Period(K0, 2025, 0)
    assert card.due == dt.date(2025, 1, 3)
    assert card.is_late(dt.date(2025, 1, 4), submitted=False)
    assert card.reference(dt.date(2024, 11, 1)) == dt.date(2025, 1, 1)
    assert card.reference(dt.date(2025, 3, 9)) == dt.date(2025, 3, 9)
    assert card.reference(dt.date(2026, 2, 1)) == dt.date(2025, 12, 31)


def test_the_overview_flags_belum_diserahkan_only_after_the_3rd(app, login_as, on_day):
    poktan, _ = _bkb_with_twelve()
    client = login_as(factories.make_user("pokja", pokja="Ciwedus"))
    on_day(dt.date(2024, 6, 3))
    on_the_3rd = client.get(f"/poktan/register/?bulan={MAY}").get_data(as_text=True)
    assert poktan.name in on_the_3rd
    assert "Belum jatuh tempo" in on_the_3rd.split("K/0/BKB")[0]
    on_day(dt.date(2024, 6, 4))
    after = client.get(f"/poktan/register/?bulan={MAY}").get_data(as_text=True)
    assert "Belum diserahkan" in after.split("K/0/BKB")[0]


def test_marking_diserahkan_records_who_and_when_once(app, login_as, on_day):
    on_day(dt.date(2024, 6, 10))
    poktan, _ = _bkb_with_twelve()
    user = factories.make_user("pokja", pokja="Ciwedus")
    with app.app_context():
        db.session.get(type(user), user.id).full_name = "Ibu Kader Rina"
        db.session.commit()
    client = login_as(user)
    marker = factories.make_user("staf")
    url = f"/poktan/register/{poktan.id}/ri/diserahkan?bulan={MAY}"
    for _ in range(2):
        assert client.post(url, data={}).status_code == 303
    with app.app_context():
        marks = db.session.scalars(select(RegisterSubmission)).all()
        assert [(m.year, m.month, m.submitted_by_id) for m in marks] == [
            (2024, 5, user.id)
        ]
        audits = db.session.scalar(
            select(func.count()).where(AuditLog.action == "register.submit")
        )
        assert audits == 1
    staf = login_as(marker)  # another user reads who marked it
    page = staf.get(f"/poktan/register/?bulan={MAY}").get_data(as_text=True)
    assert "Diserahkan" in page and "Ibu Kader Rina" in page
    sheet = staf.get(f"/poktan/register/{poktan.id}/ri?bulan={MAY}")
    assert "Ibu Kader Rina" in sheet.get_data(as_text=True)
    login_as(user).post(url, data={"batal": "ya"})
    with app.app_context():
        assert db.session.scalar(select(func.count(RegisterSubmission.id))) == 0
        assert (
            db.session.scalar(
                select(func.count()).where(AuditLog.action == "register.unsubmit")
            )
            == 1
        )


# -- per Pokja ------------------------------------------------------------------


def test_a_pokjas_registers_download_as_one_xlsx_with_a_sheet_each(app, login_as):
    _bkb_with_twelve()
    bkl = rf.make_poktan(kind="bkl", name="BKL Dahlia RW 05", rw="05")
    rf.add_family(bkl, "Haji Mansur", target_name="Nenek Sarah", is_pus=False)
    rf.make_poktan(kind="bkr", name="BKR Lama", is_active=False)
    staf = login_as(factories.make_user("staf"))
    pokja = factories.pokja("Ciwedus")
    response = staf.get(f"/poktan/register/pokja/{pokja.id}/ri.xlsx?bulan={MAY}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Ringkasan", "BKB Melati RW 03", "BKL Dahlia RW 05"]
    bkl_rows = _rows(response.data, "BKL Dahlia RW 05")
    assert _figure(bkl_rows, "Keluarga anggota") == 1
    assert not any(r[1] == "Hadir: anak umur 0–<1 th" for r in bkl_rows if len(r) > 1)
    assert _figure(_rows(response.data, "BKB Melati RW 03"), "Keluarga hadir") == 9
    printed = staf.get(f"/poktan/register/pokja/{pokja.id}/k0?tahun=2024")
    text = printed.get_data(as_text=True)
    assert "K/0/BKB" in text and "K/0/BKL" in text and "BKR Lama" not in text
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(AuditLog.action == "register.export")
            )
            == 1
        )


# -- the admin's layouts ----------------------------------------------------------


def test_admin_changes_a_layout_and_the_register_follows(app, login_as):
    poktan, _ = _bkb_with_twelve()
    admin = login_as(factories.make_user("admin"))
    form = admin.get("/poktan/register/kolom/ri/bkb").get_data(as_text=True)
    assert form.count('name="label"') == len(DEFAULT_LAYOUTS[(RI, "bkb")]) + 3
    refused = admin.post(
        "/poktan/register/kolom/ri/bkb",
        data={
            "label": ["Jumlah KK hadir", "Tanpa rumus"],
            "formula": ["families_attending", "bukan_rumus"],
        },
    )
    assert "Pilih rumus dari daftar." in refused.get_data(as_text=True)
    assert 'value="Jumlah KK hadir"' in refused.get_data(as_text=True)
    saved = admin.post(
        "/poktan/register/kolom/ri/bkb",
        data={
            "label": ["Pertemuan", "Jumlah KK hadir", ""],
            "formula": ["sessions", "families_attending", ""],
            "urut": ["2", "1", "3"],
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        stored = db.session.scalars(
            select(RegisterColumn).order_by(RegisterColumn.position)
        ).all()
        assert [(c.label, c.formula) for c in stored] == [
            ("Jumlah KK hadir", "families_attending"),
            ("Pertemuan", "sessions"),
        ]
    rows = _rows(admin.get(f"/poktan/register/{poktan.id}/ri.xlsx?bulan={MAY}").data)
    lines = [
        (r[1], r[2])
        for r in rows
        if r
        and isinstance(r[0], int)
        and r[0] <= 2
        and r[1] in {"Jumlah KK hadir", "Pertemuan"}
    ]
    assert lines == [("Jumlah KK hadir", 9), ("Pertemuan", 1)]


def test_age_group_formulas_are_offered_for_bkb_only():
    bkb = dict(formula_choices("bkb"))
    bkr = dict(formula_choices("bkr"))
    assert "attending_age_0_1" in bkb and "attending_age_0_1" not in bkr
    assert set(bkr) < set(FORMULAS)
    for (_register, kind), layout in DEFAULT_LAYOUTS.items():
        assert {formula for _label, formula in layout} <= set(
            dict(formula_choices(kind))
        )


# -- isolation and budgets --------------------------------------------------------


def test_another_pokjas_registers_answer_404_and_never_name_its_families(app, login_as):
    poktan, _ = _bkb_with_twelve()
    client = login_as(factories.make_user("pokja", pokja="Bendungan"))
    ciwedus = factories.pokja("Ciwedus")
    for url in (
        f"/poktan/register/{poktan.id}/ri?bulan={MAY}",
        f"/poktan/register/{poktan.id}/k0.xlsx",
        f"/poktan/register/pokja/{ciwedus.id}/ri",
        f"/poktan/register/pokja/{ciwedus.id}/k0.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/poktan/register/{poktan.id}/ri/diserahkan").status_code == 404
    overview = client.get(f"/poktan/register/?pokja={ciwedus.id}")
    assert "Melati" not in overview.get_data(as_text=True)
    organiser = login_as(factories.make_user("penyelenggara"))
    assert organiser.get("/poktan/register/").status_code == 403


def test_register_pages_keep_their_budget_for_1_and_50_families(app, login_as):
    staf = login_as(factories.make_user("staf"))
    pokja = factories.pokja("Ciwedus")
    counts = []
    for n in (1, 50):
        poktan = rf.make_poktan(name=f"BKB Uji {n}")
        members = [
            rf.add_family(poktan, f"Kepala {i}", target_birth_date=dt.date(2022, 1, 1))
            for i in range(n)
        ]
        rf.make_session(poktan, present=members)
        with count_queries(app) as sheet:
            page = staf.get(f"/poktan/register/{poktan.id}/ri?bulan={MAY}")
        with count_queries(app) as everyone:
            staf.get(f"/poktan/register/pokja/{pokja.id}/ri?bulan={MAY}")
        with count_queries(app) as overview:
            staf.get(f"/poktan/register/?bulan={MAY}")
        counts.append((sheet.count, everyone.count, overview.count))
        assert len(gzip.compress(page.data)) <= 30 * 1024
    assert counts[0] == counts[1], counts
    assert max(counts[0]) <= 8


# -- the reports (issue 14, item 6) -------------------------------------------------


def test_recap_and_city_dashboard_show_poktan_and_services(app, login_as):
    from tests.test_reports import _unbadged, read_page

    poktan, _ = _bkb_with_twelve()
    unit = factories.make_unit("Ciwedus")
    factories.make_unit_session(unit, date=dt.date(2024, 5, 8))
    ciwedus = factories.pokja("Ciwedus")
    staf = login_as(factories.make_user("staf"))
    recap = read_page(staf.get(f"/reports/pokja/{ciwedus.id}?bulan={MAY}").data)
    # Jenis, poktan aktif, pertemuan, keluarga hadir, keluarga anggota, % hadir
    assert ["BKB", "1", "1", "9", "12", "75%"] in recap.rows
    assert ["Posyandu", "1"] in recap.rows
    assert ["Balita hadir / ditimbang (Posyandu)", "30 / 28"] in recap.rows
    city = read_page(staf.get(f"/reports/?bulan={MAY}").data)
    cells = {_unbadged(r[0]): r[0] for r in city.rows if r}
    # Only a poktan session and a Posyandu this month: an active Pokja,
    # not flagged for BKB; every other Pokja is.
    assert cells["Ciwedus"] == "Ciwedus"
    assert "Tanpa sesi BKB" in cells["Bendungan"]
    assert "Tidak ada kegiatan" in cells["Bendungan"]
    with app.app_context():
        from kkbweb.reports import recap as recap_module
        from kkbweb.reports.months import Month

        trend = recap_module.trend([ciwedus.id], Month(2024, 5))
        assert trend.of(ciwedus.id)[-1] == 2  # the BKB session and the Posyandu
