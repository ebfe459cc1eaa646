"""``conductlens findings``: the stored findings, for the evidence custodian; audited."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import (
    DbOption,
    open_existing_store,
    record_audit,
    require_case,
    user_errors,
)
from conductlens.store.findings import list_findings

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``findings`` to ``app``."""
    app.command("findings")(findings)


def findings(
    db: DbOption = None,
    case: Annotated[str | None, typer.Option(help="Only this case's exhibits.")] = None,
    min_severity: Annotated[
        str, typer.Option("--min-severity", help="low, medium or high: show this and above.")
    ] = "low",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help="Why you are doing this; recorded in the audit log with your name."
        ),
    ] = "evidence custodian findings listing by command line",
) -> None:
    """List stored findings (what `scan` found), one per message and category; audited."""
    store = open_existing_store(db)
    require_case(store, case)
    with user_errors(), store.engine.connect() as conn:
        found = list(list_findings(conn, case=case, min_severity=min_severity))
    # The consultation is logged before anything is shown (DPA 2018 s62): no log, no output.
    record_audit(
        store,
        "cli.findings",
        reason,
        {"case": case, "min_severity": min_severity, "findings": len(found)},
    )
    if as_json:
        for record in found:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    _print_table(found)


def _print_table(found: list[dict[str, Any]]) -> None:
    table = Table(title=f"{len(found)} finding(s)")
    for column in ("finding", "message", "category", "severity", "score", "standards", "policy"):
        table.add_column(column, overflow="fold")
    for f in found:
        table.add_row(
            str(f["finding_id"]),
            str(f["message_id"]),
            f["category"],
            f["severity"],
            f"{f['score']:.2f}",
            "; ".join(f["standards"]),
            f["policy_version"],
        )
    console.print(table)
