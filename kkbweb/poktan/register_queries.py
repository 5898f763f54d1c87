"""Reads of the SIGA registers: layouts, the counts, the family lines, the marks.

`counts` is ONE statement for any number of poktan: a UNION ALL of small GROUP BY
selects yielding (poktan_id, metric, key, value); register_columns.value() turns
them into a column's number. Ages are taken in SQL against dates computed here
(register_columns.age_bounds), so no family row is loaded to count. No Flask.
"""

from datetime import date

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, contains_eager

from kkbweb.access import scoped
from kkbweb.extensions import db
from kkbweb.members.models import Member
from kkbweb.pokja.models import Pokja
from kkbweb.poktan import vocab
from kkbweb.poktan.models import (
    Household,
    Poktan,
    PoktanAttendance,
    PoktanGuest,
    PoktanMembership,
    PoktanSession,
)
from kkbweb.poktan.register_columns import DEFAULT_LAYOUTS, Period, age_bounds
from kkbweb.poktan.register_models import RegisterColumn, RegisterSubmission

Counts = dict[tuple[str, str | None], int]


# --- layouts ---------------------------------------------------------------------


def layouts(register: str, kinds: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(label, formula) rows per kind, stored or (none stored) the default."""
    found: dict[str, list[tuple[str, str]]] = {}
    if kinds:
        rows = db.session.execute(
            select(RegisterColumn.kind, RegisterColumn.label, RegisterColumn.formula)
            .where(RegisterColumn.register == register, RegisterColumn.kind.in_(kinds))
            .order_by(RegisterColumn.kind, RegisterColumn.position)
        )
        for kind, label, formula in rows:
            found.setdefault(kind, []).append((label, formula))
    return {
        kind: found.get(kind) or list(DEFAULT_LAYOUTS.get((register, kind), ()))
        for kind in kinds
    }


def stored_columns(register: str, kind: str) -> list[RegisterColumn]:
    """The stored rows of one layout, in order (for the admin's form)."""
    return db.session.scalars(
        select(RegisterColumn)
        .where(RegisterColumn.register == register, RegisterColumn.kind == kind)
        .order_by(RegisterColumn.position)
    ).all()


def stored_layout_sizes() -> dict[tuple[str, str], int]:
    """How many stored columns each (register, kind) layout has."""
    rows = db.session.execute(
        select(RegisterColumn.register, RegisterColumn.kind, func.count()).group_by(
            RegisterColumn.register, RegisterColumn.kind
        )
    )
    return {(register, kind): n for register, kind, n in rows}


# --- the poktan a register page shows ----------------------------------------------


def pokja(pokja_id: int) -> Pokja | None:
    """The Pokja, within the user's scope."""
    stmt = select(Pokja).where(Pokja.id == pokja_id)
    return db.session.scalars(scoped(stmt, Pokja.id)).first()


def pokja_poktan(pokja_id: int) -> list[Poktan]:
    """A Pokja's active poktan (Pokja, ketua and kader loaded), by kind and name."""
    kinds = list(vocab.KINDS)
    ketua, kader = aliased(Member), aliased(Member)
    stmt = (
        select(Poktan)
        .join(Pokja, Pokja.id == Poktan.pokja_id)
        .outerjoin(ketua, ketua.id == Poktan.ketua_member_id)
        .outerjoin(kader, kader.id == Poktan.kader_member_id)
        .options(
            contains_eager(Poktan.pokja),
            contains_eager(Poktan.ketua_member.of_type(ketua)),
            contains_eager(Poktan.kader_member.of_type(kader)),
        )
        .where(Poktan.pokja_id == pokja_id, Poktan.is_active.is_(True))
        .order_by(case({k: i for i, k in enumerate(kinds)}, value=Poktan.kind))
        .order_by(Poktan.name, Poktan.id)
    )
    return list(db.session.scalars(scoped(stmt, Poktan.pokja_id)))


def overview(pokja_id: int | None) -> Select:
    """Active poktan the user sees (their Pokja loaded), by Pokja, kind, name."""
    stmt = (
        select(Poktan)
        .join(Pokja, Pokja.id == Poktan.pokja_id)
        .options(contains_eager(Poktan.pokja))
        .where(Poktan.is_active.is_(True))
        .order_by(Pokja.display_name, Poktan.kind, Poktan.name, Poktan.id)
    )
    if pokja_id:
        stmt = stmt.where(Poktan.pokja_id == pokja_id)
    return scoped(stmt, Poktan.pokja_id)


def submissions(
    poktan_ids: list[int], register: str, year: int, month: int
) -> dict[int, RegisterSubmission]:
    """The marks of these poktan's registers of the period, by poktan."""
    if not poktan_ids:
        return {}
    rows = db.session.scalars(
        select(RegisterSubmission).where(
            RegisterSubmission.poktan_id.in_(poktan_ids),
            RegisterSubmission.register == register,
            RegisterSubmission.year == year,
            RegisterSubmission.month == month,
        )
    )
    return {row.poktan_id: row for row in rows}


def submission(poktan_id: int, register: str, year: int, month: int):
    """The mark of one poktan's register of the period, or None."""
    return submissions([poktan_id], register, year, month).get(poktan_id)


# --- the counts --------------------------------------------------------------------


def _age_key(birth, reference: date):
    """SQL: the age group's code of a birth date on the reference date, or NULL."""
    whens = [(birth > reference, null())]
    whens += [(birth > bound, literal(code)) for code, bound in age_bounds(reference)]
    return case(*whens, else_=null())


def _member_in_period(period: Period, reference: date):
    """A membership active at some time between the period's start and the
    reference date (a family that left mid-month still counts for that month)."""
    return and_(
        or_(
            PoktanMembership.joined_on.is_(None),
            PoktanMembership.joined_on <= reference,
        ),
        or_(
            PoktanMembership.left_on.is_(None), PoktanMembership.left_on >= period.start
        ),
    )


def _row(pid, metric: str, key, value) -> list:
    return [
        cast(pid, Integer).label("poktan_id"),
        literal(metric, String).label("metric"),
        (cast(key, String) if key is not None else cast(null(), String)).label("key"),
        value.label("value"),
    ]


def counts_statement(ids: list[int], period: Period, reference: date):
    """The UNION ALL behind `counts`."""
    m = PoktanMembership
    members = and_(m.poktan_id.in_(ids), _member_in_period(period, reference))
    age = _age_key(m.target_birth_date, reference)
    in_period = and_(
        PoktanSession.poktan_id.in_(ids),
        PoktanSession.date >= period.start,
        PoktanSession.date < period.end,
    )
    present = (
        select(PoktanSession.poktan_id, m.household_id, m.id, m.is_pus, m.uses_kb)
        .add_columns(
            PoktanAttendance.kka_filled.label("kka"),
            _age_key(m.target_birth_date, reference).label("age"),
        )
        .join(PoktanAttendance, PoktanAttendance.session_id == PoktanSession.id)
        .join(m, m.id == PoktanAttendance.membership_id)
        .where(in_period, PoktanAttendance.status == vocab.PRESENT)
        .subquery()
    )
    p = present.c
    n = func.count
    branches = [
        select(*_row(PoktanSession.poktan_id, "sessions", None, n()))
        .where(in_period)
        .group_by(PoktanSession.poktan_id),
        select(*_row(m.poktan_id, "members", None, n(m.household_id.distinct())))
        .where(members)
        .group_by(m.poktan_id),
        select(*_row(m.poktan_id, "members_pus", None, n(m.household_id.distinct())))
        .where(members, m.is_pus.is_(True))
        .group_by(m.poktan_id),
        select(*_row(m.poktan_id, "members_kb", None, n(m.household_id.distinct())))
        .where(members, m.uses_kb.is_(True))
        .group_by(m.poktan_id),
        select(
            *_row(
                m.poktan_id, "members_method", m.kb_method, n(m.household_id.distinct())
            )
        )
        .where(members, m.uses_kb.is_(True), m.kb_method.is_not(None))
        .group_by(m.poktan_id, m.kb_method),
        select(*_row(m.poktan_id, "members_age", age, n()))
        .where(members, age.is_not(None))
        .group_by(m.poktan_id, age),
        select(
            *_row(p.poktan_id, "attending", None, n(p.household_id.distinct()))
        ).group_by(p.poktan_id),
        select(
            *_row(p.poktan_id, "attending_members", None, n(p.id.distinct()))
        ).group_by(p.poktan_id),
        select(*_row(p.poktan_id, "attending_age", p.age, n(p.id.distinct())))
        .where(p.age.is_not(None))
        .group_by(p.poktan_id, p.age),
        select(*_row(p.poktan_id, "attending_pus", None, n(p.household_id.distinct())))
        .where(p.is_pus.is_(True))
        .group_by(p.poktan_id),
        select(*_row(p.poktan_id, "attending_kb", None, n(p.household_id.distinct())))
        .where(p.uses_kb.is_(True))
        .group_by(p.poktan_id),
        select(*_row(p.poktan_id, "kka", None, n()))
        .where(p.kka.is_(True))
        .group_by(p.poktan_id),
        select(*_row(PoktanSession.poktan_id, "guests", None, n()))
        .join(PoktanGuest, PoktanGuest.session_id == PoktanSession.id)
        .where(in_period)
        .group_by(PoktanSession.poktan_id),
    ]
    return union_all(*branches)


def counts(ids: list[int], period: Period, reference: date) -> dict[int, Counts]:
    """{poktan id: {(metric, key): n}} for these poktan over the period; one query."""
    found: dict[int, Counts] = {pid: {} for pid in ids}
    if not ids:
        return found
    for pid, metric, key, value in db.session.execute(
        counts_statement(ids, period, reference)
    ):
        into = found.setdefault(pid, {})
        into[(metric, key)] = into.get((metric, key), 0) + int(value or 0)
    return found


def families(ids: list[int], period: Period, reference: date) -> dict[int, list]:
    """The register's family lines per poktan: the member families active in the
    period, each with the sessions it attended; one query."""
    if not ids:
        return {}
    m = PoktanMembership
    attended = (
        select(func.count(PoktanAttendance.id))
        .join(PoktanSession, PoktanSession.id == PoktanAttendance.session_id)
        .where(
            PoktanAttendance.membership_id == m.id,
            PoktanAttendance.status == vocab.PRESENT,
            PoktanSession.date >= period.start,
            PoktanSession.date < period.end,
        )
        .correlate(m)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            m.poktan_id,
            Household.head_name,
            Household.rt,
            Household.rw,
            m.target_name,
            m.target_sex,
            m.target_birth_date,
            m.business,
            m.is_pus,
            m.uses_kb,
            m.kb_method,
            attended.label("attended"),
        )
        .join(Household, Household.id == m.household_id)
        .where(m.poktan_id.in_(ids), _member_in_period(period, reference))
        .order_by(m.poktan_id, Household.head_name, m.target_name, m.id)
    )
    found: dict[int, list] = {pid: [] for pid in ids}
    for row in rows:
        found[row.poktan_id].append(row)
    return found
