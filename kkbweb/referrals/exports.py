"""The filtered queue as CSV or XLSX: Indonesian headers, real numbers, NIK masked."""

import csv
import io
from datetime import datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import aliased

from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.nik import mask_nik
from kkbweb.pokja.models import Pokja
from kkbweb.referrals import routing, workflow
from kkbweb.referrals.models import Referral, Resident, format_code
from kkbweb.referrals.queries import QueueFilters
from kkbweb.spreadsheets import download, safe_cell
from kkbweb.timeutil import to_wib

KINDS = ("csv", "xlsx")
HEADERS = [
    "Kode",
    "Tanggal diajukan",
    "Pokja",
    "Nama warga",
    "NIK (disamarkan)",
    "Jenis dokumen",
    "Tujuan",
    "Status",
    "Menunggu tindakan",
    "Hari menunggu",
    "Terlambat",
    "Petugas",
    "Tanggal selesai",
    "Tanggal diserahkan",
]
DATE_COLUMNS = {1, 12, 13}
WIDTHS = [16, 14, 14, 28, 20, 26, 34, 22, 14, 10, 10, 22, 14, 14]


def query_rows(filters: QueueFilters, user, now: datetime, limits: dict) -> list:
    """The referrals matching the queue filters, flat, in queue order."""
    assignee = aliased(User)
    return db.session.execute(
        select(
            Referral.code_year,
            Referral.code_seq,
            Referral.created_at,
            Pokja.display_name,
            Resident.name,
            Resident.nik,
            Referral.doc_type,
            Referral.destination_name,
            Referral.status,
            Referral.holder,
            Referral.status_changed_at,
            assignee.full_name,
            Referral.completed_at,
            Referral.handed_over_at,
        )
        .join(Resident, Referral.resident_id == Resident.id)
        .join(Pokja, Referral.pokja_id == Pokja.id)
        .outerjoin(assignee, Referral.assigned_to_id == assignee.id)
        .where(*filters.conditions(user, now, limits))
        .order_by(*filters.order())
    ).all()


def _wib_date(value: datetime | None):
    return to_wib(value).date() if value else None


def _values(row, now: datetime, limits: dict) -> list:
    """One export line; dates as dates, days as an integer."""
    open_ = workflow.is_open(row.status)
    return [
        format_code(row.code_year, row.code_seq),
        _wib_date(row.created_at),
        row.display_name,
        row.name,
        mask_nik(row.nik),
        routing.DOC_TYPES.get(row.doc_type, row.doc_type),
        row.destination_name,
        workflow.STATUS_LABELS.get(row.status, row.status),
        workflow.HOLDER_LABELS.get(row.holder or "", ""),
        workflow.days_waiting(row.status_changed_at, now) if open_ else None,
        "Ya"
        if workflow.is_overdue(row.status, row.status_changed_at, now, limits)
        else "Tidak",
        row.full_name or "",
        _wib_date(row.completed_at),
        _wib_date(row.handed_over_at),
    ]


def build(kind: str, rows: list, now: datetime, limits: dict) -> Response:
    """The download response."""
    stamp = to_wib(now).strftime("%Y%m%d-%H%M")
    body = _xlsx(rows, now, limits) if kind == "xlsx" else _csv(rows, now, limits)
    return download(body, kind, f"rujukan-{stamp}.{kind}")


def _csv(rows: list, now: datetime, limits: dict) -> bytes:
    """Semicolon-separated with a BOM: Excel in an Indonesian locale opens it as is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    for row in rows:
        values = _values(row, now, limits)
        writer.writerow(
            [
                value.isoformat() if hasattr(value, "isoformat") else safe_cell(value)
                for value in values
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list, now: datetime, limits: dict) -> bytes:
    """A write-only workbook (fast and light for tens of thousands of rows)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Rujukan")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for index, value in enumerate(_values(row, now, limits)):
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if index in DATE_COLUMNS and value is not None:
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
