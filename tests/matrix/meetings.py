"""Access for meetings, roll call and documents (members: tests/matrix/members.py).

Records belong to Pokja A (Ciwedus); Pokja B's users must get 404 for them. The
matrix runs each endpoint for every role in turn against one world, so a
state-changing entry is chosen to leave the world usable for the next role
(marks are idempotent; the meeting cannot be deleted because it has marks).
"""

from tests import factories
from tests.matrix import DEPARTMENT, LOGGED_IN, Entry, allow

ORGANISERS = ("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a", "pokja_b")
VIEW_A = (*DEPARTMENT, "penyelenggara_a", "pokja_a")  # who may see Pokja A's records
# Who may manage Pokja A's own meeting (rules.may_manage).
MANAGE_A = ("admin", "staf", "penyelenggara", "penyelenggara_a", "pokja_a")


def world(w: dict) -> None:
    """A meeting of Pokja A with a marked member and a guest."""
    w["member_a"] = factories.make_member(w["A"], name="Kanari Ciwedus")
    w["meeting_a"] = factories.make_meeting(w["A"], title="Rapat Pokja Ciwedus")
    factories.make_mark(w["meeting_a"], w["member_a"], "hadir")
    w["guest_a"] = factories.make_guest(w["meeting_a"], pokja=w["A"])
    w["external_a"] = factories.make_external(w["meeting_a"], pokja=w["A"])
    # Marked, so its removal is refused and it survives for the next role.
    w["external_marked_a"] = factories.make_external(
        w["meeting_a"], name="Narasumber Hadir", pokja=w["A"], status="hadir"
    )
    w["file_a"] = factories.make_meeting_file(w["meeting_a"])
    w["file_a_removed"] = factories.make_meeting_file(w["meeting_a"], pdf=True)


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
    ("meetings.roll_call.mark", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=lambda w: {**_meeting(w), **_member(w)},
        data=lambda w: {"status": "hadir"},
    ),
    # The offline roll call's JSON endpoints (tests/test_offline.py sends real
    # batches): a form body is no batch, 400 for those who may send one.
    ("meetings.offline.state", "GET"): Entry(a_only(ORGANISERS), args=_meeting),
    ("meetings.offline.batch", "POST"): Entry(
        a_only(ORGANISERS, ok=400), args=_meeting, data=lambda w: {"status": "hadir"}
    ),
    ("meetings.roll_call.add_guest", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=_meeting,
        data=lambda w: {"name": "Tamu Matriks", "sex": "P"},
    ),
    # The first allowed role (admin) removes the guest; later roles find it gone.
    # Who may remove whose guest is tested in tests/test_meetings.py.
    ("meetings.roll_call.remove_guest", "POST"): Entry(
        a_only(
            ORGANISERS,
            ok=404,
            admin=303,
            pimpinan=403,
        ),
        args=lambda w: {**_meeting(w), "guest_id": w["guest_a"].id},
    ),
    ("meetings.roll_call.mark_external", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=lambda w: {**_meeting(w), "external_id": w["external_a"].id},
        data=lambda w: {"status": "hadir"},
    ),
    # Who is invited: organisers of Pokja A's meeting; Pokja B's users get 404.
    ("meetings.invitees.show", "GET"): Entry(a_only(ORGANISERS), args=_meeting),
    # "All members" for Pokja A: the state the world already has, so no change.
    ("meetings.invitees.save", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=_meeting,
        data=lambda w: {"pokja": str(w["A"].id), "mode": "all"},
    ),
    ("meetings.invitees.add_external", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=_meeting,
        data=lambda w: {"name": "Narasumber Matriks", "sex": "P"},
    ),
    # Refused (already marked hadir), so it survives for the next role.
    ("meetings.invitees.remove_external", "POST"): Entry(
        a_only(ORGANISERS, ok=303),
        args=lambda w: {**_meeting(w), "external_id": w["external_marked_a"].id},
    ),
    # Not finished (the status entry above starts it): the question page.
    ("meetings.finish", "GET"): Entry(a_only(MANAGE_A), args=_meeting),
    ("meetings.evidence.upload", "GET"): Entry(a_only(MANAGE_A), args=_meeting),
    # No file chosen: the form again with its message.
    ("meetings.evidence.upload", "POST"): Entry(
        a_only(MANAGE_A), args=_meeting, data=lambda w: {"kind": "daftar_hadir"}
    ),
    ("meetings.evidence.file", "GET"): Entry(
        a_only(VIEW_A), args=lambda w: {**_meeting(w), "file_id": w["file_a"].id}
    ),
    ("meetings.evidence.remove", "GET"): Entry(
        a_only(MANAGE_A), args=lambda w: {**_meeting(w), "file_id": w["file_a"].id}
    ),
    # The first allowed role (admin) removes the file; later roles find it gone.
    ("meetings.evidence.remove", "POST"): Entry(
        a_only(MANAGE_A, ok=404, admin=303),
        args=lambda w: {**_meeting(w), "file_id": w["file_a_removed"].id},
    ),
    ("meetings.documents.invitation", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.documents.sign_sheet", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.documents.summary", "GET"): Entry(a_only(VIEW_A), args=_meeting),
    ("meetings.documents.export", "GET"): Entry(
        a_only(VIEW_A), args=lambda w: {**_meeting(w), "fmt": "xlsx"}
    ),
}
