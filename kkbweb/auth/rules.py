"""Who may manage logins. No Flask."""

from kkbweb import roles

# Who keeps the user accounts (the admin pages and the CLI do the same).
USER_ADMIN_ROLES = frozenset({roles.ADMIN})
# Who sees "Pengguna" in the menu.
MENU_ROLES = USER_ADMIN_ROLES
