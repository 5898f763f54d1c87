"""The one place that renders a resident's full NIK, and so puts the read on record.

Templates print a NIK only through the global ``nik_full(resident)`` (or the
masked ``resident.nik_masked``); NIK inputs render through NikInput, which
refills a resident's stored NIK through the same function. Whoever is shown a
full NIK gets one ``resident.nik.view`` row per resident and response, written
once the response is built (kkbweb.audit.log.write_pending_reads), whatever the
path: a GET, a refused POST, a 409 conflict, an htmx request. Everyone else
gets the mask. tests/test_nik_reads.py greps the templates for raw ``.nik``.
"""

import re

from flask import request
from flask_login import current_user
from wtforms.widgets import TextInput

from kkbweb.audit.log import record_read_on_send
from kkbweb.nik import normalize_nik
from kkbweb.referrals import rules

ACTION = "resident.nik.view"
_FULL = re.compile(r"[0-9]{16}")
# What the trail says about the page that showed it (the endpoint otherwise).
NOTES = {
    "referrals.residents.detail": "halaman warga",
    "referrals.residents.edit": "formulir ubah data",
}


def may_see_full(resident) -> bool:
    """Staf, admin and users of the resident's own Pokja (rules.FULL_NIK_ROLES)."""
    if not current_user.is_authenticated:
        return False
    if current_user.role not in rules.FULL_NIK_ROLES:
        return False
    return current_user.sees_all_pokja or resident.pokja_id == current_user.pokja_id


def nik_full(resident, note: str | None = None) -> str:
    """The resident's NIK in full, on record; masked for anyone else; '' if none."""
    if not resident.nik:
        return ""
    if not may_see_full(resident):
        return resident.nik_masked
    record_read_on_send(
        ACTION,
        "resident",
        resident.id,
        note=note or NOTES.get(request.endpoint or "", request.endpoint),
    )
    return resident.nik


class NikInput(TextInput):
    """A NIK input. A value equal to its form's resident's stored NIK (the form
    refilled from the record, on a GET, a refused POST or a conflict) is shown
    through nik_full. echo=False never refills a well-formed NIK (a search box)."""

    def __init__(self, echo: bool = True):
        super().__init__()
        self.echo = echo

    def __call__(self, field, **kwargs):
        value = field._value()
        owner = getattr(field, "owner", None)
        if owner is not None and owner.nik and normalize_nik(value) == owner.nik:
            # A masked value (a user not allowed) cannot be saved: not 16 digits.
            kwargs["value"] = nik_full(owner)
        elif not self.echo and _FULL.fullmatch(normalize_nik(value)):
            kwargs["value"] = ""
        return super().__call__(field, **kwargs)
