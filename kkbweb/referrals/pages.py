"""What several referral pages share: loading within scope, the queue context
and the conflict message. (A full NIK and its read row: fullnik.py.)"""

from flask_login import current_user

from kkbweb.access import get_scoped_or_404
from kkbweb.referrals import case_queries, queries, routing, rules, workflow
from kkbweb.referrals.models import Referral, Resident
from kkbweb.referrals.queries import PERSONS, QueueFilters  # noqa: F401
from kkbweb.requests import is_local_path, parse_id

# Before the file reaches the desk the legal deadline still runs.
BEFORE_DESK = frozenset(
    {workflow.DIAJUKAN, workflow.BERKAS_TIDAK_LENGKAP, workflow.BERKAS_LENGKAP}
)

CONFLICT = (
    "Rujukan ini baru saja diubah orang lain. Perubahan Anda belum disimpan. "
    "Keadaan terbaru ditampilkan di bawah; ulangi bila masih perlu."
)


def load_referral(referral_id: int, *options, fresh: bool = False) -> Referral:
    """A referral the current user may see, or 404."""
    return get_scoped_or_404(
        queries.referral(referral_id, *options, fresh=fresh), Referral.pokja_id
    )


def load_resident(resident_id: int, *, with_kecamatan: bool = False) -> Resident:
    """A resident the current user may see, or 404."""
    return get_scoped_or_404(
        queries.resident(resident_id, with_kecamatan=with_kecamatan),
        Resident.pokja_id,
    )


def stale(referral: Referral, posted_version) -> bool:
    """True when the form was made from an older version of the referral."""
    return parse_id(posted_version) != referral.version


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to, or None."""
    return target if is_local_path(target) and len(target) < 2000 else None


def filter_out_nik(text: str) -> tuple[str, bool]:
    """Drop a search text that holds a NIK; say so."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 12:
        return "", True
    return text, False


def queue_context(filters: QueueFilters, now, limits, next_url: str) -> dict:
    """What the queue and its rows need."""
    return {
        "filters": filters,
        "now": now,
        "limits": limits,
        "next_url": next_url,
        "show_pokja": current_user.sees_all_pokja,
        "can_take": current_user.role in rules.DINAS_ROLES,
        "can_export": current_user.role in rules.DINAS_ROLES,
        "days_waiting": workflow.days_waiting,
        "is_overdue": workflow.is_overdue,
        "statuses": workflow.STATUS_LABELS,
        "closed_statuses": workflow.TERMINAL_STATUSES,
        "doc_types": routing.DOC_TYPES,
    }


def overdue_query(user, now, limits):
    """The overdue list of the user's scope, by holder (to paginate)."""
    return case_queries.overdue(user, now, limits)
