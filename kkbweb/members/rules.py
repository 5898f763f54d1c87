"""Who may do what with the member registry.

Which members a user may *see* is decided by kkbweb.access, not here.
"""

from kkbweb import roles

# Who keeps the member registry (the issue: Pokja users their own, staff all).
EDITOR_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.POKJA})
