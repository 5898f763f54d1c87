"""The request class: NUL characters never reach a view or the database.

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


class Request(FlaskRequest):
    """Flask's request with NUL-free args and form."""

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])
