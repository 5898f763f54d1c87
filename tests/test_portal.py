"""Portal-true activity records (issue 15): reference data, the mapping, the
pre-filled record, "Salin ke portal", the upload mark, validation, exports,
isolation, budgets and the partners figure."""

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkbweb import reference
from kkbweb.audit.models import AuditLog
from kkbweb.extensions import db
from kkbweb.kie.vocab import DEFAULT_TERMS
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.poktan import vocab as poktan_vocab
from kkbweb.portal import mapping
from kkbweb.portal.models import PortalRecord
from kkbweb.portal.vocab import SERVICE_SASARAN
from kkbweb.timeutil import today_wib
from kkbweb.units import vocab as units_vocab
from tests import factories
from tests.querycount import count_queries

SHARED = Path("/work/shared/domain")


def _csv_ids(name: str, id_column: str = "id", record_type: str | None = None):
    with (reference.DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if record_type:
        rows = [r for r in rows if r["record_type"] == record_type]
    return {int(r[id_column]): r for r in rows}


# -- reference data ---------------------------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/domain in this clone")
@pytest.mark.parametrize("name", reference.FILES)
def test_reference_copies_are_byte_identical_to_the_domain_files(name):
    assert (reference.DATA / name).read_bytes() == (SHARED / name).read_bytes()


def test_every_portal_csv_of_the_domain_folder_is_copied():
    if not SHARED.is_dir():
        pytest.skip("no ../shared/domain in this clone")
    shared = {p.name for p in SHARED.glob("portal_*.csv")}
    assert shared == {n for n in reference.FILES if n.startswith("portal_")}


def test_reference_tables_hold_the_portal_ids_and_both_labels(app):
    from kkbweb.portal.models import PortalInpres, PortalInstansi, PortalKategori

    with app.app_context():
        kategori = {
            k.id: (k.name, k.our_label)
            for k in db.session.scalars(select(PortalKategori))
        }
        assert kategori[2] == ("Pendidikan", "Sosialisasi dan pendidikan")
        assert kategori[6][0] == "Kasih Sayang" and kategori[9][0] == "Lainnya"
        assert db.session.get(PortalInstansi, 37).name == "Lainnya"
        assert db.session.scalar(select(func.count()).select_from(PortalInpres)) == 58
    assert len(reference.instansi()) == 37 and len(reference.sasaran()) == 9


# -- the mapping ------------------------------------------------------------------


def _every_kkbweb_value():
    kie = {"kie_kategori": "kategori", "kie_audience": "audience", "kie_mitra": "mitra"}
    for key, kind in kie.items():
        for code, label in DEFAULT_TERMS[kind]:
            yield key, code, label
    for code, label in meeting_vocab.MEETING_KINDS.items():
        yield "meeting_kind_kategori", code, label
        yield "meeting_kind_sasaran", code, label
    for code, label in meeting_vocab.UNSUR.items():
        yield "member_unsur", code, label
    for code, label in meeting_vocab.DEFAULT_SEKSI.items():
        yield "pokja_seksi", code, label
    for code, label in poktan_vocab.KINDS.items():
        for key in ("poktan_kategori", "poktan_sasaran", "poktan_instansi"):
            yield key, code, label
    for code, label in units_vocab.KINDS.items():
        for key in ("unit_kategori", "unit_instansi"):
            yield key, code, label
    for columns in SERVICE_SASARAN.values():
        for column in columns:
            yield "unit_sasaran", column, units_vocab.COUNT_LABELS[column]


def test_every_kkbweb_value_maps_onto_the_portal_lists_read_from_the_csvs():
    lists = {
        "kategori": _csv_ids("portal_kategori.csv"),
        "sasaran": _csv_ids("portal_sasaran.csv"),
        "instansi": _csv_ids("portal_instansi.csv"),
    }
    lainnya = {"kategori": 9, "sasaran": 9, "instansi": 37}
    for key, code, label in _every_kkbweb_value():
        target_list = mapping.VOCABS[key].target
        target = mapping.default_target(key, code, label)
        assert target.portal_id in lists[target_list], (key, code)
        if target.lainnya:
            # Free text only under Lainnya, never on a kategori.
            assert target.portal_id == lainnya[target_list], (key, code)
            assert target_list != "kategori"
        if target.portal_id == lainnya[target_list] and target_list != "kategori":
            assert target.lainnya, (key, code)
        # Every code of the defaults is a real kkbweb value (no typos).
    for key, codes in mapping.DEFAULTS.items():
        known = {c for k, c, _ in _every_kkbweb_value() if k == key}
        assert set(codes) <= known, key


def test_values_without_a_portal_counterpart_go_to_lainnya_with_their_text():
    labels = dict(DEFAULT_TERMS["audience"])
    for code in ("umum", "wus", "catin", "ibu_hamil", "tokoh_masyarakat"):
        target = mapping.default_target("kie_audience", code, labels[code])
        assert (target.portal_id, target.lainnya) == (9, labels[code])
    kategori = dict(DEFAULT_TERMS["kategori"])
    assert (
        mapping.text_of(
            "kategori",
            mapping.default_target(
                "kie_kategori",
                "sosialisasi_pendidikan",
                kategori["sosialisasi_pendidikan"],
            ),
        )
        == "Pendidikan"
    )
    assert mapping.default_target("kie_kategori", "kasih_sayang", "").portal_id == 6
    # A term an admin adds later has no default: Lainnya + its label.
    assert mapping.default_target("kie_audience", "baru", "Kader BKB") == (
        mapping.Target(9, "Kader BKB")
    )


# -- the world ------------------------------------------------------------------


def _meeting_with_people(pokja="Ciwedus", agenda="Membahas rencana kerja bulan ini."):
    meeting = factories.make_meeting(
        (pokja,),
        title="Rapat Pokja Juni",
        kind="rapat_pokja",
        date=today_wib(),
        agenda=agenda,
        status="selesai",
    )
    for unsur, seksi in (
        ("pkk", "reproduksi"),
        ("bidan_nakes", "reproduksi"),
        ("rt_rw", "ekonomi"),
    ):
        member = factories.make_member(pokja, unsur=unsur, seksi=seksi)
        factories.make_mark(meeting, member, "hadir")
    absent = factories.make_member(pokja, unsur="plkb", seksi="ekonomi")
    factories.make_mark(meeting, absent, "izin")
    return meeting


def _kie(pokja="Ciwedus", **kw):
    kw.setdefault("activity_date", today_wib())
    return factories.make_kie_activity(pokja, **kw)


def _url(kind, source_id, pokja_name="Ciwedus", suffix=""):
    return f"/portal/{kind}/{source_id}/{factories.pokja(pokja_name).id}{suffix}"


def _form_of(client, url) -> dict:
    """The record form's values as the browser would send them unchanged."""
    from tests.crawl import parse

    page = client.get(url)
    assert page.status_code == 200
    [form] = [
        f
        for f in parse(url, page.get_data(as_text=True)).forms
        if f.method == "POST" and "/ubah" in f.action
    ]
    data: dict = {}
    for name, value in form.defaults():
        data.setdefault(name, []).append(value)
    return data


def _pokja_user(name="Ciwedus"):
    return factories.make_user("pokja", pokja=factories.pokja(name))


# -- the acceptance flow ------------------------------------------------------------


def test_meeting_record_is_prefilled_confirmed_copied_and_marked(app, login_as):
    user = _pokja_user()
    client = login_as(user)
    meeting = _meeting_with_people()
    _kie(title="Sosialisasi stunting RW 03")
    listing = client.get(f"/portal/?bulan={today_wib():%Y-%m}").get_data(as_text=True)
    assert "Rapat Pokja Juni" in listing and "Sosialisasi stunting RW 03" in listing
    assert "2</b> belum diunggah" in listing

    screen = client.get(_url("meeting", meeting.id)).get_data(as_text=True)
    # The agenda as deskripsi, the present members' seksi as kategori (two
    # in Reproduksi), their unsur as instansi; the kind's sasaran.
    assert "Membahas rencana kerja bulan ini." in screen
    assert '<pre class="copy-value" id="nilai-kategori">Reproduksi</pre>' in screen
    instansi = screen.split('id="nilai-instansi">')[1].split("</pre>")[0]
    assert set(instansi.split(", ")) == {
        "Komponen Masyarakat Kampung KB",
        "Puskesmas",
        "Pemerintahan Desa/Lurah",
    }
    assert "OPD Pengendalian" not in instansi  # the PLKB was not present
    assert "Pengurus Pokja Kampung KB" in screen
    # The portal's field order, and a copy button per field.
    order = [
        screen.index(f'id="label-{k}"')
        for k in (
            "judul",
            "tanggal",
            "tempat",
            "deskripsi",
            "kategori",
            "inpres",
            "sasaran",
            "instansi",
            "jenis_post",
        )
    ]
    assert order == sorted(order)
    assert screen.count('class="copy"') >= 9
    assert "js/copy.js" in screen and "<script>" not in screen

    # Confirm: without photos the portal refuses a Kegiatan; with one, captioned.
    form = _form_of(client, _url("meeting", meeting.id, suffix="/ubah"))
    response = client.post(_url("meeting", meeting.id, suffix="/ubah"), data=form)
    assert "perlu 1 sampai 5 foto" in response.get_data(as_text=True)
    form["foto-0-berkas"] = (io.BytesIO(factories.kie_jpeg()), "rapat.jpg")
    form["foto-0-keterangan"] = "Peserta rapat Pokja"
    response = client.post(
        _url("meeting", meeting.id, suffix="/ubah"),
        data=form,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        record = db.session.scalars(select(PortalRecord)).one()
        assert record.kategori_id == 3 and record.confirmed_by_id == user.id
        assert [p["caption"] for p in record.photos] == ["Peserta rapat Pokja"]
        assert [32, ""] in record.instansi

    # Mark uploaded: the month's "belum diunggah" list shrinks by one.
    response = client.post(
        _url("meeting", meeting.id, suffix="/unggah"),
        data={"portal_ref": "https://kampungkb.bkkbn.go.id/x/1"},
    )
    assert response.status_code == 303
    pending = client.get(f"/portal/?bulan={today_wib():%Y-%m}").get_data(as_text=True)
    assert ">Rapat Pokja Juni</a>" not in pending and "1</b> belum diunggah" in pending
    done = client.get(f"/portal/?bulan={today_wib():%Y-%m}&status=sudah").get_data(
        as_text=True
    )
    assert "Rapat Pokja Juni" in done
    screen = client.get(_url("meeting", meeting.id)).get_data(as_text=True)
    assert "Sudah diunggah ke portal" in screen and f"oleh {user.full_name}" in screen
    assert "https://kampungkb.bkkbn.go.id/x/1" in screen
    with app.app_context():
        record = db.session.scalars(select(PortalRecord)).one()
        assert record.uploaded_by_id == user.id and record.uploaded_at is not None
        actions = db.session.scalars(select(AuditLog.action)).all()
        assert "portal.confirm" in actions and "portal.uploaded" in actions


def test_kie_record_defaults_map_sasaran_mitra_and_reuse_the_photo(app, login_as):
    client = login_as(_pokja_user())
    entry = _kie(title="Penyuluhan catin", audiences=("catin", "pus"), photo=True)
    screen = client.get(_url("kie", entry.id)).get_data(as_text=True)
    assert '<pre class="copy-value" id="nilai-sasaran">PUS, Lainnya</pre>' in screen
    assert 'id="nilai-sasaran_lainnya">Catin</pre>' in screen
    assert 'id="nilai-instansi">Puskesmas</pre>' in screen  # "Puskesmas Cilegon"
    assert 'id="nilai-kategori">Pendidikan</pre>' in screen
    assert "/kie/foto/" in screen  # the entry's photo, offered as it is
    form = _form_of(client, _url("kie", entry.id, suffix="/ubah"))
    assert form["foto-0-ref"] == [f"kie:{entry_photo(app, entry.id)}"]
    assert form["foto-0-keterangan"] == ["Penyuluhan catin"]
    assert (
        client.post(_url("kie", entry.id, suffix="/ubah"), data=form).status_code == 303
    )
    screen = client.get(_url("kie", entry.id)).get_data(as_text=True)
    assert "/portal/foto/" in screen and "unduh=1" in screen


def entry_photo(app, activity_id):
    from kkbweb.kie.models import KiePhoto

    with app.app_context():
        return db.session.scalar(
            select(KiePhoto.id).where(KiePhoto.activity_id == activity_id)
        )


def _bkb_session(pokja="Ciwedus", name="BKB Melati RW 03"):
    poktan = factories.make_poktan(pokja, name=name, kind="bkb")
    families = factories.make_families(poktan, count=3)
    session = factories.make_poktan_session(
        poktan, date=today_wib(), topic="Stimulasi tumbuh kembang", speaker="Bidan Rina"
    )
    factories.make_family_marks(session, families[:2])
    return session


def test_bkb_session_and_pokja_meeting_both_get_prefilled_records(app, login_as):
    """The issue's acceptance: a BKB session and a Pokja meeting, each with its
    portal record pre-filled; copied, marked; the month's list shrinks."""
    client = login_as(_pokja_user())
    session = _bkb_session()
    meeting = _meeting_with_people()
    month = f"/portal/?bulan={today_wib():%Y-%m}"
    listing = client.get(month).get_data(as_text=True)
    assert "BKB Melati RW 03: Stimulasi tumbuh kembang" in listing
    assert "2</b> belum diunggah" in listing
    screen = client.get(_url("poktan", session.id)).get_data(as_text=True)
    assert 'id="nilai-judul">BKB Melati RW 03: Stimulasi tumbuh kembang</pre>' in screen
    assert 'id="nilai-kategori">Pendidikan</pre>' in screen
    assert 'id="nilai-sasaran">Keluarga yang memiliki Balita</pre>' in screen
    assert 'id="nilai-instansi">Komponen Masyarakat Kampung KB</pre>' in screen
    assert "2 keluarga hadir" in screen and "narasumber: Bidan Rina" in screen
    for kind, source in (("poktan", session), ("meeting", meeting)):
        assert client.post(_url(kind, source.id, suffix="/unggah")).status_code == 303
    after = client.get(month).get_data(as_text=True)
    assert "0</b> belum diunggah" in after
    assert "BKB Melati RW 03" not in after.split("<tbody>")[1]


def _posyandu_session(pokja="Ciwedus", name="Posyandu Mawar RW 03", **counts):
    unit = factories.make_unit(pokja, name=name)
    return factories.make_unit_session(
        unit, date=today_wib(), note="Imunisasi dan vitamin A.", **counts
    )


def test_posyandu_session_gets_a_prefilled_record_copied_and_marked(app, login_as):
    """A Posyandu day as poktan sessions: listed, pre-filled from its counts,
    confirmed with a captioned photo, marked; the month's list shrinks."""
    client = login_as(_pokja_user())
    session = _posyandu_session()
    month = f"/portal/?bulan={today_wib():%Y-%m}"
    listing = client.get(month).get_data(as_text=True)
    assert "Pelayanan Posyandu Mawar RW 03" in listing
    assert "Layanan Posyandu/PAUD" in listing and "1</b> belum diunggah" in listing
    own = client.get(f"/units/sesi/{session.id}").get_data(as_text=True)
    assert _url("layanan", session.id) in own  # "Salin ke portal" on its page
    screen = client.get(_url("layanan", session.id)).get_data(as_text=True)
    assert 'id="nilai-judul">Pelayanan Posyandu Mawar RW 03</pre>' in screen
    assert 'id="nilai-tempat">Posyandu Mawar RW 03</pre>' in screen
    assert 'id="nilai-kategori">Perlindungan</pre>' in screen
    # Balita and ibu hamil were served (counts above zero): Balita + Lainnya.
    assert 'id="nilai-sasaran">Balita, Lainnya</pre>' in screen
    assert 'id="nilai-sasaran_lainnya">Ibu hamil</pre>' in screen
    assert 'id="nilai-instansi">Puskesmas</pre>' in screen
    assert "Imunisasi dan vitamin A." in screen
    assert "balita hadir 30, balita ditimbang 28, ibu hamil dilayani 4" in screen
    assert f"/units/sesi/{session.id}" in screen  # back to the session
    url = _url("layanan", session.id, suffix="/ubah")
    form = _form_of(client, url)
    assert "perlu 1 sampai 5 foto" in client.post(url, data=form).get_data(as_text=True)
    form["foto-0-berkas"] = (io.BytesIO(factories.kie_jpeg()), "posyandu.jpg")
    form["foto-0-keterangan"] = "Penimbangan balita"
    saved = client.post(url, data=form, content_type="multipart/form-data")
    assert saved.status_code == 303
    with app.app_context():
        record = db.session.scalars(select(PortalRecord)).one()
        assert (record.source_kind, record.source_id) == ("layanan", session.id)
        assert record.kategori_id == 5 and record.sasaran == [[5, ""], [9, "Ibu hamil"]]
    assert client.post(_url("layanan", session.id, suffix="/unggah")).status_code == 303
    assert "0</b> belum diunggah" in client.get(month).get_data(as_text=True)


def test_paud_session_defaults_and_a_session_without_counts(app, login_as):
    client = login_as(_pokja_user())
    unit = factories.make_unit(kind="paud", name="PAUD Melati", rw="05")
    session = factories.make_unit_session(unit, date=today_wib())
    screen = client.get(_url("layanan", session.id)).get_data(as_text=True)
    assert 'id="nilai-judul">Kegiatan belajar PAUD Melati</pre>' in screen
    assert 'id="nilai-tempat">PAUD Melati, RW 05</pre>' in screen
    assert 'id="nilai-kategori">Pendidikan</pre>' in screen
    assert 'id="nilai-sasaran_lainnya">Anak usia dini (PAUD)</pre>' in screen
    assert 'id="nilai-instansi">Lembaga Pendidikan</pre>' in screen
    assert "anak terdaftar 20, anak hadir 17." in screen
    # No count typed: the kind's own sasaran, a deskripsi without counts.
    empty = _posyandu_session(name="Posyandu Anggrek", balita_present=None)
    screen = client.get(_url("layanan", empty.id)).get_data(as_text=True)
    assert 'id="nilai-sasaran">Balita</pre>' in screen
    assert 'id="nilai-deskripsi">Imunisasi dan vitamin A.\nPelayanan Posyandu' in (
        screen
    )


# -- validation -------------------------------------------------------------------


def test_sebelum_sesudah_needs_exactly_two_photos_and_keeps_what_was_chosen(
    app, login_as
):
    client = login_as(_pokja_user())
    meeting = _meeting_with_people()
    url = _url("meeting", meeting.id, suffix="/ubah")
    form = _form_of(client, url)
    form.update({"jenis_post_id": "1", "judul": "Kerja bakti RW 05 (diubah)"})
    form["foto-0-berkas"] = (io.BytesIO(factories.kie_jpeg()), "sebelum.jpg")
    form["foto-0-jenis"] = "2"
    refused = client.post(url, data=form, content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "tepat 2 foto" in page
    assert 'value="Kerja bakti RW 05 (diubah)"' in page  # typed text kept
    assert "/kie/foto-sementara/" in page  # the chosen photo kept, shown again
    again = _refused_form_values(page, url)
    assert again["foto-0-ref"][0].startswith("t:")
    again["foto-1-berkas"] = (
        io.BytesIO(factories.kie_jpeg(color=(9, 9, 9))),
        "sesudah.jpg",
    )
    again["foto-1-jenis"] = "3"
    saved = client.post(url, data=again, content_type="multipart/form-data")
    assert saved.status_code == 303
    with app.app_context():
        record = db.session.scalars(select(PortalRecord)).one()
        assert [p["type"] for p in record.photos] == [2, 3]
        assert record.judul == "Kerja bakti RW 05 (diubah)"
        folder = Path(app.config["UPLOAD_FOLDER"]) / "portal"
        assert all((folder / p["file"]).is_file() for p in record.photos)


def _refused_form_values(page: str, url: str) -> dict:
    from tests.crawl import parse

    [form] = [
        f for f in parse(url, page).forms if f.method == "POST" and "/ubah" in f.action
    ]
    data: dict = {}
    for name, value in form.defaults():
        data.setdefault(name, []).append(value)
    return {k: v for k, v in data.items()}


def test_kegiatan_photo_without_caption_is_refused_in_indonesian(app, login_as):
    client = login_as(_pokja_user())
    entry = _kie(photo=True)
    url = _url("kie", entry.id, suffix="/ubah")
    form = _form_of(client, url)
    form["foto-0-keterangan"] = ""
    form["sasaran_ids"] = []
    form["sasaran_lainnya"] = ""
    page = client.post(url, data=form).get_data(as_text=True)
    assert "Setiap foto kegiatan wajib diberi keterangan (foto 1)." in page
    assert "Sasaran kegiatan minimal satu." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PortalRecord)) == 0


# -- isolation and access ---------------------------------------------------------


def test_another_pokjas_activity_answers_404(app, login_as):
    meeting = _meeting_with_people("Ciwedus")
    entry = _kie("Ciwedus")
    service = _posyandu_session("Ciwedus")
    client = login_as(_pokja_user("Bendungan"))
    for url in (
        _url("layanan", service.id),
        _url("layanan", service.id, suffix="/ubah"),
        _url("layanan", service.id, "Bendungan"),
        f"/units/sesi/{service.id}",
        _url("meeting", meeting.id),
        _url("meeting", meeting.id, suffix="/ubah"),
        _url("kie", entry.id),
        _url("kie", entry.id, suffix="/ubah"),
        _url("kie", entry.id, "Bendungan"),  # wrong Pokja for the entry
        f"/portal/rapat/{meeting.id}/1",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("kie", entry.id, suffix="/unggah")).status_code == 404
    assert client.post(_url("layanan", service.id, suffix="/unggah")).status_code == 404
    listing = client.get(f"/portal/?bulan={today_wib():%Y-%m}&status=semua")
    assert "Rapat Pokja Juni" not in listing.get_data(as_text=True)


# -- budgets ------------------------------------------------------------------------


def _many(count: int):
    for n in range(count):
        entry = _kie(title=f"Kegiatan {n}", photo=n == 0)
    meeting = None
    for _n in range(max(1, count // 10)):
        meeting = _meeting_with_people()
        _bkb_session(name=f"BKB {_n}")
        service = _posyandu_session(name=f"Posyandu {_n}")
    return entry, meeting, service


@pytest.mark.parametrize("count", [1, 50])
def test_pages_and_posts_keep_the_query_budget(app, login_as, count):
    client = login_as(_pokja_user())
    entry, meeting, service = _many(count)
    month = f"/portal/?bulan={today_wib():%Y-%m}&status=semua"
    pages = [
        month,
        _url("kie", entry.id),
        _url("meeting", meeting.id),
        _url("meeting", meeting.id, suffix="/ubah"),
        _url("layanan", service.id),
        _url("layanan", service.id, suffix="/ubah"),
        f"/units/sesi/{service.id}",
        # Every kind's defaults (KIE partners typed: their mitra labels too).
        f"/portal/ekspor?bulan={today_wib():%Y-%m}",
        f"/portal/ekspor?bulan={today_wib():%Y-%m}&format=xlsx",
        f"/portal/foto.zip?bulan={today_wib():%Y-%m}",
    ]
    counts = []
    for url in pages:
        client.get(url)
        with count_queries(app) as q:
            assert client.get(url).status_code == 200, url
        assert q.count <= 8, (url, "\n".join(s[:70] for s in q.statements))
        counts.append(q.count)
    edit_url = _url("meeting", meeting.id, suffix="/ubah")
    mark_url = _url("kie", entry.id, suffix="/unggah")
    form = _form_of(client, edit_url)
    form["foto-0-berkas"] = (io.BytesIO(factories.kie_jpeg()), "a.jpg")
    form["foto-0-keterangan"] = "Foto"
    with count_queries(app) as q:
        response = client.post(edit_url, data=form, content_type="multipart/form-data")
    assert response.status_code == 303
    assert q.count <= 6, "\n".join(s[:100] for s in q.statements)
    with count_queries(app) as mark:
        client.post(mark_url, data={})
    assert mark.count <= 6, "\n".join(s[:100] for s in mark.statements)
    counts += [q.count, mark.count]
    staff = app.test_client()
    factories.put_in_session(staff, factories.make_user("staf"))
    staff.get(month, headers={"HX-Request": "true"})
    with count_queries(app) as fragment:
        swapped = staff.get(month, headers={"HX-Request": "true"})
    assert swapped.get_data(as_text=True).lstrip().startswith('<div id="portal-rows">')
    assert fragment.count <= 4, fragment.statements
    counts.append(fragment.count)
    _COUNTS.setdefault("runs", []).append(counts)
    if len(_COUNTS["runs"]) == 2:
        assert _COUNTS["runs"][0] == _COUNTS["runs"][1]


_COUNTS: dict = {}


# -- exports ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 12])
def test_export_reads_the_four_kinds_in_a_fixed_number_of_statements(
    app, login_as, count
):
    """One read of the mapping and mitra labels, one batched read per kind (and
    the meetings' people): the same statements for 1 or many of each kind."""
    client = login_as(factories.make_user("staf"))
    for n in range(count):
        _kie(title=f"KIE {n}")
        _meeting_with_people()
        _bkb_session(name=f"BKB {n}")
        _posyandu_session(name=f"Posyandu {n}")
    url = f"/portal/ekspor?bulan={today_wib():%Y-%m}&format=csv"
    client.get(url)
    with count_queries(app) as q:
        response = client.get(url)
    text = response.get_data(as_text=True).lstrip("\ufeff")
    kinds = [r["Jenis catatan"] for r in csv.DictReader(io.StringIO(text))]
    assert sorted(set(kinds)) == [
        "KIE/advokasi",
        "Layanan Posyandu/PAUD",
        "Pertemuan poktan",
        "Rapat",
    ]
    assert len(kinds) == 4 * count
    assert q.count <= 8, "\n".join(s[:70] for s in q.statements)
    _EXPORT_COUNTS[count] = q.count
    if len(_EXPORT_COUNTS) == 2:
        assert len(set(_EXPORT_COUNTS.values())) == 1, _EXPORT_COUNTS


_EXPORT_COUNTS: dict = {}


def test_portal_export_has_only_portal_values_and_ids(app, login_as):
    client = login_as(factories.make_user("staf"))
    _meeting_with_people()
    _kie(audiences=("umum", "lansia"))
    response = client.get(f"/portal/ekspor?bulan={today_wib():%Y-%m}&format=csv")
    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )
    assert len(rows) == 2
    names = {
        "Seksi Kegiatan": {r["name"] for r in _csv_ids("portal_kategori.csv").values()},
        "Peserta Kegiatan": {
            r["name"] for r in _csv_ids("portal_sasaran.csv").values()
        },
        "Instansi": {r["name"] for r in _csv_ids("portal_instansi.csv").values()},
    }
    for row in rows:
        for column, allowed in names.items():
            for value in row[column].split(", "):
                assert value in allowed, (column, value)
        if row["Peserta Kegiatan Lainnya"]:
            assert "Lainnya" in row["Peserta Kegiatan"]
    kie_row = next(r for r in rows if r["Jenis catatan"] == "KIE/advokasi")
    assert kie_row["Peserta Kegiatan (id)"] == "4, 9"
    assert kie_row["Peserta Kegiatan Lainnya"] == "Umum"
    xlsx = client.get(f"/portal/ekspor?bulan={today_wib():%Y-%m}&format=xlsx")
    assert xlsx.data[:2] == b"PK"
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(AuditLog.action == "portal.export")
            )
            == 2
        )


