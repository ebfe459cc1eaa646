"""``conductlens check`` (a message against the policy, nothing stored) and
``conductlens models train|evaluate`` (the trained classifiers)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import DbOption
from conductlens.detect.base import Finding, PolicyError
from conductlens.detect.contract import finding_json
from conductlens.detect.datasets import default_dir

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy", help="Policy YAML (default: the national baseline).", show_default=False
    ),
]
DatasetsOption = Annotated[
    Path | None,
    typer.Option(
        "--datasets",
        help="Labelled datasets folder (default: $CONDUCTLENS_DATASETS or ../shared/datasets).",
        show_default=False,
    ),
]


class RegisterSplit(StrEnum):
    """The police-register splits ``models evaluate`` can measure."""

    validation = "validation"
    test = "test"


def _print_table(console: Console, text: str, findings: list[Finding]) -> None:
    if not findings:
        console.print(f"[green]No findings[/] for: {text!r}", highlight=False)
        return
    table = Table(title=repr(text), show_lines=True)
    for column in ("category", "severity", "score", "matched", "standards", "why"):
        table.add_column(column)
    for f in findings:
        matched = ", ".join(repr(text[a:b]) for a, b in f.spans)
        why = " ".join(f.explanation.context) or "-"
        table.add_row(
            f.category, f.severity.label, f"{f.score:.2f}", matched, "; ".join(f.standards), why
        )
    console.print(table)


def check(
    text: Annotated[
        str, typer.Argument(help="The message, or '-' for one message per stdin line.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per input line.")
    ] = False,
    policy_path: PolicyOption = None,
) -> None:
    """Check messages against the policy and print findings; nothing is stored."""
    from conductlens.detect.policy import load_policy
    from conductlens.detect.scan import check_text

    try:
        policy = load_policy(policy_path)
        lines = sys.stdin.read().splitlines() if text == "-" else [text]
        console = Console()
        for line in lines:
            findings = check_text(policy, line)
            if as_json:
                record = {"text": line, "findings": [finding_json(f) for f in findings]}
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                _print_table(console, line, findings)
    except PolicyError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc


def train(
    datasets: DatasetsOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="Where to write the weights (default: the package's; with --from-decisions,"
            " ./force-model).",
            show_default=False,
        ),
    ] = None,
    from_decisions: Annotated[
        bool,
        typer.Option(
            "--from-decisions",
            help="Train a force model from reviewers' relevant / not relevant decisions in"
            " the store (a new version with its own force policy; the baseline is unchanged).",
        ),
    ] = False,
    case: Annotated[
        str | None,
        typer.Option(help="With --from-decisions: only this case's decisions.",
                     show_default=False),
    ] = None,
    db: DbOption = None,
    reason: Annotated[
        str,
        typer.Option("--reason", help="Why the decided messages are read; recorded in the"
                     " audit log with your name."),
    ] = "training a force model from reviewers' decisions",
) -> None:
    """Train the classifiers reproducibly and write weights plus manifest.json; or, with
    --from-decisions, a force model from reviewers' decisions."""
    if from_decisions:
        _train_from_decisions(datasets, output or Path("force-model"), case, db, reason)
        return
    from conductlens.detect.train import train_all

    root = datasets or default_dir()
    target = output or Path(__file__).resolve().parents[1] / "detect" / "policies" / "models"
    console = Console()
    with console.status(f"training on {root} ..."):
        manifest = train_all(root, target)
    models = json.loads(manifest.read_text(encoding="utf-8"))["models"]
    table = Table(title=f"Models written to {target}")
    table.add_column("model")
    table.add_column("sha256")
    for name, entry in sorted(models.items()):
        table.add_row(name, entry["sha256"])
    console.print(table)


