"""The national picture: suppression that totals cannot undo, signed aggregates from 43 forces,
tampered and repeated files refused by name."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.demo.outcome_history import TABLE_1_1, plan, write_history
from conductlens.report.key_facts import compute
from conductlens.report.national import (
    AggregateRefused,
    aggregate_document,
    import_aggregate,
    validate,
)
from conductlens.report.national_view import national_view
from conductlens.report.suppression import SUPPRESSED, published, suppress, with_totals
from conductlens.report.terms import CaseType, Proceeding
from conductlens.store import Store

grids = st.integers(1, 4).flatmap(lambda rows: st.integers(1, 5).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 12), min_size=cols, max_size=cols),
                          min_size=rows, max_size=rows)))


@given(grids)
def test_no_small_cell_is_published_and_no_line_gives_one_away(grid: list[list[int]]) -> None:
    full = with_totals(grid)
    hidden = suppress(full)
    shown = published(full, hidden)
    assert all(v == SUPPRESSED or v == 0 or v >= 5 for row in shown for v in row)
    lines = [row for row in shown] + ([list(col) for col in zip(*shown, strict=True)]
                                      if len(shown) > 1 else [])
    for line in lines:
        assert sum(v == SUPPRESSED for v in line) != 1, (grid, shown)


def test_secondary_suppression_example() -> None:
    full = with_totals([[3, 10, 20]])  # 3 alone would be 33 - 10 - 20
    assert published(full, suppress(full)) == [[SUPPRESSED, SUPPRESSED, 20, 33]]


def _force_figures(rng: random.Random) -> dict[CaseType, dict[Proceeding, int]]:
    return {ct: {p: rng.randint(0, 25) for p in row} for ct, row in TABLE_1_1.items()}


def test_43_forces_import_and_the_country_adds_up(tmp_path: Path) -> None:
    rng = random.Random(43)
    store = Store.open(str(tmp_path / "national.db"))
    trusted, files, totals = {}, [], 0
    for n in range(1, 44):
        force, key = f"Force {n:02d}", Ed25519PrivateKey.generate()
        trusted[force] = key.public_key().public_bytes_raw().hex()
        facts = compute(plan(_force_figures(rng), "2024-25", seed=n), "2024-25")
        totals += facts["cases_finalised"]
        path = tmp_path / f"force-{n:02d}-2024-25.json"
        path.write_text(json.dumps(aggregate_document(facts, force, key)))
        files.append(path)
    with store.engine.begin() as conn:
        for path in files:
            import_aggregate(conn, path, trusted, "national-analyst")
        view = national_view(conn, "2024-25")
    assert len(view.forces) == 43
    cases = view.country[0]  # every force's grand total is large enough to publish
    assert not cases.suppressed and cases.known == totals
    # A repeat, by name or by content, is refused.
    with store.engine.begin() as conn, pytest.raises(AggregateRefused, match="already imported"):
        import_aggregate(conn, files[0], trusted, "national-analyst")
    copy = tmp_path / "renamed.json"
    copy.write_bytes(files[1].read_bytes())
    with store.engine.begin() as conn, pytest.raises(AggregateRefused, match="already imported"):
        import_aggregate(conn, copy, trusted, "national-analyst")
    store.close()


def test_tampered_unknown_and_unsupported_files_are_refused(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    trusted = {"Force A": key.public_key().public_bytes_raw().hex()}
    doc = aggregate_document(compute(plan(_force_figures(random.Random(1)), "2024-25"),
                                     "2024-25"), "Force A", key)
    store = Store.open(str(tmp_path / "n.db"))
    tampered = json.loads(json.dumps(doc))
    row = tampered["aggregate"]["tables"]["proceedings"]["cells"][-1]
    row[-1] = row[-1] + 5 if isinstance(row[-1], int) else 100
    bad_version = json.loads(json.dumps(doc))
    bad_version["aggregate"]["version"] = "9.0.0"
    small = json.loads(json.dumps(doc))
    small["aggregate"]["tables"]["findings"]["cells"][0][0] = 3
    cases_ok = {"tampered.json": (tampered, "signature does not match"),
                "version.json": (bad_version, "version 9.0.0 is not supported"),
                "small.json": (small, "findings/cells/0/0"),
                "stranger.json": ({**doc, "aggregate": {**doc["aggregate"], "force": "Force B"}},
                                  "not among the trusted forces")}
    for name, (content, message) in cases_ok.items():
        path = tmp_path / name
        path.write_text(json.dumps(content))
        with store.engine.begin() as conn, pytest.raises(AggregateRefused, match=message):
            import_aggregate(conn, path, trusted, "x")
    validate(doc, "original")  # the original is untouched and valid
    store.close()


def test_export_and_import_through_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "force.db")
    store = Store.open(db)
    with store.engine.begin() as conn:
        write_history(conn, plan(TABLE_1_1, "2021-22"), "Force X", "HIST")
    store.close()
    out, key = tmp_path / "force-x.json", tmp_path / "keys" / "force-x.pem"
    runner = CliRunner()
    result = runner.invoke(app, ["key-facts", "export", "--force", "Force X", "--key", str(key),
                                 "--output", str(out), "--year", "2021-22", "--db", db])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    trusted = tmp_path / "trusted.json"
    trusted.write_text(json.dumps({"forces": {"Force X": doc["public_key"]}}))
    national = str(tmp_path / "national.db")
    ok = runner.invoke(app, ["key-facts", "import", str(out), "--trusted", str(trusted),
                             "--db", national])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(app, ["key-facts", "import", str(out), "--trusted", str(trusted),
                                "--db", national])
    assert again.exit_code == 1 and "already imported" in again.output
    shown = runner.invoke(app, ["key-facts", "national", "--year", "2021-22", "--db", national])
    assert "Force X" in shown.output and "1,442" in shown.output
