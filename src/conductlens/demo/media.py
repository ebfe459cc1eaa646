"""Tiny, valid, deterministic images for the demo's photo messages.

WhatsApp recompresses photos to JPEG, so the demo writes JPEGs: an 8x8 greyscale baseline
JPEG (one flat block) whose grey level and comment segment come from the photo's name, so
every photo has its own bytes and hash.  :func:`png_bytes` makes an equally small PNG for
callers that want one.  Nothing here depends on the clock or on an imaging library.
"""

from __future__ import annotations

import hashlib
import struct
import zlib


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


def _entropy(level: int) -> bytes:
    """Huffman-coded data for one flat block: DC code, DC magnitude bits, EOB."""
    value = 8 * (level - 128)
    size = abs(value).bit_length()
    bits = "0"
    if size:
        magnitude = value if value >= 0 else value + (1 << size) - 1
        bits += format(magnitude, f"0{size}b")
    bits += "0"
    bits += "1" * (-len(bits) % 8)
    raw = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return raw.replace(b"\xff", b"\xff\x00")


def jpeg_bytes(label: str) -> bytes:
    """An 8x8 greyscale JPEG unique to ``label`` (grey level and comment derive from it)."""
    digest = hashlib.sha256(label.encode("utf-8")).digest()
    level = 40 + digest[0] % 180
    size = abs(8 * (level - 128)).bit_length()
    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\x00" + b"\x01" * 64
    sof = b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"
    counts = b"\x01" + b"\x00" * 15
    dht_dc = b"\x00" + counts + bytes([size])
    dht_ac = b"\x10" + counts + b"\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return b"".join(
        (
            b"\xff\xd8",
            _segment(0xE0, jfif),
            _segment(0xFE, f"ConductLens demo (fictional) {label}".encode()),
            _segment(0xDB, dqt),
            _segment(0xC0, sof),
            _segment(0xC4, dht_dc),
            _segment(0xC4, dht_ac),
            _segment(0xDA, sos),
            _entropy(level),
            b"\xff\xd9",
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(label: str, size: int = 8) -> bytes:
    """A ``size`` x ``size`` RGB PNG whose colour derives from ``label``."""
    red, green, blue = hashlib.sha256(label.encode("utf-8")).digest()[:3]
    row = b"\x00" + bytes((red, green, blue)) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"tEXt", b"Comment\x00ConductLens demo (fictional) " + label.encode()),
            _chunk(b"IDAT", zlib.compress(row * size, 9)),
            _chunk(b"IEND", b""),
        )
    )


def photo_bytes(seed: int, seq: int) -> bytes:
    """The JPEG used for photo message ``seq`` of the scenario built from ``seed``."""
    return jpeg_bytes(f"seed{seed}-{seq}")
