"""Demo KIE data: campaigns and realistic activity logs for every Pokja.

`seed(scale)` covers `scale` years back from today with about 7 x scale entries per
Pokja per month: scale 1 gives a year (~1,000 entries for 12 Pokja), scale 10 ten
years of a busier programme (~100,000 entries), the benchmarks' 10x volume.
Deterministic (fixed random seed) and bulk-inserted.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from kkbweb.audit.log import record
from kkbweb.auth import roles
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.kie.models import (
    KieActivity,
    KieCampaign,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.kie.vocab import default_rows
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.timeutil import WIB, today_wib, utcnow

BATCH = 2_000

POSYANDU = ["Mawar", "Melati", "Anggrek", "Dahlia", "Kenanga", "Flamboyan",
            "Cempaka", "Teratai", "Seruni", "Bougenville"]  # fmt: skip
MASJID = ["Al-Ikhlas", "Nurul Huda", "Al-Hidayah", "At-Taqwa", "Baitussalam",
          "Al-Muhajirin", "Nurul Iman"]  # fmt: skip
PIKR = ["Generasi Emas", "Remaja Hebat", "Bina Remaja", "Cahaya Muda"]
SEKOLAH = ["SMP Negeri 1 Cilegon", "SMP Negeri 4 Cilegon", "SMA Negeri 2 Cilegon",
           "SMK Negeri 1 Cilegon", "MTs Al-Khairiyah", "MA Al-Khairiyah"]  # fmt: skip
BKB = ["Tunas Harapan", "Ceria", "Permata Hati", "Buah Hati"]
BKL = ["Sehat Bahagia", "Lestari", "Sejahtera"]
UPPKA = ["Maju Bersama", "Sejahtera", "Mandiri"]
BIDAN = ["Bidan Siti Rohmah", "Bidan Nurhayati", "Bidan Euis Kartini",
         "Bidan Ratna Dewi", "Bidan Yeni Marlina"]  # fmt: skip
KADER = ["Ibu Yuyun Yuningsih", "Ibu Rohayati", "Ibu Enung Nurjanah",
         "Ibu Tati Suryati", "Ibu Iis Aisyah"]  # fmt: skip
TOPIC_TITLES = {
    "stunting": "cegah stunting",
    "kb": "KB dan kontrasepsi",
    "pup": "pendewasaan usia perkawinan",
    "gizi_asi": "ASI eksklusif",
    "hpk_1000": "1000 hari pertama kehidupan",
    "kespro_remaja": "kesehatan reproduksi remaja",
}


@dataclass(frozen=True)
class Scenario:
    """A kind of activity Pokja really run, with plausible ranges."""

    weight: int
    activity_type: str
    method: str
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    media: tuple[str, ...]
    kategori: str
    title: str
    place: str
    speaker: str
    mitra: str
    male: tuple[int, int]
    female: tuple[int, int]
    reach: tuple[int, int] | None = None


SCENARIOS = [
    Scenario(9, "kie", "tatap_muka", ("stunting", "gizi_asi", "hpk_1000"),
             ("ibu_hamil", "keluarga_balita"), ("lembar_balik", "leaflet"),
             "sosialisasi_pendidikan",
             "Sosialisasi pencegahan stunting di Posyandu {posyandu} RW {rw}",
             "Posyandu {posyandu} RW {rw}", "{bidan}",
             "Puskesmas {kec}, TP PKK Kelurahan",
             (0, 5), (15, 45)),
    Scenario(7, "kie", "kunjungan_rumah", ("stunting", "gizi_asi"),
             ("keluarga_balita",), ("kie_kit",), "kasih_sayang",
             "Kunjungan rumah keluarga balita berisiko stunting RT {rt}/RW {rw}",
             "Rumah warga RT {rt}/RW {rw}", "{kader}", "",
             (1, 3), (1, 4)),
    Scenario(6, "kie", "tatap_muka", ("kb", "fungsi_keluarga"), ("pus", "wus"),
             ("lembar_balik", "leaflet"), "reproduksi",
             "Penyuluhan KB dan kontrasepsi bagi PUS di Majelis Taklim {masjid}",
             "Majelis Taklim {masjid}", "PKB Kecamatan {kec}", "Puskesmas {kec}",
             (0, 5), (20, 60)),
    Scenario(4, "kie", "konseling", ("kespro_remaja", "pup"), ("remaja",), (),
             "reproduksi", "Konseling kespro remaja di PIK-R {pikr}",
             "Sekretariat PIK-R {pikr}", "Konselor sebaya PIK-R {pikr}", "",
             (1, 6), (1, 8)),
    Scenario(4, "kie", "tatap_muka", ("pup", "kespro_remaja"), ("remaja",),
             ("poster", "video"), "sosialisasi_pendidikan",
             "Sosialisasi pendewasaan usia perkawinan di {sekolah}", "{sekolah}",
             "PKB Kecamatan {kec}", "Sekolah/madrasah, KUA Kecamatan {kec}",
             (20, 60), (20, 60)),
    Scenario(3, "kie", "tatap_muka", ("pup", "kb", "hpk_1000"), ("catin",),
             ("leaflet",), "reproduksi",
             "Bimbingan pranikah bagi catin di KUA Kecamatan {kec}",
             "KUA Kecamatan {kec}", "Penyuluh KUA Kecamatan {kec}",
             "KUA Kecamatan {kec}, Puskesmas {kec}", (5, 15), (5, 15)),
    Scenario(5, "kie", "tatap_muka", ("pengasuhan", "fungsi_keluarga"),
             ("keluarga_balita",), ("kie_kit",), "kasih_sayang",
             "Pertemuan BKB {bkb}: pengasuhan anak usia dini", "Balai RW {rw}",
             "{kader}", "TP PKK Kelurahan", (0, 3), (15, 30)),
    Scenario(3, "kie", "tatap_muka", ("fungsi_keluarga",),
             ("keluarga_lansia", "lansia"), (), "sosial_budaya",
             "Pertemuan BKL {bkl}: lansia tangguh dan sehat", "Balai RW {rw}",
             "{kader}", "Puskesmas {kec}", (5, 15), (10, 25)),
    Scenario(3, "kie", "tatap_muka", ("adminduk",), ("pus", "keluarga_balita"),
             ("leaflet", "spanduk"), "perlindungan",
             "Sosialisasi kepemilikan akta kelahiran dan KIA di Aula Kelurahan {pokja}",
             "Aula Kantor Kelurahan {pokja}", "Petugas Disdukcapil Kota Cilegon",
             "Disdukcapil, Kantor Kelurahan", (5, 20), (15, 40)),
    Scenario(2, "kie", "tatap_muka", ("kekerasan", "pengasuhan"),
             ("keluarga_remaja", "tokoh_masyarakat", "umum"), ("poster",),
             "perlindungan",
             "Sosialisasi pencegahan kekerasan terhadap perempuan dan anak di RW {rw}",
             "Balai RW {rw}", "Ketua Pokja Kampung KB {pokja}",
             "Babinsa/Bhabinkamtibmas, Kantor Kelurahan", (10, 25), (15, 35)),
    Scenario(3, "kie", "tatap_muka", ("ekonomi_keluarga",), ("pus",), (),
             "ekonomi", "Pelatihan olahan pangan lokal kelompok UPPKA {uppka}",
             "Sekretariat Kampung KB {pokja}", "Ketua UPPKA {uppka}",
             "TP PKK Kelurahan", (0, 4), (10, 25)),
    Scenario(4, "kie", "media_sosial", ("stunting", "kb"), ("pus", "remaja", "umum"),
             ("konten_medsos", "video"), "sosialisasi_pendidikan",
             "Unggah konten Instagram Kampung KB {pokja}: {topic_title}",
             "Akun Instagram Kampung KB {pokja}", "Tim media Pokja {pokja}", "",
             (0, 0), (0, 0), (200, 3_000)),
    Scenario(1, "kie", "radio", ("kb", "pup"), ("umum",), (),
             "sosialisasi_pendidikan",
             "Dialog interaktif radio tentang {topic_title}", "Studio radio di Cilegon",
             "PKB Kecamatan {kec}", "Perwakilan BKKBN Banten",
             (1, 2), (1, 2), (1_000, 10_000)),
    Scenario(1, "kie", "mupen", ("kb", "stunting"), ("umum", "pus"),
             ("video", "spanduk"), "sosialisasi_pendidikan",
             "Penerangan keliling MUPEN di Kelurahan {pokja}", "Lapangan RW {rw}",
             "Petugas MUPEN DP3AP2KB", "Perwakilan BKKBN Banten",
             (10, 40), (20, 60), (300, 1_500)),
    Scenario(2, "kie", "kie_massa", ("stunting", "kb"), ("umum",),
             ("spanduk", "leaflet"), "sosialisasi_pendidikan",
             "Pembagian leaflet {topic_title} di pasar Kelurahan {pokja}",
             "Pasar Kelurahan {pokja}", "Kader Kampung KB {pokja}", "",
             (30, 80), (40, 100), (300, 2_000)),
    Scenario(2, "advokasi", "tatap_muka", ("stunting",), ("tokoh_masyarakat",), (),
             "lainnya",
             "Advokasi dukungan anggaran penanganan stunting kepada Lurah {pokja}",
             "Kantor Kelurahan {pokja}", "Ketua Pokja Kampung KB {pokja}",
             "Kantor Kelurahan", (3, 8), (2, 6)),
    Scenario(1, "advokasi", "tatap_muka", ("pup", "kekerasan"), ("tokoh_masyarakat",),
             (), "keagamaan",
             "Audiensi dengan tokoh agama tentang pencegahan perkawinan anak",
             "Masjid {masjid}", "Ketua Pokja Kampung KB {pokja}",
             "KUA Kecamatan {kec}", (5, 15), (1, 5)),
    Scenario(2, "kie", "tatap_muka", ("stunting",), ("umum",), ("poster",),
             "pembinaan_lingkungan",
             "Penyuluhan rumah sehat dan jamban keluarga RW {rw}", "Balai RW {rw}",
             "Sanitarian Puskesmas {kec}", "Puskesmas {kec}", (10, 25), (10, 25)),
]  # fmt: skip

# (name, theme, start month/day, end month/day, how many Pokja, scenario topics)
CAMPAIGNS = [
    ("Cegah Stunting Juni {year}", "Sosialisasi pencegahan stunting dan 1000 HPK",
     (6, 1), (6, 30), 12, "stunting"),
    ("Hari Keluarga Nasional {year}", "Keluarga berkualitas menuju Indonesia Emas",
     (7, 1), (7, 31), 12, "fungsi_keluarga"),
    ("Pekan ASI Sedunia {year}", "Dukungan ASI eksklusif bagi ibu menyusui",
     (8, 1), (8, 14), 6, "gizi_asi"),
    ("Gerakan PUP Remaja {year}", "Pendewasaan usia perkawinan bagi remaja dan catin",
     (10, 1), (10, 31), 5, "pup"),
    ("Gebyar Akta Kelahiran {year}", "Kepemilikan akta kelahiran dan KIA",
     (11, 1), (11, 30), 4, "adminduk"),
]  # fmt: skip


def seed_terms() -> int:
    """Insert the default vocabulary terms that are missing; return how many."""
    existing = {
        tuple(row) for row in db.session.execute(select(KieTerm.kind, KieTerm.code))
    }
    missing = [r for r in default_rows() if (r["kind"], r["code"]) not in existing]
    if missing:
        db.session.execute(insert(KieTerm), missing)
    return len(missing)


def seed(scale: int = 1) -> int:
    """Add campaigns and activity logs unless KIE data exists; return entries made."""
    seed_terms()
    if db.session.scalar(select(func.count()).select_from(KieActivity)):
        return 0
    scale = max(1, int(scale))
    rng = random.Random(20240527)
    terms = {
        (kind, code): term_id
        for term_id, kind, code in db.session.execute(
            select(KieTerm.id, KieTerm.kind, KieTerm.code)
        )
    }
    pokja = db.session.execute(
        select(Pokja.id, Pokja.display_name, Kecamatan.display_name)
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.id)
    ).all()
    if not pokja:
        return 0
    authors = _authors()
    today = today_wib()
    first = _add_months(today.replace(day=1), -(12 * scale - 1))
    campaigns = _seed_campaigns(rng, [p[0] for p in pokja], first, today, authors)

    scenarios = [s for s in SCENARIOS for _ in range(s.weight)]
    rows, links = [], []
    made = 0
    for pokja_id, pokja_name, kecamatan in pokja:
        month = first
        while month <= today:
            last_day = min(_add_months(month, 1) - timedelta(days=1), today)
            for _ in range(rng.randint(4 * scale, 10 * scale)):
                day = month + timedelta(days=rng.randint(0, (last_day - month).days))
                campaign = _campaign_for(campaigns, pokja_id, day, rng)
                scenario = _scenario(rng, scenarios, campaign)
                row, term_ids = _entry(
                    rng, scenario, terms, pokja_id, pokja_name, kecamatan, day
                )
                row["campaign_id"] = campaign[0] if campaign else None
                row["created_by_id"] = authors.get(pokja_id, authors.get(None))
                rows.append(row)
                links.append(term_ids)
                if len(rows) >= BATCH:
                    made += _flush(rows, links)
                    rows, links = [], []
            month = _add_months(month, 1)
    made += _flush(rows, links)
    record(
        "kie.demo_seed",
        entity_type="kie_activity",
        note=f"data demo: {made} kegiatan, {len(campaigns)} kampanye (skala {scale})",
    )
    return made


def _authors() -> dict[int | None, int]:
    """Who typed the demo entries: the Pokja's own user, else a staf or admin."""
    authors: dict[int | None, int] = {}
    for user_id, role, pokja_id in db.session.execute(
        select(User.id, User.role, User.pokja_id).order_by(User.id)
    ):
        if role == roles.POKJA and pokja_id is not None:
            authors.setdefault(pokja_id, user_id)
        elif role in (roles.STAF, roles.ADMIN):
            authors.setdefault(None, user_id)
    return authors


