"""Access for KIE logs: list, entry, photos, exports, campaigns and vocabularies.

Writers: admin and staf (any Pokja) and Pokja-scoped users (their own Pokja);
pimpinan and the city-wide penyelenggara only read. A Pokja B user asking for
Pokja A's records gets 404.
"""

from tests import factories
from tests.matrix import LOGGED_IN, Entry, allow

ADMIN = ("admin",)
WRITERS = ("admin", "staf", "penyelenggara_a", "pokja_a", "pokja_b")
SEES_A = ("admin", "staf", "pimpinan", "penyelenggara", "penyelenggara_a", "pokja_a")
CHANGES_A = ("admin", "staf", "penyelenggara_a", "pokja_a")


def world(w: dict) -> None:
    """An entry with a photo and a campaign of Pokja A; a term to edit."""
    w["kie_campaign"] = factories.make_kie_campaign("Kampanye Uji A", ("Ciwedus",))
    w["kie_a"] = factories.make_kie_activity(
        "Ciwedus", title="Kegiatan uji A", campaign=w["kie_campaign"], photo=True
    )
    w["kie_photo_a"] = _first_photo(w["kie_a"].id)
    w["kie_term"] = factories.kie_terms()[("topic", "stunting")]
    w["kie_pending"] = _pending_photo(w["pokja_a"].id)


def _pending_photo(user_id: int) -> dict:
    """A photo Pokja A's user chose on a refused entry form."""
    from pathlib import Path

    from flask import current_app

    from kkbweb.kie import pending, photos

    with factories.context():
        token = "c" * 32
        root = Path(current_app.config["UPLOAD_FOLDER"])
        [name] = pending.keep(
            root, token, user_id, [photos.process(factories.kie_jpeg())]
        )
        return {"token": token, "name": name}


def _first_photo(activity_id: int) -> int:
    from sqlalchemy import select

    from kkbweb.extensions import db
    from kkbweb.kie.models import KiePhoto

    with factories.context():
        return db.session.scalar(
            select(KiePhoto.id).where(KiePhoto.activity_id == activity_id)
        )


def _a(w):
    return {"activity_id": w["kie_a"].id}


def _on_a(ok: int, roles=CHANGES_A) -> dict:
    """ok for roles that may change A's entry; 404 for Pokja B; 403 for readers."""
    return allow(roles, ok=ok, pokja_b=404)


ACCESS = {
    ("kie.index", "GET"): Entry(allow(LOGGED_IN)),
    ("kie.export", "POST"): Entry(allow(LOGGED_IN), data=lambda w: {"format": "csv"}),
    ("kie.new", "GET"): Entry(allow(WRITERS)),
    # An empty form is refused with messages (200, as every refused form), never saved.
    ("kie.new", "POST"): Entry(allow(WRITERS, ok=200)),
    ("kie.detail", "GET"): Entry(allow(SEES_A, denied=404), args=_a),
    ("kie.edit", "GET"): Entry(_on_a(200), args=_a),
    # An empty POST keeps the stored values: nothing changes, back to the entry.
    ("kie.edit", "POST"): Entry(_on_a(303), args=_a),
    ("kie.photos_edit", "GET"): Entry(_on_a(200), args=_a),
    ("kie.photos_edit", "POST"): Entry(_on_a(200), args=_a),
    ("kie.photo", "GET"): Entry(
        allow(SEES_A, denied=404), args=lambda w: {"photo_id": w["kie_photo_a"]}
    ),
    # Only the user who chose it sees a photo kept from a refused form: not
    # another user of the same Pokja, not staff, not another Pokja.
    ("kie.pending_photo", "GET"): Entry(
        allow(("pokja_a",), denied=404), args=lambda w: w["kie_pending"]
    ),
    ("kie.delete_entry", "GET"): Entry(_on_a(200), args=_a),
    # Without the confirmation field the entry stays (refused: 200).
    ("kie.delete_entry", "POST"): Entry(_on_a(200), args=_a),
    ("kie.campaigns.index", "GET"): Entry(allow(LOGGED_IN)),
    ("kie.campaigns.new", "GET"): Entry(allow(WRITERS)),
    ("kie.campaigns.new", "POST"): Entry(allow(WRITERS, ok=200)),
    ("kie.campaigns.edit", "GET"): Entry(
        _on_a(200), args=lambda w: {"campaign_id": w["kie_campaign"].id}
    ),
    ("kie.campaigns.edit", "POST"): Entry(
        _on_a(303), args=lambda w: {"campaign_id": w["kie_campaign"].id}
    ),
    ("kie.terms.index", "GET"): Entry(allow(ADMIN)),
    ("kie.terms.new", "POST"): Entry(allow(ADMIN, ok=200)),
    ("kie.terms.edit", "GET"): Entry(
        allow(ADMIN), args=lambda w: {"term_id": w["kie_term"]}
    ),
    ("kie.terms.edit", "POST"): Entry(
        allow(ADMIN, ok=303), args=lambda w: {"term_id": w["kie_term"]}
    ),
}
