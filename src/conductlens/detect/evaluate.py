"""``conductlens models evaluate``: the policy, its classifiers alone and (when installed)
alt-profanity-check, on the same held-out test sets in the same run.

"Hateful" means a finding in a ``discrimination-*`` category at medium or above; "offensive"
means any finding in an abusive-language category (any severity). HateCheck and ETHOS are
test only: nothing here trains or tunes on them.
"""

from __future__ import annotations

import importlib
import os
import platform
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from conductlens.detect import datasets as ds
from conductlens.detect.base import Finding, Severity
from conductlens.detect.classifier import Classifier
from conductlens.detect.conduct import ConductModel
from conductlens.detect.evaluate_register import (
    force_rows,
    medium_or_high,
    other_baseline,
    previous_release,
    register_rows,
)
from conductlens.detect.metrics import scores
from conductlens.detect.policy import Policy
from conductlens.detect.register import register_split
from conductlens.detect.scan import scan_batch, scanner
from conductlens.detect.semantic import SemanticModel

BENIGN = Path(__file__).parent / "data" / "benign_police.txt"
ABUSIVE = (
    "discrimination-",
    "sexual-harassment",
    "domestic-abuse",
    "violence",
    "bullying",
    "mocking",
    "profanity",
    "abusive-language",
)
Predictor = Callable[[Sequence[str]], np.ndarray]


