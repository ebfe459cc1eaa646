"""Options and error handling shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from conductlens.errors import ConductLensError
from conductlens.settings import Settings
from conductlens.store import Store

if TYPE_CHECKING:
    from conductlens.review.accounts import User

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL or SQLite file path (default: $CONDUCTLENS_DB or conductlens.db).",
        show_default=False,
    ),
]

AsOption = Annotated[str | None, typer.Option(
    "--as", help="The account acting on the case (default: $CONDUCTLENS_USER or the OS user); "
                 "it must be on the case team.")]

err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error (never a traceback) and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn ConductLensError into a one-line message and exit code 1."""
    try:
        yield
    except ConductLensError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def _driver_reason(exc: Exception) -> str:
    """The driver's own words, on one line: SQLAlchemy wraps them with its class name and a
    second line pointing at its web site, which tells a custodian nothing."""
    orig = getattr(exc, "orig", None)
    reason = " ".join(str(orig if orig is not None else exc).split())
    if "unable to open database file" in reason:
        reason += " (does its folder exist, and may you write there?)"
    return reason or exc.__class__.__name__


def open_store(db: str | None) -> Store:
    """The store named by --db, else $CONDUCTLENS_DB, else ./conductlens.db."""
    settings = Settings()
    try:
        return Store.open(db or settings.db, settings.exhibit_dir)
    except Exception as exc:  # noqa: BLE001 - any driver error is reported in one line
        raise fail(f"cannot open store {db or settings.db}: {_driver_reason(exc)}") from None
    finally:
        sys.stdout.flush()


def open_existing_store(db: str | None) -> Store:
    """Like ``open_store`` but never creates one: a SQLite path that does not exist (a typo)
    is a one-line error instead of a new, empty store."""
    from sqlalchemy.engine import make_url

    from conductlens.store import to_url

    name = db or Settings().db
    url = make_url(to_url(name))
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise fail(f"no store at {name} (nothing was created)")
    return open_store(db)


def record_audit(
    store: Store,
    action: str,
    reason: str,
    detail: dict[str, object],
    object_ids: dict[str, list[int | str]] | None = None,
) -> None:
    """Write one audit record for a command-line action, as the OS user (DPA 2018 s62)."""
    from conductlens.review.audit import AuditEvent, append
    from conductlens.store import current_user

    with store.engine.begin() as conn:
        append(
            conn,
            AuditEvent(
                username=f"cli:{current_user()}",
                action=action,
                justification=reason,
                detail=detail,
                object_ids=object_ids,
            ),
        )


def require_case(store: Store, case: str | None) -> None:
    """Refuse an unknown ``--case`` the same way in every command (one line, exit 1), so a
    typo never reads as "nothing found"."""
    if case is not None:
        case_id(store, case)


def case_id(store: Store, reference: str) -> int:
    """The id of the case ``reference``; unknown, the one line ``require_case`` gives."""
    from sqlalchemy import select

    from conductlens.store import tables as t

    with store.engine.connect() as conn:
        found = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference))
    if found is None:
        raise fail(f"no case with reference {reference!r}")
    return int(found)


def account(store: Store, username: str | None) -> User:
    """The account named by ``--as`` (default: $CONDUCTLENS_USER or the OS user), unchecked:
    for reads, where the door's role and team checks decide what it may see."""
    from conductlens.review.accounts import list_users
    from conductlens.store import current_user

    name = username or current_user()
    found = [u for u in list_users(store.engine) if u.username == name]
    if not found:
        raise fail(f"--as: no account {name!r} (a case is read as a case-team account)")
    return found[0]


def signed_in(store: Store, username: str | None) -> User:
    """The ``--as`` account once its own password (read from the terminal, or one line of
    stdin) is accepted, as at the web sign-in: throttled and audited (``login`` with the
    address ``cli:<OS user>``). Writes that a second person must check (an approval) are
    made this way, so one person at a terminal cannot act as both."""
    import getpass

    from conductlens.review.accounts import authenticate
    from conductlens.store import current_user

    name = username or current_user()
    prompt = f"Password for {name}: "
    password = (getpass.getpass(prompt) if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n"))
    return authenticate(store.engine, name, password, address=f"cli:{current_user()}")
