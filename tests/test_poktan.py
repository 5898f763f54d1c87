"""Poktan: the registry, member families and their import, sessions with the
one-tap family roll call, KKA ticks, walk-ins and photos."""

import datetime as dt
import gzip
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.formtokens import new_token
from kkbweb.poktan import ages, importer, queries
from kkbweb.poktan.models import (
    Household,
    Poktan,
    PoktanAttendance,
    PoktanGuest,
    PoktanMembership,
    PoktanPhoto,
    PoktanSession,
)
from tests import factories
from tests.factories import (
    make_families,
    make_family,
    make_family_marks,
    make_member,
    make_poktan,
    make_poktan_session,
    make_user,
)
from tests.querycount import count_queries

HX = {"HX-Request": "true"}


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audits(app, action: str) -> int:
    return count(app, AuditLog, AuditLog.action == action)


def marks(app, session_id: int) -> dict[int, tuple[str, bool]]:
    with app.app_context():
        rows = db.session.execute(
            select(
                PoktanAttendance.membership_id,
                PoktanAttendance.status,
                PoktanAttendance.kka_filled,
            ).where(PoktanAttendance.session_id == session_id)
        ).all()
    return {mid: (status, kka) for mid, status, kka in rows}


# --- plain rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "group"),
    [
        (dt.date(2024, 3, 1), dt.date(2024, 3, 1), "0_1"),
        (dt.date(2023, 3, 2), dt.date(2024, 3, 1), "0_1"),  # a day before turning 1
        (dt.date(2023, 3, 1), dt.date(2024, 3, 1), "1_2"),  # the birthday itself
        (dt.date(2019, 6, 10), dt.date(2024, 6, 9), "4_5"),
        (dt.date(2018, 6, 10), dt.date(2024, 6, 9), "5_6"),
        (dt.date(2018, 6, 9), dt.date(2024, 6, 9), None),  # six: no longer a balita
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28), "0_1"),  # leap-day child
        (dt.date(2020, 2, 29), dt.date(2021, 3, 1), "1_2"),
        (dt.date(2025, 1, 1), dt.date(2024, 6, 9), None),  # born after the date
        (None, dt.date(2024, 6, 9), None),
    ],
)
def test_age_group_on_any_date(birth, on, group):
    assert ages.age_group(birth, on) == group


def test_age_text_reads_like_a_kader_says_it():
    assert ages.age_text(dt.date(2023, 2, 1), dt.date(2024, 6, 10)) == "1 th 4 bln"
    assert ages.age_text(dt.date(2024, 1, 20), dt.date(2024, 6, 10)) == "4 bln"
    assert ages.age_text(dt.date(2022, 6, 10), dt.date(2024, 6, 10)) == "2 th"


# --- registry -------------------------------------------------------------------


def poktan_form(**overrides) -> dict:
    return {"kind": "bkb", "name": "BKB Melati RW 03", "rw": "03", **overrides}


def test_a_pokja_user_registers_their_poktan_with_a_member_as_ketua(app, login_as):
    ketua = make_member("Ciwedus", name="Siti Aminah")
    user = make_user("pokja")
    client = login_as(user)
    form = client.get("/poktan/new")
    assert "Siti Aminah" in form.text  # the Pokja's members to pick the ketua from
    response = client.post(
        "/poktan/new",
        data=poktan_form(ketua_member_id=ketua.id, kader_name="Euis Kurniasih"),
    )
    assert response.status_code == 303
    with app.app_context():
        poktan = db.session.scalars(select(Poktan)).one()
        assert (poktan.pokja_id, poktan.kind, poktan.ketua_member_id) == (
            user.pokja_id,
            "bkb",
            ketua.id,
        )
    page = client.get(response.headers["Location"])
    assert "BKB Melati RW 03" in page.text and "Siti Aminah" in page.text
    assert "Euis Kurniasih" in page.text
    assert audits(app, "poktan.create") == 1
    listed = client.get("/poktan/")
    assert "BKB Melati RW 03" in listed.text and "0 keluarga" in listed.text


