"""``conductlens images scan`` (the background image pass) and ``conductlens hashes ...``
(the force's hash lists: import, export, list)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import DbOption, open_store, record_audit, require_case, user_errors
from conductlens.images import hashlists
from conductlens.images.imagepass import (
    ImagePassSummary,
    Step,
    all_pictures,
    match_and_seal,
    run_image_pass,
)
from conductlens.images.sealing import SPECIALIST_TEAM
from conductlens.store import current_user

console = Console()
TeamOption = Annotated[str, typer.Option(
    "--referral-team", help="Who a sealed item is referred to (recorded on the case).")]


def register(app: typer.Typer) -> None:
    """Add the ``images`` and ``hashes`` groups to ``app``."""
    group = typer.Typer(help="Pictures in the evidence.", no_args_is_help=True)
    group.command("scan")(scan)
    app.add_typer(group, name="images")
    hashes = typer.Typer(help="Hash lists the force curates.", no_args_is_help=True)
    hashes.command("import")(import_hashes)
    hashes.command("export")(export_hashes)
    hashes.command("lists")(show_lists)
    app.add_typer(hashes, name="hashes")


def _steps(ocr: bool, sexual: bool) -> list[tuple[str, Step]]:
    steps: list[tuple[str, Step]] = []
    if ocr:
        from conductlens.images.ocr import read_text_step
        steps.append(("ocr", read_text_step))
    if sexual:
        from conductlens.images.sexual import classify_step
        steps.append(("sexual", classify_step))
    return steps


def scan(
    case: Annotated[str | None, typer.Option(help="Only this case's exhibits.")] = None,
    ocr: Annotated[bool, typer.Option(help="Read text in pictures and run the policy on it.")
                   ] = True,
    sexual: Annotated[bool, typer.Option(help="Score pictures for sexual imagery.")] = True,
    team: TeamOption = SPECIALIST_TEAM,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    db: DbOption = None,
    reason: Annotated[str, typer.Option(help="Why; recorded in the audit log.")
                      ] = "image pass by command line",
) -> None:
    """Hash every stored picture (PDQ), match the hash lists, seal, read text, classify."""
    store = open_store(db)
    require_case(store, case)
    with user_errors():
        summary = run_image_pass(store, case=case, user=f"cli:{current_user()}", team=team,
                                 steps=iter(_steps(ocr, sexual)))
    record_audit(store, "images.scan", reason, {"case": case, **_as_dict(summary)})
    if as_json:
        print(json.dumps(_as_dict(summary), sort_keys=True))
        return
    console.print(
        f"Hashed {summary.hashed} picture(s) ({summary.unreadable} unreadable, "
        f"{summary.missing} not kept); {summary.matches} hash-list match(es), "
        f"{summary.sealed} sealed, {summary.findings} new finding(s)."
        + "".join(f" {k}: {v}." for k, v in summary.extra.items()), highlight=False)


def _as_dict(summary: ImagePassSummary) -> dict[str, object]:
    return {"hashed": summary.hashed, "unreadable": summary.unreadable,
            "missing": summary.missing, "matches": summary.matches, "sealed": summary.sealed,
            "findings": summary.findings, **summary.extra}


def import_hashes(
    file: Annotated[Path, typer.Argument(help="CSV with header hash_type,hash[,category,source].")],
    list_name: Annotated[str, typer.Option("--list", help="The list to add to (made if new).")],
    category: Annotated[str | None, typer.Option(
        help="Category for rows without one (child-abuse seals what matches).")] = None,
    team: TeamOption = SPECIALIST_TEAM,
    db: DbOption = None,
    reason: Annotated[str, typer.Option(help="Why; recorded in the audit log.")
                      ] = "hash list import by command line",
) -> None:
    """Import a hash list, then match every picture already hashed against all lists."""
    store = open_store(db)
    user = f"cli:{current_user()}"
    with user_errors():
        entries = hashlists.read_csv(file, category.strip().lower() if category else None)
        summary = ImagePassSummary()
        with store.engine.begin() as conn:
            result = hashlists.import_entries(conn, list_name, entries, user)
            match_and_seal(conn, all_pictures(conn, None), user, team, summary)
    record_audit(store, "hashes.import", reason, {
        "list": result.list_name, "file": str(file), "added": result.added,
        "matches": summary.matches, "sealed": summary.sealed})
    console.print(f"List {result.list_name!r}: read {result.read}, added {result.added}, "
                  f"already held {result.already_held}; {summary.matches} match(es) among "
                  f"stored pictures, {summary.sealed} sealed.", highlight=False)


def export_hashes(
    list_name: Annotated[str | None, typer.Option("--list", help="One list (default: all).")
                         ] = None,
    output: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
    db: DbOption = None,
    reason: Annotated[str, typer.Option(help="Why; recorded in the audit log.")
                      ] = "hash list export by command line",
) -> None:
    """Write a hash list as CSV (hash_type,hash,category,source,list,added_by,added_at)."""
    store = open_store(db)
    with user_errors(), store.engine.connect() as conn:
        rows = list(hashlists.export_rows(conn, list_name))
    record_audit(store, "hashes.export", reason, {"list": list_name, "rows": len(rows) - 1})
    if output is None:
        csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def show_lists(db: DbOption = None) -> None:
    """The hash lists held and how many hashes each has."""
    store = open_store(db)
    with store.engine.connect() as conn:
        names = hashlists.list_names(conn)
    table = Table(title="Hash lists")
    table.add_column("List")
    table.add_column("Hashes", justify="right")
    for name, count in names:
        table.add_row(name, str(count))
    console.print(table)
