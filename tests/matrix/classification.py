"""Access for the classification pages: a Kampung KB's class page (everyone
who sees the Pokja), its profile and identity forms (admin, staf, the Pokja's
own users), and the city board with its XLSX (department). Pokja B asking for
Pokja A's Kampung KB gets 404; a penyelenggara of Pokja A reads its class."""

from tests.matrix import LOGGED_IN, Entry, allow

EDITORS_A = ("admin", "staf", "pokja_a")
READERS_A = ("admin", "staf", "pimpinan", "penyelenggara", "penyelenggara_a", "pokja_a")
BOARD = ("admin", "staf", "pimpinan")
PKB = ("admin", "staf")
CALENDAR = ("admin", "staf", "pimpinan", "pokja_a", "pokja_b")
FOREIGN = {"pokja_b": 404}


def _pkb(w):
    return {"pkb_id": w["pkb"]}


def _a(w):
    return {"pokja_id": w["A"].id}


ACCESS = {
    # The department goes to the board, a Pokja user to their own page.
    ("classification.index", "GET"): Entry(allow(LOGGED_IN, ok=302)),
    ("classification.kampung", "GET"): Entry(
        allow(READERS_A, denied=404, **FOREIGN), args=_a
    ),
    ("classification.profile", "GET"): Entry(allow(EDITORS_A, **FOREIGN), args=_a),
    # An empty form has no token: refused with a message (200), never saved.
    ("classification.profile", "POST"): Entry(
        allow(EDITORS_A, ok=200, **FOREIGN), args=_a
    ),
    ("classification.identity", "GET"): Entry(allow(EDITORS_A, **FOREIGN), args=_a),
    # An empty POST keeps the identity as it is (PRG back to the class page).
    ("classification.identity", "POST"): Entry(
        allow(EDITORS_A, ok=303, **FOREIGN), args=_a
    ),
    # Pokja A's Kampung KB has a scan (world): readers of A get it, B 404.
    ("classification.sk_scan", "GET"): Entry(
        allow(READERS_A, denied=404, **FOREIGN), args=_a
    ),
    ("classification.board", "GET"): Entry(allow(BOARD)),
    ("classification.board_xlsx", "GET"): Entry(allow(BOARD)),
    # The reporting calendar: the department all Pokja, a Pokja user its own.
    ("classification.calendar", "GET"): Entry(allow(CALENDAR)),
    # PKB and the kelurahan each covers: admin and staf.
    ("classification.pkb_list", "GET"): Entry(allow(PKB)),
    ("classification.pkb_new", "GET"): Entry(allow(PKB)),
    # An empty form is refused with its messages, never saved.
    ("classification.pkb_new", "POST"): Entry(allow(PKB, ok=200)),
    ("classification.pkb_edit", "GET"): Entry(allow(PKB), args=_pkb),
    # An empty POST keeps the PKB as it is (PRG back to the list).
    ("classification.pkb_edit", "POST"): Entry(allow(PKB, ok=303), args=_pkb),
    # Without the confirmation box nothing is removed: back to the PKB's form.
    ("classification.pkb_delete", "POST"): Entry(allow(PKB, ok=303), args=_pkb),
}


def world(w: dict) -> None:
    """A PKB covering Pokja A's kelurahan; an SK Camat scan of A's Kampung KB."""
    from pathlib import Path

    from flask import current_app
    from sqlalchemy import select

    from kkbweb.classification.models import KampungKb, Pkb
    from kkbweb.extensions import db
    from tests import factories

    with factories.context():
        pkb = Pkb(name="PKB Matriks", kelurahan_codes=["36.72.02.1002"])
        db.session.add(pkb)
        db.session.commit()
        w["pkb"] = pkb.id
        kampung = db.session.scalars(
            select(KampungKb).where(KampungKb.pokja_id == w["A"].id)
        ).one()
        kampung.sk_scan_filename = "0" * 32 + ".pdf"
        kampung.sk_scan_mimetype = "application/pdf"
        kampung.sk_scan_original_name = "sk.pdf"
        db.session.commit()
        folder = Path(current_app.config["UPLOAD_FOLDER"]) / "kampung"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / kampung.sk_scan_filename).write_bytes(b"%PDF-1.4 uji")


def canary(w: dict, side: str, name: str, nik: str) -> None:
    """The side's Kampung KB named after the canary, with RW and SK number, and
    a profile (its class shows on the class page and the Pokja page)."""
    from sqlalchemy import select

    from kkbweb.classification import service
    from kkbweb.classification.models import KampungKb
    from kkbweb.extensions import db
    from tests import factories

    with factories.context():
        kampung = db.session.scalars(
            select(KampungKb).where(KampungKb.pokja_id == w[side].id)
        ).one()
        kampung.name = f"Kampung KB {name}"
        kampung.rw_coverage = f"RW {name}"
        kampung.sk_camat_number = f"SK {name}"
        service.add_profile(
            kampung, {"pokja_pengurusan": True}, [], (), (2024, 1), None
        )
        db.session.commit()
