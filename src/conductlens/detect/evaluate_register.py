"""``models evaluate`` on the police-register test split, and the previous release to compare.

Flagged means a finding at medium or high, as for the held-out police-chat sets. Recall is per
category of misconduct; false alarms are per kind of hard negative. The test split is only
measured here: thresholds and everything else were chosen on the validation split.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from conductlens.detect.base import Severity
from conductlens.detect.classifier import MANIFEST
from conductlens.detect.policy import BASELINE, Policy, load_policy
from conductlens.detect.register import Example, register_split
from conductlens.detect.scan import scan_batch

Flagger = Callable[[Sequence[str]], np.ndarray]


def previous_release(policy: Policy) -> Policy:
    """The same policy without the conduct model (what the previous release shipped)."""
    categories = tuple(
        c.model_copy(update={"detectors": tuple(r for r in c.detectors if r.kind != "model")})
        for c in policy.categories
    )
    return policy.model_copy(
        update={
            "version": f"{policy.version} without the conduct model",
            "models": tuple(m for m in policy.models if m.kind != "conduct"),
            "categories": tuple(c for c in categories if c.detectors),
        }
    )


def medium_or_high(policy: Policy) -> Flagger:
    """Whether each message gets any finding at medium or above."""

    def flag(texts: Sequence[str]) -> np.ndarray:
        flags = np.zeros(len(texts), dtype=bool)
        for f in scan_batch(policy, [(str(i), t) for i, t in enumerate(texts)]):
            flags[int(f.message_id)] |= f.severity >= Severity.MEDIUM
        return flags

    return flag


def register_rows(flag: Flagger, examples: Sequence[Example] | None = None) -> dict[str, float]:
    """Overall recall and false-alarm rate, then recall per category and FA per kind."""
    examples = list(examples if examples is not None else register_split("test"))
    flags = flag([e.text for e in examples])
    by: dict[str, list[bool]] = defaultdict(list)
    for example, flagged in zip(examples, flags.tolist(), strict=True):
        if example.kind == "misconduct":
            by["recall"].append(flagged)
            for label in example.labels:
                by[f"recall {label}"].append(flagged)
        else:
            by["false alarms"].append(flagged)
            by[f"false alarms {example.kind}"].append(flagged)
    values = {"n": float(len(examples))}
    values |= {key: float(np.mean(v)) for key, v in sorted(by.items(), key=lambda kv: kv[0])}
    return values


def other_baseline(policy: Policy) -> Policy | None:
    """The national baseline, when ``policy`` is another (a force policy): to compare."""
    baseline = load_policy(BASELINE)
    return None if policy.version == baseline.version else baseline


def force_rows(policy: Policy) -> list[tuple[str, str, dict[str, float]]]:
    """For each force model the policy names (trained from reviewers' decisions), the
    figures on its held-back decisions recorded at training: the model and the baseline."""
    rows = []
    for ref in policy.models:
        path = Path(ref.file)
        try:
            entry: dict[str, Any] = json.loads(
                (path.parent / MANIFEST).read_text(encoding="utf-8"))["models"][path.stem]
        except (OSError, KeyError, ValueError):
            continue
        if entry.get("trained_from") == "decisions":
            for system, values in entry["metrics"]["held_back"].items():
                rows.append((f"{path.stem}: held-back decisions", system, values))
    return rows
