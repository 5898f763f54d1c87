"""Demo poktan: 2-4 groups per Pokja named by RW, 10-30 families each with
Indonesian names and plausible birth dates, monthly sessions with family
attendance (and KKA for BKB children present), a few walk-ins.

`seed(scale)` covers 12 x scale months back from today (scale 10: the growth
benchmark's ten years, ~4,000 sessions and ~80,000 marks). Deterministic (fixed
random seed) and bulk-inserted; names, topics and businesses are in data/poktan_*.csv.
"""

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from kkbweb import roles
from kkbweb.audit.log import record
from kkbweb.auth.models import User
from kkbweb.demo import column, grouped, rows
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.poktan import vocab
from kkbweb.poktan.models import (
    Household,
    Poktan,
    PoktanAttendance,
    PoktanGuest,
    PoktanMembership,
    PoktanSession,
)
from kkbweb.timeutil import today_wib

BATCH = 5_000
WORDS = grouped("poktan_words", "kind", "word")
TOPICS = grouped("poktan_topics", "kind", "topic")
BUSINESSES = [(r["business"], r["sub_sector"]) for r in rows("poktan_businesses")]
HEADS = column("poktan_names", "name", role="head")
CHILDREN = {s: column("poktan_names", "name", role="child", sex=s) for s in "LP"}
YOUTH = {s: column("poktan_names", "name", role="youth", sex=s) for s in "LP"}
ELDERS = {s: column("poktan_names", "name", role="elder", sex=s) for s in "LP"}
STREETS = ("Jl. Kemang", "Jl. Masjid", "Gg. Mawar", "Jl. Raya", "Gg. Haji Usman")
# Kinds after the always-present BKB, in the order a Pokja adds them.
MORE_KINDS = (vocab.BKL, vocab.BKR, vocab.PIKR, vocab.UPPKA)
METHODS = ("suntik", "suntik", "pil", "implan", "iud", "kondom", "mow")
# Target member's age range in years, per kind (UPPKA: no person).
AGES = {vocab.BKB: (0, 5), vocab.BKR: (10, 18), vocab.BKL: (60, 84),
        vocab.PIKR: (14, 23)}  # fmt: skip


def seed(scale: int = 1) -> int:
    """Add poktan, families and sessions unless poktan exist; return sessions made."""
    if db.session.scalar(select(func.count()).select_from(Poktan)):
        return 0
    scale = max(1, int(scale))
    rng = random.Random(20240603)
    today = today_wib()
    first = _add_months(today.replace(day=1), -(12 * scale - 1))
    authors = _authors()
    pokja_ids = db.session.scalars(
        select(Pokja.id).where(Pokja.is_active.is_(True)).order_by(Pokja.id)
    ).all()
    if not pokja_ids:
        return 0
    made = 0
    for pokja_id in pokja_ids:
        groups = _groups(rng, pokja_id, first, authors.get(pokja_id))
        members = _families(rng, pokja_id, groups, first, today)
        made += _sessions(rng, pokja_id, groups, members, first, today)
    record(
        "poktan.demo_seed",
        entity_type="poktan",
        note=f"data demo: {made} pertemuan poktan (skala {scale})",
    )
    return made


def _authors() -> dict[int, int]:
    """Each Pokja's own demo user, who typed its poktan."""
    found: dict[int, int] = {}
    for user_id, role, pokja_id in db.session.execute(
        select(User.id, User.role, User.pokja_id).order_by(User.id)
    ):
        if role == roles.POKJA and pokja_id is not None:
            found.setdefault(pokja_id, user_id)
    return found


def _groups(rng, pokja_id: int, first: date, author) -> list[dict]:
    """2-4 poktan of a Pokja, each in its own RW, named "BKB Melati RW 03"."""
    kinds = [vocab.BKB, *MORE_KINDS[: rng.randint(1, 3)]]
    rws = rng.sample(range(1, 13), len(kinds))
    groups = []
    for kind, rw in zip(kinds, rws, strict=True):
        label = vocab.KINDS[kind]
        name = f"{label} {rng.choice(WORDS[kind])} RW {rw:02d}"
        since = first - timedelta(days=rng.randint(200, 2000))
        groups.append(
            {
                "pokja_id": pokja_id,
                "kind": kind,
                "name": name,
                "rw": f"{rw:02d}",
                "ketua_name": rng.choice(HEADS),
                "kader_name": rng.choice(HEADS),
                "sk_number": f"{rng.randint(10, 99)}/SK-{label}/{since.year}",
                "sk_date": since,
                "since": since,
                "is_active": True,
                "created_by_id": author,
            }
        )
    ids = db.session.execute(
        insert(Poktan).returning(Poktan.id, sort_by_parameter_order=True), groups
    ).scalars()
    for group, poktan_id in zip(groups, ids, strict=True):
        group["id"] = poktan_id
    return groups


