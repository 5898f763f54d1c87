"""Rules every CSV and XLSX export follows, in one place."""

# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection): a resident named "=HYPERLINK(...)" must stay a name.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Prefix text that a spreadsheet would evaluate with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
