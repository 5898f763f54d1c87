"""Meetings, invitations, attendance and walk-in guests (members: kkbweb.members).

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

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.marks import MarkResult, upsert_status
from kkbweb.meetings import vocab
from kkbweb.timeutil import utcnow


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
    """An invitation of a Pokja: all its active members, or chosen delegates.

    mode "all": the members active on the meeting date are invited (plus anyone
    marked); mode "delegates": exactly the MeetingInvitee rows of this Pokja.
    """

    __tablename__ = "meeting_pokja"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(
        String(10), default=vocab.ALL_MEMBERS, server_default=vocab.ALL_MEMBERS
    )

    meeting: Mapped[Meeting] = relationship(
        back_populates="invitations", lazy="raise_on_sql"
    )

    __table_args__ = (
        # Scoping asks "is Pokja X invited?": an index led by the Pokja.
        Index("ix_meeting_pokja_pokja", "pokja_id", "meeting_id"),
        CheckConstraint("mode IN ('all', 'delegates')", name="mode"),
    )


class MeetingInvitee(db.Model):
    """A chosen delegate: this member is invited (their Pokja's mode "delegates")."""

    __tablename__ = "meeting_invitee"

    meeting_id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    # The member's Pokja, copied (as on attendance): counts and scoping need no join.
    pokja_id: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # A pick belongs to its Pokja's invitation: uninviting the Pokja (or
        # deleting the meeting) removes its picks in the database.
        ForeignKeyConstraint(
            ["meeting_id", "pokja_id"],
            ["meeting_pokja.meeting_id", "meeting_pokja.pokja_id"],
            ondelete="CASCADE",
        ),
        # A member's history; a Pokja's delegates of one meeting.
        Index("ix_meeting_invitee_member", "member_id"),
        Index("ix_meeting_invitee_pokja", "pokja_id", "meeting_id"),
    )


class MeetingExternal(db.Model):
    """An invited person outside the Pokja registry (narasumber, dinas, mitra),
    with their own attendance status.

    pokja_id: the Pokja that invited them (a Pokja's own meeting), or none for the
    department's (then only department users see the name), as on guests.
    """

    __tablename__ = "meeting_external"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(100))  # jabatan/instansi
    sex: Mapped[str] = mapped_column(String(1))
    pokja_id: Mapped[int | None] = mapped_column(ForeignKey("pokja.id"))
    status: Mapped[str | None] = mapped_column(String(12))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("sex IN ('L', 'P')", name="sex"),
        CheckConstraint(
            "status IS NULL OR status IN ('hadir', 'izin', 'sakit', 'tidak_hadir')",
            name="status",
        ),
    )

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "meeting_id": self.meeting_id,
            "name": self.name,
            "role": self.role,
            "sex": self.sex,
            "pokja_id": self.pokja_id,
            "status": self.status,
        }


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
    # The form token of the walk-in form (kkbweb/formtokens.py), kept on the row
    # as KIE entries keep theirs: the htmx add answers within the POST budget.
    form_token: Mapped[str | None] = mapped_column(String(32), unique=True)

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


class OfflineEntry(db.Model):
    """One queued roll-call entry (a mark or a walk-in) a device sent, by the key
    the device made: applied once, whatever the number of resends."""

    __tablename__ = "offline_entry"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(8))  # "mark" or "guest"
    device_at: Mapped[dt.datetime]  # the device's time, clamped to received_at
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def mark_attendance(
    *, meeting_id: int, member_id: int, pokja_id: int, status: str, user_id: int | None
) -> MarkResult:
    """Set a person's status at a meeting in one atomic statement
    (kkbweb/marks.py: ON CONFLICT (meeting_id, member_id) DO UPDATE)."""
    if status not in vocab.ATTENDANCE_STATUSES:
        raise ValueError(f"unknown attendance status {status!r}")
    return upsert_status(
        Attendance.__table__,
        ("meeting_id", "member_id"),
        {
            "meeting_id": meeting_id,
            "member_id": member_id,
            "pokja_id": pokja_id,
            "status": status,
            "marked_by_id": user_id,
            "marked_at": utcnow(),
        },
    )


class MeetingFile(db.Model):
    """Evidence attached to a meeting: a photo or scan of the signed daftar hadir,
    of handwritten notulen, or a photo of the activity (kkbweb/meetings/evidence.py).

    The file lives under UPLOAD_FOLDER/meetings/ with a random name; images are
    re-encoded JPEGs without metadata, PDF scans are kept as uploaded after a
    check (kkbweb/pdfcheck.py).
    """

    __tablename__ = "meeting_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    # The name on the uploader's phone, shown to tell files apart.
    original_name: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    # Of the stored bytes: the same photo or scan twice (a double tap, a resend,
    # two copies racing) is one file; re-encoding the same photo gives the same.
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int | None]  # PDF only
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('daftar_hadir', 'notulen', 'foto')", name="evidence_kind"
        ),
        UniqueConstraint("meeting_id", "sha256"),
    )

    @property
    def kind_label(self) -> str:
        return vocab.label(vocab.EVIDENCE_KINDS, self.kind)

    @property
    def is_pdf(self) -> bool:
        return self.mimetype == "application/pdf"

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "meeting_id": self.meeting_id,
            "kind": self.kind,
            "original_name": self.original_name,
            "mimetype": self.mimetype,
            "size_bytes": self.size_bytes,
            "pages": self.pages,
        }
