"""Poktan, the households in them, their sessions and the family roll call.

One Household per family of a Pokja (head of family, address); a family belongs
to a poktan through a PoktanMembership that names the target member (the balita
of a BKB, the remaja of a BKR, the lansia of a BKL, the business of an UPPKA,
the young member of a PIK-R). A household with a balita and a lansia has one
household row and two memberships; a BKB family with two balita has two.

The roll call of a session marks memberships (hadir / tidak hadir, and for BKB
whether the child's KKA was filled); families attending are the distinct
households present. `pokja_id` is copied onto every row so that scoping and the
monthly counts by Pokja need no join. Dates (session date, birth dates, joined /
left) are local calendar dates; moments (`created_at`, `marked_at`) naive UTC.
"""

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.marks import MarkResult, upsert_status
from kkbweb.poktan import vocab
from kkbweb.timeutil import utcnow

_KINDS_SQL = ", ".join(f"'{k}'" for k in vocab.KINDS)
_STATUS_SQL = ", ".join(f"'{k}'" for k in vocab.ATTENDANCE_STATUSES)


class Poktan(db.Model):
    """A standing group of families in an RW: "BKB Melati RW 03"."""

    __tablename__ = "poktan"

    id: Mapped[int] = mapped_column(primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    rw: Mapped[str | None] = mapped_column(String(5))
    # Ketua and kader: a member of the Pokja, or a typed name (not on the roster).
    ketua_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    ketua_name: Mapped[str | None] = mapped_column(String(100))
    kader_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    kader_name: Mapped[str | None] = mapped_column(String(100))
    sk_number: Mapped[str | None] = mapped_column(String(80))
    sk_date: Mapped[dt.date | None]
    since: Mapped[dt.date | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pokja = relationship("Pokja", lazy="raise_on_sql")
    ketua_member = relationship(
        "Member", foreign_keys=[ketua_member_id], lazy="raise_on_sql"
    )
    kader_member = relationship(
        "Member", foreign_keys=[kader_member_id], lazy="raise_on_sql"
    )

    __table_args__ = (
        UniqueConstraint("pokja_id", "name"),
        # A Pokja's poktan by kind; the reports' active poktan by kind.
        Index("ix_poktan_pokja_kind", "pokja_id", "kind"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return vocab.label(vocab.KINDS, self.kind)

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "pokja_id": self.pokja_id,
            "kind": self.kind,
            "name": self.name,
            "rw": self.rw,
            "ketua_member_id": self.ketua_member_id,
            "ketua_name": self.ketua_name,
            "kader_member_id": self.kader_member_id,
            "kader_name": self.kader_name,
            "sk_number": self.sk_number,
            "sk_date": self.sk_date,
            "since": self.since,
            "is_active": self.is_active,
        }


class Household(db.Model):
    """A family of the Pokja's area: its head and address. No NIK."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    head_name: Mapped[str] = mapped_column(String(100))  # kepala keluarga
    address: Mapped[str | None] = mapped_column(String(200))
    rt: Mapped[str | None] = mapped_column(String(5))
    rw: Mapped[str | None] = mapped_column(String(5))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_household_pokja_head", "pokja_id", "head_name"),)

    def __str__(self) -> str:
        return self.head_name

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "pokja_id": self.pokja_id,
            "head_name": self.head_name,
            "address": self.address,
            "rt": self.rt,
            "rw": self.rw,
            "phone": self.phone,
        }


class PoktanMembership(db.Model):
    """A family in a poktan, with the target member the poktan is about."""

    __tablename__ = "poktan_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    poktan_id: Mapped[int] = mapped_column(ForeignKey("poktan.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    # The poktan's Pokja, copied: scoping and counts need no join.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    # BKB: the balita; BKR: the remaja; BKL: the lansia; PIK-R: the young member.
    target_name: Mapped[str | None] = mapped_column(String(100))
    target_sex: Mapped[str | None] = mapped_column(String(1))
    target_birth_date: Mapped[dt.date | None]
    # UPPKA: the family's business and its sub-sector.
    business: Mapped[str | None] = mapped_column(String(100))
    sub_sector: Mapped[str | None] = mapped_column(String(30))
    is_pus: Mapped[bool] = mapped_column(default=False)  # pasangan usia subur
    uses_kb: Mapped[bool] = mapped_column(default=False)
    kb_method: Mapped[str | None] = mapped_column(String(10))
    joined_on: Mapped[dt.date | None]
    left_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(lazy="raise_on_sql")
    poktan: Mapped[Poktan] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_poktan_membership_poktan", "poktan_id", "left_on"),
        Index("ix_poktan_membership_household", "household_id"),
        Index("ix_poktan_membership_pokja", "pokja_id"),
        CheckConstraint(
            "target_sex IS NULL OR target_sex IN ('L', 'P')", name="target_sex"
        ),
    )

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "poktan_id": self.poktan_id,
            "household_id": self.household_id,
            "target_name": self.target_name,
            "target_sex": self.target_sex,
            "target_birth_date": self.target_birth_date,
            "business": self.business,
            "sub_sector": self.sub_sector,
            "is_pus": self.is_pus,
            "uses_kb": self.uses_kb,
            "kb_method": self.kb_method,
            "joined_on": self.joined_on,
            "left_on": self.left_on,
        }


class PoktanSession(db.Model):
    """A session (pertemuan penyuluhan) of a poktan: an activity of its Pokja."""

    __tablename__ = "poktan_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    poktan_id: Mapped[int] = mapped_column(ForeignKey("poktan.id"))
    # The poktan's Pokja and kind, copied: the reports count sessions by Pokja,
    # month and kind without a join.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    kind: Mapped[str] = mapped_column(String(10))
    date: Mapped[dt.date]
    place: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200))  # materi
    speaker: Mapped[str | None] = mapped_column(String(100))  # narasumber
    kader_present: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    poktan: Mapped[Poktan] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_poktan_session_poktan_date", "poktan_id", "date"),
        Index("ix_poktan_session_pokja_date", "pokja_id", "date", "kind"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
    )

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "poktan_id": self.poktan_id,
            "date": self.date,
            "place": self.place,
            "topic": self.topic,
            "speaker": self.speaker,
            "kader_present": self.kader_present,
            "notes": self.notes,
        }


class PoktanAttendance(db.Model):
    """One member family's mark at one session: one row per (session, membership)."""

    __tablename__ = "poktan_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("poktan_session.id", ondelete="CASCADE")
    )
    membership_id: Mapped[int] = mapped_column(ForeignKey("poktan_membership.id"))
    # Copied: families attending are distinct households; counts by Pokja.
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    status: Mapped[str] = mapped_column(String(12))
    previous_status: Mapped[str | None] = mapped_column(String(12))
    # BKB: the child's KKA (Kartu Kembang Anak) was filled at this session.
    kka_filled: Mapped[bool] = mapped_column(default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("session_id", "membership_id"),
        Index("ix_poktan_attendance_membership", "membership_id"),
        Index("ix_poktan_attendance_pokja_session", "pokja_id", "session_id", "status"),
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status"),
    )


class PoktanGuest(db.Model):
    """A family that came to a session without being a member (walk-in)."""

    __tablename__ = "poktan_guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("poktan_session.id", ondelete="CASCADE"), index=True
    )
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The walk-in form's token, kept on the row as meeting guests keep theirs.
    form_token: Mapped[str | None] = mapped_column(String(32), unique=True)

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {"session_id": self.session_id, "name": self.name, "note": self.note}


class PoktanPhoto(db.Model):
    """A photo of a session as evidence, re-encoded under UPLOAD_FOLDER/poktan/."""

    __tablename__ = "poktan_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("poktan_session.id", ondelete="CASCADE"), index=True
    )
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("session_id", "sha256"),)

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "session_id": self.session_id,
            "width": self.width,
            "height": self.height,
            "size_bytes": self.size_bytes,
        }


def mark_attendance(
    *,
    session_id: int,
    membership_id: int,
    household_id: int,
    pokja_id: int,
    status: str,
    user_id: int | None,
) -> MarkResult:
    """Set a family's status at a session in one atomic statement, as the
    meeting roll call (kkbweb/marks.py: ON CONFLICT (session_id, membership_id)
    DO UPDATE ... WHERE status differs). A change of status clears the KKA tick:
    no card is filled for a child who was not there (only hadir <-> tidak hadir
    changes get to the update)."""
    if status not in vocab.ATTENDANCE_STATUSES:
        raise ValueError(f"unknown attendance status {status!r}")
    return upsert_status(
        PoktanAttendance.__table__,
        ("session_id", "membership_id"),
        {
            "session_id": session_id,
            "membership_id": membership_id,
            "household_id": household_id,
            "pokja_id": pokja_id,
            "status": status,
            "kka_filled": False,
            "marked_by_id": user_id,
            "marked_at": utcnow(),
        },
        also={"kka_filled": False},
    )
