"""A force's own model from its reviewers' decisions (``models train --from-decisions``).

What Purview calls a trainable classifier, offline: the messages reviewers decided were
relevant or not relevant become labelled examples for the same hashed n-gram logistic
regression as the shipped classifiers (``detect/training.py``: CPU, deterministic liblinear).
A quarter of each class, chosen by the sha256 of the text (so the same decisions always give
the same split, whatever order the store returns them in), is held back and never trained on;
the model is measured on it, beside the national baseline on the same messages, and on the
police-register validation split, the benign police messages and the public test sets.

The result is versioned, never a replacement for the baseline: ``models/force-decisions-<n>.npz``
(numpy arrays, no pickle) with its sha256 and figures in ``models/manifest.json`` beside it,
and ``force-decisions-<n>.yaml``, a force policy that extends the baseline with one category
read by the model. It is used only where someone names it with ``--policy``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from conductlens.detect.base import Severity
from conductlens.detect.classifier import MANIFEST, Classifier, library_versions, sha256_file
from conductlens.detect.decided import Decided
from conductlens.detect.metrics import scores
from conductlens.detect.policy import STANDARDS, Policy
from conductlens.errors import ConductLensError

NAME = "force-decisions"
CATEGORY = "force-reviewers"
MIN_MESSAGES = 40
MIN_EACH = 10  # of relevant and of not relevant messages
HOLD_BACK_EVERY = 4  # every 4th message of each class, in sha256 order, is held back
C = 2.0
THRESHOLD = 0.5
F64 = npt.NDArray[np.float64]


class TooFewDecisions(ConductLensError):
    """Not enough decided messages to train and fairly test a model."""


@dataclass(frozen=True, slots=True)
class ForceModel:
    """What one training run wrote: the version, its files and its manifest entry."""

    version: str
    policy: Path
    weights: Path
    entry: dict[str, Any]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def examples(decided: Sequence[Decided]) -> list[Decided]:
    """One example per distinct text (relevant if any decision on it was), in sha256 order:
    the same words twice would otherwise sit on both sides of the held-back split."""
    by_text: dict[str, list[Decided]] = {}
    for item in decided:
        if item.text.strip():
            by_text.setdefault(item.text.strip(), []).append(item)
    out = []
    for text, items in by_text.items():
        relevant = [i for i in items if i.relevant]
        chosen = relevant or items
        out.append(Decided(
            text, bool(relevant),
            tuple(dict.fromkeys(c for i in chosen for c in i.categories)),
            tuple(dict.fromkeys(s for i in chosen for s in i.standards)),
        ))
    return sorted(out, key=lambda e: _key(e.text))


def require_enough(found: Sequence[Decided], where: str) -> None:
    """Refuse, saying how many there are and how many are needed, when there are too few."""
    relevant = sum(e.relevant for e in found)
    others = len(found) - relevant
    if len(found) < MIN_MESSAGES or min(relevant, others) < MIN_EACH:
        raise TooFewDecisions(
            f"too few decisions to train a force model {where}: {len(found)} decided messages "
            f"({relevant} relevant, {others} not relevant); at least {MIN_MESSAGES} are "
            f"needed, with at least {MIN_EACH} relevant and {MIN_EACH} not relevant")


def hold_back(found: Sequence[Decided]) -> tuple[list[Decided], list[Decided]]:
    """(train, held back): every HOLD_BACK_EVERY-th of each class in sha256 order."""
    train: list[Decided] = []
    held: list[Decided] = []
    for label in (True, False):
        ordered = sorted((e for e in found if e.relevant is label), key=lambda e: _key(e.text))
        for position, example in enumerate(ordered):
            (held if position % HOLD_BACK_EVERY == HOLD_BACK_EVERY - 1 else train).append(example)
    return train, held


def auc(labels: Sequence[bool], values: F64) -> float:
    """Area under the ROC curve (the chance a relevant message outscores a not relevant one;
    0.5 is chance), ties counted half."""
    y = np.asarray(labels, dtype=bool)
    pos, neg = values[y], values[~y]
    if not len(pos) or not len(neg):
        return 0.5
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in values.items()}


def held_back_metrics(model: Classifier, held: Sequence[Decided], baseline: Policy
                      ) -> dict[str, dict[str, float]]:
    """The model and the national baseline (a medium or high finding) on the held back
    messages, with the majority-class accuracy that is chance."""
    from conductlens.detect.scan import scan_batch

    labels = [int(e.relevant) for e in held]
    texts = [e.text for e in held]
    values = model.scores(texts)
    mine = scores(labels, values >= THRESHOLD) | {"auc": auc([e.relevant for e in held], values)}
    chance = max(sum(labels), len(labels) - sum(labels)) / max(len(labels), 1)
    flagged = np.zeros(len(texts), dtype=bool)
    for finding in scan_batch(baseline, [(str(i), t) for i, t in enumerate(texts)]):
        flagged[int(finding.message_id)] |= finding.severity >= Severity.MEDIUM
    return {"force model": _rounded(mine | {"chance_accuracy": chance}),
            "national baseline": _rounded(scores(labels, flagged))}


def public_metrics(model: Classifier, datasets: Path | None) -> dict[str, dict[str, float]]:
    """The model alone (score >= 0.5 counts as flagged) on the police-register validation
    split, the benign police messages and, when present, the public test sets."""
    from conductlens.detect import datasets as ds
    from conductlens.detect.evaluate import benign_messages
    from conductlens.detect.evaluate_register import register_rows
    from conductlens.detect.register import register_split

    def flag(texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        return np.asarray(model.scores(texts) >= THRESHOLD)

    rows = register_rows(flag, register_split("validation"))
    out = {"police_register/validation": _rounded(
        {k: rows[k] for k in ("n", "recall", "false alarms")})}
    benign = benign_messages()
    out["benign_police.txt"] = _rounded({"n": len(benign), "flagged_rate": flag(benign).mean()})
    if datasets is not None and (datasets / "README.md").exists():
        for split in (ds.tweeteval(datasets, "offensive", "test"), ds.hatecheck(datasets),
                      ds.ethos(datasets)):
            out[split.name] = _rounded(scores(split.labels, flag(split.texts)))
    return out


def _standards(found: Sequence[Decided]) -> list[str]:
    # The Standards most often engaged by the findings reviewers found relevant.
    counts = Counter(s for e in found if e.relevant for s in e.standards if s in STANDARDS)
    ranked = [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ranked[:3] or ["Discreditable conduct"]


def _next_version(models: Path) -> tuple[int, dict[str, Any]]:
    manifest = models / MANIFEST
    data: dict[str, Any] = {"format": 1, "models": {}}
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
    numbers = [int(k.rsplit("-", 1)[1]) for k in data["models"] if k.startswith(f"{NAME}-")]
    return max(numbers, default=0) + 1, data


def _policy_text(version: str, weights: str, found: Sequence[Decided], where: str) -> str:
    category = {
        "id": CATEGORY,
        "name": "Like messages this force's reviewers found relevant",
        "description": f"Messages the force's own model, trained on reviewers' decisions "
                       f"{where}, scores as like those found relevant.",
        "standards": _standards(found),
        "severity": "medium",
        "max_severity": "medium",
        "explanation": "This force's model, trained on its reviewers' relevant and not "
                       "relevant decisions, scores the message as like those found relevant. "
                       "It learns the force's own judgements: review it in context.",
        "detectors": [{"kind": "classifier", "model": NAME, "threshold": THRESHOLD}],
    }
    policy = {"version": version, "name": f"Force policy with the reviewers' model ({version})",
              "extends": "baseline",
              "models": [{"id": NAME, "file": f"models/{weights}"}],
              "categories": [category]}
    header = (f"# Written by `conductlens models train --from-decisions` ({version}). Not the\n"
              "# baseline: it is used only where named with --policy. Its model's figures on\n"
              "# held-back decisions and public sets are in models/manifest.json.\n")
    return header + yaml.safe_dump(policy, sort_keys=False, allow_unicode=True, width=100)


def train_force_model(decided: Sequence[Decided], output: Path, *, baseline: Policy,
                      where: str = "", datasets: Path | None = None) -> ForceModel:
    """Train, evaluate and write the next version under ``output``; refuse too few."""
    from conductlens.detect.datasets import Split
    from conductlens.detect.training import BUCKETS, FORMAT_VERSION, fit, write_npz

    found = examples(decided)
    require_enough(found, where)
    train, held = hold_back(found)
    weights, bias = fit([Split("decisions", tuple(e.text for e in train),
                               tuple(int(e.relevant) for e in train))], C)
    model = Classifier(f"classifier:{NAME}", NAME, weights, bias)
    models = output / "models"
    models.mkdir(parents=True, exist_ok=True)
    number, manifest = _next_version(models)
    version = f"{NAME}-{number}"
    path = models / f"{version}.npz"
    write_npz(path, {"weights": weights, "bias": np.array([bias], dtype=np.float64),
                     "version": np.array([FORMAT_VERSION], dtype=np.int64)})
    data = "\n".join(f"{int(e.relevant)}\t{_key(e.text)}" for e in found)
    entry: dict[str, Any] = {
        "file": path.name, "sha256": sha256_file(path), "kind": "ngram",
        "trained_from": "decisions", "where": where, "policy": f"{version}.yaml",
        "decisions": {"messages": len(found), "relevant": sum(e.relevant for e in found),
                      "train": len(train), "held_back": len(held),
                      "categories": dict(sorted(Counter(
                          c for e in found for c in e.categories).items()))},
        "data_sha256": _key(data),
        "params": {"buckets": BUCKETS, "solver": "liblinear", "C": C, "threshold": THRESHOLD,
                   "held_back": f"every {HOLD_BACK_EVERY}th of each class in sha256 order",
                   "sample_weight": "classes balanced"},
        "metrics": {"held_back": held_back_metrics(model, held, baseline),
                    **public_metrics(model, datasets)},
        "libraries": library_versions(),
    }
    manifest["models"][version] = entry
    (models / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
    policy = output / f"{version}.yaml"
    policy.write_text(_policy_text(version, path.name, found, where), encoding="utf-8")
    return ForceModel(version, policy, path, entry)
