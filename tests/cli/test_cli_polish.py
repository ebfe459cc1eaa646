"""The same "no such case" everywhere, and tables that keep references and hashes whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conductlens.cli import app

CHAT = ("01/03/2026, 07:03 - Sgt Rachel Hughes: Morning all\n"
        "01/03/2026, 07:05 - PC Tom Reid: on my way\n")


@pytest.fixture
def db(tmp_path: Path) -> str:
    chat = tmp_path / "WhatsApp Chat with Team 3.txt"
    chat.write_text(CHAT, encoding="utf-8")
    path = str(tmp_path / "p.db")
    result = CliRunner().invoke(app, ["ingest", str(chat), "--db", path, "--case", "PSD-1"])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("command", [
    ["scan"], ["search", "morning"], ["findings"], ["export-messages"], ["responses"]])
def test_an_unknown_case_is_one_line_and_exit_one(db: str, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--case", "NOPE", "--db", db])
    assert result.exit_code == 1
    assert "no case with reference 'NOPE'" in result.output
    assert "Traceback" not in result.output


def test_exhibits_at_80_columns_keep_the_reference_and_hash_whole(db: str) -> None:
    runner = CliRunner()
    (row,) = [json.loads(line) for line in runner.invoke(
        app, ["exhibits", "--db", db, "--json"]).stdout.splitlines()]
    table = runner.invoke(app, ["exhibits", "--db", db], env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "…" not in table
    assert f"SHA-256 {row['sha256']}" in " ".join(table.split())
    assert f"Ref {row['reference']}" in " ".join(table.split())
    wide = runner.invoke(app, ["exhibits", "--db", db], env={"COLUMNS": "200"}).stdout
    assert row["sha256"] in wide and "┃ SHA-256" in wide  # a wide terminal keeps the table


def test_formats_as_json() -> None:
    result = CliRunner().invoke(app, ["formats", "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and "whatsapp-text" in {r["name"] for r in rows}
