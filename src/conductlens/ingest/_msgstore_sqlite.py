"""Read-only access to WhatsApp SQLite databases (Android msgstore.db, iOS ChatStorage.sqlite).

Shared by both WhatsApp database parsers: refusing files that are not plain SQLite
(encrypted backups, truncated copies, random bytes), opening originals strictly read-only,
introspecting tables and columns (schemas differ between app versions) and small value
conversions (epochs, JIDs to E.164 phone numbers, raw rows for provenance).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

import phonenumbers

from conductlens.errors import ParseError
from conductlens.ingest.limits import time_budget

SQLITE_MAGIC = b"SQLite format 3\x00"
ENCRYPTED_REASON = "encrypted WhatsApp backup (crypt14/15): decrypt it first"
_CRYPT_NAME = re.compile(r"\.crypt\d*$", re.IGNORECASE)
_HEADER_BYTES = 100
_APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_USER_SERVERS = frozenset({"s.whatsapp.net", "c.us"})
_PERSON_SERVERS = _USER_SERVERS | {"lid"}


def db_member(members: tuple[str, ...], name: str) -> str | None:
    """The shallowest folder member called ``name`` (a phone database in an export folder)."""
    found = [m for m in members if PurePosixPath(m).name == name]
    return min(found, key=lambda m: (m.count("/"), m)) if found else None


def locate_db(path: Path, kind: str, members: tuple[str, ...], name: str) -> tuple[Path, str]:
    """The database file and its provenance path inside the exhibit ("" for the file)."""
    if kind != "dir":
        return path, ""
    member = db_member(members, name)
    if member is None:
        raise ParseError(str(path), f"no {name} in this folder")
    return path / member, member


def is_crypt_name(name: str) -> bool:
    """True for WhatsApp's encrypted backup names (``msgstore.db.crypt14`` and kin)."""
    return bool(_CRYPT_NAME.search(name))


def check_sqlite_file(path: Path, label: str) -> None:
    """Refuse anything that is not a complete, plain SQLite file, with a one-line reason."""
    if is_crypt_name(path.name):
        raise ParseError(label, ENCRYPTED_REASON)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(_HEADER_BYTES)
    except OSError as exc:
        raise ParseError(label, f"cannot be read: {exc}") from exc
    if not header:
        raise ParseError(label, "the file is empty")
    if not header.startswith(SQLITE_MAGIC):
        raise ParseError(
            label, "not an SQLite database (an encrypted backup must be decrypted first)"
        )
    expected = _expected_size(header)
    if expected is not None and size < expected:
        raise ParseError(label, f"the database file is truncated ({size} of {expected} bytes)")


def _expected_size(header: bytes) -> int | None:
    """Page size x page count from the header, when the header vouches for the count."""
    if len(header) < _HEADER_BYTES:
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The in-header page count is only valid when "version-valid-for" equals the change counter.
    if pages == 0 or header[24:28] != header[92:96]:
        return None
    return page_size * pages


def wal_warning(path: Path) -> str | None:
    """A warning when a non-empty ``-wal`` file sits beside ``path`` (it is not merged)."""
    wal = path.with_name(path.name + "-wal")
    try:
        size = wal.stat().st_size
    except OSError:
        return None
    if size == 0:
        return None
    return (
        f"{wal.name} ({size} bytes) was not read: the database is opened immutable so the "
        "original is never changed; recent messages may be in that file"
    )


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open ``path`` read-only and immutable, so no journal or WAL file is ever created."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True)
    conn.row_factory = sqlite3.Row
    time_budget(conn, str(path))
    return conn


class Schema:
    """Which tables and columns a database has (versions add and drop them freely)."""

    __slots__ = ("_columns", "_conn", "label", "tables", "views")

    def __init__(self, conn: sqlite3.Connection, label: str = "database") -> None:
        self._conn = conn
        self.label = label
        rows = conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
        found = [(str(r[0]), str(r[1])) for r in rows]
        self.tables: frozenset[str] = frozenset(name for name, _ in found)
        # A phone's database holds tables; a view in their place is built to mislead or hang.
        self.views: frozenset[str] = frozenset(name for name, kind in found if kind == "view")
        self._columns: dict[str, frozenset[str]] = {}

    def has(self, table: str, *columns: str) -> bool:
        """True when ``table`` exists with every one of ``columns``; a view under a name a
        reader asks about is refused here, before anything reads it (it could never end)."""
        self.refuse_views(self.label, (table,))
        return table in self.tables and all(c in self.columns(table) for c in columns)

    def refuse_views(self, label: str, names: tuple[str, ...]) -> None:
        """Refuse a database where any of ``names`` is a view rather than a table."""
        for name in names:
            if name in self.views:
                raise ParseError(label, f"{name!r} is a view, not a table: not a phone's "
                                 "own database (refused rather than run)")

    def columns(self, table: str) -> frozenset[str]:
        """Column names of ``table`` (empty when the table is absent)."""
        if table not in self._columns:
            if table not in self.tables:
                return frozenset()
            info = self._conn.execute(f'PRAGMA table_info("{table}")')
            self._columns[table] = frozenset(str(r[1]) for r in info)
        return self._columns[table]

    def missing(self, table: str, columns: tuple[str, ...]) -> list[str]:
        """Which of ``columns`` ``table`` lacks."""
        have = self.columns(table)
        return [c for c in columns if c not in have]

    def col(self, table: str, alias: str, column: str, name: str) -> str:
        """``alias.column AS name`` when the column exists, else ``NULL AS name``."""
        if column in self.columns(table):
            return f'{alias}."{column}" AS {name}'
        return f"NULL AS {name}"


