"""Who may do what with the poktan, their families and sessions.

Which records a user may *see* is decided by kkbweb.access, not here: a Pokja
user sees their own Pokja's poktan, the department all of them.
"""

from kkbweb import roles

# Who keeps the registry, the families and the roll call (the issue: a Pokja user
# their own Pokja's poktan, staff all), as the member registry.
EDITOR_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.POKJA})
# Who may read them: the editors and the leadership (pimpinan). Family names are
# personal data: a meeting organiser (penyelenggara) has no need of them.
VIEWER_ROLES = EDITOR_ROLES | {roles.PIMPINAN}
MENU_ROLES = VIEWER_ROLES
