"""Fit the response-register model from ``data/response_register.yaml``, reproducibly.

``python -m conductlens.dynamics.register_training`` writes ``models/response_register.npz``
and its manifest entry (sha256, parameters, and figures on held-out template families).
The figures come from a family split: every third family of each class (in file order) is
held out, a model is fitted on the rest, and the held-out families are scored; the shipped
model is then fitted on every family.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from conductlens.detect.classifier import MANIFEST, sha256_file
from conductlens.detect.features import featurise
from conductlens.detect.training import write_npz
from conductlens.dynamics.register import LABELS, MODEL, RegisterModel, spell_emoji

DATA = Path(__file__).parent / "data" / "response_register.yaml"
BUCKETS = 2**15
C = 4.0
FORMAT_VERSION = 1
_SUFFIXES = ("", " mate", " lads", "!", " tbh", "...")
_PREFIXES = ("", "Honestly ", "Mate ")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int
    family: str


def load_examples(path: Path = DATA) -> list[Example]:
    """Every template with its variants (case, a few neutral prefixes and suffixes)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for label, families in data.items():
        for family, templates in families.items():
            for n, text in enumerate(templates):
                for variant in _variants(str(text), n):
                    out.append(Example(variant, LABELS.index(label), f"{label}/{family}"))
    return out


def _variants(text: str, n: int) -> list[str]:
    prefix, suffix = _PREFIXES[n % len(_PREFIXES)], _SUFFIXES[n % len(_SUFFIXES)]
    forms = {text, text.lower(), text.capitalize(), f"{prefix}{text}{suffix}".strip()}
    return sorted(forms)


def _matrix(texts: list[str]) -> csr_matrix:
    feats = featurise([spell_emoji(t) for t in texts], BUCKETS)
    values = 1.0 / np.sqrt(np.maximum(feats.counts, 1))[feats.docs]
    return csr_matrix((values, (feats.docs, feats.buckets)), shape=(len(texts), BUCKETS))


def fit(examples: list[Example]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """Multinomial logistic regression, classes balanced; (weights, bias)."""
    labels = np.array([e.label for e in examples], dtype=np.int64)
    model = LogisticRegression(C=C, solver="lbfgs", max_iter=2000, class_weight="balanced")
    model.fit(_matrix([e.text for e in examples]), labels)
    return model.coef_.astype(np.float32), model.intercept_.astype(np.float64)


def held_out_families(examples: list[Example]) -> set[str]:
    """Every third family of each class, in file order."""
    order: dict[str, list[str]] = {}
    for e in examples:
        fams = order.setdefault(LABELS[e.label], [])
        if e.family not in fams:
            fams.append(e.family)
    return {f for fams in order.values() for f in fams[1::3]}


def family_split_metrics(examples: list[Example]) -> dict[str, dict[str, float]]:
    """Precision and recall per label on families the model never saw."""
    held = held_out_families(examples)
    weights, bias = fit([e for e in examples if e.family not in held])
    test = [e for e in examples if e.family in held]
    model = RegisterModel(weights, bias, FORMAT_VERSION)
    got = [LABELS.index(v.label) for v in model.classify([e.text for e in test])]
    out = {}
    for k, name in enumerate(LABELS):
        tp = sum(1 for e, g in zip(test, got, strict=True) if e.label == k and g == k)
        predicted = sum(1 for g in got if g == k)
        actual = sum(1 for e in test if e.label == k)
        out[name] = {"precision": round(tp / max(predicted, 1), 4),
                     "recall": round(tp / max(actual, 1), 4), "n": float(actual)}
    return out


def train(output: Path = MODEL) -> dict[str, object]:
    """Fit on every family, write the ``.npz`` and update the manifest beside it."""
    examples = load_examples()
    weights, bias = fit(examples)
    write_npz(output, {"weights": weights, "bias": bias,
                       "version": np.array([FORMAT_VERSION], dtype=np.int64)})
    entry: dict[str, object] = {
        "file": output.name, "sha256": sha256_file(output), "kind": "ngram-multinomial",
        "labels": list(LABELS), "data": {DATA.name: sha256_file(DATA)},
        "params": {"buckets": BUCKETS, "C": C, "solver": "lbfgs",
                   "class_weight": "balanced", "emoji": "spelt as words"},
        "family_split": {"held_out": sorted(held_out_families(examples)),
                         "metrics": family_split_metrics(examples)},
    }
    manifest = output.parent / MANIFEST
    doc = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}
    doc.setdefault("format", 1)
    doc.setdefault("models", {})[output.stem] = entry
    manifest.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return entry


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    print(json.dumps(train()["family_split"], indent=2))  # noqa: T201
