"""Who may open the city pages, hand in a month and review it. No Flask.

Which Pokja's recap a user may open is decided by kkbweb.access (can_see_pokja);
whether a month can be handed in or reviewed now is in handin.py.
"""

from kkbweb import roles

# The city pages (dashboard, print, exports) are for users who see every Pokja:
# the department and the city-wide organiser; see `sees_city`.
CITY_ROLES = roles.DEPARTMENT_ROLES | {roles.PENYELENGGARA}
# A Pokja hands in its own month; an admin may do it for a Pokja (e.g. on paper).
SUBMITTER_ROLES = frozenset({roles.POKJA, roles.ADMIN})
# Department staff check the figures and verify or return.
REVIEWER_ROLES = frozenset({roles.ADMIN, roles.STAF})
# Everyone has "Laporan" in the menu (a Pokja user's leads to their own recap).
MENU_ROLES = None


def sees_city(user) -> bool:
    """The city pages: a city-wide penyelenggara may, a Pokja-scoped one may not."""
    return user.role in CITY_ROLES and user.sees_all_pokja
