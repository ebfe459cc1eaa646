"""The background image pass (``conductlens images scan``): hash every stored picture (and
video: vPDQ key frames) not yet hashed, match them against the force's hash lists, seal what
matches a child-abuse list, then (optionally) read text and score sexual imagery. Idempotent:
each picture and video is decoded once, and findings already held are not added again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select

from conductlens.errors import ConductLensError
from conductlens.images.blobs import MissingImage, read_image
from conductlens.images.decode import UnreadableImage, decode, open_raw
from conductlens.images.exif import exif_of
from conductlens.images.findings import ImageFinding, store_findings
from conductlens.images.hashlists import SEALING_CATEGORIES
from conductlens.images.matching import Match, match_images
from conductlens.images.pdq import pdq_of
from conductlens.images.sealing import SPECIALIST_TEAM, carriers, is_sealed, seal
from conductlens.images.videopass import all_videos, hash_videos, match_videos
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.tables_images import images

IMAGE_KINDS = ("image", "sticker")
Progress = Callable[[int, int], None]
Step = Callable[[Connection, Store, list[str]], int]


@dataclass
class ImagePassSummary:
    """What one pass did."""

    hashed: int = 0
    unreadable: int = 0
    missing: int = 0
    matches: int = 0
    sealed: int = 0
    findings: int = 0
    videos: int = 0  # videos hashed (vPDQ key frames) by this pass
    videos_unreadable: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def case_id_of(conn: Connection, case: str | None) -> int | None:
    """The id of the case with this reference (None for every case)."""
    if case is None:
        return None
    case_id = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == case))
    if case_id is None:
        raise ConductLensError(f"no case with reference {case!r}")
    return int(case_id)


def image_attachments(conn: Connection, case: str | None) -> Any:
    """A query of (sha256, exhibit id) for image attachments kept in the store."""
    a, m = t.attachments, t.messages
    query = (select(a.c.sha256, m.c.exhibit_id).join(m, m.c.id == a.c.message_id)
             .where(a.c.sha256.is_not(None),
                    or_(a.c.kind.in_(IMAGE_KINDS), a.c.media_type.like("image/%"))))
    case_id = case_id_of(conn, case)
    if case_id is not None:
        query = query.where(m.c.exhibit_id.in_(
            exhibits_of(case_id)))
    return query


def _unhashed(conn: Connection, case: str | None) -> list[tuple[str, int]]:
    query = image_attachments(conn, case).where(
        t.attachments.c.sha256.not_in(select(images.c.sha256)))
    first: dict[str, int] = {}
    for sha, exhibit_id in conn.execute(query.order_by(t.attachments.c.id)):
        first.setdefault(str(sha), int(exhibit_id))
    return list(first.items())


def describe(data: bytes) -> dict[str, Any]:
    """The ``images`` row for one picture's bytes (hashes, size, EXIF), or why it failed."""
    row: dict[str, Any] = {"md5": hashlib.md5(data).hexdigest(),  # noqa: S324 - list matching
                           "sha1": hashlib.sha1(data).hexdigest(),  # noqa: S324
                           "exif": "{}", "error": None}
    try:
        raw = open_raw(data)
        row["format"] = raw.format
        row["exif"] = json.dumps(exif_of(raw), sort_keys=True)
        picture = decode(data)
    except UnreadableImage as exc:
        row["error"] = str(exc)
        return row
    found = pdq_of(picture)
    row.update(pdq=found.hex, pdq_quality=found.quality, width=picture.width,
               height=picture.height)
    return row


def hash_pictures(store: Store, case: str | None, summary: ImagePassSummary,
                  progress: Progress | None = None) -> list[str]:
    """Hash every picture not yet hashed; returns the SHA-256s it hashed."""
    with store.engine.connect() as conn:
        todo = _unhashed(conn, case)
    done: list[str] = []
    for n, (sha, exhibit_id) in enumerate(todo, start=1):
        with store.engine.begin() as conn:
            try:
                row = describe(read_image(conn, store.exhibit_dir, exhibit_id, sha))
            except MissingImage:
                summary.missing += 1
                continue
            conn.execute(insert(images).values(sha256=sha, scanned_at=datetime.now(UTC), **row))
        summary.unreadable += row["error"] is not None
        summary.hashed += row["error"] is None
        done.append(sha)
        if progress is not None:
            progress(n, len(todo))
    return done