def _seed_campaigns(rng, pokja_ids, first: date, today: date, authors) -> list[tuple]:
    """Yearly campaigns within the period; return (id, start, end, pokja, topic)."""
    made = []
    for year in range(first.year, today.year + 1):
        for name, theme, start_md, end_md, how_many, topic in CAMPAIGNS:
            start, end = date(year, *start_md), date(year, *end_md)
            if start > today or end < first:
                continue
            members = sorted(rng.sample(pokja_ids, min(how_many, len(pokja_ids))))
            campaign_id = db.session.execute(
                insert(KieCampaign).returning(KieCampaign.id),
                {
                    "name": name.format(year=year),
                    "theme": theme,
                    "start_date": start,
                    "end_date": end,
                    "created_by_id": authors.get(None),
                    "created_at": _typed_at(start - timedelta(days=14)),
                    "updated_at": _typed_at(start - timedelta(days=14)),
                },
            ).scalar_one()
            db.session.execute(
                insert(kie_campaign_pokja),
                [{"campaign_id": campaign_id, "pokja_id": p} for p in members],
            )
            made.append((campaign_id, start, end, set(members), topic))
    return made


def _campaign_for(campaigns, pokja_id: int, day: date, rng):
    """Most entries in a campaign's period and Pokja belong to it."""
    for campaign in campaigns:
        _, start, end, members, _ = campaign
        if start <= day <= end and pokja_id in members and rng.random() < 0.7:
            return campaign
    return None


