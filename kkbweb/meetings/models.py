"""Members of a Pokja, meetings, invitations, attendance and walk-in guests.

Dates and times of a meeting are the local (WIB) wall-clock values the invitation
states: `Meeting.date` is a calendar date and `Meeting.start_time` a time of day,
with no time zone, because "Senin, 27 Mei 2024 pukul 08.30 WIB" is what matters and
must not shift if the server's clock zone changes. Moments at which something
happened (`Attendance.marked_at`, `created_at`) are naive UTC like the rest of kkbweb.

For the reports: `Meeting.date`, `Meeting.kind`, `MeetingPokja.pokja_id`,
`Attendance.status`, `Attendance.pokja_id` and `Member.sex` are stable, indexed
columns, so monthly counts are plain SQL aggregates.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.dialects import postgresql, sqlite
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


class Meeting(db.Model):
    """A meeting of one or several Pokja, with its minutes and follow-ups."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    # Local (WIB) calendar date and wall-clock start, as on the invitation.
    date: Mapped[dt.date] = mapped_column(index=True)
    start_time: Mapped[dt.time | None]
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)  # notulen
    follow_ups: Mapped[str | None] = mapped_column(Text)  # tindak lanjut, one a line
    status: Mapped[str] = mapped_column(String(12), default=vocab.SCHEDULED)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    invitations: Mapped[list["MeetingPokja"]] = relationship(
        back_populates="meeting", lazy="raise_on_sql"
    )
    organiser = relationship("User", foreign_keys=[organiser_id], lazy="raise_on_sql")

    # Lists and reports filter by kind or status and order or bound by date.
    __table_args__ = (
        Index("ix_meeting_kind_date", "kind", "date"),
        Index("ix_meeting_status_date", "status", "date"),
    )

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return vocab.label(vocab.MEETING_KINDS, self.kind)

    @property
    def status_label(self) -> str:
        return vocab.label(vocab.MEETING_STATUSES, self.status)

    @property
    def follow_up_items(self) -> list[str]:
        """The follow-up text split into items, one per non-empty line."""
        lines = (self.follow_ups or "").splitlines()
        return [line.strip(" -•\t") for line in lines if line.strip(" -•\t")]

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "kind": self.kind,
            "title": self.title,
            "date": self.date,
            "start_time": self.start_time,
            "place": self.place,
            "agenda": self.agenda,
            "status": self.status,
            "organiser_id": self.organiser_id,
        }


class MeetingPokja(db.Model):
    """An invitation: this Pokja is invited to this meeting."""

    __tablename__ = "meeting_pokja"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"), primary_key=True)

    meeting: Mapped[Meeting] = relationship(
        back_populates="invitations", lazy="raise_on_sql"
    )

    # Scoping asks "is Pokja X invited?": an index led by the Pokja.
    __table_args__ = (Index("ix_meeting_pokja_pokja", "pokja_id", "meeting_id"),)


class Attendance(db.Model):
    """One person's status at one meeting: exactly one row per (meeting, member)."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    # The member's Pokja, copied: counts by Pokja and scoping need no join.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    status: Mapped[str] = mapped_column(String(12))
    # The status this mark replaced, set atomically by the upsert: the audit
    # "from" is exact even when two organisers mark at once.
    previous_status: Mapped[str | None] = mapped_column(String(12))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        # A Pokja user's counts for one meeting, and the reports by Pokja.
        Index("ix_attendance_pokja_meeting", "pokja_id", "meeting_id", "status"),
        CheckConstraint(
            "status IN ('hadir', 'izin', 'sakit', 'tidak_hadir')", name="status"
        ),
    )


class MeetingGuest(db.Model):
    """A walk-in: someone not on any roster who came and signed in."""

    __tablename__ = "meeting_guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    affiliation: Mapped[str | None] = mapped_column(String(100))  # unsur/instansi
    # The Pokja the guest came with; none for a department guest (then only
    # department users see the name).
    pokja_id: Mapped[int | None] = mapped_column(ForeignKey("pokja.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("sex IN ('L', 'P')", name="sex"),)

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "meeting_id": self.meeting_id,
            "name": self.name,
            "sex": self.sex,
            "affiliation": self.affiliation,
            "pokja_id": self.pokja_id,
        }


@dataclass(frozen=True)
class MarkResult:
    """What a mark did: `changed` is False for a repeat, `previous` None at first."""

    changed: bool
    previous: str | None
    id: int | None = None  # the attendance row, when changed


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def mark_attendance(
    *, meeting_id: int, member_id: int, pokja_id: int, status: str, user_id: int | None
) -> MarkResult:
    """Set a person's status at a meeting in one atomic statement.

    INSERT ... ON CONFLICT (meeting_id, member_id) DO UPDATE: two organisers, a
    double tap or a resent request can never make a second row, and the last
    writer wins without an error. A repeat of the current status updates nothing
    and returns no row, so it is not audited twice.
    """
    if status not in vocab.ATTENDANCE_STATUSES:
        raise ValueError(f"unknown attendance status {status!r}")
    dialect = db.session.get_bind().dialect.name
    table = Attendance.__table__
    stmt = _INSERTS[dialect](table).values(
        meeting_id=meeting_id,
        member_id=member_id,
        pokja_id=pokja_id,
        status=status,
        previous_status=None,
        marked_by_id=user_id,
        marked_at=utcnow(),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.meeting_id, table.c.member_id],
        set_={
            # Evaluated against the existing row: the status being replaced.
            "previous_status": table.c.status,
            "status": stmt.excluded.status,
            "marked_by_id": stmt.excluded.marked_by_id,
            "marked_at": stmt.excluded.marked_at,
        },
        where=table.c.status != stmt.excluded.status,
    ).returning(table.c.id, table.c.previous_status)
    row = db.session.execute(stmt).first()
    if row is None:
        return MarkResult(changed=False, previous=status)
    return MarkResult(changed=True, previous=row.previous_status, id=row.id)
