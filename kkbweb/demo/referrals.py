"""Demo residents and referrals for all 12 Pokja: every status, some overdue.

Scale 1 is about 5,000 referrals over one year; scale 10 about 50,000 over five
years (the growth target in QUALITY.md). NIKs are valid-looking Cilegon NIKs with
serial numbers 9000-9999, a range real registrations practically never reach, and no
phone numbers are generated: demo data must not be anybody's real data.
"""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from kkbweb import roles
from kkbweb.audit.log import record
from kkbweb.auth.models import User
from kkbweb.demo import column, texts
from kkbweb.extensions import db
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.referrals import routing, service, workflow
from kkbweb.referrals.models import (
    EVENT_ASSIGN,
    EVENT_STATUS,
    ChecklistItem,
    Referral,
    ReferralEvent,
    ReferralPaper,
    ReferralPerson,
    Resident,
)
from kkbweb.referrals.vocab import DOC_ROLES
from kkbweb.timeutil import to_wib, utcnow

REFERRALS_PER_POKJA = 420

W = workflow
# (next status, weight, (min days, max days)): the realistic ways a step goes on.
NEXT = {
    W.DIAJUKAN: [
        (W.BERKAS_LENGKAP, 62, (0, 3)),
        (W.BERKAS_TIDAK_LENGKAP, 33, (0, 3)),
        (W.DIBATALKAN, 5, (1, 10)),
    ],
    W.BERKAS_TIDAK_LENGKAP: [
        (W.BERKAS_LENGKAP, 90, (2, 21)),
        (W.DIBATALKAN, 6, (5, 40)),
    ],
    W.BERKAS_LENGKAP: [
        (W.DITERUSKAN, 95, (0, 4)),
        (W.BERKAS_TIDAK_LENGKAP, 5, (1, 3)),
    ],
    W.DITERUSKAN: [
        (W.DIPROSES, 93, (0, 8)),
        (W.DITOLAK, 5, (1, 5)),
        (W.DIBATALKAN, 2, (3, 20)),
    ],
    W.DIPROSES: [(W.SELESAI, 94, (0, 9)), (W.DITOLAK, 6, (1, 7))],
    W.SELESAI: [(W.DISERAHKAN, 100, (0, 10))],
    W.DITOLAK: [(W.BERKAS_TIDAK_LENGKAP, 70, (1, 10)), (W.DIBATALKAN, 30, (2, 20))],
}
# Short paths that end in each status, used to make sure every Pokja shows all.
FORCED = {
    W.DIAJUKAN: [],
    W.BERKAS_TIDAK_LENGKAP: [W.BERKAS_TIDAK_LENGKAP],
    W.BERKAS_LENGKAP: [W.BERKAS_LENGKAP],
    W.DITERUSKAN: [W.BERKAS_LENGKAP, W.DITERUSKAN],
    W.DIPROSES: [W.BERKAS_LENGKAP, W.DITERUSKAN, W.DIPROSES],
    W.SELESAI: [W.BERKAS_LENGKAP, W.DITERUSKAN, W.DIPROSES, W.SELESAI],
    W.DISERAHKAN: [W.BERKAS_LENGKAP, W.DITERUSKAN, W.DIPROSES, W.SELESAI, W.DISERAHKAN],
    W.DITOLAK: [W.BERKAS_LENGKAP, W.DITERUSKAN, W.DITOLAK],
    W.DIBATALKAN: [W.BERKAS_TIDAK_LENGKAP, W.DIBATALKAN],
    # A buku nikah ends at the akad.
    W.AKAD: [W.BERKAS_LENGKAP, W.DITERUSKAN, W.DIPROSES, W.AKAD],
}
DOC_WEIGHTS = {
    "akta_kelahiran": 30,
    "kk": 18,
    "ktp_el": 13,
    "kia": 10,
    "buku_nikah": 9,
    "akta_kematian": 8,
    "itsbat_nikah": 7,
    "akta_perkawinan": 5,
}
RELIGION_WEIGHTS = {
    "islam": 940,
    "kristen": 30,
    "katolik": 15,
    "buddha": 9,
    "hindu": 3,
    "konghucu": 3,
}
# Residents' names: the common lists by sex, and own lists for some religions
# (religion left empty in the file: the common lists).
NAMES = "referrals_names"
MALE = column(NAMES, "name", religion="", sex="L")
FEMALE = column(NAMES, "name", religion="", sex="P")
OTHER_NAMES = {
    religion: (
        column(NAMES, "name", religion=religion, sex="L"),
        column(NAMES, "name", religion=religion, sex="P"),
    )
    for religion in dict.fromkeys(column(NAMES, "religion"))
    if religion
}
KAMPUNG = column("referrals_places", "address")
REJECT_REASONS = column("referrals_reasons", "text", status=W.DITOLAK)
CANCEL_REASONS = column("referrals_reasons", "text", status=W.DIBATALKAN)
# A typical note per document type.
NOTES = texts("referrals_notes")


