"""KIE and advokasi activity logs, campaigns, and their admin-editable vocabularies."""
