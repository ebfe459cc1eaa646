"""Uploaded files held for their ingest job, content-addressed, outside any request.

An upload is written to ``<exhibit dir>/uploads/incoming/`` while it is hashed, then moved
(a rename) to ``uploads/<sha256>/<name>``: the name is kept because it is evidence too (the
exhibit's original name, and the export's own title). The same bytes uploaded twice are
held once. The ingest copies the upload again into its own staging folder, so what the store
keeps is what it hashed; the upload itself is removed once no unfinished job needs it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from conductlens.errors import ConductLensError
from conductlens.store import Store

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Upload:
    sha256: str
    name: str
    size: int


def uploads_dir(store: Store) -> Path:
    return store.exhibit_dir / "uploads"


def safe_name(filename: str | None) -> str:
    """The file's own name, without any folder the browser sent or control characters."""
    name = "".join(ch for ch in Path(filename or "").name if ch.isprintable() and ch != "/")
    name = name.strip()[:200]
    return name if name not in ("", ".", "..") else "exhibit"


def path_of(store: Store, upload: Upload) -> Path:
    return uploads_dir(store) / upload.sha256 / upload.name


def save_upload(store: Store, source: BinaryIO, filename: str | None, limit: int) -> Upload:
    """Copy ``source`` (the request's spooled file) into the uploads folder, hashing as it
    goes; refuses more than ``limit`` bytes and leaves nothing behind on any failure."""
    name = safe_name(filename)
    incoming = uploads_dir(store) / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    partial = incoming / f"{uuid.uuid4().hex}.partial"
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("xb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ConductLensError(
                        f"{name}: the upload is larger than {limit >> 20} MB; nothing was added")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        upload = Upload(digest.hexdigest(), name, size)
        dest = path_of(store, upload)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            partial.unlink()
        else:
            os.replace(partial, dest)  # same folder tree: a rename, never half a file
        return upload
    except OSError as exc:
        raise ConductLensError(f"{name}: could not be received ({exc.strerror or exc}); "
                               "nothing was added") from None
    finally:
        partial.unlink(missing_ok=True)


def release(store: Store, upload: Upload) -> None:
    """Remove the held upload (called when no unfinished job needs these bytes)."""
    folder = uploads_dir(store) / upload.sha256
    (folder / upload.name).unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
