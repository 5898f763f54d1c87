"""What comes in with a request: the request class (NUL never reaches a view or
the database), the text cleaners, and the readers of query strings and ?next=.

PostgreSQL refuses text containing NUL and no one types it on purpose, so it is
removed from query strings and form fields at the door.
"""

import datetime as dt
import re
from urllib.parse import urlsplit

from flask import Request as FlaskRequest
from flask import request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


def _without_nul(data: ImmutableMultiDict) -> ImmutableMultiDict:
    """Copy a MultiDict with NUL removed from keys and values."""
    return ImmutableMultiDict(
        (key.replace("\x00", ""), value.replace("\x00", ""))
        for key, value in data.items(multi=True)
    )


# Control characters: nobody types them, they break printing and CSV files, and
# PostgreSQL refuses NUL. Multi-line text keeps tab and line breaks.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
# Dates outside the programme's life are typing mistakes (0224 for 2024).
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Primary keys are INTEGER: 32-bit on PostgreSQL, which refuses a bigger number
# ("integer out of range") instead of finding no row.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """A database id from a query string or form field, or None.

    ASCII digits only: str.isdigit() also accepts '²' and other digits that
    int() refuses.
    """
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class Request(FlaskRequest):
    """Flask's request with NUL-free args and form."""

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])


def clean_line(value):
    """Trim a one-line text and drop control characters."""
    if value is None:
        return None
    return CONTROL_CHARS_ONE_LINE.sub("", str(value)).strip()


def clean_text(value):
    """Trim a multi-line text and drop control characters (keeping newlines)."""
    if value is None:
        return None
    return CONTROL_CHARS.sub("", str(value)).replace("\r\n", "\n").strip()


def query_text(name: str, limit: int = 100) -> str:
    """A cleaned, bounded text query parameter ("" when absent)."""
    return (clean_line(request.args.get(name, "")) or "")[:limit]


def query_int(name: str) -> int | None:
    """A positive id query parameter, or None."""
    return parse_id(request.args.get(name))


def query_date(name: str) -> dt.date | None:
    """A yyyy-mm-dd query parameter within sensible years, or None."""
    try:
        value = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if FIRST_YEAR <= value.year <= LAST_YEAR else None


def is_local_path(target: str | None) -> bool:
    """Accept only same-site paths for ?next= (no scheme, host or //host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
