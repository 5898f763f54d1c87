"""Writes of the hand-in: each step with its history event and audit row, in one
transaction. No Flask: the acting user is passed in.

The steps are conditional (`UPDATE ... WHERE status = ...`, a month unique per
Pokja), so a double click or two staff at once never make two reports or two
verifications: the second finds the report changed and gets None back.
"""

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.reports.models import (
    RETURNED,
    SUBMITTED,
    VERIFIED,
    MonthlyReport,
    MonthlyReportEvent,
)
from kkbweb.reports.months import Month

CLASS_COLUMNS = (
    "klass",
    "index_input",
    "index_proses",
    "index_output",
    "class_scores",
)


def _event(report_id: int, action: str, note: str | None, user, now: datetime):
    db.session.execute(
        insert(MonthlyReportEvent).values(
            report_id=report_id,
            action=action,
            user_id=user.id,
            user_name=user.full_name,
            at=now,
            note=note,
        )
    )


def submit(
    pokja_id: int,
    month: Month,
    report: MonthlyReport | None,
    figures: dict,
    note: str | None,
    user,
    now: datetime,
    klass: dict | None = None,
) -> int | None:
    """Hand in a month (again, after a return) with its frozen figures and the
    Kampung KB's class of that moment (classification.figures.class_snapshot,
    None without a Kampung KB); committed.

    None, rolled back, when someone else handed it in or changed it first.
    """
    before = report.status if report else None  # the update syncs the object
    values = {
        "status": SUBMITTED,
        "figures": figures,
        "note": note,
        "submitted_at": now,
        "submitted_by_id": user.id,
        **(klass or dict.fromkeys(CLASS_COLUMNS)),
    }
    if report is None:
        try:
            with db.session.begin_nested():
                report_id = db.session.execute(
                    insert(MonthlyReport)
                    .values(
                        pokja_id=pokja_id,
                        year=month.year,
                        month=month.month,
                        first_submitted_at=now,
                        **values,
                    )
                    .returning(MonthlyReport.id)
                ).scalar_one()
        except IntegrityError:  # handed in by someone else a moment ago
            db.session.rollback()
            return None
    else:
        report_id = db.session.execute(
            update(MonthlyReport)
            .where(MonthlyReport.id == report.id, MonthlyReport.status == RETURNED)
            .values(**values)
            .returning(MonthlyReport.id)
        ).scalar()
        if report_id is None:
            db.session.rollback()
            return None
    _event(report_id, SUBMITTED, note, user, now)
    record(
        "report.submit",
        entity_type="monthly_report",
        entity_id=report_id,
        before={"status": before},
        after={
            "pokja_id": pokja_id,
            "bulan": str(month),
            "status": SUBMITTED,
            "kelas": klass["klass"] if klass else None,
        },
        note=note,
    )
    db.session.commit()
    return report_id


def review(
    report: MonthlyReport,
    month: Month,
    target: str,
    note: str | None,
    user,
    now: datetime,
) -> bool:
    """Verify or return a handed-in report; committed. False, rolled back, when
    someone else reviewed it first."""
    values = {"status": target, "reviewed_at": now, "reviewed_by_id": user.id}
    if target == RETURNED:
        values["review_note"] = note
    updated = db.session.execute(
        update(MonthlyReport)
        .where(MonthlyReport.id == report.id, MonthlyReport.status == SUBMITTED)
        .values(**values)
        .returning(MonthlyReport.id)
    ).scalar()
    if updated is None:
        db.session.rollback()
        return False
    _event(report.id, target, note, user, now)
    record(
        "report.verify" if target == VERIFIED else "report.return",
        entity_type="monthly_report",
        entity_id=report.id,
        before={"status": SUBMITTED},
        after={"pokja_id": report.pokja_id, "bulan": str(month), "status": target},
        note=note,
    )
    db.session.commit()
    return True
