"""Referrals through the web: intake, flow, conflicts, privacy, query budgets."""

import csv
import gzip
import http.cookiejar
import io
import logging
import re
import threading
import urllib.parse
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select
from sqlalchemy import text as sql_text
from werkzeug.serving import make_server

from kkbweb import create_app, logfilter
from kkbweb.audit.models import AuditLog
from kkbweb.demo import referrals as demo
from kkbweb.extensions import db
from kkbweb.nik import mask_nik, validate_nik
from kkbweb.referrals import queries, service, workflow
from kkbweb.referrals.models import (
    ChecklistItem,
    Referral,
    ReferralEvent,
    ReferralPaper,
    Resident,
)
from kkbweb.timeutil import to_wib, today_wib, utcnow
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.querycount import count_queries

# Valid-looking Cilegon NIKs with 9xxx serials: nobody's real number.
CANARY_A = "3672024107909187"  # woman born 1 July 1990, kecamatan Cilegon
CANARY_B = "3672025203889243"  # woman born 12 March 1988
MAN_NIK = "3672011505859401"  # man born 15 May 1985, kecamatan Cibeber


@pytest.fixture(scope="module", autouse=True)
def _schema_after_migration_test():
    """On PostgreSQL, test_migrations (which runs earlier) leaves no tables behind."""
    if not TEST_DATABASE_URL:
        yield
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, "SECRET_KEY": "x"})
    with app.app_context():
        if "referral" not in inspect(db.engine).get_table_names():
            db.drop_all()
            db.session.execute(
                sql_text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
            )
            db.session.commit()
            db.create_all()
        db.engine.dispose()
    yield


@pytest.fixture
def w(app):
    """Users of every role that works with referrals, and the checklists."""
    with app.app_context():
        service.ensure_checklists()
        db.session.commit()
    return SimpleNamespace(
        A=factories.pokja("Ciwedus"),
        B=factories.pokja("Bendungan"),
        pokja_a=factories.make_user("pokja", pokja="Ciwedus", username="pokja.a"),
        pokja_b=factories.make_user("pokja", pokja="Bendungan", username="pokja.b"),
        staf=factories.make_user("staf", username="staf.satu"),
        staf2=factories.make_user("staf", username="staf.dua"),
        admin=factories.make_user("admin", username="admin.satu"),
        pimpinan=factories.make_user("pimpinan", username="pimpinan.satu"),
    )


def as_user(client, user):
    """Switch the client's session to this user."""
    client.delete_cookie("kkbweb_session")
    factories.put_in_session(client, user)
    return client


def get_referral(app, referral_id) -> Referral:
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        db.session.expunge(referral)
        return referral


def text(response) -> str:
    return response.get_data(as_text=True)


