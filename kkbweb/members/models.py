"""The member registry: people on a Pokja's roster, and who was on it when.

`Member.sex` and `Member.pokja_id` are stable, indexed columns that the meeting
counts and the reports aggregate on.
"""

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.meetings import vocab
from kkbweb.timeutil import utcnow


class Member(db.Model):
    """A person on a Pokja's roster (pengurus, kader, anggota)."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed once the member has attendance: moving Pokja means a new member row,
    # so a past meeting keeps the Pokja the person came from.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    jabatan: Mapped[str] = mapped_column(String(30))
    seksi: Mapped[str | None] = mapped_column(String(40))
    unsur: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(20))
    active_from: Mapped[dt.date | None]
    active_until: Mapped[dt.date | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pokja = relationship("Pokja", lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_member_pokja_name", "pokja_id", "name"),
        CheckConstraint("sex IN ('L', 'P')", name="sex"),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def jabatan_label(self) -> str:
        return vocab.label(vocab.JABATAN, self.jabatan)

    @property
    def unsur_label(self) -> str:
        return vocab.label(vocab.UNSUR, self.unsur)

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "pokja_id": self.pokja_id,
            "name": self.name,
            "sex": self.sex,
            "jabatan": self.jabatan,
            "seksi": self.seksi,
            "unsur": self.unsur,
            "phone": self.phone,
            "active_from": self.active_from,
            "active_until": self.active_until,
            "is_active": self.is_active,
        }


def on_roster(meeting_date, member=Member):
    """Condition: the member belonged to the Pokja on the meeting's date.

    `meeting_date` is a date or the Meeting.date column; `member` the Member
    entity or an alias of it. A deactivated member without an end date is off
    every roster; one with an end date stays on the rosters before that date.
    """
    return and_(
        or_(member.active_from.is_(None), member.active_from <= meeting_date),
        or_(member.active_until.is_(None), member.active_until >= meeting_date),
        or_(member.is_active.is_(True), member.active_until.is_not(None)),
    )
