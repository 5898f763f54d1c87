"""Double submits (issue 12, item 7): one form shown, one record, whatever the resends.

The list of create forms comes from the routes: every POST endpoint is either
marked @creates (and has a builder below: ten parallel copies make one row) or
named in NOT_CREATE with the reason it makes no record. A new POST route with
neither fails test_every_post_route_is_a_create_view_or_declared_otherwise.
Runs on SQLite (a file database) and on PostgreSQL when TEST_DATABASE_URL is set.
"""

import datetime as dt
import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from kkbweb.audit.models import AuditLog
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.formtokens import DUPLICATE_MESSAGE, new_token
from kkbweb.kie.models import KieActivity, KieCampaign, KieTerm
from kkbweb.meetings.models import Meeting, MeetingExternal, MeetingGuest
from kkbweb.members.models import Member
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.poktan.models import Poktan, PoktanGuest, PoktanMembership, PoktanSession
from kkbweb.referrals import service as referral_service
from kkbweb.referrals.models import ChecklistItem, IsbatSession, Referral, Resident
from kkbweb.timeutil import today_wib
from tests import factories
from tests.test_kie import entry_form

COPIES = 10
HX = {"HX-Request": "true"}

# POST endpoints that make no new record from a form, and why.
NOT_CREATE = {
    "auth.login": "signs in (audited, throttled)",
    "auth.logout": "signs out",
    "auth.change_password": "changes the own password",
    "auth.user_edit": "edits a user",
    "auth.user_reset_password": "sets a new password on a user",
    "kie.edit": "edits an entry",
    "kie.delete_entry": "deletes an entry",
    "kie.photos_edit": "changes an entry's photo set (at most 3 photos)",
    "kie.export": "a download, audited as a read",
    "kie.campaigns.edit": "edits a campaign",
    "kie.terms.edit": "edits a term",
    "meetings.edit": "edits a meeting",
    "meetings.minutes": "sets the minutes of a meeting",
    "meetings.set_status": "a status change, checked against the current status",
    "meetings.delete_meeting": "deletes a meeting",
    "meetings.roll_call.mark": "an upsert: one attendance row per person and meeting",
    "meetings.roll_call.mark_external": "an upsert of an outsider's status",
    "meetings.invitees.save": "sets each Pokja's mode and delegates (a replace)",
    "meetings.invitees.remove_external": "withdraws an outsider's invitation",
    "meetings.roll_call.remove_guest": "deletes a guest",
    "meetings.offline.batch": (
        "queued marks and walk-ins, each once by its device-made key "
        "(offline_entry; tests/test_offline.py)"
    ),
    "meetings.evidence.upload": "one file per content: unique (meeting, sha256)",
    "meetings.evidence.remove": "deletes an evidence file",
    "members.edit": "edits a member",
    "members.import_upload": "stores a preview only; import_confirm saves",
    "pokja.edit": "edits a Pokja",
    "poktan.edit": "edits a poktan",
    "poktan.families.edit": "edits a family (its household and membership)",
    "poktan.families.import_upload": "stores a preview only; import_confirm saves",
    "poktan.sessions.edit": "edits a session",
    "poktan.sessions.delete": "deletes a session",
    "poktan.sessions.upload_photos": "one photo per content: unique (session, sha256)",
    "poktan.sessions.remove_photo": "deletes a photo",
    "poktan.roll_call.mark": "an upsert: one attendance row per family and session",
    "poktan.roll_call.kka": "sets a flag on an attendance row",
    "poktan.roll_call.remove_guest": "deletes a walk-in",
    "classification.identity": "edits a Kampung KB's identity",
    "portal.edit": "an upsert: one portal record per (source, source id, Pokja)",
    "portal.mark_uploaded": "sets the upload mark (stores the record if new: upsert)",
    "portal.unmark_uploaded": "clears the upload mark",
    "portal.mappings.edit": "an upsert: one mapping row per (vocabulary, code)",
    "referrals.checklists.update": "edits a checklist item",
    "referrals.documents.upload": "one file per content: unique (case, sha256)",
    "referrals.isbat.mark": "one row per couple: unique (husband, wife)",
    "referrals.isbat.add": "one entry per couple and session (unique); known skipped",
    "referrals.isbat.outcomes": "sets each couple's outcome (a replace)",
    "referrals.isbat.followups": "once per couple: its followups_at is set",
    "referrals.edit": "edits a referral (version-checked)",
    "referrals.move": "a status change (version-checked)",
    "referrals.take": "takes a referral over (a status change)",
    "referrals.paper": "ticks a paper of a referral (a toggle)",
    "referrals.residents.edit": "edits a resident (version-checked)",
    "referrals.residents.nik_search": "a search by NIK, audited as a read",
    "reports.submit": "hands a month in: one report per Pokja and month (unique)",
    "reports.verify": "a review of a handed-in report (status-checked)",
    "reports.return_report": "a review of a handed-in report (status-checked)",
    "poktan.registers.submit": "a mark: one per poktan, register and period (unique)",
    "poktan.registers.layout_edit": "replaces a register's column layout",
    "units.edit": "edits a Posyandu/PAUD unit",
    "units.session_edit": "edits a service session's counts",
    "units.session_delete": "deletes a service session",
    "classification.pkb_edit": "edits a PKB",
    "classification.pkb_delete": "deletes a PKB",
    "referrals.case_edit": "corrects a case's persons and facts (version-checked)",
}


