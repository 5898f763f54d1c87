"""Access for referrals: Pokja users work on their own Pokja only, pimpinan reads,
penyelenggara has no access to residents' data at all (403)."""

from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.referrals import case_service, isbat_service
from kkbweb.referrals.models import (
    ChecklistItem,
    Couple,
    IsbatSession,
    Referral,
    ReferralDocument,
    ReferralPaper,
    Resident,
)
from kkbweb.timeutil import utcnow
from kkbweb.uploads import Prepared
from tests import factories
from tests.matrix import Entry, allow

VIEW = ("admin", "staf", "pimpinan", "pokja_a", "pokja_b")
WORK = ("admin", "staf", "pokja_a", "pokja_b")
DINAS = ("admin", "staf")
ADMIN = ("admin",)
# A canary NIK for Pokja A (a valid-looking Cilegon NIK, nobody's).
CANARY_NIK_A = "3672024107909187"


def world(w: dict) -> None:
    """A resident of Pokja A with a referral, one of its papers and a checklist item."""
    w["resident_a"] = factories.make_resident(
        w["A"], name="Warga Kanari Ciwedus", nik=CANARY_NIK_A
    )
    w["referral_a"] = factories.make_referral(w["resident_a"], by=w["pokja_a"])
    with factories.context():
        w["paper_a"] = db.session.scalar(
            select(ReferralPaper.id)
            .where(ReferralPaper.referral_id == w["referral_a"].id)
            .limit(1)
        )
        w["checklist_item"] = db.session.scalar(select(ChecklistItem.id).limit(1))
        # The issued document of Pokja A's case, an unregistered couple of Pokja
        # A and a sidang isbat terpadu they take part in.
        referral = db.session.get(Referral, w["referral_a"].id)
        folder = Path(current_app.config["UPLOAD_FOLDER"]) / "referrals"
        pdf = factories.tiny_pdf(1)
        case_service.store_document(
            referral, Prepared(pdf, "application/pdf", "akta.pdf", 1), w["staf"], folder
        )
        w["document_a"] = db.session.scalar(select(ReferralDocument.id).limit(1))
        husband = factories_resident(w["A"], "Suami Kanari Ciwedus", "L")
        couple = Couple(
            pokja_id=w["A"].id, husband_id=husband, wife_id=w["resident_a"].id
        )
        db.session.add(couple)
        db.session.flush()
        session = isbat_service.create_session(
            {
                "date": date(2026, 12, 20),
                "place": "Aula Kecamatan Cilegon",
                "court": "Pengadilan Agama Cilegon Kelas IB",
                "kua": "KUA Kecamatan Cilegon",
                "disdukcapil": "Disdukcapil Kota Cilegon",
                "notes": None,
            },
            w["staf"],
            date(2026, 12, 1),
        )
        isbat_service.add_couples(session.id, [couple.id], w["staf"], utcnow())
        w["isbat_session"] = session.id
        db.session.commit()


def factories_resident(pokja, name: str, sex: str) -> int:
    """A resident inside the open factories context (returns its id)."""
    resident = Resident(
        name=name, sex=sex, address="Jl. Uji", pokja_id=pokja.id, religion="islam"
    )
    db.session.add(resident)
    db.session.flush()
    return resident.id


def canary(w: dict, side: str, name: str, nik: str) -> None:
    """A resident of the Pokja with the canary name and NIK, and a case; the
    canary as the husband of an unregistered couple in a sidang isbat terpadu
    shared by both sides (a Pokja sees only its own couples there)."""
    resident = factories.make_resident(w[side], name=f"Warga {name}", nik=nik)
    factories.make_referral(resident)
    with factories.context():
        husband = factories_resident(w[side], f"Suami {name}", "L")
        couple = Couple(pokja_id=w[side].id, husband_id=husband, wife_id=resident.id)
        db.session.add(couple)
        db.session.flush()
        if "canary_session" not in w:
            w["canary_session"] = isbat_service.create_session(
                {
                    "date": date(2026, 12, 21),
                    "place": "Aula DP3AP2KB",
                    "court": "Pengadilan Agama Cilegon Kelas IB",
                    "kua": "KUA Kecamatan Jombang",
                    "disdukcapil": "Disdukcapil Kota Cilegon",
                    "notes": None,
                },
                w["staf"],
                utcnow(),
            ).id
        session = db.session.get(IsbatSession, w["canary_session"])
        isbat_service.add_couples(session.id, [couple.id], w["staf"], utcnow())
        db.session.commit()


def _referral(w):
    return {"referral_id": w["referral_a"].id}


def _session(w):
    return {"session_id": w["isbat_session"]}


