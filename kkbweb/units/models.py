"""Posyandu and PAUD units of a Pokja, and the counts of each of their sessions.

A service session is not a meeting: no roll call, only the counts the kader
write in their book (vocab.COUNTS). The session carries its unit's Pokja so that
lists and the monthly recap narrow and group by Pokja without a join.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.timeutil import utcnow
from kkbweb.units import vocab


class ServiceUnit(db.Model):
    """A Posyandu or a PAUD of a Pokja ("Posyandu Mawar RW 03")."""

    __tablename__ = "service_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    rw: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pokja = relationship("Pokja", lazy="raise_on_sql")

    __table_args__ = (
        UniqueConstraint("pokja_id", "kind", "name", name="uq_service_unit_name"),
        Index("ix_service_unit_pokja_kind", "pokja_id", "kind"),
    )

    PLAIN_FIELDS = ("pokja_id", "kind", "name", "rw", "is_active")

    @property
    def kind_label(self) -> str:
        return vocab.kind_label(self.kind)

    def audit_dict(self) -> dict:
        """The fields an audit row records."""
        return {name: getattr(self, name) for name in self.PLAIN_FIELDS}


class ServiceSession(db.Model):
    """One day of a unit's service, with its counts (unused counts stay NULL)."""

    __tablename__ = "service_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("service_unit.id", ondelete="CASCADE")
    )
    # The unit's Pokja, copied (a unit never changes Pokja once it has sessions).
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    date: Mapped[date] = mapped_column(Date)
    balita_present: Mapped[int | None]
    balita_weighed: Mapped[int | None]
    ibu_hamil: Mapped[int | None]
    kader_on_duty: Mapped[int | None]
    children_enrolled: Mapped[int | None]
    children_present: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[ServiceUnit] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        # One session per unit and day: a second entry of the same day is a typo.
        UniqueConstraint("unit_id", "date", name="uq_service_session_day"),
        # The monthly recap and the Pokja's lists: by Pokja, then by date.
        Index("ix_service_session_pokja_date", "pokja_id", "date"),
        CheckConstraint(
            "coalesce(balita_weighed, 0) >= 0 AND coalesce(balita_present, 0) >= 0"
            " AND coalesce(ibu_hamil, 0) >= 0 AND coalesce(kader_on_duty, 0) >= 0"
            " AND coalesce(children_enrolled, 0) >= 0"
            " AND coalesce(children_present, 0) >= 0",
            name="counts_not_negative",
        ),
    )

    PLAIN_FIELDS = ("unit_id", "date", *vocab.COUNT_COLUMNS, "note")

    def audit_dict(self) -> dict:
        """The fields an audit row records (the date as ISO text)."""
        values = {name: getattr(self, name) for name in self.PLAIN_FIELDS}
        values["date"] = self.date.isoformat() if self.date else None
        return values

    def counts(self) -> list[tuple[str, int | None]]:
        """(label, value) of the counts its unit's kind records."""
        kind = self.unit.kind if "unit" in self.__dict__ else None
        return [
            (label, getattr(self, column))
            for column, label, _hint in vocab.COUNTS.get(kind, ())
        ]
