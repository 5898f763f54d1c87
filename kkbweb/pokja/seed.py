"""Seed kecamatan and Pokja from the data file, idempotently."""

import csv
from pathlib import Path

from sqlalchemy import select

from kkbweb.extensions import db
from kkbweb.pokja.models import Kecamatan, Pokja

DATA_FILE = Path(__file__).parent / "data" / "pokja.csv"


def seed_pokja(path: Path = DATA_FILE) -> int:
    """Insert missing kecamatan and Pokja from the CSV; return the Pokja added."""
    kecamatan = {k.code: k for k in db.session.scalars(select(Kecamatan))}
    existing = set(db.session.scalars(select(Pokja.code)))
    added = 0
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kec = kecamatan.get(row["kode_kecamatan"])
            if kec is None:
                kec = Kecamatan(
                    code=row["kode_kecamatan"],
                    official_name=row["kecamatan_resmi"],
                    display_name=row["kecamatan"],
                )
                db.session.add(kec)
                kecamatan[kec.code] = kec
            if row["kode_kelurahan"] in existing:
                continue
            db.session.add(
                Pokja(
                    code=row["kode_kelurahan"],
                    official_name=row["nama_resmi"],
                    display_name=row["nama_tampilan"],
                    kecamatan=kec,
                )
            )
            added += 1
    return added
