"""The two protobuf blobs of WhatsApp iOS we read, decoded without a schema.

* ``ZWAMEDIAITEM.ZMETADATA``: field 5 is the quoted message's stanza id (a reply).
* ``ZWAMESSAGEINFO.ZRECEIPTINFO``: field 7 holds reactions: field-1 entries
  ``{2: sender JID, 3: emoji, 4: time}`` for other people and field-2 entries
  ``{2: emoji, 3: time}`` for the phone owner (layout as decoded by IPED's ExtractorIOS).

A blob that does not parse yields nothing; it is never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

_STANZA = re.compile(r"^[0-9A-Za-z]{8,64}(-\d+)?$")
_MS_THRESHOLD = 100_000_000_000  # larger epoch values are milliseconds


@dataclass(frozen=True, slots=True)
class BlobReaction:
    """One reaction found in a receipt blob; ``sender`` None means the phone owner."""

    sender: str | None
    emoji: str
    when: datetime | None


def _varint(buf: bytes, pos: int) -> tuple[int, int] | None:
    value, shift = 0, 0
    while pos < len(buf) and shift < 64:
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value, pos
        shift += 7
    return None


def fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs: ints for varints, bytes for length-delimited values.

    Stops quietly at the first malformed byte (fixed-width values are skipped).
    """
    pos = 0
    while pos < len(buf):
        tag = _varint(buf, pos)
        if tag is None:
            return
        key, pos = tag
        wire, number = key & 7, key >> 3
        if wire == 0:
            got = _varint(buf, pos)
            if got is None:
                return
            yield number, got[0]
            pos = got[1]
        elif wire == 2:
            length = _varint(buf, pos)
            if length is None or length[1] + length[0] > len(buf):
                return
            yield number, buf[length[1]:length[1] + length[0]]
            pos = length[1] + length[0]
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            return


def _text(value: int | bytes | None) -> str | None:
    if not isinstance(value, bytes):
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def quoted_stanza(meta: object) -> str | None:
    """The quoted stanza id in a ``ZMETADATA`` protobuf (field 5), or None."""
    if not isinstance(meta, bytes) or meta.startswith(b"bplist"):
        return None
    value = next((v for n, v in fields(meta) if n == 5), None)
    text = _text(value)
    return text if text and text.isascii() and _STANZA.match(text) else None


def _when(value: int | bytes | None) -> datetime | None:
    if not isinstance(value, int) or value <= 0:
        return None
    seconds = value / 1000 if value > _MS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def reactions(receipt: object) -> list[BlobReaction]:
    """Reactions kept in a ``ZRECEIPTINFO`` blob (empty when there are none)."""
    if not isinstance(receipt, bytes):
        return []
    found: list[BlobReaction] = []
    for number, block in fields(receipt):
        if number != 7 or not isinstance(block, bytes):
            continue
        for kind, entry in fields(block):
            if not isinstance(entry, bytes) or kind not in (1, 2):
                continue
            parts = dict(fields(entry))
            if kind == 1:
                sender, emoji, when = _text(parts.get(2)), _text(parts.get(3)), parts.get(4)
            else:
                sender, emoji, when = None, _text(parts.get(2)), parts.get(3)
            if emoji and (kind == 2 or sender):
                found.append(BlobReaction(sender, emoji, _when(when)))
    return found
