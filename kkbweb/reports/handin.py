"""When a monthly report may be handed in and reviewed, how its state reads. No Flask.

Flow: (none) --submit--> diserahkan --verify--> diverifikasi
                                    --return--> dikembalikan --submit--> diserahkan
A month can be handed in once it has ended; it is late when first handed in after
the deadline (the `day`th of the next month, config REPORT_DEADLINE_DAY), or not
handed in by then. A verified report is final.
"""

from dataclasses import dataclass, field
from datetime import date

from kkbweb.reports.models import RETURNED, STATUS_LABELS, SUBMITTED, VERIFIED
from kkbweb.reports.months import Month, deadline, is_closed, is_late

DEFAULT_DEADLINE_DAY = 10
NOTE_MAX = 2000

_BADGES = {
    None: "badge-muted",
    SUBMITTED: "badge-info",
    RETURNED: "badge-warn",
    VERIFIED: "badge-ok",
}
# A report whose figures stand frozen: a later change to the month is flagged.
FROZEN = (SUBMITTED, VERIFIED)
# Sorting the dashboard by hand-in: what needs attention first.
_RANK = {None: 0, RETURNED: 1, SUBMITTED: 2, VERIFIED: 3}


def deadline_day(config_value) -> int:
    """REPORT_DEADLINE_DAY as a day 1..28 (a bad setting falls back to 10)."""
    try:
        day = int(config_value)
    except (TypeError, ValueError):
        return DEFAULT_DEADLINE_DAY
    return day if 1 <= day <= 28 else DEFAULT_DEADLINE_DAY


def submit_problem(status: str | None, month: Month, today: date) -> str | None:
    """Why this month cannot be handed in now, in Indonesian; None if it can."""
    if not is_closed(month, today):
        return f"Laporan {month.label} baru dapat diserahkan setelah bulan berakhir."
    if status == SUBMITTED:
        return f"Laporan {month.label} sudah diserahkan dan menunggu pemeriksaan."
    if status == VERIFIED:
        return f"Laporan {month.label} sudah diverifikasi dan tidak dapat diubah."
    return None


def review_problem(status: str | None, month: Month) -> str | None:
    """Why this report cannot be verified or returned now; None if it can."""
    if status is None:
        return f"Laporan {month.label} belum diserahkan."
    if status == RETURNED:
        return f"Laporan {month.label} sudah dikembalikan; tunggu penyerahan ulang."
    if status == VERIFIED:
        return f"Laporan {month.label} sudah diverifikasi."
    return None


@dataclass(frozen=True)
class HandIn:
    """How a Pokja's report for a month stands, ready to show."""

    status: str | None
    late: bool
    month_open: bool  # the month has not ended: nothing to hand in yet
    due: date
    # Figures that differ today from the snapshot handed in (recap.Change), for
    # a report handed in or verified: the month changed after it was frozen.
    changes: tuple = field(default=(), compare=False)

    @property
    def changed_label(self) -> str:
        """ "Berubah sejak diverifikasi" (or "diserahkan"); "" when unchanged."""
        if not self.changes or self.status not in FROZEN:
            return ""
        return f"Berubah sejak {self.status}"

    @property
    def label(self) -> str:
        if self.month_open:
            return "Bulan berjalan"
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return "badge-muted" if self.month_open else _BADGES[self.status]

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key: not handed in and late first, verified last."""
        return (_RANK[self.status], 0 if self.late else 1)


def state(
    month: Month,
    today: date,
    status: str | None,
    first_submitted_on: date | None,
    day: int = DEFAULT_DEADLINE_DAY,
    changes=(),
) -> HandIn:
    """The hand-in state of one Pokja's month as of today (with the figures
    that changed since a hand-in or verification)."""
    month_open = not is_closed(month, today)
    late = not month_open and is_late(month, today, first_submitted_on, day)
    changed = tuple(changes) if status in FROZEN else ()
    return HandIn(status, late, month_open, deadline(month, day), changed)
