"""Referral status flow: statuses, allowed moves per role, and overdue rules."""

from dataclasses import dataclass
from datetime import datetime, timedelta

DIAJUKAN = "diajukan"
BERKAS_TIDAK_LENGKAP = "berkas_tidak_lengkap"
BERKAS_LENGKAP = "berkas_lengkap"
DITERUSKAN = "diteruskan"
DIPROSES = "diproses"
SELESAI = "selesai"
DISERAHKAN = "diserahkan"
DITOLAK = "ditolak"
DIBATALKAN = "dibatalkan"

# Dict order is the order of the happy path, so lists and filters can follow it.
STATUS_LABELS = {
    DIAJUKAN: "Diajukan",
    BERKAS_TIDAK_LENGKAP: "Berkas tidak lengkap",
    BERKAS_LENGKAP: "Berkas lengkap",
    DITERUSKAN: "Diteruskan ke instansi",
    DIPROSES: "Diproses instansi",
    SELESAI: "Dokumen selesai",
    DISERAHKAN: "Diserahkan ke warga",
    DITOLAK: "Ditolak",
    DIBATALKAN: "Dibatalkan",
}
STATUSES = tuple(STATUS_LABELS)

# Once the document is in the resident's hands, or the referral was withdrawn,
# nothing is left to do; reopening would hide how long the first attempt took.
TERMINAL_STATUSES = frozenset({DISERAHKAN, DIBATALKAN})

ADMIN = "admin"
STAF = "staf"
PIMPINAN = "pimpinan"
PENYELENGGARA = "penyelenggara"
POKJA = "pokja"

ROLE_LABELS = {
    ADMIN: "Admin",
    STAF: "Staf dinas",
    PIMPINAN: "Pimpinan",
    PENYELENGGARA: "Penyelenggara",
    POKJA: "Pokja",
}
ROLES = tuple(ROLE_LABELS)

# Pokja cadres meet the resident: they check papers, hand over the document and may
# withdraw a referral. Only department staff deal with the agencies. Pimpinan and
# penyelenggara watch the figures and never move a referral.
_POKJA_AND_DINAS = frozenset({ADMIN, STAF, POKJA})
_DINAS = frozenset({ADMIN, STAF})


@dataclass(frozen=True)
class Transition:
    """One allowed status change: who may make it and what its button says."""

    source: str
    target: str
    roles: frozenset[str]
    needs_reason: bool
    label: str


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
    Transition(BERKAS_LENGKAP, DITERUSKAN, _DINAS, False, "Teruskan ke instansi"),
    Transition(DITERUSKAN, DIPROSES, _DINAS, False, "Tandai diproses instansi"),
    Transition(DIPROSES, SELESAI, _DINAS, False, "Tandai dokumen selesai"),
    Transition(SELESAI, DISERAHKAN, _POKJA_AND_DINAS, False, "Serahkan ke warga"),
    Transition(BERKAS_LENGKAP, DITOLAK, _DINAS, True, "Tolak"),
    Transition(DITERUSKAN, DITOLAK, _DINAS, True, "Tolak"),
    Transition(DIPROSES, DITOLAK, _DINAS, True, "Tolak"),
    # A rejection usually means a missing or wrong paper, so it goes back to the
    # Pokja to gather papers again rather than ending the referral.
    Transition(
        DITOLAK, BERKAS_TIDAK_LENGKAP, _POKJA_AND_DINAS, False, "Lengkapi ulang berkas"
    ),
    # Cancelling stops before "selesai": once a document is issued it exists,
    # and the only honest next step is handing it over.
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

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

POKJA_HOLDER = "pokja"
DINAS_HOLDER = "dinas"
INSTANSI_HOLDER = "instansi"

HOLDER_LABELS = {
    POKJA_HOLDER: "Pokja",
    DINAS_HOLDER: "Dinas",
    INSTANSI_HOLDER: "Instansi tujuan",
}

# Who must act next, so a list can show where each referral is stuck.
HOLDER = {
    DIAJUKAN: POKJA_HOLDER,
    BERKAS_TIDAK_LENGKAP: POKJA_HOLDER,
    BERKAS_LENGKAP: DINAS_HOLDER,
    DITERUSKAN: INSTANSI_HOLDER,
    DIPROSES: INSTANSI_HOLDER,
    SELESAI: POKJA_HOLDER,
    DITOLAK: POKJA_HOLDER,
    DISERAHKAN: None,
    DIBATALKAN: None,
}

# Disdukcapil issues within 1-24 hours of a complete file (Permendagri 19/2018), so
# delays sit in gathering papers and in hand-offs. Hand-offs inside our side (check a
# new referral, forward a complete file) should take days; agencies get a week;
# gathering papers from a resident realistically takes two weeks. Terminal statuses
# have no entry because nothing is waiting.
DEFAULT_OVERDUE_DAYS = {
    DIAJUKAN: 3,
    BERKAS_TIDAK_LENGKAP: 14,
    BERKAS_LENGKAP: 3,
    DITERUSKAN: 7,
    DIPROSES: 7,
    SELESAI: 7,
    DITOLAK: 14,
}


class WorkflowError(Exception):
    """A status change that the flow does not allow, with a message for the user."""

    def __init__(self, message: str) -> None:
        """Keep the user-facing message on the exception."""
        super().__init__(message)
        self.message = message


def _label(status: str) -> str:
    """Return the Indonesian label of a status, or the raw value if unknown."""
    return STATUS_LABELS.get(status, status)


def next_statuses(status: str) -> list[str]:
    """List the statuses the flow allows after this one, whatever the role."""
    return [t.target for t in TRANSITIONS if t.source == status]


def allowed_moves(status: str, role: str) -> list[Transition]:
    """List the moves this role may make from this status (empty if none)."""
    return [t for t in TRANSITIONS if t.source == status and role in t.roles]


def check_move(
    status: str, target: str, role: str, reason: str | None = None
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

    transition = _BY_PAIR.get((status, target))
    if transition is None:
        steps = ", ".join(_label(s) for s in next_statuses(status))
        raise WorkflowError(
            f"Status tidak bisa langsung berubah dari '{_label(status)}' ke "
            f"'{_label(target)}'. Langkah berikutnya yang boleh: {steps}."
        )
    if role not in transition.roles:
        who = ", ".join(ROLE_LABELS[r] for r in ROLES if r in transition.roles)
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
