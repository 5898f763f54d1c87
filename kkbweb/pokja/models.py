"""Kecamatan and Pokja (one Pokja per kelurahan), with official Kemendagri codes."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb.extensions import db
from kkbweb.timeutil import utcnow


class Kecamatan(db.Model):
    """A kecamatan of Kota Cilegon; its KUA serves marriage referrals."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # e.g. 36.72.02
    official_name: Mapped[str] = mapped_column(String(80))  # "Gerogol"
    display_name: Mapped[str] = mapped_column(String(80))  # "Grogol"

    pokja: Mapped[list["Pokja"]] = relationship(
        back_populates="kecamatan", lazy="raise_on_sql"
    )

    def __str__(self) -> str:
        return self.display_name


class Pokja(db.Model):
    """The Kampung KB working group of one kelurahan."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)  # 36.72.02.1002
    official_name: Mapped[str] = mapped_column(String(80))  # "Lebakgede"
    display_name: Mapped[str] = mapped_column(String(80), unique=True)  # "Lebak Gede"
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("kecamatan.id"), index=True)
    kampung_kb_class: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    kecamatan: Mapped[Kecamatan] = relationship(
        back_populates="pokja", lazy="raise_on_sql"
    )

    def __str__(self) -> str:
        return self.display_name

    def audit_dict(self) -> dict:
        """Return the fields an audit row records."""
        return {
            "code": self.code,
            "official_name": self.official_name,
            "display_name": self.display_name,
            "kecamatan_id": self.kecamatan_id,
            "kampung_kb_class": self.kampung_kb_class,
            "address": self.address,
            "contact_phone": self.contact_phone,
            "is_active": self.is_active,
        }


KAMPUNG_KB_CLASSES = {
    "dasar": "Dasar",
    "berkembang": "Berkembang",
    "mandiri": "Mandiri",
    "berkelanjutan": "Berkelanjutan",
}