def resident_form(**overrides) -> dict:
    data = {
        "name": "Siti Aminah",
        "sex": "P",
        "birth_date": "1990-07-01",
        "religion": "islam",
        "address": "Kp. Sukajadi No. 7",
        "rt": "003",
        "rw": "002",
        "nik": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def register(client, **overrides) -> int:
    """Register a resident through the form; return the new id."""
    response = client.post("/referrals/warga/baru", data=resident_form(**overrides))
    assert response.status_code == 303, text(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def open_referral(client, resident_id, doc_type="akta_kelahiran", **extra) -> int:
    """Open a referral through the intake form; return its id."""
    data = {"doc_type": doc_type, "destination": "auto", **extra}
    response = client.post(f"/referrals/baru?warga={resident_id}", data=data)
    assert response.status_code == 303, text(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def move(client, app, referral_id, target, note="", version=None, **headers):
    """Post one workflow step with the referral's current version."""
    if version is None:
        version = get_referral(app, referral_id).version
    return client.post(
        f"/referrals/{referral_id}/status",
        data={"target": target, "note": note, "version": version},
        headers=headers,
    )


def audit_actions(app, action) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


# -- acceptance: the Pokja user and the staff member ------------------------------


def test_pokja_registers_resident_opens_referral_ticks_papers_prints_slip(
    app, client, w
):
    as_user(client, w.pokja_a)
    resident_id = register(client, nik=CANARY_A)
    referral_id = open_referral(client, resident_id, "akta_kelahiran")
    referral = get_referral(app, referral_id)
    year = to_wib(utcnow()).year
    assert referral.code == f"RJK-{year}-00001"
    assert referral.status == "diajukan" and referral.holder == "pokja"
    assert referral.pokja_id == w.A.id
    assert referral.destination_code == "disdukcapil"
    assert "Kelurahan Ciwedus" in referral.destination_address

    with app.app_context():
        papers = db.session.scalars(
            select(ReferralPaper)
            .where(ReferralPaper.referral_id == referral_id)
            .order_by(ReferralPaper.sort)
        ).all()
        paper_ids = [p.id for p in papers]
        labels = [p.label for p in papers]
    # The F-2.04 alternative only comes with an unregistered marriage (issue 17).
    assert len(labels) == 6 and labels[0].startswith("Surat keterangan lahir")

    for paper_id in paper_ids[:3]:
        response = client.post(
            f"/referrals/{referral_id}/berkas/{paper_id}", data={"received": "1"}
        )
        assert response.status_code == 303
    with app.app_context():
        received = db.session.scalar(
            select(func.count())
            .select_from(ReferralPaper)
            .where(ReferralPaper.referral_id == referral_id, ReferralPaper.received)
        )
    assert received == 3
    assert len(audit_actions(app, "referral.paper")) == 3

    page = text(client.get(f"/referrals/{referral_id}"))
    assert "3 dari 5 berkas diterima" in page

    slip = text(client.get(f"/referrals/{referral_id}/surat"))
    assert "Lembar rujukan / daftar periksa berkas" in slip
    assert "SURAT PENGANTAR" not in slip.upper()
    assert referral.code in slip
    assert "Akta kelahiran" in slip
    assert "Disdukcapil" in slip and "Kelurahan Ciwedus" in slip
    assert slip.count("☑") >= 3 and "☐" in slip
    assert mask_nik(CANARY_A) in slip and CANARY_A not in slip


def test_staff_takes_forwards_finishes_and_pokja_hands_over(app, client, w):
    """The full happy path through every status, each step by its rightful role."""
    resident = factories.make_resident(w.A, nik=CANARY_A)
    referral = factories.make_referral(resident, by=w.pokja_a)
    rid = referral.id

    as_user(client, w.pokja_a)
    assert move(client, app, rid, "berkas_tidak_lengkap").status_code == 303
    assert move(client, app, rid, "berkas_lengkap").status_code == 303

    as_user(client, w.staf)
    queue = text(client.get("/referrals/"))
    assert referral.code in queue
    version = get_referral(app, rid).version
    response = client.post(f"/referrals/{rid}/ambil", data={"version": version})
    assert response.status_code == 303
    assert get_referral(app, rid).assigned_to_id == w.staf.id
    for target in ("diteruskan", "diproses", "selesai"):
        response = move(client, app, rid, target, note=f"langkah {target}")
        assert response.status_code == 303, text(response)
        assert get_referral(app, rid).status == target

    as_user(client, w.pokja_a)
    assert move(client, app, rid, "diserahkan").status_code == 303

    final = get_referral(app, rid)
    assert final.status == "diserahkan" and final.holder is None
    assert final.completed_at is not None and final.handed_over_at is not None
    assert final.handed_over_at >= final.completed_at
    with app.app_context():
        events = db.session.scalars(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == rid)
            .order_by(ReferralEvent.id)
        ).all()
        steps = [(e.kind, e.from_status, e.to_status) for e in events]
        holders = [e.holder for e in events if e.kind == "status"]
    assert steps == [
        ("status", None, "diajukan"),
        ("status", "diajukan", "berkas_tidak_lengkap"),
        ("status", "berkas_tidak_lengkap", "berkas_lengkap"),
        ("assign", "berkas_lengkap", "berkas_lengkap"),
        ("status", "berkas_lengkap", "diteruskan"),
        ("status", "diteruskan", "diproses"),
        ("status", "diproses", "selesai"),
        ("status", "selesai", "diserahkan"),
    ]
    assert holders == [
        "pokja",
        "pokja",
        # A complete file is taken to the desk by the kader (issue 17).
        "pokja",
        "instansi",
        "instansi",
        "pokja",
        None,
    ]
    assert len(audit_actions(app, "referral.move")) == 6
    assert len(audit_actions(app, "referral.assign")) == 1

    page = text(client.get(f"/referrals/{rid}"))
    assert "Riwayat" in page and "langkah diproses" in page
    assert "Langkah berikutnya" not in page  # closed: nothing left to do


def test_skipped_step_is_refused_with_a_clear_message(app, client, w):
    referral = factories.make_referral(factories.make_resident(w.A), by=w.pokja_a)
    as_user(client, w.staf)
    response = move(client, app, referral.id, "selesai")
    assert response.status_code == 200
    assert "tidak bisa langsung berubah dari" in text(response)
    assert "Diajukan" in text(response)
    after = get_referral(app, referral.id)
    assert after.status == "diajukan" and after.version == referral.version
    assert audit_actions(app, "referral.move") == []


def test_a_move_the_document_does_not_have_is_refused(app, client, w):
    """A buku nikah is handed over at the akad: "dokumen terbit" is refused."""
    resident = factories.make_resident(w.A)
    referral = factories.make_referral(resident, "buku_nikah", status="diproses")
    as_user(client, w.pokja_a)
    response = move(client, app, referral.id, "selesai")
    assert response.status_code == 200
    assert "tidak bisa langsung berubah" in text(response)
    assert get_referral(app, referral.id).status == "diproses"
    # The form only offers what the flow allows for this document.
    page = text(client.get(f"/referrals/{referral.id}"))
    assert 'value="selesai"' not in page and 'value="akad"' in page
    assert move(client, app, referral.id, "akad").status_code == 303
    closed = get_referral(app, referral.id)
    assert closed.status == "akad" and closed.handed_over_at is not None
    # Read-only roles never get a form, and a forged post is refused outright.
    as_user(client, w.pimpinan)
    page = text(client.get(f"/referrals/{referral.id}"))
    assert "Langkah berikutnya" not in page and "Ubah tujuan" not in page
    assert move(client, app, referral.id, "diteruskan").status_code == 403


def test_reject_and_cancel_need_a_reason(app, client, w):
    referral = factories.make_referral(
        factories.make_resident(w.A), status="diteruskan"
    )
    as_user(client, w.staf)
    response = move(client, app, referral.id, "ditolak")
    assert "Alasan wajib diisi" in text(response)
    assert get_referral(app, referral.id).status == "diteruskan"
    response = move(client, app, referral.id, "ditolak", note="KK belum diperbarui.")
    assert response.status_code == 303
    as_user(client, w.pokja_a)
    assert move(client, app, referral.id, "berkas_tidak_lengkap").status_code == 303
    assert "Alasan wajib" in text(move(client, app, referral.id, "dibatalkan"))
    response = move(client, app, referral.id, "dibatalkan", note="Warga pindah.")
    assert response.status_code == 303
    closed = get_referral(app, referral.id)
    assert closed.status == "dibatalkan" and closed.holder is None
    page = text(client.get(f"/referrals/{referral.id}"))
    assert "Warga pindah." in page and "KK belum diperbarui." in page


# -- routing ------------------------------------------------------------------


def test_muslim_couple_marriage_goes_to_the_kua_of_their_kecamatan(app, client, w):
    bulakan = factories.pokja("Bulakan")  # kecamatan Cibeber
    cadre = factories.make_user("pokja", pokja=bulakan)
    as_user(client, cadre)
    resident_id = register(
        client,
        name="Ahmad Fauzi",
        sex="L",
        birth_date="1985-05-15",
        nik=MAN_NIK,
        religion="islam",
    )
    referral_id = open_referral(
        client, resident_id, "buku_nikah", notes="Calon istri: Nur Aisyah."
    )
    referral = get_referral(app, referral_id)
    assert referral.destination_code == "kua"
    assert referral.destination_name == "KUA Kecamatan Cibeber"
    assert "KUA Kecamatan Cibeber" in text(
        client.get(f"/referrals/{referral_id}/surat")
    )


def test_christian_couple_marriage_goes_to_disdukcapil(app, client, w):
    as_user(client, w.pokja_a)
    resident_id = register(client, name="Ruth Sihombing", religion="kristen")
    referral_id = open_referral(client, resident_id, "akta_perkawinan")
    referral = get_referral(app, referral_id)
    assert referral.destination_code == "disdukcapil"
    assert referral.destination_name.startswith("Disdukcapil Kota Cilegon")
    # Even when the cadre picks "buku nikah" out of habit, it is not sent to the KUA.
    other = get_referral(app, open_referral(client, resident_id, "buku_nikah"))
    assert other.destination_code == "disdukcapil"
    page = text(client.get(f"/referrals/{other.id}"))
    assert "hanya untuk perkawinan secara Islam" in page


def test_destination_can_be_chosen_and_changed(app, client, w):
    as_user(client, w.pokja_a)
    resident_id = register(client)
    referral_id = open_referral(
        client,
        resident_id,
        "itsbat_nikah",
        destination="kua",
        destination_address="Jl. Uji No. 1",
    )
    referral = get_referral(app, referral_id)
    assert referral.destination_code == "kua"
    assert referral.destination_name == "KUA Kecamatan Cilegon"
    assert referral.destination_address == "Jl. Uji No. 1"
    page = text(client.get(f"/referrals/{referral_id}"))
    assert "Saran sistem: Pengadilan Agama Cilegon" in page
    response = client.post(
        f"/referrals/{referral_id}/ubah",
        data={
            "destination_code": "pengadilan_agama",
            "destination_name": "Pengadilan Agama Cilegon",
            "destination_address": "",
            "notes": "Sidang pertama bulan depan.",
            "version": referral.version,
        },
    )
    assert response.status_code == 303
    changed = get_referral(app, referral_id)
    assert changed.destination_code == "pengadilan_agama"
    assert changed.notes == "Sidang pertama bulan depan."
    assert changed.version == referral.version + 1
    assert len(audit_actions(app, "referral.update")) == 1


# -- NIK through the form ---------------------------------------------------------


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("123", "NIK harus 16 digit angka."),
        ("36720241079091870", "NIK harus 16 digit angka."),
        ("3672a24107909187", "NIK harus 16 digit angka."),
        ("9972024107909187", "Kode provinsi NIK tidak dikenal."),
        ("3672020007909187", "Tanggal lahir dalam NIK tidak valid."),
        ("3672024113909187", "Tanggal lahir dalam NIK tidak valid."),
        ("3672024107900000", "Nomor urut NIK tidak boleh 0000."),
    ],
)
def test_a_wrong_nik_is_refused_on_the_field_and_the_input_kept(
    app, client, w, nik, message
):
    as_user(client, w.pokja_a)
    response = client.post(
        "/referrals/warga/baru", data=resident_form(nik=nik, name="Dewi Lestari")
    )
    assert response.status_code == 200
    body = text(response)
    assert message in body
    assert 'value="Dewi Lestari"' in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 0


