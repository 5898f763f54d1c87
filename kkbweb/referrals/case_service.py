"""Writes of a case's family and files, each with its audit row in the same
transaction: papers a condition adds later, the correction of a case's persons,
KK and event, the issued document's PDF or photo, marking a couple "nikah belum
tercatat", and the checklist items. The caller commits."""

import secrets
from pathlib import Path

from sqlalchemy import and_, delete, false, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from kkbweb import images
from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.referrals import case_queries as queries
from kkbweb.referrals.models import (
    EVENT_EDIT,
    ChecklistItem,
    Couple,
    Referral,
    ReferralDocument,
    ReferralEvent,
    ReferralPaper,
    ReferralPerson,
)
from kkbweb.timeutil import utcnow

PDF = "application/pdf"
MAX_DOCUMENTS = 10


def add_late_papers(referral: Referral, user) -> None:
    """Copy the active "terlambat" items the case does not have yet (a birth
    reported after 60 days): one INSERT ... SELECT, and its audit row."""
    have = select(ReferralPaper.label).where(ReferralPaper.referral_id == referral.id)
    db.session.execute(
        insert(ReferralPaper).from_select(
            ["referral_id", "label", "sort", "received"],
            select(
                literal(referral.id), ChecklistItem.label, ChecklistItem.sort, false()
            ).where(
                ChecklistItem.doc_type == referral.doc_type,
                ChecklistItem.active.is_(True),
                ChecklistItem.condition == "terlambat",
                ChecklistItem.label.not_in(have),
            ),
        )
    )
    record(
        "referral.papers_added",
        entity_type="referral",
        entity_id=referral.id,
        after={"condition": "terlambat"},
        user=user,
    )


CASE_LABELS = {
    "persons": "orang dalam kasus",
    "kk_number": "nomor KK",
    "marital_status": "status perkawinan di KK",
    "unregistered": "perkawinan belum tercatat",
    "event_date": "tanggal peristiwa",
    "event_place": "tempat peristiwa",
    "event_kecamatan": "kecamatan akad",
    "ktp_reason": "keperluan KTP-el",
}


def _case_state(referral: Referral) -> dict:
    state = {name: getattr(referral, name) for name in CASE_LABELS if name != "persons"}
    if state["event_date"] is not None:
        state["event_date"] = state["event_date"].isoformat()
    state["persons"] = [[p.role, p.resident_id] for p in referral.persons]
    return state


def update_case(
    referral: Referral,
    fields: dict,
    persons: list[tuple[str, int]],
    held: tuple[frozenset[str], frozenset[str]],
    user,
    now,
) -> list[str]:
    """Correct a case's persons, KK and event; the labels of what changed (none:
    nothing written).

    held: the checklist conditions before and after. Papers of a condition that
    now holds are added; unticked papers of one that no longer holds go (a
    received paper stays). Persons are rewritten in place: one UPDATE for the
    rows kept in number, then an INSERT or a DELETE for the difference. One
    history line and one audit row.
    """
    before = _case_state(referral)
    for name, value in fields.items():
        setattr(referral, name, value)
    after = {**_case_state(referral), "persons": [list(p) for p in persons]}
    changed = [name for name in CASE_LABELS if before[name] != after[name]]
    if not changed:
        return []
    if "persons" in changed:
        _rewrite_persons(referral, persons)
        referral.resident_id = persons[0][1]
    # The version moves with every correction (a parallel edit gets a conflict).
    flag_modified(referral, "kk_number")
    _follow_conditions(referral, *held)
    labels = [CASE_LABELS[name] for name in changed]
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            kind=EVENT_EDIT,
            from_status=referral.status,
            to_status=referral.status,
            user_id=user.id,
            at=now,
            note="Diubah: " + ", ".join(labels) + ".",
            holder=referral.holder,
        )
    )
    record(
        "referral.case_update",
        referral,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        user=user,
    )
    return labels


def _rewrite_persons(referral: Referral, persons: list[tuple[str, int]]) -> None:
    """Give the case's person rows the new (role, resident) pairs, in order.

    A pair the case keeps keeps its row; rows of pairs that go take the new
    pairs (one UPDATE, never clashing with the unique (case, resident, role)
    since a new pair is on no row yet), then one INSERT or DELETE for the rest.
    """
    order = {pair: index for index, pair in enumerate(persons)}
    rows = list(referral.persons)
    fresh = [
        pair for pair in persons if pair not in {(r.role, r.resident_id) for r in rows}
    ]
    changes, spare = [], []
    for row in rows:
        pair = (row.role, row.resident_id)
        if pair in order:
            if row.sort != order[pair]:
                changes.append({"id": row.id, "sort": order[pair]})
        elif fresh:
            role, rid = fresh.pop(0)
            changes.append(
                {
                    "id": row.id,
                    "role": role,
                    "resident_id": rid,
                    "sort": order[(role, rid)],
                }
            )
        else:
            spare.append(row.id)
    if changes:
        # Same keys in every row: one executemany.
        full = [{"role": None, "resident_id": None, **change} for change in changes]
        by_id = {row.id: row for row in rows}
        for change in full:
            row = by_id[change["id"]]
            change["role"] = change["role"] or row.role
            change["resident_id"] = change["resident_id"] or row.resident_id
        db.session.execute(update(ReferralPerson), full)
    if fresh:
        db.session.execute(
            insert(ReferralPerson),
            [
                {
                    "referral_id": referral.id,
                    "resident_id": rid,
                    "role": role,
                    "sort": order[(role, rid)],
                }
                for role, rid in fresh
            ],
        )
    if spare:
        db.session.execute(delete(ReferralPerson).where(ReferralPerson.id.in_(spare)))
    db.session.expire(referral, ["persons"])


