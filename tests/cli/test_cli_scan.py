"""`conductlens scan`: findings stored once, incrementally, per policy version."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.detect.run import scan_store
from conductlens.store import Store
from conductlens.store import tables as t

CHAT = (
    "01/03/2026, 07:01 - Tom Reid: Morning all, briefing at 07:30\n"
    "01/03/2026, 07:02 - Sam Patel: Delete this chat before PSD get the phones\n"
    "01/03/2026, 07:03 - Tom Reid: Victim's number is 07700 900123, lives at 12 Acacia Road\n"
)
MORE = "02/03/2026, 07:01 - Sam Patel: get our stories straight before the statements\n"


def _findings(db: str) -> list[dict[str, object]]:
    store = Store.open(db)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.findings)).mappings()]


def test_scan_is_incremental_and_idempotent(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "s.db")
    first = tmp_path / "a.txt"
    first.write_text(CHAT, encoding="utf-8")
    runner.invoke(app, ["ingest", str(first), "--db", db, "--case", "PSD/1"])
    result = runner.invoke(app, ["scan", "--db", db])
    assert result.exit_code == 0, result.output
    found = _findings(db)
    categories = {f["category"] for f in found}
    assert "collusion-and-destroying-evidence" in categories
    assert "personal-data" in categories
    collusion = next(f for f in found if f["category"] == "collusion-and-destroying-evidence")
    assert "Honesty and integrity" in json.loads(str(collusion["standards"]))
    assert collusion["policy_version"]
    again = runner.invoke(app, ["scan", "--db", db])
    assert "scanned 0 new message(s)" in again.output
    assert len(_findings(db)) == len(found)

    second = tmp_path / "b.txt"
    second.write_text(MORE, encoding="utf-8")
    runner.invoke(app, ["ingest", str(second), "--db", db, "--case", "PSD/1"])
    more = runner.invoke(app, ["scan", "--db", db, "--case", "PSD/1"])
    assert "scanned 1 new message(s)" in more.output
    assert len(_findings(db)) > len(found)


def test_workers_give_the_same_findings(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(CHAT * 1 + MORE, encoding="utf-8")
    results = []
    for workers in (1, 2):
        db = str(tmp_path / f"w{workers}.db")
        CliRunner().invoke(app, ["ingest", str(path), "--db", db])
        store = Store.open(db)
        summary = scan_store(store, workers=workers)
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(t.findings.c.message_id, t.findings.c.category, t.findings.c.spans)
                .order_by(t.findings.c.id)
            ).all()
            assert conn.scalar(select(func.count()).select_from(t.scan_runs)) == 1
        results.append((summary.findings, rows))
    assert results[0] == results[1]


def test_unknown_case_is_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", "--db", str(tmp_path / "s.db"), "--case", "NOPE"])
    assert result.exit_code == 1 and "no case with reference 'NOPE'" in result.output
