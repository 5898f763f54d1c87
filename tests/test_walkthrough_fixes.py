"""Issue 13, section 4: the fixes found in the walk-through (KIE photos of a refused
form, the referral paper counter, the dashboard on a phone, a verified month that
changes afterwards). The demo password reset is in tests/test_cli.py."""

import gzip
import io
import os
import re
import time
from pathlib import Path

from sqlalchemy import select

from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.kie import pending
from kkbweb.kie.models import KieActivity, KiePhoto
from kkbweb.referrals import checklist_rules, routing, service
from kkbweb.referrals.models import ReferralPaper
from kkbweb.timeutil import today_wib
from tests import factories
from tests.querycount import count_queries


def text(response) -> str:
    return response.get_data(as_text=True)


# -- 1. KIE photos of a refused form ------------------------------------------------

KEPT = "foto sudah tersimpan, tidak perlu dipilih lagi"


def _entry(terms, **overrides) -> dict:
    data = {
        "form_token": "b" * 32,
        "activity_date": "2024-05-20",
        "activity_type": "kie",
        "method_id": str(terms[("method", "tatap_muka")]),
        "title": "Penyuluhan KB di balai RW 02",
        "place": "Balai RW 02",
        "topic_ids": [str(terms[("topic", "stunting")])],
        "audience_ids": [str(terms[("audience", "pus")])],
        "participants_female": "12",
        "kategori_id": str(terms[("kategori", "sosialisasi_pendidikan")]),
        "campaign_id": "0",
    }
    data.update(overrides)
    return data


def _jpegs(n: int) -> list:
    return [
        (io.BytesIO(factories.kie_jpeg(color=(40 * i, 90, 200))), f"IMG_{i}.jpg")
        for i in range(n)
    ]


def _kept_urls(html: str) -> list[str]:
    return re.findall(
        r'src="(/kie/foto-sementara/[0-9a-f]{32}/[0-9a-f]{32}\.jpg)"', html
    )


def test_photos_of_a_refused_kie_form_are_kept_shown_dropped_and_saved(
    app, client, login_as
):
    """Sasaran left empty: the chosen photos come back as thumbnails, one can be
    dropped, and the entry saved next has the others without choosing them again."""
    terms = factories.kie_terms()
    user = factories.make_user("pokja", pokja="Ciwedus", username="kader.satu")
    login_as(user)
    refused = client.post(
        "/kie/baru",
        data=_entry(terms, audience_ids=[], photos=_jpegs(2)),
        content_type="multipart/form-data",
    )
    html = text(refused)
    assert refused.status_code == 200 and "Pilih minimal satu sasaran." in html
    assert KEPT in html
    urls = _kept_urls(html)
    assert len(urls) == 2
    served = client.get(urls[0])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    root = Path(app.config["UPLOAD_FOLDER"])
    assert len(list((root / "pending" / ("b" * 32)).glob("*.jpg"))) == 2
    # Refused again (still no Sasaran), with one more photo: three kept.
    again = client.post(
        "/kie/baru",
        data=_entry(terms, audience_ids=[], photos=_jpegs(1)),
        content_type="multipart/form-data",
    )
    assert len(_kept_urls(text(again))) == 3
    # A fourth would be one too many: refused, and the three stay.
    over = client.post(
        "/kie/baru",
        data=_entry(terms, photos=_jpegs(1)),
        content_type="multipart/form-data",
    )
    assert "3 sudah tersimpan" in text(over) and len(_kept_urls(text(over))) == 3
    # Sasaran filled in, one kept photo dropped, nothing chosen again: saved with 2.
    dropped = urls[1].rsplit("/", 1)[1]
    saved = client.post(
        "/kie/baru",
        data=_entry(terms, drop_photos=[dropped]),
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, re.findall(
        r"id=\"[a-z_]*-err\">[^<]*", text(saved)
    )
    with app.app_context():
        activity = db.session.scalars(select(KieActivity)).one()
        stored = db.session.scalars(
            select(KiePhoto).where(KiePhoto.activity_id == activity.id)
        ).all()
        audit = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "kie.create")
        ).one()
    assert len(stored) == 2 and audit.after["photos"] == 2
    for photo in stored:
        assert (root / "kie" / photo.filename).is_file()
        assert photo.width == 64 and photo.height == 48
    # The kept files went with the entry; their URLs are gone.
    assert not (root / "pending" / ("b" * 32)).exists()
    assert client.get(urls[0]).status_code == 404


