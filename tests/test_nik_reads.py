"""A full NIK is never shown without its read-audit row (issue 12, item 2).

The one place that renders a full NIK (kkbweb/referrals/fullnik.py: the template
global ``nik_full`` and the NIK input's widget) marks the read, and the audit
module writes one ``resident.nik.view`` row per resident once the response is
built, whatever the path: GET, a refused POST, a 409 conflict, an htmx fragment.

The check below reads each role's recorded crawl of every page
(tests/sitecrawl.py), then sends every referral form, with the canary residents
of tests/matrix, and matches every response whose body holds a
canary's full NIK to the read row that very request wrote (same user, that
resident).
"""

import re
from pathlib import Path

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.nik import mask_nik
from kkbweb.referrals.models import Resident
from tests import factories, live
from tests.crawl import HX
from tests.matrix import ROLES
from tests.matrix.referrals import CANARY_NIK_A
from tests.sitecrawl import (  # noqa: F401  (site: a fixture)
    CANARIES,
    NIK_READ,
    RecordingTransport,
    crawl_role,
    last_audit_id,
    reads_since,
    session_for,
    site,
)

ACTION = NIK_READ
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NIK = "3672024107909187"  # a valid-looking Cilegon NIK with a 9xxx serial


# -- helpers --------------------------------------------------------------------


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(app):
    """A Pokja user, a resident of theirs with a NIK and a referral of that resident."""
    a = factories.pokja("Ciwedus")
    user = factories.make_user("pokja", pokja=a, username="pokja.a")
    resident = factories.make_resident(a, name="Siti Aminah", nik=NIK)
    referral = factories.make_referral(resident, by=user)
    return user, resident, referral


def resident_form(resident, **overrides) -> dict:
    """The resident form as a browser would send it, NIK field left out (an attacker
    who wants the stored NIK back does not send one)."""
    data = {
        "name": resident.name,
        "sex": resident.sex,
        "birth_date": "",
        "religion": resident.religion or "",
        "address": resident.address,
        "rt": resident.rt or "",
        "rw": resident.rw or "",
        "phone": "",
        "version": str(resident.version),
    }
    data.update(overrides)
    return data


def post_and_reads(app, client, url, data, headers=None):
    before = last_audit_id(app)
    response = client.post(url, data=data, headers=headers or {})
    return response, reads_since(app, before)


# -- the paths that used to show a NIK without a row -----------------------------


def test_conflict_409_with_the_form_refilled_writes_the_read_row(app, client, world):
    """The attack of issue 12: a stale version answers 409 with the stored NIK."""
    user, resident, _ = world
    factories.put_in_session(client, user)
    url = f"/referrals/warga/{resident.id}/ubah"
    stale = resident_form(resident, version=str(resident.version + 7))
    response, reads = post_and_reads(app, client, url, stale)
    assert response.status_code == 409
    assert f'value="{NIK}"' in body(response)
    assert reads == [(user.id, str(resident.id))]


def test_refused_post_with_the_form_refilled_writes_the_read_row(app, client, world):
    """A refused save (empty name) refills the stored NIK: on record too."""
    user, resident, _ = world
    factories.put_in_session(client, user)
    url = f"/referrals/warga/{resident.id}/ubah"
    response, reads = post_and_reads(app, client, url, resident_form(resident, name=""))
    assert response.status_code == 200
    assert "Isi nama warga." in body(response)
    assert NIK in body(response)
    assert reads == [(user.id, str(resident.id))]
    with app.app_context():
        assert db.session.get(Resident, resident.id).name == "Siti Aminah"


@pytest.mark.parametrize(
    "headers", [HX, {**HX, "HX-Boosted": "true"}], ids=["fragment", "boosted"]
)
def test_htmx_request_with_the_nik_writes_the_read_row(app, client, world, headers):
    """The same conflict sent by htmx (swapped: htmx-config swaps a 409) is on
    record as well, whether htmx asked for a fragment or a boosted page."""
    user, resident, _ = world
    factories.put_in_session(client, user)
    url = f"/referrals/warga/{resident.id}/ubah"
    stale = resident_form(resident, version="0")
    response, reads = post_and_reads(app, client, url, stale, headers=headers)
    assert response.status_code == 409
    assert f'value="{NIK}"' in body(response)
    assert reads == [(user.id, str(resident.id))]


