"""``conductlens responses``: the JSON contract, findings by default, errors, the audit record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

KEYS = ("message_id", "source", "sender", "timestamp", "present", "endorsed", "challenged",
        "neutral", "silent", "left", "evidence")
INCIDENT = "03/03/2026, 22:00 - PC Tom Reid: Another car full of them doing 50 through town"
SLUR = "03/03/2026, 22:00 - PC Tom Reid: Another car full of pakis doing 50 through town"


@pytest.fixture
def db(tmp_path: Path, shift_text: str) -> str:
    chat = tmp_path / "WhatsApp Chat with Team 3 Lates.txt"
    chat.write_text(shift_text.replace(INCIDENT, SLUR), encoding="utf-8")
    path = str(tmp_path / "s.db")
    result = CliRunner().invoke(app, ["ingest", str(chat), "--db", path, "--case", "PSD-1"])
    assert result.exit_code == 0, result.output
    return path


def _lines(args: list[str]) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["responses", *args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _export(db: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["export-messages", "--db", db])
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_message_ids_as_export_messages_gives_them(db: str) -> None:
    rows = _export(db)
    incident = next(r for r in rows if str(r["text"]).startswith("Another car"))
    (rec,) = _lines(["--db", db, "--message", str(incident["id"])])
    assert tuple(k for k in KEYS if k in rec) == KEYS
    assert rec["message_id"] == incident["id"]
    assert rec["source"] == incident["source"] and rec["timestamp"] == incident["timestamp"]
    assert rec["sender"] == incident["sender"]
    shown = {r["sender"] for r in rows if r["sender"]}
    assert set(rec["present"]) <= shown  # type: ignore[arg-type]
    assert rec["challenged"] == ["PC Ben Cole"]


def test_without_message_every_medium_or_high_finding(db: str) -> None:
    assert _lines(["--db", db]) == []  # nothing scanned yet, so nothing flagged
    result = CliRunner().invoke(app, ["scan", "--db", db])
    assert result.exit_code == 0, result.output
    recs = _lines(["--db", db, "--case", "PSD-1"])
    assert [r["sender"] for r in recs] == ["PC Tom Reid"]


def test_unknown_message_is_one_line_error(db: str) -> None:
    result = CliRunner().invoke(app, ["responses", "--db", db, "--message", "99999", "--json"])
    assert result.exit_code == 1
    assert "no message with id 99999" in result.output and "Traceback" not in result.output


def test_message_outside_the_case_is_refused(db: str) -> None:
    result = CliRunner().invoke(app, ["responses", "--db", db, "--case", "PSD-1",
                                      "--message", "99999"])
    assert result.exit_code == 1 and "not in case" in result.output


def test_each_run_is_audited(db: str) -> None:
    _lines(["--db", db, "--message", "7"])
    store = Store.open(db)
    with store.engine.connect() as conn:
        actions = list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))
    assert actions[-1] == "cli.responses"
