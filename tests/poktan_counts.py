"""The poktan and service figures of a Pokja's month, counted by hand in Python
from loaded rows (shares nothing with kkbweb.reports): for tests/test_reports.py."""

from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.meetings.rules import attendance_rate
from kkbweb.poktan.models import (
    Poktan,
    PoktanAttendance,
    PoktanMembership,
    PoktanSession,
)
from kkbweb.poktan.vocab import KINDS
from kkbweb.units.models import ServiceSession, ServiceUnit
from kkbweb.units.vocab import COUNT_COLUMNS
from kkbweb.units.vocab import KINDS as UNIT_KINDS


def count_poktan_by_hand(app, pokja_id: int, month) -> dict:
    """{figure key: value} of the registry's Poktan and Posyandu/PAUD sections."""
    start, end = month.date_bounds
    with app.app_context():
        poktan = {
            p.id: p
            for p in db.session.scalars(
                select(Poktan).where(Poktan.pokja_id == pokja_id)
            )
        }
        sessions = [
            s
            for s in db.session.scalars(select(PoktanSession))
            if s.poktan_id in poktan and start <= s.date < end
        ]
        by_session = {s.id: s for s in sessions}
        marks = [
            a
            for a in db.session.scalars(select(PoktanAttendance))
            if a.session_id in by_session and a.status == "hadir"
        ]
        memberships = [
            m
            for m in db.session.scalars(select(PoktanMembership))
            if m.poktan_id in poktan
        ]
        units = {
            u.id: u
            for u in db.session.scalars(
                select(ServiceUnit).where(ServiceUnit.pokja_id == pokja_id)
            )
        }
        services = [
            s
            for s in db.session.scalars(select(ServiceSession))
            if s.unit_id in units and start <= s.date < end
        ]
        db.session.expunge_all()
    figures: dict = {}
    families_all, members_all = set(), set()
    for kind in KINDS:
        active = [
            p
            for p in poktan.values()
            if p.kind == kind and p.is_active and (p.since is None or p.since < end)
        ]
        held = [s for s in sessions if s.kind == kind]
        families = {
            a.household_id for a in marks if by_session[a.session_id].kind == kind
        }
        members = {
            m.household_id
            for m in memberships
            if poktan[m.poktan_id].kind == kind
            and poktan[m.poktan_id].is_active
            and (m.joined_on is None or m.joined_on < end)
            and (m.left_on is None or m.left_on >= start)
        }
        figures[f"poktan.{kind}.active"] = len(active)
        figures[f"poktan.{kind}.sessions"] = len(held)
        figures[f"poktan.{kind}.families"] = len(families)
        figures[f"poktan.{kind}.members"] = len(members)
        figures[f"poktan.{kind}.rate"] = attendance_rate(len(families), len(members))
        families_all |= {(kind, h) for h in families}
        members_all |= {(kind, h) for h in members}
    for part in ("active", "sessions", "families", "members"):
        figures[f"poktan.{part}"] = sum(
            figures[f"poktan.{kind}.{part}"] for kind in KINDS
        )
    figures["poktan.rate"] = attendance_rate(len(families_all), len(members_all))
    for kind in UNIT_KINDS:
        figures[f"units.{kind}.sessions"] = sum(
            1 for s in services if units[s.unit_id].kind == kind
        )
    figures["units.sessions"] = len(services)
    for column in COUNT_COLUMNS:
        figures[f"units.{column}"] = sum(getattr(s, column) or 0 for s in services)
    return figures