def test_service_session_photo_lands_in_the_zip_and_its_row_in_the_export(
    app, login_as
):
    client = login_as(_pokja_user())
    session = _posyandu_session()
    url = _url("layanan", session.id, suffix="/ubah")
    form = _form_of(client, url)
    form["foto-0-berkas"] = (io.BytesIO(factories.kie_jpeg()), "p.jpg")
    form["foto-0-keterangan"] = "Penimbangan balita"
    saved = client.post(url, data=form, content_type="multipart/form-data")
    assert saved.status_code == 303
    month = today_wib().strftime("%Y-%m")
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/portal/foto.zip?bulan={month}").data)
    )
    assert any(
        n.endswith(
            "Pelayanan Posyandu Mawar RW 03/1 - Kegiatan - Penimbangan balita.jpg"
        )
        for n in archive.namelist()
    )
    text = client.get(f"/portal/ekspor?bulan={month}").get_data(as_text=True)
    [row] = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert row["Jenis catatan"] == "Layanan Posyandu/PAUD"
    assert row["Nomor catatan"] == str(session.id) and row["Status"] == "dikonfirmasi"
    assert (row["Seksi Kegiatan (id)"], row["Instansi (id)"]) == ("5", "30")
    assert row["Peserta Kegiatan (id)"] == "5, 9"
    assert row["Peserta Kegiatan Lainnya"] == "Ibu hamil"


