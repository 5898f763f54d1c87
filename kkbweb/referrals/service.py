"""Referral rules that touch the database: codes, intake, moves, queue filters."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    false,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.log import record
from kkbweb.auth.access import pokja_condition
from kkbweb.extensions import db
from kkbweb.referrals import routing, workflow
from kkbweb.referrals.models import (
    EVENT_ASSIGN,
    EVENT_EDIT,
    EVENT_STATUS,
    OPEN_STATUSES,
    ChecklistItem,
    Referral,
    ReferralEvent,
    ReferralPaper,
    Resident,
    format_code,
)
from kkbweb.requests import MAX_ID, parse_id
from kkbweb.timeutil import to_wib

# A retry only happens when a parallel intake committed the same number first, so
# n parallel intakes need at most n attempts; 20 is far beyond any Pokja office.
ALLOCATION_ATTEMPTS = 20

AUTO = "auto"
DESTINATION_LABELS = {
    routing.DISDUKCAPIL: "Disdukcapil (loket adminduk kelurahan)",
    routing.KUA: "KUA kecamatan",
    routing.PENGADILAN_AGAMA: "Pengadilan Agama Cilegon",
}


# -- configuration ---------------------------------------------------------------


def overdue_limits() -> dict[str, int | None]:
    """Days per status before a referral is overdue (REFERRAL_OVERDUE_DAYS)."""
    configured = current_app.config.get("REFERRAL_OVERDUE_DAYS") or {}
    return {**workflow.DEFAULT_OVERDUE_DAYS, **configured}


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


# -- destinations ----------------------------------------------------------------


def destination_name(code: str, kecamatan_name: str | None) -> str:
    """The office name for a destination code."""
    if code == routing.KUA:
        # Any Muslim marriage routes to the KUA; reuse routing's naming.
        return routing.suggest_destination("buku_nikah", "islam", kecamatan_name).name
    if code == routing.PENGADILAN_AGAMA:
        return routing.PENGADILAN_AGAMA_NAME
    return routing.DISDUKCAPIL_NAME


def destination_address(code: str, pokja, kecamatan) -> str | None:
    """Where the office is: REFERRAL_DESTINATION_ADDRESSES, else a safe description.

    Keys: "disdukcapil", "pengadilan_agama", "kua:<kode kecamatan>" or "kua".
    """
    configured = current_app.config.get("REFERRAL_DESTINATION_ADDRESSES") or {}
    if code == routing.KUA:
        address = configured.get(f"kua:{kecamatan.code}") or configured.get("kua")
        return address or f"Kantor KUA Kecamatan {kecamatan.display_name}, Kota Cilegon"
    if code == routing.PENGADILAN_AGAMA:
        return configured.get(routing.PENGADILAN_AGAMA)
    # Cilegon has an adminduk desk in every kelurahan office since 2022.
    return configured.get(routing.DISDUKCAPIL) or (
        f"Loket adminduk Kantor Kelurahan {pokja.official_name}, "
        f"Kecamatan {kecamatan.official_name}"
    )


def suggestions(
    resident: Resident, kecamatan
) -> list[tuple[str, str, routing.Destination]]:
    """The suggested destination of every document type for this resident."""
    return [
        (
            code,
            label,
            routing.suggest_destination(
                code, resident.religion, kecamatan.display_name
            ),
        )
        for code, label in routing.DOC_TYPES.items()
    ]


# -- checklists ------------------------------------------------------------------


def ensure_checklists() -> int:
    """Seed the checklist table from routing.DEFAULT_CHECKLISTS when it is empty."""
    if db.session.scalar(select(ChecklistItem.id).limit(1)) is not None:
        return 0
    rows = [
        {"doc_type": doc_type, "label": label, "sort": (index + 1) * 10, "active": True}
        for doc_type, labels in routing.DEFAULT_CHECKLISTS.items()
        for index, label in enumerate(labels)
    ]
    db.session.execute(insert(ChecklistItem), rows)
    return len(rows)


# -- intake ----------------------------------------------------------------------


class DuplicateIntake(Exception):
    """The same intake form was already saved: here is what it created."""

    def __init__(self, referral_id: int) -> None:
        super().__init__(referral_id)
        self.referral_id = referral_id


def create_referral(
    *,
    resident: Resident,
    doc_type: str,
    destination: tuple[str, str, str | None],
    notes: str | None,
    user,
    intake_key: str | None,
    now: datetime,
) -> tuple[int, str]:
    """Insert a referral with its papers and first history line; return (id, code).

    The yearly number is max + 1 computed inside the INSERT. SQLite serialises
    writers (BEGIN IMMEDIATE); under PostgreSQL two parallel intakes can compute the
    same number, the unique (year, number) pair refuses the second, and it retries
    inside a savepoint (each retry means a competitor committed, so it ends).
    A resent form (same intake key) raises DuplicateIntake instead of saving twice.
    """
    year = to_wib(now).year
    next_seq = (
        select(func.coalesce(func.max(Referral.code_seq), 0) + 1)
        .where(Referral.code_year == year)
        .scalar_subquery()
    )
    values = {
        "code_year": year,
        "code_seq": next_seq,
        "resident_id": resident.id,
        "pokja_id": resident.pokja_id,
        "doc_type": doc_type,
        "destination_code": destination[0],
        "destination_name": destination[1],
        "destination_address": destination[2],
        "status": workflow.DIAJUKAN,
        "status_changed_at": now,
        "holder": workflow.HOLDER[workflow.DIAJUKAN],
        "notes": notes,
        "created_by_id": getattr(user, "id", None),
        "created_at": now,
        "version": 1,
        "intake_key": intake_key,
    }
    for attempt in range(ALLOCATION_ATTEMPTS):
        try:
            with db.session.begin_nested():
                referral_id, seq = db.session.execute(
                    insert(Referral)
                    .values(**values)
                    .returning(Referral.id, Referral.code_seq)
                ).one()
            break
        except IntegrityError:
            if intake_key:
                existing = db.session.scalar(
                    select(Referral.id).where(Referral.intake_key == intake_key)
                )
                if existing is not None:
                    raise DuplicateIntake(existing) from None
            if attempt == ALLOCATION_ATTEMPTS - 1:
                raise
    # Copy the active checklist in the same statement (INSERT ... SELECT).
    db.session.execute(
        insert(ReferralPaper).from_select(
            ["referral_id", "label", "sort", "received"],
            select(
                literal(referral_id),
                ChecklistItem.label,
                ChecklistItem.sort,
                false(),
            ).where(ChecklistItem.doc_type == doc_type, ChecklistItem.active.is_(True)),
        )
    )
    db.session.add(
        ReferralEvent(
            referral_id=referral_id,
            kind=EVENT_STATUS,
            from_status=None,
            to_status=workflow.DIAJUKAN,
            user_id=getattr(user, "id", None),
            at=now,
            note="Rujukan dibuat.",
            holder=values["holder"],
        )
    )
    code = format_code(year, seq)
    after = {k: v for k, v in values.items() if k not in ("code_seq", "intake_key")}
    after["code"] = code
    after["status_changed_at"] = now.isoformat()
    after["created_at"] = now.isoformat()
    record(
        "referral.create", entity_type="referral", entity_id=referral_id, after=after
    )
    return referral_id, code


# -- changes ---------------------------------------------------------------------


def move(referral: Referral, target: str, user, note: str | None, now: datetime):
    """Apply one workflow step (check_move raises WorkflowError if not allowed)."""
    workflow.check_move(referral.status, target, user.role, note)
    before = referral.status
    referral.status = target
    referral.status_changed_at = now
    referral.holder = workflow.HOLDER.get(target)
    if target == workflow.SELESAI and referral.completed_at is None:
        referral.completed_at = now
    if target == workflow.DISERAHKAN:
        referral.handed_over_at = now
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            kind=EVENT_STATUS,
            from_status=before,
            to_status=target,
            user_id=user.id,
            at=now,
            note=note or None,
            holder=referral.holder,
        )
    )
    record(
        "referral.move",
        referral,
        before={"status": before},
        after={"status": target, "holder": referral.holder},
        note=note or None,
    )


def assign(referral: Referral, assignee, user, now: datetime) -> None:
    """Give the referral to a staff member (or nobody) and note it in the history."""
    before = referral.assigned_to_id
    # The relationship, not just the id: a row rendered before the commit shows it.
    referral.assigned_to = assignee
    if assignee is None:
        note = "Petugas dilepas."
    elif assignee.id == user.id:
        note = f"Diambil oleh {user.full_name}."
    else:
        note = f"Diserahkan kepada {assignee.full_name}."
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            kind=EVENT_ASSIGN,
            from_status=referral.status,
            to_status=referral.status,
            user_id=user.id,
            at=now,
            note=note,
            holder=referral.holder,
        )
    )
    record(
        "referral.assign",
        referral,
        before={"assigned_to_id": before},
        after={"assigned_to_id": assignee.id if assignee else None},
    )


def edit(referral: Referral, changes: dict, user, now: datetime) -> bool:
    """Apply edited fields; write one history line and one audit row if any changed."""
    before = referral.audit_dict()
    for key, value in changes.items():
        setattr(referral, key, value)
    after = referral.audit_dict()
    if before == after:
        return False
    changed = [key for key in after if before[key] != after[key]]
    labels = {
        "destination_code": "tujuan",
        "destination_name": "nama tujuan",
        "destination_address": "alamat tujuan",
        "assigned_to_id": "petugas",
        "notes": "catatan",
    }
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            kind=EVENT_EDIT,
            from_status=referral.status,
            to_status=referral.status,
            user_id=user.id,
            at=now,
            note="Diubah: " + ", ".join(labels.get(key, key) for key in changed) + ".",
            holder=referral.holder,
        )
    )
    record(
        "referral.update",
        referral,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return True


# -- the queue -------------------------------------------------------------------

_CODE_QUERY = re.compile(r"^(?:RJK)?[\s\-/]*(\d{4})[\s\-/]+0*(\d{1,7})$", re.IGNORECASE)
MINE = "saya"


def open_condition() -> ColumnElement:
    """status IN (the open statuses), with the values written into the SQL.

    Literal values let SQLite match the partial index ix_referral_open_waiting
    (it cannot see through bound parameters); without it SQLite, lacking value
    statistics, walks years of closed referrals to find the few open ones.
    """
    return Referral.status.in_(
        bindparam("open_statuses", list(OPEN_STATUSES), literal_execute=True)
    )


NOBODY = "kosong"


def clean_text(value: str | None, limit: int = 100) -> str:
    """A search string safe for SQL LIKE on both databases: no NUL, bounded."""
    return " ".join((value or "").replace("\x00", "").split())[:limit]


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
            q=clean_text(args.get("q")),
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
