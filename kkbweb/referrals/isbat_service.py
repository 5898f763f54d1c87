"""Writes of the sidang isbat terpadu, each with its audit row in the same
transaction: plan a session, add couples in a batch (an itsbat case each, with
its persons and checklist), record every couple's outcome on one screen, and
open the follow-up cases (KK, akta for each child) in one step. The caller
commits.

A batch POST stays within the 6 statements of QUALITY.md whatever the number of
couples: the cases are made by one INSERT ... SELECT straight from the couples
(scoped, numbered max + row_number(), RETURNING their ids), then one statement
each for their persons, their papers and the session's rows, and the audit row.
The first history line of each case comes with its row (models.FIRST_EVENT_SQL).
Each case carries a key in intake_key ("isbat-<session>-<couple>" for an itsbat
case, "isbat-f-<entry>-<child>" for a follow-up, child 0 for the KK): it ties the
case to its couple without a read, and the unique key refuses a second copy.
"""

from datetime import datetime

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from kkbweb.access import scoped
from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.referrals import checklist_rules, routing, vocab, workflow
from kkbweb.referrals.models import (
    COUPLE_DONE,
    COUPLE_ISBAT,
    ChecklistItem,
    Couple,
    IsbatEntry,
    IsbatSession,
    Referral,
    ReferralPaper,
    ReferralPerson,
)
from kkbweb.timeutil import to_wib

ATTEMPTS = 20
CASE_COLUMNS = (
    "code_year",
    "code_seq",
    "resident_id",
    "pokja_id",
    "doc_type",
    "destination_code",
    "destination_name",
    "destination_address",
    "status",
    "status_changed_at",
    "holder",
    "notes",
    "created_by_id",
    "created_at",
    "version",
    "intake_key",
    "marital_status",
    "unregistered",
)
ADD_NOTE = "Peserta sidang isbat terpadu."
FOLLOWUP_NOTE = "Tindak lanjut sidang isbat terpadu."


def create_session(fields: dict, user, now: datetime) -> IsbatSession:
    """Plan a sidang isbat terpadu."""
    session = IsbatSession(**fields, created_by_id=user.id, created_at=now)
    db.session.add(session)
    db.session.flush()
    record("isbat.session_create", session, after=session.audit_dict(), user=user)
    return session


def _insert_cases(rows, order_by, *, year: int, destination, note, user, now):
    """INSERT ... SELECT one case per row of `rows` (a subquery with main,
    pokja_id, doc_type, key, marital, unregistered), numbered after the year's
    last; [(id, intake_key, doc_type, resident_id)]. A parallel intake taking a
    number makes the unique pair refuse the batch: it retries in a savepoint."""
    last = (
        select(func.coalesce(func.max(Referral.code_seq), 0))
        .where(Referral.code_year == year)
        .scalar_subquery()
    )
    chosen = select(
        literal(year),
        last + func.row_number().over(order_by=order_by),
        rows.c.main,
        rows.c.pokja_id,
        rows.c.doc_type,
        literal(destination[0]),
        literal(destination[1]),
        literal(destination[2], String),
        literal(workflow.DIAJUKAN),
        literal(now),
        literal(workflow.HOLDER[workflow.DIAJUKAN]),
        literal(note),
        literal(user.id),
        literal(now),
        literal(1),
        rows.c.key,
        rows.c.marital,
        rows.c.unregistered,
    )
    stmt = (
        insert(Referral)
        .from_select(list(CASE_COLUMNS), chosen)
        .returning(
            Referral.id, Referral.intake_key, Referral.doc_type, Referral.resident_id
        )
    )
    for attempt in range(ATTEMPTS):
        try:
            with db.session.begin_nested():
                return [tuple(row) for row in db.session.execute(stmt).all()]
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    return []


def _copy_checklists(ids: list[int], marital: str | None, unregistered: bool):
    """The papers of new cases: their type's unconditional items and those of
    the conditions a case of that type with this marriage holds (one INSERT)."""
    held = []
    for doc_type in routing.DOC_TYPES:
        facts = checklist_rules.CaseFacts(
            doc_type=doc_type, marital_status=marital, unregistered=unregistered
        )
        conditions = sorted(checklist_rules.conditions(facts) - {"terlambat"})
        if conditions:
            held.append(
                and_(
                    ChecklistItem.doc_type == doc_type,
                    ChecklistItem.condition.in_(conditions),
                )
            )
    db.session.execute(
        insert(ReferralPaper).from_select(
            ["referral_id", "label", "sort", "received"],
            select(Referral.id, ChecklistItem.label, ChecklistItem.sort, false())
            .join(ChecklistItem, ChecklistItem.doc_type == Referral.doc_type)
            .where(
                Referral.id.in_(ids),
                ChecklistItem.active.is_(True),
                or_(ChecklistItem.condition.is_(None), *held),
            ),
        )
    )