@dataclass
class Case:
    """One create form: who sends what where, and the rows it makes."""

    user: User
    url: str
    data: dict
    model: type
    action: str  # the audit action of the create
    page: str  # the GET page that shows the form
    token_field: str = "form_token"
    headers: dict = field(default_factory=dict)


def _meeting(app) -> Case:
    return Case(
        factories.make_user("admin"),
        "/meetings/new",
        {
            "form_token": new_token(),
            "kind": "rapat_pokja",
            "title": "Rapat koordinasi Juni",
            "date": "2024-06-10",
            "start_time": "09:00",
            "place": "Balai RW 03",
            "organiser_id": "",
            "pokja_ids": [str(factories.pokja("Ciwedus").id)],
        },
        Meeting,
        "meeting.create",
        "/meetings/new",
    )


def _guest(app) -> Case:
    meeting = factories.make_meeting(status="berlangsung")
    return Case(
        factories.make_user("admin"),
        f"/meetings/{meeting.id}/guests",
        {"form_token": new_token(), "name": "Ibu Tamu", "sex": "P", "pokja_id": ""},
        MeetingGuest,
        "meeting.guest_add",
        f"/meetings/{meeting.id}",
    )


def _external(app) -> Case:
    meeting = factories.make_meeting()
    return Case(
        factories.make_user("admin"),
        f"/meetings/{meeting.id}/invitees/external",
        {
            "form_token": new_token(),
            "name": "dr. Rina, Dinkes",
            "role": "Narasumber",
            "sex": "P",
        },
        MeetingExternal,
        "meeting.external_add",
        f"/meetings/{meeting.id}/invitees",
    )


def _member(app) -> Case:
    return Case(
        factories.make_user("staf"),
        "/members/new",
        {
            "form_token": new_token(),
            "name": "Siti Aminah",
            "sex": "P",
            "pokja_id": str(factories.pokja("Ciwedus").id),
            "jabatan": "anggota",
            "unsur": "pkk",
            "is_active": "y",
        },
        Member,
        "member.create",
        "/members/new",
    )


def _member_import(app) -> Case:
    user = factories.make_user("pokja")
    client = app.test_client()
    factories.put_in_session(client, user)
    preview = client.post(
        "/members/import",
        data={"file": (io.BytesIO(b"Nama;L/P\nSiti Impor;P\n"), "anggota.csv")},
        content_type="multipart/form-data",
    )
    token = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', preview.text)
    return Case(
        user,
        "/members/import/confirm",
        {"form_token": token[1]},
        Member,
        "member.import",
        "",  # the preview page, checked above
    )


