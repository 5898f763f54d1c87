"""Access for referrals: Pokja users work on their own Pokja only, pimpinan reads,
penyelenggara has no access to residents' data at all (403)."""

from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.referrals.models import ChecklistItem, ReferralPaper
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


def _referral(w):
    return {"referral_id": w["referral_a"].id}


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
    ("referrals.residents", "GET"): Entry(allow(VIEW)),
    ("referrals.nik_search", "POST"): Entry(allow(VIEW)),
    ("referrals.resident_new", "GET"): Entry(allow(WORK)),
    ("referrals.resident_new", "POST"): Entry(allow(WORK)),
    ("referrals.resident_detail", "GET"): Entry(allow(VIEW, **FOREIGN), args=_resident),
    ("referrals.resident_edit", "GET"): Entry(allow(WORK, **FOREIGN), args=_resident),
    # An empty POST keeps the stored values: nothing changes, back to the resident.
    ("referrals.resident_edit", "POST"): Entry(
        allow(WORK, ok=303, **FOREIGN), args=_resident
    ),
    ("referrals.checklists", "GET"): Entry(allow(ADMIN)),
    ("referrals.checklists", "POST"): Entry(allow(ADMIN)),
    ("referrals.checklist_update", "POST"): Entry(
        allow(ADMIN), args=lambda w: {"item_id": w["checklist_item"]}
    ),
}
