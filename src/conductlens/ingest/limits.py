"""How much one exhibit may hold before it is refused (zip bombs, endless lines, hangs).

The limits come from settings (``CONDUCTLENS_MAX_*``) and are set for the duration of one
ingest with :func:`using`; parsers read them with :func:`active`, so no parser signature has
to carry them. Every refusal is one line naming the file and the setting that stopped it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from conductlens.errors import ParseError

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds for one exhibit; each field is a ``CONDUCTLENS_<FIELD>`` setting."""

    max_exhibit_bytes: int = 64 * GiB  # the whole file or folder, as read from disk
    max_member_bytes: int = 4 * GiB  # one file inside a zip, expanded
    max_expanded_bytes: int = 64 * GiB  # all files inside a zip, expanded
    max_ratio: float = 200.0  # expanded / compressed, per member and per archive
    max_entries: int = 50_000  # files inside a zip or folder
    max_line_bytes: int = 8 * MiB  # one line of a text export
    max_depth: int = 32  # folders inside folders (in an exhibit folder or a zip)
    sqlite_seconds: float = 600.0  # reading one SQLite database, in all

    def refuse(self, where: str, what: str, setting: str) -> ParseError:
        """The one-line refusal for a limit, naming the setting that raises it."""
        value = getattr(self, setting)
        return ParseError(where, f"{what} (limit {value:,}; set CONDUCTLENS_{setting.upper()})")


_ACTIVE: ContextVar[Limits] = ContextVar("conductlens_limits", default=Limits())  # noqa: B039


def active() -> Limits:
    """The limits of the ingest in progress (the defaults outside one)."""
    return _ACTIVE.get()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Apply ``limits`` to everything read inside the ``with`` block."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def check_kind(path: Path) -> os.stat_result:
    """Refuse anything but a regular file or a folder, without opening it (a FIFO would hang)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ParseError(str(path), "no such file or folder") from None
    except OSError as exc:
        raise ParseError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        raise ParseError(str(path), f"not a regular file or folder ({_kind_name(st.st_mode)})")
    return st


def _kind_name(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def check_zip_entries(archive: str, infos: list[tuple[str, int, int]], limits: Limits) -> None:
    """Refuse a zip whose central directory promises too much: (name, size, compressed)."""
    if len(infos) > limits.max_entries:
        raise limits.refuse(archive, f"{len(infos):,} entries in the archive", "max_entries")
    total = packed = 0
    for name, size, compressed in infos:
        if size > limits.max_member_bytes:
            raise limits.refuse(archive, f"{name} expands to {size:,} bytes", "max_member_bytes")
        if size > 1 * MiB and size > limits.max_ratio * max(compressed, 1):
            raise limits.refuse(
                archive, f"{name} expands {size // max(compressed, 1):,} times", "max_ratio"
            )
        if name.count("/") > limits.max_depth:
            raise limits.refuse(archive, f"{name} is nested too deeply", "max_depth")
        total += size
        packed += compressed
    if total > limits.max_expanded_bytes:
        raise limits.refuse(archive, f"the archive expands to {total:,} bytes",
                            "max_expanded_bytes")
    if total > 1 * MiB and total > limits.max_ratio * max(packed, 1):
        raise limits.refuse(
            archive, f"the archive expands {total // max(packed, 1):,} times", "max_ratio"
        )


def time_budget(conn: sqlite3.Connection, label: str) -> None:
    """Interrupt any statement on ``conn`` once the database has been read for too long.

    SQLite calls the handler every few thousand virtual-machine steps; a non-zero return
    aborts the statement with "interrupted", which :func:`interrupted` turns into a refusal.
    """
    seconds = active().sqlite_seconds
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)


def interrupted(exc: BaseException, label: str) -> ParseError | None:
    """The refusal for a statement stopped by :func:`time_budget`, else None."""
    if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
        return active().refuse(
            label, "reading the database took too long (a view or query that never ends?)",
            "sqlite_seconds",
        )
    return None
