"""Monthly figures for a set of Pokja: the one statement, folded. No Flask.

`compute(pokja_ids, month, ...)` runs ONE statement: the UNION ALL of the
branches of every measure in metrics.MEASURES (their SQL is in queries.py), each
yielding rows (pokja_id, metric, key, label, value), so the city dashboard and a
Pokja's recap cost one query whatever the data volume. `trend` is one more
statement. Only the aggregated rows are folded into `Figures` here; the reported
lines come from the registry (metrics.SECTIONS).

Definitions (docs/reports.md repeats them for users):
- Meetings of a Pokja in a month: meetings dated in that month that invite it
  (a meeting of several Pokja counts once for each, and once in the city total).
- Attendance: over the meetings whose roll call was taken for that Pokja (at
  least one of its members marked). `roster` is the members on the roster of each
  meeting's date, as on the roll call (kkbweb.meetings.queries); `present` the
  members marked hadir; rate = present / roster. Walk-in guests are counted apart.
- KIE and advokasi: entries dated in the month, by type and method; participants
  by sex and the estimated reach are sums; topics count entries.
- Referrals: opened (created), completed (document issued) and handed over in the
  month (WIB); overdue at the month's end: the status each referral had then (its
  last status event at or before the end) had waited its limit in days or more;
  for the running month "the end" is now. Median days from intake to hand-over
  over the referrals handed over in the month.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.meetings import rules as meeting_rules
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import Meeting, MeetingPokja
from kkbweb.referrals import routing
from kkbweb.reports import cache, metrics, queries, queries_poktan
from kkbweb.reports.months import Month, trailing
from kkbweb.reports.queries import INVITED_POKJA, invited
from kkbweb.reports.shapes import CITY_OWN, MEDIAN, Line, Measure, fmt
from kkbweb.reports.sqlfuncs import month_key
from kkbweb.timeutil import utcnow

TREND_MONTHS = 12
TOP_TOPICS = 5


# --- the folded figures ----------------------------------------------------------


@dataclass
class Figures:
    """Everything the recap shows for one Pokja (or the city) in one month."""

    pokja_id: int | None
    meetings_by_kind: dict[str, int] = field(default_factory=dict)
    meetings_rolled: int = 0
    roster: int = 0
    present: dict[str, int] = field(default_factory=dict)
    guests: dict[str, int] = field(default_factory=dict)
    kie_methods: dict[tuple[str, str], int] = field(default_factory=dict)
    kie_people: dict[tuple[str, str], int] = field(default_factory=dict)  # type, sex
    kie_reach: dict[str, int] = field(default_factory=dict)  # type -> reach
    topics: dict[str, int] = field(default_factory=dict)  # topic code -> entries
    labels: dict[str, str] = field(default_factory=dict)  # term code -> label
    opened: dict[str, int] = field(default_factory=dict)  # doc type -> referrals
    completed: dict[str, int] = field(default_factory=dict)
    handed: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    median_days: float | None = None
    partners: int = 0  # distinct instansi of the month's portal records
    # Poktan and services (issue 14), by poktan kind / service kind / count.
    poktan_active: dict[str, int] = field(default_factory=dict)
    poktan_sessions: dict[str, int] = field(default_factory=dict)
    poktan_families: dict[str, int] = field(default_factory=dict)
    poktan_members: dict[str, int] = field(default_factory=dict)
    unit_sessions: dict[str, int] = field(default_factory=dict)
    unit_counts: dict[str, int] = field(default_factory=dict)

    # --- meetings and attendance
    @property
    def meetings(self) -> int:
        return sum(self.meetings_by_kind.values())

    @property
    def meetings_unrolled(self) -> int:
        """Meetings of the month without a roll call for this Pokja (yet)."""
        return max(self.meetings - self.meetings_rolled, 0)

    @property
    def present_total(self) -> int:
        return sum(self.present.values())

    @property
    def guests_total(self) -> int:
        return sum(self.guests.values())

    @property
    def rate(self) -> float | None:
        """Members present over members on the roster, in percent."""
        return meeting_rules.attendance_rate(self.present_total, self.roster)

    @property
    def rate_text(self) -> str:
        return meeting_rules.percent_text(self.rate)

    # --- KIE and advokasi
    def kie(self, activity_type: str | None = None) -> int:
        """Entries of one type (kie, advokasi) or of both (each has one method)."""
        return sum(
            n
            for (kind, _code), n in self.kie_methods.items()
            if activity_type in (None, kind)
        )

    def people(self, activity_type: str | None = None, sex: str | None = None) -> int:
        """Participants of one type and/or sex, or all."""
        return sum(
            n
            for (kind, s), n in self.kie_people.items()
            if activity_type in (None, kind) and sex in (None, s)
        )

    def reach(self, activity_type: str | None = None) -> int:
        if activity_type is None:
            return sum(self.kie_reach.values())
        return self.kie_reach.get(activity_type, 0)

    def methods(self) -> list[tuple[str, str, str, int]]:
        """(type, method code, method label, entries), by type then most used."""
        order = list(ACTIVITY_TYPES)
        rows = [
            (kind, code, self.labels.get(code, code), n)
            for (kind, code), n in self.kie_methods.items()
            if n
        ]
        rows.sort(
            key=lambda r: (order.index(r[0]) if r[0] in order else 9, -r[3], r[2])
        )
        return rows

    def top_topics(self, limit: int | None = TOP_TOPICS) -> list[tuple[str, str, int]]:
        """(topic code, label, entries), most frequent first."""
        rows = sorted(
            (
                (code, self.labels.get(code, code), n)
                for code, n in self.topics.items()
                if n
            ),
            key=lambda r: (-r[2], r[1]),
        )
        return rows if limit is None else rows[:limit]

    # --- referrals
    def referrals(self, which: str = "opened", doc_type: str | None = None) -> int:
        """Referrals opened, completed or handed over (of one document type)."""
        counts = getattr(self, which)
        if doc_type is None:
            return sum(counts.values())
        return counts.get(doc_type, 0)

    def doc_types(self) -> list[tuple[str, str, int, int, int]]:
        """(type, label, opened, completed, handed) of the types seen this month."""
        seen = set(self.opened) | set(self.completed) | set(self.handed)
        return [
            (
                code,
                label,
                self.opened.get(code, 0),
                self.completed.get(code, 0),
                self.handed.get(code, 0),
            )
            for code, label in routing.DOC_TYPES.items()
            if code in seen
        ]

    @property
    def median_text(self) -> str:
        if self.median_days is None:
            return "–"
        return f"{self.median_days:.1f}".replace(".", ",")

    # --- overall
    @property
    def activities(self) -> int:
        """Meetings, KIE/advokasi entries, poktan sessions and Posyandu/PAUD
        sessions: what 'no activity' looks at."""
        services = sum(self.poktan_sessions.values()) + sum(self.unit_sessions.values())
        return self.meetings + self.kie() + services

    @property
    def no_bkb_session(self) -> bool:
        """No BKB session this month (flagged on the city dashboard)."""
        return not self.poktan_sessions.get("bkb")

    @property
    def idle(self) -> bool:
        return self.activities == 0

    def kinds(self) -> list[tuple[str, str, int]]:
        """(kind, label, count) of the kinds held this month, vocabulary order."""
        return [
            (kind, label, self.meetings_by_kind[kind])
            for kind, label in meeting_vocab.MEETING_KINDS.items()
            if self.meetings_by_kind.get(kind)
        ] + [
            (kind, kind, n)
            for kind, n in self.meetings_by_kind.items()
            if kind not in meeting_vocab.MEETING_KINDS and n
        ]

    def lines(self) -> list[Line]:
        """Every figure as a line, for the snapshot, the exports and comparisons."""
        return metrics.lines(self)


def _absorb(figures: Figures, measure: Measure, key, label, value) -> None:
    """Fold one aggregated row into a Pokja's (or the city's) figures."""
    if measure.key is None:  # one number: branches add up, a median is set
        if measure.fold == MEDIAN:
            value = None if value is None else float(value)
        else:
            value = getattr(figures, measure.into) + int(value)
        setattr(figures, measure.into, value)
        return
    counts, key = getattr(figures, measure.into), measure.key(key)
    counts[key] = counts.get(key, 0) + int(value)
    if measure.term is not None:
        figures.labels[measure.term(key)] = label


@dataclass
class Recap:
    """Figures of each Pokja asked for (by id) and of all of them together."""

    month: Month
    by_pokja: dict[int, Figures]
    city: Figures

    def of(self, pokja_id: int) -> Figures:
        return self.by_pokja.get(pokja_id) or Figures(pokja_id)


# --- the snapshot handed in ---------------------------------------------------------

SNAPSHOT_VERSION = 1


def snapshot(figures: Figures, taken_at: datetime) -> dict:
    """The figures frozen for a hand-in: labelled lines, JSON-ready."""
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": taken_at.isoformat(timespec="seconds"),
        "lines": [[x.section, x.key, x.label, x.value] for x in figures.lines()],
    }


def snapshot_lines(frozen: dict | None) -> list[Line]:
    """The lines of a stored snapshot (tolerating an empty or odd one)."""
    lines = []
    for item in (frozen or {}).get("lines", []):
        if isinstance(item, list) and len(item) == 4:
            lines.append(Line(*item))
    return lines


@dataclass
class Change:
    """A figure that differs between the hand-in and today."""

    section: str
    label: str
    reported: int | float | None
    live: int | float | None

    @property
    def text(self) -> str:
        """Label, reported and live value, for short lists of changes."""
        return f"{self.label}: {fmt(self.reported, 'num')} → {fmt(self.live, 'num')}"


def differences(frozen: dict | None, figures: Figures) -> list[Change]:
    """Figures that changed since the hand-in (missing on one side counts as 0)."""
    reported = {x.key: x for x in snapshot_lines(frozen)}
    live = {x.key: x for x in figures.lines()}
    changes = []
    for key in [*live, *(k for k in reported if k not in live)]:
        now, then = live.get(key), reported.get(key)
        # A figure missing on one side is a zero there (None stays "no value").
        now_value = now.value if now else (None if then.value is None else 0)
        then_value = then.value if then else (None if now.value is None else 0)
        if now_value != then_value:
            line = now or then
            changes.append(Change(line.section, line.label, then_value, now_value))
    return changes


# --- the one statement -------------------------------------------------------------


def recap_statement(
    ids: list[int],
    month: Month,
    now: datetime | None = None,
    overdue_days: dict[str, int | None] | None = None,
):
    """The UNION ALL behind `compute` (also printed by the benchmark's --explain).

    `now` (default: the current time) is the end for the running month's overdue
    count; for past months the end of the month (WIB) is.
    """
    scope = queries.Scope(ids, month, now or utcnow(), overdue_days)
    return union_all(
        *(
            branch
            for measure in metrics.MEASURES
            for branch in measure.query(scope, measure.metric)
        )
    )


def compute(
    pokja_ids: Iterable[int],
    month: Month,
    *,
    now: datetime | None = None,
    overdue_days: dict[str, int | None] | None = None,
) -> Recap:
    """The figures of these Pokja for the month, and their total; one statement.

    The city adds up the Pokja's rows, except for the measures it takes from its
    own branch (metrics.CITY_OWN: a joint meeting counted once, its median).
    """
    ids = sorted(set(pokja_ids))
    by_pokja = {pokja_id: Figures(pokja_id) for pokja_id in ids}
    city = Figures(None)
    if not ids:
        return Recap(month, by_pokja, city)
    # The overdue count ends at the month's end, or earlier at `now`.
    end = min(month.utc_bounds[1], now or utcnow())
    limits = tuple(sorted((overdue_days or {}).items()))
    asked = ("recap", tuple(ids), str(month), end, limits)
    rows = cache.rows(
        asked,
        month,
        lambda: db.session.execute(
            recap_statement(ids, month, now, overdue_days)
        ).all(),
    )
    for pokja_id, metric, key, label, value in rows:
        into = city if pokja_id is None else by_pokja.get(pokja_id)
        if into is not None:
            _absorb(into, metrics.BY_METRIC[metric], key, label, value)
    for figures in by_pokja.values():
        _add(city, figures)
    return Recap(month, by_pokja, city)


# The attributes the city sums over its Pokja: attribute -> holds one number.
_SUMMED = {
    measure.into: measure.key is None
    for measure in metrics.MEASURES
    if measure.fold not in CITY_OWN
}


def _add(city: Figures, other: Figures) -> None:
    """Add a Pokja's figures into the city's (all but metrics.CITY_OWN)."""
    for name, single in _SUMMED.items():
        if single:
            setattr(city, name, getattr(city, name) + getattr(other, name))
            continue
        into = getattr(city, name)
        for key, n in getattr(other, name).items():
            into[key] = into.get(key, 0) + n
    city.labels.update(other.labels)


# --- the 12-month trend ------------------------------------------------------------


@dataclass
class Trend:
    """Activities (meetings, KIE/advokasi, poktan and service sessions) per month."""

    months: list[Month]
    by_pokja: dict[int, list[int]]
    city: list[int]

    def of(self, pokja_id: int) -> list[int]:
        return self.by_pokja.get(pokja_id) or [0] * len(self.months)

    @property
    def peak(self) -> int:
        """The largest Pokja value, to draw every Pokja's bars on one scale."""
        return max((max(v) for v in self.by_pokja.values() if v), default=0)


def trend_statement(ids: list[int], months: list[Month]):
    """Activities per month: (source, pokja_id, 'YYYY-MM', n) rows.

    Meetings per Pokja, distinct meetings for the city (a joint meeting counts
    once), and KIE/advokasi entries per Pokja (added to the city).
    """
    start, end = months[0].first_day, months[-1].next().first_day
    bucket = month_key(Meeting.date)
    invitation = invited(ids)
    in_range = and_(Meeting.date >= start, Meeting.date < end)
    meetings = (
        select(
            literal("pokja", String).label("source"),
            INVITED_POKJA.label("pokja_id"),
            bucket.label("month"),
            func.count().label("n"),
        )
        .select_from(Meeting)
        .join(MeetingPokja, invitation)
        .where(in_range)
        .group_by(INVITED_POKJA, bucket)
    )
    city_meetings = (
        select(
            literal("city", String),
            cast(null(), Integer),
            bucket,
            func.count(Meeting.id.distinct()),
        )
        .select_from(Meeting)
        .join(MeetingPokja, invitation)
        .where(in_range)
        .group_by(bucket)
    )
    kie_bucket = month_key(KieActivity.activity_date)
    kie = (
        select(literal("both", String), KieActivity.pokja_id, kie_bucket, func.count())
        .where(
            KieActivity.pokja_id.in_(ids),
            KieActivity.activity_date >= start,
            KieActivity.activity_date < end,
        )
        .group_by(KieActivity.pokja_id, kie_bucket)
    )
    # Poktan and Posyandu/PAUD sessions are activities of their Pokja too.
    services = queries_poktan.trend_branches(ids, start, end)
    return union_all(meetings, city_meetings, kie, *services)


def statements(ids: list[int], month: Month, now: datetime | None = None) -> dict:
    """The statements a dashboard runs for its figures, by name."""
    return {
        "recap": recap_statement(ids, month, now),
        "trend": trend_statement(ids, trailing(month, TREND_MONTHS)),
    }


def trend(pokja_ids: Iterable[int], month: Month, count: int = TREND_MONTHS) -> Trend:
    """Activities per Pokja per month over `count` months ending with `month`.

    One statement (trend_statement): a joint meeting counts once for the
    city; KIE/advokasi entries count for their Pokja and the city.
    """
    ids = sorted(set(pokja_ids))
    months = trailing(month, count)
    index = {str(m): i for i, m in enumerate(months)}
    by_pokja = {pokja_id: [0] * count for pokja_id in ids}
    city = [0] * count
    if not ids:
        return Trend(months, by_pokja, city)
    rows = cache.rows(
        ("trend", tuple(ids), str(month), count),
        month,
        lambda: db.session.execute(trend_statement(ids, months)).all(),
    )
    for source, pokja_id, key, n in rows:
        slot = index.get(key)
        if slot is None:
            continue
        if source in ("pokja", "both") and pokja_id in by_pokja:
            by_pokja[pokja_id][slot] += int(n)
        if source in ("city", "both"):
            city[slot] += int(n)
    return Trend(months, by_pokja, city)
