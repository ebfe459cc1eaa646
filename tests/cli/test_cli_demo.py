"""The README's main command: `conductlens demo` builds a working store, and only once."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conductlens.cli import app


def test_demo_builds_then_refuses_a_used_store(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "demo.db")
    args = ["demo", "--db", db, "--no-serve", "--out", str(tmp_path / "files")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    for role in ("investigator", "supervisor", "auditor", "analyst", "admin"):
        assert f"  {role}" in first.output
    assert "a scope awaits authorisation" in first.output
    # A minute or two of work says what it is doing as it goes.
    assert first.output.index("Ingesting the exhibits") < first.output.index(
        "Running the national baseline policy") < first.output.index("Accounts")
    verify = runner.invoke(app, ["audit", "verify", "--db", db])
    assert verify.exit_code == 0, verify.output
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "needs a new, empty store" in again.output and "Traceback" not in again.output
