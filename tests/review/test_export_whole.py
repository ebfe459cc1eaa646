"""An export holds every finding asked for, or refuses; it never stops at a first page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from conductlens.errors import ConductLensError
from conductlens.review import access
from conductlens.review.access import ReviewSession
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t


def _add_findings(store: Store, world: World, n: int) -> None:
    """``n`` more findings on the in-scope message of the first sample finding."""
    with store.engine.begin() as conn:
        first = conn.execute(select(t.findings).where(
            t.findings.c.id == world.sample.finding_ids[0])).mappings().one()
        row = {k: v for k, v in first.items() if k != "id"}
        row["created_at"] = datetime(2024, 4, 1, tzinfo=UTC)
        conn.execute(insert(t.findings), [dict(row, score=i / n) for i in range(n)])


def _export(store: Store, world: World) -> list[dict[str, str]]:
    review = ReviewSession(store.engine, world.users["investigator"], world.case_id)
    return list(csv.DictReader(io.StringIO(review.export_csv("IOPC", "panel disclosure"))))


def test_an_export_holds_every_finding_beyond_two_hundred(store: Store, scoped: World) -> None:
    _add_findings(store, scoped, 250)
    rows = _export(store, scoped)
    assert len(rows) == 252  # the two sample findings in scope and the 250 added
    assert len({r["finding"] for r in rows}) == 252
    assert all("custody photo" not in r["text"] for r in rows)  # scope still applies


def test_an_export_too_big_for_one_file_is_refused(store: Store, scoped: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _add_findings(store, scoped, 250)
    monkeypatch.setattr(access, "EXPORT_LIMIT", 100)
    with pytest.raises(ConductLensError, match="252 findings, more than the 100"):
        _export(store, scoped)
