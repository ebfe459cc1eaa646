"""A failed request's traceback reaches the server log as its kind only, never its text."""

from __future__ import annotations

import logging

from conductlens.web.logs import SERVER_LOGGERS, WithoutDetails, withhold_details


def test_a_traceback_is_logged_without_its_text() -> None:
    try:
        raise ValueError("INSERT ... ('delete this chat before PSD see it', 'Dana Fox')")
    except ValueError as exc:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                   "Exception in ASGI application", (), (type(exc), exc, None))
    assert WithoutDetails().filter(record)
    line = logging.Formatter().format(record)
    assert "Exception in ASGI application" in line and "ValueError" in line
    assert "delete this chat" not in line and "Dana Fox" not in line


def test_the_filter_is_installed_once_on_the_server_loggers() -> None:
    withhold_details()
    withhold_details()
    for name in SERVER_LOGGERS:
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, WithoutDetails) for f in filters) == 1
