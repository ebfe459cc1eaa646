"""Training the semantic heads: a small neural network over sentence embeddings of the same
training splits as the n-gram classifiers, written reproducibly like them.

Embeddings are rounded to float16 precision before fitting (see :func:`semantic.embed`), and
the fit is seeded, so the same datasets and encoder give the same ``.npz`` bytes.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.neural_network import MLPClassifier

from conductlens.detect import datasets as ds
from conductlens.detect.classifier import sha256_file
from conductlens.detect.semantic import (
    DIMENSIONS,
    ENCODER,
    ENCODER_PACKAGE,
    MAX_TOKENS,
    SemanticModel,
    embed_uncached,
    encoder_weights,
)
from conductlens.detect.training import (
    DAVIDSON_SPLIT,
    FORMAT_VERSION,
    SPECS,
    ModelSpec,
    dataset_hashes,
    sample_weights,
    training_splits,
    validation_metrics,
    write_npz,
)


@dataclass(frozen=True, slots=True)
class SemanticSpec:
    """A semantic head: which n-gram spec's training data it learns, its size and its
    regularisation (chosen on the validation splits)."""

    name: str
    data: ModelSpec
    hidden: int
    alpha: float


def encoder_entry() -> dict[str, object]:
    """The manifest entry that pins the encoder's weights by hash."""
    package = ENCODER_PACKAGE.replace("_", "-")
    return {
        "kind": "encoder",
        "name": ENCODER,
        "package": f"{package}=={importlib.metadata.version(package)}",
        "file": "model.safetensors (inside the package)",
        "sha256": sha256_file(encoder_weights()),
        "max_tokens": MAX_TOKENS,
    }


def fit_head(
    embeddings: npt.NDArray[np.float32], splits: list[ds.Split], spec: SemanticSpec
) -> dict[str, npt.NDArray[np.generic]]:
    """Fit the head on embeddings of the concatenated splits; return its arrays for ``.npz``.

    Adam from a fixed seed with a fixed early-stopping split, so a refit gives the same
    weights; they are kept at float32, the precision prediction uses."""
    labels = np.array([y for s in splits for y in s.labels], dtype=np.int64)
    model = MLPClassifier(
        hidden_layer_sizes=(spec.hidden,),
        alpha=spec.alpha,
        early_stopping=True,
        random_state=0,
        max_iter=200,
    )
    model.fit(embeddings, labels, sample_weight=sample_weights(splits))
    return {
        "hidden_weights": model.coefs_[0].astype(np.float32),
        "hidden_bias": model.intercepts_[0].astype(np.float32),
        "weights": model.coefs_[1][:, 0].astype(np.float32),
        "bias": np.array([model.intercepts_[1][0]], dtype=np.float64),
        "version": np.array([FORMAT_VERSION], dtype=np.int64),
    }


def train_semantic(root: Path, spec: SemanticSpec, output: Path, encoder: str) -> dict[str, object]:
    """Embed the training splits, fit the head, write ``<name>.npz``; return its manifest entry."""
    splits = training_splits(root, spec.data, "train") + [ds.group_statements()]
    embeddings = embed_uncached([t for s in splits for t in s.texts], encoder)
    path = output / f"{spec.name}.npz"
    arrays = fit_head(embeddings, splits, spec)
    write_npz(path, arrays)
    model = SemanticModel.from_arrays(spec.name, arrays, encoder)
    metrics = validation_metrics(
        root, spec.data, lambda texts: model.scores_from(embed_uncached(texts, encoder))
    )
    return {
        "kind": "semantic",
        "file": path.name,
        "sha256": sha256_file(path),
        "datasets": dataset_hashes(root, spec.data)
        | {"group_statements.txt (shipped)": sha256_file(ds.GROUP_STATEMENTS)},
        "davidson_split": DAVIDSON_SPLIT,
        "params": {
            "encoder": ENCODER,
            "dimensions": DIMENSIONS,
            "embedding_precision": "float16",
            "head": f"one hidden ReLU layer of {spec.hidden}, adam, early stopping, seed 0",
            "alpha": spec.alpha,
            "sample_weight": "each dataset (and the group statements) equal, classes balanced",
            "davidson_positive_classes": list(spec.data.davidson_positive),
        },
        "metrics": metrics,
    }


SEMANTIC_SPECS = (
    SemanticSpec("hate-semantic", next(s for s in SPECS if s.name == "hate"), 128, 1e-3),
)