@dataclass(slots=True)
class Report:
    """Rows per section: (dataset, system, {metric: value})."""

    when: str
    machine: str
    sections: dict[str, list[tuple[str, str, dict[str, float]]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, section: str, dataset: str, system: str, values: dict[str, float]) -> None:
        """Append one row to a section."""
        self.sections.setdefault(section, []).append((dataset, system, values))


def _flags(findings: list[Finding], n: int, keep: Callable[[Finding], bool]) -> np.ndarray:
    flags = np.zeros(n, dtype=bool)
    for finding in findings:
        if keep(finding):
            flags[int(finding.message_id)] = True
    return flags


def is_hateful(finding: Finding) -> bool:
    """A discrimination finding at medium or above."""
    return finding.category.startswith("discrimination-") and finding.severity >= Severity.MEDIUM


def is_offensive(finding: Finding) -> bool:
    """Any finding in an abusive-language category."""
    return finding.category.startswith(ABUSIVE)


def policy_predictor(policy: Policy, keep: Callable[[Finding], bool]) -> Predictor:
    """Predict with the full policy (lexicons, patterns, classifiers, context)."""

    def predict(texts: Sequence[str]) -> np.ndarray:
        findings = scan_batch(policy, [(str(i), t) for i, t in enumerate(texts)])
        return _flags(findings, len(texts), keep)

    return predict


def classifier_predictor(model: Classifier | SemanticModel, threshold: float = 0.5) -> Predictor:
    """Predict with one classifier (n-gram or semantic head) alone, on every message."""
    return lambda texts: model.scores(texts) >= threshold


def output_predictor(model: ConductModel, output: str, threshold: float = 0.5) -> Predictor:
    """Predict with one output of the conduct model alone, on every message."""
    column = model.labels.index(output)
    return lambda texts: model.probabilities(texts)[:, column] >= threshold


def profanity_check_predictor() -> Predictor | None:
    """alt-profanity-check's ``predict_prob >= 0.5``, or None when it is not installed."""
    try:
        module = importlib.import_module("profanity_check")
    except ImportError:
        return None
    return lambda texts: np.asarray(module.predict_prob(list(texts))) >= 0.5


def _systems(policy: Policy, task: str) -> dict[str, Predictor]:
    models = {c.name: c for c in scanner(policy).classifiers}
    keep = is_hateful if task == "hate" else is_offensive
    systems = {"conductlens policy": policy_predictor(policy, keep)}
    systems["previous release (no conduct model)"] = policy_predictor(
        previous_release(policy), keep
    )
    baseline = other_baseline(policy)
    if baseline is not None:
        systems["national baseline"] = policy_predictor(baseline, keep)
    systems[f"classifier:{task} alone"] = classifier_predictor(models[task])
    for cascade in scanner(policy).cascades:
        if task in cascade.model.labels:
            systems[f"model:{cascade.model.name} '{task}' output alone"] = output_predictor(
                cascade.model, task
            )
    for model, _ in scanner(policy).semantic:
        if model.name.startswith(task):
            systems[f"semantic:{model.name} alone"] = classifier_predictor(model)
    other = profanity_check_predictor()
    if other is not None:
        systems["alt-profanity-check"] = other
    return systems


def _held_out(report: Report, policy: Policy, root: Path) -> None:
    for task, positive in (("hate", (0,)), ("offensive", (0, 1))):
        systems = _systems(policy, task)
        for split in (ds.tweeteval(root, task, "test"), ds.davidson(root, "test", positive)):
            for name, predict in systems.items():
                report.add(
                    f"held-out test ({task})",
                    split.name,
                    name,
                    scores(split.labels, predict(split.texts)),
                )


def _grouped(labels: Sequence[int], pred: np.ndarray, groups: Sequence[str]) -> dict[str, float]:
    by: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        by[group].append(index)
    y = np.asarray(labels, dtype=bool)
    return {g: float((y[idx] == pred[idx]).mean()) for g, idx in sorted(by.items())}


def _test_only(report: Report, policy: Policy, root: Path) -> None:
    systems = _systems(policy, "hate")
    check, eth, groups = ds.hatecheck(root), ds.ethos(root), ds.ethos_groups(root)
    for name, predict in systems.items():
        pred = predict(check.texts)
        report.add("HateCheck (test only)", "hatecheck", name, scores(check.labels, pred))
        report.add(
            "HateCheck accuracy per functionality",
            "hatecheck",
            name,
            _grouped(check.labels, pred, check.groups),
        )
        report.add("ETHOS (test only)", eth.name, name, scores(eth.labels, predict(eth.texts)))
        report.add(
            "ETHOS recall per protected characteristic",
            groups.name,
            name,
            _grouped(groups.labels, predict(groups.texts), groups.groups),
        )


def _cross(report: Report, root: Path, console: Console) -> None:
    from conductlens.detect.training import SPECS, fit, training_splits

    for spec in SPECS:
        positive = spec.davidson_positive
        for held in ("davidson2017", f"tweeteval_{spec.tweeteval_task}"):
            with console.status(f"cross-dataset: training {spec.name} without {held} ..."):
                weights, bias = fit(training_splits(root, spec, "train", exclude=held), spec.c)
            model = Classifier(f"classifier:{spec.name}-without-{held}", spec.name, weights, bias)
            test = (
                ds.davidson(root, "test", positive)
                if held == "davidson2017"
                else ds.tweeteval(root, spec.tweeteval_task, "test")
            )
            report.add(
                "cross-dataset (trained without the test set's dataset)",
                test.name,
                model.id,
                scores(test.labels, classifier_predictor(model)(test.texts)),
            )


def _register(report: Report, policy: Policy, split: str) -> None:
    section = f"police-register {split} split (flagged = medium or high)"
    examples = register_split(split)
    dataset = f"police_register/{split}"
    report.add(section, dataset, "conductlens policy",
               register_rows(medium_or_high(policy), examples))  # fmt: skip
    report.add(
        section,
        dataset,
        "previous release (no conduct model)",
        register_rows(medium_or_high(previous_release(policy)), examples),
    )
    baseline = other_baseline(policy)
    if baseline is not None:
        report.add(section, dataset, "national baseline",
                   register_rows(medium_or_high(baseline), examples))  # fmt: skip
    other = profanity_check_predictor()
    if other is not None:
        report.add(section, dataset, "alt-profanity-check", register_rows(other, examples))
    for dataset, system, values in force_rows(policy):
        report.add("force models on their held-back decisions (recorded at training)",
                   dataset, system, values)


def benign_messages() -> list[str]:
    """The benign police messages (comments and blank lines dropped)."""
    lines = BENIGN.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _benign(report: Report, policy: Policy) -> None:
    texts = benign_messages()
    baseline = other_baseline(policy)
    compared = [("conductlens policy", policy)]
    compared += [("national baseline", baseline)] if baseline is not None else []
    for system, chosen in compared:
        findings = scan_batch(chosen, [(str(i), t) for i, t in enumerate(texts)])
        flagged = _flags(findings, len(texts), lambda f: f.severity >= Severity.MEDIUM)
        report.add(
            "benign police messages",
            "benign_police.txt",
            system,
            {"n": float(len(texts)), "medium_or_high_rate": float(flagged.mean())},
        )
    other = profanity_check_predictor()
    if other is not None:
        report.add(
            "benign police messages",
            "benign_police.txt",
            "alt-profanity-check",
            {"n": float(len(texts)), "flagged_rate": float(other(texts).mean())},
        )


def _examples(report: Report, policy: Policy) -> None:
    for category in policy.categories:
        floor = min(Severity.parse(category.severity), Severity.MEDIUM)
        texts = [*category.examples.positive, *category.examples.negative]
        labels = [1] * len(category.examples.positive) + [0] * len(category.examples.negative)
        findings = scan_batch(policy, [(str(i), t) for i, t in enumerate(texts)])
        flags = np.zeros(len(texts), dtype=bool)
        for f in findings:
            severity = f.severity_for(category.id)  # its own, or folded into its family's
            flags[int(f.message_id)] |= severity is not None and severity >= floor
        values = scores(labels, flags)
        report.add(
            "policy examples per category",
            category.id,
            "conductlens policy",
            {k: values[k] for k in ("n", "precision", "recall", "f1")},
        )


def run_evaluation(
    policy: Policy,
    root: Path,
    cross: bool,
    console: Console,
    register: str = "test",
    public: bool = True,
) -> Report:
    """Run every evaluation section and return the report (``register``: the police-register
    split to measure; ``public=False`` leaves out the public datasets)."""
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    report = Report(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), machine)
    if profanity_check_predictor() is None:
        report.notes.append("alt-profanity-check is not installed: comparison skipped.")
    with console.status(f"police-register {register} split ..."):
        _register(report, policy, register)
    if not public:
        _benign(report, policy)
        return report
    with console.status("held-out test sets ..."):
        _held_out(report, policy, root)
    with console.status("HateCheck and ETHOS ..."):
        _test_only(report, policy, root)
    if cross:
        _cross(report, root, console)
    _benign(report, policy)
    _examples(report, policy)
    return report


