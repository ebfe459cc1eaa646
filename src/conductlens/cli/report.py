"""``conductlens key-facts`` (and export, import, national), ``bundle`` (and verify),
``export-rsmf``: the report commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import (
    AsOption,
    DbOption,
    err_console,
    fail,
    open_existing_store,
    open_store,
    record_audit,
    user_errors,
)
from conductlens.cli._common import account as _reader
from conductlens.cli._common import case_id as _case_id

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
    from conductlens.report.key_facts import key_facts, years_held

    with user_errors():
        store = open_existing_store(db)
        with store.engine.connect() as conn:
            facts = key_facts(conn, year)
            held = years_held(conn)
    if as_json:
        sys.stdout.write(json.dumps(facts, indent=2) + "\n")
        return
    _print_facts(facts, held)


_HOURS = {"total": "Total", "per_case_median": "Median per case"}


def _print_facts(facts: dict[str, object], held: list[str]) -> None:
    from conductlens.report.terms import label

    console.print(f"Key facts {facts['year']}: {facts['cases_finalised']} cases finalised")
    if not facts["cases_finalised"]:
        others = [y for y in held if y != facts["year"]]
        console.print("No outcome was finalised in that year" + (
            f"; years with outcomes: {', '.join(others)} (--year)." if others else "."))
        return
    for case_type, counts in dict(facts["proceedings"]).items():  # type: ignore[call-overload]
        _print_counts(f"Proceedings: {label(case_type)}", counts)
    for key in ("findings", "actions", "standards", "median_days_to_finalise", "hours"):
        title = key.replace("_", " ").capitalize()
        counts = {_HOURS.get(k, k): v for k, v in dict(facts[key]).items()}  # type: ignore[call-overload]
        _print_counts(title, counts)


def _print_counts(title: str, counts: dict[str, object]) -> None:
    from conductlens.report.terms import label

    if not counts:
        console.print(f"{title}: none")
        return
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("n", justify="right")
    for name, n in counts.items():
        table.add_row(label(name), str(n))
    console.print(table)


def key_facts_export(
    force: Annotated[str, typer.Option("--force", help="This force's name, as the national "
                                                        "instance knows it.")],
    key: Annotated[Path, typer.Option("--key", help="The force's Ed25519 signing key (PEM); "
                                                    "created, mode 0600, if missing.")],
    output: Annotated[Path, typer.Option("--output", help="The aggregate file to write.")],
    year: YearOption = None,
    db: DbOption = None,
) -> None:
    """Write this force's anonymised aggregate for a year: counts only, small cells
    suppressed (primary and secondary), schema-validated, signed with the force's key."""
    from datetime import date

    from conductlens.report.key_facts import financial_year, year_bounds
    from conductlens.report.national import export_aggregate
    from conductlens.review.checkpoints import load_key

    with user_errors():
        chosen = year or financial_year(date.today())
        year_bounds(chosen)
        signing = load_key(key, create=True)
        store = open_store(db)
        with store.engine.connect() as conn:
            doc = export_aggregate(conn, force, chosen, signing)
        output.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        record_audit(store, "national.export", "national statistics",
                     {"force": force, "year": chosen, "file": output.name})
    console.print(f"Aggregate {chosen} for {force} written to {output}; public key "
                  f"{doc['public_key']}")


def key_facts_import(
    files: Annotated[list[Path], typer.Argument(help="Aggregate files from forces.")],
    trusted: Annotated[Path, typer.Option("--trusted", help='JSON {"forces": {name: public '
                                                            'key hex}} of the forces trusted.')],
    db: DbOption = None,
) -> None:
    """Import forces' aggregates; each tampered, unknown, unsupported or repeated file is
    refused by name (exit 1 if any was)."""
    from conductlens.report.national import AggregateRefused, import_aggregate, load_trusted
    from conductlens.store import current_user

    refused = 0
    with user_errors():
        keys = load_trusted(trusted)
        store = open_store(db)
        for path in files:
            try:
                with store.engine.begin() as conn:
                    done = import_aggregate(conn, path, keys, f"cli:{current_user()}")
                console.print(f"imported {done.file_name}: {done.force} {done.year}")
            except (AggregateRefused, OSError) as exc:
                refused += 1
                err_console.print(f"[bold red]refused:[/] {exc}", highlight=False)
    if refused:
        raise typer.Exit(1)


