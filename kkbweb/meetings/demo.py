"""Demo data: members for all 12 Pokja, a year of meetings with attendance, and the
27 May 2024 department orientation with all 12 Pokja.

`seed(scale)` is fast because everything goes in with bulk inserts; scale N covers
N years of history with more members per Pokja (scale 10: about a million
attendance rows). It does nothing if members already exist.
"""

import datetime as dt
import random
from types import SimpleNamespace

from sqlalchemy import func, insert, select

from kkbweb.audit.log import record
from kkbweb.auth.demo import demo_username
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.meetings import vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingPokja,
    Member,
)
from kkbweb.pokja.models import Pokja
from kkbweb.timeutil import today_wib, utcnow

ORIENTATION_DATE = dt.date(2024, 5, 27)
CHUNK = 20_000

FEMALE = [
    "Siti",
    "Nurhasanah",
    "Euis",
    "Iis",
    "Neneng",
    "Yeti",
    "Tati",
    "Lilis",
    "Rina",
    "Sri",
    "Dewi",
    "Ratna",
    "Umi",
    "Eni",
    "Aminah",
    "Fatimah",
    "Rohmah",
    "Hasanah",
    "Nurjanah",
    "Yuyun",
    "Imas",
    "Cucu",
    "Enung",
    "Entin",
    "Titin",
    "Aisyah",
    "Khodijah",
    "Mulyani",
    "Wartini",
    "Suryati",
    "Rukayah",
    "Mariam",
    "Nurlela",
    "Herawati",
    "Maesaroh",
    "Ipah",
    "Jubaedah",
    "Mimin",
    "Anah",
    "Atikah",
    "Nia",
    "Lina",
    "Desi",
    "Fitri",
    "Yanti",
    "Ani",
    "Erna",
    "Nining",
    "Ela",
    "Oom",
]
MALE = [
    "Ahmad",
    "Muhammad",
    "Asep",
    "Dedi",
    "Hendra",
    "Iwan",
    "Ujang",
    "Rudi",
    "Supriyadi",
    "Agus",
    "Bambang",
    "Jajang",
    "Ade",
    "Cecep",
    "Dadang",
    "Endang",
    "Yayan",
    "Ujang",
    "Encep",
    "Aceng",
    "Didi",
    "Tatang",
    "Maman",
    "Udin",
    "Jaenudin",
    "Romli",
    "Samsudin",
    "Sukardi",
    "Hasan",
    "Mulyadi",
    "Rohmat",
    "Sarip",
    "Juhri",
    "Sanusi",
    "Arif",
    "Budi",
    "Dodi",
    "Heri",
    "Irfan",
    "Wawan",
    "Jumadi",
    "Saepul",
    "Deden",
    "Ridwan",
    "Fauzi",
    "Hidayat",
    "Yusuf",
    "Kurnia",
]
FAMILY = [
    "Sunarya",
    "Hidayat",
    "Maulana",
    "Rahmawati",
    "Nurhayati",
    "Suryani",
    "Kurniasih",
    "Fauzi",
    "Hermawan",
    "Setiawan",
    "Saputra",
    "Sulaeman",
    "Komarudin",
    "Hasanudin",
    "Syarifudin",
    "Mulyana",
    "Rosita",
    "Wahyuni",
    "Sopiyan",
    "Fadilah",
    "Jamaludin",
    "Apriyani",
    "Marlina",
    "Rukmana",
    "Safitri",
    "Anwar",
    "Munawar",
    "Kosasih",
    "Ismail",
    "Hamdani",
    "Sobari",
    "Nawawi",
    "Zakaria",
    "Hanafi",
    "Tajudin",
    "Mahmudah",
    "Halimah",
    "Fitriani",
]
PLACES = (
    "Sekretariat Pokja Kampung KB {p}",
    "Aula Kantor Kelurahan {p}",
    "Balai Warga RW 0{rw}",
    "Posyandu Melati RW 0{rw}",
    "Rumah DataKu Kampung KB {p}",
    "Masjid Al-Ikhlas RW 0{rw}",
)
# kind: (every n months, share of members present) for each Pokja's own meetings.
POKJA_KINDS = {
    "rapat_pokja": (1, 0.72),
    "rakor_kelurahan": (1, 0.6),
    "poktan_bkb": (1, 0.5),
    "poktan_bkr": (1, 0.45),
    "poktan_bkl": (1, 0.5),
    "posyandu": (1, 0.55),
    "poktan_uppka": (2, 0.45),
    "poktan_pikr": (2, 0.4),
    "kader_imp": (2, 0.6),
    "minilok": (3, 0.65),
    "monev": (3, 0.6),
}
TITLES = {
    "rapat_pokja": "Rapat rutin Pokja bulan {m}",
    "rakor_kelurahan": "Rakor kelurahan bulan {m}",
    "poktan_bkb": "Pertemuan BKB bulan {m}",
    "poktan_bkr": "Pertemuan BKR bulan {m}",
    "poktan_bkl": "Pertemuan BKL bulan {m}",
    "posyandu": "Posyandu bulan {m}",
    "poktan_uppka": "Pertemuan UPPKA bulan {m}",
    "poktan_pikr": "Pertemuan PIK-R bulan {m}",
    "kader_imp": "Pertemuan kader IMP bulan {m}",
    "minilok": "Lokakarya mini triwulan {m}",
    "monev": "Monev kegiatan Kampung KB {m}",
    "rapat_perencanaan": "Penyusunan RKM tahun {y}",
    "staff_meeting_plkb": "Staff meeting PLKB bulan {m}",
}
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MINUTES = (
    "Pertemuan dibuka oleh ketua Pokja. Dibahas capaian kegiatan bulan lalu, "
    "kendala pendataan keluarga, dan rencana kegiatan bulan depan.",
    "Kader melaporkan jumlah peserta poktan dan kunjungan rumah. Disepakati "
    "pembagian tugas untuk pelayanan bulan depan.",
    "PLKB menyampaikan materi 8 fungsi keluarga dan pencegahan stunting. "
    "Peserta aktif bertanya tentang layanan KB dan akta kelahiran.",
)
FOLLOW_UPS = (
    "Sekretaris menyusun laporan bulanan\nKoordinator seksi reproduksi mendata PUS",
    "Ketua mengirim surat undangan ke RT/RW\nBendahara menyiapkan konsumsi",
    "Kader mendampingi warga yang belum punya akta kelahiran ke Disdukcapil",
)


