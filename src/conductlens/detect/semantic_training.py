"""Training the semantic heads: logistic regression over sentence embeddings of the same
training splits as the n-gram classifiers, written reproducibly like them.

Embeddings are rounded to float16 precision before fitting (see :func:`semantic.embed`), and
liblinear is deterministic, so the same datasets and encoder give the same ``.npz`` bytes.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from conductlens.detect import datasets as ds
from conductlens.detect.classifier import sha256_file
from conductlens.detect.metrics import scores
from conductlens.detect.semantic import (
    DIMENSIONS,
    ENCODER,
    ENCODER_PACKAGE,
    MAX_TOKENS,
    SemanticModel,
    embed,
    encoder_weights,
)
from conductlens.detect.training import (
    FORMAT_VERSION,
    SPECS,
    ModelSpec,
    dataset_hashes,
    sample_weights,
    training_splits,
    write_npz,
)


@dataclass(frozen=True, slots=True)
class SemanticSpec:
    """A semantic head: which n-gram spec's training data it learns, and its regularisation."""

    name: str
    data: ModelSpec
    c: float


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
    embeddings: npt.NDArray[np.float32], splits: list[ds.Split], c: float
) -> tuple[npt.NDArray[np.float32], float]:
    """Fit logistic regression on embeddings of the concatenated splits; (weights, bias)."""
    labels = np.array([y for s in splits for y in s.labels], dtype=np.int64)
    model = LogisticRegression(C=c, solver="liblinear", random_state=0, max_iter=1000)
    model.fit(embeddings, labels, sample_weight=sample_weights(splits))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def train_semantic(root: Path, spec: SemanticSpec, output: Path, encoder: str) -> dict[str, object]:
    """Embed the training splits, fit the head, write ``<name>.npz``; return its manifest entry."""
    splits = training_splits(root, spec.data, "train") + [ds.group_statements()]
    embeddings = embed([t for s in splits for t in s.texts], encoder)
    weights, bias = fit_head(embeddings, splits, spec.c)
    path = output / f"{spec.name}.npz"
    write_npz(
        path,
        {
            "weights": weights,
            "bias": np.array([bias], dtype=np.float64),
            "version": np.array([FORMAT_VERSION], dtype=np.int64),
        },
    )
    model = SemanticModel(f"semantic:{spec.name}", spec.name, weights, bias, encoder)
    metrics = {}
    for split in training_splits(root, spec.data, "val"):
        values = scores(split.labels, model.scores(split.texts) >= 0.5)
        metrics[split.name] = {k: round(v, 4) for k, v in values.items()}
    return {
        "kind": "semantic",
        "file": path.name,
        "sha256": sha256_file(path),
        "datasets": dataset_hashes(root, spec.data)
        | {"group_statements.txt (shipped)": sha256_file(ds.GROUP_STATEMENTS)},
        "davidson_split": {"seed": ds.DAVIDSON_SEED, "train": "first 80% of the permutation"},
        "params": {
            "encoder": ENCODER,
            "dimensions": DIMENSIONS,
            "embedding_precision": "float16",
            "solver": "liblinear",
            "C": spec.c,
            "sample_weight": "each dataset (and the group statements) equal, classes balanced",
            "davidson_positive_classes": list(spec.data.davidson_positive),
        },
        "metrics": metrics,
    }


SEMANTIC_SPECS = (SemanticSpec("hate-semantic", next(s for s in SPECS if s.name == "hate"), 1.0),)