def test_registry_refuses_a_taken_name_and_another_pokjas_member(app, login_as):
    make_poktan("Ciwedus", name="BKB Melati RW 03")
    foreign = make_member("Bendungan", name="Orang Bendungan")
    client = login_as(make_user("pokja"))
    taken = client.post("/poktan/new", data=poktan_form(name="bkb melati rw 03"))
    assert taken.status_code == 200
    assert "sudah dipakai" in taken.text and 'value="bkb melati rw 03"' in taken.text
    other = client.post(
        "/poktan/new", data=poktan_form(name="BKB Mawar", ketua_member_id=foreign.id)
    )
    assert other.status_code == 200 and "Not a valid choice" not in other.text
    assert count(app, Poktan) == 1


def test_edit_records_the_change_and_pimpinan_only_reads(app, login_as, client):
    poktan = make_poktan("Ciwedus", name="BKR Anggrek RW 05", kind="bkr")
    staff = login_as(make_user("staf"))
    response = staff.post(
        f"/poktan/{poktan.id}/edit",
        data=poktan_form(kind="bkr", name="BKR Anggrek RW 05", sk_number="12/2024"),
    )
    assert response.status_code == 303
    assert audits(app, "poktan.update") == 1
    make_families(poktan, 1)
    kind = staff.post(
        f"/poktan/{poktan.id}/edit",
        data=poktan_form(kind="bkl", name="BKR Anggrek RW 05"),
    )
    assert kind.status_code == 200 and "Jenis tidak dapat diubah" in kind.text
    factories.put_in_session(client, make_user("pimpinan"))
    assert client.get(f"/poktan/{poktan.id}").status_code == 200
    assert "12/2024" in client.get(f"/poktan/{poktan.id}").text
    assert client.get("/poktan/new").status_code == 403
    assert client.post(f"/poktan/{poktan.id}/edit", data={}).status_code == 403


# --- families -------------------------------------------------------------------


def family_form(**overrides) -> dict:
    return {
        "head_name": "Ahmad Fauzi",
        "rt": "01",
        "rw": "03",
        "target_name": "Aisyah",
        "target_sex": "P",
        "target_birth_date": "2023-02-14",
        "is_pus": "y",
        "kb_method": "suntik",
        **overrides,
    }


def test_a_family_joins_two_poktan_as_one_household(app, login_as):
    bkb = make_poktan("Ciwedus", name="BKB Melati RW 03")
    bkl = make_poktan("Ciwedus", name="BKL Kenanga RW 03", kind="bkl")
    client = login_as(make_user("pokja"))
    refused = client.post(
        f"/poktan/{bkb.id}/keluarga/new", data=family_form(target_birth_date="")
    )
    assert refused.status_code == 200 and "tanggal lahir balita" in refused.text
    assert 'value="Aisyah"' in refused.text  # what was typed stays
    saved = client.post(f"/poktan/{bkb.id}/keluarga/new", data=family_form())
    assert saved.status_code == 303
    with app.app_context():
        home_id = db.session.scalar(select(Household.id))
    form = client.get(f"/poktan/{bkl.id}/keluarga/new")
    assert "Ahmad Fauzi (RT 01/RW 03)" in form.text
    again = client.post(
        f"/poktan/{bkl.id}/keluarga/new",
        data={"household_id": home_id, "target_name": "Mak Inah", "target_sex": "P"},
    )
    assert again.status_code == 303
    assert count(app, Household) == 1 and count(app, PoktanMembership) == 2
    with app.app_context():
        bkb_member = db.session.scalars(
            select(PoktanMembership).where(PoktanMembership.poktan_id == bkb.id)
        ).one()
        # A method named means the family uses KB.
        assert (bkb_member.uses_kb, bkb_member.kb_method) == (True, "suntik")
    page = client.get(f"/poktan/{bkb.id}")
    assert "Aisyah" in page.text and "Suntik" in page.text


def test_a_family_that_left_is_off_later_roll_calls_but_keeps_its_marks(app, login_as):
    poktan = make_poktan("Ciwedus")
    stayed = make_family(poktan, head_name="Keluarga Tetap")
    left = make_family(poktan, head_name="Keluarga Pindah")
    early = make_poktan_session(poktan, date=dt.date(2024, 5, 10))
    make_family_marks(early, [left.id])
    client = login_as(make_user("pokja"))
    edited = client.post(
        f"/poktan/{poktan.id}/keluarga/{left.id}/edit",
        data=family_form(head_name="Keluarga Pindah", left_on="2024-05-31"),
    )
    assert edited.status_code == 303
    assert (
        "Data keluarga Keluarga Pindah disimpan."
        in client.get(edited.headers["Location"]).text
    )
    late = make_poktan_session(poktan, date=dt.date(2024, 6, 10))
    assert "Keluarga Pindah" not in client.get(f"/poktan/pertemuan/{late.id}").text
    assert "Keluarga Pindah" in client.get(f"/poktan/pertemuan/{early.id}").text
    assert "Keluarga Tetap" in client.get(f"/poktan/pertemuan/{late.id}").text
    assert stayed.id != left.id