def seed(scale: int = 1) -> dict[str, int]:
    """Add demo members, meetings and attendance; skip if members exist."""
    if db.session.scalar(select(func.count()).select_from(Member)):
        return {"members": 0, "meetings": 0, "attendance": 0}
    scale = max(1, int(scale))
    rng = random.Random(20240527)
    today = today_wib()
    start = today - dt.timedelta(days=365 * scale)
    pokja = db.session.execute(
        select(Pokja.id, Pokja.display_name).order_by(Pokja.id)
    ).all()
    users = dict(db.session.execute(select(User.username, User.id)).all())
    department_user = users.get("demo.penyelenggara")

    members = _members(rng, pokja, start, scale)
    ids = db.session.scalars(
        insert(Member).returning(Member.id, sort_by_parameter_order=True), members
    ).all()
    roster: dict[int, list[dict]] = {}
    for member_id, member in zip(ids, members, strict=True):
        member["id"] = member_id
        roster.setdefault(member["pokja_id"], []).append(member)

    meetings = []  # (row, invited pokja ids, share present, only_unsur)
    for pokja_id, name in pokja:
        organiser = users.get(demo_username(SimpleNamespace(display_name=name)))
        meetings += _pokja_meetings(rng, pokja_id, name, organiser, start, today)
    meetings += _department_meetings(
        rng, [p for p, _ in pokja], department_user, start, today
    )
    meetings.append(_orientation(pokja, department_user))
    meeting_ids = db.session.scalars(
        insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True),
        [m[0] for m in meetings],
    ).all()
    db.session.execute(
        insert(MeetingPokja),
        [
            {"meeting_id": meeting_id, "pokja_id": pid}
            for meeting_id, (_row, invited, *_rest) in zip(
                meeting_ids, meetings, strict=True
            )
            for pid in invited
        ],
    )

    marks = 0
    batch: list[dict] = []
    marked_at = utcnow()
    for meeting_id, (row, invited, share, only) in zip(
        meeting_ids, meetings, strict=True
    ):
        if row["status"] == vocab.SCHEDULED:
            continue
        for pid in invited:
            for member in roster.get(pid, ()):
                status = _status(rng, row, member, share, only)
                if status is None:
                    continue
                batch.append(
                    {
                        "meeting_id": meeting_id,
                        "member_id": member["id"],
                        "pokja_id": pid,
                        "status": status,
                        "marked_by_id": row["organiser_id"],
                        "marked_at": marked_at,
                    }
                )
        if len(batch) >= CHUNK:
            db.session.execute(insert(Attendance.__table__), batch)
            marks += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(Attendance.__table__), batch)
        marks += len(batch)
    _orientation_guests(meeting_ids[-1], department_user)
    counts = {"members": len(ids), "meetings": len(meeting_ids), "attendance": marks}
    record("demo.seed", entity_type="meeting", after=counts, note="data demo rapat")
    return counts


