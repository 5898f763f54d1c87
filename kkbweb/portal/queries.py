"""Reads of the portal feature: every select of it, narrowed with access.scoped.

Each source reads its activities in batches (one id, or a Pokja's month) with
the stored portal record joined, so a page, an export or a confirmation costs
the same few statements for 1 or 50 activities. No Flask beyond `db`.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload

from kkbweb.access import scoped
from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity, KieActivityTerm, KieTerm
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import Attendance, Meeting, MeetingFile, MeetingPokja
from kkbweb.members.models import Member
from kkbweb.pokja.models import Pokja
from kkbweb.poktan import vocab as poktan_vocab
from kkbweb.poktan.models import Poktan, PoktanAttendance, PoktanPhoto, PoktanSession
from kkbweb.portal import vocab
from kkbweb.portal.mapping import Target
from kkbweb.portal.models import PortalMapping, PortalRecord
from kkbweb.units.models import ServiceSession, ServiceUnit


@dataclass(frozen=True)
class Selection:
    """Which activities to read: one (source_id), or a period; maybe one Pokja."""

    source_id: int | None = None
    pokja_id: int | None = None
    start: date | None = None
    end: date | None = None  # exclusive
    # False: only what a save needs (no reads for the defaults' free text).
    defaults: bool = True


def _record_join(kind: str, source_id, pokja_id):
    return and_(
        PortalRecord.source_kind == literal(kind),
        PortalRecord.source_id == source_id,
        PortalRecord.pokja_id == pokja_id,
    )


def _narrow(stmt, selection: Selection, id_column, pokja_column, date_column):
    """The selection's conditions, and the user's Pokja scope."""
    if selection.source_id is not None:
        stmt = stmt.where(id_column == selection.source_id)
    if selection.pokja_id is not None:
        stmt = stmt.where(pokja_column == selection.pokja_id)
    if selection.start is not None:
        stmt = stmt.where(date_column >= selection.start, date_column < selection.end)
    return scoped(stmt, pokja_column)


def month_rows(statements: list[Select]) -> list:
    """Every source's list rows in one statement (newest first)."""
    union = union_all(*statements).subquery()
    return db.session.execute(
        select(union).order_by(union.c[5].desc(), union.c[1].desc())
    ).all()


# -- the mapping -------------------------------------------------------------------


def overrides() -> dict[tuple[str, str], Target]:
    """The admin's corrections of the default mapping."""
    rows = db.session.execute(
        select(
            PortalMapping.vocab,
            PortalMapping.code,
            PortalMapping.portal_id,
            PortalMapping.lainnya,
        )
    ).all()
    return {(v, c): Target(i, t or None) for v, c, i, t in rows}


def lookups() -> tuple[dict[tuple[str, str], Target], dict[str, str]]:
    """The admin's corrections and the KIE mitra suggestions' labels (code ->
    label), in one statement: the exports read every source's defaults at once."""
    corrections = select(
        literal("map").label("part"),
        PortalMapping.vocab,
        PortalMapping.code,
        PortalMapping.portal_id,
        PortalMapping.lainnya,
    )
    mitra = select(
        literal("mitra"),
        literal("kie_mitra"),
        KieTerm.code,
        cast(null(), Integer),
        KieTerm.label,
    ).where(KieTerm.kind == "mitra")
    found: dict[tuple[str, str], Target] = {}
    labels: dict[str, str] = {}
    for part, vocab_key, code, portal_id, text in db.session.execute(
        union_all(corrections, mitra)
    ):
        if part == "map":
            found[(vocab_key, code)] = Target(portal_id, text or None)
        else:
            labels[code] = text
    return found, labels


def mapping_row(vocab_key: str, code: str) -> PortalMapping | None:
    return db.session.get(PortalMapping, (vocab_key, code))


