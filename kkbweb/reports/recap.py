"""Monthly figures for a set of Pokja, computed with SQL aggregates only. No Flask.

`compute(pokja_ids, month, ...)` runs ONE statement: a UNION ALL of small GROUP BY
selects, each yielding rows (pokja_id, metric, key, label, value), so the city
dashboard and a Pokja's recap cost one query whatever the data volume. `trend`
is one more statement. No row of a meeting, KIE log or referral is ever loaded
into Python; only the aggregated rows are folded into `Figures` here.

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
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity, KieTerm, kie_activity_term
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.meetings import rules as meeting_rules
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingPokja,
    Member,
    on_roster,
)
from kkbweb.referrals import routing, workflow
from kkbweb.referrals.models import (
    EVENT_STATUS,
    OPEN_STATUSES,
    Referral,
    ReferralEvent,
)
from kkbweb.reports.months import Month, trailing
from kkbweb.reports.sqlfuncs import days_between, month_key, no_index
from kkbweb.timeutil import utcnow

SEXES = ("L", "P")
TREND_MONTHS = 12
TOP_TOPICS = 5

# Section titles, in the order pages and exports show them.
MEETINGS = "Rapat"
ATTENDANCE = "Kehadiran"
KIE = "KIE dan advokasi"
REFERRALS = "Rujukan adminduk"


# --- the folded figures ----------------------------------------------------------


@dataclass
class Line:
    """One reported number: its section, a stable key, a label and the value."""

    section: str
    key: str
    label: str
    value: int | float | None


@dataclass
class Figures:
    """Everything the recap shows for one Pokja (or the city) in one month."""

    pokja_id: int | None
    meetings_by_kind: dict[str, int] = field(default_factory=dict)
    meetings_rolled: int = 0
    roster: int = 0
    present: dict[str, int] = field(default_factory=dict)
    guests: dict[str, int] = field(default_factory=dict)
    kie_count: dict[str, int] = field(default_factory=dict)  # type -> entries
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
        """Entries of one type (kie, advokasi) or of both."""
        if activity_type is None:
            return sum(self.kie_count.values())
        return self.kie_count.get(activity_type, 0)

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
        """Meetings plus KIE and advokasi entries: what 'no activity' looks at."""
        return self.meetings + self.kie()

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

    def add(self, other: "Figures") -> None:
        """Add another Pokja's figures into these (city totals)."""
        for name in (
            "meetings_by_kind",
            "present",
            "guests",
            "kie_count",
            "kie_methods",
            "kie_people",
            "kie_reach",
            "topics",
            "opened",
            "completed",
            "handed",
        ):
            _add_counts(getattr(self, name), getattr(other, name))
        self.labels.update(other.labels)
        self.overdue += other.overdue
        # The city's median is its own branch (a median of medians is not one).
        self.meetings_rolled += other.meetings_rolled
        self.roster += other.roster

    def lines(self) -> list[Line]:
        """Every figure as a line, for the snapshot, the exports and comparisons."""
        meetings = [("meetings", "Jumlah rapat", self.meetings)] + [
            (f"meetings.{kind}", label, self.meetings_by_kind.get(kind, 0))
            for kind, label in meeting_vocab.MEETING_KINDS.items()
        ]
        present, guests = self.present, self.guests
        attendance = [
            ("attendance.rolled", "Rapat dengan daftar hadir", self.meetings_rolled),
            ("attendance.roster", "Anggota diundang", self.roster),
            ("attendance.present", "Hadir", self.present_total),
            ("attendance.present.L", "Hadir laki-laki", present.get("L", 0)),
            ("attendance.present.P", "Hadir perempuan", present.get("P", 0)),
            ("attendance.rate", "Tingkat kehadiran (%)", self.rate),
            ("attendance.guests.L", "Tamu laki-laki", guests.get("L", 0)),
            ("attendance.guests.P", "Tamu perempuan", guests.get("P", 0)),
        ]
        kie = [("kie", "Jumlah KIE dan advokasi", self.kie())]
        for kind, name in ACTIVITY_TYPES.items():
            kie += [
                (f"kie.{kind}", f"{name}: kegiatan", self.kie(kind)),
                (f"kie.{kind}.L", f"{name}: peserta laki-laki", self.people(kind, "L")),
                (f"kie.{kind}.P", f"{name}: peserta perempuan", self.people(kind, "P")),
                (f"kie.{kind}.reach", f"{name}: perkiraan jangkauan", self.reach(kind)),
            ]
        kie += [
            ("kie.people.L", "Peserta laki-laki", self.people(sex="L")),
            ("kie.people.P", "Peserta perempuan", self.people(sex="P")),
            ("kie.people", "Jumlah peserta", self.people()),
            ("kie.reach", "Perkiraan jangkauan", self.reach()),
        ]
        kie += [
            (
                f"kie.method.{kind}.{code}",
                f"{ACTIVITY_TYPES.get(kind, kind)}: {label}",
                n,
            )
            for kind, code, label, n in self.methods()
        ]
        kie += [
            (f"kie.topic.{code}", f"Topik: {label}", n)
            for code, label, n in self.top_topics(limit=None)
        ]
        referrals = [
            ("referrals.opened", "Rujukan baru", self.referrals("opened")),
            ("referrals.completed", "Dokumen selesai", self.referrals("completed")),
            ("referrals.handed", "Diserahkan ke warga", self.referrals("handed")),
            ("referrals.overdue", "Terlambat di akhir bulan", self.overdue),
            (
                "referrals.median_days",
                "Median hari dari pengajuan sampai diserahkan",
                None if self.median_days is None else round(self.median_days, 1),
            ),
        ]
        for code, label in routing.DOC_TYPES.items():
            referrals += [
                (
                    f"referrals.opened.{code}",
                    f"{label}: baru",
                    self.opened.get(code, 0),
                ),
                (
                    f"referrals.completed.{code}",
                    f"{label}: selesai",
                    self.completed.get(code, 0),
                ),
                (
                    f"referrals.handed.{code}",
                    f"{label}: diserahkan",
                    self.handed.get(code, 0),
                ),
            ]
        sections = (
            (MEETINGS, meetings),
            (ATTENDANCE, attendance),
            (KIE, kie),
            (REFERRALS, referrals),
        )
        return [
            Line(section, key, label, value)
            for section, items in sections
            for key, label, value in items
        ]