def _name(rng: random.Random, sex: str, title: str = "") -> str:
    """A Banten-style Indonesian name."""
    first = rng.choice(FEMALE if sex == "P" else MALE)
    name = f"{first} {rng.choice(FAMILY)}"
    return f"{title} {name}".strip()


def _members(rng, pokja, start: dt.date, scale: int) -> list[dict]:
    """Pengurus and kader of each Pokja, realistic in jabatan, seksi and unsur."""
    seksi = list(vocab.DEFAULT_SEKSI)
    factor = 1 + (scale - 1) // 4
    rows = []
    for pokja_id, _pokja_name in pokja:
        seen: set[str] = set()
        board = [
            ("pelindung", None, "aparatur_kelurahan", "L", "", ", S.IP."),
            ("penasehat", None, "tokoh_agama", "L", "H.", ""),
            ("ketua", None, "pkk", "P", "Hj.", ""),
            ("wakil_ketua", None, "ppkbd", "L", "", ""),
            ("sekretaris", None, "sub_ppkbd", "P", "", ""),
            ("bendahara", None, "pkk", "P", "", ""),
            ("anggota", None, "plkb", "P", "", ", S.Sos."),
            ("anggota", "reproduksi", "bidan_nakes", "P", "", ", A.Md.Keb."),
        ] + [("koordinator_seksi", s, None, None, "", "") for s in seksi]
        count = rng.randint(25, 40) * factor
        while len(board) < count:
            unsur = rng.choice(
                [
                    "rt_rw",
                    "pkk",
                    "pkk",
                    "sub_ppkbd",
                    "karang_taruna",
                    "tokoh_masyarakat",
                ]
            )
            board.append(("anggota", rng.choice(seksi), unsur, None, "", ""))
        for jabatan, seksi_key, unsur, sex, title, suffix in board:
            sex = sex or ("P" if rng.random() < 0.7 else "L")
            unsur = unsur or rng.choice(
                ["pkk", "sub_ppkbd", "tokoh_masyarakat", "rt_rw"]
            )
            name = _name(rng, sex, title) + suffix
            while name in seen:
                name = _name(rng, sex, title) + suffix
            seen.add(name)
            joined = start - dt.timedelta(days=rng.randint(30, 2000))
            if rng.random() < 0.1:  # joined during the period
                joined = start + dt.timedelta(days=rng.randint(0, 300))
            left = None
            if jabatan == "anggota" and rng.random() < 0.05:
                left = joined + dt.timedelta(days=rng.randint(200, 500))
            rows.append(
                {
                    "pokja_id": pokja_id,
                    "name": name,
                    "sex": sex,
                    "jabatan": jabatan,
                    "seksi": seksi_key,
                    "unsur": unsur,
                    "phone": f"08{rng.randint(11, 59)}{rng.randint(10**7, 10**8 - 1)}"
                    if rng.random() < 0.6
                    else None,
                    "active_from": joined,
                    "active_until": left,
                    "is_active": left is None or left >= today_wib(),
                }
            )
    return rows


def _meeting_row(rng, kind, title, day, place, organiser, today) -> dict:
    """A meeting's columns; past ones are finished and carry minutes."""
    if day < today:
        status = vocab.FINISHED
    elif day == today:
        status = vocab.ONGOING
    else:
        status = vocab.SCHEDULED
    finished = status == vocab.FINISHED
    return {
        "kind": kind,
        "title": title,
        "date": day,
        "start_time": dt.time(
            rng.choice((8, 9, 9, 13, 14, 19)), rng.choice((0, 0, 30))
        ),
        "place": place,
        "agenda": "1. Pembukaan\n2. Laporan kegiatan\n3. Pembahasan\n4. Penutup",
        "minutes": rng.choice(MINUTES) if finished and rng.random() < 0.6 else None,
        "follow_ups": rng.choice(FOLLOW_UPS)
        if finished and rng.random() < 0.4
        else None,
        "status": status,
        "organiser_id": organiser,
        "created_by_id": organiser,
    }


