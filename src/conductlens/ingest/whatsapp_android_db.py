"""WhatsApp Android message database (``msgstore.db``, decrypted), with ``wa.db`` for names.

The exhibit is the ``msgstore.db`` file itself or a folder holding it; a ``wa.db`` in the
same folder supplies address-book names. Both schema generations are read: the legacy wide
``messages`` table (before 2021) and the modern ``message``/``chat``/``jid`` tables, chosen
by looking at ``sqlite_master``. Originals are opened read-only and immutable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from conductlens.errors import ParseError
from conductlens.ingest import _msgstore_legacy as legacy
from conductlens.ingest import _msgstore_modern as modern
from conductlens.ingest._msgstore_contacts import JidBook, load_wa_db
from conductlens.ingest._msgstore_sqlite import (
    SQLITE_MAGIC,
    Schema,
    check_sqlite_file,
    db_member,
    is_crypt_name,
    locate_db,
    open_readonly,
    wal_warning,
)
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.limits import interrupted
from conductlens.model import ExhibitWarning, Record
from conductlens.store.evidence import hash_file

DB_NAME = "msgstore.db"
_MARKERS = (b"key_remote_jid", b"chat_row_id")


class WhatsAppAndroidDb:
    """WhatsApp Android ``msgstore.db`` (legacy and modern schemas)."""

    name: ClassVar[str] = "whatsapp-android-db"
    description: ClassVar[str] = "WhatsApp Android msgstore.db (decrypted), with wa.db for names"

    def sniff(self, source: Source) -> float:
        """High for SQLite files with msgstore tables or a folder holding msgstore.db."""
        if source.kind == "dir":
            return 0.9 if db_member(source.members, DB_NAME) else 0.0
        if source.kind != "file":
            return 0.0
        name = source.name.lower()
        if is_crypt_name(name):
            return 0.9 if name.startswith("msgstore") else 0.0
        if not source.head.startswith(SQLITE_MAGIC):
            # Claim a mis-named or damaged msgstore.db so the user gets a clear refusal.
            return 0.5 if name == DB_NAME else 0.0
        if b"ZWAMESSAGE" in source.head:
            return 0.0
        if any(marker in source.head for marker in _MARKERS):
            return 0.95
        return 0.7 if name.startswith("msgstore") else 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream conversations, participants, messages, membership events and reactions."""
        db, member = locate_db(source.path, source.kind, source.members, DB_NAME)
        label = str(db)
        check_sqlite_file(db, label)
        names, warning = _names(db.parent / "wa.db", source)
        if warning:
            yield ExhibitWarning(warning)
        wal = wal_warning(source.original(db))
        if wal:
            yield ExhibitWarning(wal)
        conn = open_readonly(db)
        try:
            yield from _read(conn, label, member, names)
        except sqlite3.DatabaseError as exc:
            refusal = interrupted(exc, label)
            reason = f"the database is damaged or unreadable: {exc}"
            raise refusal or ParseError(label, reason) from exc
        finally:
            conn.close()


def _names(wa_db: Path, source: Source) -> tuple[dict[str, str], str | None]:
    """Names from wa.db in the exhibit (or beside a msgstore.db file); damage costs names."""
    if not wa_db.is_file() and source.kind == "file":
        wa_db = source.original(wa_db)
    if not wa_db.is_file():
        return {}, None
    if source.origin is not None and source.kind == "file":
        # Beside the exhibit, not in it: say which bytes the names came from.
        sha, _ = hash_file(wa_db)
        names, warning = _names_from(wa_db)
        return names, warning or (
            f"contact names read from {wa_db} beside the exhibit (sha256 {sha}); "
            "it is not kept: ingest the folder holding both to keep it"
        )
    return _names_from(wa_db)


def _names_from(wa_db: Path) -> tuple[dict[str, str], str | None]:
    try:
        check_sqlite_file(wa_db, str(wa_db))
        return load_wa_db(wa_db), None
    except (ParseError, sqlite3.Error) as exc:
        return {}, f"wa.db could not be read ({exc}); contact names come from msgstore.db only"


def _read(
    conn: sqlite3.Connection, label: str, member: str, names: dict[str, str]
) -> Iterator[Record]:
    schema = Schema(conn, label)
    flavour = _flavour(conn, schema, label)
    book = JidBook(conn, schema, names)
    book.owner_name = _push_name(conn, schema)
    if flavour == "modern":
        stale = _legacy_rows(conn, schema)
        if stale:
            yield ExhibitWarning(
                f"the legacy messages table also holds {stale} rows; the modern message "
                "tables were read (WhatsApp keeps the old table after migrating)"
            )
        yield from modern.Modern(conn, schema, book, member).records()
    else:
        yield from legacy.Legacy(conn, schema, book, member).records()


def _flavour(conn: sqlite3.Connection, schema: Schema, label: str) -> str:
    """ "modern" or "legacy"; refuses databases that are neither, naming what is missing."""
    schema.refuse_views(label, (*modern.REQUIRED, "messages", "jid", "chat", "wa_contacts"))
    gaps = {t: schema.missing(t, cols) for t, cols in modern.REQUIRED.items()}
    modern_ok = not any(gaps.values())
    legacy_ok = schema.has("messages", *legacy.REQUIRED)
    if modern_ok and (not legacy_ok or _count(conn, "message", "chat_row_id > 0") > 0):
        return "modern"
    if legacy_ok:
        return "legacy"
    if not schema.tables:
        raise ParseError(label, "not a WhatsApp msgstore.db: the database has no tables")
    if "message" not in schema.tables and "messages" not in schema.tables:
        shown = ", ".join(sorted(schema.tables)[:8])
        raise ParseError(
            label, f"not a WhatsApp msgstore.db: no message or messages table (has {shown})"
        )
    what = "; ".join(
        f"table {t} lacks {', '.join(cols)}" if t in schema.tables else f"no {t} table"
        for t, cols in gaps.items()
        if cols
    )
    raise ParseError(
        label, f"not a complete WhatsApp msgstore.db (partial or hand-made schema): {what}"
    )


def _count(conn: sqlite3.Connection, table: str, where: str) -> int:
    return int(conn.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {where}').fetchone()[0])


def _legacy_rows(conn: sqlite3.Connection, schema: Schema) -> int:
    if not schema.has("messages", "key_remote_jid"):
        return 0
    return _count(conn, "messages", "key_remote_jid != '-1'")


def _push_name(conn: sqlite3.Connection, schema: Schema) -> str | None:
    """The owner's own WhatsApp name, kept in ``props`` by newer app versions."""
    if not schema.has("props", "key", "value"):
        return None
    found = conn.execute("SELECT value FROM props WHERE key = 'user_push_name'").fetchone()
    return str(found[0]) if found and found[0] else None