def _families(rng, pokja_id, groups, first: date, today: date) -> dict[int, list]:
    """10-30 member families per poktan; some BKB households also in the BKL.

    Returns per poktan the (membership id, household id, joined, left) rows.
    """
    households, plans = [], []
    for group in groups:
        for _ in range(rng.randint(10, 30)):
            households.append(
                {
                    "pokja_id": pokja_id,
                    "head_name": rng.choice(HEADS),
                    "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 90)}",
                    "rt": f"{rng.randint(1, 8):02d}",
                    "rw": group["rw"],
                    "phone": f"08{rng.randint(11, 99)}{rng.randint(10**6, 10**7 - 1)}"
                    if rng.random() < 0.6
                    else None,
                }
            )
            plans.append(group)
    ids = list(
        db.session.execute(
            insert(Household).returning(Household.id, sort_by_parameter_order=True),
            households,
        ).scalars()
    )
    memberships = []
    by_kind = {g["kind"]: g for g in groups}
    for household_id, group in zip(ids, plans, strict=True):
        memberships.append(_membership(rng, group, household_id, first, today))
        # A family with a balita and a grandparent: also in the BKL.
        if group["kind"] == vocab.BKB and vocab.BKL in by_kind and rng.random() < 0.1:
            memberships.append(
                _membership(rng, by_kind[vocab.BKL], household_id, first, today)
            )
    member_ids = db.session.execute(
        insert(PoktanMembership).returning(
            PoktanMembership.id, sort_by_parameter_order=True
        ),
        memberships,
    ).scalars()
    found: dict[int, list] = {g["id"]: [] for g in groups}
    for row, member_id in zip(memberships, member_ids, strict=True):
        found[row["poktan_id"]].append(
            (member_id, row["household_id"], row["joined_on"], row["left_on"])
        )
    return found


def _membership(rng, group, household_id: int, first: date, today: date) -> dict:
    """The target member of a family, plausible for the kind; PUS and KB."""
    kind = group["kind"]
    sex = rng.choice("LP")
    row = {
        "poktan_id": group["id"],
        "household_id": household_id,
        "pokja_id": group["pokja_id"],
        "target_name": None,
        "target_sex": None,
        "target_birth_date": None,
        "business": None,
        "sub_sector": None,
    }
    if kind in AGES:
        low, high = AGES[kind]
        pool = {vocab.BKB: CHILDREN, vocab.BKL: ELDERS}.get(kind, YOUTH)
        born = today - timedelta(days=rng.randint(low * 365 + 20, high * 365 + 360))
        row.update(
            target_name=rng.choice(pool[sex]), target_sex=sex, target_birth_date=born
        )
    else:
        row["business"], row["sub_sector"] = rng.choice(BUSINESSES)
    pus = kind in (vocab.BKB, vocab.BKR, vocab.UPPKA) and rng.random() < 0.85
    uses_kb = pus and rng.random() < 0.65
    joined = first + timedelta(days=rng.randint(-400, 120))
    left = None
    if rng.random() < 0.08:
        left = min(today, joined + timedelta(days=rng.randint(90, 400)))
    row.update(
        is_pus=pus,
        uses_kb=uses_kb,
        kb_method=rng.choice(METHODS) if uses_kb else None,
        joined_on=joined,
        left_on=left,
    )
    return row


def _sessions(rng, pokja_id, groups, members, first: date, today: date) -> int:
    """Monthly sessions (most months) with a roll call of the member families."""
    sessions, plans = [], []
    for group in groups:
        month = first
        while month <= today:
            if rng.random() < (0.9 if group["kind"] == vocab.BKB else 0.7):
                last = min(_add_months(month, 1) - timedelta(days=1), today)
                day = month + timedelta(
                    days=rng.randint(0, max((last - month).days, 0))
                )
                sessions.append(
                    {
                        "poktan_id": group["id"],
                        "pokja_id": pokja_id,
                        "kind": group["kind"],
                        "date": day,
                        "place": f"Balai warga RW {group['rw']}",
                        "topic": rng.choice(TOPICS[group["kind"]]),
                        "speaker": rng.choice(("Bidan kelurahan", "PKB", "Kader")),
                        "kader_present": group["kader_name"],
                        "created_by_id": group["created_by_id"],
                    }
                )
                plans.append(group)
            month = _add_months(month, 1)
    if not sessions:
        return 0
    ids = db.session.execute(
        insert(PoktanSession).returning(PoktanSession.id, sort_by_parameter_order=True),
        sessions,
    ).scalars()
    marks, guests = [], []
    for session, group, session_id in zip(sessions, plans, ids, strict=True):
        share = rng.uniform(0.55, 0.9)
        for member_id, household_id, joined, left in members[group["id"]]:
            if joined > session["date"] or (
                left is not None and left < session["date"]
            ):
                continue
            here = rng.random() < share
            marks.append(
                {
                    "session_id": session_id,
                    "membership_id": member_id,
                    "household_id": household_id,
                    "pokja_id": pokja_id,
                    "status": vocab.PRESENT if here else vocab.ABSENT,
                    "kka_filled": here
                    and group["kind"] == vocab.BKB
                    and rng.random() < 0.8,
                    "marked_by_id": group["created_by_id"],
                }
            )
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            guests.append(
                {
                    "session_id": session_id,
                    "pokja_id": pokja_id,
                    "name": rng.choice(HEADS),
                    "note": "Warga RW tetangga",
                }
            )
        if len(marks) >= BATCH:
            db.session.execute(insert(PoktanAttendance), marks)
            marks = []
    if marks:
        db.session.execute(insert(PoktanAttendance), marks)
    if guests:
        db.session.execute(insert(PoktanGuest), guests)
    return len(sessions)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
