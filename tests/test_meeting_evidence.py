"""Issue 13, sections 2 and 3: a meeting's evidence (signed daftar hadir, notulen,
photos), the paginated daftar hadir, finishing and reopening, the invitation text.

Browser checks (PDF pages, the tapped row at 360 px, the finish question with and
without JavaScript): tests/browser/test_meeting_evidence_phone.py.
"""

import datetime as dt
import io
import re
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from kkbweb import pdfcheck
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.meetings import rules, sheet
from kkbweb.meetings.models import Attendance, Meeting, MeetingFile
from tests import factories
from tests.factories import make_meeting, make_member, make_members, make_user
from tests.querycount import count_queries

HX = {"HX-Request": "true"}


def _audit(app, action: str) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()
        db.session.expunge_all()
        return rows


def _files(app) -> list[MeetingFile]:
    with app.app_context():
        rows = db.session.scalars(select(MeetingFile).order_by(MeetingFile.id)).all()
        db.session.expunge_all()
        return rows


def _folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "meetings"


def _camera_jpeg() -> bytes:
    """A phone photo with EXIF (maker, GPS-like tags) that must not survive."""
    image = Image.new("RGB", (2000, 1500), (180, 170, 160))
    exif = Image.Exif()
    exif[0x010F] = "PonselUji"
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif.tobytes())
    return buffer.getvalue()


