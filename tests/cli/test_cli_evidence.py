"""The evidence commands as a user runs them: contracts, errors in one line, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conductlens.cli import app

CHAT = (
    "01/03/2026, 07:01 - Sgt Rachel Hughes created group \"Team 3\"\n"
    "01/03/2026, 07:02 - Sgt Rachel Hughes added PC Tom Reid\n"
    "01/03/2026, 07:03 - Sgt Rachel Hughes: Morning all - briefing at 07:30: bring\n"
    "your notebooks\n"
    "01/03/2026, 07:04 - PC Tom Reid: <Media omitted>\n"
    "01/03/2026, 07:05 - PC Tom Reid: on my way <This message was edited>\n"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    path = tmp_path / "WhatsApp Chat with Team 3.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


def test_ingest_json_contract(runner: CliRunner, chat: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    result = runner.invoke(app, ["ingest", str(chat), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    (exhibit,) = out["exhibits"]
    for key in ("path", "sha256", "format", "conversations", "messages", "participants",
                "membership_events", "unparsed", "warnings"):
        assert key in exhibit
    assert exhibit["format"] == "whatsapp-text"
    assert exhibit["messages"] == 5  # system messages count too
    assert exhibit["membership_events"] == 2
    assert exhibit["unparsed"] == 0


def test_export_jsonl_contract(runner: CliRunner, chat: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner.invoke(app, ["ingest", str(chat), "--db", db])
    out = tmp_path / "m.jsonl"
    result = runner.invoke(app, ["export-messages", "--format", "jsonl", "--output", str(out),
                                 "--db", db])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in rows] == ["system", "system", "text", "media", "text"]
    assert rows[0]["sender"] is None
    assert rows[2]["text"] == "Morning all - briefing at 07:30: bring\nyour notebooks"
    assert rows[2]["timestamp"] == "2026-03-01T07:03:00"
    assert rows[2]["source"]["line"] == 3
    assert rows[4]["edited"] is True and rows[4]["text"] == "on my way"
    assert rows[3]["attachment"]["omitted"] is True
    assert {"exhibit_sha256", "conversation", "timestamp", "sender", "kind", "text", "edited",
            "attachment", "source"} <= set(rows[0])


def test_export_with_timezone_is_offset_aware(
    runner: CliRunner, chat: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "s.db")
    runner.invoke(app, ["ingest", str(chat), "--db", db, "--timezone", "Europe/London"])
    result = runner.invoke(app, ["export-messages", "--db", db])
    first = json.loads(result.stdout.splitlines()[0])
    assert first["timestamp"] == "2026-03-01T07:01:00+00:00"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("noise.bin", bytes(range(256)) * 8, "not a recognised chat export"),
        ("notes.txt", b"shopping list\nmilk\neggs\n", "not a recognised chat export"),
    ],
)
def test_bad_input_is_one_line_error(
    runner: CliRunner, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["ingest", str(path), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert name in result.output and reason in result.output


def test_missing_file_and_bad_zone(runner: CliRunner, tmp_path: Path, chat: Path) -> None:
    db = str(tmp_path / "s.db")
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.txt"), "--db", db])
    assert missing.exit_code == 1 and "no such file" in missing.output
    zone = runner.invoke(app, ["ingest", str(chat), "--db", db, "--timezone", "Mars/Olympus"])
    assert zone.exit_code == 1 and "unknown time zone" in zone.output


def test_search_and_exhibits(runner: CliRunner, chat: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner.invoke(app, ["ingest", str(chat), "--db", db, "--case", "PSD/1"])
    found = runner.invoke(app, ["search", "NOTEBOOKS", "--db", db, "--json"])
    assert found.exit_code == 0
    (hit,) = [json.loads(line) for line in found.stdout.splitlines()]
    assert hit["sender"] == "Sgt Rachel Hughes"
    listing = runner.invoke(app, ["exhibits", "--db", db], env={"COLUMNS": "250"})
    assert "EXH-00001" in listing.stdout and "PSD/1" in listing.stdout


def test_cli_reads_are_audited(runner: CliRunner, chat: Path, tmp_path: Path) -> None:
    """Collection, consultation and disclosure from the command line are in the audit chain."""
    from conductlens.review.audit import export_rows, verify_chain
    from conductlens.store import Store

    db = str(tmp_path / "s.db")
    runner.invoke(app, ["ingest", str(chat), "--db", db])
    runner.invoke(app, ["search", "notebooks", "--db", db, "--reason", "allegation 3"])
    runner.invoke(app, ["export-messages", "--db", db, "--recipient", "CPS"])
    store = Store.open(db)
    with store.engine.connect() as conn:
        rows = export_rows(conn)
        assert verify_chain(conn).ok
    actions = [r["action"] for r in rows]
    # The export is recorded before it starts, and again with its count when it completes.
    assert actions == ["exhibit.add", "cli.search", "cli.export", "cli.export.done"]
    assert rows[1]["justification"] == "allegation 3"
    assert '"recipient":"CPS"' in rows[2]["detail"]
    # The search terms are recorded (what was looked for is part of the consultation);
    # message content never enters the log.
    assert '"terms":["notebooks"]' in rows[1]["detail"]
    assert "briefing" not in str(rows) and "Rachel" not in str(rows)
