"""Correcting a case after intake (issue 17): persons in their roles, KK number,
marital status, event date and place; same rules and messages as the intake,
audited, the deadline and the checklist following the new facts, a stale form
answered with a conflict, within the POST budget."""

from datetime import timedelta

from sqlalchemy import select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.referrals.models import Referral, ReferralEvent, ReferralPerson
from kkbweb.timeutil import today_wib
from tests import factories
from tests.querycount import count_queries
from tests.test_adminduk import (
    _family,
    _login,
    _new_id,
    _open_birth,
    _papers,
    _seed_checklists,
    _text,
)


def _case(app, client):
    _seed_checklists(app)
    kader = factories.make_user("pokja", pokja="Ciwedus")
    mother, father, child = _family()
    _login(client, kader)
    referral_id = _new_id(_open_birth(client, mother, father, child))
    return referral_id, mother, father, child


def _form(app, referral_id, mother, father, child, **changes):
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        data = {
            "version": referral.version,
            "p_anak": child.id,
            "p_ibu": mother.id,
            "p_ayah": father.id,
            "kk_number": referral.kk_number or "",
            "marital_status": referral.marital_status or "",
            "event_date": referral.event_date.isoformat(),
            "event_place": referral.event_place or "",
        }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _persons(app, referral_id):
    with app.app_context():
        return sorted(
            db.session.execute(
                select(ReferralPerson.role, ReferralPerson.resident_id).where(
                    ReferralPerson.referral_id == referral_id
                )
            ).all()
        )


def test_the_form_shows_the_case_and_a_later_event_date_makes_it_late(app, client):
    referral_id, mother, father, child = _case(app, client)
    page = _text(client.get(f"/referrals/{referral_id}"))
    assert f"/referrals/{referral_id}/kasus" in page and "sisa 20 hari" in page
    with count_queries(app) as get:
        form = _text(client.get(f"/referrals/{referral_id}/kasus"))
    assert get.count <= 8, "\n".join(s[:90] for s in get.statements)
    assert "Puskesmas Cilegon" in form and "3672021203150007" in form
    assert f'<option selected value="{father.id}"' in form
    born = (today_wib() - timedelta(days=70)).isoformat()
    data = _form(
        app,
        referral_id,
        mother,
        father,
        child,
        event_date=born,
        event_place="RSUD Cilegon",
    )
    with count_queries(app) as log:
        response = client.post(f"/referrals/{referral_id}/kasus", data=data)
    assert response.status_code == 303, _text(response)[-1500:]
    # user, the case with its persons and residents, the update, history, audit
    # (and the late paper: a condition that now holds).
    assert log.count <= 6, "\n".join(s[:90] for s in log.statements)
    page = _text(client.get(f"/referrals/{referral_id}"))
    assert "terlambat 10 hari" in page and "RSUD Cilegon" in page
    assert any("terlambat" in label for label in _papers(app, referral_id))
    with app.app_context():
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "referral.case_update")
        ).one()
        assert row.before["event_place"] == "Puskesmas Cilegon"
        assert row.after["event_date"] == born
        note = db.session.scalars(
            select(ReferralEvent.note).where(
                ReferralEvent.referral_id == referral_id,
                ReferralEvent.kind == "edit",
            )
        ).one()
        assert note == "Diubah: tanggal peristiwa, tempat peristiwa."
    # Back to 40 days: the unticked late paper goes again.
    client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(
            app,
            referral_id,
            mother,
            father,
            child,
            event_date=(today_wib() - timedelta(days=40)).isoformat(),
        ),
    )
    assert not any("terlambat" in label for label in _papers(app, referral_id))


def test_persons_change_in_their_roles_within_the_budget(app, client):
    referral_id, mother, father, child = _case(app, client)
    other = factories.make_resident("Ciwedus", name="Ayah Kanari Kedua", sex="L")
    data = _form(app, referral_id, mother, father, child, p_ayah=other.id)
    with count_queries(app) as log:
        response = client.post(f"/referrals/{referral_id}/kasus", data=data)
    assert response.status_code == 303, _text(response)[-1500:]
    assert log.count <= 6, "\n".join(s[:90] for s in log.statements)
    assert _persons(app, referral_id) == sorted(
        [("anak", child.id), ("ibu", mother.id), ("ayah", other.id)]
    )
    # The father left out (not required), then the mother and father swapped
    # roles: no unique clash, the main person stays the child.
    client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(app, referral_id, mother, father, child, p_ayah=""),
    )
    assert _persons(app, referral_id) == sorted(
        [("anak", child.id), ("ibu", mother.id)]
    )
    client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(
            app, referral_id, mother, father, child, p_ibu=other.id, p_ayah=mother.id
        ),
    )
    assert _persons(app, referral_id) == sorted(
        [("anak", child.id), ("ibu", other.id), ("ayah", mother.id)]
    )
    with app.app_context():
        assert db.session.get(Referral, referral_id).resident_id == child.id
    assert "Ayah Kanari Kedua" in _text(client.get(f"/referrals/{referral_id}"))


