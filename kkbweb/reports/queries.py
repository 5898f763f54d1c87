"""Reads of the reports feature: the recap's SQL parts, the trend, the pages' rows.

The recap is ONE statement: a UNION ALL of small GROUP BY selects, each yielding
rows (pokja_id, metric, key, label, value). Each function below builds the
branches of one measure of the registry (metrics.MEASURES names the metric and
says what its rows fold into); `recap.compute` runs them. No row of a meeting, KIE
log or referral is ever loaded into Python. No Flask.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from kkbweb.access import scoped
from kkbweb.classification.models import KampungKb, KampungProfile
from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity, KieTerm, kie_activity_term
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingExternal,
    MeetingGuest,
    MeetingPokja,
)
from kkbweb.pokja.models import Pokja
from kkbweb.portal import queries as portal_queries
from kkbweb.portal.models import PortalRecord
from kkbweb.referrals import workflow
from kkbweb.referrals.models import EVENT_STATUS, OPEN_STATUSES, Referral, ReferralEvent
from kkbweb.reports.models import MonthlyReport, MonthlyReportEvent
from kkbweb.reports.months import Month
from kkbweb.reports.sqlfuncs import days_between, json_list, no_index


@dataclass(frozen=True)
class Scope:
    """What one recap statement covers: these Pokja, this month, as of `now`."""

    ids: list[int]
    month: Month
    now: datetime
    overdue_days: dict[str, int | None] | None = None


# --- the branches' common shape -----------------------------------------------------

_NO_TEXT = cast(null(), String)


def branch_columns(pokja, metric: str, key, label, value) -> list:
    """The five columns every branch of the union selects, in order."""
    pokja = cast(null() if pokja is None else pokja, Integer)
    return [
        pokja.label("pokja_id"),
        literal(metric, String).label("metric"),
        (cast(key, String) if key is not None else _NO_TEXT).label("key"),
        (cast(label, String) if label is not None else _NO_TEXT).label("label"),
        value.label("value"),
    ]


# --- meetings and attendance --------------------------------------------------------

# The Pokja of an invitation, hidden from SQLite's index choice (see no_index):
# otherwise it probes the invitations' Pokja index once per id, or walks it for
# the GROUP BY order, and reads each Pokja's whole history. Starting from the
# month's meetings (by date) it finds their invitations by the primary key.
INVITED_POKJA = no_index(MeetingPokja.pokja_id)
# One alias for the roll-call marks, shared by the branches that ask "rolled?".
MARKS = aliased(Attendance)


def invited(ids: list[int]):
    """Join condition: the meeting invites one of these Pokja."""
    return and_(MeetingPokja.meeting_id == Meeting.id, INVITED_POKJA.in_(ids))


def invitations(scope: Scope, *columns) -> Select:
    """The month's invitations of these Pokja, selecting the columns."""
    start, end = scope.month.date_bounds
    return (
        select(*columns)
        .select_from(Meeting)
        .join(MeetingPokja, invited(scope.ids))
        .where(Meeting.date >= start, Meeting.date < end)
    )


def rolled_for_pokja():
    """The meeting's roll call was taken for the invited Pokja: one of its members
    is marked; for named delegates, anyone of the meeting is (its delegates are
    then listed on one page, and those not marked did not come)."""
    own = (
        exists()
        .where(MARKS.meeting_id == Meeting.id, MARKS.pokja_id == MeetingPokja.pokja_id)
        .correlate(Meeting, MeetingPokja)
    )
    anyone = or_(
        exists().where(MARKS.meeting_id == Meeting.id).correlate(Meeting),
        exists()
        .where(
            MeetingExternal.meeting_id == Meeting.id,
            MeetingExternal.status.is_not(None),
        )
        .correlate(Meeting),
    )
    return or_(own, and_(MeetingPokja.mode == meeting_vocab.DELEGATES, anyone))


def meeting_kinds(scope: Scope, metric: str) -> list[Select]:
    """Meetings by kind per Pokja; for the city a joint meeting counts once."""
    pokja = INVITED_POKJA
    by_kind = invitations(
        scope, *branch_columns(pokja, metric, Meeting.kind, None, func.count())
    ).group_by(pokja, Meeting.kind)
    city_kind = invitations(
        scope,
        *branch_columns(
            None, metric, Meeting.kind, None, func.count(Meeting.id.distinct())
        ),
    ).group_by(Meeting.kind)
    return [by_kind, city_kind]


def meetings_rolled(scope: Scope, metric: str) -> list[Select]:
    """Meetings whose roll call was taken for the Pokja."""
    pokja = INVITED_POKJA
    rolled = (
        invitations(scope, *branch_columns(pokja, metric, None, None, func.count()))
        .where(rolled_for_pokja())
        .group_by(pokja)
    )
    return [rolled]


