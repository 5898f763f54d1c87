"""Kampung KB identity, PKB assignment and the periodic profile snapshots.

A Kampung KB is one kelurahan's (kelurahan_code is unique): the portal keys a
kampung to its desa/kelurahan, and in Cilegon the Pokja, the PKB's area and
the portal's statistics are all per kelurahan, so two Kampung KB in one
kelurahan would split one population in two profiles. Several Kampung KB may
share a kecamatan. pokja_id is optional: Cilegon has ~35 Kampung KB and only
the Pokja using kkbweb have a Pokja row; a Kampung KB without one is seen by
city-wide users only.

A profile is an append-only snapshot per Kampung KB and period (year, month),
as on the portal: saving again in the same period adds a new row, the latest
row is current, older rows are the history. ``figures`` holds the formula's
inputs (see formula.Profil/Penduduk/Kkbpk and figures.py); ``prefilled`` the
keys kkbweb filled in ("dari aplikasi") that the user left as they were. The
class and indices are stored with the snapshot so the history is kept as it
was computed; pages compute the current class live (the lintas-sektor count
reads every portal record, like the portal).
"""

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.timeutil import utcnow


class Pkb(db.Model):
    """A PKB (penyuluh KB) and the kelurahan they cover."""

    __tablename__ = "pkb"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The kelurahan codes covered, e.g. ["36.72.01.1003", "36.72.01.1006"].
    kelurahan_codes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def audit_dict(self) -> dict:
        return {
            "name": self.name,
            "phone": self.phone,
            "user_id": self.user_id,
            "kelurahan_codes": list(self.kelurahan_codes or []),
        }


class KampungKb(db.Model):
    """One Kampung KB: its name, kelurahan, launch, SK Camat and portal link."""

    __tablename__ = "kampung_kb"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # "Kampung KB Kemangi"
    kelurahan_code: Mapped[str] = mapped_column(String(13), unique=True)
    pokja_id: Mapped[int | None] = mapped_column(ForeignKey("pokja.id"), unique=True)
    rw_coverage: Mapped[str | None] = mapped_column(String(200))  # "RW 01, 02, 05"
    launched_on: Mapped[dt.date | None]
    sk_camat_number: Mapped[str | None] = mapped_column(String(100))
    sk_camat_date: Mapped[dt.date | None]
    portal_ref: Mapped[str | None] = mapped_column(String(300))  # id or URL
    # The SK Camat scan: a re-encoded JPEG or a checked PDF under
    # UPLOAD_FOLDER/kampung/ with a random name (as meeting evidence).
    sk_scan_filename: Mapped[str | None] = mapped_column(String(64), unique=True)
    sk_scan_mimetype: Mapped[str | None] = mapped_column(String(40))
    sk_scan_original_name: Mapped[str | None] = mapped_column(String(120))
    sk_scan_at: Mapped[dt.datetime | None]
    # The class once set by hand on the Pokja form (kept, shown as history).
    recorded_class: Mapped[str | None] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pokja = relationship("Pokja", lazy="raise_on_sql")

    def audit_dict(self) -> dict:
        return {
            "name": self.name,
            "kelurahan_code": self.kelurahan_code,
            "pokja_id": self.pokja_id,
            "rw_coverage": self.rw_coverage,
            "launched_on": self.launched_on.isoformat() if self.launched_on else None,
            "sk_camat_number": self.sk_camat_number,
            "sk_camat_date": self.sk_camat_date.isoformat()
            if self.sk_camat_date
            else None,
            "portal_ref": self.portal_ref,
            "sk_scan": self.sk_scan_original_name,
            "sk_scan_file": self.sk_scan_filename,
            "is_active": self.is_active,
        }


class KampungProfile(db.Model):
    """One saved profile snapshot of a Kampung KB for a period."""

    __tablename__ = "kampung_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    kampung_kb_id: Mapped[int] = mapped_column(ForeignKey("kampung_kb.id"))
    # Copied from the Kampung KB: scoping needs no join.
    pokja_id: Mapped[int | None] = mapped_column(ForeignKey("pokja.id"))
    year: Mapped[int]
    month: Mapped[int]
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    prefilled: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    # The formula's verdict when saved (the instansi count of that day).
    klass: Mapped[str] = mapped_column(String(20))
    index_input: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    index_proses: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    index_output: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_kampung_profile_kampung", "kampung_kb_id", "year", "month", "id"),
    )

    def audit_dict(self) -> dict:
        return {
            "kampung_kb_id": self.kampung_kb_id,
            "period": f"{self.year}-{self.month:02d}",
            "figures": self.figures,
            "prefilled": list(self.prefilled or []),
            "klass": self.klass,
            "scores": self.scores,
        }
