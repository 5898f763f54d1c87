"""Referral writes, each with its audit row in the same transaction: intake,
moves, assignment, edits, papers, residents, checklists; and the configured
limits and destination addresses. The caller commits."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import false, func, insert, literal, or_, select
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.referrals import checklist_rules, queries, routing, vocab, workflow
from kkbweb.referrals.models import (
    EVENT_ASSIGN,
    EVENT_EDIT,
    EVENT_STATUS,
    ChecklistItem,
    Referral,
    ReferralEvent,
    ReferralPaper,
    ReferralPerson,
    Resident,
    format_code,
)
from kkbweb.timeutil import to_wib

WIB_OFFSET = timedelta(hours=7)  # Asia/Jakarta has no daylight saving time

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
    """Seed the checklist table from checklist_rules.DEFAULT_ITEMS when empty."""
    if db.session.scalar(select(ChecklistItem.id).limit(1)) is not None:
        return 0
    rows = [
        {
            "doc_type": doc_type,
            "label": label,
            "sort": (index + 1) * 10,
            "active": True,
            "condition": condition,
        }
        for doc_type, items in checklist_rules.DEFAULT_ITEMS.items()
        for index, (label, condition) in enumerate(items)
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
    case: dict | None = None,
    persons: list[tuple[str, int]] | None = None,
    held: frozenset[str] = frozenset(),
) -> tuple[int, str]:
    """Insert a referral with its papers and persons; return (id, code). Its
    first history line comes with the row (models.FIRST_EVENT_SQL).

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
        **(case or {}),
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
                existing = queries.referral_id_by_intake_key(intake_key)
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
            ).where(
                ChecklistItem.doc_type == doc_type,
                ChecklistItem.active.is_(True),
                or_(
                    ChecklistItem.condition.is_(None),
                    ChecklistItem.condition.in_(sorted(held) or [""]),
                ),
            ),
        )
    )
    chosen = persons or [(vocab.DOC_ROLES[doc_type][0], resident.id)]
    db.session.execute(
        insert(ReferralPerson),
        [
            {"referral_id": referral_id, "resident_id": rid, "role": role, "sort": i}
            for i, (role, rid) in enumerate(chosen)
        ],
    )
    # The first history line ("Rujukan dibuat.") is the database's trigger
    # (models.FIRST_EVENT_SQL), written with the row.
    code = format_code(year, seq)
    after = {k: v for k, v in values.items() if k not in ("code_seq", "intake_key")}
    after["code"] = code
    after["persons"] = [[role, rid] for role, rid in chosen]
    if after.get("event_date"):
        after["event_date"] = after["event_date"].isoformat()
    after["status_changed_at"] = now.isoformat()
    after["created_at"] = now.isoformat()
    record(
        "referral.create", entity_type="referral", entity_id=referral_id, after=after
    )
    return referral_id, code


# -- changes ---------------------------------------------------------------------


def add_event(
    referral_id: int,
    kind: str,
    user,
    now: datetime,
    note: str | None,
    *,
    holder: str | None,
    from_status: str | None,
    to_status: str | None,
    happened_on=None,
) -> None:
    """Add one line to a referral's history (same from and to: no status move)."""
    db.session.add(
        ReferralEvent(
            referral_id=referral_id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            user_id=getattr(user, "id", None),
            at=now,
            note=note,
            holder=holder,
            happened_on=happened_on,
        )
    )


def move(
    referral: Referral,
    target: str,
    user,
    note: str | None,
    now: datetime,
    happened_on=None,
):
    """Apply one workflow step (check_move raises WorkflowError if not allowed).

    happened_on: the real day of a step done at the desk; the case's clock
    (status_changed_at, hence overdue) starts from it.
    """
    transition = workflow.check_move(
        referral.status, target, user.role, note, referral.doc_type
    )
    today = to_wib(now).date()
    if not transition.dated:
        happened_on = None
    problem = workflow.check_step_date(
        happened_on, to_wib(referral.status_changed_at).date(), today
    )
    if problem:
        raise workflow.WorkflowError(problem)
    at = workflow.step_time(happened_on, today, now, WIB_OFFSET)
    before = referral.status
    referral.status = target
    referral.status_changed_at = at
    referral.holder = workflow.HOLDER.get(target)
    if target == workflow.SELESAI and referral.completed_at is None:
        referral.completed_at = at
    if target in (workflow.DISERAHKAN, workflow.AKAD):
        referral.handed_over_at = at
    add_event(
        referral.id,
        EVENT_STATUS,
        user,
        now,
        note or None,
        holder=referral.holder,
        from_status=before,
        to_status=target,
        happened_on=happened_on if happened_on and happened_on < today else None,
    )
    record(
        "referral.move",
        referral,
        before={"status": before},
        after={
            "status": target,
            "holder": referral.holder,
            "happened_on": happened_on.isoformat() if happened_on else None,
        },
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
    add_event(
        referral.id,
        EVENT_ASSIGN,
        user,
        now,
        note,
        holder=referral.holder,
        from_status=referral.status,
        to_status=referral.status,
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
    note = "Diubah: " + ", ".join(labels.get(key, key) for key in changed) + "."
    add_event(
        referral.id,
        EVENT_EDIT,
        user,
        now,
        note,
        holder=referral.holder,
        from_status=referral.status,
        to_status=referral.status,
    )
    record(
        "referral.update",
        referral,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return True


def record_export(kind: str, row_count: int, filters) -> None:
    """The audit row of a queue export: a read of personal data."""
    record(
        "referral.export",
        entity_type="referral",
        note=f"{kind.upper()}, {row_count} baris; saringan: {filters.as_args() or '-'}",
    )


def tick_paper(
    paper: ReferralPaper, referral_id: int, received: bool, user, now: datetime
) -> bool:
    """Mark one paper received (or not); False when it already was so."""
    if paper.received == received:
        return False
    paper.received = received
    paper.received_at = now if received else None
    paper.received_by_id = user.id if received else None
    record(
        "referral.paper",
        entity_type="referral",
        entity_id=referral_id,
        before={"label": paper.label, "received": not received},
        after={"label": paper.label, "received": received},
    )
    return True


# -- residents -------------------------------------------------------------------


class AlreadySaved(Exception):
    """This very resident form was saved before (a double tap or a resend)."""

    def __init__(self, resident_id: int) -> None:
        super().__init__(resident_id)
        self.resident_id = resident_id


def create_resident(
    fields: dict, *, pokja_id: int, user, intake_key: str | None
) -> Resident:
    """Register a resident; AlreadySaved when a parallel resend saved it first."""
    resident = Resident(pokja_id=pokja_id, created_by_id=user.id, intake_key=intake_key)
    for key, value in fields.items():
        setattr(resident, key, value)
    try:
        with db.session.begin_nested():
            db.session.add(resident)
            db.session.flush()
    except IntegrityError:
        existing = queries.resident_id_by_intake_key(resident.intake_key)
        if existing is None:
            raise
        raise AlreadySaved(existing) from None
    record("resident.create", resident, after=resident.audit_dict())
    return resident


def update_resident(resident: Resident, fields: dict, now: datetime) -> bool:
    """Correct a resident's data; False when nothing changed."""
    before = resident.audit_dict()
    for key, value in fields.items():
        setattr(resident, key, value)
    after = resident.audit_dict()
    if before == after:
        return False
    resident.updated_at = now
    record("resident.update", resident, before=before, after=after)
    return True
