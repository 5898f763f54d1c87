"""Reads of a case's family, papers and issued files, the overdue list and the
couples list. The user is passed in; scoping comes from kkbweb.access."""

from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload

from kkbweb.access import pokja_condition, scoped
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.referrals.models import (
    COUPLE_OPEN,
    Couple,
    Referral,
    ReferralDocument,
    ReferralPerson,
    Resident,
)
from kkbweb.referrals.queries import ROW_OPTIONS, open_condition, overdue_condition


def pokja_residents(pokja_id: int) -> list:
    """(id, name, birth_date, sex) of a Pokja's residents, for the role choices."""
    return db.session.execute(
        select(Resident.id, Resident.name, Resident.birth_date, Resident.sex)
        .where(Resident.pokja_id == pokja_id)
        .order_by(Resident.name, Resident.id)
    ).all()


def residents_by_id(ids: list[int], user) -> dict[int, Resident]:
    """Residents of the user's scope by id, with Pokja and kecamatan (one query)."""
    if not ids:
        return {}
    rows = (
        db.session.scalars(
            scoped(
                select(Resident)
                .where(Resident.id.in_(sorted(set(ids))))
                .options(joinedload(Resident.pokja).joinedload(Pokja.kecamatan)),
                Resident.pokja_id,
                user,
            )
        )
        .unique()
        .all()
    )
    return {row.id: row for row in rows}


def case_for_edit(
    referral_id: int, posted_ids: list[int], user
) -> tuple[Referral, dict[int, Resident]] | None:
    """A case within the user's scope with its persons, and in the same query the
    residents of its Pokja it names now or the form names ({id: Resident}, with
    Pokja and kecamatan); None when absent or foreign."""
    named = select(ReferralPerson.resident_id).where(
        ReferralPerson.referral_id == Referral.id
    )
    wanted = Resident.id.in_(named.scalar_subquery())
    if posted_ids:
        wanted = or_(wanted, Resident.id.in_(sorted(set(posted_ids))))
    rows = (
        db.session.execute(
            scoped(
                select(Referral, Resident)
                .outerjoin(
                    Resident, and_(Resident.pokja_id == Referral.pokja_id, wanted)
                )
                .where(Referral.id == referral_id)
                .options(
                    joinedload(Referral.pokja).joinedload(Pokja.kecamatan),
                    joinedload(Referral.persons),
                    joinedload(Resident.pokja).joinedload(Pokja.kecamatan),
                ),
                Referral.pokja_id,
                user,
            )
        )
        .unique()
        .all()
    )
    if not rows:
        return None
    return rows[0][0], {row[1].id: row[1] for row in rows if row[1] is not None}


def document_of(referral_id: int, document_id: int) -> ReferralDocument | None:
    """One issued file of a case (the case's scope is checked by the caller)."""
    return db.session.scalar(
        select(ReferralDocument).where(
            ReferralDocument.id == document_id,
            ReferralDocument.referral_id == referral_id,
        )
    )


def document_count(referral_id: int) -> int:
    return len(
        db.session.scalars(
            select(ReferralDocument.id).where(
                ReferralDocument.referral_id == referral_id
            )
        ).all()
    )


def overdue(user, now: datetime, limits: dict) -> Select:
    """Open overdue cases of the user's scope, by who holds the next action, then
    longest waiting first."""
    return (
        select(Referral)
        .where(
            pokja_condition(Referral.pokja_id, user),
            open_condition(),
            overdue_condition(now, limits),
        )
        .options(*ROW_OPTIONS)
        .order_by(Referral.holder, Referral.status_changed_at, Referral.id)
    )


def couple_of(husband_id: int, wife_id: int) -> Couple | None:
    return db.session.scalar(
        select(Couple).where(Couple.husband_id == husband_id, Couple.wife_id == wife_id)
    )


def couples(user, pokja_id: int | None = None, open_only: bool = True) -> Select:
    """Couples marked "nikah belum tercatat" of the user's scope, per Pokja."""
    stmt = scoped(
        select(Couple).options(
            joinedload(Couple.husband),
            joinedload(Couple.wife),
            joinedload(Couple.pokja).joinedload(Pokja.kecamatan),
        ),
        Couple.pokja_id,
        user,
    )
    if pokja_id and user.sees_all_pokja:
        stmt = stmt.where(Couple.pokja_id == pokja_id)
    if open_only:
        stmt = stmt.where(Couple.status == COUPLE_OPEN)
    return stmt.join(Pokja, Couple.pokja_id == Pokja.id).order_by(
        Pokja.display_name, Couple.id
    )


def marked_couple_of_case(referral: Referral) -> Couple | None:
    """The couple a case's parents/catin were marked as, if any."""
    roles = {p.role: p.resident_id for p in referral.persons}
    husband = roles.get("ayah") or roles.get("suami") or roles.get("calon_suami")
    wife = roles.get("ibu") or roles.get("istri") or roles.get("calon_istri")
    if not (husband and wife):
        return None
    return couple_of(husband, wife)
