"""Residents, referrals, their papers and history, and the checklist templates.

Columns the reports read (created_at, completed_at, handed_over_at, status,
status_changed_at, doc_type, pokja_id) are plain, indexed columns on `referral`, so
monthly counts and days from intake to hand-over are single SQL aggregates.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.nik import mask_nik
from kkbweb.referrals import routing, vocab, workflow
from kkbweb.timeutil import utcnow

CODE_PREFIX = "RJK"
# The few open referrals among years of closed ones: a partial index serves the
# queue (see queries.open_condition, which writes the same list into queries).
# The list is workflow's: changing the open set there needs a migration.
OPEN_STATUSES = workflow.OPEN_STATUSES
OPEN_PREDICATE = text(
    "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
)


def format_code(year: int, seq: int) -> str:
    """RJK-2024-00042: the referral number people quote on the phone."""
    return f"{CODE_PREFIX}-{year}-{seq:05d}"


class Resident(db.Model):
    """A resident (warga) helped by a Pokja: only what a referral needs (UU PDP)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))  # L / P
    birth_date: Mapped[date | None] = mapped_column(Date)
    religion: Mapped[str | None] = mapped_column(String(20))  # routing.RELIGIONS
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    # Stored in full for the staff who need it; duplicates are warned about, not
    # refused (a NIK can be mistyped on an old KK), so the index is not unique.
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # One per intake form: a double tap or a resent form saves one resident.
    intake_key: Mapped[str | None] = mapped_column(String(32), unique=True)

    pokja = relationship("Pokja", lazy="raise_on_sql")

    __table_args__ = (Index("ix_resident_pokja_name", "pokja_id", "name"),)
    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.nik)

    @property
    def sex_label(self) -> str:
        return {"L": "Laki-laki", "P": "Perempuan"}.get(self.sex, self.sex)

    @property
    def religion_label(self) -> str:
        return routing.RELIGIONS.get(self.religion or "", "")

    @property
    def rt_rw(self) -> str:
        if not (self.rt or self.rw):
            return ""
        return f"RT {self.rt or '-'}/RW {self.rw or '-'}"

    def audit_dict(self) -> dict:
        """The fields an audit row records (the audit module masks `nik`)."""
        return {
            "name": self.name,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "religion": self.religion,
            "phone": self.phone,
            "address": self.address,
            "rt": self.rt,
            "rw": self.rw,
            "pokja_id": self.pokja_id,
            "nik": self.nik,
        }


