"""``conductlens models train``: fit the shipped classifiers from the public datasets,
reproducibly (fixed split seed, deterministic liblinear solver, zip entries with a fixed date),
so the same inputs give byte-identical ``.npz`` files and the same sha256.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from conductlens.detect import datasets as ds
from conductlens.detect.classifier import Classifier, sha256_file
from conductlens.detect.features import CHAR_NGRAMS, featurise
from conductlens.detect.metrics import scores

BUCKETS = 2**19
FORMAT_VERSION = 1
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What one classifier learns: its training splits and regularisation."""

    name: str
    davidson_positive: tuple[int, ...]
    tweeteval_task: str
    c: float


SPECS = (
    ModelSpec("hate", (0,), "hate", 2.0),
    ModelSpec("offensive", (0, 1), "offensive", 2.0),
)


def training_splits(root: Path, spec: ModelSpec, split: str, exclude: str = "") -> list[ds.Split]:
    """The spec's splits of each training dataset, less the one named ``exclude``."""
    splits = []
    if exclude != "davidson2017":
        splits.append(ds.davidson(root, split, spec.davidson_positive))
    if exclude != f"tweeteval_{spec.tweeteval_task}":
        splits.append(ds.tweeteval(root, spec.tweeteval_task, split))
    return splits


def matrix(texts: Sequence[str], buckets: int) -> csr_matrix:
    """The training matrix: the same hashed features as prediction, 1/sqrt(n) scaled."""
    feats = featurise(texts, buckets)
    values = 1.0 / np.sqrt(np.maximum(feats.counts, 1))[feats.docs]
    return csr_matrix((values, (feats.docs, feats.buckets)), shape=(len(texts), buckets))


def sample_weights(splits: Sequence[ds.Split]) -> npt.NDArray[np.float64]:
    """Each split weighs the same in total, and within a split each class weighs half, so
    Davidson's 77% offensive tweets don't set the base rate for every other dataset."""
    parts = []
    for split in splits:
        labels = np.asarray(split.labels)
        counts = np.bincount(labels, minlength=2).astype(np.float64)
        parts.append(0.5 / np.maximum(counts, 1.0)[labels])
    weights = np.concatenate(parts)
    scale = float(len(weights)) / float(weights.sum())
    return weights * scale


def fit(
    splits: Sequence[ds.Split], c: float, buckets: int = BUCKETS
) -> tuple[npt.NDArray[np.float32], float]:
    """Fit logistic regression on the concatenated splits; return (weights, bias)."""
    texts = [t for s in splits for t in s.texts]
    labels = np.array([y for s in splits for y in s.labels], dtype=np.int64)
    model = LogisticRegression(C=c, solver="liblinear", random_state=0, max_iter=200)
    model.fit(matrix(texts, buckets), labels, sample_weight=sample_weights(splits))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def write_npz(path: Path, arrays: dict[str, npt.NDArray[np.generic]]) -> None:
    """Write arrays as ``.npz`` with fixed zip dates and order, so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(
                buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buffer.getvalue())


def dataset_hashes(root: Path, spec: ModelSpec) -> dict[str, str]:
    """The sha256 of every training file ``spec`` reads, by path under ``root``."""
    files = [root / "davidson2017" / "labeled_data.csv"]
    task = root / f"tweeteval_{spec.tweeteval_task}"
    files += [task / "train_text.txt", task / "train_labels.txt"]
    return {str(f.relative_to(root)): sha256_file(f) for f in files}


def validation_metrics(
    root: Path, spec: ModelSpec, score: Callable[[Sequence[str]], npt.NDArray[np.float64]]
) -> dict[str, dict[str, float]]:
    """Metrics at 0.5 on each validation split of ``spec``'s datasets, for the manifest."""
    out = {}
    for split in training_splits(root, spec, "val"):
        values = scores(split.labels, score(split.texts) >= 0.5)
        out[split.name] = {k: round(v, 4) for k, v in values.items()}
    return out


DAVIDSON_SPLIT = {"seed": ds.DAVIDSON_SEED, "train": "first 80% of the permutation"}


def train_one(root: Path, spec: ModelSpec, output: Path) -> dict[str, object]:
    """Train one spec, write ``<name>.npz`` and return its manifest entry."""
    weights, bias = fit(training_splits(root, spec, "train"), spec.c)
    path = output / f"{spec.name}.npz"
    write_npz(
        path,
        {
            "weights": weights,
            "bias": np.array([bias], dtype=np.float64),
            "version": np.array([FORMAT_VERSION], dtype=np.int64),
        },
    )
    return {
        "file": path.name,
        "sha256": sha256_file(path),
        "kind": "ngram",
        "datasets": dataset_hashes(root, spec),
        "davidson_split": DAVIDSON_SPLIT,
        "params": {
            "buckets": BUCKETS,
            "char_ngrams": list(CHAR_NGRAMS),
            "word_ngrams": [1, 2],
            "solver": "liblinear",
            "C": spec.c,
            "sample_weight": "each dataset equal, classes balanced within it",
            "davidson_positive_classes": list(spec.davidson_positive),
        },
        "metrics": validation_metrics(
            root, spec, Classifier(f"classifier:{spec.name}", spec.name, weights, bias).scores
        ),
    }
