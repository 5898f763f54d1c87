"""Demo Posyandu and PAUD: 1-3 Posyandu and one PAUD per Pokja, named by RW,
with a monthly Posyandu day and weekly PAUD sessions and their counts.

`seed(scale)` covers 12 x scale months back from today. Deterministic and
bulk-inserted; the units' names are in data/units_names.csv.
"""

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from kkbweb.audit.log import record
from kkbweb.demo import column
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.timeutil import today_wib
from kkbweb.units import vocab
from kkbweb.units.models import ServiceSession, ServiceUnit

POSYANDU_NAMES = column("units_names", "name", kind=vocab.POSYANDU)
PAUD_NAMES = column("units_names", "name", kind=vocab.PAUD)
NOTES = (
    None,
    None,
    None,
    "Imunisasi dan pemberian vitamin A.",
    "Penyuluhan gizi oleh bidan kelurahan.",
    "PMT lokal: bubur kacang hijau.",
)


def seed(scale: int = 1) -> int:
    """Add units and their sessions unless units exist; return sessions made."""
    if db.session.scalar(select(func.count()).select_from(ServiceUnit)):
        return 0
    scale = max(1, int(scale))
    rng = random.Random(20240610)
    today = today_wib()
    first = _add_months(today.replace(day=1), -(12 * scale - 1))
    pokja_ids = db.session.scalars(
        select(Pokja.id).where(Pokja.is_active.is_(True)).order_by(Pokja.id)
    ).all()
    if not pokja_ids:
        return 0
    units = []
    for pokja_id in pokja_ids:
        rws = rng.sample(range(1, 13), 4)
        for i, name in enumerate(rng.sample(POSYANDU_NAMES, rng.randint(1, 3))):
            units.append(_unit(pokja_id, vocab.POSYANDU, f"Posyandu {name}", rws[i]))
        units.append(
            _unit(pokja_id, vocab.PAUD, f"PAUD {rng.choice(PAUD_NAMES)}", rws[3])
        )
    ids = db.session.execute(
        insert(ServiceUnit).returning(ServiceUnit.id, sort_by_parameter_order=True),
        units,
    ).scalars()
    sessions = []
    for unit, unit_id in zip(units, ids, strict=True):
        sessions += _sessions(rng, unit, unit_id, first, today)
    for start in range(0, len(sessions), 5_000):
        db.session.execute(insert(ServiceSession), sessions[start : start + 5_000])
    record(
        "units.demo_seed",
        entity_type="service_unit",
        note=f"data demo: {len(units)} unit, {len(sessions)} sesi (skala {scale})",
    )
    return len(sessions)


def _unit(pokja_id: int, kind: str, name: str, rw: int) -> dict:
    return {
        "pokja_id": pokja_id,
        "kind": kind,
        "name": f"{name} RW {rw:02d}",
        "rw": f"{rw:02d}",
        "is_active": True,
    }


def _sessions(rng, unit: dict, unit_id: int, first: date, today: date) -> list:
    """A Posyandu day each month; PAUD once a week (its attendance book's count)."""
    found = []
    enrolled = rng.randint(15, 35)
    balita = rng.randint(25, 60)
    month = first
    while month <= today:
        if unit["kind"] == vocab.POSYANDU:
            day = month + timedelta(days=rng.randint(7, 15))
            days = [day] if day <= today else []
        else:
            days = [
                d
                for d in (month + timedelta(days=2 + 7 * w) for w in range(4))
                if d <= today
            ]
        for day in days:
            row = {
                "unit_id": unit_id,
                "pokja_id": unit["pokja_id"],
                "date": day,
                "note": rng.choice(NOTES),
            }
            if unit["kind"] == vocab.POSYANDU:
                present = max(5, balita + rng.randint(-12, 6))
                row.update(
                    balita_present=present,
                    balita_weighed=present - rng.randint(0, 3),
                    ibu_hamil=rng.randint(1, 9),
                    kader_on_duty=rng.randint(3, 6),
                )
            else:
                row.update(
                    children_enrolled=enrolled,
                    children_present=enrolled - rng.randint(0, 7),
                )
            found.append(row)
        month = _add_months(month, 1)
    return found


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
