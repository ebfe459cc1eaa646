"""``conductlens users add|list|unlock|disable|enable|reset-password|set-role``: accounts.

The custodian's counterpart of the admin page; each change is audited as ``cli:<OS user>``
with the ``--reason`` given. Passwords are read from the terminal (or one line of stdin),
never from the command line, and never printed.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console

from conductlens.cli._common import DbOption, fail, open_existing_store, open_store, user_errors
from conductlens.review.roles import Role

console = Console(soft_wrap=True, highlight=False)
Username = Annotated[str, typer.Argument(help="Login name.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why; recorded in the audit log.")]
ROLES = "investigator, supervisor, auditor, analyst or admin."


def _actor() -> str:
    from conductlens.store import current_user

    return f"cli:{current_user()}"


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise fail(f"unknown role {value!r}") from None


def _password(prompt: str = "Password: ") -> str:
    return getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")


def add(username: Username,
        role: Annotated[str, typer.Option("--role", help=ROLES)],
        name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
        db: DbOption = None) -> None:
    """Add a local account; the password is read from the terminal (or stdin)."""
    from conductlens.review.accounts import add_user

    with user_errors():
        chosen = _role(role)
        password = _password()
        store = open_store(db)
        add_user(store.engine, username, password, chosen, name, actor=_actor())
        console.print(f"Added {username} ({chosen.value}).")


def list_(db: DbOption = None) -> None:
    """List accounts: role, state, who made and confirmed each, failed sign-ins."""
    from conductlens.review.account_admin import list_accounts

    with user_errors():
        for a in list_accounts(open_existing_store(db).engine):
            state = "active" if a.active else "disabled"
            console.print(f"{a.username:<16} {a.role:<13} {state:<9} made by "
                          f"{a.created_by or '-'}; confirmed by {a.confirmed_by or '-'}; "
                          f"{a.failures} failed sign-ins")


def unlock(username: Username, reason: ReasonOption, db: DbOption = None) -> None:
    """Clear the failed sign-ins counted against an account (its back-off ends)."""
    from conductlens.review.account_admin import unlock as do_unlock

    with user_errors():
        cleared = do_unlock(open_existing_store(db).engine, username, _actor(), reason)
        console.print(f"Unlocked {username} ({cleared} counters cleared).")


def disable(username: Username, reason: ReasonOption, db: DbOption = None) -> None:
    """Disable an account and end its sessions."""
    from conductlens.review.account_admin import set_active

    with user_errors():
        set_active(open_existing_store(db).engine, username, False, _actor(), reason)
        console.print(f"Disabled {username}.")


def enable(username: Username, reason: ReasonOption, db: DbOption = None) -> None:
    """Enable a disabled account."""
    from conductlens.review.account_admin import set_active

    with user_errors():
        set_active(open_existing_store(db).engine, username, True, _actor(), reason)
        console.print(f"Enabled {username}.")


def reset_password(username: Username, reason: ReasonOption, db: DbOption = None) -> None:
    """Set a new password (read from the terminal or stdin); ends the account's sessions."""
    from conductlens.review.account_admin import reset_password as do_reset

    with user_errors():
        password = _password("New password: ")
        do_reset(open_existing_store(db).engine, username, password, _actor(), reason)
        console.print(f"New password set for {username}; its sessions ended.")


def set_role(username: Username, role: Annotated[str, typer.Option("--role", help=ROLES)],
             reason: ReasonOption, db: DbOption = None) -> None:
    """Change an account's role; it leaves every case team and its sessions end."""
    from conductlens.review.account_admin import set_role as do_set_role

    with user_errors():
        chosen = _role(role)
        left = do_set_role(open_existing_store(db).engine, username, chosen, _actor(), reason)
        console.print(f"{username} is now a {chosen.value}; left {len(left)} case team(s).")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Local accounts.", no_args_is_help=True)
    group.command("add")(add)
    group.command("list")(list_)
    group.command("unlock")(unlock)
    group.command("disable")(disable)
    group.command("enable")(enable)
    group.command("reset-password")(reset_password)
    group.command("set-role")(set_role)
    app.add_typer(group, name="users")