def test_photo_zip_names_photos_by_caption(app, login_as):
    client = login_as(_pokja_user())
    entry = _kie(title="Senam lansia", photo=True)
    form = _form_of(client, _url("kie", entry.id, suffix="/ubah"))
    form["foto-0-keterangan"] = "Senam bersama kader"
    assert (
        client.post(_url("kie", entry.id, suffix="/ubah"), data=form).status_code == 303
    )
    response = client.get(f"/portal/foto.zip?bulan={today_wib():%Y-%m}")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert any(n.endswith("1 - Kegiatan - Senam bersama kader.jpg") for n in names)
    notes = [n for n in names if n.endswith("keterangan.txt")]
    assert "Senam bersama kader" in archive.read(notes[0]).decode()


# -- the mapping page -------------------------------------------------------------


def test_admin_fixes_a_mapping_and_the_defaults_follow(app, login_as):
    client = login_as(factories.make_user("admin"))
    entry = _kie(audiences=("umum",))
    page = client.get("/portal/pemetaan/").get_data(as_text=True)
    assert "Lainnya: Umum" in page
    url = "/portal/pemetaan/kie_audience/umum"
    refused = client.post(url, data={"portal_id": "9", "lainnya": ""})
    assert "perlu teks isian" in refused.get_data(as_text=True)
    assert client.post(url, data={"portal_id": "1"}).status_code == 303
    screen = client.get(_url("kie", entry.id)).get_data(as_text=True)
    assert 'id="nilai-sasaran">Seluruh Penduduk</pre>' in screen
    with app.app_context():
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "portal.mapping")
        ).one()
        assert row.after == {"portal_id": 1, "lainnya": None}
    assert client.post(url, data={"portal_id": "0"}).status_code == 303
    assert "Lainnya: Umum" in client.get("/portal/pemetaan/").get_data(as_text=True)


