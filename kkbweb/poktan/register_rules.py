"""Who may read, mark and lay out the SIGA registers. No Flask.

Reading follows the poktan registry (rules.VIEWER_ROLES): the registers list
families by name. Marking a register "diserahkan" is the registry's editors'
(the Pokja hands it in, the PKB's office may mark it received); the layouts are
the admin's.
"""

from kkbweb import roles
from kkbweb.poktan import rules

READER_ROLES = rules.VIEWER_ROLES
MARKER_ROLES = rules.EDITOR_ROLES
LAYOUT_ROLES = frozenset({roles.ADMIN})
