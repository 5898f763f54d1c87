"""Who may see and change the classification, and what a valid entry is.
Plain data, no Flask.

Which Kampung KB a user may *see* is decided by kkbweb.access (a Pokja user
their own; the department all). The city board is for the department.
"""

from kkbweb import roles
from kkbweb.classification import deadlines

# Everyone logged in reads their own Kampung KB's class and steps.
READER_ROLES = frozenset(
    {roles.ADMIN, roles.STAF, roles.PIMPINAN, roles.PENYELENGGARA, roles.POKJA}
)
# Who fills the profile and the identity: staff for any Pokja, a Pokja user theirs.
EDITOR_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.POKJA})
BOARD_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.PIMPINAN})
PKB_ROLES = frozenset({roles.ADMIN, roles.STAF})
# The reporting calendar: the department sees every Pokja, a Pokja user theirs.
CALENDAR_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.PIMPINAN, roles.POKJA})
# Who gets the "Kirim pengingat" links (the Pokja user is the one reminded).
REMINDER_ROLES = BOARD_ROLES
MENU_ROLES = READER_ROLES

NAME_MAX = 120
RW_MAX = 200
SK_MAX = 100
PORTAL_REF_MAX = 300
# A figure larger than this is a typing error (a kelurahan has < 50,000 families).
FIGURE_MAX = 100_000
PKB_NAME_MAX = 100
PHONE_MAX = 20


def phone_ok(raw: str) -> bool:
    allowed = set("0123456789 +-.()")
    return set(raw) <= allowed and deadlines.phone_digits(raw) is not None
