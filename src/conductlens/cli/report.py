"""``conductlens key-facts``, ``bundle``, ``export-rsmf``: the report commands."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import DbOption, open_store, user_errors

console = Console(soft_wrap=True, highlight=False)
YearOption = Annotated[str | None, typer.Option(
    "--year", help="Financial year, e.g. 2025-26 (default: the current one).")]


def key_facts_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the key facts as JSON.")] = False,
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Cases finalised, proceedings, findings, actions, Standards, time to finalise and hours
    for one financial year, from the outcomes recorded (counts only)."""
    if ctx.invoked_subcommand is not None:
        return
    from conductlens.report.key_facts import key_facts

    with user_errors():
        store = open_store(db)
        with store.engine.connect() as conn:
            facts = key_facts(conn, year)
    if as_json:
        sys.stdout.write(json.dumps(facts, indent=2) + "\n")
        return
    _print_facts(facts)


def _print_facts(facts: dict[str, object]) -> None:
    from conductlens.report.terms import label

    console.print(f"Key facts {facts['year']}: {facts['cases_finalised']} cases finalised")
    for key in ("findings", "actions", "standards", "median_days_to_finalise", "hours"):
        table = Table(title=key.replace("_", " ").capitalize(), title_justify="left")
        table.add_column("")
        table.add_column("n", justify="right")
        for name, n in dict(facts[key]).items():  # type: ignore[call-overload]
            table.add_row(label(name), str(n))
        console.print(table)


def register(app: typer.Typer) -> None:
    facts = typer.Typer(help="Key facts: counts in the Home Office statistics' shape.",
                        invoke_without_command=True)
    facts.callback()(key_facts_command)
    app.add_typer(facts, name="key-facts")