def _resident(w):
    return {"resident_id": w["resident_a"].id}


# Pokja B asks for Pokja A's records: 404, never 403 (no hint that they exist).
FOREIGN = {"pokja_b": 404}

ACCESS = {
    ("referrals.index", "GET"): Entry(allow(VIEW)),
    ("referrals.export", "GET"): Entry(allow(DINAS), args=lambda w: {"format": "csv"}),
    # No version posted: treated as a stale form, answered with the current state.
    ("referrals.take", "POST"): Entry(allow(DINAS, ok=409), args=_referral),
    ("referrals.detail", "GET"): Entry(allow(VIEW, **FOREIGN), args=_referral),
    ("referrals.move", "POST"): Entry(allow(WORK, ok=409, **FOREIGN), args=_referral),
    ("referrals.edit", "POST"): Entry(allow(WORK, ok=409, **FOREIGN), args=_referral),
    ("referrals.case_edit", "GET"): Entry(allow(WORK, **FOREIGN), args=_referral),
    # No version posted: a stale form, shown again with the conflict message.
    ("referrals.case_edit", "POST"): Entry(
        allow(WORK, ok=409, **FOREIGN), args=_referral
    ),
    ("referrals.paper", "POST"): Entry(
        allow(WORK, ok=303, **FOREIGN),
        args=lambda w: {"referral_id": w["referral_a"].id, "paper_id": w["paper_a"]},
    ),
    ("referrals.slip", "GET"): Entry(allow(VIEW, **FOREIGN), args=_referral),
    ("referrals.new", "GET"): Entry(
        allow(WORK, **FOREIGN), args=lambda w: {"warga": w["resident_a"].id}
    ),
    # An empty form: re-rendered with its errors.
    ("referrals.new", "POST"): Entry(
        allow(WORK, **FOREIGN), args=lambda w: {"warga": w["resident_a"].id}
    ),
    ("referrals.residents.index", "GET"): Entry(allow(VIEW)),
    ("referrals.residents.nik_search", "POST"): Entry(allow(VIEW)),
    ("referrals.residents.new", "GET"): Entry(allow(WORK)),
    ("referrals.residents.new", "POST"): Entry(allow(WORK)),
    ("referrals.residents.detail", "GET"): Entry(
        allow(VIEW, **FOREIGN), args=_resident
    ),
    ("referrals.residents.edit", "GET"): Entry(allow(WORK, **FOREIGN), args=_resident),
    # An empty POST keeps the stored values: nothing changes, back to the resident.
    ("referrals.residents.edit", "POST"): Entry(
        allow(WORK, ok=303, **FOREIGN), args=_resident
    ),
    ("referrals.checklists.index", "GET"): Entry(allow(ADMIN)),
    ("referrals.checklists.index", "POST"): Entry(allow(ADMIN)),
    ("referrals.checklists.update", "POST"): Entry(
        allow(ADMIN), args=lambda w: {"item_id": w["checklist_item"]}
    ),
    ("referrals.overdue", "GET"): Entry(allow(VIEW)),
    # An empty upload: back to the case with a message.
    ("referrals.documents.upload", "POST"): Entry(
        allow(WORK, ok=303, **FOREIGN), args=_referral
    ),
    # The issued document carries NIKs: pimpinan (masked NIKs only) gets 404 too.
    ("referrals.documents.file", "GET"): Entry(
        allow(WORK, pimpinan=404, **FOREIGN),
        args=lambda w: {
            "referral_id": w["referral_a"].id,
            "document_id": w["document_a"],
        },
    ),
    ("referrals.isbat.couples", "GET"): Entry(allow(VIEW)),
    ("referrals.isbat.index", "GET"): Entry(allow(VIEW)),
    ("referrals.isbat.new", "GET"): Entry(allow(DINAS)),
    ("referrals.isbat.new", "POST"): Entry(allow(DINAS)),
    # Any viewer sees a session; only the couples of their own scope.
    ("referrals.isbat.detail", "GET"): Entry(allow(VIEW), args=_session),
    ("referrals.isbat.mark", "POST"): Entry(
        allow(WORK, ok=303, **FOREIGN), args=_referral
    ),
    ("referrals.isbat.add", "POST"): Entry(allow(DINAS, ok=303), args=_session),
    ("referrals.isbat.outcomes", "GET"): Entry(allow(DINAS), args=_session),
    ("referrals.isbat.outcomes", "POST"): Entry(allow(DINAS, ok=303), args=_session),
    ("referrals.isbat.followups", "POST"): Entry(allow(DINAS, ok=303), args=_session),
}