def test_referral_page_after_a_refused_or_stale_post_is_on_record(app, client, world):
    """The referral page shown again after a refused step or a conflict, full page."""
    user, resident, referral = world
    factories.put_in_session(client, user)
    for url, data in (
        (f"/referrals/{referral.id}/status", {"version": "0"}),
        (f"/referrals/{referral.id}/status", {"version": "1", "target": "nope"}),
        (f"/referrals/{referral.id}/ubah", {"version": "0"}),
    ):
        response, reads = post_and_reads(app, client, url, data)
        assert response.status_code in (200, 409), url
        shown = NIK in body(response)
        assert reads == ([(user.id, str(resident.id))] if shown else []), url


def test_get_pages_write_one_row_per_response_per_resident(app, client, world):
    user, resident, referral = world
    factories.put_in_session(client, user)
    for url in (
        f"/referrals/warga/{resident.id}",
        f"/referrals/warga/{resident.id}/ubah",
        f"/referrals/{referral.id}",
    ):
        before = last_audit_id(app)
        assert NIK in body(client.get(url)), url
        assert reads_since(app, before) == [(user.id, str(resident.id))], url


def test_nik_full_marks_once_and_the_row_commits_without_the_refused_change(app, world):
    """Rendered twice in one response: one row. The request's uncommitted change
    (flushed, so SQLite holds its BEGIN IMMEDIATE lock) is dropped, as the
    teardown would drop it, and the read row still commits, without waiting."""
    user, resident, _ = world
    before = last_audit_id(app)
    with app.test_request_context("/referrals/x", method="POST"):
        login_user(db.session.get(User, user.id))
        row = db.session.get(Resident, resident.id)
        row.name = "Perubahan Setengah Jadi"
        db.session.flush()
        html = render_template_string("{{ nik_full(r) }} {{ nik_full(r) }}", r=row)
        assert html == f"{NIK} {NIK}"
        app.process_response(app.make_response(html))
    assert reads_since(app, before) == [(user.id, str(resident.id))]
    with app.app_context():
        assert db.session.get(Resident, resident.id).name == "Siti Aminah"


def test_who_may_not_see_it_gets_the_mask_and_no_row(app, client, world):
    """Pimpinan, and a Pokja user's view of another Pokja's resident (should a
    template ever hand it one), get the mask."""
    _, resident, referral = world
    pimpinan = factories.make_user("pimpinan")
    factories.put_in_session(client, pimpinan)
    before = last_audit_id(app)
    for url in (f"/referrals/warga/{resident.id}", f"/referrals/{referral.id}"):
        page = body(client.get(url))
        assert NIK not in page and mask_nik(NIK) in page
    assert reads_since(app, before) == []
    other = factories.make_user("pokja", pokja="Bendungan")
    with app.test_request_context("/"):
        login_user(db.session.get(User, other.id))
        row = db.session.get(Resident, resident.id)
        assert render_template_string("{{ nik_full(r) }}", r=row) == mask_nik(NIK)
    assert reads_since(app, before) == []


def test_nik_search_never_echoes_a_nik(app, client, world):
    """The NIK search input is never refilled with a well-formed NIK."""
    user, _, _ = world
    factories.put_in_session(client, user)
    response = client.post("/referrals/warga/cari-nik", data={"nik": NIK})
    assert response.status_code == 200
    assert NIK not in body(response) and "Siti Aminah" in body(response)


# Printing a NIK attribute in a template bypasses nik_full: only a form's NIK field
# may be named (its widget goes through the same place), and only rendered, never
# its data.
RAW_NIK = re.compile(r"\.nik\b(?!_masked)|\[['\"]nik['\"]\]")
FIELD_USE = re.compile(r"form\.nik(?:\(|\)|\.label\b|\.errors\b|\.id\b)")


