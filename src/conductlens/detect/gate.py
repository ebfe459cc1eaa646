"""The cascade's gate: a hashed n-gram logistic model, distilled from the conduct model, that
picks which messages the conduct model must read.

It reuses the n-gram classifiers' features (computed once per batch for the fast tier), so it
costs microseconds a message. It is trained to predict "the conduct model flags this" (or the
register says it is misconduct) and its threshold is set low, on validation, so that it keeps
almost every message the model would flag: it trades a larger share sent on for recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from conductlens.detect.base import PolicyError
from conductlens.detect.classifier import Classifier, read_checked, sha256_file
from conductlens.detect.features import Features
from conductlens.detect.training import BUCKETS, FORMAT_VERSION, fit, write_npz

GATE_RECALL = 0.98  # share of the model's validation flags the gate must keep
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Gate:
    """A linear n-gram model and the threshold above which a message goes on to the model."""

    classifier: Classifier
    threshold: float

    @classmethod
    def load(cls, path: Path) -> Gate:
        """Load ``path`` once its sha256 matches the manifest beside it."""
        arrays = read_checked(path)
        try:
            weights = np.asarray(arrays["weights"], dtype=np.float32)
            classifier = Classifier(
                f"gate:{path.stem}@{int(arrays['version'][0])}",
                path.stem,
                weights,
                float(arrays["bias"][0]),
            )
            return cls(classifier, float(arrays["threshold"][0]))
        except (KeyError, IndexError) as exc:
            raise PolicyError(f"{path}: not a gate: missing {exc}") from exc

    def passes(self, features: Features) -> npt.NDArray[np.bool_]:
        """Which messages of a batch go on to the conduct model."""
        return np.asarray(self.classifier.scores_from(features) >= self.threshold)


def recall_threshold(scores: F64, targets: npt.NDArray[np.bool_], recall: float) -> float:
    """The highest threshold that keeps at least ``recall`` of the positive ``targets``."""
    positives = np.sort(scores[targets])
    if positives.size == 0:
        return 0.5
    keep = int(np.ceil(recall * positives.size))
    return float(np.floor(positives[positives.size - keep] * 1e4) / 1e4)


def train_gate(
    texts: Sequence[str],
    targets: Sequence[int],
    val_texts: Sequence[str],
    val_targets: Sequence[int],
    path: Path,
) -> dict[str, object]:
    """Fit the gate on the model's (distilled) targets; set its threshold on validation."""
    from conductlens.detect.datasets import Split

    split = Split("distilled", tuple(texts), tuple(int(t) for t in targets))
    weights, bias = fit([split], 1.0, BUCKETS)
    model = Classifier("gate", path.stem, weights, bias)
    val_scores = model.scores(val_texts)
    wanted = np.asarray(val_targets, dtype=bool)
    threshold = recall_threshold(val_scores, wanted, GATE_RECALL)
    write_npz(
        path,
        {
            "weights": weights,
            "bias": np.array([bias], dtype=np.float64),
            "threshold": np.array([threshold], dtype=np.float64),
            "version": np.array([FORMAT_VERSION], dtype=np.int64),
        },
    )
    sent = val_scores >= threshold
    kept = float(sent[wanted].mean()) if wanted.any() else 1.0
    return {
        "kind": "gate",
        "file": path.name,
        "sha256": sha256_file(path),
        "params": {"buckets": BUCKETS, "C": 1.0, "target_recall": GATE_RECALL},
        "threshold": threshold,
        "metrics": {
            "validation": {
                "n": float(len(val_texts)),
                "share_sent_on": round(float(sent.mean()), 4),
                "recall_of_model_flags": round(kept, 4),
            }
        },
    }
