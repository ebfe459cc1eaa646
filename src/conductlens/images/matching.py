"""Matching stored pictures against every hash list: exact MD5/SHA-1/SHA-256, and PDQ by
Hamming distance (a match at ``MATCH_DISTANCE`` bits or fewer, trusted hashes only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
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
    frame_at: float | None = None  # for a video: the time (seconds) of the nearest frame


def _entries(conn: Connection) -> list[tuple[str, str, str, str, str | None]]:
    rows = conn.execute(select(hash_entries.c.hash_type, hash_entries.c.hash, hash_lists.c.name,
                               hash_entries.c.category, hash_entries.c.source)
                        .join(hash_lists, hash_lists.c.id == hash_entries.c.list_id)
                        .order_by(hash_entries.c.id))
    return [(str(a), str(b), str(c), str(d), e) for a, b, c, d, e in rows]


ExactEntries = dict[tuple[str, str], list[tuple[str, str, str | None]]]


def exact_entries(conn: Connection) -> ExactEntries:
    """(hash type, hash) -> [(list, category, source)] for every MD5/SHA-1/SHA-256 entry."""
    exact: ExactEntries = {}
    for kind, value, name, category, source in _entries(conn):
        if kind != "pdq":
            exact.setdefault((kind, value), []).append((name, category, source))
    return exact


def pdq_entries(conn: Connection) -> tuple[list[tuple[str, str, str | None]],
                                           npt.NDArray[np.uint64]]:
    """[(list, category, source)] for every PDQ entry, and their hashes as words."""
    pdqs = [e for e in _entries(conn) if e[0] == "pdq"]
    return [(n, c, s) for _, _, n, c, s in pdqs], as_words([e[1] for e in pdqs])


def match_images(conn: Connection, shas: Iterable[str]) -> list[Match]:
    """Every list entry each of ``shas`` matches, nearest first per picture."""
    exact, (pdqs, words) = exact_entries(conn), pdq_entries(conn)
    if not exact and not pdqs:
        return []
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
                name, category, source = pdqs[index]
                found.append(Match(row["sha256"], name, category, "pdq", int(near[index]),
                                   source))
    return found


def _pictures(conn: Connection, shas: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(shas), 500):
        rows = conn.execute(select(images).where(images.c.sha256.in_(shas[start:start + 500])))
        out.extend(dict(r) for r in rows.mappings())
    return out