def _key(prefix: str, *columns):
    value = literal(prefix)
    for index, column in enumerate(columns):
        value = value + (literal("-") if index else literal("")) + cast(column, String)
    return value


def add_couples(session_id: int, couple_ids: list[int], user, now) -> list[int]:
    """Add couples of the user's scope not yet in the session, each with a new
    itsbat case (Pengadilan Agama, suami and istri); the couple ids added (none:
    nothing written, or no such session)."""
    if not couple_ids:
        return []
    prefix = f"isbat-{session_id}-"
    taken = select(IsbatEntry.couple_id).where(IsbatEntry.session_id == session_id)
    rows = scoped(
        select(
            Couple.id.label("couple_id"),
            Couple.husband_id.label("main"),
            Couple.pokja_id.label("pokja_id"),
            literal("itsbat_nikah").label("doc_type"),
            _key(prefix, Couple.id).label("key"),
            literal(vocab.KAWIN_BELUM_TERCATAT).label("marital"),
            literal(True).label("unregistered"),
        )
        .join(IsbatSession, IsbatSession.id == session_id)
        .where(Couple.id.in_(sorted(set(couple_ids))), Couple.id.not_in(taken)),
        Couple.pokja_id,
        user,
    ).subquery()
    made = _insert_cases(
        rows,
        rows.c.couple_id,
        year=to_wib(now).year,
        destination=(routing.PENGADILAN_AGAMA, routing.PENGADILAN_AGAMA_NAME, None),
        note=ADD_NOTE,
        user=user,
        now=now,
    )
    if not made:
        return []
    case_of = {int(key[len(prefix) :]): rid for rid, key, _doc, _main in made}
    mapping = case(case_of, value=Couple.id)
    mine = Couple.id.in_(list(case_of))
    db.session.execute(
        insert(ReferralPerson).from_select(
            ["referral_id", "resident_id", "role", "sort"],
            union_all(
                select(mapping, Couple.husband_id, literal("suami"), literal(0)).where(
                    mine
                ),
                select(mapping, Couple.wife_id, literal("istri"), literal(1)).where(
                    mine
                ),
            ),
        )
    )
    _copy_checklists(list(case_of.values()), vocab.KAWIN_BELUM_TERCATAT, True)
    db.session.execute(
        insert(IsbatEntry),
        [
            {
                "session_id": session_id,
                "couple_id": couple_id,
                "referral_id": rid,
                "buku_nikah": False,
                "kk_updated": False,
                "children_akta": False,
            }
            for couple_id, rid in sorted(case_of.items())
        ],
    )
    record(
        "isbat.couples_add",
        entity_type="isbatsession",
        entity_id=session_id,
        after={"couple_ids": sorted(case_of), "referral_ids": sorted(case_of.values())},
        user=user,
    )
    return sorted(case_of)


OUTCOME_FIELDS = ("granted", "buku_nikah", "kk_updated", "children_akta")


def record_outcomes(session: IsbatSession, entries, outcomes: dict, user) -> int:
    """Save each couple's outcome ({entry id: {field: value}}); how many changed.
    One UPDATE of the rows (executemany), one of the couples' status."""
    changed, rows, statuses = [], [], {}
    for entry in entries:
        before = {name: getattr(entry, name) for name in OUTCOME_FIELDS}
        new = outcomes.get(entry.id, before)
        if new["granted"]:
            status = COUPLE_DONE if new["buku_nikah"] else COUPLE_ISBAT
            statuses[entry.couple_id] = status
        if before == new:
            continue
        rows.append({"id": entry.id, **new})
        changed.append({"entry_id": entry.id, "before": before, "after": new})
    if rows:
        db.session.execute(update(IsbatEntry), rows)
    if statuses:
        db.session.execute(
            update(Couple)
            .where(Couple.id.in_(sorted(statuses)))
            .values(status=case(statuses, value=Couple.id))
            .execution_options(synchronize_session=False)
        )
    if changed:
        record("isbat.outcomes", session, after={"changes": changed}, user=user)
    return len(changed)


