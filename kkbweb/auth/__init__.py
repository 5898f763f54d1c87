"""Logins and user accounts: the login pages, the admin's user pages, seed and
create-user."""