def ms_to_utc(value: object) -> datetime | None:
    """A millisecond Unix epoch as aware UTC; None when absent or nonsensical."""
    if not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def apple_to_utc(value: object) -> datetime | None:
    """Seconds since 2001-01-01 UTC (Core Data dates) as aware UTC."""
    if not isinstance(value, int | float):
        return None
    try:
        return _APPLE_EPOCH + timedelta(seconds=float(value))
    except (OverflowError, ValueError):
        return None


def bare_jid(raw: str) -> str:
    """A JID without its device/agent suffix: ``447700900123.0:2@s.whatsapp.net`` -> user@server."""
    user, sep, server = raw.partition("@")
    if not sep:
        return raw
    return f"{user.split(':')[0].split('.')[0]}@{server}"


def is_person(jid: str) -> bool:
    """True for a person's JID (phone or LID), not a group, broadcast list or channel."""
    return jid.rpartition("@")[2] in _PERSON_SERVERS


def phone_from_jid(jid: str) -> str | None:
    """E.164 phone for a phone-number JID (``user@s.whatsapp.net``); None otherwise."""
    user, _, server = bare_jid(jid).partition("@")
    if server not in _USER_SERVERS or not user.isdigit():
        return None
    try:
        number = phonenumbers.parse(f"+{user}", None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def raw_row(table: str, row: Mapping[str, object]) -> str:
    """A row as compact JSON for ``Message.raw``; blobs shown as hex (never decoded)."""
    values: dict[str, object] = {"table": table}
    for key, value in row.items():
        if value is None:
            continue
        values[key] = value.hex() if isinstance(value, bytes) else value
    return json.dumps(values, ensure_ascii=False, sort_keys=False)


def row_dict(row: sqlite3.Row) -> dict[str, object]:
    """A ``sqlite3.Row`` as a plain dict."""
    return {k: row[k] for k in row.keys()}  # noqa: SIM118 (Row has no items())


def sort_time(table: str, group: str) -> str:
    """An ORDER BY key that keeps a row whose timestamp is not a number where it sits.

    Text sorts after every number in SQLite, so a row with ``timestamp = 'x'`` would move to
    the end of its chat; instead it sorts with the last readable time before it (by row id).
    """
    numeric = "typeof({a}.timestamp) IN ('integer', 'real')"
    return (
        f"COALESCE(CASE WHEN {numeric.format(a='m')} THEN m.timestamp END, "
        f"(SELECT p.timestamp FROM {table} p WHERE p.{group} = m.{group} AND p._id < m._id "
        f"AND {numeric.format(a='p')} ORDER BY p._id DESC LIMIT 1), 0)"
    )


class UnreadTimes:
    """Rows whose timestamp is present but not a usable time: each reported, in order."""

    SHOWN = 20

    def __init__(self, label: str, table: str) -> None:
        self.label, self.table, self.count = label, table, 0

    def check(self, row: Mapping[str, object], utc: datetime | None) -> str | None:
        """A warning for this row when its timestamp could not be read (first few only)."""
        value = row["timestamp"]
        if utc is not None or value is None:
            return None
        self.count += 1
        if self.count > self.SHOWN:
            return None
        return (
            f"{self.label}: {self.table} row {row['row_id']}: timestamp {value!r} is not a "
            "time; kept without one, in row order (the value is in raw)"
        )

    def summary(self) -> str | None:
        """The closing line when more rows were affected than were listed."""
        if self.count <= self.SHOWN:
            return None
        return (
            f"{self.label}: {self.count:,} {self.table} rows in all have a timestamp that is "
            f"not a time (the first {self.SHOWN} are listed)"
        )