@pytest.mark.parametrize(
    "typed", ["3672 0241 0790 9187", "3672.0241.0790.9187", "3672-024107-909187"]
)
def test_a_nik_typed_in_groups_is_stored_as_sixteen_digits(app, client, w, typed):
    as_user(client, w.pokja_a)
    resident_id = register(client, nik=typed)
    with app.app_context():
        assert db.session.get(Resident, resident_id).nik == CANARY_A


def test_nik_mismatch_with_birth_date_and_sex_warns_and_can_be_accepted(app, client, w):
    as_user(client, w.pokja_a)
    data = resident_form(nik=CANARY_A, birth_date="1990-07-02", sex="L")
    response = client.post("/referrals/warga/baru", data=data)
    body = text(response)
    assert response.status_code == 200
    assert "Tanggal lahir di NIK (1 Juli 1990) berbeda" in body
    assert "Jenis kelamin di NIK (perempuan) berbeda" in body
    assert "Tetap simpan" in body
    accepted = re.search(r'name="accepted" value="([0-9a-f]+)"', body).group(1)
    # Ticking without the warnings it answers (a stale page) is not enough.
    response = client.post(
        "/referrals/warga/baru", data={**data, "confirm": "y", "accepted": "0" * 16}
    )
    assert "Tetap simpan" in text(response)
    response = client.post(
        "/referrals/warga/baru", data={**data, "confirm": "y", "accepted": accepted}
    )
    assert response.status_code == 303


def test_duplicates_warn_within_the_users_scope_only(app, client, w):
    as_user(client, w.pokja_a)
    register(client, nik=CANARY_A)
    response = client.post("/referrals/warga/baru", data=resident_form(nik=CANARY_A))
    assert "Sudah ada warga dengan NIK yang sama: Siti Aminah" in text(response)
    # Same name and birth date, no NIK.
    response = client.post("/referrals/warga/baru", data=resident_form())
    assert "nama dan tanggal lahir yang sama" in text(response)
    # Pokja B learns nothing about Pokja A's residents, not even the NIK's existence.
    as_user(client, w.pokja_b)
    response = client.post("/referrals/warga/baru", data=resident_form(nik=CANARY_A))
    assert response.status_code == 303
    # Staff see every Pokja, so they are warned.
    as_user(client, w.staf)
    data = resident_form(nik=CANARY_A, pokja_id=str(w.A.id))
    assert "Sudah ada warga" in text(client.post("/referrals/warga/baru", data=data))


def test_nik_search_is_a_post_scoped_and_never_echoes_the_nik(app, client, w):
    resident = factories.make_resident(w.A, name="Warga Dicari", nik=CANARY_A)
    as_user(client, w.pokja_a)
    response = client.post("/referrals/warga/cari-nik", data={"nik": CANARY_A})
    body = text(response)
    assert "Warga Dicari" in body and f"/referrals/warga/{resident.id}" in body
    assert CANARY_A not in body and mask_nik(CANARY_A) in body
    as_user(client, w.pokja_b)
    body = text(client.post("/referrals/warga/cari-nik", data={"nik": CANARY_A}))
    assert "Tidak ada warga dengan NIK itu di Pokja Anda" in body
    assert "Warga Dicari" not in body
    assert "NIK harus 16 digit" in text(
        client.post("/referrals/warga/cari-nik", data={"nik": "12ab"})
    )
    # The search form is a POST form: no GET route takes a NIK.
    assert 'method="post" action="/referrals/warga/cari-nik"' in text(
        client.get("/referrals/warga")
    )


def test_name_search_and_a_nik_typed_into_a_get_search_box(app, client, w):
    factories.make_resident(w.A, name="Khoirunnisa Rahma")
    factories.make_resident(w.A, name="Budi Santoso")
    as_user(client, w.pokja_a)
    body = text(client.get("/referrals/warga?q=khoiru"))
    assert "Khoirunnisa Rahma" in body and "Budi Santoso" not in body
    body = text(client.get(f"/referrals/warga?q={CANARY_A}"))
    assert "NIK tidak dicari lewat kotak ini" in body
    assert CANARY_A not in body
    body = text(client.get(f"/referrals/?q={CANARY_A}"))
    assert "NIK tidak dicari lewat kotak ini" in body and CANARY_A not in body


# -- conflicts ------------------------------------------------------------------


def test_two_edits_from_the_same_version_the_second_gets_a_conflict(app, client, w):
    referral = factories.make_referral(factories.make_resident(w.A), by=w.pokja_a)
    version = referral.version
    form = {
        "destination_code": "disdukcapil",
        "destination_name": referral.destination_name,
        "destination_address": "",
        "version": version,
    }
    as_user(client, w.staf)
    first = client.post(
        f"/referrals/{referral.id}/ubah",
        data={**form, "notes": "Catatan staf", "assigned_to_id": str(w.staf.id)},
    )
    assert first.status_code == 303
    as_user(client, w.pokja_a)
    second = client.post(
        f"/referrals/{referral.id}/ubah", data={**form, "notes": "Catatan Pokja"}
    )
    assert second.status_code == 409
    body = text(second)
    assert "baru saja diubah orang lain" in body
    assert "Catatan staf" in body  # the current state is shown
    assert "Catatan Pokja" in body  # and what the user typed is kept
    stored = get_referral(app, referral.id)
    assert stored.notes == "Catatan staf" and stored.assigned_to_id == w.staf.id
    assert f'name="version" type="hidden" value="{stored.version}"' in body


