"""Exhibit originals: hashed, and copied into a content-addressed folder.

A file exhibit is kept as ``objects/ab/abcdef...``. A folder exhibit (a Telegram or Slack
export) is kept file by file the same way, plus a manifest listing ``sha256  relative/path``;
the exhibit's hash is the hash of that manifest, so the same folder always hashes the same.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conductlens.errors import ParseError

CHUNK = 1024 * 1024


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, streamed."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def folder_files(path: Path) -> list[Path]:
    """The files of a folder exhibit, refusing links that could reach outside it."""
    files = []
    for item in sorted(path.rglob("*")):
        if item.is_symlink():
            raise ParseError(
                str(item), "symbolic link inside an exhibit folder (copy the real file)"
            )
        if item.is_file():
            files.append(item)
    return files


def folder_manifest(path: Path) -> tuple[bytes, list[tuple[str, Path]], int]:
    """The manifest text of a folder exhibit, its files by hash, and its total size."""
    lines: list[str] = []
    files: list[tuple[str, Path]] = []
    total = 0
    for file in folder_files(path):
        sha, size = hash_file(file)
        total += size
        lines.append(f"{sha}  {file.relative_to(path).as_posix()}\n")
        files.append((sha, file))
    return "".join(lines).encode("utf-8"), files, total


def hash_exhibit(path: Path) -> tuple[str, int]:
    """The exhibit's SHA-256 (of the file, or of a folder's manifest) and its size."""
    if path.is_dir():
        manifest, _, total = folder_manifest(path)
        return hashlib.sha256(manifest).hexdigest(), total
    return hash_file(path)


def object_path(root: Path, sha: str) -> Path:
    return root / "objects" / sha[:2] / sha


def _put(root: Path, sha: str, src: Path | None, data: bytes | None = None) -> Path:
    dest = object_path(root, sha)
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".partial")
    if src is not None:
        shutil.copyfile(src, tmp)
    else:
        tmp.write_bytes(data or b"")
    tmp.replace(dest)
    dest.chmod(0o444)
    return dest


def keep_original(root: Path, path: Path, sha: str) -> Path:
    """Copy an exhibit into the content-addressed folder; returns where it is kept."""
    if not path.is_dir():
        return _put(root, sha, path)
    manifest, files, _ = folder_manifest(path)
    for file_sha, file in files:
        _put(root, file_sha, file)
    return _put(root, sha, None, manifest)