def _pokja(app) -> Case:
    with app.app_context():
        kecamatan = db.session.scalars(select(Kecamatan.id)).first()
    return Case(
        factories.make_user("admin"),
        "/pokja/new",
        {
            "form_token": new_token(),
            "display_name": "Jombang Wetan",
            "official_name": "Jombang Wetan",
            "code": "36.72.05.1003",
            "kecamatan_id": str(kecamatan),
            "is_active": "y",
        },
        Pokja,
        "pokja.create",
        "/pokja/new",
    )


def _user(app) -> Case:
    return Case(
        factories.make_user("admin"),
        "/auth/users/new",
        {
            "form_token": new_token(),
            "username": "operator.baru",
            "full_name": "Operator Baru",
            "role": "staf",
            "pokja_id": "",
            "password": "sandi-awal-yang-panjang",
            "active": "y",
        },
        User,
        "user.create",
        "/auth/users/new",
    )


def _kie_entry(app) -> Case:
    data = entry_form(factories.kie_terms(), form_token=new_token())
    return Case(
        factories.make_user("pokja"),
        "/kie/baru",
        data,
        KieActivity,
        "kie.create",
        "/kie/baru",
    )


def _campaign(app) -> Case:
    today = today_wib()
    return Case(
        factories.make_user("pokja"),
        "/kie/kampanye/baru",
        {
            "form_token": new_token(),
            "name": "Cegah Stunting",
            "start_date": (today - dt.timedelta(days=10)).isoformat(),
            "end_date": today.isoformat(),
        },
        KieCampaign,
        "kie.campaign_create",
        "/kie/kampanye/baru",
    )


def _term(app) -> Case:
    factories.kie_terms()
    return Case(
        factories.make_user("admin"),
        "/kie/istilah/baru",
        {"form_token": new_token(), "kind": "topic", "label": "Kesehatan jiwa"},
        KieTerm,
        "kie.term_create",
        "/kie/istilah",
    )


def _checklist_item(app) -> Case:
    return Case(
        factories.make_user("admin"),
        "/referrals/daftar-berkas",
        {
            "baru-form_token": new_token(),
            "baru-doc_type": "kia",
            "baru-label": "Fotokopi rapor",
            "baru-sort": "90",
            "baru-active": "y",
        },
        ChecklistItem,
        "checklist.create",
        "/referrals/daftar-berkas",
        token_field="baru-form_token",
    )


def _referral(app) -> Case:
    with app.app_context():
        referral_service.ensure_checklists()
        db.session.commit()
    resident = factories.make_resident(factories.pokja("Ciwedus"))
    url = f"/referrals/baru?warga={resident.id}"
    return Case(
        factories.make_user("pokja"),
        url,
        {"intake_key": new_token(), "doc_type": "kk"},
        Referral,
        "referral.create",
        # The form (and its key) comes once the document type is chosen.
        f"{url}&jenis=kk",
        token_field="intake_key",
    )


def _resident(app) -> Case:
    return Case(
        factories.make_user("pokja"),
        "/referrals/warga/baru",
        {
            "intake_key": new_token(),
            "name": "Siti Aminah",
            "sex": "P",
            "birth_date": "1990-07-01",
            "religion": "islam",
            "address": "Kp. Sukajadi No. 7",
            "rt": "003",
            "rw": "002",
            "nik": "",
            "phone": "",
        },
        Resident,
        "resident.create",
        "/referrals/warga/baru",
        token_field="intake_key",
    )


def _isbat_session(app) -> Case:
    return Case(
        factories.make_user("staf"),
        "/referrals/isbat/baru",
        {
            "form_token": new_token(),
            "date": "2026-12-20",
            "place": "Aula Kecamatan Jombang",
            "court": "Pengadilan Agama Cilegon Kelas IB",
            "kua": "KUA Kecamatan Jombang",
            "disdukcapil": "Disdukcapil Kota Cilegon",
        },
        IsbatSession,
        "isbat.session_create",
        "/referrals/isbat/baru",
    )


