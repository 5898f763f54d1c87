"""Who may read the audit trail. No Flask."""

from kkbweb import roles

AUDIT_ROLES = frozenset({roles.ADMIN})
# Who sees "Audit" in the menu.
MENU_ROLES = AUDIT_ROLES
