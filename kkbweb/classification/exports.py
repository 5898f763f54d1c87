"""The city board as XLSX. No Flask: the caller hands in the board rows."""

import io

from openpyxl import Workbook

from kkbweb.spreadsheets import write_table

HEADERS = [
    "Kampung KB",
    "Pokja",
    "Kelurahan",
    "Kecamatan",
    "PKB",
    "Indeks Input",
    "Indeks Proses",
    "Indeks Output",
    "Klasifikasi",
    "Riwayat kelas",
]


def board_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Klasifikasi"
    write_table(
        sheet,
        HEADERS,
        (
            [
                r.name,
                r.pokja or "",
                r.kelurahan,
                r.kecamatan,
                r.pkb,
                float(r.index_input),
                float(r.index_proses),
                float(r.index_output),
                r.klass if r.has_profile else f"{r.klass} (belum ada profil)",
                ", ".join(f"{y}: {k}" for y, k in sorted(r.history.items())),
            ]
            for r in rows
        ),
        [28, 16, 16, 14, 20, 12, 12, 12, 24, 40],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
