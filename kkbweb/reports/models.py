"""The monthly report a Pokja hands in, frozen as a snapshot, and its history."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity
from kkbweb.members.models import Member
from kkbweb.referrals.models import Referral, ReferralEvent
from kkbweb.timeutil import utcnow

# Hand-in states; a month with no row is "belum diserahkan".
SUBMITTED = "diserahkan"
RETURNED = "dikembalikan"
VERIFIED = "diverifikasi"
STATUSES = (SUBMITTED, RETURNED, VERIFIED)
STATUS_LABELS = {
    None: "Belum diserahkan",
    SUBMITTED: "Diserahkan",
    RETURNED: "Dikembalikan",
    VERIFIED: "Diverifikasi",
}


class MonthlyReport(db.Model):
    """One Pokja's report for one month: where it stands and what it said."""

    __tablename__ = "monthly_report"
    __table_args__ = (
        UniqueConstraint("pokja_id", "year", "month", name="uq_monthly_report_month"),
        # The dashboard reads every Pokja's report of one month.
        Index("ix_monthly_report_month", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # The figures as they stood when (last) handed in: later edits to meetings,
    # KIE logs or referrals do not change what was reported. See recap.snapshot.
    figures: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)  # the Pokja's note
    review_note: Mapped[str | None] = mapped_column(Text)  # staff's note on return
    # Lateness is judged by the first hand-in: a return is staff asking for a fix.
    first_submitted_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The Kampung KB class when (last) handed in: the formula on the latest
    # profile and every portal record of that moment (classification.figures.
    # class_snapshot). Empty for a Pokja without a Kampung KB and for reports
    # handed in before migration 0017 (not recomputed: that moment's portal
    # records and profile cannot be told apart from today's).
    klass: Mapped[str | None] = mapped_column(String(20))
    index_input: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    index_proses: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    index_output: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    class_scores: Mapped[dict | None] = mapped_column(JSON)

    def audit_dict(self) -> dict:
        """Fields an audit row records (the figures are in the report itself)."""
        return {
            "pokja_id": self.pokja_id,
            "bulan": f"{self.year:04d}-{self.month:02d}",
            "status": self.status,
            "note": self.note,
            "review_note": self.review_note,
        }


class MonthlyReportEvent(db.Model):
    """A step in a report's history: handed in, returned or verified."""

    __tablename__ = "monthly_report_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_report.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # the status it led to
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Copied: the history must read the same after a user is renamed.
    user_name: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


# Indexes the monthly recap needs on other features' tables (created by the
# reports migration):
# - the roster walk: a Pokja's members with the dates that put them on a roster;
# - KIE by type and method with the people and reach sums, per Pokja and month;
# - a referral's last status change before a date (overdue at the month's end);
# - referrals opened, completed or handed over in a month, by Pokja and type
#   (with the intake time for the days to hand-over), from the index alone.
Index(
    "ix_member_roster",
    Member.pokja_id,
    Member.active_from,
    Member.active_until,
    Member.is_active,
)
Index(
    "ix_kie_activity_recap",
    KieActivity.pokja_id,
    KieActivity.activity_date,
    KieActivity.activity_type,
    KieActivity.method_id,
    KieActivity.participants_male,
    KieActivity.participants_female,
    KieActivity.estimated_reach,
)
Index(
    "ix_referral_event_history",
    ReferralEvent.referral_id,
    ReferralEvent.kind,
    ReferralEvent.at,
    ReferralEvent.to_status,
)
Index(
    "ix_referral_recap_created",
    Referral.created_at,
    Referral.pokja_id,
    Referral.doc_type,
)
Index(
    "ix_referral_recap_completed",
    Referral.completed_at,
    Referral.pokja_id,
    Referral.doc_type,
)
Index(
    "ix_referral_recap_handed",
    Referral.handed_over_at,
    Referral.pokja_id,
    Referral.doc_type,
    Referral.created_at,
)
