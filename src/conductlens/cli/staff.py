"""``conductlens register import|declare|remove|list|match``: the vetting register.

The command-line counterpart of the register page, for whoever holds the store: each change
is audited as ``cli:<OS user>``. Phone numbers without a country code are read in
``$CONDUCTLENS_PHONE_REGION`` (default GB).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conductlens.cli._common import DbOption, err_console, fail, open_existing_store, user_errors
from conductlens.review.identifiers import KINDS
from conductlens.settings import Settings

console = Console(soft_wrap=True, highlight=False)
KIND_HELP = f"One of {', '.join(KINDS)}."
REMOVE_KIND_HELP = f"One of {', '.join(KINDS)}, or username (rows from before 0019)."


def _actor() -> str:
    from conductlens.store import current_user

    return f"cli:{current_user()}"


def import_(path: Annotated[Path, typer.Argument(help="The register CSV (UTF-8).")],
            db: DbOption = None) -> None:
    """Import people and their identifiers from CSV (staff_number, name, force, team, role,
    kind, identifier, declared_on); bad rows are listed by line and field, good rows kept,
    and the exit status is 1 when any row was refused."""
    from conductlens.review.register_csv import import_csv

    with user_errors():
        try:
            data = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read {path}: {exc}") from None
        report = import_csv(open_existing_store(db).engine, data, _actor(),
                            Settings().phone_region)
        for line in report.errors:
            err_console.print(line, highlight=False, soft_wrap=True, markup=False)
        console.print(report.summary() + ".")
        if report.errors:
            raise typer.Exit(1)


def declare(staff_number: Annotated[str, typer.Argument(help="The person's staff number.")],
            kind: Annotated[str, typer.Option("--kind", help=REMOVE_KIND_HELP)],
            value: Annotated[str, typer.Option("--value", help="Number, handle or address.")],
            declared_on: Annotated[str | None, typer.Option(
                "--declared-on", help="When the person declared it (YYYY-MM-DD).")] = None,
            db: DbOption = None) -> None:
    """Record one identifier a person declared."""
    from sqlalchemy import select

    from conductlens.review import register
    from conductlens.store.tables_review import people

    with user_errors():
        try:
            when = date.fromisoformat(declared_on) if declared_on else None
        except ValueError:
            raise fail(f"--declared-on {declared_on!r} is not a date (use YYYY-MM-DD)") from None
        store = open_existing_store(db)
        with store.engine.begin() as conn:
            pid = conn.scalar(select(people.c.id).where(people.c.staff_number == staff_number))
            if pid is None:
                raise fail(f"no person with staff number {staff_number!r} in the register")
            outcome = register.add_identifier(conn, int(pid), kind, value, when, _actor(),
                                              Settings().phone_region)
        console.print(f"{staff_number}: {kind} {outcome}.")


def remove(staff_number: Annotated[str, typer.Argument(help="The person's staff number.")],
           kind: Annotated[str, typer.Option("--kind", help=REMOVE_KIND_HELP)],
           value: Annotated[str, typer.Option(
               "--value", help="Number, handle or address, in any form declare takes.")],
           db: DbOption = None) -> None:
    """Remove one identifier a person declared (no longer theirs, or declared in error);
    participants it already linked stay linked (unlink a wrong one through the case)."""
    from sqlalchemy import select

    from conductlens.review import register
    from conductlens.store.tables_review import people

    with user_errors():
        store = open_existing_store(db)
        with store.engine.begin() as conn:
            pid = conn.scalar(select(people.c.id).where(people.c.staff_number == staff_number))
            if pid is None:
                raise fail(f"no person with staff number {staff_number!r} in the register")
            kept = register.remove_identifier(conn, int(pid), kind, value, _actor(),
                                              Settings().phone_region)
        links = "" if not kept else (f"; the {kept} participant link(s) it made stand "
                                     "(unlink a wrong one through its case)")
        console.print(f"{staff_number}: {kind} removed{links}.", markup=False)


def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
          db: DbOption = None) -> None:
    """List people with their declared identifiers (kind, value, date declared) and how
    many participants are linked to each."""
    from conductlens.review import register

    with user_errors():
        store = open_existing_store(db)
        with store.engine.connect() as conn:
            rows = [(p, register.person_identifiers(conn, p.id),
                     register.link_sources(conn, person_id=p.id))
                    for p in register.list_people(conn)]
    if as_json:
        console.print_json(json.dumps([{
            "staff_number": p.staff_number, "name": p.name, "force": p.force,
            "identifiers": [{"kind": i.kind, "value": i.value, "declared_on":
                             i.declared_on.isoformat() if i.declared_on else None}
                            for i in ids],
            "links": [{"exhibit": s.exhibit, "method": s.method, "how": s.how}
                      for s in links]} for p, ids, links in rows]))
        return
    for p, ids, links in rows:
        console.print(f"{p.staff_number}  {p.name} ({p.force}); {len(links)} linked "
                      "participant(s)", markup=False)
        for i in ids:
            when = i.declared_on.isoformat() if i.declared_on else "date not recorded"
            console.print(f"    {i.kind:<10} {i.value}  ({when})", markup=False)


def match(db: DbOption = None) -> None:
    """Match the unlinked participants of every exhibit to the register again."""
    from conductlens.review import matching

    with user_errors():
        store = open_existing_store(db)
        with store.engine.begin() as conn:
            found = matching.link_everywhere(conn, _actor(), Settings().phone_region)
        console.print(found.summary() + ".")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The vetting register: people and their declared identifiers.",
                        no_args_is_help=True)
    group.command("import")(import_)
    group.command("declare")(declare)
    group.command("remove")(remove)
    group.command("list")(list_)
    group.command("match")(match)
    app.add_typer(group, name="register")