def _object_stream_pdf(hidden: bytes) -> bytes:
    """A PDF 1.5 whose catalog lives, compressed, in an object stream."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + hidden + b" >>"
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    index = f"1 0 2 {len(catalog) + 1} ".encode()
    body = zlib.compress(index + catalog + b" " + pages)
    return (
        b"%PDF-1.5\n4 0 obj\n<< /Type /ObjStm /N 2 /First "
        + str(len(index)).encode()
        + b" /Filter /FlateDecode /Length "
        + str(len(body)).encode()
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n"
        + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


# --- the PDF check (kkbweb/pdfcheck.py) --------------------------------------------


def test_a_plain_scan_pdf_is_kept_byte_for_byte_with_its_page_count():
    raw = factories.tiny_pdf(3)
    checked = pdfcheck.check(raw, "scan.pdf")
    assert checked.data == raw and checked.pages == 3
    assert pdfcheck.check(_object_stream_pdf(b"")).pages == 1


@pytest.mark.parametrize(
    "extra, why",
    [
        (b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", "JavaScript"),
        (b"/OpenAction << /S /J#61vaScript /J#53 (x) >>", "JavaScript"),
        (b"/Names << /EmbeddedFiles 9 0 R >>", "berkas sisipan"),
        (b"/OpenAction << /S /Launch /F (cmd.exe) >>", "menjalankan program"),
        (b"/AcroForm << /XFA 9 0 R >>", "XFA"),
    ],
)
def test_active_content_is_refused_even_escaped_or_compressed(extra, why):
    for raw in (factories.tiny_pdf(1, extra), _object_stream_pdf(extra)):
        with pytest.raises(pdfcheck.PdfError, match=why):
            pdfcheck.check(raw, "jahat.pdf")


def test_broken_encrypted_huge_or_long_pdfs_are_refused_in_indonesian():
    with pytest.raises(pdfcheck.PdfError, match="bukan PDF yang dapat dibaca"):
        pdfcheck.check(b"%PDF-1.4\nnot really", "x.pdf")
    with pytest.raises(pdfcheck.PdfError, match="bukan PDF"):
        pdfcheck.check(b"<html>%%EOF", "x.pdf")
    encrypted = factories.tiny_pdf(1).replace(
        b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 9 0 R"
    )
    with pytest.raises(pdfcheck.PdfError, match="terenkripsi"):
        pdfcheck.check(encrypted, "x.pdf")
    with pytest.raises(pdfcheck.PdfError, match="maksimal 40"):
        pdfcheck.check(factories.tiny_pdf(41), "x.pdf")
    padded = factories.tiny_pdf(1).replace(
        b"%PDF-1.4\n", b"%PDF-1.4\n%" + b"x" * pdfcheck.MAX_BYTES + b"\n"
    )
    with pytest.raises(pdfcheck.PdfError, match="maksimal 10 MB"):
        pdfcheck.check(padded, "x.pdf")
    bomb = _object_stream_pdf(b"")
    bomb_body = zlib.compress(b" " * (pdfcheck.MAX_INFLATED + 10))
    start = bomb.index(b"stream\n") + 7
    end = bomb.index(b"\nendstream")
    with pytest.raises(pdfcheck.PdfError, match="tidak dapat diperiksa"):
        pdfcheck.check(bomb[:start] + bomb_body + bomb[end:], "x.pdf")


# --- attaching, serving, removing evidence ----------------------------------------


def _upload(client, meeting_id, files, kind="daftar_hadir", **kw):
    data = {"kind": kind, "files": [(io.BytesIO(raw), name) for name, raw in files]}
    return client.post(
        f"/meetings/{meeting_id}/bukti",
        data=data,
        content_type="multipart/form-data",
        **kw,
    )


def test_a_photo_is_re_encoded_without_exif_and_a_pdf_kept_as_it_is(app, login_as):
    meeting = make_meeting("Ciwedus", status="selesai")  # the scan comes later
    client = login_as(make_user("penyelenggara", pokja="Ciwedus"))
    pdf = factories.tiny_pdf(2)
    response = _upload(
        client, meeting.id, [("IMG_0001.jpg", _camera_jpeg()), ("scan.pdf", pdf)]
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#bukti")
    photo, scan = _files(app)
    stored = (_folder(app) / photo.filename).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) <= 1280 and not image.getexif()
    assert b"PonselUji" not in stored
    assert (_folder(app) / scan.filename).read_bytes() == pdf
    assert (scan.pages, scan.mimetype) == (2, "application/pdf")
    (row,) = _audit(app, "meeting.evidence_add")
    assert [f["original_name"] for f in row.after["files"]] == [
        "IMG_0001.jpg",
        "scan.pdf",
    ]
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Bukti kegiatan" in page and "scan.pdf" in page and "2 halaman" in page


def test_a_refused_file_stores_nothing_and_says_why(app, login_as):
    meeting = make_meeting("Ciwedus")
    client = login_as(make_user("penyelenggara"))
    bad = factories.tiny_pdf(1, b"/OpenAction << /S /JavaScript /JS (x) >>")
    response = _upload(
        client, meeting.id, [("foto.jpg", factories.kie_jpeg()), ("jahat.pdf", bad)]
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "jahat.pdf" in body and "memuat JavaScript" in body
    assert "Tidak ada yang disimpan" in body
    assert _files(app) == [] and not any(_folder(app).glob("*"))
    empty = _upload(client, meeting.id, [])
    assert "Pilih foto atau berkas PDF" in empty.get_data(as_text=True)
    text = _upload(client, meeting.id, [("catatan.txt", b"bukan gambar")])
    assert "bukan foto yang dapat dibaca" in text.get_data(as_text=True)
    assert _files(app) == []


def test_evidence_is_served_only_to_who_may_see_the_meeting(app, login_as, client):
    meeting = make_meeting("Ciwedus")
    other = make_meeting("Bendungan")
    photo = factories.make_meeting_file(meeting)
    scan = factories.make_meeting_file(meeting, pdf=True)
    login_as(make_user("pokja", pokja="Ciwedus"))
    shown = client.get(f"/meetings/{meeting.id}/bukti/{photo.id}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"
    pdf = client.get(f"/meetings/{meeting.id}/bukti/{scan.id}")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    # Another meeting's id in the URL does not reach this file.
    assert client.get(f"/meetings/{other.id}/bukti/{photo.id}").status_code == 404
    login_as(make_user("pokja", pokja="Bendungan"))
    assert client.get(f"/meetings/{meeting.id}/bukti/{photo.id}").status_code == 404


def test_only_who_may_manage_attaches_and_removes_with_an_audit_row(
    app, login_as, client
):
    joint = make_meeting(("Ciwedus", "Bendungan"))
    item = factories.make_meeting_file(joint)
    # A Pokja user sees a department meeting but does not manage it.
    login_as(make_user("pokja", pokja="Ciwedus"))
    assert client.get(f"/meetings/{joint.id}/bukti").status_code == 403
    page = client.get(f"/meetings/{joint.id}").get_data(as_text=True)
    assert "Lampirkan bukti" not in page and "/hapus" not in page
    path = f"/meetings/{joint.id}/bukti/{item.id}/hapus"
    assert client.post(path).status_code == 403
    login_as(make_user("penyelenggara"))
    assert "Hapus bukti?" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 303
    assert _files(app) == [] and not (_folder(app) / item.filename).exists()
    (row,) = _audit(app, "meeting.evidence_remove")
    assert row.before["file_id"] == item.id and row.before["kind"] == "daftar_hadir"
    # A meeting with evidence is not deleted as if unused.
    again = factories.make_meeting_file(joint)
    client.post(f"/meetings/{joint.id}/delete")
    with app.app_context():
        assert db.session.get(Meeting, joint.id) is not None
    assert again.id


def test_the_recap_says_whether_the_signed_sheet_is_attached(app, login_as):
    meeting = make_meeting("Ciwedus")
    client = login_as(make_user("staf"))
    summary = client.get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    assert "Daftar hadir bertanda tangan: <b>tidak ada</b>" in summary
    factories.make_meeting_file(meeting)
    factories.make_meeting_file(meeting, kind="foto")
    summary = client.get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    assert "Daftar hadir bertanda tangan: <b>ada</b> (1 berkas)" in summary
    assert "Notulen (tulisan tangan): <b>tidak ada</b>" in summary


def test_evidence_keeps_the_page_and_post_budgets(app, login_as):
    meeting = make_meeting("Ciwedus")
    make_members("Ciwedus", 20)
    for _ in range(5):
        factories.make_meeting_file(meeting)
    client = login_as(make_user("penyelenggara"))
    client.get("/")
    with count_queries(app) as q:
        assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert q.count <= 8
    with count_queries(app) as q:
        response = _upload(
            client,
            meeting.id,
            [(f"IMG_{n}.jpg", factories.kie_jpeg()) for n in range(3)],
        )
    assert response.status_code == 303 and q.count <= 6
    for path in ("summary", "sign-sheet", "invitation"):
        with count_queries(app) as q:
            assert client.get(f"/meetings/{meeting.id}/{path}").status_code == 200
        assert q.count <= 8, path


# --- finishing and reopening (3b) --------------------------------------------------


class FakeUser:
    def __init__(self, role, pokja_id=None):
        self.role = role
        self.pokja_id = pokja_id
        self.sees_all_pokja = role in ("admin", "staf", "pimpinan") or (
            role == "penyelenggara" and pokja_id is None
        )


def test_the_lock_and_reopen_follow_who_may_manage_the_meeting():
    city = FakeUser("penyelenggara")
    scoped = FakeUser("penyelenggara", 1)
    pokja = FakeUser("pokja", 1)
    assert not rules.is_locked("selesai", city, [1, 2])
    assert rules.may_reopen(city, [1, 2])
    assert rules.transition_problem("selesai", "berlangsung", city, [1, 2]) is None
    assert not rules.is_locked("selesai", scoped, [1])
    assert rules.is_locked("selesai", scoped, [1, 2])  # a department meeting
    assert not rules.may_reopen(scoped, [1, 2])
    assert rules.is_locked("selesai", pokja, [1])  # Pokja users are locked...
    assert rules.may_reopen(pokja, [1])  # ...but may reopen their own meeting
    assert rules.transition_problem("selesai", "berlangsung", pokja, [1, 2])
    assert rules.is_locked("selesai", FakeUser("pimpinan"), [1])
    asked = []
    rules.is_locked("selesai", city, lambda: asked.append(1) or [1])
    assert asked == []  # the invitations are read only when they matter


def test_finishing_asks_first_and_says_who_is_locked_out(app, login_as):
    meeting = make_meeting(("Ciwedus", "Bendungan"), status="berlangsung")
    client = login_as(make_user("penyelenggara"))
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'value="selesai"' not in page  # no one-tap finish on the meeting page
    assert "hx-confirm" not in page.split("Tandai selesai")[0].rsplit("<form", 1)[-1]
    assert f'href="/meetings/{meeting.id}/finish"' in page
    # A bare POST (an old form, a replay) is sent to the question, not obeyed.
    bare = client.post(f"/meetings/{meeting.id}/status", data={"status": "selesai"})
    assert bare.headers["Location"].endswith(f"/meetings/{meeting.id}/finish")
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).status == "berlangsung"
    question = client.get(f"/meetings/{meeting.id}/finish").get_data(as_text=True)
    assert "pengguna Pokja Bendungan, Ciwedus" in question
    assert "tidak mengelola rapat ini" in question
    assert "Ya, tandai selesai" in question and "Batal" in question
    done = client.post(
        f"/meetings/{meeting.id}/status", data={"status": "selesai", "yakin": "1"}
    )
    assert done.status_code == 303
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Buka kembali" in page  # the city-wide organiser was locked out before
    client.post(f"/meetings/{meeting.id}/status", data={"status": "berlangsung"})
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).status == "berlangsung"
    (reopen,) = _audit(app, "meeting.reopen")
    assert reopen.after == {"status": "berlangsung"}


def test_the_lock_message_is_true_for_who_reads_it(app, login_as, client):
    meeting = make_meeting(("Ciwedus", "Bendungan"), status="selesai")
    member = make_member("Ciwedus")
    login_as(make_user("penyelenggara", pokja="Ciwedus"))
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Penyelenggara rapat atau staf dinas dapat membukanya kembali" in page
    assert "Buka kembali</button>" not in page
    url = f"/meetings/{meeting.id}/attendance/{member.id}"
    assert client.post(url, data={"status": "hadir"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    own = make_meeting("Ciwedus", status="selesai")
    login_as(make_user("pokja", pokja="Ciwedus"))
    page = client.get(f"/meetings/{own.id}").get_data(as_text=True)
    assert "Buka kembali</button>" in page and "daftar hadir dikunci" in page


# --- the invitation text (3c) ------------------------------------------------------


@pytest.mark.parametrize(
    "kind, title",
    [("lainnya", "Sosialisasi Stunting RW 03"), ("posyandu", "Posyandu Mawar")],
)
def test_the_invitation_is_built_from_the_title_and_signed(kind, title):
    text = rules.invitation_text(
        kind=kind,
        title=title,
        date=dt.date(2024, 5, 27),
        start_time=None,
        place="Balai warga",
        agenda=None,
        pokja_names=["Ciwedus"],
        organiser_name="Siti Aminah",
        own_pokja_name="Ciwedus",
    )
    assert "Lainnya" not in text and "menghadiri Posyandu" not in text
    assert "untuk menghadiri kegiatan:\n*" + title + "*" in text
    assert text.endswith("Hormat kami,\nSiti Aminah\nPokja Kampung KB Ciwedus")


def test_the_invitation_page_names_its_sender(app, login_as):
    organiser = make_user("pokja", pokja="Ciwedus")
    own = make_meeting("Ciwedus", kind="rapat_pokja", organiser_id=organiser.id)
    dinas = make_user("staf")
    joint = make_meeting(("Ciwedus", "Bendungan"), organiser_id=dinas.id)
    client = login_as(dinas)
    text = client.get(f"/meetings/{own.id}/invitation").get_data(as_text=True)
    assert "menghadiri rapat:" in text
    assert f"Hormat kami,\n{organiser.full_name}\nPokja Kampung KB Ciwedus" in text
    text = client.get(f"/meetings/{joint.id}/invitation").get_data(as_text=True)
    assert f"Hormat kami,\n{dinas.full_name}\nDP3AP2KB Kota Cilegon" in text


# --- the daftar hadir's pages (2b) -------------------------------------------------


def _groups(sizes: list[int]) -> list[sheet.Group]:
    return [
        sheet.Group(f"Pokja {n}", [sheet.Row(f"Orang {n}-{i}") for i in range(size)])
        for n, size in enumerate(sizes)
    ]


def _orphans(pages: list[sheet.Page], sizes: list[int]) -> list[str]:
    """Headings with fewer than 3 of their rows (or all, if fewer) after them."""
    found = []
    for page in pages:
        for i, line in enumerate(page.lines):
            if line.heading and re.fullmatch(r"Pokja \d+", line.heading):
                rows = 0
                for after in page.lines[i + 1 :]:
                    if after.heading:
                        break
                    rows += 1
                if rows < min(3, sizes[int(line.heading.split()[-1])]):
                    found.append(f"{page.number}: {line.heading} + {rows}")
    return found


def test_240_names_fit_fewer_pages_and_no_heading_is_left_alone():
    pages = sheet.paginate(_groups([20] * 12), "Peserta lain")
    assert len(pages) <= 11
    assert sheet.ROW_MM >= 9
    assert all(page.rows >= 15 for page in pages[:-1])
    assert _orphans(pages, [20] * 12) == []
    numbers = [line.number for page in pages for line in page.lines if line.row]
    assert numbers == list(range(1, len(numbers) + 1))
    names = [line.row.name for page in pages for line in page.lines if line.row]
    assert len([n for n in names if n]) == 240
    # Every page ends up on one sheet: what it holds fits its height.
    for page in pages:
        assert page.free_mm >= 0 - 1e-6
    assert pages[-1].last and pages[-1].free_mm >= sheet.SIGN_MM - 1e-6


@pytest.mark.parametrize("first", range(10, 22))
def test_a_heading_that_would_fall_at_a_page_foot_moves_to_the_next_page(first):
    pages = sheet.paginate(_groups([first, 8, 2]), "Peserta lain")
    assert _orphans(pages, [first, 8, 2]) == []
    # Every later page starts with a heading: the next group's, or "(lanjutan)".
    assert all(page.lines[0].heading for page in pages[1:])


def test_blank_rows_fill_the_last_page_and_leave_room_to_sign():
    (page,) = sheet.paginate([], None)
    assert page.rows >= 10 and page.free_mm >= sheet.SIGN_MM - 1e-6
    assert page.free_mm < sheet.SIGN_MM + sheet.ROW_MM


def test_the_sign_sheet_prints_numbered_pages_and_follows_the_chosen_pokja(
    app, login_as
):
    for name in ("Ciwedus", "Bendungan"):
        make_members(name, 30, prefix=f"Warga {name}")
    meeting = make_meeting(("Ciwedus", "Bendungan"), kind="orientasi")
    client = login_as(make_user("staf"))
    html = client.get(f"/meetings/{meeting.id}/sign-sheet").get_data(as_text=True)
    total = len(re.findall(r'class="sheet-block"', html))
    assert total >= 3 and html.count("<thead>") == total
    for n in range(1, total + 1):
        assert f"Halaman {n} dari {total}" in html
    assert "Warga Ciwedus" in html and "Warga Bendungan" in html
    assert "PEMERINTAH KOTA CILEGON" in html
    pokja_b = factories.pokja("Bendungan").id
    one = client.get(f"/meetings/{meeting.id}/sign-sheet?pokja={pokja_b}")
    one = one.get_data(as_text=True)
    assert "Warga Ciwedus" not in one and "Warga Bendungan" in one
    assert "Cetak semua Pokja yang diundang" in one
    # The roll call's Pokja filter (an htmx swap of #roll) carries its print link.
    roll = client.get(f"/meetings/{meeting.id}?pokja={pokja_b}", headers=HX)
    roll = roll.get_data(as_text=True)
    assert f"sign-sheet?varian=kosong&amp;pokja={pokja_b}" in roll
    assert "Cetak daftar hadir Pokja Bendungan" in roll


def test_a_pokja_meeting_prints_its_own_heading_and_the_ketua(app, login_as):
    make_member("Ciwedus", name="Hj. Siti Rohmah", jabatan="ketua")
    organiser = make_user("pokja", pokja="Ciwedus")
    meeting = make_meeting("Ciwedus", organiser_id=organiser.id)
    client = login_as(organiser)
    html = client.get(f"/meetings/{meeting.id}/sign-sheet").get_data(as_text=True)
    assert "POKJA KAMPUNG KB CIWEDUS" in html and "KECAMATAN" in html
    assert "PEMERINTAH KOTA CILEGON" not in html
    assert "Ketua Pokja Kampung KB Ciwedus" in html and "Hj. Siti Rohmah" in html
    # Organised by the department, the same single-Pokja meeting is the Dinas'.
    staf = make_user("staf")
    monev = make_meeting("Ciwedus", kind="monev", organiser_id=staf.id)
    html = client.get(f"/meetings/{monev.id}/sign-sheet").get_data(as_text=True)
    assert "PEMERINTAH KOTA CILEGON" in html and "Ketua Pokja" not in html


def test_ten_copies_of_an_upload_attach_each_file_once(app):
    meeting = make_meeting("Ciwedus")
    user = make_user("penyelenggara")
    photo, pdf = factories.kie_jpeg((800, 600)), factories.tiny_pdf(2)
    barrier = threading.Barrier(10)
    statuses = []

    def send():
        client = app.test_client()
        factories.put_in_session(client, user)
        barrier.wait()
        response = _upload(client, meeting.id, [("a.jpg", photo), ("b.pdf", pdf)])
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 10
    assert len(_files(app)) == 2 and len(_audit(app, "meeting.evidence_add")) == 1
    assert len(list(_folder(app).glob("*"))) == 2  # no file of a copy left over
    # Sent again later, one at a time: nothing new, and it says so.
    client = app.test_client()
    factories.put_in_session(client, user)
    again = _upload(client, meeting.id, [("a.jpg", photo)], follow_redirects=True)
    assert "sudah dilampirkan sebelumnya" in again.get_data(as_text=True)
    assert len(_files(app)) == 2
