"""Who may do what with meetings and members, status changes, invitation text.

Plain rules with no Flask: they take a user-like object (role, pokja_id,
sees_all_pokja) and plain values, and are unit-tested directly. Which records a
user may *see* is decided by kkbweb.auth.access, not here.
"""

import datetime as dt
from urllib.parse import quote

from kkbweb.auth import roles
from kkbweb.meetings import vocab
from kkbweb.timeutil import hari_tanggal

# Roles that organise: create meetings, take the roll, add walk-ins.
ORGANISER_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.PENYELENGGARA, roles.POKJA})
# Department staff: may correct a finished meeting and reopen it.
STAFF_ROLES = frozenset({roles.ADMIN, roles.STAF})
# Who keeps the member registry (the issue: Pokja users their own, staff all).
MEMBER_EDITOR_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.POKJA})

TRANSITIONS = {
    vocab.SCHEDULED: frozenset({vocab.ONGOING, vocab.FINISHED}),
    vocab.ONGOING: frozenset({vocab.SCHEDULED, vocab.FINISHED}),
    vocab.FINISHED: frozenset({vocab.ONGOING}),  # reopening: staff only
}

WHATSAPP_SHARE = "https://wa.me/?text="


def may_manage(user, invited_pokja_ids) -> bool:
    """Edit details, minutes and status: department organisers, or a Pokja-scoped
    organiser when the meeting invites only their own Pokja."""
    if user.role not in ORGANISER_ROLES:
        return False
    if user.sees_all_pokja:
        return True
    return set(invited_pokja_ids) == {user.pokja_id}


def is_locked(meeting_status: str, user) -> bool:
    """A finished meeting's roll call and details are closed to all but staff."""
    return meeting_status == vocab.FINISHED and user.role not in STAFF_ROLES


def transition_problem(current: str, new: str, user) -> str | None:
    """An Indonesian message if this status change is not allowed, else None."""
    if new not in vocab.MEETING_STATUSES:
        return "Status rapat tidak dikenal."
    if new == current:
        return None
    if new not in TRANSITIONS.get(current, frozenset()):
        return "Perubahan status ini tidak diizinkan."
    if current == vocab.FINISHED and user.role not in STAFF_ROLES:
        return "Rapat yang sudah selesai hanya dapat dibuka kembali oleh staf dinas."
    return None


def invitation_text(
    *,
    kind_label: str,
    title: str,
    date: dt.date,
    start_time: dt.time | None,
    place: str,
    agenda: str | None,
    pokja_names: list[str],
) -> str:
    """The invitation as people send it in WhatsApp groups, in Indonesian."""
    if len(pokja_names) == 1:
        to = f"Pengurus dan anggota Pokja Kampung KB {pokja_names[0]}"
    else:
        to = "Pengurus Pokja Kampung KB " + ", ".join(pokja_names)
    lines = [
        "*UNDANGAN*",
        f"Kepada Yth. {to}",
        "",
        f"Dengan hormat, kami mengundang Bapak/Ibu untuk menghadiri {kind_label}:",
        f"*{title}*",
        "",
        f"Hari/tanggal: {hari_tanggal(date)}",
    ]
    if start_time is not None:
        lines.append(f"Waktu: pukul {start_time:%H.%M} WIB s.d. selesai")
    lines.append(f"Tempat: {place}")
    if agenda and agenda.strip():
        lines += ["", "Acara:", agenda.strip()]
    lines += [
        "",
        "Atas perhatian dan kehadiran Bapak/Ibu kami ucapkan terima kasih.",
    ]
    return "\n".join(lines)


def whatsapp_link(text: str) -> str:
    """A wa.me link that opens WhatsApp with the text ready to send to a group."""
    return WHATSAPP_SHARE + quote(text, safe="")


def attendance_rate(present: int, roster: int) -> float | None:
    """Present members over members on the roster, in percent (None if no roster)."""
    if roster <= 0:
        return None
    return round(100 * present / roster, 1)


def percent_text(value: float | None) -> str:
    """A rate the Indonesian way: 66,7% (empty when there is no rate)."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + "%"
