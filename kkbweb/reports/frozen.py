"""Monthly reports already handed in or verified, for the pages that change their
months: a KIE entry or a meeting saved into such a month makes the report read
"berubah sejak diverifikasi" (see handin.HandIn.changes). One query each; no Flask.

The save itself is never refused: the snapshot keeps what was reported, and the
recap and the city dashboard show the difference.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.reports.handin import FROZEN
from kkbweb.reports.models import MonthlyReport
from kkbweb.reports.months import Month
from kkbweb.timeutil import today_wib


@dataclass(frozen=True)
class FrozenReport:
    """A report whose figures are frozen: handed in or verified."""

    pokja_id: int
    pokja_name: str
    month: Month
    status: str
    submitted_at: datetime


def reports(pokja_ids: Iterable[int], months: Iterable[Month]) -> list[FrozenReport]:
    """The handed-in or verified reports of these Pokja in these months."""
    ids, wanted = sorted(set(pokja_ids)), sorted(set(months))
    if not ids or not wanted:
        return []
    rows = db.session.execute(
        select(
            MonthlyReport.pokja_id,
            Pokja.display_name,
            MonthlyReport.year,
            MonthlyReport.month,
            MonthlyReport.status,
            MonthlyReport.submitted_at,
        )
        .join(Pokja, Pokja.id == MonthlyReport.pokja_id)
        .where(
            MonthlyReport.pokja_id.in_(ids),
            MonthlyReport.status.in_(FROZEN),
            or_(
                *(
                    and_(MonthlyReport.year == m.year, MonthlyReport.month == m.month)
                    for m in wanted
                )
            ),
        )
        .order_by(MonthlyReport.year, MonthlyReport.month, Pokja.display_name)
    ).all()
    return [
        FrozenReport(
            r.pokja_id, r.display_name, Month(r.year, r.month), r.status, r.submitted_at
        )
        for r in rows
    ]


def of_day(
    pokja_ids: Iterable[int], day: date | None, today: date | None = None
) -> list[FrozenReport]:
    """The frozen reports a record dated `day` counts in.

    No query for the running month (or later): it cannot be handed in yet, and
    that is where most records (today's roll call) are.
    """
    if day is None or Month.of(day) >= Month.of(today or today_wib()):
        return []
    return reports(pokja_ids, [Month.of(day)])


def recent(pokja_id: int | None, today: date, count: int = 3) -> list[FrozenReport]:
    """A Pokja's frozen reports of the last `count` closed months (for a new form)."""
    if pokja_id is None:
        return []
    months, month = [], Month.of(today)
    for _ in range(count):
        month = month.previous()
        months.append(month)
    return reports([pokja_id], months)


def _names(found: list[FrozenReport]) -> str:
    """ "Mei 2024 Pokja Ciwedus dan Bendungan sudah diverifikasi" and so on."""
    groups: dict[tuple[Month, str], list[str]] = {}
    for report in found:
        groups.setdefault((report.month, report.status), []).append(report.pokja_name)
    parts = [
        f"{month.label} Pokja {', '.join(names)} sudah {status}"
        for (month, status), names in groups.items()
    ]
    return "; ".join(parts)


def _tag(found: list[FrozenReport]) -> str:
    statuses = {report.status for report in found}
    return "diverifikasi" if statuses == {"diverifikasi"} else "diserahkan"


def before_saving(found: list[FrozenReport]) -> str | None:
    """The warning on a form or page that would change these months."""
    if not found:
        return None
    return (
        f"Laporan bulan {_names(found)}. Perubahan yang disimpan untuk bulan itu "
        f"tetap tersimpan, tetapi laporannya ditandai \u201cberubah sejak "
        f"{_tag(found)}\u201d (angka yang diserahkan tidak ikut berubah)."
    )


def after_saving(found: list[FrozenReport], saved_at: datetime | None) -> str | None:
    """The notice on a record saved after its month's report was frozen."""
    later = [r for r in found if saved_at is None or saved_at > r.submitted_at]
    if not later:
        return None
    return (
        f"Disimpan setelah laporan bulan {_names(later)}: laporan Pokja itu kini "
        f"ditandai \u201cberubah sejak {_tag(later)}\u201d."
    )


def months_note(found: list[FrozenReport]) -> str | None:
    """The note on a new-entry form: which recent months are already frozen."""
    if not found:
        return None
    months = ", ".join(f"{r.month.label} ({r.status})" for r in found)
    return (
        f"Laporan bulanan Pokja {found[0].pokja_name} sudah masuk untuk {months}. "
        "Kegiatan bertanggal bulan itu tetap bisa disimpan, tetapi laporannya "
        "ditandai berubah."
    )
