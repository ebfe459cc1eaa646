"""Safe reading of zip archives: no extraction, no path traversal, bounded sizes."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO

from conductlens.errors import ParseError
from conductlens.ingest.limits import active

CHUNK = 1024 * 1024


def check_member_name(archive: str, name: str) -> None:
    """Refuse names that would escape a folder if anyone ever extracted them."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        raise ParseError(archive, f"unsafe path inside archive: {name!r}")


def open_member(zf: zipfile.ZipFile, archive: str, name: str) -> IO[bytes]:
    """Open one member for streaming, refusing encrypted or oversized entries."""
    info = zf.getinfo(name)
    check_member_name(archive, name)
    if info.flag_bits & 0x1:
        raise ParseError(archive, f"{name} is password-protected")
    limits = active()
    if info.file_size > limits.max_member_bytes:
        raise limits.refuse(archive, f"{name} expands to {info.file_size:,} bytes",
                            "max_member_bytes")
    return zf.open(info)


def hash_member(zf: zipfile.ZipFile, archive: str, name: str) -> tuple[str, int]:
    """SHA-256 and size of one member, streamed."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open_member(zf, archive, name) as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ParseError(archive, f"{name} is damaged: {exc}") from exc
    return digest.hexdigest(), size


def iter_lines(fh: IO[bytes]) -> Iterator[bytes]:
    """Lines of a member as bytes (newline kept), streamed."""
    yield from fh
