"""Kecamatan and Pokja (kelurahan) data."""
