"""KIE vocabularies, campaigns, activity logs and their photos.

Columns the reports read (activity_date, pokja_id, activity_type, method_id,
participants_*, estimated_reach, the topic links) are plain and indexed, so that
monthly counts are SQL aggregates.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kkbweb.extensions import db
from kkbweb.timeutil import utcnow

# Media, topics and audiences of an entry: one association table for the three
# kinds (the term says which kind it is), so one join filters or counts by any.
kie_activity_term = Table(
    "kie_activity_term",
    db.metadata,
    Column(
        "activity_id",
        ForeignKey("kie_activity.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("term_id", ForeignKey("kie_term.id"), primary_key=True),
    Index("ix_kie_activity_term_term", "term_id", "activity_id"),
)

kie_campaign_pokja = Table(
    "kie_campaign_pokja",
    db.metadata,
    Column(
        "campaign_id",
        ForeignKey("kie_campaign.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("pokja_id", ForeignKey("pokja.id"), primary_key=True),
    Index("ix_kie_campaign_pokja_pokja", "pokja_id", "campaign_id"),
)


class KieTerm(db.Model):
    """One word of a vocabulary (method, media, topic, audience, kategori, mitra)."""

    __tablename__ = "kie_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    sort: Mapped[int] = mapped_column(default=0)
    # Deactivated terms stay on old entries but are not offered for new ones.
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_kie_term_kind_code"),
        Index("ix_kie_term_kind_sort", "kind", "sort"),
    )

    def __str__(self) -> str:
        return self.label

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "kind": self.kind,
            "code": self.code,
            "label": self.label,
            "sort": self.sort,
            "active": self.active,
        }


class KieCampaign(db.Model):
    """A named effort with a theme and a period, for one Pokja or several."""

    __tablename__ = "kie_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pokja = relationship(
        "Pokja",
        secondary=kie_campaign_pokja,
        lazy="raise_on_sql",
        order_by="Pokja.display_name",
    )

    __table_args__ = (CheckConstraint("end_date >= start_date", name="period_order"),)

    def __str__(self) -> str:
        return self.name

    def audit_dict(self, pokja_ids: list[int]) -> dict:
        """Return the fields an audit row records."""
        return {
            "name": self.name,
            "theme": self.theme,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "pokja_ids": sorted(pokja_ids),
        }


class KieActivity(db.Model):
    """One KIE or advokasi activity of a Pokja."""

    __tablename__ = "kie_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Both indexed through the covering indexes in __table_args__.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    activity_date: Mapped[date] = mapped_column(Date)
    activity_type: Mapped[str] = mapped_column(String(10))  # kie | advokasi
    method_id: Mapped[int] = mapped_column(ForeignKey("kie_term.id"), index=True)
    kategori_id: Mapped[int] = mapped_column(ForeignKey("kie_term.id"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("kie_campaign.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))  # "judul" on the portal
    place: Mapped[str] = mapped_column(String(150))
    speaker: Mapped[str | None] = mapped_column(String(100))
    mitra: Mapped[str | None] = mapped_column(String(200))
    participants_male: Mapped[int] = mapped_column(Integer, default=0)
    participants_female: Mapped[int] = mapped_column(Integer, default=0)
    estimated_reach: Mapped[int | None] = mapped_column(Integer)  # mass media
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Random per rendered form: a resend or double tap finds the entry it made.
    form_token: Mapped[str] = mapped_column(String(32), unique=True)

    pokja = relationship("Pokja", lazy="raise_on_sql")
    method = relationship(KieTerm, foreign_keys=[method_id], lazy="raise_on_sql")
    kategori = relationship(KieTerm, foreign_keys=[kategori_id], lazy="raise_on_sql")
    campaign = relationship(KieCampaign, lazy="raise_on_sql")
    created_by = relationship("User", lazy="raise_on_sql")
    # Written with plain inserts/deletes (see views), read through these rows.
    # Eager-loaded as two plain LEFT JOINs (link, then term): a secondary=
    # relationship renders a nested join that SQLite materializes in full.
    links = relationship("KieActivityTerm", lazy="raise_on_sql", viewonly=True)
    # Rows go with the entry (ON DELETE CASCADE); the view removes the files.
    photos = relationship(
        "KiePhoto",
        lazy="raise_on_sql",
        order_by="KiePhoto.id",
        viewonly=True,
    )

    __table_args__ = (
        # Newest-first lists walk these; the counts ride along so that totals
        # and monthly sums (per Pokja or city-wide) never touch the table rows.
        Index(
            "ix_kie_activity_date_counts",
            "activity_date",
            "participants_male",
            "participants_female",
            "estimated_reach",
        ),
        Index(
            "ix_kie_activity_pokja_date",
            "pokja_id",
            "activity_date",
            "participants_male",
            "participants_female",
            "estimated_reach",
        ),
        # An entry of a campaign belongs to one of the campaign's Pokja; the
        # database refuses to take a Pokja out of a campaign it has entries in.
        ForeignKeyConstraint(
            ["campaign_id", "pokja_id"],
            ["kie_campaign_pokja.campaign_id", "kie_campaign_pokja.pokja_id"],
            name="fk_kie_activity_campaign_pokja",
        ),
        CheckConstraint(
            "activity_type IN ('kie', 'advokasi')", name="activity_type_known"
        ),
        CheckConstraint("participants_male >= 0", name="male_not_negative"),
        CheckConstraint("participants_female >= 0", name="female_not_negative"),
        CheckConstraint("estimated_reach >= 0", name="reach_not_negative"),
    )

    # The entry's plain values, as the audit trail records them after the Pokja,
    # date, type and terms (see audit_dict). A new plain column goes here; the
    # entry form copies its own fields onto the entry (ActivityForm.populate_entry).
    PLAIN_FIELDS = (
        "title",
        "place",
        "speaker",
        "mitra",
        "participants_male",
        "participants_female",
        "estimated_reach",
        "campaign_id",
        "notes",
    )

    def __str__(self) -> str:
        return self.title

    @validates("speaker", "mitra", "notes", "campaign_id")
    def _blank_is_null(self, _key, value):
        """A blank text, or the form's "none" choice (0), is stored as NULL."""
        return value or None

    @validates("participants_male", "participants_female")
    def _blank_is_zero(self, _key, value):
        """A blank count is stored as 0 (the reach stays NULL: not estimated)."""
        return value or 0

    def audit_dict(self, terms: Mapping[int, object], term_ids: Iterable[int]) -> dict:
        """Return the fields an audit row records, the terms by their labels.

        `terms` maps term ids to objects with kind and label (the form's options);
        `term_ids` are the linked media, topics and audiences, passed in because
        the links are written as plain rows after the entry.
        """
        linked = [terms[t] for t in term_ids if t in terms]

        def label(term_id: int | None) -> str:
            term = terms.get(term_id) if term_id else None
            return term.label if term else ""

        def labels(kind: str) -> list[str]:
            return sorted(t.label for t in linked if t.kind == kind)

        return {
            "pokja_id": self.pokja_id,
            "activity_date": self.activity_date.isoformat(),
            "activity_type": self.activity_type,
            "method": label(self.method_id),
            "kategori": label(self.kategori_id),
            "topics": labels("topic"),
            "audiences": labels("audience"),
            "media": labels("media"),
            **{name: getattr(self, name) for name in self.PLAIN_FIELDS},
        }

    @property
    def terms(self) -> list[KieTerm]:
        """The linked media, topics and audiences, in vocabulary order."""
        return sorted(
            (link.term for link in self.links), key=lambda t: (t.sort, t.label)
        )

    def terms_of(self, kind: str) -> list[KieTerm]:
        """The linked terms of one kind (media, topic, audience)."""
        return [term for term in self.terms if term.kind == kind]

    @property
    def participants(self) -> int:
        return (self.participants_male or 0) + (self.participants_female or 0)


class KieActivityTerm(db.Model):
    """One link between an entry and a media, topic or audience term."""

    __table__ = kie_activity_term

    term = relationship(KieTerm, lazy="raise_on_sql", viewonly=True)


class KiePhoto(db.Model):
    """A documentation photo, re-encoded to a small JPEG under UPLOAD_FOLDER/kie/."""

    __tablename__ = "kie_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("kie_activity.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
