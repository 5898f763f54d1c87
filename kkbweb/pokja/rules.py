"""Who may keep the Pokja list. No Flask."""

from kkbweb import roles

# Who adds and edits Pokja (name, codes, kecamatan).
POKJA_ADMIN_ROLES = frozenset({roles.ADMIN})
# Who sees "Pokja" in the menu.
MENU_ROLES = POKJA_ADMIN_ROLES