CIWEDUS = "36.72.02.1002"  # the kelurahan's code (cilegon_wilayah.csv)


# endpoint -> the valid form of that create view
def _pkb(app) -> Case:
    from kkbweb.classification.models import Pkb

    return Case(
        factories.make_user("admin"),
        "/klasifikasi/pkb/baru",
        # A kelurahan: every later copy is refused as "already covered", and is
        # sent to the first copy's PKB instead.
        {"form_token": new_token(), "name": "Pak Budi", "kelurahan_codes": CIWEDUS},
        Pkb,
        "classification.pkb_add",
        "/klasifikasi/pkb/baru",
    )


def _unit(app) -> Case:
    from kkbweb.units.models import ServiceUnit

    return Case(
        factories.make_user("pokja", pokja="Ciwedus"),
        "/units/baru",
        {"form_token": new_token(), "kind": "posyandu", "name": "Posyandu Mawar"},
        ServiceUnit,
        "unit.create",
        "/units/baru",
    )


def _unit_session(app) -> Case:
    from kkbweb.units.models import ServiceSession

    unit = factories.make_unit()
    return Case(
        factories.make_user("pokja", pokja="Ciwedus"),
        f"/units/{unit.id}/sesi/baru",
        {"form_token": new_token(), "date": "2024-05-10", "balita_present": "30"},
        ServiceSession,
        "unit_session.create",
        f"/units/{unit.id}/sesi/baru",
    )


def _poktan(app) -> Case:
    return Case(
        factories.make_user("pokja"),
        "/poktan/new",
        {"form_token": new_token(), "kind": "bkb", "name": "BKB Melati RW 03"},
        Poktan,
        "poktan.create",
        "/poktan/new",
    )


def _family(app) -> Case:
    poktan = factories.make_poktan("Ciwedus")
    return Case(
        factories.make_user("pokja"),
        f"/poktan/{poktan.id}/keluarga/new",
        {
            "form_token": new_token(),
            "head_name": "Ahmad Fauzi",
            "target_name": "Aisyah",
            "target_birth_date": "2023-02-14",
        },
        PoktanMembership,
        "poktan_membership.create",
        f"/poktan/{poktan.id}/keluarga/new",
    )


def _family_import(app) -> Case:
    poktan = factories.make_poktan("Ciwedus")
    user = factories.make_user("pokja")
    client = client_for(app, user)
    preview = client.post(
        f"/poktan/{poktan.id}/keluarga/impor",
        data={
            "file": (
                io.BytesIO(
                    b"Kepala keluarga;Nama balita;Tgl lahir\nAhmad;Aisyah;1/2/2023\n"
                ),
                "bkb.csv",
            )
        },
        content_type="multipart/form-data",
    )
    token = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', preview.text)
    return Case(
        user,
        f"/poktan/{poktan.id}/keluarga/impor/simpan",
        {"form_token": token[1]},
        PoktanMembership,
        "poktan_membership.import",
        "",  # the preview page, checked above
    )


def _poktan_session(app) -> Case:
    poktan = factories.make_poktan("Ciwedus")
    return Case(
        factories.make_user("pokja"),
        f"/poktan/{poktan.id}/pertemuan/new",
        {
            "form_token": new_token(),
            "date": "2024-06-10",
            "place": "Posyandu Melati",
            "topic": "Gizi balita",
        },
        PoktanSession,
        "poktan_session.create",
        f"/poktan/{poktan.id}/pertemuan/new",
    )


def _poktan_guest(app) -> Case:
    session = factories.make_poktan_session(factories.make_poktan("Ciwedus"))
    return Case(
        factories.make_user("pokja"),
        f"/poktan/pertemuan/{session.id}/tamu",
        {"form_token": new_token(), "name": "Bu Rohmah"},
        PoktanGuest,
        "poktan_guest.create",
        f"/poktan/pertemuan/{session.id}",
    )


