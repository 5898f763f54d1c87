"""Meetings and attendance: meetings, roll call, walk-ins, daftar hadir, recaps."""