# -- the recap's partners figure --------------------------------------------------


def test_recap_counts_distinct_instansi_of_the_pokja(app, login_as):
    client = login_as(_pokja_user())
    for title in ("A", "B"):
        entry = _kie(title=title, photo=True)
        form = _form_of(client, _url("kie", entry.id, suffix="/ubah"))
        form["instansi_ids"] = ["30", "19"] if title == "A" else ["30"]
        form["instansi_lainnya"] = "Koperasi Maju" if title == "B" else ""
        assert (
            client.post(_url("kie", entry.id, suffix="/ubah"), data=form).status_code
            == 303
        )
    from kkbweb.reports import recap
    from kkbweb.reports.months import Month

    with app.test_request_context():
        from flask_login import login_user

        from kkbweb.auth.models import User

        login_user(db.session.get(User, factories.make_user("staf").id))
        figures = recap.compute([factories.pokja("Ciwedus").id], Month.of(today_wib()))
    ciwedus = figures.by_pokja[factories.pokja("Ciwedus").id]
    assert ciwedus.partners == 3  # Puskesmas, Dinas Kesehatan, Koperasi Maju


# -- the migration ------------------------------------------------------------------


def test_0013_keeps_records_of_0010_and_loads_the_portal_lists(tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from kkbweb.pokja.seed import seed_pokja
    from tests.test_migrations import _empty_database, _migrated_app, _row_counts

    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0010_meeting_evidence")
            seed_pokja()
            db.session.execute(
                text(
                    "INSERT INTO meeting (id, kind, title, date, place, status, agenda,"
                    " created_at, updated_at) VALUES (1, 'rapat_pokja', 'Rapat', "
                    "'2024-05-27', 'Aula', 'selesai', 'Agenda', '2024-05-27', "
                    "'2024-05-27')"
                )
            )
            pokja_id = db.session.execute(text("SELECT min(id) FROM pokja")).scalar()
            db.session.execute(
                text(
                    "INSERT INTO meeting_pokja (meeting_id, pokja_id, mode) "
                    "VALUES (1, :p, 'all')"
                ),
                {"p": pokja_id},
            )
            db.session.commit()
            before = _row_counts()
            db.session.commit()
            upgrade(revision="0013_portal")
            after = _row_counts()
            names = dict(
                db.session.execute(text("SELECT id, name FROM portal_sasaran")).all()
            )
            db.session.commit()
            assert {t: after[t] for t in before} == before
            assert after["portal_record"] == 0 and after["portal_inpres"] == 58
            assert after["portal_instansi"] == 37 and after["portal_gambar_type"] == 3
            assert names[9] == "Lainnya" and names[5] == "Balita"
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_portal_export_of_the_demo_data_stays_in_the_portal_lists(
    app, runner, login_as
):
    """The acceptance check: every value of the demo year's export is one of the
    portal's, free text only under Lainnya; every month, every kind."""
    assert (
        runner.invoke(args=["demo-data", "--password", "demo-sandi-panjang"]).exit_code
        == 0
    )
    client = login_as(factories.make_user("staf"))
    allowed = {
        "Seksi Kegiatan": {r["name"] for r in _csv_ids("portal_kategori.csv").values()},
        "Peserta Kegiatan": {
            r["name"] for r in _csv_ids("portal_sasaran.csv").values()
        },
        "Instansi": {r["name"] for r in _csv_ids("portal_instansi.csv").values()},
        "Jenis Post": {"Kegiatan", "Sebelum - Sesudah"},
    }
    kinds, month, seen = set(), today_wib().replace(day=1), 0
    for _ in range(3):
        response = client.get(f"/portal/ekspor?bulan={month:%Y-%m}&format=csv")
        text = response.get_data(as_text=True).lstrip("\ufeff")
        for row in csv.DictReader(io.StringIO(text)):
            seen += 1
            kinds.add(row["Jenis catatan"])
            for column, names in allowed.items():
                for value in filter(None, row[column].split(", ")):
                    assert value in names, (column, value)
            for column, ids in (("Peserta Kegiatan", 9), ("Instansi", 37)):
                if row[f"{column} Lainnya"]:
                    assert str(ids) in row[f"{column} (id)"].split(", ")
        month = (month - dt.timedelta(days=1)).replace(day=1)
    assert seen and {"KIE/advokasi", "Rapat", "Layanan Posyandu/PAUD"} <= kinds


def test_inpres_kegiatan_matching_the_judul_come_first_as_on_the_portal(app, login_as):
    from kkbweb.portal.defaults import inpres_matches

    assert 5 in inpres_matches("Penyuluhan BKB Melati")  # "Bina Keluarga Balita (BKB)"
    assert inpres_matches("Rapat") == [] and inpres_matches("") == []
    client = login_as(_pokja_user())
    session = _bkb_session()
    page = client.get(_url("poktan", session.id, suffix="/ubah")).get_data(as_text=True)
    options = page.split('id="inpres_id"')[1].split("</select>")[0]
    first = options.split("<option")[2]  # after "* Lainnya"
    assert "\u2605" in first
    assert "\u2605 5. Bina Keluarga Balita (BKB)" in options


def test_a_forged_photo_reference_is_refused_not_a_crash(app, login_as):
    client = login_as(_pokja_user())
    entry = _kie(photo=True)
    other = _kie("Bendungan", photo=True)  # another Pokja's photo
    url = _url("kie", entry.id, suffix="/ubah")
    form = _form_of(client, url)
    for ref in ("t:" + "a" * 32 + ".jpg", f"kie:{entry_photo(app, other.id)}", "p:0"):
        form["foto-0-ref"] = ref
        response = client.post(url, data=form)
        assert response.status_code == 200, ref
        assert "foto tidak ditemukan, pilih ulang" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PortalRecord)) == 0