def test_no_template_prints_a_raw_nik():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            rest = FIELD_USE.sub("", line)
            if RAW_NIK.search(rest):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line}")
    assert offenders == []


def test_the_raw_nik_check_is_not_blind():
    for line in (
        "{{ resident.nik }}",
        "{{ r.resident.nik if full else '' }}",
        "{{ form.nik.data }}",
        "{{ resident['nik'] }}",
    ):
        assert RAW_NIK.search(FIELD_USE.sub("", line)), line
    for line in ("{{ field(form.nik) }}", "{{ nik_form.nik(maxlength=40) }}"):
        assert not RAW_NIK.search(FIELD_USE.sub("", line)), line


# -- the crawl: every response with a canary's full NIK has its read row ---------


TEXT_KINDS = ("text", "search", "textarea", "tel", "number", "email", "date")


def form_variants(form) -> list[list[tuple[str, str]]]:
    """As sent by a browser; without its NIK field (the stored one comes back);
    with a stale version (409); with every text field emptied (refused)."""
    sent = form.defaults()
    no_nik = [(name, value) for name, value in sent if name != "nik"]
    variants = [sent, no_nik]
    if any(name == "version" for name, _ in no_nik):
        variants.append([(n, "999999" if n == "version" else v) for n, v in no_nik])
    kinds = {f.name: f.kind for f in form.fields}
    variants.append([(n, "" if kinds.get(n) in TEXT_KINDS else v) for n, v in no_nik])
    return variants


def canary_residents(app) -> dict[str, str]:
    """Full NIK -> resident id of every canary resident."""
    niks = [CANARY_NIK_A] + [nik for _, nik in CANARIES.values()]
    with app.app_context():
        rows = db.session.execute(
            select(Resident.nik, Resident.id).where(Resident.nik.in_(niks))
        ).all()
        db.session.rollback()
    return {nik: str(resident_id) for nik, resident_id in rows}


@pytest.mark.skipif(live.live(), reason="reads the in-process app's audit rows")
@pytest.mark.parametrize("role", ROLES)
def test_every_response_with_a_full_nik_has_its_read_row(site, role):
    """Crawl every page as the role, then send every referral form (as sent, NIK
    left out, stale, emptied; full page and htmx): each response holding a
    canary's full NIK has exactly one read row of that user and that resident,
    written by that request, and no request writes a read row for a NIK it did
    not show."""
    app, world = site
    canaries = canary_residents(app)
    assert len(canaries) == 3
    crawl = crawl_role(app, world, role)
    transport = RecordingTransport(session_for(role, app, world), app)
    user_id = None if role == "anonymous" else world[role].id
    forms = {}
    for visit in crawl.visits:
        for form in visit.forms:
            if form.method == "POST" and form.action.startswith("/referrals/"):
                forms.setdefault(form.action.split("?")[0], form)
    for action, form in sorted(forms.items()):
        for pairs in form_variants(form):
            for headers in (None, HX):
                transport.request("POST", action, data=pairs, headers=headers)

    failures = []
    shown_by = set()
    for exchange in crawl.exchanges + transport.exchanges:
        shown = sorted(canaries[nik] for nik in canaries if nik in exchange.text)
        expected = [(user_id, resident_id) for resident_id in shown]
        if sorted(exchange.reads) != expected:
            failures.append(
                f"{exchange.method} {exchange.url} htmx={exchange.htmx} "
                f"{exchange.status}: shows {shown}, read rows {exchange.reads}"
            )
        if shown:
            shown_by.add((exchange.method, exchange.status, exchange.htmx))
    assert failures == []
    if role in ("admin", "staf", "pokja_a", "pokja_b"):
        # Not blind: pages, refused forms and conflicts, full and htmx, showed it.
        assert {("GET", 200, False), ("POST", 200, False)} <= shown_by, shown_by
        assert ("POST", 409, True) in shown_by and ("POST", 409, False) in shown_by
    else:
        assert shown_by == set(), f"{role} was shown a full NIK"