def _follow_conditions(
    referral: Referral, before: frozenset[str], after: frozenset[str]
) -> None:
    """Add the papers of newly held conditions, drop unticked ones of lost ones."""
    items = (ChecklistItem.doc_type == referral.doc_type) & ChecklistItem.active.is_(
        True
    )
    added, lost = sorted(after - before), sorted(before - after)
    if added:
        have = select(ReferralPaper.label).where(
            ReferralPaper.referral_id == referral.id
        )
        db.session.execute(
            insert(ReferralPaper).from_select(
                ["referral_id", "label", "sort", "received"],
                select(
                    literal(referral.id),
                    ChecklistItem.label,
                    ChecklistItem.sort,
                    false(),
                ).where(
                    items,
                    ChecklistItem.condition.in_(added),
                    ChecklistItem.label.not_in(have),
                ),
            )
        )
    if lost:
        # A label another held condition (or no condition) also asks for stays.
        still = select(ChecklistItem.label).where(
            items,
            or_(
                ChecklistItem.condition.is_(None),
                ChecklistItem.condition.in_(sorted(after) or [""]),
            ),
        )
        gone = select(ChecklistItem.label).where(
            items, ChecklistItem.condition.in_(lost)
        )
        db.session.execute(
            delete(ReferralPaper).where(
                and_(
                    ReferralPaper.referral_id == referral.id,
                    ReferralPaper.received.is_(False),
                    ReferralPaper.label.in_(gone),
                    ReferralPaper.label.not_in(still),
                )
            )
        )


def store_document(referral: Referral, prepared, user, folder: Path) -> bool:
    """Write the issued document's file and row; False when the case has it."""
    extension = ".pdf" if prepared.mimetype == PDF else ".jpg"
    filename = secrets.token_hex(16) + extension
    images.write(folder, filename, prepared.data)
    row = ReferralDocument(
        referral_id=referral.id,
        filename=filename,
        mimetype=prepared.mimetype,
        original_name=prepared.original_name,
        size_bytes=len(prepared.data),
        sha256=prepared.sha256,
        pages=prepared.pages,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        images.remove(folder, [filename])
        return False
    record("referral.document_add", referral, after=row.audit_dict(), user=user)
    return True


def mark_couple(
    *, pokja_id: int, husband_id: int, wife_id: int, referral_id, user
) -> tuple[Couple, bool]:
    """Put a couple on the "nikah belum tercatat" list; (couple, newly marked)."""
    existing = queries.couple_of(husband_id, wife_id)
    if existing is not None:
        return existing, False
    couple = Couple(
        pokja_id=pokja_id,
        husband_id=husband_id,
        wife_id=wife_id,
        source_referral_id=referral_id,
        marked_by_id=user.id,
        marked_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(couple)
            db.session.flush()
    except IntegrityError:
        # A parallel copy of the same click marked them first.
        return queries.couple_of(husband_id, wife_id), False
    record(
        "referral.couple_mark",
        entity_type="referral_couple",
        entity_id=couple.id,
        after={
            "pokja_id": pokja_id,
            "husband_id": husband_id,
            "wife_id": wife_id,
            "source_referral_id": referral_id,
        },
        user=user,
    )
    return couple, True


# -- checklist items -------------------------------------------------------------


def create_checklist_item(
    doc_type: str, label: str, sort: int, active: bool, condition: str | None = None
) -> ChecklistItem:
    """Add a paper to a document type's checklist (new cases copy it)."""
    item = ChecklistItem(
        doc_type=doc_type,
        label=label,
        sort=sort,
        active=active,
        condition=condition or None,
    )
    db.session.add(item)
    db.session.flush()
    record("checklist.create", item, after=item.audit_dict())
    return item


def update_checklist_item(
    item: ChecklistItem,
    label: str,
    sort: int,
    active: bool,
    condition: str | None = None,
) -> bool:
    """Rename, reorder, switch off or condition an item; False when unchanged."""
    before = item.audit_dict()
    item.label, item.sort, item.active = label, sort, active
    item.condition = condition or None
    if before == item.audit_dict():
        return False
    record("checklist.update", item, before=before, after=item.audit_dict())
    return True
