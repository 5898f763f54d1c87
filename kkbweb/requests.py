"""The request class: NUL characters never reach a view or the database; and
the one parser of ids typed into query strings.

PostgreSQL refuses text containing NUL and no one types it on purpose, so it is
removed from query strings and form fields at the door.
"""

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


def _without_nul(data: ImmutableMultiDict) -> ImmutableMultiDict:
    """Copy a MultiDict with NUL removed from keys and values."""
    return ImmutableMultiDict(
        (key.replace("\x00", ""), value.replace("\x00", ""))
        for key, value in data.items(multi=True)
    )


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
