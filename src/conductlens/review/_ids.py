"""Small result helpers shared by the review modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Row


def inserted_id(result: CursorResult[object]) -> int:
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - single-row inserts always have one
        raise RuntimeError("insert returned no primary key")
    return int(key[0])


def pairs(rows: Sequence[Row[Any, Any]]) -> dict[str, int]:
    """Two-column rows as a dict (key column -> integer column)."""
    return {str(r[0]): int(r[1]) for r in rows}
