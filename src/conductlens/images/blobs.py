"""Reading a stored picture's bytes back out of its exhibit, checked against its SHA-256.

A folder exhibit keeps each file content-addressed (``objects/ab/abcd...``); a zip exhibit is
kept whole, so the picture is read from the member ``media_files`` names. Either way the bytes
are hashed again before use: what is hashed, matched or shown is exactly what was seized.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, select

from conductlens.errors import ConductLensError
from conductlens.ingest._archives import open_member
from conductlens.store import tables as t
from conductlens.store.evidence import object_path

MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024
_CHUNK = 1024 * 1024


class MissingImage(ConductLensError):
    """The picture's bytes are not in the store (omitted from the export, or not kept)."""


def read_image(conn: Connection, exhibit_dir: Path, exhibit_id: int, sha256: str) -> bytes:
    """The bytes of the file with ``sha256`` inside exhibit ``exhibit_id``."""
    direct = object_path(exhibit_dir, sha256)
    if direct.is_file():
        return _checked(direct.read_bytes(), sha256, str(direct))
    stored, member = _zip_member(conn, exhibit_id, sha256, "image")
    with zipfile.ZipFile(stored) as zf:
        if zf.getinfo(member).file_size > MAX_IMAGE_BYTES:
            raise MissingImage(f"{member}: larger than {MAX_IMAGE_BYTES} bytes")
        with open_member(zf, stored, member) as fh:
            return _checked(fh.read(), sha256, f"{stored}:{member}")


def _zip_member(conn: Connection, exhibit_id: int, sha256: str, kind: str) -> tuple[str, str]:
    # The exhibit's kept archive and the member holding the file with ``sha256``.
    stored = conn.scalar(select(t.exhibits.c.stored_path).where(t.exhibits.c.id == exhibit_id))
    member = conn.scalar(select(t.media_files.c.path).where(
        t.media_files.c.exhibit_id == exhibit_id, t.media_files.c.sha256 == sha256).limit(1))
    if not stored or member is None or not zipfile.is_zipfile(stored):
        raise MissingImage(f"{kind} {sha256[:12]} is not kept in exhibit {exhibit_id}")
    return str(stored), str(member)


def _checked(data: bytes, sha256: str, where: str) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ConductLensError(f"{where}: bytes no longer match their SHA-256 {sha256[:12]}")
    return data


@contextmanager
def video_file(conn: Connection, exhibit_dir: Path, exhibit_id: int, sha256: str
               ) -> Iterator[tuple[Path, dict[str, str]]]:
    """A path to the video with ``sha256`` (a checked temporary copy when it is inside a zip),
    with its MD5 and SHA-1; the decoder needs a file, and a video may not fit in memory."""
    direct = object_path(exhibit_dir, sha256)
    if direct.is_file():
        with direct.open("rb") as fh:
            digests = _stream_digests(fh, None, sha256, str(direct))
        yield direct, digests
        return
    stored, member = _zip_member(conn, exhibit_id, sha256, "video")
    with zipfile.ZipFile(stored) as zf:
        if zf.getinfo(member).file_size > MAX_VIDEO_BYTES:
            raise MissingImage(f"{member}: larger than {MAX_VIDEO_BYTES} bytes")
        with tempfile.TemporaryDirectory(prefix="conductlens-video-") as folder:
            copy = Path(folder) / "video"
            with open_member(zf, stored, member) as fh, copy.open("wb") as out:
                digests = _stream_digests(fh, out, sha256, f"{stored}:{member}")
            yield copy, digests


def _stream_digests(fh: IO[bytes], out: IO[bytes] | None, sha256: str, where: str
                    ) -> dict[str, str]:
    sha, md5, sha1 = (hashlib.sha256(), hashlib.md5(),  # noqa: S324 - list matching
                      hashlib.sha1())  # noqa: S324
    while chunk := fh.read(_CHUNK):
        for digest in (sha, md5, sha1):
            digest.update(chunk)
        if out is not None:
            out.write(chunk)
    if sha.hexdigest() != sha256:
        raise ConductLensError(f"{where}: bytes no longer match their SHA-256 {sha256[:12]}")
    return {"md5": md5.hexdigest(), "sha1": sha1.hexdigest()}
