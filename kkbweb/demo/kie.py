"""Demo KIE data: campaigns and realistic activity logs for every Pokja.

`seed(scale)` covers `scale` years back from today with about 7 x scale entries per
Pokja per month: scale 1 gives a year (~1,000 entries for 12 Pokja), scale 10 ten
years of a busier programme (~100,000 entries), the benchmarks' 10x volume.
Deterministic (fixed random seed) and bulk-inserted.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from kkbweb import roles
from kkbweb.audit.log import record
from kkbweb.auth.models import User
from kkbweb.demo import grouped, rows, texts
from kkbweb.extensions import db
from kkbweb.kie.models import (
    KieActivity,
    KieCampaign,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.kie.vocab import default_rows
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.timeutil import WIB, today_wib, utcnow

BATCH = 2_000

# The words that fill a scenario's {placeholders}, drawn in this (file) order.
WORDS = grouped("kie_words", "word", "value")
TOPIC_TITLES = texts("kie_topic_titles")


@dataclass(frozen=True)
class Scenario:
    """A kind of activity Pokja really run, with plausible ranges."""

    weight: int
    activity_type: str
    method: str
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    media: tuple[str, ...]
    kategori: str
    title: str
    place: str
    speaker: str
    mitra: str
    male: tuple[int, int]
    female: tuple[int, int]
    reach: tuple[int, int] | None = None


def _range(low: str, high: str) -> tuple[int, int] | None:
    """Two cells as an inclusive range; empty cells: none."""
    return (int(low), int(high)) if low else None


SCENARIOS = [
    Scenario(
        weight=int(row["weight"]),
        activity_type=row["activity_type"],
        method=row["method"],
        topics=tuple(row["topics"].split()),
        audiences=tuple(row["audiences"].split()),
        media=tuple(row["media"].split()),
        kategori=row["kategori"],
        title=row["title"],
        place=row["place"],
        speaker=row["speaker"],
        mitra=row["mitra"],
        male=_range(row["male_min"], row["male_max"]),
        female=_range(row["female_min"], row["female_max"]),
        reach=_range(row["reach_min"], row["reach_max"]),
    )
    for row in rows("kie_scenarios")
]


def _month_day(text: str) -> tuple[int, int]:
    """'06-30' as (6, 30)."""
    month, day = text.split("-")
    return int(month), int(day)


# (name, theme, start month/day, end month/day, how many Pokja, scenario topics)
CAMPAIGNS = [
    (
        row["name"],
        row["theme"],
        _month_day(row["start"]),
        _month_day(row["end"]),
        int(row["pokja_count"]),
        row["topic"],
    )
    for row in rows("kie_campaigns")
]


def seed_terms() -> int:
    """Insert the default vocabulary terms that are missing; return how many."""
    existing = {
        tuple(row) for row in db.session.execute(select(KieTerm.kind, KieTerm.code))
    }
    missing = [r for r in default_rows() if (r["kind"], r["code"]) not in existing]
    if missing:
        db.session.execute(insert(KieTerm), missing)
    return len(missing)


def seed(scale: int = 1) -> int:
    """Add campaigns and activity logs unless KIE data exists; return entries made."""
    seed_terms()
    if db.session.scalar(select(func.count()).select_from(KieActivity)):
        return 0
    scale = max(1, int(scale))
    rng = random.Random(20240527)
    terms = {
        (kind, code): term_id
        for term_id, kind, code in db.session.execute(
            select(KieTerm.id, KieTerm.kind, KieTerm.code)
        )
    }
    pokja = db.session.execute(
        select(Pokja.id, Pokja.display_name, Kecamatan.display_name)
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.id)
    ).all()
    if not pokja:
        return 0
    authors = _authors()
    today = today_wib()
    first = _add_months(today.replace(day=1), -(12 * scale - 1))
    campaigns = _seed_campaigns(rng, [p[0] for p in pokja], first, today, authors)

    scenarios = [s for s in SCENARIOS for _ in range(s.weight)]
    rows, links = [], []
    made = 0
    for pokja_id, pokja_name, kecamatan in pokja:
        month = first
        while month <= today:
            last_day = min(_add_months(month, 1) - timedelta(days=1), today)
            for _ in range(rng.randint(4 * scale, 10 * scale)):
                day = month + timedelta(days=rng.randint(0, (last_day - month).days))
                campaign = _campaign_for(campaigns, pokja_id, day, rng)
                scenario = _scenario(rng, scenarios, campaign)
                row, term_ids = _entry(
                    rng, scenario, terms, pokja_id, pokja_name, kecamatan, day
                )
                row["campaign_id"] = campaign[0] if campaign else None
                row["created_by_id"] = authors.get(pokja_id, authors.get(None))
                rows.append(row)
                links.append(term_ids)
                if len(rows) >= BATCH:
                    made += _flush(rows, links)
                    rows, links = [], []
            month = _add_months(month, 1)
    made += _flush(rows, links)
    record(
        "kie.demo_seed",
        entity_type="kie_activity",
        note=f"data demo: {made} kegiatan, {len(campaigns)} kampanye (skala {scale})",
    )
    return made


def _authors() -> dict[int | None, int]:
    """Who typed the demo entries: the Pokja's own user, else a staf or admin."""
    authors: dict[int | None, int] = {}
    for user_id, role, pokja_id in db.session.execute(
        select(User.id, User.role, User.pokja_id).order_by(User.id)
    ):
        if role == roles.POKJA and pokja_id is not None:
            authors.setdefault(pokja_id, user_id)
        elif role in (roles.STAF, roles.ADMIN):
            authors.setdefault(None, user_id)
    return authors


