"""Adminduk case flow: statuses, allowed moves per role and document type, the
real date of a step, and overdue rules.

The kader of the Pokja goes to the kelurahan's adminduk desk with the resident
and records what happens there (berkas diserahkan ke loket, dokumen terbit,
dokumen dikirim sebagai PDF / diserahkan) with the day it really happened;
department staff monitor, assist and may record the same steps. A buku nikah
case ends at the akad, where the KUA hands the buku nikah over.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kkbweb import roles
from kkbweb.referrals import rules

DIAJUKAN = "diajukan"
BERKAS_TIDAK_LENGKAP = "berkas_tidak_lengkap"
BERKAS_LENGKAP = "berkas_lengkap"
DITERUSKAN = "diteruskan"
DIPROSES = "diproses"
SELESAI = "selesai"
DISERAHKAN = "diserahkan"
DITOLAK = "ditolak"
DIBATALKAN = "dibatalkan"
AKAD = "akad"

POKJA_HOLDER = "pokja"
DINAS_HOLDER = "dinas"
INSTANSI_HOLDER = "instansi"

HOLDER_LABELS = {
    POKJA_HOLDER: "Kader/pengurus Pokja",
    DINAS_HOLDER: "Dinas",
    INSTANSI_HOLDER: "Loket/instansi tujuan",
}


@dataclass(frozen=True)
class Status:
    """One status: its label and badge, who acts next, when it is overdue."""

    code: str
    label: str
    badge: str
    # Who must act next, so a list can show where each referral is stuck;
    # None for a closed referral.
    holder: str | None
    # Days in this status before the referral counts as overdue (None: never).
    overdue_days: int | None
    terminal: bool = False


# The one table of statuses: labels, badges, holders, overdue limits and the open
# set derive from it (a changed open set also changes the partial index
# ix_referral_open_waiting, so it needs a migration). Row order is the order of
# the happy path, so lists and filters can follow it.
#
# Disdukcapil issues within 1-24 hours of a complete file (Permendagri 19/2018), so
# delays sit in gathering papers and in hand-offs. Hand-offs inside our side (check a
# new referral, forward a complete file) should take days; agencies get a week;
# gathering papers from a resident realistically takes two weeks.
#
# Once the document is in the resident's hands, or the referral was withdrawn,
# nothing is left to do (terminal); reopening would hide how long the first
# attempt took.
STATUS_TABLE = (
    Status(DIAJUKAN, "Diajukan", "badge-info", POKJA_HOLDER, 3),
    Status(
        BERKAS_TIDAK_LENGKAP, "Berkas tidak lengkap", "badge-warn", POKJA_HOLDER, 14
    ),
    # A complete file goes to the desk: the kader takes it (or the resident goes).
    Status(BERKAS_LENGKAP, "Berkas lengkap", "badge-info", POKJA_HOLDER, 3),
    Status(DITERUSKAN, "Berkas diserahkan ke loket", "badge-info", INSTANSI_HOLDER, 7),
    Status(DIPROSES, "Diproses petugas loket", "badge-info", INSTANSI_HOLDER, 7),
    Status(SELESAI, "Dokumen terbit", "badge-ok", POKJA_HOLDER, 7),
    Status(
        DISERAHKAN,
        "Dokumen dikirim sebagai PDF / diserahkan",
        "badge-ok",
        None,
        None,
        terminal=True,
    ),
    Status(DITOLAK, "Ditolak loket", "badge-bad", POKJA_HOLDER, 14),
    Status(DIBATALKAN, "Dibatalkan", "badge-muted", None, None, terminal=True),
    # Buku nikah: the KUA hands it over at the akad; nothing is left to do.
    Status(
        AKAD,
        "Akad dilaksanakan, buku nikah diserahkan",
        "badge-ok",
        None,
        None,
        terminal=True,
    ),
)

STATUS_LABELS = {status.code: status.label for status in STATUS_TABLE}
STATUSES = tuple(STATUS_LABELS)
STATUS_BADGES = {status.code: status.badge for status in STATUS_TABLE}
HOLDER = {status.code: status.holder for status in STATUS_TABLE}
DEFAULT_OVERDUE_DAYS = {
    status.code: status.overdue_days
    for status in STATUS_TABLE
    if status.overdue_days is not None
}
TERMINAL_STATUSES = frozenset(status.code for status in STATUS_TABLE if status.terminal)
# The statuses the queue shows by default (and the partial index covers).
OPEN_STATUSES = tuple(status.code for status in STATUS_TABLE if not status.terminal)

ROLE_LABELS = roles.ROLE_LABELS
ROLES = tuple(ROLE_LABELS)

# Kader of the Pokja meet the resident and go to the kelurahan desk with them: they
# record every step they actually do there. Department staff monitor, assist and
# may record the same steps. Pimpinan and penyelenggara never move a case.
_POKJA_AND_DINAS = rules.WORK_ROLES
_DINAS = rules.DINAS_ROLES
BUKU_NIKAH = frozenset({"buku_nikah"})
# Every document type but buku nikah (kept in step with routing.DOC_TYPES by
# tests/test_workflow.py).
_NOT_NIKAH = frozenset(
    {
        "akta_kelahiran",
        "akta_perkawinan",
        "itsbat_nikah",
        "kk",
        "ktp_el",
        "kia",
        "akta_kematian",
        "ikd",
    }
)


@dataclass(frozen=True)
class Transition:
    """One allowed status change: who may make it and what its button says."""

    source: str
    target: str
    roles: frozenset[str]
    needs_reason: bool
    label: str
    # The document types this move is for (None: all).
    doc_types: frozenset[str] | None = None
    # The step happened outside the app: its real date is asked for.
    dated: bool = False


# Rejection and cancellation need a reason: the resident has to be told why, and
# the audit trail has to show who stopped it and why.
# Columns: source, target, roles, needs_reason, label (the button text).
TRANSITIONS = (
    Transition(
        DIAJUKAN,
        BERKAS_TIDAK_LENGKAP,
        _POKJA_AND_DINAS,
        False,
        "Tandai berkas tidak lengkap",
    ),
    Transition(
        DIAJUKAN, BERKAS_LENGKAP, _POKJA_AND_DINAS, False, "Tandai berkas lengkap"
    ),
    Transition(
        BERKAS_TIDAK_LENGKAP,
        BERKAS_LENGKAP,
        _POKJA_AND_DINAS,
        False,
        "Tandai berkas lengkap",
    ),
    Transition(
        BERKAS_LENGKAP,
        BERKAS_TIDAK_LENGKAP,
        _POKJA_AND_DINAS,
        False,
        "Tandai berkas tidak lengkap",
    ),
    Transition(
        BERKAS_LENGKAP,
        DITERUSKAN,
        _POKJA_AND_DINAS,
        False,
        "Berkas diserahkan ke loket",
        dated=True,
    ),
    Transition(
        DITERUSKAN,
        DIPROSES,
        _POKJA_AND_DINAS,
        False,
        "Diproses petugas loket",
        dated=True,
    ),
    # Disdukcapil often issues the same day (1-24 hours of a complete file).
    *(
        Transition(
            source,
            SELESAI,
            _POKJA_AND_DINAS,
            False,
            "Dokumen terbit",
            doc_types=_NOT_NIKAH,
            dated=True,
        )
        for source in (DITERUSKAN, DIPROSES)
    ),
    Transition(
        SELESAI,
        DISERAHKAN,
        _POKJA_AND_DINAS,
        False,
        "Dokumen dikirim sebagai PDF / diserahkan",
        dated=True,
    ),
    # Buku nikah: registered at the KUA, checked (rafak), handed over at the akad.
    *(
        Transition(
            source,
            AKAD,
            _POKJA_AND_DINAS,
            False,
            "Akad dilaksanakan, buku nikah diserahkan",
            doc_types=BUKU_NIKAH,
            dated=True,
        )
        for source in (DITERUSKAN, DIPROSES)
    ),
    *(
        Transition(source, DITOLAK, _POKJA_AND_DINAS, True, "Ditolak loket", dated=True)
        for source in (BERKAS_LENGKAP, DITERUSKAN, DIPROSES)
    ),
    # A rejection usually means a missing or wrong paper, so it goes back to the
    # Pokja to gather papers again rather than ending the case.
    Transition(
        DITOLAK, BERKAS_TIDAK_LENGKAP, _POKJA_AND_DINAS, False, "Lengkapi ulang berkas"
    ),
    # Cancelling stops before "dokumen terbit": once a document is issued it
    # exists, and the only honest next step is handing it over.
    *(
        Transition(source, DIBATALKAN, _POKJA_AND_DINAS, True, "Batalkan")
        for source in (
            DIAJUKAN,
            BERKAS_TIDAK_LENGKAP,
            BERKAS_LENGKAP,
            DITERUSKAN,
            DIPROSES,
            DITOLAK,
        )
    ),
)

_BY_PAIR: dict[tuple[str, str], list[Transition]] = {}
for _t in TRANSITIONS:
    _BY_PAIR.setdefault((_t.source, _t.target), []).append(_t)
# How far back a step's real date may lie (a kader recording last month's visit).
MAX_BACKDATE_DAYS = 90


class WorkflowError(Exception):
    """A status change that the flow does not allow, with a message for the user."""

    def __init__(self, message: str) -> None:
        """Keep the user-facing message on the exception."""
        super().__init__(message)
        self.message = message


def _label(status: str) -> str:
    """Return the Indonesian label of a status, or the raw value if unknown."""
    return STATUS_LABELS.get(status, status)


def _for_doc(transition: Transition, doc_type: str | None) -> bool:
    return (
        doc_type is None
        or transition.doc_types is None
        or doc_type in transition.doc_types
    )


def next_statuses(status: str, doc_type: str | None = None) -> list[str]:
    """List the statuses the flow allows after this one, whatever the role."""
    return [
        t.target for t in TRANSITIONS if t.source == status and _for_doc(t, doc_type)
    ]


def allowed_moves(
    status: str, role: str, doc_type: str | None = None
) -> list[Transition]:
    """List the moves this role may make from this status (empty if none)."""
    return [
        t
        for t in TRANSITIONS
        if t.source == status and role in t.roles and _for_doc(t, doc_type)
    ]


def check_move(
    status: str,
    target: str,
    role: str,
    reason: str | None = None,
    doc_type: str | None = None,
) -> Transition:
    """Return the transition for this change, or raise WorkflowError saying why not."""
    if status not in STATUS_LABELS:
        raise WorkflowError(f"Status rujukan '{status}' tidak dikenal.")
    if target not in STATUS_LABELS:
        raise WorkflowError(f"Status tujuan '{target}' tidak dikenal.")
    if status in TERMINAL_STATUSES:
        raise WorkflowError(
            f"Rujukan berstatus '{_label(status)}' sudah ditutup; "
            "statusnya tidak bisa diubah lagi."
        )
    if status == target:
        raise WorkflowError(f"Status rujukan sudah '{_label(status)}'.")

    candidates = [
        t for t in _BY_PAIR.get((status, target), []) if _for_doc(t, doc_type)
    ]
    transition = candidates[0] if candidates else None
    if transition is None:
        steps = ", ".join(_label(s) for s in next_statuses(status, doc_type))
        raise WorkflowError(
            f"Status tidak bisa langsung berubah dari '{_label(status)}' ke "
            f"'{_label(target)}'. Langkah berikutnya yang boleh: {steps}."
        )
    if role not in transition.roles:
        who = ", ".join(
            roles.ROLE_SHORT_LABELS[r] for r in ROLES if r in transition.roles
        )
        raise WorkflowError(
            f"Peran Anda tidak boleh mengubah status dari '{_label(status)}' ke "
            f"'{_label(target)}'. Langkah ini hanya untuk: {who}."
        )
    if transition.needs_reason and not (reason or "").strip():
        raise WorkflowError(
            f"Alasan wajib diisi untuk mengubah status ke '{_label(target)}'."
        )
    return transition


def is_open(status: str) -> bool:
    """Return True while a referral still needs someone to act."""
    return status in STATUS_LABELS and status not in TERMINAL_STATUSES


def days_waiting(last_change: datetime, now: datetime) -> int:
    """Return the whole days (24-hour periods) since the last status change."""
    # Full 24-hour periods need no calendar or time zone; both values are stored
    # the same way (naive UTC), and clock skew must not show a negative wait.
    return max((now - last_change) // timedelta(days=1), 0)


def is_overdue(
    status: str,
    last_change: datetime,
    now: datetime,
    overdue_days: dict[str, int | None] | None = None,
) -> bool:
    """Return True when a referral has waited in this status for its limit or longer."""
    if not is_open(status):
        # Nothing is waiting, whatever a configuration says.
        return False
    # A partial configuration only changes the statuses it names; None switches the
    # check off for that status.
    limits = {**DEFAULT_OVERDUE_DAYS, **(overdue_days or {})}
    limit = limits.get(status)
    if limit is None:
        return False
    return days_waiting(last_change, now) >= limit


def check_step_date(day: date | None, previous: date | None, today: date) -> str | None:
    """Why a step's real date cannot be taken (Indonesian), or None when it can.

    previous: the (local) day the case entered its current status.
    """
    if day is None:
        return None
    if day > today:
        return "Tanggal langkah tidak boleh di masa depan."
    if (today - day).days > MAX_BACKDATE_DAYS:
        return (
            f"Tanggal langkah paling lama {MAX_BACKDATE_DAYS} hari yang lalu; "
            "catat langkah lebih lama di catatan."
        )
    if previous is not None and day < previous:
        return (
            "Tanggal langkah tidak boleh sebelum langkah sebelumnya "
            f"({previous:%d/%m/%Y})."
        )
    return None


def step_time(day: date | None, today: date, now: datetime, offset: timedelta):
    """The stored (naive UTC) time of a step on a real day: now for today, else
    the start of that day in local time (offset: local minus UTC)."""
    if day is None or day >= today:
        return now
    return datetime.combine(day, time(0)) - offset
