"""Evidence commands: ingest, exhibits, search, export-messages."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from conductlens.cli._common import (
    DbOption,
    err_console,
    fail,
    open_existing_store,
    open_store,
    record_audit,
    require_case,
    user_errors,
)
from conductlens.errors import ConductLensError
from conductlens.ingest.pipeline import IngestSummary, ingest_path, parse_zone
from conductlens.ingest.registry import all_parsers
from conductlens.review.custodian import CustodianSession
from conductlens.settings import Settings
from conductlens.store import reads

console = Console()

ReasonOption = Annotated[
    str,
    typer.Option(
        "--reason", help="Why you are doing this; recorded in the audit log with your name."
    ),
]


def register(app: typer.Typer) -> None:
    """Add the evidence commands to ``app``."""
    app.command("ingest")(ingest)
    app.command("exhibits")(exhibits)
    app.command("formats")(formats)
    app.command("search")(search)
    app.command("export-messages")(export_messages)


# Below this many columns the exhibits table would cut its references and hashes.
WIDE_TABLE = 150


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[records]:>10,} records"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _ingest_one(progress: Progress, path: Path, options: dict[str, Any],
                overall: TaskID, before: int) -> IngestSummary:
    """Ingest one path; its own line counts its records, the overall line all so far."""
    task = progress.add_task(f"Ingesting {path.name}", total=None, records=0)

    def counted(n: int) -> None:
        progress.update(task, records=n)
        progress.update(overall, records=before + n)

    try:
        return ingest_path(path=path, progress=counted, **options)
    finally:
        progress.remove_task(task)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files, zips or folders.")],
    case: Annotated[str | None, typer.Option(
        help="Case reference to file them under; a case this creates belongs to you (only "
             "your web account of the same name may open it).")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Override detection (see `formats`).")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Zone the exports' local times are in, e.g. Europe/London.")
    ] = None,
    locale: Annotated[
        str | None, typer.Option(help="Locale for ambiguous dates (default en-GB).")
    ] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    reason: ReasonOption = "exhibit collected by command line",
) -> None:
    """Bring exhibits into the evidence store: hashed, kept, parsed and indexed."""
    with user_errors():
        parse_zone(timezone)
    store = open_store(db)
    custodian = CustodianSession(store, reason)
    new_case = custodian.case_is_new(case)
    options = {"store": store, "case": case, "fmt": fmt, "timezone": timezone, "locale": locale,
               "limits": Settings().limits()}
    done: list[IngestSummary] = []
    errors: list[dict[str, str]] = []
    with _progress() as progress:
        overall = progress.add_task(f"Exhibit 1 of {len(paths)}", total=len(paths), records=0)
        for k, path in enumerate(paths, start=1):
            progress.update(overall, description=f"Exhibit {k} of {len(paths)}")
            try:
                done.append(_ingest_one(progress, path, options, overall,
                                        sum(s.messages for s in done)))
            except ConductLensError as exc:
                errors.append({"path": str(path), "error": str(exc)})
                err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            progress.advance(overall)
    if case and new_case and done:
        custodian.record_case_origin(case)
    for s in done:
        if s.attached:
            record_audit(store, "exhibit.attach", reason, {"case": case, "sha256": s.sha256},
                         {"exhibit": [s.reference]})
        elif not s.duplicate:
            record_audit(
                store,
                "exhibit.add",
                reason,
                {"case": case, "format": s.format, "sha256": s.sha256, "messages": s.messages},
                {"exhibit": [s.reference]},
            )
    if as_json:
        out: dict[str, Any] = {"exhibits": [s.as_json() for s in done]}
        if errors:
            out["errors"] = errors
        print(json.dumps(out, ensure_ascii=False))
    else:
        _print_summaries(done)
    if errors:
        raise typer.Exit(1)


def _print_summaries(done: list[IngestSummary]) -> None:
    for s in done:
        held = " [dim](already held; not added again)[/]" if s.duplicate else ""
        console.print(f"[bold]{s.reference}[/] {Path(s.path).name}{held}", highlight=False)
        console.print(
            f"  {s.format}: {s.messages:,} messages in {s.conversations} conversation(s), "
            f"{s.participants} participants, {s.membership_events} membership events, "
            f"{s.reactions} reactions, {s.unparsed} unparsed",
            highlight=False,
        )
        console.print(f"  SHA-256 {s.sha256}", highlight=False)
        for warning in s.warnings:
            console.print(f"  [yellow]warning:[/] {warning}", highlight=False)


def exhibits(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per exhibit.")]
    = False,
) -> None:
    """List the exhibits in the store with their hashes, counts, cases and shared chats."""
    store = open_existing_store(db)
    with store.engine.connect() as conn:
        rows = reads.list_exhibits(conn)
    if as_json:
        for row in rows:
            print(json.dumps(_exhibit_json(row), ensure_ascii=False))
        return
    fields = {"Ref": "reference", "Case": "case", "Original name": "original_name",
              "Format": "format", "Messages": "messages", "Added by": "added_by",
              "Added": "added_at", "SHA-256": "sha256"}
    if console.width < WIDE_TABLE:  # a narrow terminal: one block per exhibit, values whole
        console.print(f"Exhibits ({len(rows)})", highlight=False)
        for row in rows:
            block = Table(show_header=False, box=None, padding=(0, 1, 0, 0))
            block.add_column(no_wrap=True, style="bold")
            block.add_column(overflow="fold")
            for label, key in fields.items():
                block.add_row(label, _exhibit_cell(row, key))
            console.print(block)
            console.print()
        return
    table = Table(title=f"Exhibits ({len(rows)})")
    for col in fields:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(_exhibit_cell(row, key) for key in fields.values()))
    console.print(table)


def _exhibit_cell(row: dict[str, Any], key: str) -> str:
    if key == "messages":
        return f"{row['messages'] or 0:,}"
    if key == "added_at":
        return str(row["added_at"])[:19]
    return str(row[key] or "")


def _exhibit_json(row: dict[str, Any]) -> dict[str, Any]:
    """The ``exhibits --json`` contract: one object per exhibit (keys must stay stable)."""
    return {
        "reference": row["reference"],
        "sha256": row["sha256"],
        "format": row["format"],
        "messages": int(row["messages"] or 0),
        "cases": row["cases"],
        "also_in": row["also_in"],
        "original_name": row["original_name"],
        "size": row["size"],
        "added_by": row["added_by"],
        "added_at": str(row["added_at"]),
    }


def formats(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per format.")] = False,
) -> None:
    """List the chat formats ConductLens reads (names for --format)."""
    if as_json:
        for parser in all_parsers():
            print(json.dumps({"name": parser.name, "description": parser.description},
                             ensure_ascii=False))
        return
    table = Table(title="Formats")
    table.add_column("Name", no_wrap=True)
    table.add_column("What it reads", overflow="fold")
    for parser in all_parsers():
        table.add_row(parser.name, parser.description)
    console.print(table)


def search(
    query: Annotated[str, typer.Argument(help="Words to find (all must appear).")],
    case: Annotated[str | None, typer.Option(help="Only this case's exhibits.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 50,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    reason: ReasonOption = "evidence custodian search by command line",
) -> None:
    """Full-text search over message text (case and letter width ignored); the search terms
    are recorded in the audit log before anything is read."""
    store = open_existing_store(db)
    require_case(store, case)
    with user_errors():
        found = CustodianSession(store, reason).search(query, case, limit)
    if as_json:
        for rec in found:
            print(reads.dumps(rec))
        return
    table = Table(title=f"{len(found)} message(s) matching {query!r}")
    for col in ("When", "Conversation", "Sender", "Text", "Source"):
        table.add_column(col, overflow="fold")
    for rec in found:
        src = rec["source"]
        where = f"{src['exhibit']} {src.get('path', '')}:{src.get('line', src.get('row', ''))}"
        table.add_row(
            rec["timestamp"] or "",
            rec["conversation"],
            rec["sender"] or "(system)",
            rec["text"],
            where,
        )
    console.print(table)


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        yield fh


def export_messages(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    output: Annotated[Path | None, typer.Option(help="File to write (default stdout).")] = None,
    case: Annotated[str | None, typer.Option(help="Only this case's exhibits.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Show times in this zone (when the instant is known).")
    ] = None,
    db: DbOption = None,
    reason: ReasonOption = "evidence custodian export by command line",
    recipient: Annotated[
        str | None, typer.Option(help="Who receives the export (recorded as a disclosure).")
    ] = None,
) -> None:
    """Export messages in source order, one record per message, with provenance; recorded in
    the audit log before the first message is written, so a piped or stopped export keeps its
    record (CSV cells that a spreadsheet would run are guarded)."""
    if fmt not in ("jsonl", "csv"):
        raise fail(f"--format must be jsonl or csv, not {fmt!r}")
    with user_errors():
        zone = parse_zone(timezone)
    store = open_existing_store(db)
    require_case(store, case)
    session = CustodianSession(store, reason)
    with user_errors(), _output(output) as fh, _closed_early():
        count = session.export(fh, fmt, case=case, zone=zone, recipient=recipient,
                               output=str(output) if output else "stdout")
    if output is not None:  # stdout carries the records themselves: nothing else is said
        err_console.print(f"Exported {count:,} message(s) to {output}.", highlight=False)


@contextmanager
def _closed_early() -> Iterator[None]:
    """A reader that stops early (``| head``) ends the export with one line, not a trace;
    the export was recorded before it began."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is quiet
        raise fail("the output was closed before the export finished "
                   "(the export is recorded in the audit log)") from None
