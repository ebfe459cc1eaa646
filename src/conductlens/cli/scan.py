"""``conductlens scan``: run the policy over stored messages and keep the findings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conductlens.cli._common import DbOption, err_console, open_store, record_audit, user_errors
from conductlens.detect.run import ScanSummary, scan_store

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``scan`` to ``app``."""
    app.command("scan")(scan)


def scan(
    case: Annotated[str | None, typer.Option(help="Only this case's exhibits.")] = None,
    policy: Annotated[
        Path | None, typer.Option(help="A force policy YAML (default: the national baseline).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes to use; 0 means one per CPU core.")] = 1,
    db: DbOption = None,
    reason: Annotated[
        str, typer.Option(help="Why; recorded in the audit log.")
    ] = "policy run by command line",
) -> None:
    """Run the policy over messages not yet scanned with its version; store the findings."""
    store = open_store(db)
    n_workers = workers if workers > 0 else (os.cpu_count() or 1)
    with (
        user_errors(),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress,
    ):
        # The first batch waits for the policy and the conduct model to load (seconds).
        task = progress.add_task("Loading the policy and its models", total=None)
        summary = scan_store(
            store,
            policy_path=policy,
            case=case,
            workers=n_workers,
            progress=lambda done, total: progress.update(
                task, completed=done, total=total, description="Scanning"
            ),
        )
    record_audit(
        store,
        "policy.run",
        reason,
        {
            "case": case,
            "policy": summary.policy_version,
            "messages": summary.messages_scanned,
            "findings": summary.findings,
        },
    )
    _print(summary)


def _print(summary: ScanSummary) -> None:
    console.print(
        f"Policy {summary.policy_version}: scanned {summary.messages_scanned:,} new message(s), "
        f"stored {summary.findings:,} finding(s).",
        highlight=False,
    )
    if not summary.findings:
        return
    table = Table(title="Findings by category")
    for col in ("Category", "Findings"):
        table.add_column(col)
    for category, n in summary.by_category.most_common():
        table.add_row(category, str(n))
    console.print(table)
    sev = summary.by_severity
    console.print(f"high {sev['high']}, medium {sev['medium']}, low {sev['low']}")