def test_bad_input_keeps_what_was_typed_with_the_intake_messages(app, client):
    referral_id, mother, father, child = _case(app, client)
    foreign = factories.make_resident("Bendungan", name="Warga Asing Kanari")
    before = _persons(app, referral_id)
    response = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(
            app,
            referral_id,
            mother,
            father,
            child,
            kk_number="12345",
            event_place="Bidan Desa Ciwedus",
        ),
    )
    page = _text(response)
    assert response.status_code == 200
    assert "Nomor KK berupa 16 angka." in page
    assert 'value="12345"' in page and "Bidan Desa Ciwedus" in page
    response = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(app, referral_id, mother, father, child, p_ayah=foreign.id),
    )
    page = _text(response)
    assert "Pilih warga dari daftar Pokja ini." in page
    assert "Warga Asing Kanari" not in page
    response = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(app, referral_id, mother, father, child, p_ayah=mother.id),
    )
    assert "Warga ini sudah dipilih sebagai Ibu." in _text(response)
    response = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(
            app,
            referral_id,
            mother,
            father,
            child,
            event_date=(today_wib() + timedelta(days=3)).isoformat(),
        ),
    )
    assert "tidak boleh di masa depan" in _text(response)
    assert _persons(app, referral_id) == before


def test_unregistered_marriage_on_the_kk_adds_and_removes_f204(app, client):
    referral_id, mother, father, child = _case(app, client)
    assert not any("F-2.04" in label for label in _papers(app, referral_id))
    client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(
            app,
            referral_id,
            mother,
            father,
            child,
            unregistered="y",
            marital_status="kawin_belum_tercatat",
        ),
    )
    assert any("F-2.04" in label for label in _papers(app, referral_id))
    assert "belum tercatat sesuai ketentuan" in _text(
        client.get(f"/referrals/{referral_id}")
    )
    client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(
            app, referral_id, mother, father, child, marital_status="kawin_tercatat"
        ),
    )
    assert not any("F-2.04" in label for label in _papers(app, referral_id))


def test_a_stale_form_is_a_conflict_and_a_closed_case_is_not_edited(app, client):
    referral_id, mother, father, child = _case(app, client)
    data = _form(app, referral_id, mother, father, child, event_place="Rumah")
    data["version"] = int(data["version"]) - 1 if int(data["version"]) > 1 else 99
    response = client.post(f"/referrals/{referral_id}/kasus", data=data)
    assert response.status_code == 409
    page = _text(response)
    assert "baru saja diubah orang lain" in page and 'value="Rumah"' in page
    nothing = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(app, referral_id, mother, father, child),
    )
    assert nothing.status_code == 303
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        referral.status = "dibatalkan"
        db.session.commit()
    response = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(app, referral_id, mother, father, child, event_place="X"),
    )
    assert response.status_code == 303
    assert "sudah ditutup" in _text(client.get(f"/referrals/{referral_id}"))


def test_a_case_from_before_roles_gets_its_resident_in_the_main_role(app, client):
    """A 0014 case (its resident as "warga") offers them as the child; saving
    puts the persons in their roles."""
    referral_id, mother, father, child = _case(app, client)
    with app.app_context():
        db.session.execute(
            ReferralPerson.__table__.delete().where(
                ReferralPerson.referral_id == referral_id
            )
        )
        db.session.add(
            ReferralPerson(
                referral_id=referral_id, resident_id=child.id, role="warga", sort=0
            )
        )
        db.session.commit()
    form = _text(client.get(f"/referrals/{referral_id}/kasus"))
    assert f'<option selected value="{child.id}"' in form
    response = client.post(
        f"/referrals/{referral_id}/kasus",
        data=_form(app, referral_id, mother, father, child),
    )
    assert response.status_code == 303
    assert _persons(app, referral_id) == sorted(
        [("anak", child.id), ("ibu", mother.id), ("ayah", father.id)]
    )