def open_followups(session_id: int, user, now, destination) -> int:
    """Open the follow-up cases of every granted couple of the session (in the
    user's scope) not yet followed up: a KK (husband as head, wife and children
    as members) and an akta kelahiran per child (the children named in akta
    cases with the wife as mother), now with the marriage registered; how many
    cases were opened."""
    entry, couple = IsbatEntry, Couple
    due = scoped(
        select(entry.id.label("entry_id"), couple)
        .join(couple, couple.id == entry.couple_id)
        .where(
            entry.session_id == session_id,
            entry.granted.is_(True),
            entry.followups_at.is_(None),
        ),
        couple.pokja_id,
        user,
    ).subquery()
    mother = aliased(ReferralPerson)
    child = aliased(ReferralPerson)
    married = literal(vocab.KAWIN_TERCATAT)
    kk = select(
        due.c.entry_id,
        literal(0).label("child"),
        due.c.husband_id.label("main"),
        due.c.pokja_id,
        literal("kk").label("doc_type"),
        _key("isbat-f-", due.c.entry_id, literal(0)).label("key"),
        married.label("marital"),
        literal(False).label("unregistered"),
    )
    akta = (
        select(
            due.c.entry_id,
            child.resident_id.label("child"),
            child.resident_id.label("main"),
            due.c.pokja_id,
            literal("akta_kelahiran").label("doc_type"),
            _key("isbat-f-", due.c.entry_id, child.resident_id).label("key"),
            married.label("marital"),
            literal(False).label("unregistered"),
        )
        .join(
            mother,
            and_(mother.resident_id == due.c.wife_id, mother.role == "ibu"),
        )
        .join(
            child,
            and_(child.referral_id == mother.referral_id, child.role == "anak"),
        )
        .distinct()
    )
    rows = union_all(kk, akta).subquery()
    made = _insert_cases(
        rows,
        (rows.c.entry_id, rows.c.child),
        year=to_wib(now).year,
        destination=destination,
        note=FOLLOWUP_NOTE,
        user=user,
        now=now,
    )
    if not made:
        return 0
    kk_of, akta_entry = {}, {}
    for rid, key, doc_type, _main in made:
        entry_id = int(key.split("-")[2])
        if doc_type == "kk":
            kk_of[entry_id] = rid
        else:
            akta_entry[rid] = entry_id
    _followup_persons(kk_of, akta_entry)
    _copy_checklists([row[0] for row in made], vocab.KAWIN_TERCATAT, False)
    db.session.execute(
        update(IsbatEntry)
        .where(IsbatEntry.id.in_(sorted(kk_of)))
        .values(followups_at=now)
        .execution_options(synchronize_session=False)
    )
    record(
        "isbat.followups",
        entity_type="isbatsession",
        entity_id=session_id,
        after={"entries": sorted(kk_of), "referral_ids": [row[0] for row in made]},
        user=user,
    )
    return len(made)


def _followup_persons(kk_of: dict[int, int], akta_entry: dict[int, int]) -> None:
    """The persons of the follow-up cases in one INSERT ... SELECT: the KK's head
    and members, each akta's child, mother and father."""
    columns = ["referral_id", "resident_id", "role", "sort"]
    entries = IsbatEntry.id.in_(list(kk_of))
    kk_case = case(kk_of, value=IsbatEntry.id)
    parts = [
        select(kk_case, Couple.husband_id, literal("kepala_keluarga"), literal(0))
        .join(Couple, Couple.id == IsbatEntry.couple_id)
        .where(entries),
        select(kk_case, Couple.wife_id, literal("anggota"), literal(1))
        .join(Couple, Couple.id == IsbatEntry.couple_id)
        .where(entries),
    ]
    if akta_entry:
        aktas = Referral.id.in_(list(akta_entry))
        of_entry = case(akta_entry, value=Referral.id)
        kk_by_akta = {rid: kk_of[e] for rid, e in akta_entry.items() if e in kk_of}
        parents = (
            select(
                Referral.id.label("rid"),
                Couple.wife_id.label("wife_id"),
                Couple.husband_id.label("husband_id"),
            )
            .join(IsbatEntry, IsbatEntry.id == of_entry)
            .join(Couple, Couple.id == IsbatEntry.couple_id)
            .where(aktas)
            .subquery()
        )
        parts += [
            select(
                Referral.id, Referral.resident_id, literal("anak"), literal(0)
            ).where(aktas),
            select(parents.c.rid, parents.c.wife_id, literal("ibu"), literal(1)),
            select(parents.c.rid, parents.c.husband_id, literal("ayah"), literal(2)),
            select(
                case(kk_by_akta, value=Referral.id),
                Referral.resident_id,
                literal("anggota"),
                literal(2),
            ).where(aktas),
        ]
    db.session.execute(insert(ReferralPerson).from_select(columns, union_all(*parts)))
