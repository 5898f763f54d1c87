"""Writes to the poktan registry, families, sessions and roll call, each with its
audit row in the same transaction; the caller commits. The acting user is an
argument."""

import hashlib
from pathlib import Path

from sqlalchemy import delete, insert

from kkbweb import images
from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.poktan import vocab
from kkbweb.poktan.models import (
    Household,
    MarkResult,
    Poktan,
    PoktanAttendance,
    PoktanGuest,
    PoktanMembership,
    PoktanPhoto,
    PoktanSession,
    mark_attendance,
)

MAX_PHOTOS = 5

POKTAN_FIELDS = (
    "kind",
    "name",
    "rw",
    "ketua_member_id",
    "ketua_name",
    "kader_member_id",
    "kader_name",
    "sk_number",
    "sk_date",
    "since",
    "is_active",
)
HOUSEHOLD_FIELDS = ("head_name", "address", "rt", "rw", "phone")
MEMBERSHIP_FIELDS = (
    "target_name",
    "target_sex",
    "target_birth_date",
    "business",
    "sub_sector",
    "is_pus",
    "uses_kb",
    "kb_method",
    "joined_on",
    "left_on",
)
SESSION_FIELDS = ("date", "place", "topic", "speaker", "kader_present", "notes")


def _copy(target, form, fields) -> None:
    """Copy form fields onto a record; empty text is stored as none."""
    for name in fields:
        value = getattr(form, name).data
        setattr(target, name, None if value == "" else value)


# --- registry -------------------------------------------------------------------


def create_poktan(form, pokja_id: int, user) -> Poktan:
    """Register a poktan of a Pokja."""
    poktan = Poktan(pokja_id=pokja_id, created_by_id=user.id)
    _copy(poktan, form, POKTAN_FIELDS)
    poktan.is_active = True  # a new poktan is active; the edit form can stop it
    db.session.add(poktan)
    db.session.flush()
    record("poktan.create", poktan, after=poktan.audit_dict(), user=user)
    return poktan


def update_poktan(poktan: Poktan, form, user) -> bool:
    """Apply the form (the Pokja stays); False if nothing changed."""
    before = poktan.audit_dict()
    _copy(poktan, form, POKTAN_FIELDS)
    if poktan.audit_dict() == before:
        return False
    record("poktan.update", poktan, before=before, after=poktan.audit_dict(), user=user)
    return True


# --- families -------------------------------------------------------------------


def _target_for_kind(membership: PoktanMembership, kind: str) -> None:
    """Keep only the target fields this kind of poktan uses."""
    if kind == vocab.UPPKA:
        membership.target_name = membership.target_sex = None
        membership.target_birth_date = None
    else:
        membership.business = membership.sub_sector = None
    if not membership.uses_kb:
        membership.kb_method = None


def add_family(poktan: Poktan, form, user) -> PoktanMembership:
    """Add a family to a poktan: a new household, or one already registered.

    One audit row: the membership, with the new household's fields when it
    made one (both rows are written by the same flush).
    """
    membership = PoktanMembership(
        poktan_id=poktan.id,
        household_id=form.household_id.data,
        pokja_id=poktan.pokja_id,
        created_by_id=user.id,
    )
    household = None
    if form.household_id.data is None:
        household = Household(pokja_id=poktan.pokja_id, created_by_id=user.id)
        _copy(household, form, HOUSEHOLD_FIELDS)
        membership.household = household
    _copy(membership, form, MEMBERSHIP_FIELDS)
    _target_for_kind(membership, poktan.kind)
    db.session.add(membership)
    db.session.flush()
    after = membership.audit_dict()
    if household is not None:
        after["household"] = household.audit_dict()
    record("poktan_membership.create", membership, after=after, user=user)
    return membership


def update_family(membership: PoktanMembership, form, user) -> bool:
    """Correct a family (its household too); False if nothing changed."""
    household = membership.household
    before_home, before = household.audit_dict(), membership.audit_dict()
    _copy(household, form, HOUSEHOLD_FIELDS)
    _copy(membership, form, MEMBERSHIP_FIELDS)
    _target_for_kind(membership, membership.poktan.kind)
    changed = False
    if household.audit_dict() != before_home:
        record(
            "household.update",
            household,
            before=before_home,
            after=household.audit_dict(),
            user=user,
        )
        changed = True
    if membership.audit_dict() != before:
        record(
            "poktan_membership.update",
            membership,
            before=before,
            after=membership.audit_dict(),
            user=user,
        )
        changed = True
    return changed


