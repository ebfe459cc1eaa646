"""A fault inside the server answers with the app's own error page, and logs no content."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conductlens.web.app import SERVER_FAULT


def _faulty(app: FastAPI) -> TestClient:
    @app.get("/faulty")
    def faulty() -> None:
        raise RuntimeError("INSERT ... ('delete this chat before PSD see it')")

    @app.get("/api/faulty")
    def faulty_api() -> None:
        raise RuntimeError("INSERT ... ('delete this chat before PSD see it')")

    return TestClient(app, raise_server_exceptions=False)


def test_a_fault_gets_the_error_page_and_logs_no_content(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    client = _faulty(app)
    with caplog.at_level(logging.ERROR, logger="conductlens.web.app"):
        page = client.get("/faulty")
        api = client.get("/api/faulty")
    assert page.status_code == 500 and SERVER_FAULT in page.text
    assert "<html" in page.text.lower() and "delete this chat" not in page.text
    assert api.status_code == 500 and api.json() == {"detail": SERVER_FAULT}
    logged = [r.getMessage() for r in caplog.records if r.name == "conductlens.web.app"]
    assert logged and all("RuntimeError" in m and "delete this chat" not in m for m in logged)
