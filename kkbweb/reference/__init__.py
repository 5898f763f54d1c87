"""The national portal's reference data, read from verbatim copies of the domain
CSVs (../shared/domain/portal_*.csv). Ground floor: no Flask, no feature.

The files in data/ are byte-for-byte copies (tests/test_portal_reference.py
compares them with the shared folder when it exists); they are never retyped.
The portal's ids are kept as they are: kategori 1-9, sasaran 1-9 (9 Lainnya),
instansi 1-37 (37 Lainnya), jenis post 1-2, photo types 1-3, Inpres kegiatan 1-58.
The migration 0013_portal loads them into the portal_* tables; the app reads the
same rows from here (no query needed for a label).
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# The copies kept in the repository (every portal_*.csv of the shared folder).
FILES = (
    "cilegon_wilayah.csv",
    "portal_inpres.csv",
    "portal_instansi.csv",
    "portal_jenis_post.csv",
    "portal_kategori.csv",
    "portal_operasional.csv",
    "portal_profil_options.csv",
    "portal_sasaran.csv",
)

KATEGORI_LAINNYA = 9
SASARAN_LAINNYA = 9
INSTANSI_LAINNYA = 37
JENIS_SEBELUM_SESUDAH = 1
JENIS_KEGIATAN = 2
FOTO_KEGIATAN = 1
FOTO_SEBELUM = 2
FOTO_SESUDAH = 3


@dataclass(frozen=True)
class Item:
    """One value of a portal list: its id and the label the portal shows."""

    id: int
    name: str
    parent_id: int | None = None  # a photo type's jenis post
    alias: str | None = None  # an instansi's alias


@dataclass(frozen=True)
class Inpres:
    """One Inpres kegiatan with its place in the tree (sasaran > program)."""

    id: int
    name: str
    sasaran_id: int
    sasaran: str
    program_id: int
    program: str
    indikator: str
    penanggung_jawab: str
    keywords: tuple[str, ...]


@cache
def rows(filename: str) -> tuple[dict, ...]:
    """The rows of one copied CSV, as dicts (header names as keys)."""
    if filename not in FILES:
        raise KeyError(filename)
    with (DATA / filename).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@cache
def kategori() -> tuple[Item, ...]:
    return tuple(Item(int(r["id"]), r["name"]) for r in rows("portal_kategori.csv"))


@cache
def sasaran() -> tuple[Item, ...]:
    return tuple(Item(int(r["id"]), r["name"]) for r in rows("portal_sasaran.csv"))


@cache
def instansi() -> tuple[Item, ...]:
    return tuple(
        Item(int(r["id"]), r["name"], alias=r["alias"] or None)
        for r in rows("portal_instansi.csv")
    )


def _posts(record_type: str) -> tuple[Item, ...]:
    return tuple(
        Item(int(r["id"]), r["name"], int(r["jenis_post_id"] or 0) or None)
        for r in rows("portal_jenis_post.csv")
        if r["record_type"] == record_type
    )


@cache
def jenis_post() -> tuple[Item, ...]:
    return _posts("jenis_post")


@cache
def gambar_types() -> tuple[Item, ...]:
    return _posts("gambar_type")


@cache
def inpres() -> tuple[Inpres, ...]:
    return tuple(
        Inpres(
            id=int(r["kegiatan_id"]),
            name=r["kegiatan"],
            sasaran_id=int(r["sasaran_id"]),
            sasaran=r["sasaran"],
            program_id=int(r["program_id"]),
            program=r["program"],
            indikator=r["indikator"],
            penanggung_jawab=r["penanggung_jawab"],
            keywords=tuple(k for k in r["keywords"].split("|") if k),
        )
        for r in rows("portal_inpres.csv")
    )


LISTS = {
    "kategori": kategori,
    "sasaran": sasaran,
    "instansi": instansi,
    "jenis_post": jenis_post,
    "gambar_type": gambar_types,
}


@cache
def names(list_name: str) -> dict[int, str]:
    """id -> the portal's label, for one list (kategori, sasaran, ...)."""
    return {item.id: item.name for item in LISTS[list_name]()}


@cache
def inpres_names() -> dict[int, str]:
    return {item.id: item.name for item in inpres()}


@cache
def profil_options(list_name: str) -> dict[int, str]:
    """id -> label of one profil list (program, sumber_dana, penggunaan_data,
    keluarga, kontrasepsi, non_kontrasepsi, operasional, frekuensi, ...)."""
    found = {
        int(r["id"]): r["name"]
        for filename in ("portal_profil_options.csv", "portal_operasional.csv")
        for r in rows(filename)
        if r["list"] == list_name
    }
    if not found:
        raise KeyError(list_name)
    return found


@dataclass(frozen=True)
class Kelurahan:
    """One of the 43 kelurahan of Kota Cilegon (cilegon_wilayah.csv)."""

    code: str  # 36.72.01.1004
    name: str
    kecamatan: str
    kecamatan_code: str


@cache
def kelurahan() -> tuple[Kelurahan, ...]:
    return tuple(
        Kelurahan(r["kode"], r["kelurahan"], r["kecamatan"], r["kode_kecamatan"])
        for r in rows("cilegon_wilayah.csv")
    )


@cache
def kelurahan_by_code() -> dict[str, Kelurahan]:
    return {k.code: k for k in kelurahan()}
