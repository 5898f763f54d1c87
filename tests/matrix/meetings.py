"""Access for meetings, roll call, documents and the member registry.

Records belong to Pokja A (Ciwedus); Pokja B's users must get 404 for them. The
matrix runs each endpoint for every role in turn against one world, so a
state-changing entry is chosen to leave the world usable for the next role
(marks are idempotent; the meeting cannot be deleted because it has marks).
"""

from tests import factories
from tests.matrix import DEPARTMENT, LOGGED_IN, Entry, allow

ORGANISERS = ("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a", "pokja_b")
MEMBER_EDITORS = ("admin", "staf", "pokja_a", "pokja_b")
VIEW_A = (*DEPARTMENT, "penyelenggara_a", "pokja_a")  # who may see Pokja A's records


def world(w: dict) -> None:
    """A meeting of Pokja A with a marked member and a guest."""
    w["member_a"] = factories.make_member(w["A"], name="Kanari Ciwedus")
    w["meeting_a"] = factories.make_meeting(w["A"], title="Rapat Pokja Ciwedus")
    factories.make_mark(w["meeting_a"], w["member_a"], "hadir")
    w["guest_a"] = factories.make_guest(w["meeting_a"], pokja=w["A"])


def _meeting(w):
    return {"meeting_id": w["meeting_a"].id}


def _member(w):
    return {"member_id": w["member_a"].id}


def a_only(roles, ok=200, **overrides):
    """`ok` for these roles on Pokja A's records: 404 for Pokja B, 403 for others."""
    return allow(roles, ok=ok, pokja_b=404, **overrides)


ACCESS = {
    ("meetings.index", "GET"): Entry(allow(LOGGED_IN)),
    ("meetings.new", "GET"): Entry(allow(ORGANISERS)),
    ("meetings.new", "POST"): Entry(allow(ORGANISERS)),  # empty form: errors, 200
    ("meetings.detail", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.edit", "GET"): Entry(
        a_only(("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a")),
        args=_meeting,
    ),
    ("meetings.edit", "POST"): Entry(
        a_only(("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a")),
        args=_meeting,
    ),
    ("meetings.minutes", "GET"): Entry(
        a_only(("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a")),
        args=_meeting,
    ),
    # Empty minutes are valid: nothing changes, back to the meeting.
    ("meetings.minutes", "POST"): Entry(
        a_only(
            ("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a"), ok=303
        ),
        args=_meeting,
    ),
    ("meetings.set_status", "POST"): Entry(
        a_only(
            ("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a"), ok=303
        ),
        args=_meeting,
        data=lambda w: {"status": "berlangsung"},
    ),
    # Refused (the meeting has marks), so it survives for the next role.
    ("meetings.delete_meeting", "POST"): Entry(
        a_only(
            ("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a"), ok=303
        ),
        args=_meeting,
    ),
    ("meetings.mark", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=lambda w: {**_meeting(w), **_member(w)},
        data=lambda w: {"status": "hadir"},
    ),
    ("meetings.add_guest", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=_meeting,
        data=lambda w: {"name": "Tamu Matriks", "sex": "P"},
    ),
    # The first allowed role (admin) removes the guest; later roles find it gone.
    # Who may remove whose guest is tested in tests/test_meetings.py.
    ("meetings.remove_guest", "POST"): Entry(
        a_only(
            ORGANISERS,
            ok=404,
            admin=303,
            pimpinan=403,
        ),
        args=lambda w: {**_meeting(w), "guest_id": w["guest_a"].id},
    ),
    ("meetings.invitation", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.sign_sheet", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.summary", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.export", "GET"): Entry(
        a_only(VIEW_A), args=lambda w: {**_meeting(w), "fmt": "xlsx"}
    ),
    ("meetings.members", "GET"): Entry(allow(LOGGED_IN)),
    ("meetings.member_new", "GET"): Entry(allow(MEMBER_EDITORS)),
    ("meetings.member_new", "POST"): Entry(allow(MEMBER_EDITORS)),
    ("meetings.member_detail", "GET"): Entry(a_only(VIEW_A), args=_member),
    ("meetings.member_edit", "GET"): Entry(
        a_only(("admin", "staf", "pokja_a")), args=_member
    ),
    # An empty POST keeps the stored values (WTForms falls back to the object).
    ("meetings.member_edit", "POST"): Entry(
        a_only(("admin", "staf", "pokja_a"), ok=303), args=_member
    ),
    ("meetings.member_import", "GET"): Entry(allow(MEMBER_EDITORS)),
    ("meetings.member_import", "POST"): Entry(allow(MEMBER_EDITORS)),
    # No preview token: back to the upload form with a message.
    ("meetings.member_import_confirm", "POST"): Entry(allow(MEMBER_EDITORS, ok=303)),
    ("meetings.member_import_template", "GET"): Entry(allow(LOGGED_IN)),
}