def test_a_kept_photo_is_only_for_the_user_who_chose_it(app, client, login_as):
    terms = factories.kie_terms()
    owner = factories.make_user("pokja", pokja="Ciwedus", username="kader.pemilik")
    colleague = factories.make_user("pokja", pokja="Ciwedus", username="kader.lain")
    login_as(owner)
    refused = client.post(
        "/kie/baru",
        data=_entry(terms, audience_ids=[], photos=_jpegs(1)),
        content_type="multipart/form-data",
    )
    [url] = _kept_urls(text(refused))
    client.delete_cookie("kkbweb_session")
    login_as(colleague)
    assert client.get(url).status_code == 404
    # Posting the owner's token neither shows nor takes the owner's photo.
    other = client.post(
        "/kie/baru",
        data=_entry(terms, photos=[]),
        content_type="multipart/form-data",
    )
    assert other.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(KiePhoto)).all() == []
    root = Path(app.config["UPLOAD_FOLDER"])
    assert len(list((root / "pending" / ("b" * 32)).glob("*.jpg"))) == 1
    # Nor does a path outside the pending folder leak through the route.
    assert client.get("/kie/foto-sementara/..%2F..%2Fkie/x.jpg").status_code == 404


def test_kept_photos_of_forms_never_saved_go_after_a_day(app, client, login_as):
    root = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        user = factories.make_user("pokja", pokja="Ciwedus", username="kader.lupa")
    photo = pending.photos.process(factories.kie_jpeg())
    pending.keep(root, "d" * 32, user.id, [photo])
    pending.keep(root, "e" * 32, user.id, [photo])
    old = time.time() - pending.PENDING_MAX_AGE - 60
    os.utime(root / "pending" / ("d" * 32), (old, old))
    login_as(user)
    assert client.get("/kie/baru").status_code == 200
    assert not (root / "pending" / ("d" * 32)).exists()
    assert (root / "pending" / ("e" * 32)).exists()


# -- 2. the referral paper counter -------------------------------------------------


def _papers(app, referral_id):
    with app.app_context():
        return {
            paper.label: paper.id
            for paper in db.session.scalars(
                select(ReferralPaper).where(ReferralPaper.referral_id == referral_id)
            )
        }


def _counter(html: str) -> str:
    match = re.search(r'<small id="berkas-hitung"[^>]*>\((.*?)\)</small>', html)
    assert match, html
    return match.group(1)


def test_a_complete_birth_certificate_file_reads_5_of_5_not_5_of_7(app, login_as):
    """The default akta kelahiran checklist has 5 papers and 2 "Pengganti" rows:
    the counter counts the 5, and a substitute stands in for its paper."""
    with app.app_context():
        service.ensure_checklists()
        db.session.commit()
    user = factories.make_user("pokja", pokja="Ciwedus", username="pokja.satu")
    referral = factories.make_referral(
        factories.make_resident(factories.pokja("Ciwedus"))
    )
    papers = _papers(app, referral.id)
    # 5 papers and the F-2.03 alternative (F-2.04 only for an unregistered marriage).
    assert len(papers) == 6
    client = login_as(user)
    page = text(client.get(f"/referrals/{referral.id}"))
    assert _counter(page) == "0 dari 5 berkas diterima"
    # Every paper but the birth letter, which the resident replaces with an SPTJM.
    ticks = [
        label
        for label in papers
        if not label.startswith(("Pengganti", "Surat keterangan lahir"))
    ] + [
        "Pengganti surat keterangan lahir: SPTJM kebenaran data kelahiran "
        "(F-2.03) + 2 saksi"
    ]
    for number, label in enumerate(ticks, start=1):
        with count_queries(app) as queries:
            tick = client.post(
                f"/referrals/{referral.id}/berkas/{papers[label]}",
                data={"received": "1"},
                headers={"HX-Request": "true"},
            )
        body = text(tick)
        # With JavaScript the counter comes with the row, out of band.
        assert body.startswith(f'<li id="berkas-{papers[label]}"')
        assert (
            'id="berkas-hitung" class="muted" aria-live="polite" hx-swap-oob="true"'
            in body
        )
        assert _counter(body).startswith(f"{min(number, 5)} dari 5")
        assert queries.count <= 6, queries.statements
        assert len(gzip.compress(tick.data)) < 2048
    assert _counter(body) == "5 dari 5 berkas lengkap, 1 lewat pengganti"
    # Without JavaScript the page after the redirect says the same.
    page = text(client.get(f"/referrals/{referral.id}"))
    assert _counter(page) == "5 dari 5 berkas lengkap, 1 lewat pengganti"


