"""The recap statement's parts for the poktan and the services (issue 14).

Each function builds the branches of one measure of the registry (metrics.py
names them; metrics_poktan.py holds their Measures and Figures), in the shape of
queries.branch_columns: rows (pokja_id, metric, key, label, value), keyed by the
poktan kind or the service kind / count column. Sessions carry their Pokja and
kind (poktan_session) or their Pokja (service_session), so the month's rows are
found by the (pokja_id, date) indexes. No Flask.
"""

from sqlalchemy import Select, String, and_, func, literal, or_, select

from kkbweb.poktan import vocab as poktan_vocab
from kkbweb.poktan.models import (
    Poktan,
    PoktanAttendance,
    PoktanMembership,
    PoktanSession,
)
from kkbweb.reports.queries import Scope, branch_columns
from kkbweb.reports.sqlfuncs import month_key
from kkbweb.units import vocab as unit_vocab
from kkbweb.units.models import ServiceSession, ServiceUnit


def _sessions_of(scope: Scope):
    start, end = scope.month.date_bounds
    return and_(
        PoktanSession.pokja_id.in_(scope.ids),
        PoktanSession.date >= start,
        PoktanSession.date < end,
    )


def poktan_active(scope: Scope, metric: str) -> list[Select]:
    """Active poktan by kind, formed before the month's end (no date: counted)."""
    _start, end = scope.month.date_bounds
    pokja, kind = Poktan.pokja_id, Poktan.kind
    return [
        select(*branch_columns(pokja, metric, kind, None, func.count()))
        .where(
            pokja.in_(scope.ids),
            Poktan.is_active.is_(True),
            or_(Poktan.since.is_(None), Poktan.since < end),
        )
        .group_by(pokja, kind)
    ]


def poktan_sessions(scope: Scope, metric: str) -> list[Select]:
    """Poktan sessions held in the month, by kind."""
    pokja, kind = PoktanSession.pokja_id, PoktanSession.kind
    return [
        select(*branch_columns(pokja, metric, kind, None, func.count()))
        .where(_sessions_of(scope))
        .group_by(pokja, kind)
    ]


def poktan_families(scope: Scope, metric: str) -> list[Select]:
    """Distinct member families present at a session of the month, by kind."""
    pokja, kind = PoktanSession.pokja_id, PoktanSession.kind
    families = func.count(PoktanAttendance.household_id.distinct())
    return [
        select(*branch_columns(pokja, metric, kind, None, families))
        .select_from(PoktanSession)
        .join(PoktanAttendance, PoktanAttendance.session_id == PoktanSession.id)
        .where(_sessions_of(scope), PoktanAttendance.status == poktan_vocab.PRESENT)
        .group_by(pokja, kind)
    ]


def poktan_members(scope: Scope, metric: str) -> list[Select]:
    """Distinct member families of the Pokja's active poktan during the month."""
    start, end = scope.month.date_bounds
    m = PoktanMembership
    pokja, kind = m.pokja_id, Poktan.kind
    families = func.count(m.household_id.distinct())
    return [
        select(*branch_columns(pokja, metric, kind, None, families))
        .select_from(m)
        .join(Poktan, Poktan.id == m.poktan_id)
        .where(
            pokja.in_(scope.ids),
            Poktan.is_active.is_(True),
            or_(m.joined_on.is_(None), m.joined_on < end),
            or_(m.left_on.is_(None), m.left_on >= start),
        )
        .group_by(pokja, kind)
    ]


def _services_of(scope: Scope):
    start, end = scope.month.date_bounds
    return and_(
        ServiceSession.pokja_id.in_(scope.ids),
        ServiceSession.date >= start,
        ServiceSession.date < end,
    )


def unit_sessions(scope: Scope, metric: str) -> list[Select]:
    """Posyandu and PAUD sessions held in the month, by kind."""
    pokja, kind = ServiceSession.pokja_id, ServiceUnit.kind
    return [
        select(*branch_columns(pokja, metric, kind, None, func.count()))
        .select_from(ServiceSession)
        .join(ServiceUnit, ServiceUnit.id == ServiceSession.unit_id)
        .where(_services_of(scope))
        .group_by(pokja, kind)
    ]


def unit_counts(scope: Scope, metric: str) -> list[Select]:
    """The month's sums of each service count (balita ditimbang, anak hadir...)."""
    pokja = ServiceSession.pokja_id
    return [
        select(
            *branch_columns(
                pokja,
                metric,
                column,
                None,
                func.coalesce(func.sum(getattr(ServiceSession, column)), 0),
            )
        )
        .where(_services_of(scope))
        .group_by(pokja)
        for column in unit_vocab.COUNT_COLUMNS
    ]


def trend_branches(ids: list[int], start, end) -> list[Select]:
    """The 12-month trend's poktan and service sessions: (source, pokja_id,
    'YYYY-MM', n) rows counted for the Pokja and the city ("both")."""
    branches = []
    for model in (PoktanSession, ServiceSession):
        bucket = month_key(model.date)
        branches.append(
            select(literal("both", String), model.pokja_id, bucket, func.count())
            .where(model.pokja_id.in_(ids), model.date >= start, model.date < end)
            .group_by(model.pokja_id, bucket)
        )
    return branches
