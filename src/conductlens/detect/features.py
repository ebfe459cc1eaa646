"""Hashed character and word n-gram features, computed for a whole batch with numpy.

Every message is put in the normal form (:func:`conductlens.detect.normalise.normalise`), the
batch is joined into one code-point array, and n-gram hashes are computed with vector
arithmetic (wrapping ``uint64``), so featurising costs microseconds per message. Training
(scikit-learn) and prediction (numpy) call the same function, so the features always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from conductlens.detect.normalise import normalise

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

CHAR_NGRAMS = (2, 3, 4, 5)
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD)  # fmt: skip
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # multiplicative hashing: take the top bits
_WORD_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_WORD_BASE_INV = pow(_WORD_BASE, -1, 2**64)
_SEPARATOR = "\x01"


@dataclass(frozen=True, slots=True)
class Features:
    """Feature occurrences in groups (one per n-gram kind): message index and hash bucket."""

    groups: tuple[tuple[I64, I64], ...]
    counts: I64  # occurrences per message, for the 1/sqrt(n) length normalisation

    @property
    def docs(self) -> I64:
        """Message index of every occurrence, all groups concatenated."""
        return np.concatenate([d for d, _ in self.groups])

    @property
    def buckets(self) -> I64:
        """Bucket of every occurrence, in the same order as :attr:`docs`."""
        return np.concatenate([b for _, b in self.groups])


def _powers(base: int, count: int) -> U64:
    out = np.full(count, base, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=np.uint64)


_Hashed = list[tuple[U64, I64]]


def _char_ngrams(cp: U64, doc: I64) -> _Hashed:
    found: _Hashed = []
    with np.errstate(over="ignore"):
        for n in CHAR_NGRAMS:
            size = len(cp) - n + 1
            if size <= 0:
                continue
            acc = cp[:size] * np.uint64(_MULTIPLIERS[0]) + np.uint64(n)
            for k in range(1, n):
                acc = acc * np.uint64(_MULTIPLIERS[k]) + cp[k : k + size]
            keep = (doc[:size] == doc[n - 1 :]) & (doc[:size] >= 0)
            found.append((acc[keep], doc[:size][keep]))
    return found


def _word_ngrams(cp: U64, doc: I64) -> _Hashed:
    # Substring hash from prefix sums: hash(i, j) = (H[j] - H[i]) * base^-i, all mod 2**64.
    size = len(cp)
    found: _Hashed = []
    with np.errstate(over="ignore"):
        prefix = np.zeros(size + 1, dtype=np.uint64)
        np.cumsum(cp * _powers(_WORD_BASE, size), out=prefix[1:])
        inverse = _powers(_WORD_BASE_INV, size + 1)
        spaces = np.flatnonzero(cp == 32)
        for gap, salt in ((1, 0x51), (2, 0xB2)):
            start, end = spaces[:-gap] + 1, spaces[gap:]
            keep = (doc[start - 1] == doc[end]) & (end > start)
            start, end = start[keep], end[keep]
            hashes = (prefix[end] - prefix[start]) * inverse[start] + np.uint64(salt)
            found.append((hashes, doc[end]))
    return found


def featurise(texts: Sequence[str], buckets: int) -> Features:
    """Hash every message's char 2-5-grams and word 1-2-grams into ``buckets`` (a power of 2)."""
    return featurise_normal([normalise(text) for text in texts], buckets)


def featurise_normal(normal: Sequence[str], buckets: int) -> Features:
    """As :func:`featurise`, given the normal forms already."""
    shift = np.uint64(64 - (buckets.bit_length() - 1))
    joined = _SEPARATOR.join(normal)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.array([len(t) + 1 for t in normal], dtype=np.int64)
    doc = np.repeat(np.arange(len(normal), dtype=np.int64), lengths)[: len(cp)]
    doc[np.cumsum(lengths)[:-1] - 1] = -1  # the separators belong to no message
    counts = np.zeros(len(normal), dtype=np.int64)
    groups = []
    with np.errstate(over="ignore"):
        for hashes, docs in _char_ngrams(cp, doc) + _word_ngrams(cp, doc):
            groups.append((docs, ((hashes * _FIBONACCI) >> shift).astype(np.int64)))
            counts += np.bincount(docs, minlength=len(normal))
    return Features(groups=tuple(groups), counts=counts)
