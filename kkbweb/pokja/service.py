"""Writes of the Pokja list, each with its audit row in the same transaction."""

from kkbweb.audit.log import record
from kkbweb.classification.models import KampungKb
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja


def create_pokja(values: dict) -> Pokja:
    """Add a Pokja from cleaned form values and record it."""
    pokja = Pokja(**values)
    db.session.add(pokja)
    db.session.flush()
    record("pokja.create", pokja, after=pokja.audit_dict())
    db.session.add(kampung_for(pokja))
    return pokja


def kampung_for(pokja: Pokja) -> KampungKb:
    """The Kampung KB a new Pokja comes with (its kelurahan; renamed later on
    the Kampung KB's identity page)."""
    return KampungKb(
        name=f"Kampung KB {pokja.display_name}",
        kelurahan_code=pokja.code,
        pokja=pokja,
    )


def update_pokja(pokja: Pokja, values: dict) -> bool:
    """Apply cleaned form values; record and return True only if something changed."""
    before = pokja.audit_dict()
    for name, value in values.items():
        setattr(pokja, name, value)
    if before == pokja.audit_dict():
        return False
    record("pokja.update", pokja, before=before, after=pokja.audit_dict())
    return True
