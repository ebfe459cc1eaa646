from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import typer
from typer.testing import CliRunner

from conductlens.cli import audit as audit_cli
from conductlens.cli import review as review_cli
from conductlens.cli import users as users_cli


def _app() -> typer.Typer:
    app = typer.Typer()
    review_cli.register(app)
    audit_cli.register(app)
    users_cli.register(app)
    return app


def test_users_add_then_audit_verify_and_a_tampered_row(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    result = runner.invoke(_app(), ["users", "add", "ivy", "--role", "investigator",
                                    "--db", db], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    runner.invoke(_app(), ["users", "add", "sam", "--role", "supervisor", "--db", db],
                  input="another long password\n")
    result = runner.invoke(_app(), ["audit", "verify", "--db", db])
    assert result.exit_code == 0 and "2 records" in result.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_events SET username = 'mallory' WHERE id = 1")
    result = runner.invoke(_app(), ["audit", "verify", "--db", db])
    assert result.exit_code == 1 and "record 1" in result.output


def test_unknown_roles_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["users", "add", "x", "--role", "root", "--db",
                                         str(tmp_path / "c.db")], input="whatever123456\n")
    assert result.exit_code == 1 and "unknown role" in result.output


def test_demo_builds_a_store_with_accounts_and_a_pending_scope(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    result = CliRunner().invoke(_app(), ["demo", "--db", db, "--no-serve",
                                         "--out", str(tmp_path / "files")])
    assert result.exit_code == 0, result.output
    for role in ("investigator", "supervisor", "auditor", "analyst", "admin"):
        assert role in result.output
    assert "a scope awaits authorisation" in result.output
    exported = CliRunner().invoke(_app(), ["audit", "export", "--db", db])
    actions = {row["action"] for row in csv.DictReader(io.StringIO(exported.output))}
    assert {"user.add", "case.open", "exhibit.add", "policy.run", "scope.propose"} <= actions
    assert CliRunner().invoke(_app(), ["audit", "verify", "--db", db]).exit_code == 0


def test_users_commands_unlock_disable_reset_and_change_role(tmp_path: Path) -> None:
    db = str(tmp_path / "users.db")
    runner = CliRunner()
    assert runner.invoke(_app(), ["users", "add", "ivy", "--role", "investigator", "--db", db],
                         input="a long enough password\n").exit_code == 0
    refused = runner.invoke(_app(), ["users", "add", "ed", "--role", "analyst", "--db", db],
                            input="          \n")
    assert refused.exit_code == 1 and "only spaces" in refused.output
    empty = runner.invoke(_app(), ["users", "add", "ed", "--role", "analyst", "--db", db],
                          input="")
    assert empty.exit_code == 1 and "a password is needed" in empty.output
    reason = ["--reason", "Ticket 7 from the helpdesk"]
    for args, said in (
        (["unlock", "ivy"], "Unlocked ivy"),
        (["disable", "ivy"], "Disabled ivy"),
        (["enable", "ivy"], "Enabled ivy"),
        (["set-role", "ivy", "--role", "supervisor"], "now a supervisor"),
    ):
        result = runner.invoke(_app(), ["users", *args, *reason, "--db", db])
        assert result.exit_code == 0 and said in result.output, result.output
    weak = runner.invoke(_app(), ["users", "reset-password", "ivy", *reason, "--db", db],
                         input="password123456\n")
    assert weak.exit_code == 1 and "common" in weak.output and "password123456" not in weak.output
    result = runner.invoke(_app(), ["users", "reset-password", "ivy", *reason, "--db", db],
                           input="a different long passphrase\n")
    assert result.exit_code == 0
    listing = runner.invoke(_app(), ["users", "list", "--db", db]).output
    assert "ivy" in listing and "supervisor" in listing and "made by cli:" in listing
    exported = runner.invoke(_app(), ["audit", "export", "--db", db]).output
    actions = {row["action"] for row in csv.DictReader(io.StringIO(exported))}
    assert {"user.unlock", "user.disable", "user.enable", "user.role",
            "user.password.reset"} <= actions
    missing = runner.invoke(_app(), ["users", "list", "--db", str(tmp_path / "typo.db")])
    assert missing.exit_code == 1 and not (tmp_path / "typo.db").exists()