def key_facts_national(year: YearOption = None, db: DbOption = None) -> None:
    """The country and each force side by side, from the aggregates imported."""
    from datetime import date

    from conductlens.report.key_facts import financial_year
    from conductlens.report.national_view import national_view

    with user_errors():
        store = open_store(db)
        with store.engine.connect() as conn:
            view = national_view(conn, year or financial_year(date.today()))
    table = Table(title=f"National picture {view.year}", title_justify="left")
    for heading in ("Force", *view.headings):
        table.add_column(heading)
    for force, figures in view.forces:
        table.add_row(force, *(str(f) for f in figures))
    table.add_row("England and Wales", *(str(f) for f in view.country))
    console.print(table)


def bundle_command(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option("--case", help="Case reference.")] = None,
    recipient: Annotated[str | None, typer.Option(
        "--recipient", help="Who receives the bundle (recorded as a disclosure); people are "
                            "named as approved for this recipient.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Empty folder to write.")] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Write the evidential bundle (bundle.pdf, bundle.html, manifest.json) for a meeting or
    hearing, read through the review door; subjects and the names a supervisor approved for
    the recipient by name, everyone else as a pseudonym; recorded as a disclosure."""
    if ctx.invoked_subcommand is not None:
        return
    if not case or not recipient or not output:
        raise fail("bundle needs --case, --recipient and --output (or: bundle verify DIR)")
    from conductlens.report.bundle import write_bundle

    with user_errors():
        store = open_store(db)
        result = write_bundle(store.engine, _reader(store, as_user),
                              _case_id(store, case), recipient, output)
    console.print(f"Bundle {result.reference}: {result.relied_on} findings relied on, "
                  f"{result.schedule_items} schedule items, written to {result.folder}")
    console.print("Shown by name as approved for this recipient: "
                  + (", ".join(result.names_approved) if result.names_approved
                     else "none (everyone who is not a subject is a pseudonym)"))


def bundle_verify(folder: Annotated[Path, typer.Argument(help="A bundle folder.")]) -> None:
    """Check every file of a bundle against its manifest; exit 1 naming each change."""
    from conductlens.report.bundle import verify_bundle

    problems = verify_bundle(folder)
    for problem in problems:
        err_console.print(f"[bold red]error:[/] {problem}", highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print(f"Bundle {folder} verified: every file matches its manifest.")


def export_rsmf(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    output: Annotated[Path, typer.Option("--output", help="The .rsmf file to write.")],
    recipient: Annotated[str, typer.Option(
        "--recipient", help="Who receives the export (recorded as a disclosure); people are "
                            "named as approved for this recipient.")
    ] = "e-discovery review platform",
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Export the case's in-scope conversations as RSMF 2.0 (RFC 5322 with rsmf.zip),
    pseudonyms applied as approved for the recipient, validated against Relativity's schema;
    recorded as a disclosure."""
    from conductlens.report.rsmf import write_rsmf

    with user_errors():
        store = open_store(db)
        events = write_rsmf(store.engine, _reader(store, as_user), _case_id(store, case),
                            output, recipient)
    console.print(f"RSMF 2.0.0 written to {output}: {events} events.")


def register(app: typer.Typer) -> None:
    facts = typer.Typer(help="Key facts: counts in the Home Office statistics' shape.",
                        invoke_without_command=True)
    facts.callback()(key_facts_command)
    facts.command("export")(key_facts_export)
    facts.command("import")(key_facts_import)
    facts.command("national")(key_facts_national)
    app.add_typer(facts, name="key-facts")
    bundle = typer.Typer(help="The evidential bundle for a misconduct meeting or hearing.",
                         invoke_without_command=True)
    bundle.callback()(bundle_command)
    bundle.command("verify")(bundle_verify)
    app.add_typer(bundle, name="bundle")
    app.command("export-rsmf")(export_rsmf)
