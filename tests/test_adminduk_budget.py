"""The POST budget of issue 17's writes (QUALITY.md: <= 6 statements per POST,
the same for 1 row and many): a case's intake, and the sidang isbat terpadu's
batches (adding couples, recording outcomes, opening follow-up cases) at 1 and
at 12 couples; and what the batches wrote."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kkbweb.extensions import db
from kkbweb.referrals.models import (
    Couple,
    IsbatEntry,
    Referral,
    ReferralEvent,
    ReferralPaper,
    ReferralPerson,
)
from kkbweb.timeutil import today_wib
from tests import factories
from tests.querycount import count_queries
from tests.test_adminduk import (
    _family,
    _login,
    _new_id,
    _open_birth,
    _seed_checklists,
    _token,
)

POKJA = ["Ciwedus", "Bendungan", "Bulakan"]


def _couples(count: int) -> list[int]:
    """Unregistered couples of three Pokja, each wife the mother in a child's case."""
    ids = []
    for index in range(count):
        name = POKJA[index % 3]
        husband = factories.make_resident(name, name=f"Suami {index}", sex="L")
        wife = factories.make_resident(name, name=f"Istri {index}", sex="P")
        child = factories.make_resident(name, name=f"Anak {index}")
        referral = factories.make_referral(child)
        with factories.context():
            db.session.add(
                ReferralPerson(
                    referral_id=referral.id, resident_id=wife.id, role="ibu", sort=1
                )
            )
            couple = Couple(
                pokja_id=husband.pokja_id, husband_id=husband.id, wife_id=wife.id
            )
            db.session.add(couple)
            db.session.commit()
            ids.append(couple.id)
    return ids


def _session(client) -> int:
    return _new_id(
        client.post(
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
    )


def test_intake_takes_six_statements(app, client):
    _seed_checklists(app)
    _login(client, factories.make_user("pokja", pokja="Ciwedus"))
    mother, father, child = _family()
    with count_queries(app) as log:
        referral_id = _new_id(_open_birth(client, mother, father, child))
    assert log.count <= 6, "\n".join(s[:100] for s in log.statements)
    with app.app_context():
        events = db.session.execute(
            select(
                ReferralEvent.to_status, ReferralEvent.note, ReferralEvent.user_id
            ).where(ReferralEvent.referral_id == referral_id)
        ).all()
    # The first history line, written with the row.
    assert [tuple(e)[:2] for e in events] == [("diajukan", "Rujukan dibuat.")]


@pytest.mark.parametrize("count", [1, 12])
def test_sidang_batches_take_six_statements_at_1_and_12_couples(app, client, count):
    _seed_checklists(app)
    couples = _couples(count)
    _login(client, factories.make_user("staf"))
    session_id = _session(client)
    with count_queries(app) as add:
        response = client.post(
            f"/referrals/isbat/{session_id}/pasangan", data={"couple": couples}
        )
    assert response.status_code == 303
    assert add.count <= 6, "\n".join(s[:100] for s in add.statements)
    with app.app_context():
        entries = db.session.scalars(select(IsbatEntry).order_by(IsbatEntry.id)).all()
        itsbat = db.session.scalars(
            select(Referral).where(Referral.doc_type == "itsbat_nikah")
        ).all()
        assert len(entries) == len(itsbat) == count
        assert {e.referral_id for e in entries} == {r.id for r in itsbat}
        # Each case: suami and istri of its couple, its papers, its first line.
        for entry in entries:
            couple = db.session.get(Couple, entry.couple_id)
            roles = db.session.execute(
                select(ReferralPerson.role, ReferralPerson.resident_id).where(
                    ReferralPerson.referral_id == entry.referral_id
                )
            ).all()
            assert sorted(roles) == sorted(
                [("suami", couple.husband_id), ("istri", couple.wife_id)]
            )
        assert (
            db.session.scalar(
                select(func.count()).where(
                    ReferralPaper.referral_id.in_([r.id for r in itsbat])
                )
            )
            > count
        )
        assert (
            db.session.scalar(
                select(func.count()).where(
                    ReferralEvent.referral_id.in_([r.id for r in itsbat])
                )
            )
            == count
        )
        ids = [e.id for e in entries]
    # The same couples again: nothing new, nothing doubled.
    client.post(f"/referrals/isbat/{session_id}/pasangan", data={"couple": couples})
    with app.app_context():
        assert db.session.scalar(select(func.count(IsbatEntry.id))) == count
    outcome = {f"granted-{i}": "ya" for i in ids}
    outcome.update({f"buku-{i}": "1" for i in ids})
    with count_queries(app) as outcomes:
        response = client.post(f"/referrals/isbat/{session_id}/hasil", data=outcome)
    assert response.status_code == 303
    assert outcomes.count <= 6, "\n".join(s[:100] for s in outcomes.statements)
    with count_queries(app) as followups:
        response = client.post(f"/referrals/isbat/{session_id}/lanjutan", data={})
    assert response.status_code == 303
    assert followups.count <= 6, "\n".join(s[:100] for s in followups.statements)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(Couple.status == "tercatat"))
            == count
        )
        kk = db.session.scalars(select(Referral).where(Referral.doc_type == "kk")).all()
        births = db.session.scalars(
            select(Referral).where(
                Referral.doc_type == "akta_kelahiran",
                Referral.notes.like("Tindak lanjut%"),
            )
        ).all()
        assert len(kk) == len(births) == count
        # A KK: the husband as head, the wife and the child as members; an
        # akta: the child, its mother and father; the marriage now registered.
        for referral in kk[:2]:
            roles = dict((role, []) for role in ("kepala_keluarga", "anggota"))
            for role, rid in db.session.execute(
                select(ReferralPerson.role, ReferralPerson.resident_id).where(
                    ReferralPerson.referral_id == referral.id
                )
            ):
                roles[role].append(rid)
            couple = db.session.scalar(
                select(Couple).where(Couple.husband_id == referral.resident_id)
            )
            assert roles["kepala_keluarga"] == [couple.husband_id]
            assert couple.wife_id in roles["anggota"] and len(roles["anggota"]) == 2
        for referral in births[:2]:
            roles = {
                role: rid
                for role, rid in db.session.execute(
                    select(ReferralPerson.role, ReferralPerson.resident_id).where(
                        ReferralPerson.referral_id == referral.id
                    )
                )
            }
            assert roles["anak"] == referral.resident_id
            couple = db.session.scalar(
                select(Couple).where(Couple.wife_id == roles["ibu"])
            )
            assert roles["ayah"] == couple.husband_id
            assert referral.marital_status == "kawin_tercatat"
        numbers = db.session.execute(
            select(Referral.code_year, Referral.code_seq)
        ).all()
        assert len(set(numbers)) == len(numbers)
    # A second click opens nothing twice.
    client.post(f"/referrals/isbat/{session_id}/lanjutan", data={})
    with app.app_context():
        assert (
            len(
                db.session.scalars(
                    select(Referral.id).where(Referral.doc_type == "kk")
                ).all()
            )
            == count
        )


def test_a_batch_for_a_missing_session_is_404(app, client):
    _seed_checklists(app)
    couples = _couples(1)
    _login(client, factories.make_user("staf"))
    assert (
        client.post(
            "/referrals/isbat/999999/pasangan", data={"couple": couples}
        ).status_code
        == 404
    )
    assert client.post("/referrals/isbat/999999/lanjutan", data={}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(IsbatEntry.id))) == 0
