"""``conductlens responses`` names each member once: rows the roster merged as one member
(one number written two ways) are one name, and two people shown under one name stay apart,
each with what tells them apart (the phone number, else the exhibit's key for them)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conductlens.cli import app


def _records(db: str, path: Path) -> list[dict[str, object]]:
    done = CliRunner().invoke(app, ["ingest", str(path), "--db", db])
    assert done.exit_code == 0, done.output
    rows = [json.loads(line) for line in CliRunner().invoke(
        app, ["export-messages", "--db", db]).stdout.splitlines()]
    first = next(r for r in rows if str(r["text"]).startswith("Another car"))
    result = CliRunner().invoke(app, ["responses", "--db", db, "--message", str(first["id"]),
                                      "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _message(n: int, who: str, uid: str, text: str) -> dict[str, object]:
    return {"id": n, "type": "message", "date": f"2026-03-03T22:0{n}:00", "from": who,
            "from_id": uid, "text": text}


def test_two_people_with_one_name_are_told_apart(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    export.write_text(json.dumps({"name": "Team 3", "type": "private_group", "id": 7,
                                  "messages": [
        _message(1, "Tom Reid", "user100", "Another car full of them, stop the lot"),
        _message(2, "Bob", "user201", "haha spot on"),
        _message(3, "Bob", "user202", "Not funny mate, delete that")]}), encoding="utf-8")
    (rec,) = _records(str(tmp_path / "t.db"), export)
    bobs = ["Bob (user201)", "Bob (user202)"]
    assert sorted(n for n in rec["present"] if str(n).startswith("Bob")) == bobs  # type: ignore[union-attr]
    assert len(rec["present"]) == len(set(rec["present"]))  # type: ignore[arg-type]
    assert rec["challenged"] == ["Bob (user202)"] and "Bob (user201)" in rec["endorsed"]  # type: ignore[operator]
    assert set(rec["evidence"]) >= set(bobs)  # type: ignore[arg-type]  # never pooled


def test_one_number_written_two_ways_is_one_member(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Team 3.txt"
    chat.write_text("03/03/2026, 22:00 - PC Tom Reid: Another car full of them, stop the lot\n"
                    "03/03/2026, 22:01 - +44 7700 900001: haha spot on\n"
                    "03/03/2026, 22:02 - \u202a+44 7700 900001\u202c: 😂\n"
                    "03/03/2026, 22:03 - PC Ben Cole: Not funny mate, delete that\n",
                    encoding="utf-8")
    (rec,) = _records(str(tmp_path / "w.db"), chat)
    present = [str(n) for n in rec["present"]]  # type: ignore[union-attr]
    assert len(present) == len(set(present)) == 3, present
    assert sum("7700 900001" in n for n in present) == 1
