"""Issue 16 item 5: the PKB page (who covers which kelurahan), audited; the
city board groups by it."""

import re

from sqlalchemy import select

from kkbweb.audit.models import AuditLog
from kkbweb.classification.models import Pkb
from kkbweb.extensions import db
from tests import factories
from tests.querycount import count_queries
from tests.test_classification import _text

CIWEDUS = "36.72.02.1002"


def _pkbs() -> list[Pkb]:
    with factories.context():
        found = list(db.session.scalars(select(Pkb).order_by(Pkb.id)))
        db.session.expunge_all()
    return found


def _actions() -> list[str]:
    with factories.context():
        return list(
            db.session.scalars(
                select(AuditLog.action)
                .where(AuditLog.action.like("classification.pkb%"))
                .order_by(AuditLog.id)
            )
        )


def test_staff_adds_edits_and_deletes_a_pkb(app, login_as):
    staff = login_as(factories.make_user("staf"))
    assert "Tambah PKB" in _text(staff.get("/klasifikasi/pkb"))
    with count_queries(app) as q:
        saved = staff.post(
            "/klasifikasi/pkb/baru",
            data={
                "name": "Ibu Rina",
                "phone": "0812 3456 7890",
                "kelurahan_codes": [CIWEDUS],
            },
        )
    assert saved.status_code == 303 and q.count <= 6, q.statements
    [pkb] = _pkbs()
    assert pkb.kelurahan_codes == [CIWEDUS] and pkb.phone == "0812 3456 7890"
    board = _text(staff.get("/klasifikasi/kota?per=pkb"))
    assert "PKB Ibu Rina" in board and "Atur PKB" in board
    listing = _text(staff.get("/klasifikasi/pkb"))
    assert "Ciwedus" in listing and "Kelurahan tanpa PKB" in listing
    staff.post(
        f"/klasifikasi/pkb/{pkb.id}",
        data={"name": "Ibu Rina S.", "phone": "", "kelurahan_codes": [CIWEDUS]},
    )
    assert _pkbs()[0].name == "Ibu Rina S." and _pkbs()[0].phone is None
    # Without the confirmation box nothing goes.
    kept = staff.post(f"/klasifikasi/pkb/{pkb.id}/hapus", data={})
    assert kept.status_code == 303 and len(_pkbs()) == 1
    staff.post(f"/klasifikasi/pkb/{pkb.id}/hapus", data={"yakin": "1"})
    assert _pkbs() == []
    assert _actions() == [
        "classification.pkb_add",
        "classification.pkb_edit",
        "classification.pkb_delete",
    ]


def test_bad_pkb_input_is_refused_and_kept(app, login_as):
    staff = login_as(factories.make_user("admin"))
    refused = staff.post(
        "/klasifikasi/pkb/baru",
        data={"name": "Pak Budi", "phone": "nomor saya", "kelurahan_codes": [CIWEDUS]},
    )
    assert refused.status_code == 200
    page = _text(refused)
    assert "Isi nomor HP seperti" in page and 'value="Pak Budi"' in page
    assert re.search(rf'<input checked [^>]*value="{re.escape(CIWEDUS)}"', page)
    staff.post(
        "/klasifikasi/pkb/baru",
        data={"name": "Ibu Rina", "kelurahan_codes": [CIWEDUS]},
    )
    twice = staff.post(
        "/klasifikasi/pkb/baru",
        data={"name": "Pak Budi", "kelurahan_codes": [CIWEDUS]},
    )
    assert twice.status_code == 200
    assert "Satu kelurahan dibina satu PKB" in _text(twice) and "(Ibu Rina)" in _text(
        twice
    )
    assert [p.name for p in _pkbs()] == ["Ibu Rina"]
    # An unknown kelurahan code is refused by the form's choices.
    forged = staff.post(
        "/klasifikasi/pkb/baru", data={"name": "X", "kelurahan_codes": ["99.99"]}
    )
    assert forged.status_code == 200 and len(_pkbs()) == 1


def test_pkb_pages_are_for_admin_and_staf(app, login_as):
    for role in ("pimpinan", "pokja"):
        client = login_as(factories.make_user(role))
        assert client.get("/klasifikasi/pkb").status_code == 403
    staff = login_as(factories.make_user("staf"))
    assert staff.get("/klasifikasi/pkb/999").status_code == 404
