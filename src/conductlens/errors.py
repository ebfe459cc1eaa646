"""Errors a user can act on: each names the file, line or field at fault."""

from __future__ import annotations


class ConductLensError(Exception):
    """Base for every error ConductLens reports to a user (never a traceback)."""


class ParseError(ConductLensError):
    """A whole input could not be read as evidence."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class ScopeError(ConductLensError):
    """A request reached outside what the investigation is authorised to see."""
