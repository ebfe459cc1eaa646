"""Matching stored pictures against every hash list: exact MD5/SHA-1/SHA-256, and PDQ by
Hamming distance (a match at ``MATCH_DISTANCE`` bits or fewer, trusted hashes only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from conductlens.images.pdq import MATCH_DISTANCE, MIN_QUALITY, as_words, distances
from conductlens.store.tables_images import hash_entries, hash_lists, images


@dataclass(frozen=True, slots=True)
class Match:
    sha256: str
    list_name: str
    category: str
    hash_type: str
    distance: int  # bits for pdq, 0 for an exact hash
    source: str | None


def _entries(conn: Connection) -> list[tuple[str, str, str, str, str | None]]:
    rows = conn.execute(select(hash_entries.c.hash_type, hash_entries.c.hash, hash_lists.c.name,
                               hash_entries.c.category, hash_entries.c.source)
                        .join(hash_lists, hash_lists.c.id == hash_entries.c.list_id)
                        .order_by(hash_entries.c.id))
    return [(str(a), str(b), str(c), str(d), e) for a, b, c, d, e in rows]


def match_images(conn: Connection, shas: Iterable[str]) -> list[Match]:
    """Every list entry each of ``shas`` matches, nearest first per picture."""
    entries = _entries(conn)
    if not entries:
        return []
    exact: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}
    for kind, value, name, category, source in entries:
        if kind != "pdq":
            exact.setdefault((kind, value), []).append((name, category, source))
    pdqs = [e for e in entries if e[0] == "pdq"]
    words = as_words([e[1] for e in pdqs])
    found: list[Match] = []
    for row in _pictures(conn, list(shas)):
        for kind in ("sha256", "md5", "sha1"):
            for name, category, source in exact.get((kind, row[kind]), []):
                found.append(Match(row["sha256"], name, category, kind, 0, source))
        if row["pdq"] and int(row["pdq_quality"] or 0) > MIN_QUALITY and pdqs:
            near = distances(row["pdq"], words)
            for index in near.argsort(kind="stable"):
                if near[index] > MATCH_DISTANCE:
                    break
                _, _, name, category, source = pdqs[index]
                found.append(Match(row["sha256"], name, category, "pdq", int(near[index]),
                                   source))
    return found


def _pictures(conn: Connection, shas: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(shas), 500):
        rows = conn.execute(select(images).where(images.c.sha256.in_(shas[start:start + 500])))
        out.extend(dict(r) for r in rows.mappings())
    return out