def _profile(app) -> Case:
    from kkbweb.classification.models import KampungProfile

    user = factories.make_user("pokja")
    return Case(
        user,
        f"/klasifikasi/pokja/{user.pokja_id}/profil",
        {"form_token": new_token(), "pokja_pengurusan": "1", "pen_1": "250"},
        KampungProfile,
        "classification.profile",
        f"/klasifikasi/pokja/{user.pokja_id}/profil",
    )


BUILDERS: dict[str, Callable[..., Case]] = {
    "classification.profile": _profile,
    "meetings.new": _meeting,
    "meetings.roll_call.add_guest": _guest,
    "meetings.invitees.add_external": _external,
    "members.new": _member,
    "members.import_confirm": _member_import,
    "pokja.new": _pokja,
    "poktan.new": _poktan,
    "poktan.families.new": _family,
    "poktan.families.import_confirm": _family_import,
    "poktan.sessions.new": _poktan_session,
    "poktan.roll_call.add_guest": _poktan_guest,
    "auth.user_new": _user,
    "kie.new": _kie_entry,
    "kie.campaigns.new": _campaign,
    "kie.terms.new": _term,
    "referrals.checklists.index": _checklist_item,
    "referrals.new": _referral,
    "referrals.residents.new": _resident,
    "units.new": _unit,
    "classification.pkb_new": _pkb,
    "units.session_new": _unit_session,
    "referrals.isbat.new": _isbat_session,
}


def post_endpoints(app) -> set[str]:
    return {
        rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods
    }


def create_endpoints(app) -> set[str]:
    return {
        endpoint
        for endpoint in post_endpoints(app)
        if getattr(app.view_functions[endpoint], "creates_record", False)
    }


def test_every_post_route_is_a_create_view_or_declared_otherwise(app):
    creates = create_endpoints(app)
    undecided = post_endpoints(app) - creates - set(NOT_CREATE)
    assert undecided == set(), "mark the view @creates or add it to NOT_CREATE"
    assert creates & set(NOT_CREATE) == set()
    assert set(NOT_CREATE) <= post_endpoints(app), "stale NOT_CREATE entries"


def test_every_create_view_has_a_builder(app):
    assert create_endpoints(app) - set(BUILDERS) == set()
    assert set(BUILDERS) <= create_endpoints(app)


def counts(app, case: Case) -> tuple[int, int]:
    """(rows of the record's table, audit rows of its create action)."""
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(case.model))
        audits = db.session.scalar(
            select(func.count()).where(AuditLog.action == case.action)
        )
    return rows, audits


def client_for(app, user):
    client = app.test_client()
    factories.put_in_session(client, user)
    return client


def parallel(app, case: Case, headers: dict | None = None) -> list:
    """COPIES identical submits from as many clients, released together."""
    barrier = threading.Barrier(COPIES)
    responses = []
    clients = [client_for(app, case.user) for _ in range(COPIES)]

    def submit(client):
        barrier.wait()
        try:
            responses.append(client.post(case.url, data=case.data, headers=headers))
        except Exception as error:  # a thread's exception would be lost otherwise
            responses.append(error)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.fixture(params=sorted(BUILDERS))
def case(request, app) -> Case:
    return BUILDERS[request.param](app)


def test_ten_parallel_copies_make_one_record(app, case):
    rows, audits = counts(app, case)
    responses = parallel(app, case)
    assert [getattr(r, "status_code", r) for r in responses] == [303] * COPIES
    assert counts(app, case) == (rows + 1, audits + 1)
    # Every copy is sent where the first save was.
    assert len({r.headers["Location"] for r in responses}) == 1


def test_a_resend_after_the_save_goes_to_the_first_record(app, case):
    client = client_for(app, case.user)
    first = client.post(case.url, data=case.data)
    assert first.status_code == 303
    after_first = counts(app, case)
    again = client.post(case.url, data=case.data)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert counts(app, case) == after_first
    landing = client.get(again.headers["Location"])
    assert "sudah tersimpan sebelumnya" in landing.text