def guests(scope: Scope, metric: str) -> list[Select]:
    """Walk-in guests of the Pokja, by sex."""
    pokja = INVITED_POKJA
    branch = (
        invitations(
            scope, *branch_columns(pokja, metric, MeetingGuest.sex, None, func.count())
        )
        .join(
            MeetingGuest,
            and_(
                MeetingGuest.meeting_id == Meeting.id,
                MeetingGuest.pokja_id == MeetingPokja.pokja_id,
            ),
        )
        .group_by(pokja, MeetingGuest.sex)
    )
    return [branch]


# --- KIE and advokasi ---------------------------------------------------------------


def _kie_of(scope: Scope):
    """The month's KIE and advokasi entries of these Pokja."""
    start, end = scope.month.date_bounds
    return and_(
        KieActivity.pokja_id.in_(scope.ids),
        KieActivity.activity_date >= start,
        KieActivity.activity_date < end,
    )


def kie_methods(scope: Scope, metric: str) -> list[Select]:
    """Entries by type and method ('type:method' keys, the method's label)."""
    pokja, kind = KieActivity.pokja_id, KieActivity.activity_type
    branch = (
        select(
            *branch_columns(
                pokja,
                metric,
                kind + ":" + KieTerm.code,
                KieTerm.label,
                func.count(),
            )
        )
        .select_from(KieActivity)
        .join(KieTerm, KieTerm.id == KieActivity.method_id)
        .where(_kie_of(scope))
        .group_by(pokja, kind, KieTerm.code, KieTerm.label)
    )
    return [branch]


def kie_sum(column):
    """The branch summing one column of the month's entries, by type."""

    def branches(scope: Scope, metric: str) -> list[Select]:
        pokja, kind = KieActivity.pokja_id, KieActivity.activity_type
        total = func.coalesce(func.sum(column), 0)
        return [
            select(*branch_columns(pokja, metric, kind, None, total))
            .where(_kie_of(scope))
            .group_by(pokja, kind)
        ]

    return branches


def kie_topics(scope: Scope, metric: str) -> list[Select]:
    """Entries per topic (the topic's label with it)."""
    pokja = KieActivity.pokja_id
    branch = (
        select(
            *branch_columns(pokja, metric, KieTerm.code, KieTerm.label, func.count())
        )
        .select_from(KieActivity)
        .join(kie_activity_term, kie_activity_term.c.activity_id == KieActivity.id)
        .join(KieTerm, KieTerm.id == kie_activity_term.c.term_id)
        # From the month's entries to their links, not from each topic's history.
        .where(_kie_of(scope), no_index(KieTerm.kind) == "topic")
        .group_by(pokja, KieTerm.code, KieTerm.label)
    )
    return [branch]


# --- referrals ----------------------------------------------------------------------


def referral_count(column):
    """The branch counting referrals whose `column` moment falls in the month (WIB)."""

    def branches(scope: Scope, metric: str) -> list[Select]:
        start, end = scope.month.utc_bounds
        pokja = Referral.pokja_id
        return [
            select(
                *branch_columns(pokja, metric, Referral.doc_type, None, func.count())
            )
            .where(pokja.in_(scope.ids), column >= start, column < end)
            .group_by(pokja, Referral.doc_type)
        ]

    return branches


def median_days(scope: Scope, metric: str) -> list[Select]:
    """Median days from intake to hand-over, per Pokja and for all of them.

    Window functions (both databases have them): number the month's hand-overs
    by duration; the median is the middle one, or the mean of the middle two.
    """
    start, end = scope.month.utc_bounds
    days = days_between(Referral.handed_over_at, Referral.created_at)
    handed = and_(
        Referral.pokja_id.in_(scope.ids),
        Referral.handed_over_at >= start,
        Referral.handed_over_at < end,
    )
    branches = []
    for per_pokja in (True, False):
        partition = [Referral.pokja_id] if per_pokja else []
        ranked = (
            select(
                Referral.pokja_id.label("pokja_id"),
                days.label("days"),
                func.row_number()
                .over(partition_by=partition, order_by=(days, Referral.id))
                .label("rn"),
                func.count().over(partition_by=partition).label("cnt"),
            )
            .where(handed)
            .subquery()
        )
        middle = ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2])
        branch = select(
            *branch_columns(
                ranked.c.pokja_id if per_pokja else None,
                metric,
                None,
                None,
                func.avg(ranked.c.days),
            )
        ).where(middle)
        branches.append(branch.group_by(ranked.c.pokja_id) if per_pokja else branch)
    return branches


