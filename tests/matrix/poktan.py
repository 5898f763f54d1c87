"""Access for the poktan registry, families, sessions, roll call and photos.

Everything belongs to Pokja A (Ciwedus); Pokja B's users get 404 for it. The
leadership (pimpinan) reads; a meeting organiser (penyelenggara) has no need of
family names and is refused.
"""

from pathlib import Path

from flask import current_app

from kkbweb import images
from kkbweb.extensions import db
from kkbweb.poktan.models import PoktanGuest, PoktanPhoto
from tests import factories
from tests.matrix import LOGGED_IN, Entry, allow

VIEWERS = ("admin", "staf", "pimpinan", "pokja_a", "pokja_b")
EDITORS = ("admin", "staf", "pokja_a", "pokja_b")
VIEW_A = ("admin", "staf", "pimpinan", "pokja_a")
EDIT_A = ("admin", "staf", "pokja_a")


def _photo(session, name: str) -> PoktanPhoto:
    """A stored photo of a session (row and file)."""
    data = factories.kie_jpeg()
    with factories.context():
        folder = Path(current_app.config["UPLOAD_FOLDER"]) / "poktan"
        filename = images.new_filename()
        images.write(folder, filename, data)
        photo = PoktanPhoto(
            session_id=session.id,
            pokja_id=session.pokja_id,
            filename=filename,
            width=64,
            height=48,
            size_bytes=len(data),
            sha256=name.ljust(64, "0")[:64],
        )
        db.session.add(photo)
        db.session.commit()
        return factories.detach(photo)


def _guest(session, name: str) -> PoktanGuest:
    return factories.save(
        PoktanGuest(session_id=session.id, pokja_id=session.pokja_id, name=name)
    )


def world(w: dict) -> None:
    """A BKB of Pokja A with a family marked at a session, a walk-in, photos."""
    poktan = factories.make_poktan(w["A"], name="BKB Matriks RW 03")
    w["poktan_a"] = poktan
    w["family_a"] = factories.make_family(poktan, head_name="Kanari Keluarga Ciwedus")
    session = factories.make_poktan_session(poktan)
    w["session_a"] = session
    factories.make_family_marks(session, [w["family_a"].id])
    w["session_a_deleted"] = factories.make_poktan_session(poktan, topic="Dihapus")
    w["guest_a_removed"] = _guest(session, "Tamu Dihapus")
    w["photo_a"] = _photo(session, "a")
    w["photo_a_removed"] = _photo(session, "b")


def canary(w: dict, side: str, name: str, nik: str) -> None:
    """The canary as a family head, a balita, a walk-in and a poktan's ketua."""
    poktan = factories.make_poktan(w[side], name=f"BKB Kenari {side}", ketua_name=name)
    family = factories.make_family(poktan, head_name=name, target_name=f"Anak {name}")
    session = factories.make_poktan_session(poktan, topic=f"Materi {name}")
    factories.make_family_marks(session, [family.id])
    _guest(session, f"Tamu {name}")


def a_only(roles, ok=200, **overrides):
    """`ok` for these roles on Pokja A's records: 404 for Pokja B, 403 for others."""
    return allow(roles, ok=ok, pokja_b=404, **overrides)


def _poktan(w):
    return {"poktan_id": w["poktan_a"].id}


def _session(w):
    return {"session_id": w["session_a"].id}


def _family(w):
    return {**_session(w), "membership_id": w["family_a"].id}


ACCESS = {
    ("poktan.index", "GET"): Entry(allow(VIEWERS)),
    ("poktan.new", "GET"): Entry(allow(EDITORS)),
    # An empty form: refused with its messages.
    ("poktan.new", "POST"): Entry(allow(EDITORS)),
    ("poktan.detail", "GET"): Entry(a_only(VIEW_A), args=_poktan),
    ("poktan.edit", "GET"): Entry(a_only(EDIT_A), args=_poktan),
    # An empty POST keeps the stored values (WTForms falls back to the object).
    ("poktan.edit", "POST"): Entry(a_only(EDIT_A, ok=303), args=_poktan),
    ("poktan.families.new", "GET"): Entry(a_only(EDIT_A), args=_poktan),
    ("poktan.families.new", "POST"): Entry(a_only(EDIT_A), args=_poktan),
    ("poktan.families.edit", "GET"): Entry(
        a_only(EDIT_A),
        args=lambda w: {**_poktan(w), "membership_id": w["family_a"].id},
    ),
    ("poktan.families.edit", "POST"): Entry(
        a_only(EDIT_A, ok=303),
        args=lambda w: {**_poktan(w), "membership_id": w["family_a"].id},
    ),
    ("poktan.families.import_upload", "GET"): Entry(a_only(EDIT_A), args=_poktan),
    ("poktan.families.import_upload", "POST"): Entry(a_only(EDIT_A), args=_poktan),
    # No preview token: back to the upload form with a message.
    ("poktan.families.import_confirm", "POST"): Entry(
        a_only(EDIT_A, ok=303), args=_poktan
    ),
    ("poktan.families.import_template", "GET"): Entry(allow(LOGGED_IN)),
    ("poktan.sessions.index", "GET"): Entry(a_only(VIEW_A), args=_poktan),
    ("poktan.sessions.new", "GET"): Entry(a_only(EDIT_A), args=_poktan),
    ("poktan.sessions.new", "POST"): Entry(a_only(EDIT_A), args=_poktan),
    ("poktan.sessions.detail", "GET"): Entry(a_only(VIEW_A), args=_session),
    ("poktan.sessions.edit", "GET"): Entry(a_only(EDIT_A), args=_session),
    ("poktan.sessions.edit", "POST"): Entry(a_only(EDIT_A, ok=303), args=_session),
    ("poktan.sessions.delete", "GET"): Entry(a_only(EDIT_A), args=_session),
    # The first allowed role (admin) deletes it; later roles find it gone.
    ("poktan.sessions.delete", "POST"): Entry(
        a_only(EDIT_A, ok=404, admin=303),
        args=lambda w: {"session_id": w["session_a_deleted"].id},
    ),
    # No photo chosen: the page again with its message.
    ("poktan.sessions.upload_photos", "POST"): Entry(a_only(EDIT_A), args=_session),
    ("poktan.sessions.photo", "GET"): Entry(
        a_only(VIEW_A), args=lambda w: {"photo_id": w["photo_a"].id}
    ),
    ("poktan.sessions.remove_photo", "POST"): Entry(
        a_only(EDIT_A, ok=404, admin=303),
        args=lambda w: {**_session(w), "photo_id": w["photo_a_removed"].id},
    ),
    ("poktan.roll_call.mark", "POST"): Entry(
        a_only(EDIT_A, ok=303), args=_family, data=lambda w: {"status": "hadir"}
    ),
    ("poktan.roll_call.kka", "POST"): Entry(
        a_only(EDIT_A, ok=303), args=_family, data=lambda w: {"kka": "1"}
    ),
    ("poktan.roll_call.add_guest", "POST"): Entry(
        a_only(EDIT_A, ok=303), args=_session, data=lambda w: {"name": "Tamu Matriks"}
    ),
    ("poktan.roll_call.remove_guest", "POST"): Entry(
        a_only(EDIT_A, ok=404, admin=303),
        args=lambda w: {**_session(w), "guest_id": w["guest_a_removed"].id},
    ),
}
