"""Posyandu and PAUD: service units of a Pokja and their sessions' counts."""