def test_paper_progress_pairs_each_substitute_with_the_paper_it_replaces():
    class P:
        def __init__(self, label, received=False):
            self.label, self.received = label, received

    # The unconditional papers and the F-2.04 alternative of an unregistered marriage.
    labels = [
        label
        for label, condition in checklist_rules.DEFAULT_ITEMS["akta_kelahiran"]
        if condition in (None, "nikah_belum_tercatat_kk_kawin")
    ]
    subs = [label for label in labels if routing.is_substitute(label)]
    assert [labels[routing.replaced_paper(s, labels)] for s in subs] == [
        "Surat keterangan lahir dari bidan, puskesmas, atau rumah sakit",
        "Buku nikah atau akta perkawinan orang tua",
    ]
    death = routing.DEFAULT_CHECKLISTS["akta_kematian"]
    death_sptjm = next(label for label in death if routing.is_substitute(label))
    assert routing.replaced_paper(death_sptjm, death) == 0
    # Ticking only the substitutes covers two papers, not four.
    progress = routing.paper_progress([P(x, x in subs) for x in labels])
    assert (progress.done, progress.needed, progress.by_substitute) == (2, 5, 2)
    # Both the paper and its substitute ticked: still one paper.
    both = routing.paper_progress([P(x, True) for x in labels])
    assert (both.done, both.needed, both.by_substitute, both.complete) == (
        5,
        5,
        0,
        True,
    )
    # A substitute with nothing to replace counts for nothing.
    odd = routing.paper_progress([P("KK", False), P("Pengganti akta cerai: X", True)])
    assert (odd.done, odd.needed) == (0, 1)
    # A checklist without substitutes counts every line.
    kia = routing.DEFAULT_CHECKLISTS["kia"]
    assert routing.paper_progress([P(x, True) for x in kia]).needed == len(kia)


# -- 4. a verified month that changes afterwards ---------------------------------------


def _verify_may(client, login_as, pokja, pokja_user, staf):
    """Hand in May 2024 as the Pokja, verify it as staff (the real flow)."""
    url = f"/reports/pokja/{pokja.id}/2024-05"
    login_as(pokja_user)
    assert client.post(f"{url}/serahkan").status_code == 303
    client.delete_cookie("kkbweb_session")
    login_as(staf)
    assert client.post(f"{url}/verifikasi").status_code == 303
    client.delete_cookie("kkbweb_session")