def _train_from_decisions(
    datasets: Path | None, output: Path, case: str | None, db: str | None, reason: str
) -> None:
    from conductlens.cli._common import open_existing_store, require_case, user_errors
    from conductlens.detect.force_model import train_force_model
    from conductlens.detect.policy import load_policy
    from conductlens.review.custodian import CustodianSession

    store = open_existing_store(db)
    require_case(store, case)
    where = f"in case {case}" if case else "in every case"
    console = Console()
    with user_errors():
        purpose: dict[str, object] = {"output": str(output), "model": "force-decisions"}
        decided = CustodianSession(store, reason).decided_messages(case, purpose)
        with console.status(f"training on {len(decided)} decided messages ..."):
            result = train_force_model(decided, output, baseline=load_policy(), where=where,
                                       datasets=datasets or default_dir())
    _print_force(console, result.version, result.entry, result.policy)


def _print_force(console: Console, version: str, entry: dict[str, Any], policy: Path) -> None:
    counts, metrics = entry["decisions"], entry["metrics"]
    mine, theirs = metrics["held_back"]["force model"], metrics["held_back"]["national baseline"]
    console.print(
        f"[bold]{version}[/]: {counts['messages']} decided messages ({counts['relevant']} "
        f"relevant), {counts['train']} trained on, {counts['held_back']} held back. Held back: "
        f"AUC {mine['auc']:.3f}, accuracy {mine['accuracy']:.3f} (chance "
        f"{mine['chance_accuracy']:.3f}); the national baseline {theirs['accuracy']:.3f}.",
        highlight=False, soft_wrap=True)
    table = Table(title="The force model alone (flagged = score >= 0.5) and the baseline")
    for column in ("set", "system", "n", "precision", "recall", "f1", "false alarms"):
        table.add_column(column)
    rows = [("held back", system, values) for system, values in metrics["held_back"].items()]
    rows += [(name, "force model", values) for name, values in metrics.items()
             if name != "held_back"]
    for name, system, values in rows:
        alarms = values.get("false alarms", values.get("flagged_rate"))
        cells = [values.get(k) for k in ("precision", "recall", "f1")] + [alarms]
        table.add_row(name, system, str(int(values["n"])),
                      *("-" if v is None else f"{v:.3f}" for v in cells))
    console.print(table)
    benign = metrics["benign_police.txt"]["flagged_rate"]
    if benign > 0.05:
        console.print(f"[yellow]warning:[/] the model flags {benign:.0%} of the benign police "
                      "messages; more decisions are needed before it is used.", highlight=False)
    console.print(f"Force policy written to {policy} (not the baseline: use it with "
                  f"--policy; compare with `conductlens models evaluate --policy {policy}`).",
                  highlight=False, soft_wrap=True)


def evaluate(
    datasets: DatasetsOption = None,
    policy_path: PolicyOption = None,
    markdown: Annotated[
        Path | None,
        typer.Option(
            "--markdown",
            help="Also write the results as Markdown to this file.",
            show_default=False,
        ),
    ] = None,
    cross: Annotated[bool, typer.Option(help="Run the cross-dataset retraining too.")] = True,
    register_split: Annotated[
        RegisterSplit,
        typer.Option(
            "--register-split",
            help="The police-register split to measure (choose thresholds on validation).",
        ),
    ] = RegisterSplit.test,
    public: Annotated[
        bool,
        typer.Option(help="Run the public datasets (TweetEval, Davidson, HateCheck, ETHOS)."),
    ] = True,
) -> None:
    """Precision, recall and F1 on each held-out test set, cross-dataset, benign FP rate."""
    from conductlens.detect.evaluate import render_markdown, render_rich, run_evaluation
    from conductlens.detect.policy import load_policy

    console = Console()
    report = run_evaluation(
        load_policy(policy_path),
        datasets or default_dir(),
        cross and public,
        console,
        register=register_split.value,
        public=public,
    )
    render_rich(report, console)
    if markdown is not None:
        markdown.write_text(render_markdown(report), encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add ``check`` and the ``models`` group (``train``, ``evaluate``) to ``app``."""
    app.command("check")(check)
    models = typer.Typer(help="Train and evaluate the detection classifiers.", no_args_is_help=True)
    models.command("train")(train)
    models.command("evaluate")(evaluate)
    app.add_typer(models, name="models")
