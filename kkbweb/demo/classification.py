"""Demo profiles for every Kampung KB (three yearly snapshots each, so the board
shows classes and their history) and two PKB covering the kelurahan.
Idempotent: a Kampung KB that has a profile is left alone."""

import random

from sqlalchemy import select

from kkbweb.classification import service
from kkbweb.classification.models import KampungKb, KampungProfile, Pkb
from kkbweb.extensions import db
from kkbweb.timeutil import today_wib

PKB = (
    ("Ibu Rina Marlina, PKB", ("36.72.02", "36.72.01", "36.72.05", "36.72.07")),
    ("Bapak Dedi Supriadi, PKB", ("36.72.04", "36.72.08", "36.72.06", "36.72.03")),
)


def _figures(rng: random.Random, level: int) -> dict:
    """A plausible profile; a higher level fills more of it (0 new .. 3 mature)."""
    pus = rng.randint(180, 420)
    users = int(pus * rng.uniform(0.25 + 0.1 * level, 0.35 + 0.1 * level))
    mkjp = int(users * rng.uniform(0.12 + 0.04 * level, 0.2 + 0.04 * level))
    unmet = int(pus * rng.uniform(0.14 - 0.03 * level, 0.17 - 0.03 * level))
    kk = {str(k): rng.randint(60, 160) for k in (4, 5, 6)}
    kk |= {"1": pus, "2": int(pus * 1.6), "3": rng.randint(120, 320)}
    share = 0.08 + 0.07 * level
    return {
        "pokja_pengurusan": True,
        "pokja_sk": level > 0,
        "pokja_jumlah": rng.randint(9, 25),
        "pokja_pelatihan": level > 1,
        "pokja_jumlah_terlatih": rng.randint(2, 8) if level > 1 else 0,
        "sumber_dana": sorted(rng.sample(range(1, 7), 1 + level)),
        "program": sorted(
            rng.sample(range(1, 6), 2 + level)
            + ([6] if level else [])
            + ([7] if level > 2 else [])
        ),
        "plkb_pendamping": True,
        "regulasi": level > 1,
        "penggunaan_data": sorted(rng.sample(range(1, 6), level + 1)),
        "operasional": {str(i): 2 for i in range(1, 3 + level)},
        "penduduk": kk,
        "kkbpk": {
            "program": {
                p: int(kk[d] * rng.uniform(share, share + 0.1))
                for p, d in (("1", "4"), ("2", "5"), ("3", "6"), ("4", "2"), ("5", "3"))
            },
            "kontrasepsi": {
                "1": mkjp // 2,
                "5": mkjp - mkjp // 2,
                "6": (users - mkjp) * 2 // 3,
                "7": (users - mkjp) // 3,
            },
            "non_kontrasepsi": {
                "1": pus // 20,
                "2": pus // 10,
                "3": unmet // 2,
                "4": unmet - unmet // 2,
            },
        },
    }


def seed(scale: int = 1) -> None:
    done = set(db.session.scalars(select(KampungProfile.kampung_kb_id)))
    year = today_wib().year
    kampung = db.session.scalars(select(KampungKb).order_by(KampungKb.id)).all()
    for index, k in enumerate(kampung):
        if k.id in done:
            continue
        rng = random.Random(k.kelurahan_code)
        top = index % 4
        for back, level in enumerate(range(max(0, top - 2), top + 1)):
            service.add_profile(
                k, _figures(rng, level), [], (), (year - 2 + back, 1), None
            )
    if not db.session.scalar(select(Pkb.id).limit(1)):
        codes = [k.kelurahan_code for k in kampung]
        for name, kecamatan in PKB:
            db.session.add(
                Pkb(
                    name=name,
                    kelurahan_codes=[c for c in codes if c[:8] in kecamatan],
                )
            )
    db.session.flush()
