"""Writes of Posyandu and PAUD units and sessions, each with its audit row.

The caller commits (the audit row goes in the same transaction).
"""

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.units.models import ServiceSession, ServiceUnit


def create_unit(values: dict) -> ServiceUnit:
    """Add a unit from cleaned form values and record it."""
    unit = ServiceUnit(**values)
    db.session.add(unit)
    db.session.flush()
    record("unit.create", unit, after=unit.audit_dict())
    return unit


def _update(record_of, values: dict, action: str) -> bool:
    """Apply cleaned values; record and return True only if something changed."""
    before = record_of.audit_dict()
    for name, value in values.items():
        setattr(record_of, name, value)
    if before == record_of.audit_dict():
        return False
    record(action, record_of, before=before, after=record_of.audit_dict())
    return True


def update_unit(unit: ServiceUnit, values: dict) -> bool:
    """Change a unit; True (and an audit row) only if something changed."""
    return _update(unit, values, "unit.update")


def create_session(unit: ServiceUnit, values: dict, user) -> ServiceSession:
    """Add a session of the unit (its Pokja copied) and record it."""
    session = ServiceSession(
        unit_id=unit.id, pokja_id=unit.pokja_id, created_by_id=user.id, **values
    )
    db.session.add(session)
    db.session.flush()
    record("unit_session.create", session, after=session.audit_dict())
    return session


def update_session(session: ServiceSession, values: dict) -> bool:
    """Change a session; True (and an audit row) only if something changed."""
    return _update(session, values, "unit_session.update")


def delete_session(session: ServiceSession) -> None:
    """Remove a session typed by mistake, and record what it held."""
    record("unit_session.delete", session, before=session.audit_dict())
    db.session.delete(session)
