"""Precision, recall and F1 with numpy (no scikit-learn at prediction or evaluation time)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def scores(labels: Sequence[int], predicted: npt.NDArray[np.bool_]) -> dict[str, float]:
    """Precision, recall, F1 of the positive class, macro-F1 and accuracy."""
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    out: dict[str, float] = {
        "n": float(len(y)),
        "accuracy": float((y == p).mean()) if len(y) else 0,
    }
    f1s = []
    for positive in (True, False):
        tp = float(np.sum((p == positive) & (y == positive)))
        prec = tp / max(float(np.sum(p == positive)), 1.0)
        rec = tp / max(float(np.sum(y == positive)), 1.0)
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
        if positive:
            out |= {"precision": prec, "recall": rec, "f1": f1s[0]}
    out["macro_f1"] = sum(f1s) / 2
    return out
