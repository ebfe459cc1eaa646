"""Print how much of the synthetic shift group's planted misconduct the baseline policy finds.

    python bench/demo_recall.py [--policy FILE] [--misses]

Generates the demo (``conductlens.demo.generate_demo``) in a temporary folder, runs the policy
over the texts of its planted incidents and its hard negatives (``ground_truth.json``), and over
the benign police messages (``detect/data/benign_police.txt``). Prints, per demo category and
overall, the recall of medium/high findings on the incidents whose expected severity is medium
or high: "expected category" counts a finding only in the policy category that corresponds to
the demo's (see ``EXPECTED``), "any category" counts any medium/high finding. Then the share of
hard negatives and of benign messages with any medium/high finding. Figures are printed, never
asserted (tests/detect/test_demo_recall.py asserts floors).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from conductlens.demo import generate_demo
from conductlens.detect.base import Finding, Severity
from conductlens.detect.evaluate import benign_messages
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.scan import scan_batch

# Demo category -> the policy categories that count as finding it. A custody photograph is
# police information in the policy even where the demo files it under personal data.
EXPECTED: dict[str, frozenset[str]] = {
    "race": frozenset({"discrimination-race"}),
    "religion": frozenset({"discrimination-religion"}),
    "sex": frozenset({"discrimination-sex", "sexual-harassment"}),
    "sexual_orientation": frozenset({"discrimination-sexual-orientation"}),
    "gender_reassignment": frozenset({"discrimination-gender-reassignment"}),
    "disability": frozenset({"discrimination-disability"}),
    "age": frozenset({"discrimination-age"}),
    "sexual_violence": frozenset({"sexual-harassment"}),
    "domestic_abuse": frozenset({"domestic-abuse-endorsement"}),
    "violence": frozenset({"violence-and-force"}),
    "bullying": frozenset({"bullying"}),
    "mocking_victims": frozenset({"mocking-victims-or-the-dead"}),
    "personal_data": frozenset({"personal-data", "police-information"}),
    "police_information": frozenset({"police-information", "personal-data"}),
    "collusion": frozenset({"collusion-and-destroying-evidence"}),
    "drugs": frozenset({"drugs"}),
    "profanity": frozenset({"profanity"}),
}
SERIOUS = frozenset({"medium", "high"})


def ground_truth(seed: int = 7) -> dict[str, Any]:
    """The demo's ground truth, generated in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        files = generate_demo(Path(tmp), seed=seed)
        data: dict[str, Any] = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    return data


def _serious(findings: list[Finding]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        serious = {finding.category} if finding.severity >= Severity.MEDIUM else set()
        # A category folded into a stronger one of its family counts at its own severity.
        serious |= {name for name, severity in finding.merged if severity >= Severity.MEDIUM}
        if serious:  # a message with low findings only is not flagged, nor counted as such
            out[finding.message_id] |= serious
    return out


def measure(policy: Policy, truth: dict[str, Any]) -> dict[str, Any]:
    """Recall per demo category (expected and any category) and the false-alarm rates."""
    incidents = [i for i in truth["incidents"] if i["severity"] in SERIOUS]
    negatives = [n["text"] for n in truth["hard_negatives"]]
    benign = benign_messages()
    found = _serious(scan_batch(policy, [(i["id"], i["text"]) for i in incidents]))
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses = []
    for incident in incidents:
        row = per[incident["category"]]
        got = found.get(incident["id"], set())
        hit = bool(got & EXPECTED[incident["category"]])
        row[0] += hit
        row[1] += bool(got)
        row[2] += 1
        if not hit:
            misses.append((incident["category"], incident["text"], sorted(got)))
    neg = _serious(scan_batch(policy, [(str(n), t) for n, t in enumerate(negatives)]))
    ben = _serious(scan_batch(policy, [(str(n), t) for n, t in enumerate(benign)]))
    return {
        "per_category": dict(sorted(per.items())),
        "expected": sum(r[0] for r in per.values()) / max(1, len(incidents)),
        "any": sum(r[1] for r in per.values()) / max(1, len(incidents)),
        "n": len(incidents),
        "hard_negatives": (len(neg), len(negatives)),
        "benign": (len(ben), len(benign)),
        "misses": misses,
        "flagged_negatives": [negatives[int(k)] for k in sorted(neg, key=int)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", type=Path, default=None, help="policy file (baseline)")
    parser.add_argument("--misses", action="store_true", help="print missed incidents")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    result = measure(policy, ground_truth())
    print(f"policy {policy.version}; {platform.machine()}, Python {platform.python_version()}")
    print(f"{'demo category':<20} {'n':>3} {'expected':>9} {'any':>6}")
    for name, (hit, any_hit, n) in result["per_category"].items():
        print(f"{name:<20} {n:>3} {hit / n:>9.2f} {any_hit / n:>6.2f}")
    print(f"{'overall':<20} {result['n']:>3} {result['expected']:>9.3f} {result['any']:>6.3f}")
    flagged, total = result["hard_negatives"]
    print(f"hard negatives flagged medium/high: {flagged}/{total} ({flagged / total:.1%})")
    flagged, total = result["benign"]
    print(f"benign police messages flagged medium/high: {flagged}/{total} ({flagged / total:.1%})")
    if args.misses:
        for category, text, got in result["misses"]:
            print(f"MISS {category}: {text!r} -> {got}")
        for text in result["flagged_negatives"]:
            print(f"FLAGGED NEGATIVE: {text!r}")


if __name__ == "__main__":
    main()
