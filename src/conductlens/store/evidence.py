"""Exhibit originals: copied first, hashed as copied, and kept content-addressed.

The original is read exactly once, into a staging copy under ``<exhibit dir>/staging/``;
the hash is the hash of those copied bytes and the parser reads the copy, so what is kept
is what was hashed and parsed even if the original changes meanwhile. On success the copy
is moved (never copied again) to ``objects/ab/abcdef...``; on any failure it is removed.

A folder exhibit (a Telegram or Slack export) is kept file by file the same way, plus a
manifest listing ``sha256  relative/path``; the exhibit's hash is the hash of that manifest.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from conductlens.errors import ConductLensError, ParseError
from conductlens.ingest.limits import Limits, check_kind

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Staged:
    """A copy of one exhibit, ready to parse: ``path`` keeps the original's name."""

    path: Path
    sha256: str
    size: int
    folder: Path
    files: tuple[tuple[str, Path], ...] = ()  # (sha256, copy) for a folder exhibit
    manifest: bytes | None = None

    def discard(self) -> None:
        """Remove the staging copy (after a failure, or when the bytes are already kept)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, streamed."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def object_path(root: Path, sha: str) -> Path:
    """Where the object with this hash is kept."""
    return root / "objects" / sha[:2] / sha


def stage(root: Path, path: Path, limits: Limits) -> Staged:
    """Copy ``path`` (file or folder) into a fresh staging folder, hashing as it is copied."""
    check_kind(path)
    _sweep_stale(root)
    folder = root / "staging" / f"{os.getpid()}-{uuid.uuid4().hex}"
    try:
        folder.mkdir(parents=True)
        if path.is_dir():
            return _stage_folder(folder, path, limits)
        sha, size = _copy(path, folder / path.name, limits, 0)
        return Staged(folder / path.name, sha, size, folder)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _disk_error(root, path, exc) from None
        raise


def _stage_folder(folder: Path, path: Path, limits: Limits) -> Staged:
    copy = folder / path.name
    lines: list[str] = []
    files: list[tuple[str, Path]] = []
    total = 0
    for rel in folder_members(path, limits):
        dest = copy / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        sha, size = _copy(path / rel, dest, limits, total)
        total += size
        lines.append(f"{sha}  {rel}\n")
        files.append((sha, dest))
    manifest = "".join(lines).encode("utf-8")
    copy.mkdir(exist_ok=True)
    sha = hashlib.sha256(manifest).hexdigest()
    return Staged(copy, sha, total, folder, tuple(files), manifest)


def folder_members(path: Path, limits: Limits) -> list[str]:
    """Relative paths of a folder exhibit's files, refusing links, pipes and deep nesting."""
    found: list[str] = []
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path).as_posix()
        mode = item.lstat().st_mode
        if stat.S_ISLNK(mode):
            raise ParseError(
                str(item), "symbolic link inside an exhibit folder (copy the real file)"
            )
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode):
            check_kind(item)  # raises, naming what it is
        if rel.count("/") >= limits.max_depth:
            raise limits.refuse(str(item), "nested too deeply in the exhibit folder", "max_depth")
        found.append(rel)
        if len(found) > limits.max_entries:
            raise limits.refuse(str(path), "too many files in the exhibit folder", "max_entries")
    return found


def _copy(src: Path, dest: Path, limits: Limits, before: int) -> tuple[str, int]:
    """Copy ``src`` to ``dest`` in one read, hashing the bytes written; returns (sha, size)."""
    digest = hashlib.sha256()
    size = before
    with src.open("rb") as fh, dest.open("xb") as out:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            size += len(chunk)
            if size > limits.max_exhibit_bytes:
                raise limits.refuse(str(src), "the exhibit is larger than allowed",
                                    "max_exhibit_bytes")
            out.write(chunk)
            digest.update(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size - before


def keep(root: Path, staged: Staged) -> Path:
    """Move the staged copy into the content-addressed folder; returns where it is kept."""
    try:
        if staged.manifest is None:
            return _put(root, staged.sha256, staged.path)
        for file_sha, file in staged.files:
            _put(root, file_sha, file)
        manifest = staged.folder / "manifest.partial"
        manifest.write_bytes(staged.manifest)
        return _put(root, staged.sha256, manifest)
    except OSError as exc:
        raise _disk_error(root, staged.path, exc) from None
    finally:
        staged.discard()


def _put(root: Path, sha: str, src: Path) -> Path:
    dest = object_path(root, sha)
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    src.chmod(0o444)
    os.replace(src, dest)  # same filesystem: a rename, never a half-written object
    return dest


def _disk_error(root: Path, path: Path, exc: OSError) -> ConductLensError:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return ConductLensError(
            f"{path}: not kept: no space left for the exhibit copy in {root} "
            f"({exc.strerror}); nothing was added"
        )
    return ConductLensError(f"{path}: could not be copied into {root}: {exc.strerror or exc}")


def _sweep_stale(root: Path) -> None:
    """Remove staging folders left by ingests that were killed (their process is gone)."""
    staging = root / "staging"
    if not staging.is_dir():
        return
    for entry in staging.iterdir():
        pid = entry.name.partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