def test_a_move_from_a_stale_page_gets_a_conflict(app, client, w):
    referral = factories.make_referral(
        factories.make_resident(w.A), status="berkas_lengkap"
    )
    stale = referral.version
    as_user(client, w.staf)
    assert (
        move(client, app, referral.id, "diteruskan", version=stale).status_code == 303
    )
    response = move(client, app, referral.id, "diteruskan", version=stale)
    assert response.status_code == 409
    assert "baru saja diubah orang lain" in text(response)
    as_user(client, w.pokja_a)
    response = move(client, app, referral.id, "dibatalkan", note="x", version=stale)
    assert response.status_code == 409
    assert get_referral(app, referral.id).status == "diteruskan"


def test_taking_a_row_changed_meanwhile_answers_409_for_htmx(app, client, w):
    referral = factories.make_referral(
        factories.make_resident(w.A), status="berkas_lengkap"
    )
    htmx = {"HX-Request": "true"}
    as_user(client, w.staf)
    response = client.post(
        f"/referrals/{referral.id}/ambil",
        data={"version": referral.version},
        headers=htmx,
    )
    assert response.status_code == 200
    assert text(response).startswith(f'<tr id="rujukan-{referral.id}"')
    assert w.staf.full_name in text(response)
    as_user(client, w.staf2)
    response = client.post(
        f"/referrals/{referral.id}/ambil",
        data={"version": referral.version},
        headers=htmx,
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == f"#rujukan-{referral.id}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "Baru saja diubah orang lain" in text(response)
    assert get_referral(app, referral.id).assigned_to_id == w.staf.id
    # Without JavaScript: the referral page with the message, same status.
    response = client.post(
        f"/referrals/{referral.id}/ambil", data={"version": referral.version}
    )
    assert response.status_code == 409 and "<html" in text(response)


def test_resident_edit_conflict(app, client, w):
    resident = factories.make_resident(w.A, name="Nama Lama")
    data = resident_form(name="Nama Baru", version=str(resident.version))
    as_user(client, w.pokja_a)
    assert (
        client.post(f"/referrals/warga/{resident.id}/ubah", data=data).status_code
        == 303
    )
    data["name"] = "Nama Ketiga"
    response = client.post(f"/referrals/warga/{resident.id}/ubah", data=data)
    assert response.status_code == 409
    assert "Data terbaru: Nama Baru" in text(response)
    assert 'value="Nama Ketiga"' in text(response)


# -- personal data ----------------------------------------------------------------


def test_full_nik_only_for_staff_and_own_pokja_each_view_audited(app, client, w):
    resident = factories.make_resident(w.A, nik=CANARY_A)
    referral = factories.make_referral(resident)
    for user in (w.staf, w.admin, w.pokja_a):
        as_user(client, user)
        assert CANARY_A in text(client.get(f"/referrals/{referral.id}"))
        assert CANARY_A in text(client.get(f"/referrals/warga/{resident.id}"))
    reads = audit_actions(app, "resident.nik.view")
    assert len(reads) == 6
    assert {r.username for r in reads} == {"staf.satu", "admin.satu", "pokja.a"}
    assert all(r.entity_type == "resident" for r in reads)
    as_user(client, w.pimpinan)
    for url in (f"/referrals/{referral.id}", f"/referrals/warga/{resident.id}"):
        body = text(client.get(url))
        assert CANARY_A not in body and mask_nik(CANARY_A) in body
    assert len(audit_actions(app, "resident.nik.view")) == 6


def test_nik_is_masked_in_lists_slip_and_exports(app, client, w):
    resident = factories.make_resident(w.A, name="Warga Ekspor", nik=CANARY_A)
    factories.make_referral(resident)
    masked = mask_nik(CANARY_A)
    assert masked == "3672********9187"
    for user in (w.staf, w.pokja_a, w.pimpinan):
        as_user(client, user)
        for url in ("/referrals/", "/referrals/warga", "/referrals/?tutup=1"):
            body = text(client.get(url))
            assert masked in body and CANARY_A not in body, (user.username, url)
    as_user(client, w.staf)
    csv_response = client.get("/referrals/ekspor?format=csv")
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][:5] == [
        "Kode",
        "Tanggal diajukan",
        "Pokja",
        "Nama warga",
        "NIK (disamarkan)",
    ]
    assert rows[1][3] == "Warga Ekspor" and rows[1][4] == masked
    assert CANARY_A not in csv_response.data.decode("utf-8-sig")

    xlsx = client.get("/referrals/ekspor?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert "Hari menunggu" in header and "NIK (disamarkan)" in header
    line = [cell.value for cell in sheet[2]]
    assert line[header.index("NIK (disamarkan)")] == masked
    assert isinstance(line[header.index("Hari menunggu")], int)
    assert line[header.index("Tanggal diajukan")].year == to_wib(utcnow()).year
    assert all(CANARY_A not in str(cell.value) for row in sheet for cell in row)


def test_exports_never_run_a_name_as_a_formula(app, client, w):
    """CSV/formula injection: a name starting with = stays text in CSV and XLSX."""
    resident = factories.make_resident(w.A, name="=HYPERLINK(1)")
    factories.make_referral(resident)
    as_user(client, w.staf)
    csv_body = client.get("/referrals/ekspor?format=csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_body), delimiter=";"))
    assert rows[1][3] == "'=HYPERLINK(1)"
    xlsx = client.get("/referrals/ekspor?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cell = sheet.cell(row=2, column=4)
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"

    exports = audit_actions(app, "referral.export")
    assert len(exports) == 2 and "1 baris" in exports[0].note
    as_user(client, w.pimpinan)
    assert client.get("/referrals/ekspor?format=csv").status_code == 403
    as_user(client, w.pokja_a)
    assert client.get("/referrals/ekspor?format=xlsx").status_code == 403


def test_canary_of_pokja_a_never_reaches_pokja_b(app, client, w):
    resident_a = factories.make_resident(w.A, name="Kanari Ciwedus", nik=CANARY_A)
    referral_a = factories.make_referral(resident_a, status="berkas_lengkap")
    resident_b = factories.make_resident(w.B, name="Warga Bendungan", nik=CANARY_B)
    referral_b = factories.make_referral(resident_b)
    with app.app_context():
        paper_a = db.session.scalar(
            select(ReferralPaper.id).where(ReferralPaper.referral_id == referral_a.id)
        )
    as_user(client, w.pokja_b)
    pages = [
        "/referrals/",
        "/referrals/?tutup=1",
        f"/referrals/?pokja={w.A.id}",
        "/referrals/?q=Kanari",
        f"/referrals/?q={referral_a.code}",
        "/referrals/?terlambat=1",
        "/referrals/warga",
        "/referrals/warga?q=Kanari",
        f"/referrals/{referral_b.id}",
        f"/referrals/{referral_b.id}/surat",
        f"/referrals/warga/{resident_b.id}",
        f"/referrals/warga/{resident_b.id}/ubah",
        f"/referrals/baru?warga={resident_b.id}",
        "/referrals/warga/baru",
    ]
    seen = []
    for url in pages:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            seen.append(text(response))
    # Searching A's NIK: only the masked echo of what B typed, no record.
    search = text(client.post("/referrals/warga/cari-nik", data={"nik": CANARY_A}))
    assert "Tidak ada warga dengan NIK itu" in search and CANARY_A not in search
    for body in seen:
        assert CANARY_A not in body
        assert mask_nik(CANARY_A) not in body
        assert "Kanari Ciwedus" not in body
        # (the code itself may be echoed back in the search box the user typed it in)
        assert f'/referrals/{referral_a.id}"' not in body
        assert f'/referrals/warga/{resident_a.id}"' not in body
    foreign = [
        ("GET", f"/referrals/{referral_a.id}"),
        ("GET", f"/referrals/{referral_a.id}/surat"),
        ("GET", f"/referrals/warga/{resident_a.id}"),
        ("GET", f"/referrals/warga/{resident_a.id}/ubah"),
        ("GET", f"/referrals/baru?warga={resident_a.id}"),
        ("POST", f"/referrals/{referral_a.id}/status"),
        ("POST", f"/referrals/{referral_a.id}/ubah"),
        ("POST", f"/referrals/{referral_a.id}/berkas/{paper_a}"),
        ("POST", f"/referrals/warga/{resident_a.id}/ubah"),
    ]
    for method, url in foreign:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.open(url, method=method, headers=headers)
            assert response.status_code == 404, (method, url)
            assert CANARY_A not in text(response)


def test_no_nik_in_any_url_or_log_line(app, client, w, caplog, monkeypatch):
    """A NIK sent through every form never shows up in a Location header or a log."""
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "sqlalchemy.engine", "sqlalchemy.pool", "kkbweb"):
        caplog.set_level(logging.DEBUG, logger=name)
    for name in logging.root.manager.loggerDict:
        # Alembic's fileConfig (test_migrations) disables loggers that existed then.
        if name.startswith(("werkzeug", "sqlalchemy", "kkbweb")):
            monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    locations = []

    def remember(response):
        locations.append(response.headers.get("Location", ""))
        locations.append(response.headers.get("HX-Redirect", ""))
        return response

    as_user(client, w.pokja_a)
    response = client.post(
        "/referrals/warga/baru",
        data={**resident_form(nik=CANARY_A), "lanjut": "rujukan"},
    )
    remember(response)
    resident_id = int(re.search(r"warga=(\d+)", response.headers["Location"]).group(1))
    remember(client.post("/referrals/warga/baru", data=resident_form(nik=CANARY_A)))
    remember(client.post("/referrals/warga/cari-nik", data={"nik": CANARY_A}))
    remember(client.get(f"/referrals/warga/{resident_id}"))
    with app.app_context():
        version = db.session.get(Resident, resident_id).version
    remember(
        client.post(
            f"/referrals/warga/{resident_id}/ubah",
            data=resident_form(nik=CANARY_A, name="Siti A.", version=version),
        )
    )
    remember(
        client.post(f"/referrals/baru?warga={resident_id}", data={"doc_type": "kk"})
    )
    as_user(client, w.staf)
    remember(client.get("/referrals/ekspor?format=csv"))
    remember(client.post("/referrals/warga/cari-nik", data={"nik": CANARY_A}))

    # And through a real server, so werkzeug writes its request lines too.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login = urllib.parse.urlencode(
            {"username": "pokja.a", "password": factories.PASSWORD}
        ).encode()
        opener.open(f"{base}/auth/login", data=login).read()
        search = urllib.parse.urlencode({"nik": CANARY_A}).encode()
        with opener.open(f"{base}/referrals/warga/cari-nik", data=search) as answer:
            assert CANARY_A not in answer.read().decode()
            locations.append(answer.url)
        form = urllib.parse.urlencode(resident_form(nik=CANARY_A, name="Lewat Server"))
        with opener.open(f"{base}/referrals/warga/baru", data=form.encode()) as answer:
            locations.append(answer.url)
    finally:
        server.shutdown()

    assert any(r.name == "werkzeug" for r in caplog.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    assert CANARY_A not in caplog.text
    for location in locations:
        assert CANARY_A not in location and "9187" not in location
    # The trail records what happened without the number itself.
    with app.app_context():
        trail = " ".join(
            str(row.after) + str(row.before) + str(row.note)
            for row in db.session.scalars(select(AuditLog))
        )
    assert CANARY_A not in trail and mask_nik(CANARY_A) in trail


def test_the_log_filter_masks_any_sixteen_digit_run():
    assert logfilter.redact(f"nik={CANARY_A}.") == "nik=3672********9187."
    assert logfilter.redact("telepon 081234567890") == "telepon 081234567890"
    assert logfilter.redact("12345678901234567") == "12345678901234567"
    record = logging.LogRecord(
        "x", logging.INFO, "f", 1, "params %r", ((CANARY_A,),), None
    )
    logfilter.NikRedactingFilter().filter(record)
    assert CANARY_A not in record.getMessage()


# -- the queue ------------------------------------------------------------------


def test_queue_filters_counts_and_scope(app, client, w):
    old = utcnow() - timedelta(days=30)
    r1 = factories.make_referral(
        factories.make_resident(w.A, name="Ani Lama"), changed_at=old
    )
    r2 = factories.make_referral(
        factories.make_resident(w.A, name="Badu Baru"),
        doc_type="kk",
        status="diteruskan",
        assigned_to=w.staf,
    )
    r3 = factories.make_referral(
        factories.make_resident(w.B, name="Cici Bendungan"), status="diserahkan"
    )
    as_user(client, w.staf)

    def codes(url):
        body = text(client.get(url))
        return {r.code for r in (r1, r2, r3) if r.code in body}

    assert codes("/referrals/") == {r1.code, r2.code}
    assert codes("/referrals/?tutup=1") == {r1.code, r2.code, r3.code}
    assert codes("/referrals/?status=diserahkan") == {r3.code}
    assert codes("/referrals/?jenis=kk") == {r2.code}
    assert codes(f"/referrals/?pokja={w.B.id}&tutup=1") == {r3.code}
    assert codes("/referrals/?petugas=saya") == {r2.code}
    assert codes("/referrals/?petugas=kosong") == {r1.code}
    assert codes(f"/referrals/?petugas={w.staf.id}") == {r2.code}
    assert codes("/referrals/?terlambat=1") == {r1.code}
    assert codes("/referrals/?q=badu") == {r2.code}
    assert codes(f"/referrals/?q={r1.code.lower()}&tutup=1") == {r1.code}
    body = text(client.get("/referrals/"))
    assert "Terlambat" in body and "30 hari" in body
    assert re.search(
        r"<b>1</b><span>Diajukan</span> <span class=\"badge badge-bad\">1 terlambat",
        body,
    )
    as_user(client, w.pokja_b)
    assert codes("/referrals/?tutup=1") == {r3.code}
    assert codes(f"/referrals/?pokja={w.A.id}&tutup=1") == {r3.code}


def test_overdue_in_sql_agrees_with_the_workflow_rule(app, client, w):
    app.config["REFERRAL_OVERDUE_DAYS"] = {"diajukan": 1, "diproses": None}
    limits = {**workflow.DEFAULT_OVERDUE_DAYS, "diajukan": 1, "diproses": None}
    now = utcnow()
    made = []
    for status in workflow.STATUSES:
        for days in (0, 1, 2, 3, 6, 7, 8, 13, 14, 15, 40):
            for shift in (-1, 1):
                changed = now - timedelta(days=days, hours=shift)
                if changed > now:
                    continue
                resident = factories.make_resident(w.A)
                made.append(
                    factories.make_referral(resident, status=status, changed_at=changed)
                )
    with app.app_context():
        late_ids = set(
            db.session.scalars(
                select(Referral.id).where(queries.overdue_condition(utcnow(), limits))
            )
        )
    expected = {
        r.id
        for r in made
        if workflow.is_overdue(r.status, r.status_changed_at, utcnow(), limits)
    }
    assert late_ids == expected and expected
    assert not any(r.status == "diproses" for r in made if r.id in late_ids)


def test_assign_to_me_swaps_the_row_and_keeps_filters_without_js(app, client, w):
    referral = factories.make_referral(factories.make_resident(w.A))
    as_user(client, w.staf)
    page = text(client.get("/referrals/?jenis=akta_kelahiran"))
    assert 'name="next" value="/referrals/?jenis=akta_kelahiran"' in page
    response = client.post(
        f"/referrals/{referral.id}/ambil",
        data={"version": referral.version, "next": "/referrals/?jenis=akta_kelahiran"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/referrals/?jenis=akta_kelahiran")
    # An outside address is never followed.
    referral = get_referral(app, referral.id)
    as_user(client, w.staf2)
    response = client.post(
        f"/referrals/{referral.id}/ambil",
        data={"version": referral.version, "next": "//evil.example/"},
    )
    assert response.headers["Location"].endswith(f"/referrals/{referral.id}")


def test_htmx_fragments_and_full_pages(app, client, w):
    referral = factories.make_referral(factories.make_resident(w.A))
    as_user(client, w.staf)
    full = client.get("/referrals/")
    fragment = client.get("/referrals/?status=diajukan", headers={"HX-Request": "true"})
    boosted = client.get(
        "/referrals/", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in text(full) and "<html" in text(boosted)
    assert text(fragment).startswith('<div id="antrean">')
    assert referral.code in text(fragment)
    for response in (full, fragment, boosted):
        assert "HX-Request" in response.headers["Vary"]
    residents = client.get("/referrals/warga?q=Warga", headers={"HX-Request": "true"})
    assert text(residents).startswith('<div id="warga">')
    with app.app_context():
        paper_id = db.session.scalar(
            select(ReferralPaper.id).where(ReferralPaper.referral_id == referral.id)
        )
    tick = client.post(
        f"/referrals/{referral.id}/berkas/{paper_id}",
        data={"received": "1"},
        headers={"HX-Request": "true"},
    )
    assert text(tick).startswith(f'<li id="berkas-{paper_id}" class="paper done">')
    assert 'aria-pressed="true"' in text(tick)
    untick = client.post(
        f"/referrals/{referral.id}/berkas/{paper_id}",
        data={"received": "0"},
        headers={"HX-Request": "true"},
    )
    assert 'aria-pressed="false"' in text(untick)
    assert len(gzip.compress(tick.data)) < 2048


def test_papers_are_locked_once_closed(app, client, w):
    referral = factories.make_referral(
        factories.make_resident(w.A), status="diserahkan"
    )
    with app.app_context():
        paper_id = db.session.scalar(
            select(ReferralPaper.id).where(ReferralPaper.referral_id == referral.id)
        )
    as_user(client, w.pokja_a)
    response = client.post(
        f"/referrals/{referral.id}/berkas/{paper_id}",
        data={"received": "1"},
        headers={"HX-Request": "true"},
    )
    assert "sudah ditutup" in text(response)
    with app.app_context():
        assert not db.session.get(ReferralPaper, paper_id).received


# -- intake: numbers and duplicates -----------------------------------------------


def test_codes_count_up_per_year(app, client, w):
    as_user(client, w.pokja_a)
    resident_id = register(client)
    year = to_wib(utcnow()).year
    ids = [open_referral(client, resident_id, "kk") for _ in range(3)]
    codes = [get_referral(app, i).code for i in ids]
    assert codes == [f"RJK-{year}-{n:05d}" for n in (1, 2, 3)]


def test_a_resent_intake_form_saves_one_referral(app, client, w):
    as_user(client, w.pokja_a)
    resident_id = register(client)
    data = {"doc_type": "kk", "destination": "auto", "intake_key": "a" * 32}
    first = client.post(f"/referrals/baru?warga={resident_id}", data=data)
    second = client.post(f"/referrals/baru?warga={resident_id}", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 1
    data = resident_form(name="Sekali Saja", intake_key="b" * 32)
    locations = {
        client.post("/referrals/warga/baru", data=data).headers["Location"]
        for _ in range(2)
    }
    assert len(locations) == 1


def _parallel(app, user, count, make_data, url):
    """Post from `count` threads at once; return the status codes."""
    barrier = threading.Barrier(count)
    statuses = []

    def worker(index):
        client = app.test_client()
        factories.put_in_session(client, user)
        barrier.wait()
        try:
            statuses.append(client.post(url, data=make_data(index)).status_code)
        except Exception as error:  # a thread's exception would be lost otherwise
            statuses.append(repr(error))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_ten_parallel_identical_submissions_make_one_referral(app, w):
    resident = factories.make_resident(w.A)
    url = f"/referrals/baru?warga={resident.id}"
    statuses = _parallel(
        app, w.pokja_a, 10, lambda i: {"doc_type": "kk", "intake_key": "c" * 32}, url
    )
    assert statuses == [303] * 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 1


def test_parallel_intakes_get_distinct_codes(app, w):
    resident = factories.make_resident(w.A)
    url = f"/referrals/baru?warga={resident.id}"
    statuses = _parallel(
        app, w.pokja_a, 10, lambda i: {"doc_type": "kk", "intake_key": f"{i:032d}"}, url
    )
    assert statuses == [303] * 10
    with app.app_context():
        seqs = db.session.scalars(select(Referral.code_seq)).all()
    assert sorted(seqs) == list(range(1, 11))


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 101, "Maksimal 100 karakter."),
        ("name", "Siti\x07Aminah", "karakter yang tidak diizinkan"),
        ("name", "", "Isi nama warga."),
        ("sex", "X", "Pilihan tidak valid."),
        ("birth_date", "2024-13-45", "Tanggal tidak valid"),
        ("birth_date", "2999-01-01", "tidak boleh di masa depan"),
        ("birth_date", "1800-01-01", "sebelum tahun 1900"),
        ("religion", "zzz", "Pilihan tidak valid."),
        ("rt", "12345", "RT berupa 1-3 angka."),
        ("phone", "08ab", "Hanya angka"),
        ("nik", "\x07" * 16, "karakter yang tidak diizinkan"),
        ("address", "a" * 5000, "Maksimal 200 karakter."),
    ],
)
def test_bad_resident_input_gets_a_message_never_a_500(
    app, client, w, field, value, message
):
    as_user(client, w.pokja_a)
    response = client.post(
        "/referrals/warga/baru", data=resident_form(**{field: value})
    )
    assert response.status_code == 200
    assert message in text(response)


@pytest.mark.parametrize("pokja_id", ["99999999999999999999", "-1", "abc", ""])
def test_staff_must_pick_a_real_pokja(app, client, w, pokja_id):
    as_user(client, w.staf)
    response = client.post(
        "/referrals/warga/baru", data=resident_form(pokja_id=pokja_id)
    )
    assert response.status_code == 200
    body = text(response)
    assert "Pilihan tidak valid." in body or "Pilih Pokja warga." in body


@pytest.mark.parametrize(
    "data",
    [
        {"target": "\x00"},
        {"target": "zzz"},
        {"target": "x" * 500},
        {"target": "berkas_lengkap", "note": "n" * 5000},
    ],
)
def test_bad_move_input_never_gives_500(app, client, w, data):
    referral = factories.make_referral(factories.make_resident(w.A))
    as_user(client, w.pokja_a)
    response = client.post(
        f"/referrals/{referral.id}/status", data={**data, "version": referral.version}
    )
    assert response.status_code == 200
    assert get_referral(app, referral.id).status == "diajukan"


def test_bad_intake_and_edit_input_never_gives_500(app, client, w):
    referral = factories.make_referral(factories.make_resident(w.A))
    as_user(client, w.staf)
    for data in (
        {"doc_type": "zzz"},
        {"doc_type": "kk", "destination": "mars"},
        {"doc_type": "kk", "notes": "n" * 1001},
        {"doc_type": "kk", "destination_name": "\x07"},
    ):
        response = client.post(
            f"/referrals/baru?warga={referral.resident_id}", data=data
        )
        assert response.status_code == 200, data
    for data in (
        {"destination_code": "mars", "destination_name": "x"},
        {"destination_code": "kua", "destination_name": ""},
        {
            "destination_code": "kua",
            "destination_name": "x",
            "assigned_to_id": "10" * 20,
        },
        {"destination_code": "kua", "destination_name": "x", "notes": "y" * 2000},
    ):
        data["version"] = referral.version
        response = client.post(f"/referrals/{referral.id}/ubah", data=data)
        assert response.status_code == 200, data
    assert get_referral(app, referral.id).version == referral.version


@pytest.mark.parametrize(
    "url",
    [
        "/referrals/99999999999",
        "/referrals/0",
        "/referrals/-1",
        "/referrals/abc",
        "/referrals/warga/99999999999999999999",
        "/referrals/99999999999/surat",
        "/referrals/baru?warga=99999999999999999999",
        "/referrals/baru?warga=-5",
        "/referrals/ekspor?format=pdf",
    ],
)
def test_silly_ids_answer_404_or_a_redirect(app, client, w, url):
    as_user(client, w.staf)
    assert client.get(url).status_code in (303, 404)


@pytest.mark.parametrize(
    "query",
    [
        "status=zzz&jenis=zzz&pokja=99999999999999999999&petugas=-1",
        "q=%00%00&hal=-5",
        "q=%25_%5C&hal=99999999999999999999",
        "q=RJK-2024-99999999999999",
        "petugas=99999999999&terlambat=yes&tutup=2",
    ],
)
def test_silly_queue_filters_never_give_500(app, client, w, query):
    factories.make_referral(factories.make_resident(w.A))
    as_user(client, w.staf)
    assert client.get(f"/referrals/?{query}").status_code == 200
    assert client.get(f"/referrals/ekspor?format=csv&{query}").status_code == 200
    assert client.get(f"/referrals/warga?{query}").status_code == 200


# -- checklists -----------------------------------------------------------------


def test_admin_edits_the_checklist_for_new_referrals_only(app, client, w):
    resident = factories.make_resident(w.A)
    before = factories.make_referral(resident, doc_type="kia")
    with app.app_context():
        items = db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.doc_type == "kia")
            .order_by(ChecklistItem.sort)
        ).all()
        first, second = items[0].id, items[1].id
    as_user(client, w.admin)
    assert client.get("/referrals/daftar-berkas").status_code == 200
    response = client.post(
        f"/referrals/daftar-berkas/{first}",
        data={
            f"i{first}-label": "Akta kelahiran anak (asli)",
            f"i{first}-sort": "5",
            f"i{first}-active": "y",
        },
    )
    assert response.status_code == 303
    client.post(
        f"/referrals/daftar-berkas/{second}",
        data={f"i{second}-label": "KK", f"i{second}-sort": "20"},
    )
    response = client.post(
        "/referrals/daftar-berkas",
        data={
            "baru-doc_type": "kia",
            "baru-label": "Fotokopi rapor (opsional)",
            "baru-sort": "90",
            "baru-active": "y",
        },
    )
    assert response.status_code == 303
    bad = client.post(
        f"/referrals/daftar-berkas/{first}",
        data={f"i{first}-label": "", f"i{first}-sort": "x"},
    )
    assert bad.status_code == 200 and "Isi nama berkas." in text(bad)
    after = factories.make_referral(resident, doc_type="kia")
    with app.app_context():

        def labels(referral_id):
            return db.session.scalars(
                select(ReferralPaper.label)
                .where(ReferralPaper.referral_id == referral_id)
                .order_by(ReferralPaper.sort, ReferralPaper.id)
            ).all()

        old, new = labels(before.id), labels(after.id)
    assert old[0] == "Kutipan akta kelahiran anak" and len(old) == 4
    assert (
        new[0] == "Akta kelahiran anak (asli)"
        and new[-1] == "Fotokopi rapor (opsional)"
    )
    assert len(new) == 4  # one switched off, one added
    assert len(audit_actions(app, "checklist.update")) == 2
    assert len(audit_actions(app, "checklist.create")) == 1


# -- budgets --------------------------------------------------------------------


def _make_many(w, count, pokja):
    for index in range(count):
        resident = factories.make_resident(pokja, nik=f"36720241079{index:05d}")
        factories.make_referral(
            resident,
            status=workflow.STATUSES[index % 6],
            assigned_to=w.staf if index % 2 else None,
        )


@pytest.mark.parametrize("role", ["staf", "pokja_a", "pimpinan"])
def test_queue_query_count_is_the_same_for_1_and_50_rows(app, client, w, role):
    user = getattr(w, role)
    as_user(client, user)
    _make_many(w, 1, w.A)
    counts, sizes = [], []
    for total in (1, 50):
        if total == 50:
            _make_many(w, 49, w.A)
        for url, headers, budget in (
            ("/referrals/?tutup=1", {}, 8),
            ("/referrals/?tutup=1", {"HX-Request": "true"}, 4),
            ("/referrals/warga", {}, 8),
            ("/referrals/warga", {"HX-Request": "true"}, 4),
        ):
            with count_queries(app) as queries:
                response = client.get(url, headers=headers)
            assert response.status_code == 200
            assert queries.count <= budget, (url, headers, queries.statements)
            counts.append(queries.count)
            sizes.append(len(gzip.compress(response.data)))
        if total == 1:
            first = list(counts)
    assert counts[:4] == counts[4:] == first
    assert max(sizes) <= 30 * 1024
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Referral))
    assert rows == 50


