"""Keep NIKs out of log lines, whoever writes them.

kkbweb never logs a NIK itself, but libraries can: SQLAlchemy logs statement
parameters and result rows when its logger is set to INFO/DEBUG, and an exception
message can quote a failed INSERT. This filter masks every run of exactly 16 digits
the way lists do (3672********0001) before any handler sees the record.
"""

import logging
import re

_SIXTEEN_DIGITS = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{8}([0-9]{4})(?![0-9])")

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


def redact(text: str) -> str:
    """Mask every 16-digit run in a text."""
    return _SIXTEEN_DIGITS.sub(r"\1********\2", text)


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
