"""Issue 17 through the web: a family's case with its deadline and the
unregistered-marriage route, the issued document recorded by the Pokja, a Muslim
couple routed by the akad's kecamatan, the sidang isbat terpadu, the overdue list
by holder; NIK masking, read rows and Pokja isolation of the new pages."""

import io
import re
from datetime import timedelta

from sqlalchemy import select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.nik import mask_nik
from kkbweb.referrals import service, workflow
from kkbweb.referrals.models import (
    Couple,
    IsbatEntry,
    Referral,
    ReferralDocument,
    ReferralPaper,
    ReferralPerson,
)
from kkbweb.timeutil import today_wib, utcnow
from tests import factories
from tests.querycount import count_queries

MOTHER_NIK = "3672024107909187"
CHILD_NIK = "3672026009269001"


def _login(client, user):
    client.delete_cookie("kkbweb_session")
    factories.put_in_session(client, user)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _seed_checklists(app):
    with app.app_context():
        service.ensure_checklists()
        db.session.commit()


def _new_id(response) -> int:
    assert response.status_code == 303, _text(response)[-2000:]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _papers(app, referral_id) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            select(ReferralPaper.label)
            .where(ReferralPaper.referral_id == referral_id)
            .order_by(ReferralPaper.sort)
        ).all()


def _family(pokja="Ciwedus", born_days_ago=40):
    mother = factories.make_resident(
        pokja,
        name="Ibu Kanari Sari",
        nik=MOTHER_NIK,
        birth_date=today_wib().replace(year=1990),
    )
    father = factories.make_resident(pokja, name="Ayah Kanari Budi", sex="L")
    child = factories.make_resident(
        pokja,
        name="Bayi Kanari Ayu",
        birth_date=today_wib() - timedelta(days=born_days_ago),
    )
    return mother, father, child


def _open_birth(client, mother, father, child, **extra):
    data = {
        "doc_type": "akta_kelahiran",
        "p_anak": child.id,
        "p_ibu": mother.id,
        "p_ayah": father.id,
        "event_date": (today_wib() - timedelta(days=40)).isoformat(),
        "event_place": "Puskesmas Cilegon",
        "kk_number": "3672021203150007",
        "destination": "auto",
        **extra,
    }
    return client.post(f"/referrals/baru?warga={mother.id}", data=data)


