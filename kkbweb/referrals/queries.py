"""Reads of the referral pages: the queue and its filters, referrals, residents,
checklists. The user is passed in; scoping comes from kkbweb.access."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import joinedload, selectinload

from kkbweb.access import pokja_condition, scoped
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.referrals import routing, rules, workflow
from kkbweb.referrals.models import (
    OPEN_STATUSES,
    ChecklistItem,
    Referral,
    ReferralEvent,
    ReferralPaper,
    ReferralPerson,
    Resident,
)
from kkbweb.requests import MAX_ID, clean_text, parse_id

# What a queue row shows; what the referral page shows; what the slip prints.
ROW_OPTIONS = (
    joinedload(Referral.resident),
    joinedload(Referral.pokja),
    joinedload(Referral.assigned_to),
)
PERSONS = (
    selectinload(Referral.persons)
    .joinedload(ReferralPerson.resident)
    .joinedload(Resident.pokja)
    .joinedload(Pokja.kecamatan)
)
DETAIL_OPTIONS = (
    joinedload(Referral.resident),
    joinedload(Referral.pokja).joinedload(Pokja.kecamatan),
    joinedload(Referral.assigned_to),
    joinedload(Referral.created_by),
    selectinload(Referral.papers),
    selectinload(Referral.events).joinedload(ReferralEvent.user),
    PERSONS,
    selectinload(Referral.documents),
)
SLIP_OPTIONS = (
    joinedload(Referral.resident),
    joinedload(Referral.pokja).joinedload(Pokja.kecamatan),
    joinedload(Referral.created_by),
    selectinload(Referral.papers),
    PERSONS,
)


# -- conditions ------------------------------------------------------------------


def overdue_condition(now: datetime, limits: dict[str, int | None]) -> ColumnElement:
    """SQL for "waited in its status at least its limit" (same rule as is_overdue)."""
    parts = [
        and_(
            Referral.status == status,
            Referral.status_changed_at <= now - timedelta(days=days),
        )
        for status, days in limits.items()
        if days is not None and workflow.is_open(status)
    ]
    return or_(*parts) if parts else false()


def open_condition() -> ColumnElement:
    """status IN (the open statuses), with the values written into the SQL.

    Literal values let SQLite match the partial index ix_referral_open_waiting
    (it cannot see through bound parameters); without it SQLite, lacking value
    statistics, walks years of closed referrals to find the few open ones.
    """
    return Referral.status.in_(
        bindparam("open_statuses", list(OPEN_STATUSES), literal_execute=True)
    )


def search_text(value: str | None, limit: int = 100) -> str:
    """A search string safe for SQL LIKE on both databases: one line, bounded."""
    return " ".join((clean_text(value) or "").split())[:limit]


# -- the queue -------------------------------------------------------------------

_CODE_QUERY = re.compile(r"^(?:RJK)?[\s\-/]*(\d{4})[\s\-/]+0*(\d{1,7})$", re.IGNORECASE)
MINE = "saya"
NOBODY = "kosong"


@dataclass
class QueueFilters:
    """The queue's filters, read from the URL and written back into links."""

    status: str = ""
    jenis: str = ""
    pokja: int | None = None
    petugas: str = ""
    terlambat: bool = False
    tutup: bool = False
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        """Read filters, silently dropping values that mean nothing."""
        status = args.get("status", "")
        jenis = args.get("jenis", "")
        petugas = args.get("petugas", "")
        if petugas not in (MINE, NOBODY) and parse_id(petugas) is None:
            petugas = ""
        return cls(
            status=status if status in workflow.STATUS_LABELS else "",
            jenis=jenis if jenis in routing.DOC_TYPES else "",
            pokja=parse_id(args.get("pokja")),
            petugas=petugas,
            terlambat=args.get("terlambat") == "1",
            tutup=args.get("tutup") == "1",
            q=search_text(args.get("q")),
        )

    def as_args(self) -> dict:
        """The non-empty filters, for url_for."""
        args = {
            "status": self.status,
            "jenis": self.jenis,
            "pokja": self.pokja,
            "petugas": self.petugas,
            "terlambat": "1" if self.terlambat else "",
            "tutup": "1" if self.tutup else "",
            "q": self.q,
        }
        return {key: value for key, value in args.items() if value}

    @property
    def open_only(self) -> bool:
        """The default queue: open referrals of any status."""
        return not self.status and not self.tutup

    def order(self) -> tuple:
        """Longest waiting first."""
        return Referral.status_changed_at, Referral.id

    @property
    def active(self) -> bool:
        return bool(self.as_args())

    def conditions(
        self, user, now: datetime, limits: dict, with_status: bool = True
    ) -> list[ColumnElement]:
        """WHERE conditions (scope included) for this user."""
        conditions = [pokja_condition(Referral.pokja_id, user)]
        if with_status:
            if self.status:
                conditions.append(Referral.status == self.status)
            elif not self.tutup:
                conditions.append(open_condition())
            if self.terlambat:
                conditions.append(overdue_condition(now, limits))
        if self.jenis:
            conditions.append(Referral.doc_type == self.jenis)
        if self.pokja and user.sees_all_pokja:
            conditions.append(Referral.pokja_id == self.pokja)
        if self.petugas == MINE:
            conditions.append(Referral.assigned_to_id == user.id)
        elif self.petugas == NOBODY:
            conditions.append(Referral.assigned_to_id.is_(None))
        elif self.petugas:
            conditions.append(Referral.assigned_to_id == int(self.petugas))
        if self.q:
            code = _CODE_QUERY.match(self.q)
            if code and int(code.group(2)) <= MAX_ID:
                conditions.append(Referral.code_year == int(code.group(1)))
                conditions.append(Referral.code_seq == int(code.group(2)))
            else:
                name = func.lower(Resident.name).contains(
                    self.q.lower(), autoescape=True
                )
                if not self.tutup and self.status not in workflow.TERMINAL_STATUSES:
                    # Open referrals are few: test each one's resident (by key).
                    conditions.append(
                        select(Resident.id)
                        .where(Resident.id == Referral.resident_id, name)
                        .correlate(Referral)
                        .exists()
                    )
                else:
                    # All years: find the matching residents once, then their
                    # referrals through the resident_id index.
                    matching = select(Resident.id).where(name)
                    conditions.append(Referral.resident_id.in_(matching))
        return conditions