def _columns(rows: list[tuple[str, str, dict[str, float]]]) -> list[str]:
    return list(dict.fromkeys(k for _, _, values in rows for k in values))


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{int(value)}" if value >= 1.5 else f"{value:.3f}"


def render_rich(report: Report, console: Console) -> None:
    """Print one Rich table per section."""
    console.print(f"Evaluation {report.when} on {report.machine}")
    for note in report.notes:
        console.print(f"[yellow]{note}[/]")
    for section, rows in report.sections.items():
        table = Table(title=section)
        columns = _columns(rows)
        for column in ("dataset", "system", *columns):
            table.add_column(column)
        for dataset, system, values in rows:
            table.add_row(dataset, system, *(_cell(values.get(c)) for c in columns))
        console.print(table)


def _transposed(rows: list[tuple[str, str, dict[str, float]]]) -> list[str]:
    # Wide sections (one column per functionality) read better with a row per metric.
    systems = [system for _, system, _ in rows]
    out = ["| | " + " | ".join(systems) + " |", "|" + "---|" * (len(systems) + 1)]
    for key in _columns(rows):
        out.append(f"| {key} | " + " | ".join(_cell(v.get(key)) for _, _, v in rows) + " |")
    return out


def render_markdown(report: Report) -> str:
    """The same tables as Markdown, for docs/detection.md."""
    out = [f"Run: {report.when}, {report.machine}.", ""] + [f"> {n}" for n in report.notes]
    for section, rows in report.sections.items():
        columns = _columns(rows)
        if len(columns) > 10:
            out += ["", f"### {section}", "", *_transposed(rows)]
            continue
        out += [
            "",
            f"### {section}",
            "",
            "| dataset | system | " + " | ".join(columns) + " |",
            "|" + "---|" * (len(columns) + 2),
        ]
        for dataset, system, values in rows:
            cells = " | ".join(_cell(values.get(c)) for c in columns)
            out.append(f"| {dataset} | {system} | {cells} |")
    return "\n".join(out) + "\n"
