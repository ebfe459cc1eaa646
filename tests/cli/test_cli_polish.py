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


@pytest.mark.parametrize("command", [
    ["exhibits"], ["search", "morning"], ["findings"], ["export-messages"], ["responses"],
    ["key-facts"]])
def test_a_read_of_a_mistyped_store_creates_nothing(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "conductlesn.db"
    result = CliRunner().invoke(app, [*command, "--db", str(typo)])
    assert result.exit_code == 1 and not typo.exists()
    assert result.output.strip() == f"error: no store at {typo} (nothing was created)"


def test_a_store_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "s.db"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--db", str(missing)])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: cannot open store {missing}: unable to open database file")
    assert "sqlalche.me" not in line and "OperationalError" not in line


def test_an_export_to_a_file_says_how_many_it_wrote(db: str, tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    result = CliRunner().invoke(app, ["export-messages", "--db", db, "--output", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"Exported 2 message(s) to {out}." in result.output


@pytest.mark.parametrize(("flags", "said"), [
    ([], "listening on 127.0.0.1:8765 for a TLS proxy"),
    (["--http"], "ConductLens on http://127.0.0.1:8765/")])
def test_serve_names_the_address_it_really_listens_on(
        db: str, monkeypatch: pytest.MonkeyPatch, flags: list[str], said: str) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["serve", "--db", db, "--port", "8765", "--no-jobs",
                                      *flags], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert said in result.output and "https://" not in result.output