class Referral(db.Model):
    """A civil-document referral (rujukan) and where it stands."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The number is per year and allocated by the database inside the INSERT
    # (max + 1); the unique pair makes a parallel duplicate fail and retry.
    code_year: Mapped[int]
    code_seq: Mapped[int]
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    # Copied from the resident at intake, for scoping and per-Pokja reports.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    doc_type: Mapped[str] = mapped_column(String(20), index=True)
    destination_code: Mapped[str] = mapped_column(String(20))
    destination_name: Mapped[str] = mapped_column(String(120))
    destination_address: Mapped[str | None] = mapped_column(String(200))
    # Indexed through ix_referral_status_changed (status first).
    status: Mapped[str] = mapped_column(String(24))
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    holder: Mapped[str | None] = mapped_column(String(10))
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    handed_over_at: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    intake_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The family and the event (issue 17): the KK, its marital status as printed,
    # whether the (parents') marriage is unregistered, the event and where.
    kk_number: Mapped[str | None] = mapped_column(String(16))
    marital_status: Mapped[str | None] = mapped_column(String(24))
    unregistered: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    event_date: Mapped[date | None] = mapped_column(Date)
    event_place: Mapped[str | None] = mapped_column(String(120))
    # Marriages: the kecamatan of the akad (decides the KUA).
    event_kecamatan: Mapped[str | None] = mapped_column(String(40))
    ktp_reason: Mapped[str | None] = mapped_column(String(12))

    resident = relationship("Resident", lazy="raise_on_sql")
    pokja = relationship("Pokja", lazy="raise_on_sql")
    assigned_to = relationship(
        "User", foreign_keys=[assigned_to_id], lazy="raise_on_sql"
    )
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise_on_sql")
    papers: Mapped[list["ReferralPaper"]] = relationship(
        back_populates="referral",
        lazy="raise_on_sql",
        order_by="(ReferralPaper.sort, ReferralPaper.id)",
    )
    events: Mapped[list["ReferralEvent"]] = relationship(
        back_populates="referral",
        lazy="raise_on_sql",
        order_by="(ReferralEvent.at, ReferralEvent.id)",
    )
    persons: Mapped[list["ReferralPerson"]] = relationship(
        back_populates="referral",
        lazy="raise_on_sql",
        order_by="(ReferralPerson.sort, ReferralPerson.id)",
    )
    documents: Mapped[list["ReferralDocument"]] = relationship(
        lazy="raise_on_sql", order_by="ReferralDocument.id"
    )

    __table_args__ = (
        UniqueConstraint("code_year", "code_seq"),
        # The queue: open statuses, longest waiting first; the counts per status
        # (with the overdue test) read these indexes alone. Then the same per Pokja,
        # and a Pokja's whole list (closed ones included) in waiting order.
        Index("ix_referral_status_changed", "status", "status_changed_at"),
        Index("ix_referral_pokja_status", "pokja_id", "status", "status_changed_at"),
        Index("ix_referral_pokja_changed", "pokja_id", "status_changed_at"),
        Index(
            "ix_referral_open_waiting",
            "status_changed_at",
            sqlite_where=OPEN_PREDICATE,
            postgresql_where=OPEN_PREDICATE,
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return format_code(self.code_year, self.code_seq)

    @property
    def status_label(self) -> str:
        return workflow.STATUS_LABELS.get(self.status, self.status)

    @property
    def doc_type_label(self) -> str:
        return routing.DOC_TYPES.get(self.doc_type, self.doc_type)

    @property
    def holder_label(self) -> str:
        return workflow.HOLDER_LABELS.get(self.holder or "", "")

    @property
    def is_open(self) -> bool:
        return workflow.is_open(self.status)

    @property
    def marital_label(self) -> str:
        return vocab.MARITAL_LABELS.get(self.marital_status or "", "")

    def audit_dict(self) -> dict:
        """The fields an audit row records."""
        return {
            "code": self.code,
            "resident_id": self.resident_id,
            "pokja_id": self.pokja_id,
            "doc_type": self.doc_type,
            "destination_code": self.destination_code,
            "destination_name": self.destination_name,
            "destination_address": self.destination_address,
            "status": self.status,
            "holder": self.holder,
            "assigned_to_id": self.assigned_to_id,
            "notes": self.notes,
            "kk_number": self.kk_number,
            "marital_status": self.marital_status,
            "unregistered": self.unregistered,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "event_place": self.event_place,
            "event_kecamatan": self.event_kecamatan,
            "ktp_reason": self.ktp_reason,
        }


class ReferralPerson(db.Model):
    """A resident a case concerns, in a role of its document type (vocab)."""

    __tablename__ = "referral_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    sort: Mapped[int] = mapped_column(default=0)

    referral: Mapped[Referral] = relationship(
        back_populates="persons", lazy="raise_on_sql"
    )
    resident = relationship("Resident", lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("referral_id", "resident_id", "role"),)

    @property
    def role_label(self) -> str:
        return vocab.ROLE_LABELS.get(self.role, self.role)


class ReferralDocument(db.Model):
    """The issued document's PDF or photo, attached to its case (NIK-bearing)."""

    __tablename__ = "referral_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("referral_id", "sha256"),)

    @property
    def is_pdf(self) -> bool:
        return self.mimetype == "application/pdf"

    def audit_dict(self) -> dict:
        return {
            "original_name": self.original_name,
            "mimetype": self.mimetype,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
        }


class ReferralPaper(db.Model):
    """One paper the resident must bring, copied from the checklist at intake."""

    __tablename__ = "referral_paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    sort: Mapped[int] = mapped_column(default=0)
    received: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    referral: Mapped[Referral] = relationship(
        back_populates="papers", lazy="raise_on_sql"
    )


EVENT_STATUS = "status"  # a move in the workflow
EVENT_ASSIGN = "assign"  # someone took the referral or it was reassigned
EVENT_EDIT = "edit"  # destination or notes changed


