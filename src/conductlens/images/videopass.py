"""Videos in the image pass: each video attachment kept in the store is hashed once (MD5,
SHA-1 and its vPDQ key frames), then matched against the force's lists like a picture: a
video matches a PDQ entry when any of its trusted frames is within ``MATCH_DISTANCE`` bits
(the nearest frame is reported), and an MD5, SHA-1 or SHA-256 entry when the file is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select

from conductlens.images.blobs import MissingImage, video_file
from conductlens.images.matching import Match, exact_entries, pdq_entries
from conductlens.images.pdq import MATCH_DISTANCE, MIN_QUALITY, distances
from conductlens.images.video import UnreadableVideo, vpdq_of
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.tables_images import video_frames, videos

VIDEO_KINDS = ("video",)


def video_attachments(conn: Connection, case_id: int | None) -> Any:
    """A query of (sha256, exhibit id) for video attachments kept in the store."""
    a, m = t.attachments, t.messages
    query = (select(a.c.sha256, m.c.exhibit_id).join(m, m.c.id == a.c.message_id)
             .where(a.c.sha256.is_not(None),
                    or_(a.c.kind.in_(VIDEO_KINDS), a.c.media_type.like("video/%"))))
    if case_id is not None:
        query = query.where(m.c.exhibit_id.in_(
            exhibits_of(case_id)))
    return query


def hash_videos(store: Store, case_id: int | None) -> tuple[int, int, int]:
    """Hash every video not yet hashed; returns (hashed, unreadable, not kept)."""
    with store.engine.connect() as conn:
        query = video_attachments(conn, case_id).where(
            t.attachments.c.sha256.not_in(select(videos.c.sha256)))
        todo: dict[str, int] = {}
        for sha, exhibit_id in conn.execute(query.order_by(t.attachments.c.id)):
            todo.setdefault(str(sha), int(exhibit_id))
    hashed = unreadable = missing = 0
    for sha, exhibit_id in todo.items():
        # Decoding a long video takes a while: no write transaction is held meanwhile.
        with store.engine.connect() as conn:
            try:
                row, frames = _describe(conn, store, exhibit_id, sha)
            except MissingImage:
                missing += 1
                continue
        with store.engine.begin() as conn:
            conn.execute(insert(videos).values(sha256=sha, scanned_at=datetime.now(UTC), **row))
            if frames:
                conn.execute(insert(video_frames), [{"sha256": sha, **f} for f in frames])
        unreadable += row["error"] is not None
        hashed += row["error"] is None
    return hashed, unreadable, missing


def _describe(conn: Connection, store: Store, exhibit_id: int, sha: str
              ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with video_file(conn, store.exhibit_dir, exhibit_id, sha) as (path, digests):
        row: dict[str, Any] = {**digests, "complete": True, "error": None}
        try:
            found = vpdq_of(path)
        except UnreadableVideo as exc:
            row["error"] = str(exc)
            return row, []
    row.update(width=found.width, height=found.height, fps=found.fps,
               frames_read=found.frames_read, complete=found.complete)
    frames = [{"frame_number": f.frame_number, "timestamp": f.timestamp, "pdq": f.pdq,
               "quality": f.quality} for f in found.frames]
    return row, frames


def all_videos(conn: Connection, case_id: int | None) -> list[str]:
    """Every hashed video (in the case, when given)."""
    shas = {str(s) for s, _ in conn.execute(video_attachments(conn, case_id))}
    held = set(conn.scalars(select(videos.c.sha256).where(videos.c.error.is_(None))))
    return sorted(shas & held)


def match_videos(conn: Connection, shas: Iterable[str]) -> list[Match]:
    """Every list entry each video matches: exactly, or by its nearest trusted frame."""
    exact, (pdqs, words) = exact_entries(conn), pdq_entries(conn)
    found: list[Match] = []
    for sha in shas:
        row = conn.execute(select(videos).where(videos.c.sha256 == sha)).mappings().first()
        if row is None:
            continue
        for kind in ("sha256", "md5", "sha1"):
            for name, category, source in exact.get((kind, row[kind]), []):
                found.append(Match(sha, name, category, kind, 0, source))
        if pdqs:
            found.extend(_frame_matches(conn, sha, pdqs, words))
    return found


def _frame_matches(conn: Connection, sha: str, pdqs: list[tuple[str, str, str | None]],
                   words: Any) -> list[Match]:
    nearest: dict[int, tuple[int, float]] = {}  # entry index -> (bits, frame time)
    frames = conn.execute(select(video_frames.c.pdq, video_frames.c.timestamp)
                          .where(video_frames.c.sha256 == sha,
                                 video_frames.c.quality > MIN_QUALITY)
                          .order_by(video_frames.c.frame_number))
    for pdq, timestamp in frames:
        near = distances(str(pdq), words)
        for hit in (near <= MATCH_DISTANCE).nonzero()[0].tolist():
            bits = int(near[hit])
            if hit not in nearest or bits < nearest[hit][0]:  # the earliest nearest frame
                nearest[hit] = (bits, float(timestamp))
    out = []
    for entry, (bits, at) in sorted(nearest.items(), key=lambda kv: (kv[1][0], kv[0])):
        name, category, source = pdqs[entry]
        out.append(Match(sha, name, category, "pdq", bits, source, frame_at=at))
    return out
