"""The custodian's whole-exhibit reads are recorded before they start.

``export-messages | head -c 2000``, an export killed half-way and a search all leave their
audit record, and a closed pipe ends in one line on stderr, not a traceback.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conductlens.cli import app

CLI = [sys.executable, "-c", "from conductlens.cli import main; main()"]


def _chat(path: Path, lines: int) -> Path:
    out = [f"01/03/2026, 07:{n % 60:02d} - PC Tom Reid: =HYPERLINK(\"x\") message {n}"
           for n in range(lines)]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ingest of a 20,000-message chat, copied per test (ingest is the slow part)."""
    folder = tmp_path_factory.mktemp("custodian")
    db = folder / "c.db"
    result = CliRunner().invoke(app, ["ingest", str(_chat(folder / "chat.txt", 20000)),
                                      "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(store_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "c.db"
    shutil.copy(store_file, copy)
    if (store_file.parent / "c.db.exhibits").exists():
        shutil.copytree(store_file.parent / "c.db.exhibits", tmp_path / "c.db.exhibits")
    return str(copy)


def _actions(db: str) -> list[tuple[str, dict[str, object]]]:
    from conductlens.review.audit import export_rows
    from conductlens.store import Store

    store = Store.open(db)
    with store.engine.connect() as conn:
        rows = export_rows(conn)
    store.close()
    return [(str(r["action"]), json.loads(str(r["detail"]))) for r in rows]


def test_an_export_piped_into_head_is_recorded_and_ends_in_one_line(db: str) -> None:
    cmd = " ".join(f"'{c}'" for c in CLI) + f" export-messages --db '{db}' | head -c 2000"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True,
                          text=True, timeout=300)
    assert len(done.stdout) == 2000
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "output was closed" in done.stderr and done.stderr.count("\n") == 1
    exports = [d for a, d in _actions(db) if a == "cli.export"]
    assert exports and exports[0]["messages"] == 20000  # what it set out to disclose


def test_a_killed_export_still_leaves_its_record(db: str) -> None:
    proc = subprocess.Popen([*CLI, "export-messages", "--db", db], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.read(500)  # content has started to flow
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    actions = [a for a, _ in _actions(db)]
    assert "cli.export" in actions and "cli.export.done" not in actions


def test_a_csv_export_guards_formula_cells(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["export-messages", "--db", db, "--format", "csv",
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "'=HYPERLINK" in lines[1] and ",=HYPERLINK" not in lines[1]


def test_search_records_its_terms_before_reading(db: str) -> None:
    result = CliRunner().invoke(app, ["search", "message 19999", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    (detail,) = [d for a, d in _actions(db) if a == "cli.search"]
    assert detail["terms"] == ["message", "19999"] and detail["results"] == 1


def test_a_case_reads_an_exhibit_it_shares_with_an_earlier_case(tmp_path: Path) -> None:
    """The same chat filed under a second case is that case's evidence too: `search` and
    `export-messages --case` read it (they once read only an exhibit's first case)."""
    chat, db = _chat(tmp_path / "chat.txt", 5), str(tmp_path / "s.db")
    for case in ("PSD/1", "PSD/2"):
        done = CliRunner().invoke(app, ["ingest", str(chat), "--db", db, "--case", case])
        assert done.exit_code == 0, done.output
    found = CliRunner().invoke(app, ["search", "message 3", "--db", db, "--case", "PSD/2",
                                     "--json"])
    assert found.exit_code == 0, found.output
    assert [json.loads(line)["text"] for line in found.output.splitlines()] == [
        '=HYPERLINK("x") message 3']
    out = tmp_path / "two.jsonl"
    export = CliRunner().invoke(app, ["export-messages", "--db", db, "--case", "PSD/2",
                                      "--output", str(out)])
    assert export.exit_code == 0, export.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5