def import_families(poktan: Poktan, values: list[dict], filename, user) -> int:
    """Insert checked import rows: the new households in one statement, then the
    memberships in one, with one audit row.

    The households' ids come back by RETURNING, matched by their key (name, RT,
    RW), not by order: SQLite's batched RETURNING promises no order, and a
    batch per row would cost a statement per family.
    """
    new_homes = {}
    for v in values:
        if v["household_id"] is None and v["household_key"] not in new_homes:
            new_homes[v["household_key"]] = {
                "pokja_id": poktan.pokja_id,
                "created_by_id": user.id,
                **v["household"],
            }
    ids = {}
    if new_homes:
        table = Household.__table__
        returned = db.session.execute(
            insert(table).returning(
                table.c.id, table.c.head_name, table.c.rt, table.c.rw
            ),
            list(new_homes.values()),
        )
        ids = {
            (row.head_name.lower(), row.rt or "", row.rw or ""): row.id
            for row in returned
        }
    rows = [
        {
            "poktan_id": poktan.id,
            "household_id": v["household_id"] or ids[v["household_key"]],
            "pokja_id": poktan.pokja_id,
            "created_by_id": user.id,
            **v["membership"],
        }
        for v in values
    ]
    db.session.execute(insert(PoktanMembership), rows)
    record(
        "poktan_membership.import",
        poktan,
        after={
            "count": len(rows),
            "new_households": len(new_homes),
            "names": [v["household"]["head_name"] for v in values][:200],
        },
        note=filename,
        user=user,
    )
    return len(rows)


# --- sessions -------------------------------------------------------------------


def create_session(poktan: Poktan, form, user) -> PoktanSession:
    """Record a session of a poktan (an activity of its Pokja)."""
    session = PoktanSession(
        poktan_id=poktan.id,
        pokja_id=poktan.pokja_id,
        kind=poktan.kind,
        created_by_id=user.id,
    )
    _copy(session, form, SESSION_FIELDS)
    db.session.add(session)
    db.session.flush()
    record("poktan_session.create", session, after=session.audit_dict(), user=user)
    return session


def update_session(session: PoktanSession, form, user) -> bool:
    """Correct a session's details; False if nothing changed."""
    before = session.audit_dict()
    _copy(session, form, SESSION_FIELDS)
    if session.audit_dict() == before:
        return False
    record(
        "poktan_session.update",
        session,
        before=before,
        after=session.audit_dict(),
        user=user,
    )
    return True


def delete_session(session: PoktanSession, user) -> None:
    """Delete a session with its marks, walk-ins and photo rows (the caller
    removes the photo files once committed)."""
    for model in (PoktanAttendance, PoktanGuest, PoktanPhoto):
        db.session.execute(delete(model).where(model.session_id == session.id))
    record("poktan_session.delete", session, before=session.audit_dict(), user=user)
    db.session.delete(session)


def mark(ctx, *, session_id: int, status: str, user) -> MarkResult:
    """One tap: the family's status at the session (an upsert), audited when it
    changed."""
    result = mark_attendance(
        session_id=session_id,
        membership_id=ctx.id,
        household_id=ctx.household_id,
        pokja_id=ctx.pokja_id,
        status=status,
        user_id=user.id,
    )
    if result.changed:
        record(
            "poktan_attendance.mark",
            entity_type="poktan_attendance",
            entity_id=result.id,
            before={"status": result.previous},
            after={
                "session_id": session_id,
                "membership_id": ctx.id,
                "family": ctx.head_name,
                "status": status,
            },
            user=user,
        )
    return result


def set_kka(session_id: int, ctx, filled: bool, user) -> bool:
    """Tick or untick the child's KKA at a session (only for a family present);
    False when it was already so."""
    if bool(ctx.kka_filled) == filled or ctx.status != vocab.PRESENT:
        return False
    table = PoktanAttendance.__table__
    db.session.execute(
        table.update()
        .where(table.c.session_id == session_id, table.c.membership_id == ctx.id)
        .values(kka_filled=filled)
    )
    record(
        "poktan_attendance.kka",
        entity_type="poktan_attendance",
        before={"kka_filled": bool(ctx.kka_filled)},
        after={"session_id": session_id, "membership_id": ctx.id, "kka_filled": filled},
        user=user,
    )
    return True


def add_guest(session: PoktanSession, form, user) -> PoktanGuest:
    """Record a walk-in family at a session."""
    guest = PoktanGuest(
        session_id=session.id,
        pokja_id=session.pokja_id,
        name=form.name.data,
        note=form.note.data or None,
        form_token=form.form_token.data,
        created_by_id=user.id,
    )
    db.session.add(guest)
    db.session.flush()
    record("poktan_guest.create", guest, after=guest.audit_dict(), user=user)
    return guest


def remove_guest(guest: PoktanGuest, user) -> None:
    """Remove a walk-in recorded by mistake."""
    record("poktan_guest.delete", guest, before=guest.audit_dict(), user=user)
    db.session.delete(guest)


def store_photos(
    session: PoktanSession, processed: list, known: set[str], folder: Path, user
) -> int:
    """Write re-encoded photos (the same photo twice is one) and their rows."""
    added = 0
    for photo in processed:
        digest = hashlib.sha256(photo.data).hexdigest()
        if digest in known:
            continue
        known.add(digest)
        filename = images.new_filename()
        images.write(folder, filename, photo.data)
        row = PoktanPhoto(
            session_id=session.id,
            pokja_id=session.pokja_id,
            filename=filename,
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.data),
            sha256=digest,
            created_by_id=user.id,
        )
        db.session.add(row)
        db.session.flush()
        record("poktan_photo.create", row, after=row.audit_dict(), user=user)
        added += 1
    return added


def remove_photo(photo: PoktanPhoto, user) -> str:
    """Delete a photo's row; return its file to remove once committed."""
    record("poktan_photo.delete", photo, before=photo.audit_dict(), user=user)
    db.session.delete(photo)
    return photo.filename
