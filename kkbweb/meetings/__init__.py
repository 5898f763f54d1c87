"""Meetings and attendance: members per Pokja, meetings, roll call, daftar hadir."""