def overdue(scope: Scope, metric: str) -> list[Select]:
    """Referrals overdue at the month's end (for the running month: now).

    Overdue: their status then had waited its limit or more. The status at the
    end is the last status event before it. Only referrals that may have been
    open then are looked at: created before the end, and either open now or
    closed (terminal statuses are final) at or after the end.
    """
    now, ids = scope.now, scope.ids
    end = min(scope.month.utc_bounds[1], now)
    limits = {**workflow.DEFAULT_OVERDUE_DAYS, **(scope.overdue_days or {})}
    # Two index ranges (status, time), never the whole history: what is open
    # now, and what was closed at or after the end. "Changed by now" is always
    # true, but it gives SQLite the range that makes it walk only the open
    # statuses; the Pokja and the creation date are checked on those rows.
    mine, created = no_index(Referral.pokja_id).in_(ids), no_index(Referral.created_at)
    open_now = select(Referral.id, Referral.pokja_id).where(
        mine,
        Referral.status.in_(OPEN_STATUSES),
        Referral.status_changed_at <= now,
        created < end,
    )
    closed_later = select(Referral.id, Referral.pokja_id).where(
        mine,
        Referral.status.in_(workflow.TERMINAL_STATUSES),
        Referral.status_changed_at >= end,
        created < end,
    )
    candidates = union_all(open_now, closed_later).subquery()
    # Each candidate's last status event before the end: one seek of the event
    # history index per referral (not a sort of all their events).
    step = aliased(ReferralEvent)
    last_step = (
        select(step.id)
        .where(
            step.referral_id == candidates.c.id,
            step.kind == EVENT_STATUS,
            step.at < end,
        )
        .order_by(step.at.desc(), step.id.desc())
        .limit(1)
        .correlate(candidates)
        .scalar_subquery()
    )
    last = (
        select(
            candidates.c.pokja_id.label("pokja_id"),
            ReferralEvent.to_status.label("status"),
            ReferralEvent.at.label("at"),
        )
        .select_from(candidates)
        .join(ReferralEvent, ReferralEvent.id == last_step)
        .subquery()
    )
    waited = [
        and_(last.c.status == status, last.c.at <= end - timedelta(days=days))
        for status, days in limits.items()
        if days is not None and workflow.is_open(status)
    ]
    return [
        select(*branch_columns(last.c.pokja_id, metric, None, None, func.count()))
        .where(or_(*waited) if waited else false())
        .group_by(last.c.pokja_id)
    ]


# --- partners (the portal records' instansi) ----------------------------------------


def partners(scope: Scope, metric: str) -> list[Select]:
    """Distinct instansi of the month's portal records, per Pokja and city-wide."""
    start, end = scope.month.date_bounds
    return portal_queries.partners_branch(scope.ids, start, end, branch_columns, metric)


# --- the pages' rows ----------------------------------------------------------------


def _report_join(month: Month):
    """Join condition: a Pokja's report of this month."""
    return and_(
        MonthlyReport.pokja_id == Pokja.id,
        MonthlyReport.year == month.year,
        MonthlyReport.month == month.month,
    )


def city_pokja(month: Month) -> list:
    """Active Pokja the user sees, with their report of the month; one query."""
    stmt = (
        select(
            Pokja.id,
            Pokja.display_name,
            MonthlyReport.status,
            MonthlyReport.first_submitted_at,
            # The snapshot: what changed since the hand-in shows in the list.
            MonthlyReport.figures,
        )
        .outerjoin(MonthlyReport, _report_join(month))
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.display_name)
    )
    return db.session.execute(scoped(stmt, Pokja.id)).all()


def pokja_and_report(pokja_id: int, month: Month):
    """(Pokja, its report of the month or None), or None without such a Pokja."""
    return db.session.execute(
        select(Pokja, MonthlyReport)
        .outerjoin(MonthlyReport, _report_join(month))
        .where(Pokja.id == pokja_id)
    ).first()


def pokja_report_and_class(pokja_id: int, month: Month):
    """For a hand-in, in one statement: (Pokja, its report of the month or None,
    whether it has a Kampung KB, that Kampung KB's latest profile figures or
    None, the instansi lists of every portal record of the Pokja or None)."""
    has_kampung = (
        select(func.count())
        .select_from(KampungKb)
        .where(KampungKb.pokja_id == Pokja.id)
        .scalar_subquery()
    )
    figures = (
        select(KampungProfile.figures)
        .join(KampungKb, KampungKb.id == KampungProfile.kampung_kb_id)
        .where(KampungKb.pokja_id == Pokja.id)
        .order_by(KampungProfile.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    instansi = (
        select(json_list(PortalRecord.instansi))
        .where(PortalRecord.pokja_id == Pokja.id)
        .scalar_subquery()
    )
    return db.session.execute(
        select(Pokja, MonthlyReport, has_kampung, figures, instansi)
        .outerjoin(MonthlyReport, _report_join(month))
        .where(Pokja.id == pokja_id)
    ).first()


def report_events(report_id: int) -> list[MonthlyReportEvent]:
    """A report's history, oldest first."""
    return db.session.scalars(
        select(MonthlyReportEvent)
        .where(MonthlyReportEvent.report_id == report_id)
        .order_by(MonthlyReportEvent.at, MonthlyReportEvent.id)
    ).all()
