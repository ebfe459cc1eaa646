"""``conductlens audit verify|checkpoint|export``: the tamper-evident audit log."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conductlens.cli._common import DbOption, fail, open_existing_store, user_errors
from conductlens.store import Store

console = Console(soft_wrap=True, highlight=False)
COLUMNS = ["id", "ts", "username", "action", "case_id", "object_ids", "justification",
           "detail", "prev_hash", "hash"]
KeyOption = Annotated[Path | None, typer.Option(
    "--key", help="The Ed25519 signing key file (default: $CONDUCTLENS_AUDIT_KEY or "
                  "~/.config/conductlens/audit-signing-key.pem); never inside the store's "
                  "folder or the exhibits folder.", show_default=False)]


def _key_path(store: Store, key: Path | None) -> Path:
    from conductlens.review.checkpoints import default_key_path, refuse_key_inside
    from conductlens.settings import Settings

    path = key or Path(Settings().audit_key or default_key_path())
    beside = [Path(str(store.engine.url.database)).parent] if store.dialect == "sqlite" else []
    refuse_key_inside(path, [store.exhibit_dir], beside)
    return path


def verify(
    db: DbOption = None,
    checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", help="A checkpoint file from `audit checkpoint`: also prove the log "
                             "still holds every record it covers.")] = None,
    key: Annotated[Path | None, typer.Option(
        "--key", help="With --checkpoint: the public key written beside the checkpoint "
                      "(checkpoint.json.pub.pem), or the signing key (default: "
                      "$CONDUCTLENS_AUDIT_KEY or ~/.config/conductlens/audit-signing-key.pem).",
        show_default=False)] = None,
) -> None:
    """Check the audit log's hash chain (and a checkpoint); exit 1 naming the first break."""
    from conductlens.review import audit, checkpoints

    with user_errors():
        store = open_existing_store(db)
        with store.engine.connect() as conn:
            if checkpoint is None:
                result = audit.verify_chain(conn)
            else:
                saved = checkpoints.read(checkpoint)
                # A public key proves nothing to whoever holds the store, so it may sit
                # anywhere; the signing key must stay apart from the store.
                public = checkpoints.verifying_key(
                    key if key is not None and checkpoints.is_public(key)
                    else _key_path(store, key))
                result = checkpoints.check(conn, saved, public)
    if not result.ok:
        where = f" at record {result.first_bad_id}" if result.first_bad_id else ""
        raise fail(f"audit log broken{where}: {result.reason}")
    covered = f"; it holds all {saved.last_id} records of the checkpoint of " \
              f"{saved.created_at}" if checkpoint is not None else ""
    console.print(f"Audit chain verified: {result.records} records, unbroken{covered}.")


def checkpoint(
    output: Annotated[Path, typer.Option("--output", help="Where to write the checkpoint "
                                                          "(keep it away from the store).")],
    db: DbOption = None,
    key: KeyOption = None,
) -> None:
    """Write a signed checkpoint of the audit chain head (the key is created on first use)."""
    from conductlens.review import audit, checkpoints
    from conductlens.store import current_user

    with user_errors():
        store = open_existing_store(db)
        with store.engine.connect() as conn:
            audit.require_tables(conn)
        signer = checkpoints.load_key(_key_path(store, key), create=True)
        with store.engine.begin() as conn:
            # The checkpoint covers its own record: taking one is part of the trail.
            audit.append(conn, audit.AuditEvent(f"cli:{current_user()}", "audit.checkpoint",
                                                detail={"output": str(output)}))
        with store.engine.connect() as conn:
            made = checkpoints.make(conn, signer)
        checkpoints.write(output, made)
        public = output.with_name(output.name + ".pub.pem")
        checkpoints.write_public(public, signer)
    console.print(f"Checkpoint of record {made.last_id} ({made.last_hash[:12]}…) "
                  f"written to {output}; its public key, to verify it with, to {public}.")


def export(
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "csv",
    case_id: Annotated[int | None, typer.Option(
        "--case-id", help="Only this case's records (its number, as in the web address).")
    ] = None,
    username: Annotated[str, typer.Option(
        "--user", help="Only this user's records (a web account, or cli:NAME for the "
        "command line).")] = "",
) -> None:
    """Write the audit log (optionally filtered) to stdout; CSV cells are formula-guarded."""
    from conductlens.review import audit
    from conductlens.review._csv import csv_row

    if fmt not in ("csv", "jsonl"):
        raise fail("--format must be csv or jsonl")
    with user_errors():
        store = open_existing_store(db)
        with store.engine.connect() as conn:
            audit.require_tables(conn)
            rows = audit.export_rows(conn, case_id=case_id, username=username)
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, sort_keys=True) + "\n")
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(csv_row(row, COLUMNS) for row in rows)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    group.command("verify")(verify)
    group.command("checkpoint")(checkpoint)
    group.command("export")(export)
    app.add_typer(group, name="audit")
