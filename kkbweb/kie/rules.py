"""Who may write KIE logs, and which entries they may still change. No Flask.

The Pokja side of access (a Pokja user only ever loads their own Pokja's entries)
is decided by kkbweb.access when the entry is loaded; these rules add the
role and the time window on top.
"""

from datetime import date, datetime, timedelta

from kkbweb import roles

# Pokja users may correct an entry for this long after typing it in.
EDIT_WINDOW = timedelta(days=30)
# Kampung KB started in 2016; older dates are typing mistakes.
EARLIEST_DATE = date(2015, 1, 1)
MAX_PARTICIPANTS = 10_000
MAX_REACH = 10_000_000
MAX_PHOTOS = 3

# Department roles that write anything, at any time.
DEPARTMENT_WRITERS = frozenset({roles.ADMIN, roles.STAF})
# Roles that write for their own Pokja only, within the edit window.
POKJA_WRITERS = frozenset({roles.POKJA, roles.PENYELENGGARA})
# Roles that may open the writing pages at all; can_write adds the Pokja part.
WRITER_ROLES = DEPARTMENT_WRITERS | POKJA_WRITERS
# Who keeps the vocabularies the entry form offers.
VOCABULARY_ROLES = frozenset({roles.ADMIN})


def can_write(role: str, pokja_id: int | None) -> bool:
    """Admin and staf write for any Pokja; Pokja users and scoped organisers for theirs.

    Pimpinan is read-only; a city-wide penyelenggara organises department meetings
    and only reads KIE logs.
    """
    if role in DEPARTMENT_WRITERS:
        return True
    return role in POKJA_WRITERS and pokja_id is not None


def chooses_pokja(role: str) -> bool:
    """Department writers pick the Pokja of an entry; others write for their own."""
    return role in DEPARTMENT_WRITERS


def can_change(
    role: str, pokja_id: int | None, created_at: datetime, now: datetime
) -> bool:
    """Whether the user may edit or delete an entry they are allowed to see.

    The window runs from when the entry was typed in (created_at), not from the
    activity date: a late log of an old activity can still be corrected.
    """
    if role in DEPARTMENT_WRITERS:
        return True
    return can_write(role, pokja_id) and now - created_at <= EDIT_WINDOW


def can_manage_campaign(
    role: str, pokja_id: int | None, campaign_pokja_ids: set[int]
) -> bool:
    """Department writers edit any campaign; Pokja writers those of their Pokja only."""
    if role in DEPARTMENT_WRITERS:
        return True
    return can_write(role, pokja_id) and campaign_pokja_ids == {pokja_id}


def date_problem(value: date, today: date) -> str | None:
    """An Indonesian message when an activity date is out of range."""
    if value < EARLIEST_DATE:
        return "Tanggal terlalu lama; kegiatan dicatat mulai 1 Januari 2015."
    if value > today:
        return "Tanggal kegiatan tidak boleh di masa depan."
    return None