class ReferralEvent(db.Model):
    """One line of a referral's history: who did what, when, and who acts next."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=EVENT_STATUS)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(String(10))
    # The day the step really happened (at the desk), when not the day recorded.
    happened_on: Mapped[date | None] = mapped_column(Date)

    referral: Mapped[Referral] = relationship(
        back_populates="events", lazy="raise_on_sql"
    )
    user = relationship("User", lazy="raise_on_sql")

    @property
    def to_label(self) -> str:
        return workflow.STATUS_LABELS.get(self.to_status or "", "")

    @property
    def from_label(self) -> str:
        return workflow.STATUS_LABELS.get(self.from_status or "", "")

    @property
    def holder_label(self) -> str:
        return workflow.HOLDER_LABELS.get(self.holder or "", "")


# Every case's first history line is written by the database with the case:
# who and when are the row's own, the status is the first one (a demo row may be
# inserted in a later status, its later steps are its own lines). Intake, a
# sidang's batch and the demo alike; one statement less per POST (QUALITY.md).
_FIRST_EVENT = (
    "INSERT INTO referral_event (referral_id, kind, from_status, to_status, "
    f"user_id, at, note, holder) VALUES (NEW.id, '{EVENT_STATUS}', NULL, "
    f"'{workflow.DIAJUKAN}', NEW.created_by_id, NEW.created_at, 'Rujukan dibuat.', "
    f"'{workflow.HOLDER[workflow.DIAJUKAN]}');"
)
FIRST_EVENT_SQL = {
    "sqlite": [
        "CREATE TRIGGER referral_first_event AFTER INSERT ON referral "
        f"BEGIN {_FIRST_EVENT} END"
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION referral_first_event() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {_FIRST_EVENT} RETURN NEW; END $$",
        "CREATE TRIGGER referral_first_event AFTER INSERT ON referral "
        "FOR EACH ROW EXECUTE FUNCTION referral_first_event()",
    ],
}


@event.listens_for(ReferralEvent.__table__, "after_create")
def _first_event(table, connection, **_kw) -> None:
    """Install the trigger when tests create the schema directly."""
    for statement in FIRST_EVENT_SQL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


class ChecklistItem(db.Model):
    """A paper required for a document type; the admin edits the list."""

    __tablename__ = "referral_checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str] = mapped_column(String(200))
    sort: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Copied into a case only when this holds (vocab.CONDITION_LABELS); None: always.
    condition: Mapped[str | None] = mapped_column(String(30))

    @property
    def condition_label(self) -> str:
        return vocab.CONDITION_LABELS.get(self.condition or "", self.condition or "")

    def audit_dict(self) -> dict:
        return {
            "doc_type": self.doc_type,
            "label": self.label,
            "sort": self.sort,
            "active": self.active,
            "condition": self.condition,
        }


# -- unregistered marriages and sidang isbat terpadu ---------------------------------

COUPLE_OPEN = "belum_tercatat"
COUPLE_ISBAT = "isbat_dikabulkan"
COUPLE_DONE = "tercatat"
COUPLE_LABELS = {
    COUPLE_OPEN: "Nikah belum tercatat",
    COUPLE_ISBAT: "Isbat dikabulkan",
    COUPLE_DONE: "Tercatat (buku nikah terbit)",
}


class Couple(db.Model):
    """A couple married without registration ("nikah belum tercatat")."""

    __tablename__ = "referral_couple"

    id: Mapped[int] = mapped_column(primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"), index=True)
    husband_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    wife_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    source_referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    status: Mapped[str] = mapped_column(String(20), default=COUPLE_OPEN)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    husband = relationship("Resident", foreign_keys=[husband_id], lazy="raise_on_sql")
    wife = relationship("Resident", foreign_keys=[wife_id], lazy="raise_on_sql")
    pokja = relationship("Pokja", lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("husband_id", "wife_id"),)

    @property
    def status_label(self) -> str:
        return COUPLE_LABELS.get(self.status, self.status)


class IsbatSession(db.Model):
    """A sidang isbat terpadu: court, KUA and Disdukcapil on one day."""

    __tablename__ = "referral_isbat_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(160))
    court: Mapped[str] = mapped_column(String(120))
    kua: Mapped[str] = mapped_column(String(120))
    disdukcapil: Mapped[str] = mapped_column(String(160))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def audit_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "place": self.place,
            "court": self.court,
            "kua": self.kua,
            "disdukcapil": self.disdukcapil,
        }


class IsbatEntry(db.Model):
    """A couple in a sidang isbat terpadu, its itsbat case and its outcome."""

    __tablename__ = "referral_isbat_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("referral_isbat_session.id"), index=True
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("referral_couple.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    granted: Mapped[bool | None] = mapped_column(Boolean)
    buku_nikah: Mapped[bool] = mapped_column(default=False)
    kk_updated: Mapped[bool] = mapped_column(default=False)
    children_akta: Mapped[bool] = mapped_column(default=False)
    followups_at: Mapped[datetime | None]

    couple = relationship("Couple", lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("session_id", "couple_id"),)
