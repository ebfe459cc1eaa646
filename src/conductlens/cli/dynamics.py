"""Group dynamics commands: ``responses`` (who endorsed, challenged, stayed silent, left)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import (
    DbOption,
    fail,
    open_existing_store,
    record_audit,
    require_case,
    user_errors,
)
from conductlens.dynamics import Dynamics, Window, as_record, flagged_messages, store_texts
from conductlens.dynamics.analysis import in_case

console = Console()


def register(app: typer.Typer) -> None:
    """Add the group dynamics commands to ``app``."""
    app.command("responses")(responses)


def responses(
    db: DbOption = None,
    case: Annotated[str | None, typer.Option(help="Only this case's exhibits.")] = None,
    message: Annotated[list[int] | None, typer.Option(
        "--message", help="A message id (as in export-messages); repeat for more. "
        "Default: every message with a medium or high finding.")] = None,
    window_messages: Annotated[int, typer.Option(
        "--window-messages", min=1, help="The window ends after this many messages...")] = 30,
    window_minutes: Annotated[int, typer.Option(
        "--window-minutes", min=1, help="...or after this many minutes, whichever is first.")
    ] = 120,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    reason: Annotated[str, typer.Option(
        "--reason", help="Why you are doing this; recorded in the audit log with your name.")
    ] = "evidence custodian responses by command line",
) -> None:
    """Who was present for a message, and who endorsed, challenged, stayed silent or left;
    audited like export-messages (a custodian tool over whole exhibits)."""
    store = open_existing_store(db)
    require_case(store, case)
    window = Window(window_messages, window_minutes)
    with user_errors(), store.engine.connect() as conn:
        flagged = set(flagged_messages(conn, case))
        ids = list(message) if message else sorted(flagged)
        if case and message and (outside := in_case(conn, case, ids)):
            raise fail(f"message {outside[0]} is not in case {case!r}")
        found = Dynamics(conn, store_texts(conn)).responses(ids, window, flagged)
        records = [as_record(conn, g, r) for g, r in found]
    record_audit(store, "cli.responses", reason,
                 {"case": case, "messages": len(records), "window_messages": window_messages,
                  "window_minutes": window_minutes}, {"message": list(ids)})
    if as_json:
        for rec in records:
            print(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        return
    _table(records)


def _table(records: list[dict[str, Any]]) -> None:
    table = Table(title=f"Responses to {len(records)} message(s)")
    for col in ("Message", "When", "Sender", "Present", "Endorsed", "Challenged", "Silent",
                "Left"):
        table.add_column(col, overflow="fold")
    for rec in records:
        table.add_row(str(rec["message_id"]), rec["timestamp"] or "", rec["sender"] or "",
                      str(len(rec["present"])), ", ".join(rec["endorsed"]),
                      ", ".join(rec["challenged"]), str(len(rec["silent"])),
                      ", ".join(rec["left"]))
    console.print(table)
