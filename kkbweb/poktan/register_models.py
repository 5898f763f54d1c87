"""The registers' stored data: the column layouts an admin edits and the
"diserahkan" marks of each poktan's register per period.

A layout is the ordered rows (label, formula) of one register (R/I, K/0) for one
poktan kind; formulas are codes of register_columns.FORMULAS. A mark says that a
poktan's register of a period was handed in (to the PKB, or for PIK-R to the
kecamatan), by whom and when.
"""

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkbweb.extensions import db
from kkbweb.timeutil import utcnow


class RegisterColumn(db.Model):
    """One column of a register layout: its place, heading and formula."""

    __tablename__ = "register_column"

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(4))  # ri, k0
    kind: Mapped[str] = mapped_column(String(10))  # the poktan kind
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(80))
    formula: Mapped[str] = mapped_column(String(40))
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("register", "kind", "position"),
        CheckConstraint("register IN ('ri', 'k0')", name="register"),
    )


class RegisterSubmission(db.Model):
    """A poktan's register of a period marked as handed in ("diserahkan")."""

    __tablename__ = "register_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    poktan_id: Mapped[int] = mapped_column(ForeignKey("poktan.id", ondelete="CASCADE"))
    # The poktan's Pokja, copied: scoping and the Pokja's overview need no join.
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    register: Mapped[str] = mapped_column(String(4))
    year: Mapped[int]
    month: Mapped[int]  # 0 for the yearly K/0
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_by_name: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        UniqueConstraint("poktan_id", "register", "year", "month"),
        Index("ix_register_submission_pokja", "pokja_id", "register", "year", "month"),
        CheckConstraint("register IN ('ri', 'k0')", name="register"),
        CheckConstraint("month BETWEEN 0 AND 12", name="month"),
    )

    def audit_dict(self) -> dict:
        """The fields an audit row records."""
        return {
            "poktan_id": self.poktan_id,
            "register": self.register,
            "year": self.year,
            "month": self.month,
        }
