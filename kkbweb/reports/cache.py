"""The figures of closed months, kept in the worker until the data changes.

A closed month's figures depend only on what is in the database (the overdue
count of a past month ends at the month's end, not now), yet the city dashboard
computed them on every view: ~20 ms of SQL at scale 1 (docs/PERFORMANCE.md).
Here the rows of those statements are kept, keyed by what they were asked for
and by the database's *write mark*: one statement reading the highest id of the
audit trail and of every table the figures count. Every change the app makes
writes an audit row in its own transaction (QUALITY.md), and anything added from
outside the app (demo-data, an import) adds rows to the counted tables, so any
write, in any worker, gives a new mark and the next view computes afresh. The
running month is never cached (its overdue count moves with the clock), and a
POST (a hand-in's snapshot) always computes afresh.

A change made outside the app that adds no row (an UPDATE typed into a database
shell) shows after the next change made in the app, or a restart.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, has_request_context, request
from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity
from kkbweb.meetings.models import Attendance, Meeting, MeetingExternal, MeetingGuest
from kkbweb.members.models import Member
from kkbweb.poktan.models import PoktanAttendance, PoktanMembership, PoktanSession
from kkbweb.portal.models import PortalRecord
from kkbweb.referrals.models import Referral, ReferralEvent
from kkbweb.reports.months import Month
from kkbweb.timeutil import today_wib

# Every id column whose highest value moves when something the figures count is
# added; the audit trail's moves with every change made through the app.
COUNTED = (
    AuditLog.id,
    Meeting.id,
    MeetingExternal.id,
    MeetingGuest.id,
    Attendance.id,
    Member.id,
    KieActivity.id,
    Referral.id,
    ReferralEvent.id,
    PoktanSession.id,
    PoktanAttendance.id,
    PoktanMembership.id,
    PortalRecord.id,
)
SIZE = 256  # entries per worker: a dashboard keeps ~2 (figures, trend) a month


def write_mark() -> tuple:
    """The highest id of each counted table: one statement, index ends only."""
    return tuple(
        db.session.execute(
            select(*(select(func.max(c)).scalar_subquery() for c in COUNTED))
        ).one()
    )


class RowCache:
    """An LRU of statement rows, per app (so per database), shared by threads."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._rows: OrderedDict = OrderedDict()
        self._mutex = threading.Lock()

    def get(self, key):
        with self._mutex:
            rows = self._rows.get(key)
            if rows is not None:
                self._rows.move_to_end(key)
            return rows

    def put(self, key, rows) -> None:
        with self._mutex:
            self._rows[key] = rows
            self._rows.move_to_end(key)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)


def _cache() -> RowCache:
    return current_app.extensions.setdefault("kkbweb.reports.cache", RowCache())


def rows(key: tuple, month: Month, run: Callable[[], list]) -> list:
    """``run()``'s rows, from the cache when ``month`` is closed and nothing was
    written since they were read (the key names the statement and its input)."""
    if (
        month >= Month.of(today_wib())
        or not current_app.config.get("REPORTS_CACHE", True)
        # A write (a hand-in's snapshot) reads the figures afresh, in its own
        # transaction, and is about to move the mark anyway.
        or (has_request_context() and request.method != "GET")
    ):
        return run()
    cache = _cache()
    full_key = (*key, write_mark())
    found = cache.get(full_key)
    if found is None:
        found = tuple(run())
        cache.put(full_key, found)
    return list(found)
