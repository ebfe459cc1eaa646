"""Server logs that never quote evidence.

uvicorn logs a failed request with its traceback, and an exception's text can quote what the
request carried: a database error lists its parameters (message text, names), a parser error
the line it could not read. The filter keeps the log line and the exception's kind, and drops
the rest, so the application log stays free of message content.
"""

from __future__ import annotations

import logging

SERVER_LOGGERS = ("uvicorn.error", "uvicorn.asgi")


class WithoutDetails(logging.Filter):
    """Replaces a record's traceback with the exception's kind."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            said = record.getMessage()
            record.msg = f"{said} ({kind}; details withheld: they can quote evidence)"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


def withhold_details() -> None:
    """Install :class:`WithoutDetails` on the server's loggers (once)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithoutDetails) for f in logger.filters):
            logger.addFilter(WithoutDetails())