# --- isolation -------------------------------------------------------------------


def test_another_pokjas_poktan_family_session_and_photo_answer_404(app, login_as):
    poktan = make_poktan("Ciwedus", name="BKB Rahasia Ciwedus")
    family = make_family(poktan, head_name="Keluarga Rahasia Ciwedus")
    session = make_poktan_session(poktan)
    make_family_marks(session, [family.id])
    client = login_as(make_user("pokja", pokja="Bendungan"))
    for url in (
        f"/poktan/{poktan.id}",
        f"/poktan/{poktan.id}/edit",
        f"/poktan/{poktan.id}/pertemuan",
        f"/poktan/{poktan.id}/keluarga/{family.id}/edit",
        f"/poktan/{poktan.id}/keluarga/impor",
        f"/poktan/pertemuan/{session.id}",
    ):
        assert client.get(url).status_code == 404, url
    tap = client.post(
        f"/poktan/pertemuan/{session.id}/hadir/{family.id}",
        data={"status": "tidak_hadir"},
    )
    assert tap.status_code == 404
    assert marks(app, session.id)[family.id] == ("hadir", False)
    listed = client.get("/poktan/?status=semua")
    assert "Rahasia" not in listed.text
    # A family of another poktan cannot be marked at this session either.
    own = make_poktan("Bendungan")
    own_session = make_poktan_session(own)
    client_b = client.post(
        f"/poktan/pertemuan/{own_session.id}/hadir/{family.id}",
        data={"status": "hadir"},
    )
    assert client_b.status_code == 404


# --- the roll call ---------------------------------------------------------------


