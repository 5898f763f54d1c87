"""Who may do what with meetings, status changes, invitation text.

Plain rules with no Flask: they take a user-like object (role, pokja_id,
sees_all_pokja) and plain values, and are unit-tested directly. Which records a
user may *see* is decided by kkbweb.access, not here.
"""

import datetime as dt
from urllib.parse import quote

from kkbweb import roles
from kkbweb.meetings import vocab
from kkbweb.timeutil import hari_tanggal

# Roles that organise: create meetings, take the roll, add walk-ins.
ORGANISER_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.PENYELENGGARA, roles.POKJA})
# Department staff.
STAFF_ROLES = frozenset({roles.ADMIN, roles.STAF})

TRANSITIONS = {
    vocab.SCHEDULED: frozenset({vocab.ONGOING, vocab.FINISHED}),
    vocab.ONGOING: frozenset({vocab.SCHEDULED, vocab.FINISHED}),
    vocab.FINISHED: frozenset({vocab.ONGOING}),  # reopening: see may_reopen
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


def is_locked(meeting_status: str, user, invited_pokja_ids=()) -> bool:
    """A finished meeting's roll call, guests and details are closed to Pokja
    users and to anyone who may not manage it; those who manage it (staff, the
    city-wide organiser, a Pokja's organiser of its own meeting) may still correct
    it. `invited_pokja_ids` may be a callable: it is asked only when needed (a
    Pokja-scoped organiser on a finished meeting)."""
    if meeting_status != vocab.FINISHED:
        return False
    if user.role == roles.POKJA or user.role not in ORGANISER_ROLES:
        return True
    if user.sees_all_pokja:
        return False
    ids = invited_pokja_ids() if callable(invited_pokja_ids) else invited_pokja_ids
    return not may_manage(user, ids)


def may_reopen(user, invited_pokja_ids) -> bool:
    """Reopen a finished meeting ("Buka kembali"): whoever may manage it."""
    return may_manage(user, invited_pokja_ids)


def transition_problem(
    current: str, new: str, user, invited_pokja_ids=()
) -> str | None:
    """An Indonesian message if this status change is not allowed, else None."""
    if new not in vocab.MEETING_STATUSES:
        return "Status rapat tidak dikenal."
    if new == current:
        return None
    if new not in TRANSITIONS.get(current, frozenset()):
        return "Perubahan status ini tidak diizinkan."
    if current == vocab.FINISHED and not may_reopen(user, invited_pokja_ids):
        return (
            "Rapat yang sudah selesai hanya dapat dibuka kembali oleh "
            "penyelenggara rapat atau staf dinas."
        )
    return None


# What the invitation calls the event, by kind; a kind not listed is a
# "kegiatan". A label such as "Lainnya" or "Posyandu" never goes in a sentence.
INVITATION_NOUNS = {
    "rapat_pokja": "rapat",
    "rapat_perencanaan": "rapat perencanaan",
    "rakor_kelurahan": "rapat koordinasi",
    "poktan_bkb": "pertemuan",
    "poktan_bkr": "pertemuan",
    "poktan_bkl": "pertemuan",
    "poktan_uppka": "pertemuan",
    "poktan_pikr": "pertemuan",
    "kader_imp": "pertemuan",
    "staff_meeting_plkb": "rapat",
    "minilok": "lokakarya mini",
}
DEPARTMENT_SENDER = "DP3AP2KB Kota Cilegon"


def sender_line(own_pokja_name: str | None) -> str:
    """Who sends the invitation and prints the sheet: a Pokja, or the Dinas."""
    if own_pokja_name:
        return f"Pokja Kampung KB {own_pokja_name}"
    return DEPARTMENT_SENDER


def own_pokja(
    invited_pokja_ids, organiser_id: int | None, organiser_pokja_id: int | None
) -> int | None:
    """The Pokja whose own meeting this is, or None for a department meeting.

    A Pokja's own meeting invites that Pokja alone and is organised by one of
    its users (or by nobody named yet); anything else is the department's.
    """
    ids = list(invited_pokja_ids)
    if len(ids) != 1:
        return None
    if organiser_id is not None and organiser_pokja_id != ids[0]:
        return None
    return ids[0]


def invitation_text(
    *,
    kind: str,
    title: str,
    date: dt.date,
    start_time: dt.time | None,
    place: str,
    agenda: str | None,
    pokja_names: list[str],
    organiser_name: str | None = None,
    own_pokja_name: str | None = None,
) -> str:
    """The invitation as people send it in WhatsApp groups, in Indonesian.

    The event is named by its title; the kind gives only the common noun
    ("rapat", "pertemuan", else "kegiatan"). It ends with the sender.
    """
    if len(pokja_names) == 1:
        to = f"Pengurus dan anggota Pokja Kampung KB {pokja_names[0]}"
    else:
        to = "Pengurus Pokja Kampung KB " + ", ".join(pokja_names)
    noun = INVITATION_NOUNS.get(kind, "kegiatan")
    lines = [
        "*UNDANGAN*",
        f"Kepada Yth. {to}",
        "",
        f"Dengan hormat, kami mengundang Bapak/Ibu untuk menghadiri {noun}:",
        f"*{title.strip()}*",
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
        "",
        "Hormat kami,",
    ]
    if organiser_name:
        lines.append(organiser_name)
    lines.append(sender_line(own_pokja_name))
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