def _nik(rng: random.Random, kecamatan_code: str, birth: date, sex: str) -> str:
    """A valid-looking NIK with a 9xxx serial (no real registration goes that far)."""
    day = birth.day + (40 if sex == "P" else 0)
    region = kecamatan_code.replace(".", "")
    serial = rng.randint(9000, 9999)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial}"


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _person(rng, religion: str, doc_type: str, created: datetime):
    """Name, sex and birth date fitting the document (a newborn for a birth)."""
    sex = rng.choice("LP")
    if religion in OTHER_NAMES:
        name = rng.choice(OTHER_NAMES[religion][0 if sex == "L" else 1])
    else:
        name = rng.choice(MALE if sex == "L" else FEMALE)
    created_day = created.date()
    if doc_type == "akta_kelahiran":
        birth = created_day - timedelta(days=rng.randint(1, 55))
        name = f"Bayi {name.split()[0]}" if rng.random() < 0.2 else name
    elif doc_type == "kia":
        birth = created_day - timedelta(days=rng.randint(365, 16 * 365))
    elif doc_type in ("buku_nikah", "akta_perkawinan", "itsbat_nikah"):
        birth = created_day - timedelta(days=rng.randint(20 * 365, 45 * 365))
    elif doc_type == "akta_kematian":
        birth = created_day - timedelta(days=rng.randint(55 * 365, 90 * 365))
    else:
        birth = created_day - timedelta(days=rng.randint(17 * 365, 70 * 365))
    return name, sex, birth


def _path(
    rng, created: datetime, now: datetime, forced: list[str] | None, doc_type: str
):
    """[(status, at)] after intake, stopping at a terminal status or at now."""
    steps, status, at = [], W.DIAJUKAN, created
    if forced is not None:
        for target in forced:
            at = at + timedelta(hours=rng.randint(20, 60))
            steps.append((target, at))
        return steps
    for _ in range(12):
        if status in W.TERMINAL_STATUSES:
            break
        options = NEXT[status]
        target, _, (low, high) = rng.choices(
            options, weights=[weight for _, weight, _ in options]
        )[0]
        if doc_type == "buku_nikah" and target == W.SELESAI:
            target = W.AKAD  # handed over at the akad
        days = rng.uniform(low, high)
        if rng.random() < 0.04:
            days *= 5  # the occasional referral that gets stuck
        next_at = at + timedelta(days=days, hours=rng.randint(1, 8))
        if next_at > now:
            break
        steps.append((target, next_at))
        status, at = target, next_at
    return steps


