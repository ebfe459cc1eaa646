"""Render the command reference (docs/cli.md) from the Typer app itself, so it never drifts."""

from __future__ import annotations

from typing import Any

import typer

HEADER = (
    "# Command reference\n\n"
    "Generated from the CLI by `python -m conductlens.cli.reference > docs/cli.md`; "
    "`tests/test_docs.py` fails when it is out of date.\n"
)


def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    # Duck-typed: Typer may vendor its own copy of click.
    found = [(path, cmd)]
    if hasattr(cmd, "commands"):
        for name in sorted(cmd.commands):
            found.extend(_walk(cmd.commands[name], [*path, name]))
    return found


def _params(cmd: Any) -> list[str]:
    lines = []
    for param in cmd.params:
        if param.param_type_name == "argument":
            helptext = getattr(param, "help", None) or ""
            lines.append(f"- `{param.name.upper()}` (argument): {helptext}".rstrip())
        elif param.param_type_name == "option" and not param.hidden:
            names = ", ".join(f"`{o}`" for o in param.opts + param.secondary_opts)
            lines.append(f"- {names}: {param.help or ''}".rstrip())
    return lines


def render(app: typer.Typer) -> str:
    """Markdown for every command and sub-command of ``app``."""
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, cmd in _walk(root, []):
        # A group is listed when it takes options itself (``key-facts --json``).
        if not path or (hasattr(cmd, "commands") and not _params(cmd)):
            continue
        parts.append(f"\n## `conductlens {' '.join(path)}`\n")
        parts.append(f"\n{(cmd.help or '').strip()}\n")
        params = _params(cmd)
        if params:
            parts.append("\n" + "\n".join(params) + "\n")
    return "".join(parts)


def main() -> None:
    """Print the reference to stdout."""
    from conductlens.cli import app

    print(render(app), end="")


if __name__ == "__main__":
    main()