def test_every_create_form_carries_a_fresh_token(app, case):
    if not case.page:
        pytest.skip("the import preview is read in its builder")
    client = client_for(app, case.user)
    pattern = rf'name="{case.token_field}"[^>]*value="([0-9a-f]{{32}})"'
    first = re.search(pattern, client.get(case.page).text)
    second = re.search(pattern, client.get(case.page).text)
    assert first and second and first[1] != second[1]


# --- the mechanism's own paths ------------------------------------------------------


def test_a_copy_that_collides_is_rolled_back_and_sent_to_the_first(app):
    """The PostgreSQL path, forced on SQLite: the token is taken when the copy
    writes it; what the copy built is rolled back."""
    from kkbweb import formtokens

    token = new_token()
    with app.test_request_context(method="POST"):
        db.session.add(
            formtokens.FormSubmission(
                token=token, endpoint="meetings.new", location="/meetings/7"
            )
        )
        db.session.commit()

        def make() -> str:
            meeting = Meeting(
                kind="rapat_pokja",
                title="Salinan",
                date=dt.date(2024, 6, 10),
                place="Balai RW 03",
                status="dijadwalkan",
            )
            db.session.add(meeting)
            db.session.flush()  # built and written, then rolled back
            return "/meetings/8"

        assert formtokens.create_once(token, "meetings.new", None, make) == (
            "/meetings/7",
            False,
        )
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_copy_refused_as_a_form_is_sent_to_the_first(app):
    """A copy that validated after the first committed ("code already taken") is
    answered as the first save, not with the refusal."""
    case = _pokja(app)
    client = client_for(app, case.user)
    first = client.post(case.url, data=case.data)
    assert first.status_code == 303
    refused_by_name = client.post(case.url, data={**case.data, "form_token": "0" * 32})
    assert "Sudah dipakai" in refused_by_name.text  # a new form is still refused
    again = client.post(case.url, data=case.data)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert DUPLICATE_MESSAGE in client.get(again.headers["Location"]).text


def test_parallel_htmx_copies_of_the_guest_form_add_one_guest(app):
    case = _guest(app)
    rows, audits = counts(app, case)
    responses = parallel(app, case, headers=HX)
    assert [getattr(r, "status_code", r) for r in responses] == [200] * COPIES
    assert all('id="tamu"' in r.text for r in responses)  # the fragment each time
    assert counts(app, case) == (rows + 1, audits + 1)
    client = client_for(app, case.user)
    again = client.post(case.url, data=case.data, headers=HX)
    assert again.status_code == 200 and counts(app, case) == (rows + 1, audits + 1)


def test_a_malformed_token_is_refused_keeping_the_input(app):
    case = _meeting(app)
    client = client_for(app, case.user)
    refused = client.post(case.url, data={**case.data, "form_token": "x' or 1=1"})
    assert refused.status_code == 200
    assert "Formulir kedaluwarsa. Periksa isian lalu simpan lagi." in refused.text
    assert 'value="Rapat koordinasi Juni"' in refused.text
    fresh = re.search(r'name="form_token"[^>]*value="([0-9a-f]{32})"', refused.text)
    saved = client.post(case.url, data={**case.data, "form_token": fresh[1]})
    assert saved.status_code == 303
    assert counts(app, case)[0] == 1


def test_a_preview_or_kept_photos_removed_by_a_parallel_copy_read_as_none(tmp_path):
    """The file a copy of the form removes mid-read is 'none', never a 500."""
    from kkbweb.importing import PreviewStore
    from kkbweb.kie import pending

    assert PreviewStore(tmp_path).read(tmp_path / "gone.json") is None
    token = "a" * 32
    assert pending.names(tmp_path, token, 1) == []
    pending.keep(tmp_path, token, 1, [])
    (pending.folder(tmp_path, token) / pending.OWNER_FILE).write_text('{"user_id": 1}')
    assert pending.load(tmp_path, token, 1) == []
