"""``conductlens images scan`` (the background image pass) and ``conductlens hashes ...``
(the force's hash lists: import, export, list)."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import DbOption, open_store, record_audit, require_case, user_errors
from conductlens.images import hashlists, threatexchange
from conductlens.images.imagepass import (
    ImagePassSummary,
    Step,
    all_pictures,
    match_and_seal,
    run_image_pass,
)
from conductlens.images.sealing import SPECIALIST_TEAM
from conductlens.images.videopass import all_videos
from conductlens.store import current_user

console = Console()


class HashFormat(StrEnum):
    """A hash-list file format (docs/images.md)."""

    csv = "csv"
    te_file = "te-file"
    te_csv = "te-csv"


FormatOption = Annotated[HashFormat, typer.Option(
    "--format", help="csv (this tool's), te-file (ThreatExchange local_file signals: "
    "'pdq <hex>' a line) or te-csv (threatexchange dataset --csv).")]
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
    """Hash every stored picture (PDQ) and video (vPDQ), match the hash lists, seal, read
    text, classify."""
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
        f"{summary.missing} not kept), {summary.videos} video(s) ({summary.videos_unreadable} "
        f"unreadable); {summary.matches} hash-list match(es), "
        f"{summary.sealed} sealed, {summary.findings} new finding(s)."
        + "".join(f" {k}: {v}." for k, v in summary.extra.items()), highlight=False)


def _as_dict(summary: ImagePassSummary) -> dict[str, object]:
    return {"hashed": summary.hashed, "unreadable": summary.unreadable,
            "missing": summary.missing, "matches": summary.matches, "sealed": summary.sealed,
            "findings": summary.findings, "videos": summary.videos,
            "videos_unreadable": summary.videos_unreadable, **summary.extra}


def _read(file: Path, fmt: HashFormat, category: str | None) -> threatexchange.TeRead:
    if fmt is HashFormat.csv:
        return threatexchange.TeRead(hashlists.read_csv(file, category))
    reader = threatexchange.read_te_file if fmt is HashFormat.te_file else (
        threatexchange.read_te_csv)
    return reader(file, category)


def import_hashes(
    file: Annotated[Path, typer.Argument(
        help="CSV with header hash_type,hash[,category,source], or a ThreatExchange file "
        "(--format).")],
    list_name: Annotated[str, typer.Option("--list", help="The list to add to (made if new).")],
    category: Annotated[str | None, typer.Option(
        help="Category for rows without one (child-abuse seals what matches).")] = None,
    fmt: FormatOption = HashFormat.csv,
    team: TeamOption = SPECIALIST_TEAM,
    db: DbOption = None,
    reason: Annotated[str, typer.Option(help="Why; recorded in the audit log.")
                      ] = "hash list import by command line",
) -> None:
    """Import a hash list, then match every picture and video already hashed against all
    lists."""
    store = open_store(db)
    user = f"cli:{current_user()}"
    with user_errors():
        read = _read(file, fmt, category.strip().lower() if category else None)
        summary = ImagePassSummary()
        with store.engine.begin() as conn:
            result = hashlists.import_entries(conn, list_name, read.entries, user)
            match_and_seal(conn, all_pictures(conn, None), user, team, summary,
                           all_videos(conn, None))
    record_audit(store, "hashes.import", reason, {
        "list": result.list_name, "file": str(file), "format": fmt.value,
        "added": result.added, "skipped": dict(read.skipped), "matches": summary.matches,
        "sealed": summary.sealed})
    skipped = "".join(f", skipped {n} ({why})" for why, n in sorted(read.skipped.items()))
    console.print(f"List {result.list_name!r}: read {result.read}, added {result.added}, "
                  f"already held {result.already_held}{skipped}; {summary.matches} match(es) "
                  f"among stored pictures and videos, {summary.sealed} sealed.",
                  highlight=False)


def export_hashes(
    list_name: Annotated[str | None, typer.Option("--list", help="One list (default: all).")
                         ] = None,
    output: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
    fmt: FormatOption = HashFormat.csv,
    db: DbOption = None,
    reason: Annotated[str, typer.Option(help="Why; recorded in the audit log.")
                      ] = "hash list export by command line",
) -> None:
    """Write a hash list as CSV (hash_type,hash,category,source,list,added_by,added_at) or in
    a ThreatExchange format (PDQ hashes only: it has no type for a picture's exact hash)."""
    store = open_store(db)
    left_out: dict[str, int] = {}
    with user_errors(), store.engine.connect() as conn:
        if fmt is HashFormat.csv:
            buffer = io.StringIO()
            rows = list(hashlists.export_rows(conn, list_name))
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            text, written = buffer.getvalue(), len(rows) - 1
        else:
            done = threatexchange.export_te(conn, list_name, fmt.value)
            text, written, left_out = done.text, done.written, dict(done.left_out)
    record_audit(store, "hashes.export", reason, {"list": list_name, "format": fmt.value,
                                                  "rows": written, "left_out": left_out})
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="")
    if left_out:
        Console(stderr=True).print(
            "Left out (ThreatExchange has no signal type for a picture's exact hash): "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(left_out.items())), highlight=False)


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
