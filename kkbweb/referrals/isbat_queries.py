"""Reads of the sidang isbat terpadu pages. Scoping comes from kkbweb.access: a
Pokja user sees the sessions and only their own couples in them."""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from kkbweb.access import scoped
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.referrals.models import (
    Couple,
    IsbatEntry,
    IsbatSession,
    Referral,
    ReferralPaper,
    ReferralPerson,
)


def sessions() -> Select:
    """Every session, the next ones first (to paginate)."""
    return select(IsbatSession).order_by(IsbatSession.date.desc(), IsbatSession.id)


def session(session_id: int) -> IsbatSession | None:
    return db.session.get(IsbatSession, session_id)


def entries(session_id: int, user) -> list[IsbatEntry]:
    """The couples of a session within the user's scope, by Pokja."""
    return (
        db.session.scalars(
            scoped(
                select(IsbatEntry)
                .join(Couple, IsbatEntry.couple_id == Couple.id)
                .join(Pokja, Couple.pokja_id == Pokja.id)
                .where(IsbatEntry.session_id == session_id)
                .options(
                    joinedload(IsbatEntry.couple).joinedload(Couple.husband),
                    joinedload(IsbatEntry.couple).joinedload(Couple.wife),
                    joinedload(IsbatEntry.couple).joinedload(Couple.pokja),
                )
                .order_by(Pokja.display_name, IsbatEntry.id),
                Couple.pokja_id,
                user,
            )
        )
        .unique()
        .all()
    )


def missing_papers(referral_ids: list[int]) -> dict[int, list[str]]:
    """{case id: labels of papers not yet received} (substitutes left out)."""
    if not referral_ids:
        return {}
    rows = db.session.execute(
        select(ReferralPaper.referral_id, ReferralPaper.label)
        .where(
            ReferralPaper.referral_id.in_(referral_ids),
            ReferralPaper.received.is_(False),
        )
        .order_by(ReferralPaper.sort, ReferralPaper.id)
    ).all()
    found: dict[int, list[str]] = {}
    for referral_id, label in rows:
        if not label.lower().startswith("pengganti"):
            found.setdefault(referral_id, []).append(label)
    return found


def candidates(session_id: int, user) -> list[Couple]:
    """Open couples of every Pokja in scope not yet in this session."""
    taken = select(IsbatEntry.couple_id).where(IsbatEntry.session_id == session_id)
    return (
        db.session.scalars(
            scoped(
                select(Couple)
                .join(Pokja, Couple.pokja_id == Pokja.id)
                .where(Couple.status == "belum_tercatat", Couple.id.not_in(taken))
                .options(
                    joinedload(Couple.husband),
                    joinedload(Couple.wife),
                    joinedload(Couple.pokja),
                )
                .order_by(Pokja.display_name, Couple.id),
                Couple.pokja_id,
                user,
            )
        )
        .unique()
        .all()
    )


def followup_cases(session_id: int, user) -> list[Referral]:
    """Cases opened as the session's follow-up (noted on their first event)."""
    entry_couples = select(IsbatEntry.couple_id).where(
        IsbatEntry.session_id == session_id, IsbatEntry.followups_at.is_not(None)
    )
    wives = select(Couple.wife_id).where(Couple.id.in_(entry_couples))
    return db.session.scalars(
        scoped(
            select(Referral)
            .join(ReferralPerson, ReferralPerson.referral_id == Referral.id)
            .where(
                Referral.doc_type.in_(["kk", "akta_kelahiran"]),
                Referral.notes.like("Tindak lanjut sidang isbat%"),
                ReferralPerson.resident_id.in_(wives),
            )
            .options(joinedload(Referral.resident))
            .order_by(Referral.id)
            .distinct(),
            Referral.pokja_id,
            user,
        )
    ).all()
