"""Reads of the classification: Kampung KB, profiles, and the figures kkbweb
already has (poktan, meetings, KIE, reports, portal records)."""

import datetime as dt

from flask import abort
from sqlalchemy import Row, String, cast, func, literal, select, union_all

from kkbweb.access import get_scoped_or_404, scoped
from kkbweb.classification import deadlines as dl
from kkbweb.classification.models import KampungKb, KampungProfile, Pkb
from kkbweb.extensions import db
from kkbweb.kie.models import KieActivity
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.meetings.models import Meeting, MeetingPokja
from kkbweb.pokja.models import Pokja
from kkbweb.poktan.models import Poktan, PoktanMembership
from kkbweb.poktan.register_models import RegisterSubmission
from kkbweb.portal.models import PortalRecord
from kkbweb.reports.models import MonthlyReport
from kkbweb.reports.months import Month
from kkbweb.timeutil import to_wib


def kampung_of_pokja(pokja_id: int) -> KampungKb:
    """The Pokja's Kampung KB, within the user's scope (404 otherwise)."""
    return get_scoped_or_404(
        select(KampungKb).where(KampungKb.pokja_id == pokja_id), KampungKb.pokja_id
    )


def kampung(kampung_id: int) -> KampungKb:
    return get_scoped_or_404(
        select(KampungKb).where(KampungKb.id == kampung_id), KampungKb.pokja_id
    )


def class_of_pokja(pokja_id: int) -> Row | None:
    """(Kampung KB, latest profile or None) of one Pokja, in one statement."""
    latest = _latest_ids().subquery()
    return db.session.execute(
        select(KampungKb, KampungProfile)
        .outerjoin(latest, latest.c.kampung_kb_id == KampungKb.id)
        .outerjoin(KampungProfile, KampungProfile.id == latest.c.id)
        .where(KampungKb.pokja_id == pokja_id)
    ).first()


def _latest_ids():
    return select(
        KampungProfile.kampung_kb_id, func.max(KampungProfile.id).label("id")
    ).group_by(KampungProfile.kampung_kb_id)


def latest_profile(kampung_id: int) -> KampungProfile | None:
    return db.session.scalars(
        select(KampungProfile)
        .where(KampungProfile.kampung_kb_id == kampung_id)
        .order_by(KampungProfile.id.desc())
        .limit(1)
    ).first()


def history(kampung: KampungKb) -> list[Row]:
    """Every class this Kampung KB was given, newest first, in one statement:
    its profile snapshots (source "profil") and its Pokja's monthly hand-ins
    that stored a class (source "laporan"; year and month are the month
    reported, at the hand-in time)."""
    profiles = select(
        literal("profil").label("source"),
        KampungProfile.year.label("year"),
        KampungProfile.month.label("month"),
        KampungProfile.klass.label("klass"),
        KampungProfile.index_input.label("index_input"),
        KampungProfile.index_proses.label("index_proses"),
        KampungProfile.index_output.label("index_output"),
        KampungProfile.created_at.label("at"),
    ).where(KampungProfile.kampung_kb_id == kampung.id)
    if kampung.pokja_id is None:
        stmt = profiles
    else:
        stmt = union_all(
            profiles, _handin_classes(MonthlyReport.pokja_id == kampung.pokja_id)
        )
    sub = stmt.subquery()
    return db.session.execute(select(sub).order_by(sub.c.at.desc(), sub.c.source)).all()


def _handin_classes(where):
    return select(
        literal("laporan").label("source"),
        MonthlyReport.year,
        MonthlyReport.month,
        MonthlyReport.klass,
        MonthlyReport.index_input,
        MonthlyReport.index_proses,
        MonthlyReport.index_output,
        MonthlyReport.submitted_at,
    ).where(where, MonthlyReport.klass.is_not(None))


def instansi_pairs(pokja_id: int | None) -> list[list]:
    """The instansi pairs of every portal record of the Pokja (no date filter,
    as on the portal)."""
    if pokja_id is None:
        return []
    return list(
        db.session.scalars(
            select(PortalRecord.instansi).where(PortalRecord.pokja_id == pokja_id)
        )
    )


