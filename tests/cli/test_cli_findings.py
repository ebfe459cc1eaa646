"""`conductlens findings`: the stored findings, exact keys, filters, audited before output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conductlens.cli import app

CHAT = (
    "01/03/2026, 07:01 - Tom Reid: Morning all, briefing at 07:30\n"
    "01/03/2026, 07:02 - Sam Patel: Delete this chat before PSD get the phones\n"
    "01/03/2026, 07:03 - Tom Reid: fucking hell the van is late again\n"
)
OTHER = "02/03/2026, 07:01 - Sam Patel: get our stories straight before the statements\n"
KEYS = ["finding_id", "message_id", "category", "standards", "severity", "score", "detector",
        "spans", "explanation", "policy_version"]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> str:
    runner = CliRunner()
    path = str(tmp_path / "s.db")
    for name, body, case in (("a.txt", CHAT, "PSD/1"), ("b.txt", OTHER, "PSD/2")):
        (tmp_path / name).write_text(body, encoding="utf-8")
        result = runner.invoke(app, ["ingest", str(tmp_path / name), "--db", path, "--case", case])
        assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["scan", "--db", path]).exit_code == 0
    return path


def _lines(args: list[str]) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["findings", *args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_contract_and_message_ids_match_export(db: str) -> None:
    found = _lines(["--db", db])
    assert found and all(list(f) == KEYS for f in found)
    exported = CliRunner().invoke(app, ["export-messages", "--db", db])
    texts = {r["id"]: r["text"] for r in map(json.loads, exported.stdout.splitlines())}
    collusion = next(f for f in found if f["category"] == "collusion-and-destroying-evidence")
    text = texts[collusion["message_id"]]
    assert "Delete this chat" in text
    (start, end), *_ = collusion["spans"]  # type: ignore[misc]
    assert text[start:end].lower().startswith("delete")
    assert "Honesty and integrity" in collusion["standards"]  # type: ignore[operator]
    assert isinstance(collusion["score"], float) and collusion["policy_version"]


def test_filters_by_severity_and_case(db: str) -> None:
    every = _lines(["--db", db])
    severe = _lines(["--db", db, "--min-severity", "medium"])
    assert {f["severity"] for f in every} >= {"low"}
    assert severe and {f["severity"] for f in severe} <= {"medium", "high"}
    assert len(severe) < len(every)
    second = _lines(["--db", db, "--case", "PSD/2"])
    assert {f["category"] for f in second} == {"collusion-and-destroying-evidence"}
    assert {f["finding_id"] for f in second} < {f["finding_id"] for f in every}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--case", "NOPE"], "no case with reference 'NOPE'"),
        (["--min-severity", "urgent"], "--min-severity must be low, medium or high"),
    ],
)
def test_bad_options_are_one_line_errors(db: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["findings", "--db", db, *args])
    assert result.exit_code == 1 and message in result.output


def test_listing_is_audited_before_output(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from conductlens.review.audit import export_rows
    from conductlens.store import Store

    _lines(["--db", db, "--reason", "allegation 2"])
    with Store.open(db).engine.connect() as conn:
        last = export_rows(conn)[-1]
    assert last["action"] == "cli.findings" and last["justification"] == "allegation 2"
    assert "Delete this chat" not in str(last)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("conductlens.cli.findings.record_audit", broken)
    result = CliRunner().invoke(app, ["findings", "--db", db, "--json"])
    assert result.exit_code != 0 and result.stdout == ""  # no log, no output


def test_table_without_json(db: str) -> None:
    result = CliRunner().invoke(app, ["findings", "--db", db], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "collusion-and-destroying-evidence" in result.stdout