def _months(start: dt.date, end: dt.date):
    """(year, month) from start's month through end's month."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _pokja_meetings(rng, pokja_id, name, organiser, start, today) -> list:
    """A Pokja's own calendar: monthly, bimonthly and quarterly meetings."""
    end = today + dt.timedelta(days=21)
    result = []
    for year, month in _months(start, end):
        label = f"{MONTHS[month - 1]} {year}"
        kinds = [k for k, (every, _) in POKJA_KINDS.items() if month % every == 0]
        if month == 1:
            kinds.append("rapat_perencanaan")
        for kind in kinds:
            day = dt.date(year, month, rng.randint(3, 26))
            if not start <= day <= end:
                continue
            place = rng.choice(PLACES).format(p=name, rw=rng.randint(1, 9))
            title = TITLES[kind].format(m=label, y=year)
            row = _meeting_row(rng, kind, title, day, place, organiser, today)
            share = POKJA_KINDS.get(kind, (1, 0.7))[1]
            result.append((row, [pokja_id], share, None))
    return result


def _department_meetings(rng, pokja_ids, organiser, start, today) -> list:
    """Monthly staff meetings of the PLKB with every Pokja invited."""
    result = []
    for year, month in _months(start, today):
        day = dt.date(year, month, rng.randint(5, 12))
        if not start <= day <= today:
            continue
        title = TITLES["staff_meeting_plkb"].format(m=f"{MONTHS[month - 1]} {year}")
        place = "Ruang rapat Bidang Pengendalian Penduduk dan KB, DP3AP2KB"
        row = _meeting_row(
            rng, "staff_meeting_plkb", title, day, place, organiser, today
        )
        result.append((row, pokja_ids, 0.9, "plkb"))
    return result


def _orientation(pokja, organiser) -> tuple:
    """The 27 May 2024 orientation of all 12 Pokja by the department."""
    row = {
        "kind": "orientasi",
        "title": "Orientasi Pokja Kampung KB",
        "date": ORIENTATION_DATE,
        "start_time": dt.time(8, 30),
        "place": "Aula DP3AP2KB Kota Cilegon",
        "agenda": (
            "1. Pembukaan dan sambutan Kepala DP3AP2KB Kota Cilegon\n"
            "2. Orientasi tugas dan fungsi Pokja Kampung KB\n"
            "3. Membangun kerja sama lintas sektor\n"
            "4. Diskusi dan rencana tindak lanjut"
        ),
        "minutes": (
            "Orientasi diikuti perwakilan 12 Pokja Kampung KB se-Kota Cilegon. "
            "Disepakati penguatan kerja sama lintas sektor untuk pelayanan KB, "
            "posyandu, dan dokumen kependudukan."
        ),
        "follow_ups": (
            "Setiap Pokja memperbarui data anggota\n"
            "Setiap Pokja menyusun rencana kegiatan masyarakat (RKM)\n"
            "Dinas memfasilitasi pertemuan dengan Disdukcapil dan KUA"
        ),
        "status": vocab.FINISHED,
        "organiser_id": organiser,
        "created_by_id": organiser,
    }
    return (row, [p for p, _ in pokja], 1.0, "orientasi")


def _status(rng, meeting: dict, member: dict, share: float, only: str | None):
    """A member's status at a meeting, or None when not on the roster or unmarked."""
    day = meeting["date"]
    if member["active_from"] and member["active_from"] > day:
        return None
    if member["active_until"] and member["active_until"] < day:
        return None
    if only == "orientasi":
        # Each Pokja sent its pengurus; the rest were not expected.
        if member["jabatan"] in ("ketua", "sekretaris", "bendahara", "wakil_ketua"):
            return "hadir" if rng.random() < 0.9 else "izin"
        return None
    if only and member["unsur"] != only:
        return None
    if member["jabatan"] in ("ketua", "sekretaris"):
        share = min(share + 0.15, 0.95)
    draw = rng.random()
    if draw < share:
        return "hadir"
    rest = (draw - share) / (1 - share)
    if rest < 0.3:
        return "izin"
    if rest < 0.45:
        return "sakit"
    if rest < 0.85:
        return "tidak_hadir"
    return None  # not marked


def _orientation_guests(meeting_id: int, organiser) -> None:
    """The cross-sector partners who came to the orientation."""
    guests = [
        ("Perwakilan Disdukcapil Kota Cilegon", "L", "Disdukcapil"),
        ("Perwakilan Kantor Kemenag Kota Cilegon", "L", "Kemenag (KUA)"),
        ("Perwakilan Dinas Kesehatan", "P", "Dinas Kesehatan"),
        ("Koordinator PKB Kota Cilegon", "P", "Perwakilan BKKBN Provinsi Banten"),
    ]
    db.session.execute(
        insert(MeetingGuest),
        [
            {
                "meeting_id": meeting_id,
                "name": name,
                "sex": sex,
                "affiliation": affiliation,
                "pokja_id": None,
                "created_by_id": organiser,
            }
            for name, sex, affiliation in guests
        ],
    )