def app_counts(pokja_id: int, today: dt.date) -> dict[tuple[str, str], int]:
    """What the app knows, in one statement: (source, key) -> count.

    ("poktan", kind): distinct member families of the Pokja's active poktan
    of that kind (a poktan with no member gives 0); ("meeting", kind): meetings
    held in the last 12 months; ("kie", "kie"): KIE activities; ("laporan",
    "laporan"): monthly reports handed in over the last 12 months.
    """
    since = today - dt.timedelta(days=365)
    poktan = (
        select(
            literal("poktan").label("source"),
            cast(Poktan.kind, String).label("key"),
            func.count(func.distinct(PoktanMembership.household_id)).label("n"),
        )
        .outerjoin(
            PoktanMembership,
            (PoktanMembership.poktan_id == Poktan.id)
            & PoktanMembership.left_on.is_(None),
        )
        .where(Poktan.pokja_id == pokja_id, Poktan.is_active.is_(True))
        .group_by(Poktan.kind)
    )
    meetings = (
        select(literal("meeting"), cast(Meeting.kind, String), func.count())
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .where(
            MeetingPokja.pokja_id == pokja_id,
            Meeting.status == meeting_vocab.FINISHED,
            Meeting.date >= since,
            Meeting.date <= today,
        )
        .group_by(Meeting.kind)
    )
    kie = select(literal("kie"), literal("kie"), func.count()).where(
        KieActivity.pokja_id == pokja_id,
        KieActivity.activity_date >= since,
        KieActivity.activity_date <= today,
    )
    reports = select(literal("laporan"), literal("laporan"), func.count()).where(
        MonthlyReport.pokja_id == pokja_id,
        MonthlyReport.first_submitted_at >= dt.datetime.combine(since, dt.time()),
    )
    rows = db.session.execute(union_all(poktan, meetings, kie, reports)).all()
    return {(source, key): int(n) for source, key, n in rows}


def board_rows() -> list[Row]:
    """Every active Kampung KB the user sees, with its latest profile."""
    latest = _latest_ids().subquery()
    stmt = (
        select(KampungKb, KampungProfile, Pokja.display_name)
        .outerjoin(latest, latest.c.kampung_kb_id == KampungKb.id)
        .outerjoin(KampungProfile, KampungProfile.id == latest.c.id)
        .outerjoin(Pokja, Pokja.id == KampungKb.pokja_id)
        .where(KampungKb.is_active.is_(True))
    )
    return db.session.execute(scoped(stmt, KampungKb.pokja_id)).all()


def board_instansi() -> dict[int, list]:
    """pokja id -> the instansi lists of its portal records (every Pokja)."""
    found: dict[int, list] = {}
    for pokja_id, pairs in db.session.execute(
        select(PortalRecord.pokja_id, PortalRecord.instansi)
    ):
        found.setdefault(pokja_id, []).append(pairs)
    return found


def class_history() -> dict[int, dict[int, str]]:
    """kampung id -> {year: class of the year's last snapshot}, in one statement.

    A snapshot is a profile saved or a monthly report handed in with its class
    (the year of a report is the month reported); the later of the two counts.
    """
    last_profile = (
        select(func.max(KampungProfile.id))
        .group_by(KampungProfile.kampung_kb_id, KampungProfile.year)
        .scalar_subquery()
    )
    profiles = select(
        KampungProfile.kampung_kb_id.label("kampung_id"),
        KampungProfile.year.label("year"),
        KampungProfile.created_at.label("at"),
        KampungProfile.klass.label("klass"),
    ).where(KampungProfile.id.in_(last_profile))
    last_month = (
        select(
            MonthlyReport.pokja_id,
            MonthlyReport.year,
            func.max(MonthlyReport.month).label("month"),
        )
        .where(MonthlyReport.klass.is_not(None))
        .group_by(MonthlyReport.pokja_id, MonthlyReport.year)
        .subquery()
    )
    reports = (
        select(
            KampungKb.id,
            MonthlyReport.year,
            MonthlyReport.submitted_at,
            MonthlyReport.klass,
        )
        .join(KampungKb, KampungKb.pokja_id == MonthlyReport.pokja_id)
        .join(
            last_month,
            (last_month.c.pokja_id == MonthlyReport.pokja_id)
            & (last_month.c.year == MonthlyReport.year)
            & (last_month.c.month == MonthlyReport.month),
        )
    )
    found: dict[int, dict[int, tuple]] = {}
    for kampung_id, year, at, klass in db.session.execute(union_all(profiles, reports)):
        seen = found.setdefault(kampung_id, {}).get(year)
        if seen is None or at > seen[0]:
            found[kampung_id][year] = (at, klass)
    return {
        kampung_id: {year: klass for year, (_at, klass) in years.items()}
        for kampung_id, years in found.items()
    }


