"""``conductlens check`` (a message against the policy, nothing stored) and
``conductlens models train|evaluate`` (the trained classifiers)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

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
            help="Where to write the weights (default: the package's).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Train the classifiers reproducibly and write weights plus manifest.json."""
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