def seed(
    scale: int = 1, per_pokja: int | None = None, seed_value: int = 20240527
) -> int:
    """Add demo residents and referrals unless referrals exist; return how many."""
    if db.session.scalar(select(Referral.id).limit(1)) is not None:
        return 0
    service.ensure_checklists()
    rng = random.Random(seed_value)
    now = utcnow()
    count = per_pokja if per_pokja is not None else REFERRALS_PER_POKJA * max(scale, 1)
    span = timedelta(days=min(365 * 5, 365 + 146 * (max(scale, 1) - 1)))
    pokja_rows = db.session.execute(
        select(Pokja, Kecamatan).join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
    ).all()
    users = db.session.execute(select(User.id, User.role, User.pokja_id)).all()
    staff = (
        [u.id for u in users if u.role == roles.STAF]
        or [u.id for u in users if u.role == roles.ADMIN]
        or [None]
    )
    pokja_users = {u.pokja_id: u.id for u in users if u.role == roles.POKJA}
    checklists: dict[str, list[tuple[str, int]]] = {}
    for item in db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.active.is_(True), ChecklistItem.condition.is_(None))
        .order_by(ChecklistItem.sort, ChecklistItem.id)
    ):
        checklists.setdefault(item.doc_type, []).append((item.label, item.sort))

    plans = []  # one dict per referral, residents first
    for pokja, kecamatan in pokja_rows:
        cadre = pokja_users.get(pokja.id)
        forced = list(FORCED)
        for index in range(count):
            created = now - span * (rng.random() ** 1.3)
            force = None
            if index < len(forced):
                # Recent, so that each status shows up open; every third is old
                # enough in its status to be overdue.
                force = FORCED[forced[index]]
                created = now - timedelta(days=rng.randint(2, 6) + 12 * len(force))
                if index % 3 == 0:
                    created -= timedelta(days=30)
            doc_type = _pick(rng, DOC_WEIGHTS)
            religion = _pick(rng, RELIGION_WEIGHTS)
            if doc_type == "akta_perkawinan" and religion == "islam":
                doc_type = "buku_nikah"
            if force is not None and W.AKAD in force:
                doc_type, religion = "buku_nikah", "islam"
            elif force is not None and W.SELESAI in force and doc_type == "buku_nikah":
                doc_type = "akta_kelahiran"
            name, sex, birth = _person(rng, religion, doc_type, created)
            has_nik = not (doc_type == "akta_kelahiran" and rng.random() < 0.7)
            plans.append(
                {
                    "pokja": pokja,
                    "kecamatan": kecamatan,
                    "cadre": cadre,
                    "created": created,
                    "doc_type": doc_type,
                    "steps": _path(rng, created, now, force, doc_type),
                    "resident": {
                        "name": name,
                        "sex": sex,
                        "birth_date": birth if rng.random() < 0.9 else None,
                        "religion": religion if rng.random() < 0.97 else None,
                        "phone": None,
                        "address": f"{rng.choice(KAMPUNG)} No. {rng.randint(1, 120)}",
                        "rt": f"{rng.randint(1, 12):03d}",
                        "rw": f"{rng.randint(1, 8):03d}",
                        "pokja_id": pokja.id,
                        "nik": _nik(rng, kecamatan.code, birth, sex)
                        if has_nik
                        else None,
                        "created_by_id": cadre,
                        "created_at": created - timedelta(minutes=rng.randint(5, 90)),
                        "version": 1,
                    },
                }
            )

    # Ids are handed out here so that plain executemany inserts can be used (an
    # INSERT ... RETURNING of tens of thousands of rows is far slower).
    first_resident = (db.session.scalar(select(func.max(Resident.id))) or 0) + 1
    for offset, plan in enumerate(plans):
        plan["resident"]["id"] = plan["resident_id"] = first_resident + offset
    _bulk(Resident, [plan["resident"] for plan in plans])

    # Yearly numbers follow intake order, as they would have been handed out.
    plans.sort(key=lambda plan: plan["created"])
    next_seq: dict[int, int] = dict(
        db.session.execute(
            select(Referral.code_year, func.max(Referral.code_seq)).group_by(
                Referral.code_year
            )
        ).all()
    )
    first_referral = (db.session.scalar(select(func.max(Referral.id))) or 0) + 1
    referral_rows, events, papers, persons = [], [], [], []
    for offset, plan in enumerate(plans):
        year = to_wib(plan["created"]).year
        next_seq[year] = next_seq.get(year, 0) + 1
        row = _referral_row(rng, plan, year, next_seq[year], staff)
        row["id"] = first_referral + offset
        referral_rows.append(row)
        events.extend(_events(rng, plan, row["id"], staff))
        papers.extend(_papers(rng, plan, row["id"], checklists))
        persons.append(
            {
                "referral_id": row["id"],
                "resident_id": plan["resident_id"],
                "role": DOC_ROLES[plan["doc_type"]][0],
                "sort": 0,
            }
        )
    _bulk(Referral, referral_rows)
    _bulk(ReferralEvent, events)
    _bulk(ReferralPaper, papers)
    _bulk(ReferralPerson, persons)
    _advance_sequences(Resident, Referral)
    record(
        "referral.demo_seed",
        entity_type="referral",
        note=f"{len(plans)} rujukan demo untuk {len(pokja_rows)} Pokja",
    )
    return len(plans)


