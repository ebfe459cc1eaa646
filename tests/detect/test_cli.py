"""``check`` prints findings; ``--json`` is an exact contract used by external checks."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from conductlens.cli.detect import register
from conductlens.detect.policy import STANDARDS

RUNNER = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_check_json_contract() -> None:
    text = "delete this chat before PSD, you f*g"
    result = RUNNER.invoke(_app(), ["check", "--json", text])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert set(record) == {"text", "findings"} and record["text"] == text
    categories = {f["category"] for f in record["findings"]}
    assert {"collusion-and-destroying-evidence", "discrimination-sexual-orientation"} <= categories
    for finding in record["findings"]:
        assert set(finding) == {
            "category",
            "standards",
            "severity",
            "score",
            "spans",
            "explanation",
        }
        assert set(finding["standards"]) <= set(STANDARDS)
        assert finding["severity"] in {"low", "medium", "high"}
        assert isinstance(finding["score"], float) and isinstance(finding["explanation"], str)
        assert all(0 <= a < b <= len(text) for a, b in finding["spans"])
    race = next(f for f in record["findings"] if f["category"].startswith("discrimination"))
    assert "Equality and diversity" in race["standards"]
    assert [text[a:b] for a, b in race["spans"]] == ["f*g"]


def test_check_stdin_one_object_per_line() -> None:
    lines = "hello team\nget our stories straight\n\n"
    result = RUNNER.invoke(_app(), ["check", "-", "--json"], input=lines)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == ["hello team", "get our stories straight", ""]
    assert records[0]["findings"] == [] and records[1]["findings"]


def test_check_table_output() -> None:
    result = RUNNER.invoke(_app(), ["check", "get our stories straight"])
    assert result.exit_code == 0 and "collusion" in result.stdout


def test_bad_policy_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '1'\nname: x\nnope: 1\n", encoding="utf-8")
    result = RUNNER.invoke(_app(), ["check", "--policy", str(bad), "hi"])
    assert result.exit_code == 1
    assert f"{bad}:3" in result.output.replace("\n", "")
