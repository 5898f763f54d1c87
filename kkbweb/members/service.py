"""Writes to the member registry, each with its audit row.

Everything is added to the caller's transaction; the caller commits.
"""

from sqlalchemy import insert

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.members.models import Member
from kkbweb.timeutil import today_wib


def fill_member(member: Member, form) -> None:
    """Copy the form onto the member; leaving without an end date ends today."""
    member.name = form.name.data
    member.sex = form.sex.data
    member.jabatan = form.jabatan.data
    member.seksi = form.seksi.data or None
    member.unsur = form.unsur.data
    member.phone = form.phone.data or None
    member.active_from = form.active_from.data
    member.active_until = form.active_until.data
    member.is_active = form.is_active.data
    if not member.is_active and member.active_until is None:
        member.active_until = today_wib()


def create_member(form, user) -> Member:
    """Register a member in the form's Pokja."""
    member = Member(pokja_id=form.pokja_id.data)
    fill_member(member, form)
    db.session.add(member)
    db.session.flush()
    record("member.create", member, after=member.audit_dict(), user=user)
    return member


def update_member(member: Member, form, user) -> bool:
    """Apply the form (Pokja included); False if nothing changed."""
    before = member.audit_dict()
    member.pokja_id = form.pokja_id.data
    fill_member(member, form)
    if member.audit_dict() == before:
        return False
    record("member.update", member, before=before, after=member.audit_dict(), user=user)
    return True


def import_members(values: list[dict], filename: str | None, user) -> None:
    """Insert checked import rows as active members, with one audit row."""
    db.session.execute(insert(Member), [{**v, "is_active": True} for v in values])
    record(
        "member.import",
        entity_type="member",
        after={
            "count": len(values),
            "pokja_ids": sorted({v["pokja_id"] for v in values}),
            "names": [v["name"] for v in values][:200],
        },
        note=filename,
        user=user,
    )