def _seed_campaigns(rng, pokja_ids, first: date, today: date, authors) -> list[tuple]:
    """Yearly campaigns within the period; return (id, start, end, pokja, topic)."""
    made = []
    for year in range(first.year, today.year + 1):
        for name, theme, start_md, end_md, how_many, topic in CAMPAIGNS:
            start, end = date(year, *start_md), date(year, *end_md)
            if start > today or end < first:
                continue
            members = sorted(rng.sample(pokja_ids, min(how_many, len(pokja_ids))))
            campaign_id = db.session.execute(
                insert(KieCampaign).returning(KieCampaign.id),
                {
                    "name": name.format(year=year),
                    "theme": theme,
                    "start_date": start,
                    "end_date": end,
                    "created_by_id": authors.get(None),
                    "created_at": _typed_at(start - timedelta(days=14)),
                    "updated_at": _typed_at(start - timedelta(days=14)),
                },
            ).scalar_one()
            db.session.execute(
                insert(kie_campaign_pokja),
                [{"campaign_id": campaign_id, "pokja_id": p} for p in members],
            )
            made.append((campaign_id, start, end, set(members), topic))
    return made


def _campaign_for(campaigns, pokja_id: int, day: date, rng):
    """Most entries in a campaign's period and Pokja belong to it."""
    for campaign in campaigns:
        _, start, end, members, _ = campaign
        if start <= day <= end and pokja_id in members and rng.random() < 0.7:
            return campaign
    return None


def _scenario(rng, scenarios, campaign) -> Scenario:
    """A random scenario; within a campaign, one about its topic."""
    if campaign is not None:
        topic = campaign[4]
        fitting = [s for s in scenarios if topic in s.topics]
        if fitting:
            return rng.choice(fitting)
    return rng.choice(scenarios)


def _entry(rng, s: Scenario, terms, pokja_id, pokja_name, kecamatan, day):
    """One activity row (dict) and its term ids."""
    topics = list(s.topics)
    if len(topics) > 1 and rng.random() < 0.3:
        topics = topics[: rng.randint(1, len(topics))]
    words = {word: rng.choice(values) for word, values in WORDS.items()}
    words |= {
        "rw": f"{rng.randint(1, 12):02d}",
        "rt": f"{rng.randint(1, 8):02d}",
        "pokja": pokja_name,
        "kec": kecamatan,
        "topic_title": TOPIC_TITLES.get(topics[0], topics[0].replace("_", " ")),
    }
    male, female = rng.randint(*s.male), rng.randint(*s.female)
    reach = rng.randint(*s.reach) if s.reach else None
    typed = _typed_at(day + timedelta(days=rng.choice((0, 0, 1, 2, 5))))
    row = {
        "pokja_id": pokja_id,
        "activity_date": day,
        "activity_type": s.activity_type,
        "method_id": terms[("method", s.method)],
        "kategori_id": terms[("kategori", s.kategori)],
        "title": s.title.format(**words)[:150],
        "place": s.place.format(**words)[:150],
        "speaker": s.speaker.format(**words)[:100] or None,
        "mitra": s.mitra.format(**words)[:200] or None,
        "participants_male": male,
        "participants_female": female,
        "estimated_reach": reach,
        "notes": None,
        "created_at": typed,
        "updated_at": typed,
        "form_token": f"{rng.getrandbits(128):032x}",
    }
    term_ids = [terms[("topic", t)] for t in topics]
    term_ids += [terms[("audience", a)] for a in s.audiences]
    term_ids += [terms[("media", m)] for m in s.media if rng.random() < 0.8]
    return row, term_ids


def _flush(rows: list[dict], links: list[list[int]]) -> int:
    """Insert a batch of entries, then their term links.

    A plain executemany without RETURNING, then one select of the new ids by
    their unique form tokens: ORM bulk inserts with RETURNING go row by row here.
    """
    if not rows:
        return 0
    db.session.execute(insert(KieActivity.__table__), rows)
    tokens = [row["form_token"] for row in rows]
    ids = dict(
        db.session.execute(
            select(KieActivity.form_token, KieActivity.id).where(
                KieActivity.form_token.in_(tokens)
            )
        ).all()
    )
    pairs = [
        {"activity_id": ids[token], "term_id": term_id}
        for token, term_ids in zip(tokens, links, strict=True)
        for term_id in term_ids
    ]
    if pairs:
        db.session.execute(insert(kie_activity_term), pairs)
    return len(rows)


def _typed_at(day: date) -> datetime:
    """Evening WIB of a day, as stored naive UTC, never in the future."""
    moment = datetime.combine(day, time(19, 30), WIB).astimezone(UTC)
    return min(moment.replace(tzinfo=None), utcnow())


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` away from the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