def test_a_kie_entry_saved_into_a_verified_month_warns_and_flags_the_report(
    app, client, login_as
):
    terms = factories.kie_terms()
    ciwedus = factories.pokja("Ciwedus")
    pokja_user = factories.make_user("pokja", pokja=ciwedus, username="kader.mei")
    staf = factories.make_user("staf", username="staf.mei")
    _verify_may(client, login_as, ciwedus, pokja_user, staf)
    recap_url = f"/reports/pokja/{ciwedus.id}?bulan=2024-05"
    login_as(staf)
    assert "Berubah sejak" not in text(client.get(recap_url))
    assert "Berubah sejak" not in text(client.get("/reports/?bulan=2024-05"))
    client.delete_cookie("kkbweb_session")

    login_as(pokja_user)
    saved = client.post(
        "/kie/baru", data=_entry(terms), content_type="multipart/form-data"
    )
    assert saved.status_code == 303  # the save still works
    detail = text(client.get(saved.headers["Location"]))
    assert (
        "Disimpan setelah laporan bulan Mei 2024 Pokja Ciwedus sudah diverifikasi"
        in (detail)
    )
    assert "berubah sejak diverifikasi" in detail
    with app.app_context():
        entry_id = db.session.scalar(select(KieActivity.id))
    # Before the next change: the edit form warns.
    edit = text(client.get(f"/kie/{entry_id}/ubah"))
    assert "Laporan bulan Mei 2024 Pokja Ciwedus sudah diverifikasi." in edit
    # The recap marks the report and shows the difference from the snapshot.
    recap_page = text(client.get(recap_url))
    assert "Berubah sejak diverifikasi" in recap_page
    assert "Angka berubah sejak diverifikasi" in recap_page
    client.delete_cookie("kkbweb_session")

    # Staff see it in the hand-in column of the city dashboard, with the figures.
    login_as(staf)
    with count_queries(app) as page_queries:
        page = client.get("/reports/?bulan=2024-05")
    with count_queries(app) as fragment_queries:
        fragment = client.get(
            "/reports/?bulan=2024-05&urut=laporan", headers={"HX-Request": "true"}
        )
    assert page_queries.count <= 8 and fragment_queries.count <= 4
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", text(page), re.S)
    flagged = [row for row in rows if "Berubah sejak diverifikasi" in row]
    assert len(flagged) == 1 and "Ciwedus" in flagged[0]
    assert re.search(r"<li>[^<]*: 0 → 1</li>", flagged[0]), flagged[0]
    assert "Berubah sejak diverifikasi" in text(fragment)
    assert len(gzip.compress(page.data)) <= 30 * 1024


def test_a_meeting_in_a_verified_month_warns_on_its_page_and_edit_form(
    app, client, login_as
):
    import datetime as dt

    ciwedus = factories.pokja("Ciwedus")
    pokja_user = factories.make_user("pokja", pokja=ciwedus, username="kader.rapat")
    staf = factories.make_user("staf", username="staf.rapat")
    _verify_may(client, login_as, ciwedus, pokja_user, staf)
    late = factories.make_meeting(ciwedus, date=dt.date(2024, 5, 28))
    today = factories.make_meeting(ciwedus, date=today_wib())
    login_as(staf)
    warning = "Laporan bulan Mei 2024 Pokja Ciwedus sudah diverifikasi."
    assert warning in text(client.get(f"/meetings/{late.id}"))
    assert warning in text(client.get(f"/meetings/{late.id}/edit"))
    # Today's meeting (the running month) costs no look-up at all.
    with count_queries(app) as queries:
        page = text(client.get(f"/meetings/{today.id}"))
    assert "sudah diverifikasi" not in page
    assert not [s for s in queries.statements if "monthly_report" in s]


def test_referral_work_never_changes_a_closed_month(app, client, login_as):
    """A referral's dates are the server's clock: its saves land in the running
    month, which cannot be handed in yet, so a verified month never moves."""
    from kkbweb.reports import recap
    from kkbweb.reports.models import MonthlyReport
    from kkbweb.reports.months import Month

    with app.app_context():
        service.ensure_checklists()
        db.session.commit()
    ciwedus = factories.pokja("Ciwedus")
    pokja_user = factories.make_user("pokja", pokja=ciwedus, username="kader.rjk")
    staf = factories.make_user("staf", username="staf.rjk")
    _verify_may(client, login_as, ciwedus, pokja_user, staf)
    referral = factories.make_referral(factories.make_resident(ciwedus))
    login_as(staf)
    client.post(
        f"/referrals/{referral.id}/status",
        data={"target": "berkas_lengkap", "version": "1"},
    )
    with app.app_context():
        report = db.session.scalars(select(MonthlyReport)).one()
        live = recap.compute([ciwedus.id], Month(2024, 5)).of(ciwedus.id)
        assert recap.differences(report.figures, live) == []
