"""Stored findings as records (the ``conductlens findings`` contract)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from conductlens.errors import ConductLensError
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of

SEVERITIES = ("low", "medium", "high")


def severities_from(minimum: str) -> tuple[str, ...]:
    """The severity names at or above ``minimum`` ("low", "medium" or "high")."""
    if minimum not in SEVERITIES:
        raise ConductLensError(f"--min-severity must be low, medium or high, not {minimum!r}")
    return SEVERITIES[SEVERITIES.index(minimum) :]


def _query(case: str | None, severities: tuple[str, ...]) -> Any:
    f = t.findings
    query = select(f).where(f.c.severity.in_(severities)).order_by(f.c.message_id, f.c.id)
    if case is not None:
        exhibits = exhibits_of(select(t.cases.c.id).where(t.cases.c.reference == case)
                               .scalar_subquery())
        query = query.where(f.c.exhibit_id.in_(exhibits))
    return query


def _check_case(conn: Connection, case: str | None) -> None:
    if (
        case is not None
        and conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == case)) is None
    ):
        raise ConductLensError(f"no case with reference {case!r}")


def finding_record(row: Any) -> dict[str, Any]:
    """One stored finding with exactly the contract's keys; ``message_id`` as export-messages."""
    return {
        "finding_id": row["id"],
        "message_id": row["message_id"],
        "category": row["category"],
        "standards": json.loads(row["standards"]),
        "severity": row["severity"],
        "score": row["score"],
        "detector": row["detector"],
        "spans": json.loads(row["spans"]),
        "explanation": row["explanation"],
        "policy_version": row["policy_version"],
    }


def list_findings(
    conn: Connection, *, case: str | None = None, min_severity: str = "low"
) -> Iterator[dict[str, Any]]:
    """Stored findings at or above ``min_severity``, optionally of one case, by message."""
    severities = severities_from(min_severity)
    _check_case(conn, case)
    for row in conn.execute(_query(case, severities)).mappings():
        yield finding_record(row)
