"""WhatsApp iOS message database (``ChatStorage.sqlite`` from an iPhone backup).

The exhibit is the ``ChatStorage.sqlite`` file or a folder holding it. The Core Data tables
``ZWAMESSAGE``, ``ZWACHATSESSION``, ``ZWAGROUPMEMBER`` and ``ZWAMEDIAITEM`` are read
read-only and immutable; optional columns are checked with ``PRAGMA table_info``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import ClassVar

from conductlens.errors import ParseError
from conductlens.ingest._chatstorage_ios import REQUIRED, ChatStorage
from conductlens.ingest._msgstore_sqlite import (
    SQLITE_MAGIC,
    Schema,
    check_sqlite_file,
    db_member,
    locate_db,
    open_readonly,
    wal_warning,
)
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.limits import interrupted
from conductlens.model import ExhibitWarning, Record

DB_NAME = "ChatStorage.sqlite"


class WhatsAppIosDb:
    """WhatsApp iOS ``ChatStorage.sqlite``."""

    name: ClassVar[str] = "whatsapp-ios-db"
    description: ClassVar[str] = "WhatsApp iOS ChatStorage.sqlite (from an iPhone backup)"

    def sniff(self, source: Source) -> float:
        """High for SQLite files with WhatsApp Core Data tables or a folder holding one."""
        if source.kind == "dir":
            return 0.9 if db_member(source.members, DB_NAME) else 0.0
        if source.kind != "file":
            return 0.0
        if not source.head.startswith(SQLITE_MAGIC):
            return 0.5 if source.name == DB_NAME else 0.0
        if b"ZWAMESSAGE" in source.head or b"ZWACHATSESSION" in source.head:
            return 0.95
        return 0.7 if source.name == DB_NAME else 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream conversations, participants, messages and membership events."""
        db, member = locate_db(source.path, source.kind, source.members, DB_NAME)
        label = str(db)
        check_sqlite_file(db, label)
        wal = wal_warning(source.original(db))
        if wal:
            yield ExhibitWarning(wal)
        conn = open_readonly(db)
        try:
            schema = Schema(conn, label)
            _require(schema, label)
            yield from ChatStorage(conn, schema, member).records()
        except sqlite3.DatabaseError as exc:
            refusal = interrupted(exc, label)
            reason = f"the database is damaged or unreadable: {exc}"
            raise refusal or ParseError(label, reason) from exc
        finally:
            conn.close()


def _require(schema: Schema, label: str) -> None:
    """Refuse databases without the WhatsApp message tables, naming what is missing."""
    schema.refuse_views(label, tuple(REQUIRED))
    gaps = {t: schema.missing(t, cols) for t, cols in REQUIRED.items()}
    if not any(gaps.values()):
        return
    if not any(t in schema.tables for t in REQUIRED):
        raise ParseError(
            label, "not a WhatsApp ChatStorage.sqlite: no ZWAMESSAGE/ZWACHATSESSION tables"
        )
    what = "; ".join(
        f"table {t} lacks {', '.join(cols)}" if t in schema.tables else f"no {t} table"
        for t, cols in gaps.items()
        if cols
    )
    raise ParseError(label, f"not a complete WhatsApp ChatStorage.sqlite: {what}")
