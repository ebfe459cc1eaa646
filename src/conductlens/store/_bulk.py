"""The hot path of ingest: message rows as tuples, written with the driver's executemany.

SQLAlchemy's per-row parameter processing costs more than SQLite's own insert at a million
messages (see docs/benchmarks.md), so message rows bypass it. Values are converted here
exactly as SQLAlchemy would store them, so reads through SQLAlchemy see the same data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from conductlens.ingest._text import search_form
from conductlens.model import Message
from conductlens.store import tables as t

MESSAGE_COLUMNS = (
    "id",
    "exhibit_id",
    "conversation_id",
    "seq",
    "sender_id",
    "ts_local",
    "ts_utc",
    "kind",
    "text",
    "text_norm",
    "raw",
    "edited",
    "forwarded",
    "platform_key",
    "reply_to_key",
    "reply_to_id",
    "src_path",
    "src_line",
    "src_line_end",
    "src_offset",
    "src_table",
    "src_row",
    "src_pointer",
)
# The tuple below is built positionally: fail at import if the table and this list part ways.
assert tuple(c.name for c in t.messages.columns) == MESSAGE_COLUMNS, "update MESSAGE_COLUMNS"


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite storage format, always with microseconds so text order is time order."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


class MessageRows:
    """Buffers message rows as tuples in ``MESSAGE_COLUMNS`` order; flushes in bulk."""

    def __init__(self, conn: Connection, exhibit_id: int) -> None:
        self.conn = conn
        self.exhibit_id = exhibit_id
        self.sqlite = conn.dialect.name == "sqlite"
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(MESSAGE_COLUMNS))})"
        )
        self.rows: list[tuple[Any, ...]] = []

    def add(
        self,
        rec: Message,
        ids: tuple[int, int, int, int | None],
        local: datetime | None,
        utc: datetime | None,
    ) -> None:
        """Queue one message; ``ids`` is (message id, conversation id, seq, sender id)."""
        message_id, conversation_id, seq, sender_id = ids
        edited: bool | int = rec.edited
        forwarded: bool | int = rec.forwarded
        if self.sqlite:
            local_v: Any = _sqlite_datetime(local)
            utc_v: Any = _sqlite_datetime(utc)
            edited, forwarded = int(edited), int(forwarded)
        else:
            local_v, utc_v = local, utc
        src = rec.source
        self.rows.append(
            (
                message_id,
                self.exhibit_id,
                conversation_id,
                seq,
                sender_id,
                local_v,
                utc_v,
                rec.kind.value,
                rec.text,
                search_form(rec.text),
                rec.raw,
                edited,
                forwarded,
                rec.key,
                rec.reply_to,
                None,
                src.path,
                src.line,
                src.line_end,
                src.offset,
                src.table,
                src.row_id,
                src.pointer,
            )
        )

    def flush(self) -> None:
        """Write what is queued."""
        if self.rows:
            self.conn.exec_driver_sql(self.sql, self.rows)
            self.rows = []