def test_a_copy_of_the_form_saved_meanwhile_is_updated_not_duplicated(
    app, login_as, monkeypatch
):
    """Two copies of the confirm form: the second saves over the first's record
    (read again once its photos are decoded), never a second row or a 500."""
    from sqlalchemy import text

    from kkbweb.portal import pages

    client = login_as(_pokja_user())
    entry = _kie(photo=True)
    url = _url("kie", entry.id, suffix="/ubah")
    form = _form_of(client, url)
    first = dict(form, judul="Salinan pertama")
    assert client.post(url, data=first).status_code == 303
    with app.app_context():
        db.session.execute(text("DELETE FROM portal_record"))
        db.session.commit()
    real = pages.read_slots
    raced = []

    def racing(*args, **kwargs):
        # Another copy stores the record while this one decodes its photos.
        found = real(*args, **kwargs)
        if not raced:
            raced.append(True)
            assert client_b.post(url, data=first).status_code == 303
        return found

    client_b = app.test_client()
    factories.put_in_session(client_b, _pokja_user())
    monkeypatch.setattr(pages, "read_slots", racing)
    second = dict(form, judul="Salinan kedua")
    assert client.post(url, data=second).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(PortalRecord.judul)).all() == ["Salinan kedua"]


def test_the_copy_screens_own_javascript_stays_within_4_kb_gzipped(app, login_as):
    """QUALITY.md: <= 4 KB of our own JavaScript per page, compressed. The copy
    screen loads the outbox (offline.js, every page signed in) and copy.js; the
    service worker is only registered on a roll call."""
    import gzip
    import re

    client = login_as(_pokja_user())
    entry = _kie()
    screen = client.get(_url("kie", entry.id)).get_data(as_text=True)
    scripts = re.findall(r'<script src="/static/(js/[^"?]+)', screen)
    assert sorted(Path(s).name for s in scripts) == ["copy.js", "offline.js"]
    folder = Path(app.static_folder)
    total = sum(len(gzip.compress((folder / s).read_bytes(), 9)) for s in scripts)
    assert total <= 4096, total


