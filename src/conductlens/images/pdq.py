"""PDQ, Meta's open 256-bit perceptual hash, with its quality score (``pdqhash`` bindings).

The hex form is ThreatExchange's: the 256 bits in the order the hasher gives them, read as
one number and written as 64 lower-case hex digits. Two pictures are the same to PDQ when
their hashes differ in at most ``MATCH_DISTANCE`` bits; a hash whose quality is at most
``MIN_QUALITY`` (flat or tiny pictures) says too little to be matched, as Meta advises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image

MATCH_DISTANCE = 31
MIN_QUALITY = 49
HEX_DIGITS = 64


@dataclass(frozen=True, slots=True)
class PdqHash:
    hex: str
    quality: int

    @property
    def trusted(self) -> bool:
        """Whether this hash may be used for matching at all."""
        return self.quality > MIN_QUALITY


def pdq_of(picture: Image.Image) -> PdqHash:
    """The PDQ hash and quality of a decoded picture."""
    pixels = np.asarray(picture.convert("RGB"), dtype=np.uint8)
    bits, quality = pdqhash.compute(pixels)
    number = int("".join("1" if b else "0" for b in bits), 2)
    return PdqHash(f"{number:0{HEX_DIGITS}x}", int(quality))


def is_pdq_hex(text: str) -> bool:
    """Whether ``text`` is a PDQ hash in hex (64 hex digits)."""
    return len(text) == HEX_DIGITS and all(c in "0123456789abcdefABCDEF" for c in text)


def as_words(hexes: Sequence[str]) -> npt.NDArray[np.uint64]:
    """Hex hashes as an (n, 4) array of 64-bit words, for fast distances."""
    out = np.zeros((len(hexes), 4), dtype=np.uint64)
    for row, value in enumerate(hexes):
        out[row] = [int(value[i : i + 16], 16) for i in range(0, HEX_DIGITS, 16)]
    return out


def distances(one: str, many: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Hamming distance in bits from ``one`` to every row of ``many`` (from ``as_words``)."""
    if len(many) == 0:
        return np.zeros(0, dtype=np.int64)
    xor = np.bitwise_xor(many, as_words([one])[0])
    counts: npt.NDArray[np.int64] = np.bitwise_count(xor).sum(axis=1).astype(np.int64)
    return counts


def distance(a: str, b: str) -> int:
    """Hamming distance in bits between two hex PDQ hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
