"""Shared helpers for JSON/folder exports (Telegram, Messenger, Slack, Signal, generic).

An :class:`ExportTree` gives one way to read members of a plain file, an export folder or a
zip archive, so each parser can say "read ``chats/result.json``" without caring which.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

import phonenumbers

from conductlens.errors import ParseError
from conductlens.ingest._archives import CHUNK, hash_member, open_member
from conductlens.ingest._text import decode_strict
from conductlens.ingest.base import Source

# json.load holds the whole document in memory (about 5-10x its size in objects), so we
# refuse anything bigger rather than exhaust the machine; see docs/formats.
MAX_JSON_BYTES = 200 * 1024 * 1024

# Epochs outside this range are corrupt or hostile (e.g. 1e30), not real message times.
_MIN_EPOCH = -62_135_596_800  # 0001-01-01
_MAX_EPOCH = 253_402_300_799  # 9999-12-31


@dataclass(slots=True)
class ExportTree:
    """Read-only access to the members of an exhibit (file, folder or zip)."""

    source: Source
    _members: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._members = frozenset(self.source.members)

    @property
    def label(self) -> str:
        return str(self.source.path)

    def exists(self, member: str) -> bool:
        """True when ``member`` (a '/'-separated relative path) is in the exhibit."""
        return member in self._members

    def size(self, member: str) -> int:
        """Size in bytes of one member (or of the exhibit file when ``member`` is "")."""
        if self.source.kind == "zip":
            with zipfile.ZipFile(self.source.path) as zf:
                return zf.getinfo(member).file_size
        return self._fs_path(member).stat().st_size

    def read(self, member: str, limit: int | None = None) -> bytes:
        """The bytes of ``member``; refuses members larger than ``limit`` (default 200 MB)."""
        where = member or self.label
        limit = MAX_JSON_BYTES if limit is None else limit
        if self.size(member) > limit:
            raise ParseError(
                where, f"larger than {limit // (1024 * 1024)} MB; too big to load as one JSON "
                "document (split the export or use the generic JSONL format)",
            )
        if self.source.kind == "zip":
            with zipfile.ZipFile(self.source.path) as zf, open_member(zf, self.label, member) as fh:
                return fh.read()
        return self._fs_path(member).read_bytes()

    def head(self, member: str, size: int = 65536) -> bytes:
        """The first ``size`` bytes of ``member`` (for sniffing without reading it all)."""
        if self.source.kind == "zip":
            with zipfile.ZipFile(self.source.path) as zf, open_member(zf, self.label, member) as fh:
                return fh.read(size)
        with self._fs_path(member).open("rb") as fh:
            return fh.read(size)

    def hash(self, member: str) -> tuple[str, int]:
        """SHA-256 and size of one member, streamed."""
        if self.source.kind == "zip":
            with zipfile.ZipFile(self.source.path) as zf:
                return hash_member(zf, self.label, member)
        digest = hashlib.sha256()
        size = 0
        with self._fs_path(member).open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def _fs_path(self, member: str) -> Path:
        if self.source.kind == "file" or not member:
            return self.source.path
        return self.source.path / member


def load_json(tree: ExportTree, member: str) -> Any:
    """Parse one member as strict UTF-8 JSON, or raise a ParseError naming file and line."""
    where = member or tree.label
    data = tree.read(member)
    if not data.strip():
        raise ParseError(where, "the file is empty")
    text = decode_strict(data, where, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(where, f"not valid JSON ({exc.msg}; truncated?)", exc.lineno) from exc
    except RecursionError as exc:
        raise ParseError(where, "JSON nested too deeply to be a chat export") from exc


def utc_from_epoch(value: object, scale: float = 1.0) -> datetime | None:
    """An aware UTC datetime from seconds (``scale`` 1000 for milliseconds), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        # Decimal, not float: Slack's "1704067200.000001" must keep its microsecond.
        seconds = Decimal(str(value)) / Decimal(str(scale))
    except InvalidOperation:
        return None
    if not seconds.is_finite() or not (_MIN_EPOCH <= seconds <= _MAX_EPOCH):
        return None
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    return datetime.fromtimestamp(whole, UTC) + timedelta(microseconds=micros)


def e164(number: str | None, region: str = "GB") -> str | None:
    """``number`` as E.164 (default region GB unless it has a + prefix), or None."""
    if not number or not number.strip():
        return None
    try:
        parsed = phonenumbers.parse(number, None if number.strip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def raw_json(value: object) -> str:
    """A JSON fragment as kept in ``Message.raw`` (non-ASCII kept as is)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def resolve_relative(tree: ExportTree, base: str, uri: str) -> str | None:
    """The member a relative ``uri`` names, trying ``base`` and each folder above it."""
    clean = uri.replace("\\", "/").removeprefix("./")
    if not clean or clean.startswith("/") or ".." in PurePosixPath(clean).parts:
        return None
    folder = PurePosixPath(base)
    for parent in (folder, *folder.parents):
        candidate = (parent / clean).as_posix().removeprefix("./")
        if tree.exists(candidate):
            return candidate
    return None


def head_text(source: Source) -> str:
    """The first bytes of a file, decoded leniently for sniffing only (never stored)."""
    return source.head.decode("utf-8", "ignore")