# -- a month handed in --------------------------------------------------------------


def test_a_record_of_a_handed_in_month_saves_but_says_so_as_kie_entries_do(
    app, login_as
):
    """As KIE entries and meetings (kkbweb/reports/frozen.py): saving into a
    month whose report is handed in is announced, never refused; the upload
    mark changes no figure."""
    from kkbweb.reports.months import Month

    last = Month.of(today_wib()).previous()
    client = login_as(_pokja_user())
    unit = factories.make_unit()
    session = factories.make_unit_session(unit, date=last.date_bounds[0])
    from kkbweb.timeutil import utcnow

    factories.make_report(
        month=(last.year, last.month),
        status="diverifikasi",
        submitted_at=utcnow() - dt.timedelta(hours=1),
    )
    url = _url("layanan", session.id, suffix="/ubah")
    page = client.get(url).get_data(as_text=True)
    assert f"Laporan bulan {last.label} Pokja Ciwedus sudah diverifikasi" in page
    form = _form_of(client, url)
    form["foto-0-berkas"] = (io.BytesIO(factories.kie_jpeg()), "p.jpg")
    form["foto-0-keterangan"] = "Penimbangan"
    saved = client.post(url, data=form, content_type="multipart/form-data")
    assert saved.status_code == 303
    for page_url in (url, _url("layanan", session.id)):
        with count_queries(app) as q:
            assert client.get(page_url).status_code == 200
        assert q.count <= 8, "\n".join(s[:70] for s in q.statements)
    screen = client.get(_url("layanan", session.id)).get_data(as_text=True)
    assert f"Disimpan setelah laporan bulan {last.label}" in screen
    assert "berubah sejak diverifikasi" in screen
    # This month: no report can be handed in yet, so nothing to say.
    current = _posyandu_session(name="Posyandu Anggrek")
    page = client.get(_url("layanan", current.id, suffix="/ubah"))
    assert "Laporan bulan" not in page.get_data(as_text=True)