def kie_terms(kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(kind, code, label) of the KIE vocabulary terms of these kinds."""
    return db.session.execute(
        select(KieTerm.kind, KieTerm.code, KieTerm.label)
        .where(KieTerm.kind.in_(kinds))
        .order_by(KieTerm.kind, KieTerm.sort, KieTerm.label)
    ).all()


# -- KIE and advokasi ----------------------------------------------------------------


def kie_batch(selection: Selection) -> list[tuple[KieActivity, PortalRecord | None]]:
    """KIE entries with everything their defaults need, and their records."""
    stmt = (
        select(KieActivity, PortalRecord)
        .outerjoin(
            PortalRecord,
            _record_join("kie", KieActivity.id, KieActivity.pokja_id),
        )
        .options(
            joinedload(KieActivity.pokja),
            joinedload(KieActivity.method),
            joinedload(KieActivity.kategori),
            joinedload(KieActivity.links).joinedload(KieActivityTerm.term),
            joinedload(KieActivity.photos),
            joinedload(PortalRecord.uploaded_by),
        )
        .order_by(KieActivity.activity_date, KieActivity.id)
    )
    stmt = _narrow(
        stmt, selection, KieActivity.id, KieActivity.pokja_id, KieActivity.activity_date
    )
    rows = db.session.execute(stmt).unique().all()
    return [(row[0], row[1]) for row in rows]


def kie_month(selection: Selection) -> Select:
    """The list rows of KIE entries: (kind, id, pokja, name, title, date, record
    id, its judul, uploaded at); run with the other sources' by month_rows."""
    stmt = (
        select(
            literal("kie").label("kind"),
            KieActivity.id,
            KieActivity.pokja_id,
            Pokja.display_name,
            KieActivity.title,
            KieActivity.activity_date,
            PortalRecord.id.label("record_id"),
            PortalRecord.judul,
            PortalRecord.uploaded_at,
        )
        .join(Pokja, Pokja.id == KieActivity.pokja_id)
        .outerjoin(
            PortalRecord, _record_join("kie", KieActivity.id, KieActivity.pokja_id)
        )
    )
    stmt = _narrow(
        stmt, selection, KieActivity.id, KieActivity.pokja_id, KieActivity.activity_date
    )
    return stmt


# -- meetings ------------------------------------------------------------------------

IMAGE_TYPES = ("image/jpeg",)


def _meeting_stmt(selection: Selection, *columns):
    stmt = (
        select(*columns)
        .select_from(Meeting)
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .join(Pokja, Pokja.id == MeetingPokja.pokja_id)
        .outerjoin(
            PortalRecord,
            _record_join("meeting", Meeting.id, MeetingPokja.pokja_id),
        )
    )
    # A Pokja user has the record of their own Pokja's invitation only.
    return _narrow(stmt, selection, Meeting.id, MeetingPokja.pokja_id, Meeting.date)


def meeting_batch(selection: Selection) -> list:
    """(meeting, pokja id, pokja name, record, photo file or None) of the
    invitations selected: one row per activity photo (JPEG evidence "foto")."""
    stmt = (
        _meeting_stmt(
            selection,
            Meeting,
            MeetingPokja.pokja_id,
            Pokja.display_name,
            PortalRecord,
            MeetingFile,
        )
        .outerjoin(
            MeetingFile,
            and_(
                MeetingFile.meeting_id == Meeting.id,
                MeetingFile.kind == "foto",
                MeetingFile.mimetype.in_(IMAGE_TYPES),
            ),
        )
        .order_by(Meeting.date, Meeting.id, Pokja.display_name, MeetingFile.id)
        .options(joinedload(PortalRecord.uploaded_by))
    )
    return db.session.execute(stmt).all()


def meeting_month(selection: Selection) -> Select:
    """The list rows of meetings, one per invited Pokja (as kie_month)."""
    stmt = _meeting_stmt(
        selection,
        literal("meeting").label("kind"),
        Meeting.id,
        MeetingPokja.pokja_id,
        Pokja.display_name,
        Meeting.title,
        Meeting.date,
        PortalRecord.id.label("record_id"),
        PortalRecord.judul,
        PortalRecord.uploaded_at,
    )
    return stmt


def meeting_people(meeting_ids: list[int]) -> list:
    """(meeting, pokja, unsur, seksi, count) of the members present."""
    if not meeting_ids:
        return []
    return db.session.execute(
        select(
            Attendance.meeting_id,
            Attendance.pokja_id,
            Member.unsur,
            Member.seksi,
            func.count(),
        )
        .join(Member, Member.id == Attendance.member_id)
        .where(
            Attendance.meeting_id.in_(meeting_ids),
            Attendance.status == meeting_vocab.PRESENT,
        )
        .group_by(
            Attendance.meeting_id, Attendance.pokja_id, Member.unsur, Member.seksi
        )
    ).all()


# -- poktan sessions ----------------------------------------------------------------


def _poktan_stmt(selection: Selection, *columns):
    stmt = (
        select(*columns)
        .select_from(PoktanSession)
        .join(Poktan, Poktan.id == PoktanSession.poktan_id)
        .join(Pokja, Pokja.id == PoktanSession.pokja_id)
        .outerjoin(
            PortalRecord,
            _record_join("poktan", PoktanSession.id, PoktanSession.pokja_id),
        )
    )
    return _narrow(
        stmt, selection, PoktanSession.id, PoktanSession.pokja_id, PoktanSession.date
    )


def poktan_batch(selection: Selection) -> list:
    """(session, poktan name, pokja name, families present, record, photo or
    None) of the sessions selected: one row per session photo."""
    present = (
        select(func.count())
        .where(
            PoktanAttendance.session_id == PoktanSession.id,
            PoktanAttendance.status == poktan_vocab.PRESENT,
        )
        .correlate(PoktanSession)
        .scalar_subquery()
    )
    stmt = (
        _poktan_stmt(
            selection,
            PoktanSession,
            Poktan.name,
            Pokja.display_name,
            present.label("present"),
            PortalRecord,
            PoktanPhoto,
        )
        .outerjoin(PoktanPhoto, PoktanPhoto.session_id == PoktanSession.id)
        .order_by(PoktanSession.date, PoktanSession.id, PoktanPhoto.id)
        .options(joinedload(PortalRecord.uploaded_by))
    )
    return db.session.execute(stmt).all()


def poktan_month(selection: Selection) -> Select:
    """The list rows of poktan sessions (as kie_month)."""
    stmt = _poktan_stmt(
        selection,
        literal("poktan").label("kind"),
        PoktanSession.id,
        PoktanSession.pokja_id,
        Pokja.display_name,
        (Poktan.name + ": " + PoktanSession.topic).label("title"),
        PoktanSession.date,
        PortalRecord.id.label("record_id"),
        PortalRecord.judul,
        PortalRecord.uploaded_at,
    )
    return stmt


# -- Posyandu and PAUD service sessions ---------------------------------------------


def _service_stmt(selection: Selection, *columns):
    stmt = (
        select(*columns)
        .select_from(ServiceSession)
        .join(ServiceUnit, ServiceUnit.id == ServiceSession.unit_id)
        .join(Pokja, Pokja.id == ServiceSession.pokja_id)
        .outerjoin(
            PortalRecord,
            _record_join("layanan", ServiceSession.id, ServiceSession.pokja_id),
        )
    )
    return _narrow(
        stmt,
        selection,
        ServiceSession.id,
        ServiceSession.pokja_id,
        ServiceSession.date,
    )


def service_title(kind, name):
    """The default judul of a session, in SQL (as sources.service_batch)."""
    word = case(
        *(
            (kind == key, literal(f"{title} "))
            for key, title in vocab.SERVICE_TITLES.items()
        ),
        else_=literal(""),
    )
    return word + name


def service_batch(selection: Selection) -> list:
    """(session, unit, pokja name, record) of the service sessions selected
    (a session has no photos: one row each)."""
    stmt = (
        _service_stmt(
            selection, ServiceSession, ServiceUnit, Pokja.display_name, PortalRecord
        )
        .order_by(ServiceSession.date, ServiceSession.id)
        .options(joinedload(PortalRecord.uploaded_by))
    )
    return db.session.execute(stmt).all()


def service_month(selection: Selection) -> Select:
    """The list rows of service sessions (as kie_month): titled by their unit."""
    return _service_stmt(
        selection,
        literal("layanan").label("kind"),
        ServiceSession.id,
        ServiceSession.pokja_id,
        Pokja.display_name,
        service_title(ServiceUnit.kind, ServiceUnit.name).label("title"),
        ServiceSession.date,
        PortalRecord.id.label("record_id"),
        PortalRecord.judul,
        PortalRecord.uploaded_at,
    )


# -- stored records ------------------------------------------------------------------


def record_of(kind: str, source_id: int, pokja_id: int) -> PortalRecord | None:
    """A stored record the user may see."""
    stmt = select(PortalRecord).where(
        PortalRecord.source_kind == kind,
        PortalRecord.source_id == source_id,
        PortalRecord.pokja_id == pokja_id,
    )
    return db.session.scalars(scoped(stmt, PortalRecord.pokja_id)).first()


def photo_file(record_id: int, position: int) -> tuple[str, str] | None:
    """(file name, caption) of a stored photo the user may see."""
    stmt = select(PortalRecord.photos).where(PortalRecord.id == record_id)
    photos = db.session.scalar(scoped(stmt, PortalRecord.pokja_id))
    if photos is None or not 0 <= position < len(photos):
        return None
    item = photos[position]
    return item["file"], item.get("caption") or ""


def partners_branch(ids: list[int], start: date, end: date, branch_columns, metric):
    """The recap's branches: distinct instansi per Pokja, and for the city.

    An instansi is one pair [id, lainnya] of a stored record (a free-text
    partner under Lainnya counts once per distinct text).
    """
    values = json_values(PortalRecord.instansi)
    mine = and_(
        PortalRecord.pokja_id.in_(ids),
        PortalRecord.tanggal >= start,
        PortalRecord.tanggal < end,
    )
    count = func.count(values.c.value.distinct())
    per_pokja = (
        select(*branch_columns(PortalRecord.pokja_id, metric, None, None, count))
        .select_from(PortalRecord)
        .join(values, literal(True))
        .where(mine)
        .group_by(PortalRecord.pokja_id)
    )
    city = (
        select(*branch_columns(None, metric, None, None, count))
        .select_from(PortalRecord)
        .join(values, literal(True))
        .where(mine)
    )
    return [per_pokja, city]


def json_values(column):
    """The elements of a JSON array column, as a table with a text `value`."""
    if db.engine.dialect.name == "postgresql":
        return (
            func.json_array_elements_text(column).table_valued("value").render_derived()
        )
    return func.json_each(column).table_valued("value")