def queue(filters: QueueFilters, user, now: datetime, limits: dict) -> Select:
    """The queue's referrals, longest waiting first (to paginate)."""
    return (
        select(Referral)
        .where(*filters.conditions(user, now, limits))
        .options(*ROW_OPTIONS)
        .order_by(*filters.order())
    )


def status_counts(filters: QueueFilters, user, now: datetime, limits: dict) -> dict:
    """{status: (count, overdue count)} in one GROUP BY, ignoring the status filter.

    Closed statuses are counted only when the user asked for closed referrals:
    years of handed-over documents would otherwise be counted on every visit.
    """
    overdue = overdue_condition(now, limits)
    stmt = (
        select(
            Referral.status,
            func.count(),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .where(*filters.conditions(user, now, limits, with_status=False))
        .group_by(Referral.status)
    )
    if not (filters.tutup or filters.status in workflow.TERMINAL_STATUSES):
        stmt = stmt.where(open_condition())
    rows = db.session.execute(stmt).all()
    return {status: (count, late) for status, count, late in rows}


def dinas_users() -> list[tuple[int, str]]:
    """Active staf and admin users, for the assignee choices."""
    return db.session.execute(
        select(User.id, User.full_name)
        .where(User.role.in_(rules.DINAS_ROLES), User.active.is_(True))
        .order_by(User.full_name)
    ).all()


# -- one referral ----------------------------------------------------------------


def referral(referral_id: int, *options, fresh: bool = False) -> Select:
    """One referral (to narrow to the user's scope), with what the page needs."""
    stmt = select(Referral).where(Referral.id == referral_id).options(*options)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return stmt


def paper_with_status(referral_id: int, paper_id: int, user):
    """(paper, its referral's status) within the user's scope, or None."""
    return db.session.execute(
        scoped(
            select(ReferralPaper, Referral.status)
            .join(Referral, ReferralPaper.referral_id == Referral.id)
            .where(ReferralPaper.id == paper_id, Referral.id == referral_id),
            Referral.pokja_id,
            user,
        )
    ).first()


def paper_ticks(referral_id: int) -> list:
    """(label, received) of every paper of a referral, for its counter."""
    return db.session.execute(
        select(ReferralPaper.label, ReferralPaper.received).where(
            ReferralPaper.referral_id == referral_id
        )
    ).all()


def referral_id_by_intake_key(intake_key: str) -> int | None:
    """The referral an intake form already created, if any."""
    return db.session.scalar(
        select(Referral.id).where(Referral.intake_key == intake_key)
    )


# -- residents -------------------------------------------------------------------


def resident(resident_id: int, *, with_kecamatan: bool = False) -> Select:
    """One resident (to narrow to the user's scope) with its Pokja."""
    pokja = joinedload(Resident.pokja)
    if with_kecamatan:
        pokja = pokja.joinedload(Pokja.kecamatan)
    return select(Resident).where(Resident.id == resident_id).options(pokja)


def residents(q: str, user) -> Select:
    """Residents of the user's scope by name (to paginate)."""
    stmt = scoped(
        select(Resident).options(joinedload(Resident.pokja)), Resident.pokja_id, user
    ).order_by(Resident.name, Resident.id)
    if q:
        stmt = stmt.where(
            func.lower(Resident.name).contains(q.lower(), autoescape=True)
        )
    return stmt


def residents_with_nik(nik: str, user) -> list[Resident]:
    """Residents of the user's scope registered with this NIK."""
    return (
        db.session.scalars(
            scoped(
                select(Resident)
                .where(Resident.nik == nik)
                .options(joinedload(Resident.pokja)),
                Resident.pokja_id,
                user,
            ).order_by(Resident.name)
        )
        .unique()
        .all()
    )


def similar_residents(
    *,
    intake_key: str | None,
    nik: str | None,
    name: str,
    birth_date,
    exclude_id: int | None,
    user,
) -> list:
    """Up to 5 (id, name, nik, Pokja name, intake key) of residents that may be
    this one: the same intake form, the same NIK, or the same name and birth date.

    Within the user's own scope only: a Pokja user learns nothing about
    residents of other Pokja, not even that a NIK is registered there.
    """
    # A resent form (same intake key) is found by the same query; an edit has none.
    conditions = []
    if exclude_id is None:
        conditions.append(Resident.intake_key == (intake_key or "")[:32])
    if nik:
        conditions.append(Resident.nik == nik)
    if birth_date:
        conditions.append(
            and_(
                func.lower(Resident.name) == name.lower(),
                Resident.birth_date == birth_date,
            )
        )
    if not conditions:
        return []
    stmt = scoped(
        select(
            Resident.id,
            Resident.name,
            Resident.nik,
            Pokja.display_name,
            Resident.intake_key,
        )
        .join(Pokja, Resident.pokja_id == Pokja.id)
        .where(or_(*conditions)),
        Resident.pokja_id,
        user,
    ).limit(5)
    if exclude_id is not None:
        stmt = stmt.where(Resident.id != exclude_id)
    return db.session.execute(stmt).all()


def resident_id_by_intake_key(intake_key: str | None) -> int | None:
    """The resident an intake form already created, if any."""
    return db.session.scalar(
        select(Resident.id).where(Resident.intake_key == intake_key)
    )


def resident_referrals(resident_id: int) -> list[Referral]:
    """A resident's referrals, newest first."""
    return db.session.scalars(
        select(Referral)
        .where(Referral.resident_id == resident_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    ).all()


# -- checklists ------------------------------------------------------------------


def checklist_items() -> list[ChecklistItem]:
    """Every checklist item, per document type in its order."""
    return db.session.scalars(
        select(ChecklistItem).order_by(
            ChecklistItem.doc_type, ChecklistItem.sort, ChecklistItem.id
        )
    ).all()