def test_one_tap_without_javascript_marks_and_returns_to_the_family(app, login_as):
    poktan = make_poktan("Ciwedus")
    ids = make_families(poktan, 3)
    session = make_poktan_session(poktan)
    client = login_as(make_user("pokja"))
    url = f"/poktan/pertemuan/{session.id}/hadir/{ids[1]}"
    response = client.post(url, data={"status": "hadir"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/poktan/pertemuan/{session.id}#f-{ids[1]}"
    )
    page = client.get(response.headers["Location"])
    assert "Keluarga 01: Hadir." in page.text
    assert re.search(rf'id="bf{ids[1]}-1"[^>]*aria-pressed="true"', page.text)
    assert marks(app, session.id) == {ids[1]: ("hadir", False)}
    assert audits(app, "poktan_attendance.mark") == 1
    # The same tap again changes nothing and writes no second audit row.
    client.post(url, data={"status": "hadir"})
    assert audits(app, "poktan_attendance.mark") == 1
    assert count(app, PoktanAttendance) == 1
    assert client.post(url, data={"status": "izin"}).status_code == 400


def test_one_tap_with_htmx_swaps_the_row_and_the_totals(app, login_as):
    poktan = make_poktan("Ciwedus")
    ids = make_families(poktan, 3)
    session = make_poktan_session(poktan)
    client = login_as(make_user("pokja"))
    response = client.post(
        f"/poktan/pertemuan/{session.id}/hadir/{ids[0]}",
        data={"status": "hadir"},
        headers=HX,
    )
    body = response.text
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<li id="f-{ids[0]}" class="is-hadir">')
    assert 'hx-swap-oob="true"' in body and "<b>1</b> Hadir" in body
    assert "<b>2</b> Belum" in body
    assert "KKA belum diisi" in body  # BKB: the tick for the child present
    changed = client.post(
        f"/poktan/pertemuan/{session.id}/hadir/{ids[0]}",
        data={"status": "tidak_hadir"},
        headers=HX,
    )
    assert "<b>0</b> Hadir" in changed.text and "<b>1</b> Tidak hadir" in changed.text
    assert "KKA" not in changed.text.split("roll-totals")[0]


def test_kka_is_ticked_per_child_present_and_cleared_when_absent(app, login_as):
    poktan = make_poktan("Ciwedus")
    ids = make_families(poktan, 2)
    session = make_poktan_session(poktan)
    client = login_as(make_user("pokja"))
    kka = f"/poktan/pertemuan/{session.id}/kka/{ids[0]}"
    assert client.post(kka, data={"kka": "1"}).status_code == 409  # not present
    client.post(
        f"/poktan/pertemuan/{session.id}/hadir/{ids[0]}", data={"status": "hadir"}
    )
    ticked = client.post(kka, data={"kka": "1"}, headers=HX)
    assert "KKA diisi" in ticked.text and "KKA 1" in ticked.text
    assert marks(app, session.id)[ids[0]] == ("hadir", True)
    assert audits(app, "poktan_attendance.kka") == 1
    client.post(
        f"/poktan/pertemuan/{session.id}/hadir/{ids[0]}", data={"status": "tidak_hadir"}
    )
    assert marks(app, session.id)[ids[0]] == ("tidak_hadir", False)
    bkr = make_poktan("Ciwedus", kind="bkr")
    bkr_ids = make_families(bkr, 1)
    bkr_session = make_poktan_session(bkr)
    make_family_marks(bkr_session, bkr_ids)
    answer = client.post(
        f"/poktan/pertemuan/{bkr_session.id}/kka/{bkr_ids[0]}", data={"kka": "1"}
    )
    assert answer.status_code == 404  # KKA is a BKB card


def test_walk_in_families_are_recorded_once_and_can_be_removed(app, login_as):
    poktan = make_poktan("Ciwedus")
    session = make_poktan_session(poktan)
    client = login_as(make_user("pokja"))
    page = client.get(f"/poktan/pertemuan/{session.id}")
    token = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', page.text)[1]
    data = {"name": "Bu Rohmah", "note": "warga RT 02", "form_token": token}
    for _ in range(2):
        answer = client.post(f"/poktan/pertemuan/{session.id}/tamu", data=data)
        assert answer.status_code == 303
    assert count(app, PoktanGuest) == 1
    shown = client.get(f"/poktan/pertemuan/{session.id}")
    assert "Bu Rohmah" in shown.text and "<b>1</b> Bukan anggota" in shown.text
    refused = client.post(f"/poktan/pertemuan/{session.id}/tamu", data={"note": "x"})
    assert refused.status_code == 200 and "Isi nama." in refused.text
    with app.app_context():
        guest_id = db.session.scalar(select(PoktanGuest.id))
    gone = client.post(f"/poktan/pertemuan/{session.id}/tamu/{guest_id}/hapus")
    assert gone.status_code == 303 and count(app, PoktanGuest) == 0


def test_session_page_and_tap_budgets_are_the_same_for_1_and_50_families(app, login_as):
    client = login_as(make_user("pokja"))
    page_counts, tap_counts = [], []
    for families in (1, 50):
        poktan = make_poktan("Ciwedus")
        ids = make_families(poktan, families, prefix=f"K{families}")
        session = make_poktan_session(poktan)
        make_family_marks(session, ids[: max(families // 2, 1)])
        factories.save(
            PoktanGuest(session_id=session.id, pokja_id=poktan.pokja_id, name="T")
        )
        with count_queries(app) as q:
            assert client.get(f"/poktan/pertemuan/{session.id}").status_code == 200
        page_counts.append(q.count)
        with count_queries(app) as q:
            tap = client.post(
                f"/poktan/pertemuan/{session.id}/hadir/{ids[-1]}",
                data={"status": "tidak_hadir"},
                headers=HX,
            )
        assert tap.status_code == 200 and len(gzip.compress(tap.data)) <= 2048
        tap_counts.append(q.count)
        with count_queries(app) as q:
            plain = client.post(
                f"/poktan/pertemuan/{session.id}/hadir/{ids[0]}",
                data={"status": "hadir" if families > 1 else "tidak_hadir"},
            )
        assert plain.status_code == 303 and q.count <= 6
    assert page_counts[0] == page_counts[1] <= 8, page_counts
    assert tap_counts[0] == tap_counts[1] <= 4, tap_counts


def test_the_40_family_roll_call_fits_the_first_round_trip(app, login_as):
    poktan = make_poktan("Ciwedus", name="BKB Melati RW 03")
    names = ["Ahmad Fauzi", "Siti Nurhaliza", "Dedi Supriadi", "Euis Kurniasih"]
    with app.app_context():
        homes = [
            Household(
                pokja_id=poktan.pokja_id,
                head_name=f"{names[i % 4]} {i:02d}",
                rt=f"{i % 6 + 1:02d}",
                rw="03",
                address=f"Jl. Melati No. {i}",
            )
            for i in range(40)
        ]
        db.session.add_all(homes)
        db.session.flush()
        db.session.add_all(
            PoktanMembership(
                poktan_id=poktan.id,
                household_id=home.id,
                pokja_id=poktan.pokja_id,
                target_name=f"Balita Nama Panjang {i:02d}",
                target_sex="L",
                target_birth_date=dt.date(2021, 1 + i % 12, 1 + i % 27),
            )
            for i, home in enumerate(homes)
        )
        db.session.commit()
        ids = list(db.session.scalars(select(PoktanMembership.id)))
    session = make_poktan_session(poktan)
    make_family_marks(session, ids[:30])
    client = login_as(make_user("pokja"))
    page = client.get(f"/poktan/pertemuan/{session.id}")
    assert page.text.count('class="btns"') == 40
    assert page.text.count(">KKA belum diisi</button>") == 30
    assert len(gzip.compress(page.data)) <= 14 * 1024


def test_list_and_detail_budgets_are_the_same_for_1_and_50_rows(app, login_as):
    client = login_as(make_user("staf"))
    counts = {"list": [], "detail": [], "sessions": []}
    for rows in (1, 50):
        poktan = None
        for i in range(rows):
            poktan = make_poktan("Ciwedus", name=f"BKB Uji {rows}-{i}")
        make_families(poktan, rows, prefix=f"F{rows}")
        for day in range(1, min(rows, 28) + 1):
            make_poktan_session(poktan, date=dt.date(2024, 6, day))
        for name, url in (
            ("list", "/poktan/?status=semua"),
            ("detail", f"/poktan/{poktan.id}"),
            ("sessions", f"/poktan/{poktan.id}/pertemuan"),
        ):
            with count_queries(app) as q:
                response = client.get(url)
            assert response.status_code == 200
            assert len(gzip.compress(response.data)) <= 30 * 1024
            counts[name].append(q.count)
    for name, (one, many) in counts.items():
        assert one == many <= 8, (name, one, many)


# --- photos ---------------------------------------------------------------------


def test_photos_are_kept_once_and_shown_only_to_the_own_pokja(app, login_as, client):
    poktan = make_poktan("Ciwedus")
    session = make_poktan_session(poktan)
    own = login_as(make_user("pokja"))
    jpeg = factories.kie_jpeg()
    upload = own.post(
        f"/poktan/pertemuan/{session.id}/foto",
        data={"photos": [(io.BytesIO(jpeg), "a.jpg"), (io.BytesIO(jpeg), "b.jpg")]},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303
    assert count(app, PoktanPhoto) == 1  # the same photo twice is one
    with app.app_context():
        photo_id = db.session.scalar(select(PoktanPhoto.id))
    served = own.get(f"/poktan/foto/{photo_id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    bad = own.post(
        f"/poktan/pertemuan/{session.id}/foto",
        data={"photos": [(io.BytesIO(b"not a photo"), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 200 and "Tidak ada yang disimpan" in bad.text
    factories.put_in_session(client, make_user("pokja", pokja="Bendungan"))
    assert client.get(f"/poktan/foto/{photo_id}").status_code == 404


def test_deleting_a_session_removes_its_roll_call(app, login_as):
    poktan = make_poktan("Ciwedus")
    ids = make_families(poktan, 2)
    session = make_poktan_session(poktan)
    make_family_marks(session, ids)
    client = login_as(make_user("pokja"))
    assert client.get(f"/poktan/pertemuan/{session.id}/hapus").status_code == 200
    assert client.post(f"/poktan/pertemuan/{session.id}/hapus").status_code == 303
    assert count(app, PoktanSession) == 0 and count(app, PoktanAttendance) == 0
    assert audits(app, "poktan_session.delete") == 1


def test_creating_a_session_then_marking_nine_of_twelve(app, login_as):
    poktan = make_poktan("Ciwedus", name="BKB Melati RW 03")
    ids = make_families(poktan, 12)
    client = login_as(make_user("pokja"))
    created = client.post(
        f"/poktan/{poktan.id}/pertemuan/new",
        data={
            "date": "2024-06-10",
            "place": "Posyandu Melati",
            "topic": "Stimulasi tumbuh kembang",
            "speaker": "Bidan Ratna",
            "kader_present": "Euis, Siti",
        },
    )
    assert created.status_code == 303
    session_id = int(created.headers["Location"].rsplit("/", 1)[1])
    for mid in ids[:9]:
        client.post(
            f"/poktan/pertemuan/{session_id}/hadir/{mid}", data={"status": "hadir"}
        )
    page = client.get(f"/poktan/pertemuan/{session_id}")
    assert "<b>9</b> dari 12 keluarga" in page.text
    with app.app_context():
        rows = queries.activity_counts(dt.date(2024, 6, 1), dt.date(2024, 7, 1))
    assert [tuple(r) for r in rows] == [(poktan.pokja_id, 2024, 6, "bkb", 1, 9, 9)]
    assert all(type(value) is int for value in rows[0][1:3])


# --- import ---------------------------------------------------------------------


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_previews_row_errors_then_saves_once(app, login_as):
    poktan = make_poktan("Ciwedus", name="BKB Melati RW 03")
    existing = make_family(poktan, head_name="Ahmad Fauzi", target_name="Aisyah")
    with app.app_context():
        db.session.execute(Household.__table__.update().values(rw="03"))
        db.session.commit()
    data = workbook(
        [
            ["Daftar keluarga BKB Melati"],
            [
                "Kepala keluarga",
                "RT",
                "RW",
                "Nama balita",
                "L/P",
                "Tgl lahir",
                "PUS",
                "KB",
                "Metode KB",
            ],
            [
                "Ahmad Fauzi",
                "1",
                "3",
                "Bagas",
                "L",
                dt.date(2022, 5, 1),
                "Ya",
                "Ya",
                "Pil",
            ],
            ["Ahmad Fauzi", "01", "03", "Aisyah", "P", "01/02/2023", "ya", "", ""],
            ["Dedi Supriadi", "2", "3", "Rizky", "X", "03/09/2021", "", "", ""],
            ["", "2", "3", "Tanpa kepala", "L", "03/09/2021", "", "", ""],
            ["Euis K", "2", "3", "Putri", "P", "", "", "", "spiral"],
            ["Rina", "4", "3", "Dimas", "L", "2021-07-07", "Mungkin", "", ""],
            ["Sari Dewi", "5", "3", "Nisa", "P", "12/12/2022", "tidak", "ya", "susuk"],
        ]
    )
    client = login_as(make_user("pokja"))
    preview = client.post(
        f"/poktan/{poktan.id}/keluarga/impor",
        data={"file": (io.BytesIO(data), "bkb.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    text = preview.text
    assert "<b>2</b> siap disimpan" in text
    assert "Sudah terdaftar di poktan ini." in text
    assert "L/P harus diisi L" in text and "Nama kepala keluarga kosong." in text
    assert "Tanggal lahir balita kosong" in text and "harus Ya atau Tidak" in text
    assert "keluarga sudah terdaftar" in text  # Bagas joins Ahmad's household
    assert count(app, PoktanMembership) == 1  # nothing saved yet
    token = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', text)[1]
    url = f"/poktan/{poktan.id}/keluarga/impor/simpan"
    saved = client.post(url, data={"form_token": token})
    assert saved.status_code == 303
    again = client.post(url, data={"form_token": token})
    assert again.status_code == 303
    assert count(app, PoktanMembership) == 3 and count(app, Household) == 2
    with app.app_context():
        bagas = db.session.scalars(
            select(PoktanMembership).where(PoktanMembership.target_name == "Bagas")
        ).one()
        nisa = db.session.scalars(
            select(PoktanMembership).where(PoktanMembership.target_name == "Nisa")
        ).one()
    assert bagas.household_id == existing.household_id
    assert (bagas.uses_kb, bagas.kb_method, bagas.target_birth_date) == (
        True,
        "pil",
        dt.date(2022, 5, 1),
    )
    assert (nisa.is_pus, nisa.uses_kb, nisa.kb_method) == (False, True, "implan")
    assert audits(app, "poktan_membership.import") == 1


def test_import_refuses_an_unreadable_file_with_a_message(app, login_as):
    poktan = make_poktan("Ciwedus", kind="uppka")
    client = login_as(make_user("pokja"))
    for name, body, message in (
        (
            "a.csv",
            b"Nama;Alamat\nX;Y\n",
            "Kolom &#39;Kepala keluarga&#39; tidak ditemukan",
        ),
        ("a.pdf", b"%PDF-1.4", "Jenis berkas tidak didukung"),
        ("a.csv", b"", "Berkas kosong."),
    ):
        response = client.post(
            f"/poktan/{poktan.id}/keluarga/impor",
            data={"file": (io.BytesIO(body), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200 and message in response.text, name
    uppka = importer.check_rows(
        [{"head_name": "Bu Yati", "business": "Keripik", "sub_sector": "olahan"}],
        "uppka",
        {},
        set(),
    )
    assert uppka[0].problems == ["Subsektor 'olahan' tidak dikenal."]
    ok = importer.check_rows(
        [{"head_name": "Bu Yati", "business": "Keripik", "sub_sector": "Kerajinan"}],
        "uppka",
        {},
        set(),
    )
    assert ok[0].ok and ok[0].values["membership"]["sub_sector"] == "kerajinan"


def test_the_import_template_reads_back_as_two_families():
    rows = importer.read_table("contoh.csv", importer.template_csv().encode())
    checked = importer.check_rows(rows, "bkb", {}, set())
    assert [row.ok for row in checked] == [True, True]


def test_post_budgets_hold_for_every_write(app, login_as):
    client = login_as(make_user("pokja"))
    poktan = make_poktan("Ciwedus")
    session = make_poktan_session(poktan)
    ids = make_families(poktan, 3)
    with app.app_context():
        home = db.session.scalar(select(Household.id))
    checks = [
        ("/poktan/new", {"form_token": new_token(), "kind": "bkb", "name": "BKB Baru"}),
        (f"/poktan/{poktan.id}/edit", {"kind": "bkb", "name": "BKB Ganti Nama"}),
        (f"/poktan/{poktan.id}/keluarga/new", family_form(form_token=new_token())),
        (
            f"/poktan/{poktan.id}/keluarga/new",
            {"form_token": new_token(), "household_id": home, "target_name": "Adik"}
            | {"target_birth_date": "2024-01-01"},
        ),
        (f"/poktan/{poktan.id}/keluarga/{ids[0]}/edit", family_form(head_name="Baru")),
        (
            f"/poktan/{poktan.id}/pertemuan/new",
            {"form_token": new_token(), "date": "2024-06-01", "place": "x"}
            | {"topic": "y"},
        ),
        (
            f"/poktan/pertemuan/{session.id}/edit",
            {"date": "2024-06-02", "place": "Balai RW", "topic": "Gizi"},
        ),
        (
            f"/poktan/pertemuan/{session.id}/tamu",
            {"form_token": new_token(), "name": "G"},
        ),
        (f"/poktan/pertemuan/{session.id}/hadir/{ids[1]}", {"status": "hadir"}),
        (f"/poktan/pertemuan/{session.id}/kka/{ids[1]}", {"kka": "1"}),
    ]
    for url, data in checks:
        with count_queries(app) as q:
            response = client.post(url, data=data)
        assert response.status_code == 303, (url, response.text[:300])
        assert q.count <= 6, (url, q.count)
    counts = []
    for families in (1, 30):
        target = make_poktan("Ciwedus")
        body = "Kepala keluarga;RT;Nama balita;Tgl lahir\n" + "".join(
            f"Impor {families} {i};0{i % 5 + 1};Anak {i};1/2/2023\n"
            for i in range(families)
        )
        preview = client.post(
            f"/poktan/{target.id}/keluarga/impor",
            data={"file": (io.BytesIO(body.encode()), "a.csv")},
            content_type="multipart/form-data",
        )
        token = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', preview.text)
        with count_queries(app) as q:
            saved = client.post(
                f"/poktan/{target.id}/keluarga/impor/simpan",
                data={"form_token": token[1]},
            )
        assert saved.status_code == 303
        counts.append(q.count)
    assert counts[0] == counts[1] <= 6, counts
    assert count(app, Household) == 3 + 1 + 31
