"""Demo monthly reports: six closed months of hand-ins in every state, some late.

Runs after the other features' seeders, so each snapshot holds the figures the
demo meetings, KIE logs and referrals give for that month. The oldest months are
mostly verified (a few after a return); the last closed month is a mix of
handed in, returned, verified and not yet handed in, as in a real first week.
Idempotent: does nothing if any report exists. One recap query per month.
"""

import random
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import func, insert, select

from kkbweb.audit.log import record
from kkbweb.auth.models import User
from kkbweb.demo import column, or_none
from kkbweb.demo.users import demo_username
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.reports import recap
from kkbweb.reports.handin import DEFAULT_DEADLINE_DAY
from kkbweb.reports.models import (
    RETURNED,
    SUBMITTED,
    VERIFIED,
    MonthlyReport,
    MonthlyReportEvent,
)
from kkbweb.reports.months import WIB, Month, deadline, trailing
from kkbweb.timeutil import today_wib, utcnow

MONTHS = 6
# Notes drawn at each step of a hand-in; an empty cell is a step without a note.
POKJA_NOTES = tuple(or_none(t) for t in column("reports_notes", "text", step="pokja"))
RETURN_NOTES = tuple(column("reports_notes", "text", step="return"))
RESUBMIT_NOTES = tuple(column("reports_notes", "text", step="resubmit"))
VERIFY_NOTES = tuple(or_none(t) for t in column("reports_notes", "text", step="verify"))


def seed(scale: int = 1) -> dict[str, int]:
    """Add demo hand-ins for the last closed months; skip if any report exists."""
    if db.session.scalar(select(func.count()).select_from(MonthlyReport)):
        return {"reports": 0, "events": 0}
    rng = random.Random(20240610)
    today = today_wib()
    now = utcnow()
    pokja = db.session.execute(
        select(Pokja.id, Pokja.display_name)
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.id)
    ).all()
    users = {
        u.username: u
        for u in db.session.execute(select(User.username, User.id, User.full_name))
    }
    staff = users.get("demo.staf")
    months = trailing(Month.of(today).previous(), MONTHS)
    reports, histories = [], []
    for age, month in enumerate(reversed(months), start=1):
        figures = recap.compute([p.id for p in pokja], month, now=now)
        for pokja_id, name in pokja:
            author = users.get(demo_username(SimpleNamespace(display_name=name)))
            story = _story(rng, age, month, now)
            if story is None:
                continue  # not handed in (yet)
            steps, status = story
            submitted = [at for action, at in steps if action == SUBMITTED]
            reviewed = [at for action, at in steps if action != SUBMITTED]
            returned = [at for action, at in steps if action == RETURNED]
            reports.append(
                {
                    "pokja_id": pokja_id,
                    "year": month.year,
                    "month": month.month,
                    "status": status,
                    "figures": recap.snapshot(figures.of(pokja_id), submitted[-1]),
                    "note": rng.choice(POKJA_NOTES),
                    "review_note": rng.choice(RETURN_NOTES) if returned else None,
                    "first_submitted_at": submitted[0],
                    "submitted_at": submitted[-1],
                    "submitted_by_id": author.id if author else None,
                    "reviewed_at": reviewed[-1] if reviewed else None,
                    "reviewed_by_id": staff.id if staff and reviewed else None,
                }
            )
            histories.append((steps, author))
    if not reports:
        return {"reports": 0, "events": 0}
    ids = db.session.scalars(
        insert(MonthlyReport).returning(MonthlyReport.id, sort_by_parameter_order=True),
        reports,
    ).all()
    events = []
    for report_id, report, (steps, author) in zip(ids, reports, histories, strict=True):
        submits = 0
        for action, at in steps:
            actor = author if action == SUBMITTED else staff
            if action == SUBMITTED:
                note = report["note"] if submits == 0 else rng.choice(RESUBMIT_NOTES)
                submits += 1
            elif action == RETURNED:
                note = report["review_note"]
            else:
                note = rng.choice(VERIFY_NOTES)
            events.append(
                {
                    "report_id": report_id,
                    "action": action,
                    "user_id": actor.id if actor else None,
                    "user_name": actor.full_name if actor else None,
                    "at": at,
                    "note": note,
                }
            )
    db.session.execute(insert(MonthlyReportEvent), events)
    counts = {"reports": len(ids), "events": len(events)}
    record(
        "demo.seed",
        entity_type="monthly_report",
        after=counts,
        note="data demo laporan bulanan",
    )
    return counts


def _moment(day, hour: int, now: datetime) -> datetime:
    """A WIB working hour on a day, stored as naive UTC, never in the future."""
    local = datetime.combine(day, time(hour, 0), WIB)
    return min(local.astimezone(UTC).replace(tzinfo=None), now)


def _story(rng: random.Random, age: int, month: Month, now: datetime):
    """The steps of one report (action, when) and its final status, or None.

    age 1 is the last closed month (its hand-in period may still be running).
    """
    due = deadline(month, DEFAULT_DEADLINE_DAY)
    draw = rng.random()
    if age == 1:
        fates = ((0.35, None), (0.65, SUBMITTED), (0.8, RETURNED), (1.0, VERIFIED))
    elif age == 2:
        fates = ((0.08, None), (0.25, SUBMITTED), (0.4, RETURNED), (1.0, VERIFIED))
    else:
        fates = ((0.04, None), (0.06, SUBMITTED), (0.08, RETURNED), (1.0, VERIFIED))
    fate = next(f for limit, f in fates if draw < limit)
    if fate is None:
        return None
    # Most hand in during the first ten days; about one in five is late.
    offset = rng.randint(-9, 0) if rng.random() < 0.8 else rng.randint(1, 8)
    first = _moment(due + timedelta(days=offset), rng.choice((9, 10, 13, 15, 20)), now)
    steps = [(SUBMITTED, first)]
    if fate == SUBMITTED:
        return steps, SUBMITTED
    review = _moment(first.date() + timedelta(days=rng.randint(1, 4)), 10, now)
    if fate == RETURNED or rng.random() < 0.15:
        steps.append((RETURNED, review))
        if fate == RETURNED:
            return steps, RETURNED
        again = _moment(review.date() + timedelta(days=rng.randint(1, 5)), 14, now)
        steps.append((SUBMITTED, again))
        review = _moment(again.date() + timedelta(days=rng.randint(1, 3)), 11, now)
    steps.append((VERIFIED, review))
    return steps, VERIFIED
