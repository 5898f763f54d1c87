"""Seed kecamatan and Pokja from the data file, idempotently."""

import csv
from pathlib import Path

from sqlalchemy import inspect, select

from kkbweb.extensions import db
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.pokja.service import kampung_for

DATA_FILE = Path(__file__).parent / "data" / "pokja.csv"


def seed_pokja(path: Path = DATA_FILE) -> int:
    """Insert missing kecamatan and Pokja from the CSV; return the Pokja added."""
    kecamatan = {k.code: k for k in db.session.scalars(select(Kecamatan))}
    existing = set(db.session.scalars(select(Pokja.code)))
    # Each Pokja comes with its Kampung KB, once the schema has them (the
    # migration tests seed databases made at revisions before 0016).
    with_kampung = inspect(db.session.connection()).has_table("kampung_kb")
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
            pokja = Pokja(
                code=row["kode_kelurahan"],
                official_name=row["nama_resmi"],
                display_name=row["nama_tampilan"],
                kecamatan=kec,
            )
            db.session.add(pokja)
            if with_kampung:
                db.session.add(kampung_for(pokja))
            added += 1
    return added
