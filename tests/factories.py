"""Plain data builders for tests (CTFd style): make_user(role=..., pokja=...).

Each builder opens an app context if none is active, commits, and returns the object
loaded and detached, so a test can read its attributes outside any context.
"""

from contextlib import contextmanager, nullcontext
from functools import cache

from flask import current_app, has_app_context
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja

PASSWORD = "kata-sandi-uji-123"
_counter = iter(range(1, 10**9))
_app = None


def bind(app) -> None:
    """Remember the test's app (called by the app fixture)."""
    global _app
    _app = app


@contextmanager
def context():
    """An app context: the active one, or a new one for the bound app."""
    with nullcontext() if has_app_context() else _app.app_context():
        yield


def detach(obj):
    """Load every column of a committed object and detach it from the session."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def save(*objects):
    """Add, commit and detach objects; return the first (or all, if several)."""
    with context():
        db.session.add_all(objects)
        db.session.commit()
        detached = [detach(obj) for obj in objects]
    return detached[0] if len(detached) == 1 else detached


@cache
def _hash(password: str, method: str) -> str:
    """Hash once per password: scrypt at production strength is deliberately slow."""
    return generate_password_hash(password, method=method)


def pokja(name: str = "Ciwedus") -> Pokja:
    """Fetch a seeded Pokja by display name."""
    with context():
        found = db.session.scalars(
            select(Pokja).where(Pokja.display_name == name)
        ).one()
        db.session.expunge(found)
    return found


def make_user(
    role: str = "pokja",
    pokja: Pokja | str | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
    must_change_password: bool = False,
) -> User:
    """Create a user; a Pokja user defaults to Ciwedus."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    if pokja is None and role == "pokja":
        pokja = globals()["pokja"]("Ciwedus")
    with context():
        user = User(
            username=username or f"{role}{next(_counter)}",
            full_name=f"Pengguna {role}",
            role=role,
            pokja_id=pokja.id if pokja else None,
            password_hash=_hash(password, current_app.config["PASSWORD_HASH_METHOD"]),
            active=active,
            must_change_password=must_change_password,
        )
        return save(user)


def put_in_session(client, user: User) -> None:
    """Log a user into a test client directly, with their current session version."""
    with context():
        version = db.session.get(User, user.id).session_version
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{version}"
        session["_fresh"] = True


# -- referrals (rujukan) -----------------------------------------------------------


def make_resident(
    pokja: "Pokja | str" = "Ciwedus",
    name: str | None = None,
    nik: str | None = None,
    sex: str = "P",
    birth_date=None,
    religion: str | None = "islam",
    **fields,
):
    """Create a resident (warga) of a Pokja."""
    from kkbweb.referrals.models import Resident

    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    resident = Resident(
        name=name or f"Warga Uji {next(_counter)}",
        sex=sex,
        birth_date=birth_date,
        religion=religion,
        address=fields.pop("address", "Jl. Uji No. 1"),
        rt=fields.pop("rt", "001"),
        rw=fields.pop("rw", "002"),
        pokja_id=pokja.id,
        nik=nik,
        **fields,
    )
    return save(resident)


def make_referral(
    resident,
    doc_type: str = "akta_kelahiran",
    status: str = "diajukan",
    by: User | None = None,
    assigned_to: User | None = None,
    changed_at=None,
):
    """Open a referral through the real intake code, then set its status directly."""
    from kkbweb.pokja.models import Kecamatan
    from kkbweb.pokja.models import Pokja as PokjaModel
    from kkbweb.referrals import routing, service, workflow
    from kkbweb.referrals.models import Referral, Resident
    from kkbweb.timeutil import utcnow

    with context():
        service.ensure_checklists()
        owner = db.session.get(Resident, resident.id)
        pokja_row = db.session.get(PokjaModel, owner.pokja_id)
        kecamatan = db.session.get(Kecamatan, pokja_row.kecamatan_id)
        suggestion = routing.suggest_destination(
            doc_type, owner.religion, kecamatan.display_name
        )
        now = utcnow()
        referral_id, _ = service.create_referral(
            resident=owner,
            doc_type=doc_type,
            destination=(suggestion.code, suggestion.name, None),
            notes=None,
            user=by,
            intake_key=None,
            now=now,
        )
        referral = db.session.get(Referral, referral_id)
        referral.status = status
        referral.holder = workflow.HOLDER.get(status)
        referral.status_changed_at = changed_at or now
        referral.assigned_to_id = assigned_to.id if assigned_to else None
        if status in (workflow.SELESAI, workflow.DISERAHKAN):
            referral.completed_at = referral.status_changed_at
        if status == workflow.DISERAHKAN:
            referral.handed_over_at = referral.status_changed_at
        db.session.commit()
        return detach(referral)