def _add_counts(into: dict, other: dict) -> None:
    for key, n in other.items():
        into[key] = into.get(key, 0) + n


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

_NO_TEXT = cast(null(), String)


def _branch(pokja, metric: str, key, label, value) -> list:
    """The five columns every branch of the union selects, in order."""
    pokja = cast(null() if pokja is None else pokja, Integer)
    return [
        pokja.label("pokja_id"),
        literal(metric, String).label("metric"),
        (cast(key, String) if key is not None else _NO_TEXT).label("key"),
        (cast(label, String) if label is not None else _NO_TEXT).label("label"),
        value.label("value"),
    ]


# The Pokja of an invitation, hidden from SQLite's index choice (see no_index):
# otherwise it probes the invitations' Pokja index once per id, or walks it for
# the GROUP BY order, and reads each Pokja's whole history. Starting from the
# month's meetings (by date) it finds their invitations by the primary key.
INVITED_POKJA = no_index(MeetingPokja.pokja_id)


def _invited(ids: list[int]):
    """Join condition: the meeting invites one of these Pokja."""
    return and_(MeetingPokja.meeting_id == Meeting.id, INVITED_POKJA.in_(ids))


def _meeting_branches(ids: list[int], month: Month) -> list[Select]:
    """Meetings by kind, roll calls, roster, present and guests per Pokja."""
    start, end = month.date_bounds
    pokja = INVITED_POKJA

    def invitations(*columns):
        """The month's invitations of these Pokja, selecting the columns."""
        return (
            select(*columns)
            .select_from(Meeting)
            .join(MeetingPokja, _invited(ids))
            .where(Meeting.date >= start, Meeting.date < end)
        )

    by_kind = invitations(
        *_branch(pokja, "meet.kind", Meeting.kind, None, func.count())
    ).group_by(pokja, Meeting.kind)
    # A meeting of several Pokja counts once for the city.
    city_kind = invitations(
        *_branch(
            None, "meet.kind", Meeting.kind, None, func.count(Meeting.id.distinct())
        )
    ).group_by(Meeting.kind)
    marks = aliased(Attendance)
    rolled_for_pokja = (
        exists()
        .where(marks.meeting_id == Meeting.id, marks.pokja_id == MeetingPokja.pokja_id)
        .correlate(Meeting, MeetingPokja)
    )
    rolled = (
        invitations(*_branch(pokja, "meet.rolled", None, None, func.count()))
        .where(rolled_for_pokja)
        .group_by(pokja)
    )
    # The roster of a meeting, as on the roll call: its Pokja's members on the
    # roster that day, or marked anyway. The month's rolled invitations are
    # materialized first (a handful of rows): joined in place, PostgreSQL pairs
    # every member with every invitation of their Pokja's history before it
    # looks at the dates. Then one walk of a Pokja's members per invitation; the
    # attendance probe only runs for those off the roster that day.
    rolled_invitations = (
        invitations(
            Meeting.id.label("meeting_id"),
            Meeting.date.label("date"),
            MeetingPokja.pokja_id.label("pokja_id"),
        )
        .where(rolled_for_pokja)
        .cte("rolled_invitation")
        .prefix_with("MATERIALIZED")
    )
    ri = rolled_invitations
    marked = (
        exists()
        .where(
            Attendance.meeting_id == ri.c.meeting_id, Attendance.member_id == Member.id
        )
        .correlate(ri, Member)
    )
    on_the_day = on_roster(ri.c.date, Member)

    def roster(condition):
        return (
            select(*_branch(ri.c.pokja_id, "meet.roster", None, None, func.count()))
            .select_from(ri)
            .join(Member, Member.pokja_id == ri.c.pokja_id)
            .where(condition)
            .group_by(ri.c.pokja_id)
        )

    # Two sums (folded in Python): an OR with the EXISTS makes PostgreSQL hash
    # the whole attendance table on small databases.
    roster_on, roster_off = roster(on_the_day), roster(and_(not_(on_the_day), marked))
    present = (
        invitations(*_branch(pokja, "meet.present", Member.sex, None, func.count()))
        .join(
            Attendance,
            and_(
                Attendance.pokja_id == MeetingPokja.pokja_id,
                Attendance.meeting_id == Meeting.id,
                Attendance.status == meeting_vocab.PRESENT,
            ),
        )
        .join(Member, Member.id == Attendance.member_id)
        .group_by(pokja, Member.sex)
    )
    guests = (
        invitations(
            *_branch(pokja, "meet.guests", MeetingGuest.sex, None, func.count())
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
    return [by_kind, city_kind, rolled, roster_on, roster_off, present, guests]


def _kie_branches(ids: list[int], month: Month) -> list[Select]:
    """KIE and advokasi entries by type and method, people, reach and topics."""
    start, end = month.date_bounds
    mine = and_(
        KieActivity.pokja_id.in_(ids),
        KieActivity.activity_date >= start,
        KieActivity.activity_date < end,
    )
    pokja, kind = KieActivity.pokja_id, KieActivity.activity_type
    methods = (
        select(
            *_branch(
                pokja,
                "kie.method",
                kind + ":" + KieTerm.code,
                KieTerm.label,
                func.count(),
            )
        )
        .select_from(KieActivity)
        .join(KieTerm, KieTerm.id == KieActivity.method_id)
        .where(mine)
        .group_by(pokja, kind, KieTerm.code, KieTerm.label)
    )
    sums = [
        select(*_branch(pokja, metric, kind, None, func.coalesce(func.sum(column), 0)))
        .where(mine)
        .group_by(pokja, kind)
        for metric, column in (
            ("kie.male", KieActivity.participants_male),
            ("kie.female", KieActivity.participants_female),
            ("kie.reach", KieActivity.estimated_reach),
        )
    ]
    topics = (
        select(*_branch(pokja, "kie.topic", KieTerm.code, KieTerm.label, func.count()))
        .select_from(KieActivity)
        .join(kie_activity_term, kie_activity_term.c.activity_id == KieActivity.id)
        .join(KieTerm, KieTerm.id == kie_activity_term.c.term_id)
        # From the month's entries to their links, not from each topic's history.
        .where(mine, no_index(KieTerm.kind) == "topic")
        .group_by(pokja, KieTerm.code, KieTerm.label)
    )
    return [methods, *sums, topics]


def _referral_branches(
    ids: list[int],
    month: Month,
    now: datetime,
    overdue_days: dict[str, int | None] | None,
) -> list[Select]:
    """Referrals opened, completed, handed over (by type), overdue, median days."""
    start, end = month.utc_bounds
    pokja = Referral.pokja_id
    mine = pokja.in_(ids)
    counts = [
        select(*_branch(pokja, metric, Referral.doc_type, None, func.count()))
        .where(mine, column >= start, column < end)
        .group_by(pokja, Referral.doc_type)
        for metric, column in (
            ("ref.opened", Referral.created_at),
            ("ref.completed", Referral.completed_at),
            ("ref.handed", Referral.handed_over_at),
        )
    ]
    return [
        *counts,
        *_median_branches(ids, start, end),
        _overdue_branch(ids, min(end, now), now, overdue_days),
    ]


def _median_branches(ids: list[int], start: datetime, end: datetime) -> list[Select]:
    """Median days from intake to hand-over, per Pokja and for all of them.

    Window functions (both databases have them): number the month's hand-overs
    by duration; the median is the middle one, or the mean of the middle two.
    """
    days = days_between(Referral.handed_over_at, Referral.created_at)
    handed = and_(
        Referral.pokja_id.in_(ids),
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
            *_branch(
                ranked.c.pokja_id if per_pokja else None,
                "ref.median",
                None,
                None,
                func.avg(ranked.c.days),
            )
        ).where(middle)
        branches.append(branch.group_by(ranked.c.pokja_id) if per_pokja else branch)
    return branches


def _overdue_branch(
    ids: list[int],
    end: datetime,
    now: datetime,
    overdue_days: dict[str, int | None] | None,
) -> Select:
    """Referrals overdue at `end`: their status then had waited its limit or more.

    The status at `end` is the last status event before it. Only referrals that
    may have been open then are looked at: created before the end, and either
    open now or closed (terminal statuses are final) at or after the end.
    """
    limits = {**workflow.DEFAULT_OVERDUE_DAYS, **(overdue_days or {})}
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
    return (
        select(*_branch(last.c.pokja_id, "ref.overdue", None, None, func.count()))
        .where(or_(*waited) if waited else false())
        .group_by(last.c.pokja_id)
    )


def _absorb(figures: Figures, metric: str, key, label, value) -> None:
    """Fold one aggregated row into a Pokja's (or the city's) figures."""
    if metric == "meet.kind":
        figures.meetings_by_kind[key] = int(value)
    elif metric == "meet.rolled":
        figures.meetings_rolled = int(value)
    elif metric == "meet.roster":  # on the roster that day, plus marked others
        figures.roster += int(value)
    elif metric == "meet.present":
        figures.present[key] = int(value)
    elif metric == "meet.guests":
        figures.guests[key] = int(value)
    elif metric == "kie.method":
        kind, code = key.split(":", 1)
        figures.kie_methods[(kind, code)] = int(value)
        figures.kie_count[kind] = figures.kie_count.get(kind, 0) + int(value)
        figures.labels[code] = label
    elif metric == "kie.male":
        figures.kie_people[(key, "L")] = int(value)
    elif metric == "kie.female":
        figures.kie_people[(key, "P")] = int(value)
    elif metric == "kie.reach":
        figures.kie_reach[key] = int(value)
    elif metric == "kie.topic":
        figures.topics[key] = int(value)
        figures.labels[key] = label
    elif metric == "ref.opened":
        figures.opened[key] = int(value)
    elif metric == "ref.completed":
        figures.completed[key] = int(value)
    elif metric == "ref.handed":
        figures.handed[key] = int(value)
    elif metric == "ref.overdue":
        figures.overdue = int(value)
    elif metric == "ref.median":
        figures.median_days = None if value is None else float(value)


# Metrics the city row reads from its own branch instead of summing the Pokja.
_CITY_OWN = frozenset({"meet.kind", "ref.median"})


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
    now = now or utcnow()
    return union_all(
        *_meeting_branches(ids, month),
        *_kie_branches(ids, month),
        *_referral_branches(ids, month, now, overdue_days),
    )


def compute(
    pokja_ids: Iterable[int],
    month: Month,
    *,
    now: datetime | None = None,
    overdue_days: dict[str, int | None] | None = None,
) -> Recap:
    """The figures of these Pokja for the month, and their total; one statement."""
    ids = sorted(set(pokja_ids))
    by_pokja = {pokja_id: Figures(pokja_id) for pokja_id in ids}
    city = Figures(None)
    if not ids:
        return Recap(month, by_pokja, city)
    rows = db.session.execute(recap_statement(ids, month, now, overdue_days)).all()
    city_rows = []
    for pokja_id, metric, key, label, value in rows:
        if pokja_id is None:
            city_rows.append((metric, key, label, value))
        elif pokja_id in by_pokja:
            _absorb(by_pokja[pokja_id], metric, key, label, value)
    for figures in by_pokja.values():
        city.add(figures)
    for metric in _CITY_OWN:
        _reset(city, metric)
    for metric, key, label, value in city_rows:
        _absorb(city, metric, key, label, value)
    return Recap(month, by_pokja, city)


def _reset(figures: Figures, metric: str) -> None:
    """Clear what the city takes from its own branch rather than the sum."""
    if metric == "meet.kind":
        figures.meetings_by_kind = {}
    elif metric == "ref.median":
        figures.median_days = None


# --- the 12-month trend ------------------------------------------------------------


@dataclass
class Trend:
    """Activities (meetings + KIE/advokasi entries) per month, oldest first."""

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
    """The UNION ALL behind `trend`: (source, pokja_id, 'YYYY-MM', n) rows."""
    start, end = months[0].first_day, months[-1].next().first_day
    bucket = month_key(Meeting.date)
    invited = _invited(ids)
    in_range = and_(Meeting.date >= start, Meeting.date < end)
    meetings = (
        select(
            literal("pokja", String).label("source"),
            INVITED_POKJA.label("pokja_id"),
            bucket.label("month"),
            func.count().label("n"),
        )
        .select_from(Meeting)
        .join(MeetingPokja, invited)
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
        .join(MeetingPokja, invited)
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
    return union_all(meetings, city_meetings, kie)


def statements(ids: list[int], month: Month, now: datetime | None = None) -> dict:
    """The statements a dashboard runs for its figures, by name."""
    return {
        "recap": recap_statement(ids, month, now),
        "trend": trend_statement(ids, trailing(month, TREND_MONTHS)),
    }


def trend(pokja_ids: Iterable[int], month: Month, count: int = TREND_MONTHS) -> Trend:
    """Activities per Pokja per month over `count` months ending with `month`.

    One statement: meetings per Pokja, distinct meetings for the city (a joint
    meeting counts once), and KIE/advokasi entries per Pokja (added to the city).
    """
    ids = sorted(set(pokja_ids))
    months = trailing(month, count)
    index = {str(m): i for i, m in enumerate(months)}
    by_pokja = {pokja_id: [0] * count for pokja_id in ids}
    city = [0] * count
    if not ids:
        return Trend(months, by_pokja, city)
    rows = db.session.execute(trend_statement(ids, months)).all()
    for source, pokja_id, key, n in rows:
        slot = index.get(key)
        if slot is None:
            continue
        if source in ("pokja", "both") and pokja_id in by_pokja:
            by_pokja[pokja_id][slot] += int(n)
        if source in ("city", "both"):
            city[slot] += int(n)
    return Trend(months, by_pokja, city)
