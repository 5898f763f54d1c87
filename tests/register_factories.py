"""Builders of poktan data for the register, report and units tests: a poktan,
its member families, sessions and marks, written straight to the models.

Plain data builders (CTFd's habit), like tests/factories.py; kept apart so the
poktan registry's own builders can change without touching these.
"""

import datetime as dt

from kkbweb.extensions import db
from kkbweb.poktan.models import (
    Household,
    Poktan,
    PoktanAttendance,
    PoktanMembership,
    PoktanSession,
)
from tests import factories


def make_poktan(of="Ciwedus", kind="bkb", name=None, rw="03", **fields) -> Poktan:
    """A poktan of a Pokja (a name or a Pokja object)."""
    owner = of if hasattr(of, "id") else factories.pokja(of)
    name = name or f"{kind.upper()} Melati RW {rw}"
    return factories.save(
        Poktan(pokja_id=owner.id, kind=kind, name=name, rw=rw, **fields)
    )


def add_family(poktan, head: str, **membership) -> PoktanMembership:
    """A household and its membership of the poktan (target fields as given)."""
    with factories.context():
        household = Household(
            pokja_id=poktan.pokja_id, head_name=head, rt="01", rw="03"
        )
        db.session.add(household)
        db.session.flush()
        member = PoktanMembership(
            poktan_id=poktan.id,
            household_id=household.id,
            pokja_id=poktan.pokja_id,
            **membership,
        )
        db.session.add(member)
        db.session.commit()
        return factories.detach(member)


def make_session(poktan, date=dt.date(2024, 5, 14), present=(), absent=(), **kw):
    """A session of the poktan with these memberships marked hadir / tidak hadir."""
    with factories.context():
        session = PoktanSession(
            poktan_id=poktan.id,
            pokja_id=poktan.pokja_id,
            kind=poktan.kind,
            date=date,
            place=kw.pop("place", "Balai RW 03"),
            topic=kw.pop("topic", "Stimulasi tumbuh kembang balita"),
            **kw,
        )
        db.session.add(session)
        db.session.flush()
        for status, members in (("hadir", present), ("tidak_hadir", absent)):
            for member in members:
                db.session.add(
                    PoktanAttendance(
                        session_id=session.id,
                        membership_id=member.id,
                        household_id=member.household_id,
                        pokja_id=poktan.pokja_id,
                        status=status,
                        kka_filled=status == "hadir" and poktan.kind == "bkb",
                    )
                )
        db.session.commit()
        return factories.detach(session)
