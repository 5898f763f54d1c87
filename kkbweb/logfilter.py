"""Keep NIKs and query strings out of log lines, whoever writes them.

kkbweb never logs a NIK itself, but libraries can: SQLAlchemy logs statement
parameters and result rows when its logger is set to INFO/DEBUG, an exception
message can quote a failed INSERT, and gunicorn's error log quotes the URL of a
request that failed, query string included (search forms put names there). This
filter masks every NIK the way lists do (3672********0001, separators included:
kkbweb.nik.redact) and drops every query string from a path before any handler
sees the record.
"""

import logging
import re

from kkbweb import nik

# A path followed by its query string: "/referrals/?q=Siti" keeps "/referrals/?".
_QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']+")


def redact(text: str) -> str:
    """A log line with NIKs masked and query strings dropped."""
    return _QUERY_STRING.sub(r"\1?…", nik.redact(text))


# A logger's filters only see records created on that very logger, not on its
# children, so the loggers that can carry request data are listed one by one.
LOGGERS = (
    "",  # root
    "kkbweb",  # app.logger
    "werkzeug",
    "flask_wtf.csrf",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool.impl.QueuePool",
    "gunicorn.access",
    "gunicorn.error",
)


class NikRedactingFilter(logging.Filter):
    """Rewrite a record's message (and traceback) with NIKs masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's problem
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = NikRedactingFilter()


def install() -> None:
    """Attach the filter to the loggers above (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