def _scenario(rng, scenarios, campaign) -> Scenario:
    """A random scenario; within a campaign, one about its topic."""
    if campaign is not None:
        topic = campaign[4]
        fitting = [s for s in scenarios if topic in s.topics]
        if fitting:
            return rng.choice(fitting)
    return rng.choice(scenarios)


def _entry(rng, s: Scenario, terms, pokja_id, pokja_name, kecamatan, day):
    """One activity row (dict) and its term ids."""
    topics = list(s.topics)
    if len(topics) > 1 and rng.random() < 0.3:
        topics = topics[: rng.randint(1, len(topics))]
    words = {
        "posyandu": rng.choice(POSYANDU),
        "masjid": rng.choice(MASJID),
        "pikr": rng.choice(PIKR),
        "sekolah": rng.choice(SEKOLAH),
        "bkb": rng.choice(BKB),
        "bkl": rng.choice(BKL),
        "uppka": rng.choice(UPPKA),
        "bidan": rng.choice(BIDAN),
        "kader": rng.choice(KADER),
        "rw": f"{rng.randint(1, 12):02d}",
        "rt": f"{rng.randint(1, 8):02d}",
        "pokja": pokja_name,
        "kec": kecamatan,
        "topic_title": TOPIC_TITLES.get(topics[0], topics[0].replace("_", " ")),
    }
    male, female = rng.randint(*s.male), rng.randint(*s.female)
    reach = rng.randint(*s.reach) if s.reach else None
    typed = _typed_at(day + timedelta(days=rng.choice((0, 0, 1, 2, 5))))
    row = {
        "pokja_id": pokja_id,
        "activity_date": day,
        "activity_type": s.activity_type,
        "method_id": terms[("method", s.method)],
        "kategori_id": terms[("kategori", s.kategori)],
        "title": s.title.format(**words)[:150],
        "place": s.place.format(**words)[:150],
        "speaker": s.speaker.format(**words)[:100] or None,
        "mitra": s.mitra.format(**words)[:200] or None,
        "participants_male": male,
        "participants_female": female,
        "estimated_reach": reach,
        "notes": None,
        "created_at": typed,
        "updated_at": typed,
        "form_token": f"{rng.getrandbits(128):032x}",
    }
    term_ids = [terms[("topic", t)] for t in topics]
    term_ids += [terms[("audience", a)] for a in s.audiences]
    term_ids += [terms[("media", m)] for m in s.media if rng.random() < 0.8]
    return row, term_ids


def _flush(rows: list[dict], links: list[list[int]]) -> int:
    """Insert a batch of entries, then their term links.

    A plain executemany without RETURNING, then one select of the new ids by
    their unique form tokens: ORM bulk inserts with RETURNING go row by row here.
    """
    if not rows:
        return 0
    db.session.execute(insert(KieActivity.__table__), rows)
    tokens = [row["form_token"] for row in rows]
    ids = dict(
        db.session.execute(
            select(KieActivity.form_token, KieActivity.id).where(
                KieActivity.form_token.in_(tokens)
            )
        ).all()
    )
    pairs = [
        {"activity_id": ids[token], "term_id": term_id}
        for token, term_ids in zip(tokens, links, strict=True)
        for term_id in term_ids
    ]
    if pairs:
        db.session.execute(insert(kie_activity_term), pairs)
    return len(rows)


def _typed_at(day: date) -> datetime:
    """Evening WIB of a day, as stored naive UTC, never in the future."""
    moment = datetime.combine(day, time(19, 30), WIB).astimezone(UTC)
    return min(moment.replace(tzinfo=None), utcnow())


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` away from the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