def _what(match: Match) -> str:
    if match.frame_at is None:
        return "The picture"
    return f"The video (its frame at {match.frame_at:.1f} s)"


def _known_findings(conn: Connection, matches: list[Match]) -> list[ImageFinding]:
    out = []
    for match in matches:
        how = "exact" if match.hash_type != "pdq" else f"{match.distance} bits"
        severity = "high" if match.distance <= 15 else "medium"
        score = round(1 - match.distance / 256, 4)
        why = (f"{_what(match)} matches hash list {match.list_name!r} ({match.category}) by "
               f"{match.hash_type.upper()} at distance {match.distance} ({how})."
               + (f" Source: {match.source}." if match.source else ""))
        for _, message_id, _ in carriers(conn, match.sha256):
            out.append(ImageFinding(message_id, "image-known", severity, score,
                                    f"hashlist:{match.list_name}", why))
    return out


def match_and_seal(conn: Connection, shas: list[str], user: str, team: str,
                   summary: ImagePassSummary, videos: Sequence[str] = ()) -> None:
    """Match pictures (and videos) against the lists; seal child-abuse matches, record the
    others."""
    matches = match_images(conn, shas) + match_videos(conn, videos)
    summary.matches += len(matches)
    sealing = [m for m in matches if m.category in SEALING_CATEGORIES]
    for m in sealing:
        if not is_sealed(conn, m.sha256):
            summary.sealed += 1
        how = "exactly" if m.hash_type != "pdq" else f"at distance {m.distance}"
        if m.frame_at is not None:
            how += f" (the video's frame at {m.frame_at:.1f} s)"
        seal(conn, m.sha256, f"Matched list {m.list_name!r} ({m.category}) by "
             f"{m.hash_type.upper()} {how}.", user, team)
    sealed = {m.sha256 for m in sealing}
    known = [m for m in matches if m.sha256 not in sealed]
    summary.findings += store_findings(conn, _known_findings(conn, known))


def all_pictures(conn: Connection, case: str | None) -> list[str]:
    """Every hashed picture (in the case, when given)."""
    shas = {str(s) for s, _ in conn.execute(image_attachments(conn, case))}
    held = set(conn.scalars(select(images.c.sha256).where(images.c.error.is_(None))))
    return sorted(shas & held)


def run_image_pass(store: Store, *, case: str | None = None, user: str = "image-pass",
                   team: str = SPECIALIST_TEAM, steps: Iterator[tuple[str, Step]] | None = None,
                   progress: Progress | None = None) -> ImagePassSummary:
    """Hash, match and seal; then each extra step (text reading, classifier) over the rest."""
    summary = ImagePassSummary()
    hash_pictures(store, case, summary, progress)
    with store.engine.connect() as conn:
        case_id = case_id_of(conn, case)
    summary.videos, summary.videos_unreadable, missing = hash_videos(store, case_id)
    summary.missing += missing
    with store.engine.begin() as conn:
        shas = all_pictures(conn, case)
        match_and_seal(conn, shas, user, team, summary, all_videos(conn, case_id))
    for name, step in steps or ():
        with store.engine.begin() as conn:
            open_shas = [s for s in all_pictures(conn, case) if not is_sealed(conn, s)]
            summary.extra[name] = step(conn, store, open_shas)
    return summary


def exhibit_of_picture(conn: Connection, sha256: str) -> int:
    """An exhibit that holds the picture (the first that carried it)."""
    found = conn.scalar(select(t.messages.c.exhibit_id)
                        .join(t.attachments, t.attachments.c.message_id == t.messages.c.id)
                        .where(t.attachments.c.sha256 == sha256)
                        .order_by(t.attachments.c.id).limit(1))
    if found is None:
        raise MissingImage(f"image {sha256[:12]} is carried by no message")
    return int(found)


def picture_bytes(conn: Connection, store: Store, sha256: str) -> bytes:
    """The bytes of a stored picture, wherever it is kept."""
    return read_image(conn, store.exhibit_dir, exhibit_of_picture(conn, sha256), sha256)

