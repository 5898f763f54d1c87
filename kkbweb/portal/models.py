"""The portal's reference lists, the vocabulary mapping and each activity's
portal record with its sasaran, instansi and photos.

A record is keyed by (source kind, source id, Pokja): a meeting of several Pokja
is one intervensi on each of their kampung pages. Until a Pokja user confirms
or edits it, no row exists and the pages show defaults computed from the source
(kkbweb/portal/defaults.py). Sasaran and instansi are stored as the portal
stores them: one row per chosen id, and one row per free text under Lainnya.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kkbweb import reference
from kkbweb.extensions import db
from kkbweb.portal import vocab
from kkbweb.timeutil import utcnow


class _ListItem:
    """A value of one of the portal's fixed lists, with the portal's id."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))  # as the portal shows it
    our_label: Mapped[str] = mapped_column(String(120))  # kkbweb's name for it


class PortalKategori(_ListItem, db.Model):
    __tablename__ = "portal_kategori"


class PortalSasaran(_ListItem, db.Model):
    __tablename__ = "portal_sasaran"


class PortalInstansi(_ListItem, db.Model):
    __tablename__ = "portal_instansi"

    alias: Mapped[str | None] = mapped_column(String(60))


class PortalJenisPost(_ListItem, db.Model):
    __tablename__ = "portal_jenis_post"


class PortalGambarType(_ListItem, db.Model):
    __tablename__ = "portal_gambar_type"

    jenis_post_id: Mapped[int] = mapped_column(ForeignKey("portal_jenis_post.id"))


class PortalInpres(db.Model):
    """One Inpres kegiatan (the portal's "Kategori Kegiatan") in its tree."""

    __tablename__ = "portal_inpres"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    our_label: Mapped[str] = mapped_column(Text)
    sasaran_id: Mapped[int]
    sasaran: Mapped[str] = mapped_column(Text)
    program_id: Mapped[int]
    program: Mapped[str] = mapped_column(Text)
    indikator: Mapped[str] = mapped_column(Text)
    penanggung_jawab: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text)


class PortalMapping(db.Model):
    """An admin's correction of where one kkbweb value lands on the portal.

    Without a row the default of kkbweb/portal/mapping.py applies.
    """

    __tablename__ = "portal_mapping"

    vocab: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    portal_id: Mapped[int]
    lainnya: Mapped[str | None] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def audit_dict(self) -> dict:
        return {
            "vocab": self.vocab,
            "code": self.code,
            "portal_id": self.portal_id,
            "lainnya": self.lainnya,
        }


class PortalRecord(db.Model):
    """One activity as an intervensi of one Pokja's kampung on the portal.

    sasaran and instansi hold the portal's pivot rows as [id, lainnya] pairs
    (lainnya "" unless the id is Lainnya); photos hold up to 5 items
    {"file", "type", "caption", "width", "height", "origin"}, each file a JPEG of
    its own under UPLOAD_FOLDER/portal/. One row is one write: a confirmation
    stays within the POST budget whatever it holds.
    """

    __tablename__ = "portal_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]
    pokja_id: Mapped[int] = mapped_column(ForeignKey("pokja.id"))
    judul: Mapped[str] = mapped_column(String(255))
    tanggal: Mapped[date] = mapped_column(Date)
    tempat: Mapped[str] = mapped_column(String(255))
    deskripsi: Mapped[str] = mapped_column(Text)
    kategori_id: Mapped[int] = mapped_column(ForeignKey("portal_kategori.id"))
    jenis_post_id: Mapped[int] = mapped_column(ForeignKey("portal_jenis_post.id"))
    inpres_id: Mapped[int | None] = mapped_column(ForeignKey("portal_inpres.id"))
    sasaran: Mapped[list] = mapped_column(JSON, default=list)
    instansi: Mapped[list] = mapped_column(JSON, default=list)
    photos: Mapped[list] = mapped_column(JSON, default=list)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "Sudah diunggah ke portal": who marked it, when, and the portal's URL or id.
    uploaded_at: Mapped[datetime | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    portal_ref: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    uploaded_by = relationship(
        "User", foreign_keys=[uploaded_by_id], lazy="raise_on_sql"
    )

    __table_args__ = (
        UniqueConstraint(
            "source_kind", "source_id", "pokja_id", name="uq_portal_record_source"
        ),
        # The month's list of a Pokja, and the recap's distinct instansi.
        Index("ix_portal_record_pokja_tanggal", "pokja_id", "tanggal"),
        Index("ix_portal_record_tanggal", "tanggal"),
    )

    def audit_dict(self) -> dict:
        """The fields an audit row records."""
        return {
            "source": f"{self.source_kind}:{self.source_id}",
            "pokja_id": self.pokja_id,
            "judul": self.judul,
            "tanggal": self.tanggal.isoformat() if self.tanggal else None,
            "tempat": self.tempat,
            "deskripsi": self.deskripsi,
            "kategori_id": self.kategori_id,
            "jenis_post_id": self.jenis_post_id,
            "inpres_id": self.inpres_id,
            "sasaran": [list(pair) for pair in self.sasaran or []],
            "instansi": [list(pair) for pair in self.instansi or []],
            "photos": [
                [p.get("type"), p.get("caption") or "", p.get("origin")]
                for p in self.photos or []
            ],
            "portal_ref": self.portal_ref,
            "uploaded": self.uploaded_at is not None,
        }


# -- the reference rows ------------------------------------------------------------

LIST_MODELS = {
    "kategori": PortalKategori,
    "sasaran": PortalSasaran,
    "instansi": PortalInstansi,
    "jenis_post": PortalJenisPost,
    "gambar_type": PortalGambarType,
}


def reference_rows() -> dict[str, list[dict]]:
    """table name -> the rows the portal's lists hold (the migration loads these)."""
    found: dict[str, list[dict]] = {}
    for list_name, model in LIST_MODELS.items():
        ours = vocab.OUR_LABELS.get(list_name, {})
        table_rows = []
        for item in reference.LISTS[list_name]():
            row = {
                "id": item.id,
                "name": item.name,
                "our_label": ours.get(item.id, item.name),
            }
            if list_name == "instansi":
                row["alias"] = item.alias
            if list_name == "gambar_type":
                row["jenis_post_id"] = item.parent_id
            table_rows.append(row)
        found[model.__tablename__] = table_rows
    found["portal_inpres"] = [
        {
            "id": item.id,
            "name": item.name,
            "our_label": item.name,
            "sasaran_id": item.sasaran_id,
            "sasaran": item.sasaran,
            "program_id": item.program_id,
            "program": item.program,
            "indikator": item.indikator,
            "penanggung_jawab": item.penanggung_jawab,
            "keywords": "|".join(item.keywords),
        }
        for item in reference.inpres()
    ]
    return found


# Tables made by create_all (tests, the benchmark, the demo site) get their rows
# at once; a migrated database gets them from 0013_portal.
for _model in (*LIST_MODELS.values(), PortalInpres):

    @event.listens_for(_model.__table__, "after_create")
    def _fill(table, connection, **_kw):
        rows = reference_rows()[table.name]
        connection.execute(insert(table), rows)


def seed_reference(session) -> int:
    """Fill empty reference tables (after a TRUNCATE in the PostgreSQL tests)."""
    added = 0
    for name, table_rows in reference_rows().items():
        table = db.metadata.tables[name]
        if session.execute(table.select().limit(1)).first() is None:
            session.execute(insert(table), table_rows)
            added += len(table_rows)
    return added
