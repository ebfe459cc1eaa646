"""Trained linear text classifiers: weights in ``.npz`` (no pickle), checked against the
sha256 in the manifest before use, prediction with numpy only over a whole batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import numpy.typing as npt

from conductlens.detect.base import Hit, PolicyError
from conductlens.detect.features import Features, featurise

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
MANIFEST = "manifest.json"
REPORT_FLOOR = 0.2  # scores below this are never evidence of anything; not worth a Hit
# What a retrain's figures depend on beyond the data and seeds: when a fresh install no longer
# reproduces a model's metrics, the manifest says which of these moved since it was trained.
TRAINING_LIBRARIES = (
    "numpy", "scikit-learn", "scipy", "safetensors", "sentence-transformers", "tokenizers",
    "torch", "transformers",
)


def library_versions() -> dict[str, str]:
    """The installed version of every library a training run depends on."""
    versions = {}
    for name in TRAINING_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def library_drift(trained_with: dict[str, str]) -> str:
    """Which training libraries differ between a model's recorded run and this install."""
    now = library_versions()
    moved = [f"{name} {was} -> {now.get(name, 'not installed')}"
             for name, was in sorted(trained_with.items()) if now.get(name) != was]
    return "libraries changed since training: " + (", ".join(moved) or "none recorded")


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_hash(manifest: Path, name: str) -> str:
    """The sha256 that ``manifest`` records for the model (or encoder) called ``name``."""
    try:
        models = json.loads(manifest.read_text(encoding="utf-8"))["models"]
        return str(models[name]["sha256"])
    except (OSError, KeyError, ValueError) as exc:
        raise PolicyError(f"{manifest}: no sha256 recorded for model {name!r}") from exc


def read_checked(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    """The arrays of a model's ``.npz`` (never pickled objects), once its sha256 matches the
    ``manifest.json`` beside it."""
    expected = expected_hash(path.parent / MANIFEST, path.stem)
    actual = sha256_file(path)
    if actual != expected:
        raise PolicyError(f"{path}: sha256 {actual} does not match the manifest ({expected})")
    with np.load(path, allow_pickle=False) as data:
        return {key: np.asarray(data[key]) for key in data.files}


@dataclass(frozen=True, slots=True)
class Classifier:
    """A logistic-regression model over hashed n-grams; build with :meth:`load`."""

    id: str
    name: str
    weights: F32
    bias: float
    floor: float = REPORT_FLOOR

    @classmethod
    def load(cls, path: Path, name: str | None = None) -> Classifier:
        """Load ``path`` after checking its sha256 against ``manifest.json`` beside it."""
        data = read_checked(path)
        weights = np.asarray(data["weights"], dtype=np.float32)
        bias = float(data["bias"][0])
        version = int(data["version"][0])
        if weights.size & (weights.size - 1):
            raise PolicyError(f"{path}: weights length {weights.size} is not a power of two")
        name = name or path.stem
        return cls(id=f"classifier:{name}@{version}", name=name, weights=weights, bias=bias)

    def scores(self, batch: Sequence[str]) -> F64:
        """Probability of the positive class for every message (vectorised)."""
        return self.scores_from(featurise(batch, self.weights.size))

    def scores_from(self, features: Features) -> F64:
        """Probabilities from features computed with this model's bucket count."""
        n = len(features.counts)
        sums = np.zeros(n, dtype=np.float64)
        for docs, buckets in features.groups:
            sums += np.bincount(docs, weights=self.weights[buckets], minlength=n)
        margin = sums / np.sqrt(np.maximum(features.counts, 1)) + self.bias
        return 1.0 / (1.0 + np.exp(-margin))

    def detect(self, batch: Sequence[str]) -> Iterator[Hit]:
        """Yield a hit for every message scoring at least ``floor``."""
        if batch:
            yield from self.hits_from(self.scores(batch))

    def hits_from(self, scores: F64) -> Iterator[Hit]:
        """Hits for the scores of a batch at or above ``floor``."""
        for index in np.flatnonzero(scores >= self.floor).tolist():
            score = round(float(scores[index]), 4)
            detail = f"the {self.name} classifier scored {score:.2f}"
            yield Hit(index, self.id, f"classifier/{self.name}", score, (), detail)
