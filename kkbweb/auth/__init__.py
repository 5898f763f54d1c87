"""Logins, roles and access scoping."""
