"""Who may do what with referrals and residents. No Flask.

Which records a user may *see* is decided by kkbweb.access; which status step
a role may take is in workflow.py.
"""

from kkbweb import roles

# Read the queue, referrals and residents.
VIEW_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.PIMPINAN, roles.POKJA})
# Intake, papers, hand-over: Pokja users for their own Pokja, staff for all.
WORK_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.POKJA})
# The department: take a case, forward, process, record the outcome, export.
DINAS_ROLES = frozenset({roles.ADMIN, roles.STAF})
# Who sees a resident's full NIK on the detail pages (each view is audited).
FULL_NIK_ROLES = WORK_ROLES
# Who edits the checklists of papers per document type.
CHECKLIST_ROLES = frozenset({roles.ADMIN})
# Who sees "Layanan adminduk" in the menu.
MENU_ROLES = VIEW_ROLES
