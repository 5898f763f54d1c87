"""Access for the portal pages: the month's list, one activity's record, its
form, the upload mark, photos, exports and the mapping (admin).

Everyone logged in reads what they may see of the activities; writers (admin,
staf, Pokja users and scoped organisers) confirm and mark their Pokja's
records; pimpinan and a city-wide penyelenggara only read. Pokja B asking for
Pokja A's activity gets 404.
"""

from tests import factories
from tests.matrix import LOGGED_IN, Entry, allow

ADMIN = ("admin",)
WRITES_A = ("admin", "staf", "penyelenggara_a", "pokja_a")
FOREIGN = {"pokja_b": 404}


def make_portal_record(pokja, title: str, with_photo: bool = True, **fields) -> dict:
    """A KIE entry of the Pokja dated today with a stored, captioned record."""
    from pathlib import Path

    from flask import current_app

    from kkbweb.extensions import db
    from kkbweb.images import new_filename, write
    from kkbweb.portal.models import PortalRecord

    entry = factories.make_kie_activity(pokja.display_name, title=f"KIE {title}")
    with factories.context():
        photos = []
        if with_photo:
            name = new_filename()
            folder = Path(current_app.config["UPLOAD_FOLDER"]) / "portal"
            write(folder, name, factories.kie_jpeg())
            photos = [
                {
                    "file": name,
                    "type": 1,
                    "caption": f"Foto {title}",
                    "width": 64,
                    "height": 48,
                    "origin": "upload",
                }
            ]
        record = PortalRecord(
            source_kind="kie",
            source_id=entry.id,
            pokja_id=pokja.id,
            judul=title,
            tanggal=entry.activity_date,
            tempat="Balai RW 01",
            deskripsi=f"Deskripsi {title}",
            kategori_id=2,
            jenis_post_id=2,
            sasaran=[[2, ""]],
            instansi=[[30, ""], [37, f"Mitra {title}"]],
            photos=photos,
            **fields,
        )
        db.session.add(record)
        db.session.commit()
        return {
            "kind": "kie",
            "source_id": entry.id,
            "pokja_id": pokja.id,
            "record_id": record.id,
        }


def world(w: dict) -> None:
    """A confirmed record with a photo of Pokja A."""
    w["portal_a"] = make_portal_record(w["A"], "Intervensi uji A")


def canary(w: dict, side: str, name: str, nik: str) -> None:
    """A record of the Pokja titled with the canary, a partner named after it."""
    make_portal_record(w[side], f"Intervensi {name}", with_photo=False)


def _a(w):
    found = w["portal_a"]
    return {k: found[k] for k in ("kind", "source_id", "pokja_id")}


ACCESS = {
    ("portal.index", "GET"): Entry(allow(LOGGED_IN)),
    ("portal.detail", "GET"): Entry(allow(LOGGED_IN, **FOREIGN), args=_a),
    ("portal.edit", "GET"): Entry(allow(WRITES_A, **FOREIGN), args=_a),
    # An empty form is refused with messages (200), never saved.
    ("portal.edit", "POST"): Entry(allow(WRITES_A, ok=200, **FOREIGN), args=_a),
    ("portal.mark_uploaded", "POST"): Entry(
        allow(WRITES_A, ok=303, **FOREIGN), args=_a
    ),
    ("portal.unmark_uploaded", "POST"): Entry(
        allow(WRITES_A, ok=303, **FOREIGN), args=_a
    ),
    ("portal.photo", "GET"): Entry(
        allow(LOGGED_IN, **FOREIGN),
        args=lambda w: {"record_id": w["portal_a"]["record_id"], "position": 0},
    ),
    ("portal.export", "GET"): Entry(allow(LOGGED_IN), args=lambda w: {"format": "csv"}),
    ("portal.photos_zip", "GET"): Entry(allow(LOGGED_IN)),
    ("portal.mappings.index", "GET"): Entry(allow(ADMIN)),
    ("portal.mappings.edit", "GET"): Entry(
        allow(ADMIN), args=lambda w: {"vocab_key": "kie_audience", "code": "umum"}
    ),
    ("portal.mappings.edit", "POST"): Entry(
        allow(ADMIN, ok=200),
        args=lambda w: {"vocab_key": "kie_audience", "code": "umum"},
    ),
}