def test_pages_and_posts_stay_within_their_query_budgets(app, client, w):
    resident = factories.make_resident(w.A, nik=CANARY_A)
    referral = factories.make_referral(resident, status="berkas_lengkap")
    with app.app_context():
        paper_id = db.session.scalar(
            select(ReferralPaper.id).where(ReferralPaper.referral_id == referral.id)
        )
    checks = []

    def measure(user, method, url, budget, **kwargs):
        as_user(client, user)
        with count_queries(app) as queries:
            response = client.open(url, method=method, **kwargs)
        assert response.status_code < 400, (url, response.status_code)
        assert queries.count <= budget, (url, queries.count, queries.statements)
        checks.append((url, queries.count, len(gzip.compress(response.data))))
        assert len(gzip.compress(response.data)) <= 30 * 1024
        return response

    measure(w.staf, "GET", f"/referrals/{referral.id}", 8)
    measure(w.pimpinan, "GET", f"/referrals/{referral.id}", 8)
    measure(w.pokja_a, "GET", f"/referrals/{referral.id}/surat", 8)
    measure(w.pokja_a, "GET", f"/referrals/warga/{resident.id}", 8)
    measure(w.pokja_a, "GET", f"/referrals/warga/{resident.id}/ubah", 8)
    measure(w.staf, "GET", "/referrals/warga/baru", 8)
    measure(w.pokja_a, "GET", f"/referrals/baru?warga={resident.id}", 8)
    measure(w.admin, "GET", "/referrals/daftar-berkas", 8)
    measure(w.staf, "GET", "/referrals/ekspor?format=xlsx", 8)
    measure(
        w.pokja_a,
        "POST",
        f"/referrals/{referral.id}/berkas/{paper_id}",
        6,
        data={"received": "1"},
        headers={"HX-Request": "true"},
    )
    version = get_referral(app, referral.id).version
    measure(
        w.staf,
        "POST",
        f"/referrals/{referral.id}/ambil",
        6,
        data={"version": version},
        headers={"HX-Request": "true"},
    )
    version = get_referral(app, referral.id).version
    measure(
        w.staf,
        "POST",
        f"/referrals/{referral.id}/status",
        6,
        data={"target": "diteruskan", "version": version},
    )
    version = get_referral(app, referral.id).version
    measure(
        w.staf,
        "POST",
        f"/referrals/{referral.id}/ubah",
        6,
        data={
            "destination_code": "disdukcapil",
            "destination_name": "Disdukcapil",
            "notes": "Catatan",
            "assigned_to_id": str(w.staf2.id),
            "version": version,
        },
    )
    measure(
        w.pokja_a,
        "POST",
        f"/referrals/baru?warga={resident.id}",
        # One more than the POST budget: the case's persons are a row each
        # (one executemany, whatever their number). See docs/referrals.md.
        7,
        data={"doc_type": "akta_kelahiran", "destination": "auto"},
    )
    measure(
        w.staf,
        "POST",
        "/referrals/warga/baru",
        6,
        data=resident_form(pokja_id=str(w.B.id)),
    )
    measure(w.pokja_a, "POST", "/referrals/warga/cari-nik", 6, data={"nik": CANARY_A})