def test_pokja_opens_a_birth_case_with_both_parents_and_sees_sisa_20_hari(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mother, father, child = _family()
    _login(client, kader)
    form = _text(client.get(f"/referrals/baru?warga={mother.id}&jenis=akta_kelahiran"))
    # Both parents and the child are chosen from the Pokja's residents.
    assert 'name="p_anak"' in form and 'name="p_ayah"' in form
    referral_id = _new_id(_open_birth(client, mother, father, child))
    page = _text(client.get(f"/referrals/{referral_id}"))
    assert "sisa 20 hari" in page
    for name in ("Bayi Kanari Ayu", "Ibu Kanari Sari", "Ayah Kanari Budi"):
        assert name in page
    with app.app_context():
        roles = db.session.execute(
            select(ReferralPerson.role, ReferralPerson.resident_id).where(
                ReferralPerson.referral_id == referral_id
            )
        ).all()
    assert sorted(roles) == sorted(
        [("anak", child.id), ("ibu", mother.id), ("ayah", father.id)]
    )
    # Registered parents: no F-2.04, no late form.
    labels = " | ".join(_papers(app, referral_id))
    assert "F-2.04" not in labels and "terlambat" not in labels


def test_unregistered_parents_get_f204_only_when_the_kk_shows_them_married(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mother, father, child = _family()
    _login(client, kader)
    married_on_kk = _new_id(
        _open_birth(
            client,
            mother,
            father,
            child,
            unregistered="y",
            marital_status="kawin_belum_tercatat",
        )
    )
    labels = " | ".join(_papers(app, married_on_kk))
    assert "F-2.04" in labels
    page = _text(client.get(f"/referrals/{married_on_kk}"))
    assert "belum tercatat sesuai ketentuan" in page  # the consequence, stated
    assert "itsbat" in page.lower()
    not_on_kk = _new_id(
        _open_birth(
            client,
            mother,
            father,
            child,
            unregistered="y",
            marital_status="belum_kawin",
        )
    )
    labels = " | ".join(_papers(app, not_on_kk))
    assert "F-2.04" not in labels.split("baru F-2.04")[0].replace("F-1.05), baru", "")
    assert "F-1.05" in labels
    assert "nama ibu" in _text(client.get(f"/referrals/{not_on_kk}"))
    # Mark the couple from the case: it joins the list of its Pokja.
    response = client.post(
        f"/referrals/isbat/tandai/{married_on_kk}",
        data={"csrf_token": ""},
    )
    assert response.status_code == 303
    couples = _text(client.get("/referrals/isbat/pasangan"))
    assert "Ayah Kanari Budi" in couples and "Ibu Kanari Sari" in couples


def test_late_birth_adds_the_late_registration_form(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mother, father, child = _family(born_days_ago=75)
    _login(client, kader)
    referral_id = _new_id(
        _open_birth(
            client,
            mother,
            father,
            child,
            event_date=(today_wib() - timedelta(days=75)).isoformat(),
        )
    )
    assert any("terlambat" in label for label in _papers(app, referral_id))
    assert "terlambat 15 hari" in _text(client.get(f"/referrals/{referral_id}"))


def _move(client, app, referral_id, target, **data):
    with app.app_context():
        version = db.session.get(Referral, referral_id).version
    return client.post(
        f"/referrals/{referral_id}/status",
        data={"target": target, "version": version, **data},
        content_type="multipart/form-data",
    )


def test_pokja_records_desk_steps_with_real_dates_and_the_issued_pdf(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    other = factories.make_user("pokja", pokja="Bendungan")
    mother, father, child = _family()
    _login(client, kader)
    referral_id = _new_id(_open_birth(client, mother, father, child))
    assert _move(client, app, referral_id, "berkas_lengkap").status_code == 303
    with app.app_context():
        # The file was complete a week ago; recorded only now.
        referral = db.session.get(Referral, referral_id)
        referral.status_changed_at = utcnow() - timedelta(days=7)
        db.session.commit()
    three_days_ago = today_wib() - timedelta(days=3)
    response = _move(
        client, app, referral_id, "diteruskan", happened_on=three_days_ago.isoformat()
    )
    assert response.status_code == 303, _text(response)
    # A date before the previous step is refused with the reason, nothing changes.
    refused = _move(
        client,
        app,
        referral_id,
        "selesai",
        happened_on=(three_days_ago - timedelta(days=1)).isoformat(),
    )
    assert "sebelum langkah sebelumnya" in _text(refused)
    pdf = factories.tiny_pdf(1)
    response = _move(
        client,
        app,
        referral_id,
        "selesai",
        happened_on=(three_days_ago + timedelta(days=1)).isoformat(),
        document=(io.BytesIO(pdf), "akta.pdf"),
    )
    assert response.status_code == 303, _text(response)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.status == workflow.SELESAI
        # The clock counts from the real day (2 days ago, 00:00 WIB).
        assert workflow.days_waiting(referral.status_changed_at, utcnow()) == 2
        document = db.session.scalars(select(ReferralDocument)).one()
        document_id = document.id
    page = _text(client.get(f"/referrals/{referral_id}"))
    assert "Dokumen terbit" in page and "akta.pdf" in page
    served = client.get(f"/referrals/{referral_id}/dokumen/{document_id}")
    assert served.status_code == 200 and served.data == pdf
    assert served.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        reads = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "referral.document.view")
        ).all()
    assert len(reads) == 1 and reads[0].entity_id == str(referral_id)
    # Another Pokja: the case and its file answer 404.
    _login(client, other)
    assert client.get(f"/referrals/{referral_id}").status_code == 404
    assert (
        client.get(f"/referrals/{referral_id}/dokumen/{document_id}").status_code == 404
    )
    # Pimpinan (NIK masked everywhere) does not get the NIK-bearing file.
    _login(client, factories.make_user("pimpinan"))
    assert (
        client.get(f"/referrals/{referral_id}/dokumen/{document_id}").status_code == 404
    )
    _login(client, kader)
    assert _move(client, app, referral_id, "diserahkan").status_code == 303


def test_muslim_couple_marrying_in_jombang_goes_to_kua_jombang(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")  # Kecamatan Cilegon
    groom = factories.make_resident("Ciwedus", name="Catin Putra", sex="L")
    bride = factories.make_resident("Ciwedus", name="Catin Putri", sex="P")
    _login(client, kader)
    response = client.post(
        f"/referrals/baru?warga={groom.id}",
        data={
            "doc_type": "buku_nikah",
            "p_calon_suami": groom.id,
            "p_calon_istri": bride.id,
            "event_date": (today_wib() + timedelta(days=40)).isoformat(),
            "event_kecamatan": "Jombang",
            "destination": "auto",
        },
    )
    referral_id = _new_id(response)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.destination_name == "KUA Kecamatan Jombang"
    labels = " | ".join(_papers(app, referral_id))
    assert "Elsimil" in labels and "rekomendasi" in labels
    assert "N1" in labels and "N3" in labels and "N1-N4" not in labels
    slip = _text(client.get(f"/referrals/{referral_id}/surat"))
    assert "KUA Kecamatan Jombang" in slip and "Calon istri" in slip
    assert "SURAT PENGANTAR" not in slip.upper()


def test_mixed_couple_is_warned(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    groom = factories.make_resident("Ciwedus", sex="L", religion="islam")
    bride = factories.make_resident("Ciwedus", sex="P", religion="katolik")
    _login(client, kader)
    referral_id = _new_id(
        client.post(
            f"/referrals/baru?warga={groom.id}",
            data={
                "doc_type": "buku_nikah",
                "p_calon_suami": groom.id,
                "p_calon_istri": bride.id,
                "destination": "auto",
            },
        )
    )
    assert "SEMA No. 2 Tahun 2023" in _text(client.get(f"/referrals/{referral_id}"))


def test_a_resident_of_another_pokja_cannot_be_put_in_a_case(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mine = factories.make_resident("Ciwedus", sex="L")
    foreign = factories.make_resident("Bendungan", name="Warga Asing Kanari")
    _login(client, kader)
    response = client.post(
        f"/referrals/baru?warga={mine.id}",
        data={
            "doc_type": "buku_nikah",
            "p_calon_suami": mine.id,
            "p_calon_istri": foreign.id,
            "destination": "auto",
        },
    )
    assert response.status_code == 200
    assert "Pilih warga dari daftar Pokja ini" in _text(response)
    assert "Warga Asing Kanari" not in _text(response)


def test_staff_plan_a_sidang_adds_12_couples_of_3_pokja_and_opens_followups(
    app, client
):
    _seed_checklists(app)
    staf = factories.make_user("staf")
    couples = []
    with app.app_context():
        pass
    for index, name in enumerate(["Ciwedus", "Bendungan", "Bulakan"] * 4):
        husband = factories.make_resident(name, name=f"Suami {index}", sex="L")
        wife = factories.make_resident(name, name=f"Istri {index}", sex="P")
        child = factories.make_resident(name, name=f"Anak {index}")
        # The child's akta case names the wife as mother.
        referral = factories.make_referral(child)
        with factories.context():
            db.session.add(
                ReferralPerson(
                    referral_id=referral.id, resident_id=wife.id, role="ibu", sort=1
                )
            )
            couple = Couple(
                pokja_id=husband.pokja_id,
                husband_id=husband.id,
                wife_id=wife.id,
            )
            db.session.add(couple)
            db.session.commit()
            couples.append(couple.id)
    _login(client, staf)
    response = client.post(
        "/referrals/isbat/baru",
        data={
            "date": (today_wib() + timedelta(days=14)).isoformat(),
            "place": "Aula Kecamatan Jombang",
            "court": "Pengadilan Agama Cilegon Kelas IB",
            "kua": "KUA Kecamatan Jombang",
            "disdukcapil": "Disdukcapil Kota Cilegon",
            "form_token": _token(client, "/referrals/isbat/baru"),
        },
    )
    session_id = _new_id(response)
    page = _text(client.get(f"/referrals/isbat/{session_id}"))
    assert "Suami 0" in page and "Tambahkan yang dicentang" in page
    with count_queries(app) as log:
        response = client.post(
            f"/referrals/isbat/{session_id}/pasangan", data={"couple": couples}
        )
    assert response.status_code == 303
    added_queries = log.count
    page = _text(client.get(f"/referrals/isbat/{session_id}"))
    assert "Pasangan peserta (12)" in page
    assert "Surat permohonan itsbat nikah" in page  # the papers each still lacks
    with app.app_context():
        entries = db.session.scalars(select(IsbatEntry).order_by(IsbatEntry.id)).all()
        ids = [e.id for e in entries]
        itsbat = db.session.scalars(
            select(Referral).where(Referral.doc_type == "itsbat_nikah")
        ).all()
        assert len(itsbat) == 12 and len({r.pokja_id for r in itsbat}) == 3
        assert len({(r.code_year, r.code_seq) for r in itsbat}) == 12
    # Outcomes for every couple on one screen: 10 granted, 2 not.
    outcome = {f"granted-{i}": "ya" for i in ids[:10]}
    outcome.update({f"granted-{i}": "tidak" for i in ids[10:]})
    outcome.update({f"buku-{i}": "1" for i in ids[:10]})
    assert client.get(f"/referrals/isbat/{session_id}/hasil").status_code == 200
    response = client.post(f"/referrals/isbat/{session_id}/hasil", data=outcome)
    assert response.status_code == 303
    response = client.post(f"/referrals/isbat/{session_id}/lanjutan", data={})
    assert response.status_code == 303
    with app.app_context():
        kk = db.session.scalars(select(Referral).where(Referral.doc_type == "kk")).all()
        births = db.session.scalars(
            select(Referral).where(
                Referral.doc_type == "akta_kelahiran",
                Referral.notes.like("Tindak lanjut%"),
            )
        ).all()
        assert len(kk) == 10 and len(births) == 10
        statuses = db.session.scalars(select(Couple.status)).all()
        assert sorted(statuses).count("tercatat") == 10
    page = _text(client.get(f"/referrals/isbat/{session_id}"))
    assert "Kartu Keluarga (KK)" in page
    # A second click opens nothing twice.
    client.post(f"/referrals/isbat/{session_id}/lanjutan", data={})
    with app.app_context():
        assert (
            len(
                db.session.scalars(
                    select(Referral).where(Referral.doc_type == "kk")
                ).all()
            )
            == 10
        )
    # The batch takes a constant number of statements (not one per couple).
    assert added_queries <= 6
    # A Pokja user sees only their own couples in the session.
    _login(client, factories.make_user("pokja", pokja="Ciwedus"))
    page = _text(client.get(f"/referrals/isbat/{session_id}"))
    assert "Suami 0" in page and "Suami 1 " not in page and "Suami 1<" not in page
    assert (
        client.post(f"/referrals/isbat/{session_id}/hasil", data={}).status_code == 403
    )


def _token(client, url: str) -> str:
    page = _text(client.get(url))
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)


def test_overdue_list_says_who_holds_the_next_action(app, client):
    _seed_checklists(app)
    staf = factories.make_user("staf")
    resident = factories.make_resident(
        "Ciwedus", name="Warga Terlambat", nik=MOTHER_NIK
    )
    old = utcnow() - timedelta(days=20)
    factories.make_referral(resident, status="diteruskan", changed_at=old)
    factories.make_referral(resident, status="berkas_tidak_lengkap", changed_at=old)
    _login(client, staf)
    page = _text(client.get("/referrals/terlambat"))
    assert "Menunggu: Loket/instansi tujuan" in page
    assert "Menunggu: Kader/pengurus Pokja" in page
    assert "Kader Pokja Ciwedus" in page
    assert MOTHER_NIK not in page and mask_nik(MOTHER_NIK) in page
    _login(client, factories.make_user("pokja", pokja="Bendungan"))
    assert "Warga Terlambat" not in _text(client.get("/referrals/terlambat"))