def _bulk(model, rows: list[dict], chunk: int = 5000) -> None:
    """Plain executemany inserts on the table, in chunks."""
    for start in range(0, len(rows), chunk):
        db.session.execute(model.__table__.insert(), rows[start : start + chunk])


def _advance_sequences(*models) -> None:
    """PostgreSQL: move the id sequences past the ids inserted explicitly."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def _referral_row(rng, plan: dict, year: int, seq: int, staff: list) -> dict:
    """The referral's final state after its steps."""
    pokja, kecamatan, doc_type = plan["pokja"], plan["kecamatan"], plan["doc_type"]
    suggestion = routing.suggest_destination(
        doc_type, plan["resident"]["religion"], kecamatan.display_name
    )
    status, changed = W.DIAJUKAN, plan["created"]
    completed = handed = None
    for status, changed in plan["steps"]:
        if status == W.SELESAI and completed is None:
            completed = changed
        if status in (W.DISERAHKAN, W.AKAD):
            handed = changed
    reached_dinas = any(
        s in (W.DITERUSKAN, W.DIPROSES, W.SELESAI, W.DITOLAK) for s, _ in plan["steps"]
    )
    plan["assignee"] = (
        rng.choice(staff) if reached_dinas and rng.random() < 0.85 else None
    )
    return {
        "code_year": year,
        "code_seq": seq,
        "resident_id": plan["resident_id"],
        "pokja_id": pokja.id,
        "doc_type": doc_type,
        "destination_code": suggestion.code,
        "destination_name": suggestion.name,
        "destination_address": service.destination_address(
            suggestion.code, pokja, kecamatan
        ),
        "status": status,
        "status_changed_at": changed,
        "holder": W.HOLDER.get(status),
        "assigned_to_id": plan["assignee"],
        "notes": NOTES[doc_type] if rng.random() < 0.3 else None,
        "created_by_id": plan["cadre"],
        "created_at": plan["created"],
        "completed_at": completed,
        "handed_over_at": handed,
        "version": 1 + len(plan["steps"]),
    }


def _events(rng, plan: dict, referral_id: int, staff: list) -> list[dict]:
    """The history after intake (whose line the database writes with the row,
    models.FIRST_EVENT_SQL): each step by a role allowed to make it, one
    assignment."""
    rows = []
    previous = W.DIAJUKAN
    for target, at in plan["steps"]:
        allowed = {
            t.target: t
            for t in W.allowed_moves(previous, roles.POKJA, plan["doc_type"])
        }
        by_pokja = target in allowed and rng.random() < 0.8
        user = plan["cadre"] if by_pokja else (plan["assignee"] or rng.choice(staff))
        if target == W.DITERUSKAN and plan["assignee"]:
            rows.append(
                {
                    "referral_id": referral_id,
                    "kind": EVENT_ASSIGN,
                    "from_status": previous,
                    "to_status": previous,
                    "user_id": plan["assignee"],
                    "at": at - timedelta(hours=1),
                    "note": "Diambil petugas dinas.",
                    "holder": W.HOLDER[previous],
                }
            )
        note = None
        if target == W.DITOLAK:
            note = rng.choice(REJECT_REASONS)
        elif target == W.DIBATALKAN:
            note = rng.choice(CANCEL_REASONS)
        rows.append(
            {
                "referral_id": referral_id,
                "kind": EVENT_STATUS,
                "from_status": previous,
                "to_status": target,
                "user_id": user,
                "at": at,
                "note": note,
                "holder": W.HOLDER.get(target),
            }
        )
        previous = target
    return rows


def _papers(rng, plan: dict, referral_id: int, checklists: dict) -> list[dict]:
    """The checklist copy, ticked as far as the referral got."""
    complete = any(s == W.BERKAS_LENGKAP for s, _ in plan["steps"])
    rows = []
    for label, sort in checklists.get(plan["doc_type"], []):
        # Alternatives and "bagi ..."/"bila ..." papers only apply to some people.
        optional = (
            label.startswith("Pengganti") or " bagi " in label or " bila " in label
        )
        if complete:
            received = rng.random() < 0.15 if optional else True
        else:
            received = not optional and rng.random() < 0.4
        rows.append(
            {
                "referral_id": referral_id,
                "label": label,
                "sort": sort,
                "received": received,
                "received_at": plan["created"] if received else None,
                "received_by_id": plan["cadre"] if received else None,
            }
        )
    return rows