def pkb_list() -> list[Pkb]:
    return list(db.session.scalars(select(Pkb).order_by(Pkb.name, Pkb.id)))


def pkb_or_404(pkb_id: int) -> Pkb:
    found = db.session.get(Pkb, pkb_id)
    if found is None:
        abort(404)
    return found


def kelurahan_taken(code: str, exclude_id: int | None = None) -> bool:
    stmt = select(KampungKb.id).where(KampungKb.kelurahan_code == code)
    if exclude_id is not None:
        stmt = stmt.where(KampungKb.id != exclude_id)
    return db.session.scalar(stmt) is not None


def calendar_facts(today: dt.date, months: list[Month]) -> dl.Facts:
    """What the reporting calendar needs, in four statements whatever the number
    of Pokja: the Pokja the user sees (with contact phone and Kampung KB
    kelurahan), their active poktan, the registers marked, the monthly reports
    and the first profile of the year (one union), for these months and the
    current year."""
    years = sorted({m.year for m in months} | {today.year})
    pokja_rows = db.session.execute(
        scoped(
            select(
                Pokja.id,
                Pokja.display_name,
                Pokja.contact_phone,
                KampungKb.kelurahan_code,
            )
            .outerjoin(KampungKb, KampungKb.pokja_id == Pokja.id)
            .where(Pokja.is_active.is_(True)),
            Pokja.id,
        )
    ).all()
    pokja = [dl.PokjaInfo(r[0], r[1], r[2], r[3] or None) for r in pokja_rows]
    ids = [p.id for p in pokja]
    if not ids:
        return dl.Facts([], [], {}, {}, {})
    poktan = [
        dl.PoktanInfo(pid, pokja_id, since or to_wib(created).date())
        for pid, pokja_id, since, created in db.session.execute(
            select(Poktan.id, Poktan.pokja_id, Poktan.since, Poktan.created_at).where(
                Poktan.pokja_id.in_(ids), Poktan.is_active.is_(True)
            )
        )
    ]
    marks = {
        (poktan_id, register, year, month): to_wib(at).date()
        for poktan_id, register, year, month, at in db.session.execute(
            select(
                RegisterSubmission.poktan_id,
                RegisterSubmission.register,
                RegisterSubmission.year,
                RegisterSubmission.month,
                RegisterSubmission.submitted_at,
            ).where(
                RegisterSubmission.pokja_id.in_(ids),
                RegisterSubmission.year.in_(years),
            )
        )
    }
    reports_q = select(
        literal(dl.RECAP).label("kind"),
        MonthlyReport.pokja_id.label("pokja_id"),
        MonthlyReport.year.label("year"),
        MonthlyReport.month.label("month"),
        MonthlyReport.status.label("status"),
        MonthlyReport.first_submitted_at.label("at"),
    ).where(MonthlyReport.pokja_id.in_(ids), MonthlyReport.year.in_(years))
    profiles_q = (
        select(
            literal(dl.PROFILE),
            KampungKb.pokja_id,
            KampungProfile.year,
            literal(0),
            literal(""),
            func.min(KampungProfile.created_at),
        )
        .join(KampungKb, KampungKb.id == KampungProfile.kampung_kb_id)
        .where(KampungKb.pokja_id.in_(ids), KampungProfile.year == today.year)
        .group_by(KampungKb.pokja_id, KampungProfile.year)
    )
    reports: dict = {}
    profiles: dict = {}
    for kind, pokja_id, year, month, status, at in db.session.execute(
        union_all(reports_q, profiles_q)
    ):
        day = to_wib(at).date() if isinstance(at, dt.datetime) else _day(at)
        if kind == dl.RECAP:
            reports[(pokja_id, year, month)] = (status, day)
        else:
            profiles[(pokja_id, year)] = day
    return dl.Facts(pokja, poktan, marks, reports, profiles)


def _day(value) -> dt.date:
    """A min() over a datetime column may come back as text (SQLite)."""
    return to_wib(dt.datetime.fromisoformat(str(value))).date()
