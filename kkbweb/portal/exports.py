"""The portal-shaped files: one row per intervensi (CSV/XLSX) and a ZIP of the
month's captioned photos. No Flask: the caller hands in the loaded rows.

Every list value is written with the portal's id and the portal's label; free
text only under Lainnya (sasaran 9, instansi 37), as the portal stores it.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from kkbweb import reference
from kkbweb.portal import vocab
from kkbweb.portal.defaults import Draft, Facts
from kkbweb.spreadsheets import csv_bytes, sheet_title, write_table


@dataclass
class Row:
    """One intervensi of the export: its source, draft and record state."""

    facts: Facts
    source_label: str
    draft: Draft
    record: object  # the stored PortalRecord, or None (defaults)


def _ids(targets) -> str:
    return ", ".join(str(i) for i in dict.fromkeys(t.portal_id for t in targets))


def _names(targets, list_name: str) -> str:
    names = reference.names(list_name)
    return ", ".join(dict.fromkeys(names.get(t.portal_id, "?") for t in targets))


def _free(targets) -> str:
    return "; ".join(t.lainnya for t in targets if t.lainnya)


COLUMNS = [
    ("Pokja (Kampung KB)", lambda r: r.facts.pokja_name, 16),
    ("Jenis catatan", lambda r: r.source_label, 14),
    ("Nomor catatan", lambda r: r.facts.source_id, 9),
    ("Judul Kegiatan", lambda r: r.draft.judul, 40),
    ("Tanggal", lambda r: r.draft.tanggal, 12),
    ("Tempat", lambda r: r.draft.tempat, 25),
    ("Deskripsi", lambda r: r.draft.deskripsi, 60),
    ("Seksi Kegiatan (id)", lambda r: r.draft.kategori_id, 8),
    (
        "Seksi Kegiatan",
        lambda r: reference.names("kategori").get(r.draft.kategori_id, ""),
        18,
    ),
    ("Kategori Kegiatan (id Inpres)", lambda r: r.draft.inpres_id, 8),
    (
        "Kategori Kegiatan",
        lambda r: reference.inpres_names().get(r.draft.inpres_id, vocab.INPRES_NONE),
        30,
    ),
    ("Peserta Kegiatan (id)", lambda r: _ids(r.draft.sasaran), 10),
    ("Peserta Kegiatan", lambda r: _names(r.draft.sasaran, "sasaran"), 30),
    ("Peserta Kegiatan Lainnya", lambda r: _free(r.draft.sasaran), 25),
    ("Instansi (id)", lambda r: _ids(r.draft.instansi), 10),
    ("Instansi", lambda r: _names(r.draft.instansi, "instansi"), 30),
    ("Instansi Lainnya", lambda r: _free(r.draft.instansi), 25),
    ("Jenis Post (id)", lambda r: r.draft.jenis_post_id, 8),
    (
        "Jenis Post",
        lambda r: reference.names("jenis_post").get(r.draft.jenis_post_id, ""),
        16,
    ),
    ("Jumlah foto", lambda r: len(r.draft.photos), 8),
    (
        "Keterangan foto",
        lambda r: " | ".join(
            f"{reference.names('gambar_type').get(s.type_id, '')}: {s.caption}"
            for s in r.draft.photos
        ),
        40,
    ),
    (
        "Status",
        lambda r: "dikonfirmasi" if r.record is not None else "nilai bawaan",
        12,
    ),
    (
        "Sudah diunggah",
        lambda r: "ya" if r.record is not None and r.record.uploaded_at else "belum",
        10,
    ),
    ("URL/ID portal", lambda r: (r.record.portal_ref or "") if r.record else "", 25),
]


def _values(row: Row) -> list:
    return [getter(row) for _, getter, _ in COLUMNS]


def to_csv(rows: list[Row]) -> bytes:
    def cells(row):
        return [
            value.isoformat()
            if hasattr(value, "isoformat")
            else ("" if value is None else value)
            for value in _values(row)
        ]

    return csv_bytes([name for name, _, _ in COLUMNS], (cells(r) for r in rows))


def to_xlsx(rows: list[Row]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title("Intervensi portal")
    write_table(
        sheet,
        [name for name, _, _ in COLUMNS],
        (_values(r) for r in rows),
        [width for _, _, width in COLUMNS],
    )
    for cell in sheet["E"][1:]:
        cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


UNSAFE = re.compile(r"[^\w .,()-]+", re.UNICODE)


def safe_name(text: str, limit: int = 60) -> str:
    """A file or folder name fit for every system (no slashes, no controls)."""
    clean = UNSAFE.sub(" ", text or "").strip(" .")
    return re.sub(r"\s+", " ", clean)[:limit].strip(" .") or "foto"


def photo_name(number: int, caption: str, type_name: str) -> str:
    """'1 - Sebelum - caption.jpg': the order, the portal's type, the caption."""
    parts = [str(number), type_name]
    if caption:
        parts.append(safe_name(caption))
    return " - ".join(parts) + ".jpg"


def to_zip(entries: list[tuple[Row, list[tuple[Path, str, int]]]]) -> bytes:
    """A ZIP: one folder per intervensi (Pokja/date title), its photos named by
    caption, and keterangan.txt listing the captions as the portal takes them."""
    types = reference.names("gambar_type")
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for row, photos in entries:
            if not photos:
                continue
            folder = "/".join(
                (
                    safe_name(row.facts.pokja_name),
                    safe_name(f"{row.draft.tanggal.isoformat()} {row.draft.judul}"),
                )
            )
            base, n = folder, 2
            while folder in taken:
                folder, n = f"{base} ({n})", n + 1
            taken.add(folder)
            lines = [row.draft.judul, ""]
            for number, (path, caption, type_id) in enumerate(photos, 1):
                name = photo_name(number, caption, types.get(type_id, ""))
                try:
                    archive.write(path, f"{folder}/{name}")
                except FileNotFoundError:
                    continue
                lines.append(f"{name}: {caption}")
            archive.writestr(f"{folder}/keterangan.txt", "\n".join(lines) + "\n")
    return buffer.getvalue()