# -- demo data ------------------------------------------------------------------


def test_demo_seed_covers_every_status_in_every_pokja(app, w):
    with app.app_context():
        added = demo.seed(per_pokja=15)
        db.session.commit()
        assert added == 12 * 15
        assert demo.seed(per_pokja=15) == 0  # already seeded
        per_pokja = db.session.execute(
            select(
                Referral.pokja_id, func.count(func.distinct(Referral.status))
            ).group_by(Referral.pokja_id)
        ).all()
        assert len(per_pokja) == 12
        assert all(n == len(workflow.STATUSES) for _, n in per_pokja)
        now = utcnow()
        late = db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(queries.overdue_condition(now, workflow.DEFAULT_OVERDUE_DAYS))
        )
        assert late > 12
        for nik in db.session.scalars(
            select(Resident.nik).where(Resident.nik.is_not(None))
        ):
            check = validate_nik(nik, today=today_wib())
            assert check.ok and nik.startswith("3672") and int(nik[-4:]) >= 9000
        codes = db.session.execute(select(Referral.code_year, Referral.code_seq)).all()
        assert len(set(codes)) == len(codes)
        # Every recorded step is one the flow allows, with its reason when needed.
        steps = db.session.execute(
            select(
                ReferralEvent.from_status, ReferralEvent.to_status, ReferralEvent.note
            ).where(
                ReferralEvent.kind == "status", ReferralEvent.from_status.is_not(None)
            )
        ).all()
        for source, target, note in steps:
            workflow.check_move(source, target, "staf", note)
        closed = db.session.scalars(
            select(Referral).where(Referral.status == "diserahkan")
        ).all()
        assert all(r.handed_over_at and r.completed_at for r in closed)
    # Ids were given explicitly: the next ordinary intake must still get fresh ones.
    referral = factories.make_referral(factories.make_resident(w.A))
    assert referral.id == 12 * 15 + 1
