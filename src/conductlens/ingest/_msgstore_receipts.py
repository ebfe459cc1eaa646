"""Android read receipts: ``receipt_user`` (per recipient per message: delivered, read, played)
and the older ``receipt_device`` (per recipient device: delivered only).

WhatsApp keeps these only on the sender's phone, so an exhibit holds them for the owner's own
messages. Each becomes a :class:`~conductlens.model.Receipt` naming its table and row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from conductlens.ingest._msgstore_contacts import JidBook
from conductlens.ingest._msgstore_sqlite import Schema, ms_to_utc
from conductlens.model import Receipt, Record, SourceRef, Timestamp

_USER = ("receipt_user", "receipt_user_jid_row_id",
         ("receipt_timestamp", "read_timestamp", "played_timestamp"))
_DEVICE = ("receipt_device", "receipt_device_jid_row_id", ("receipt_device_timestamp",))


def receipts(conn: sqlite3.Connection, schema: Schema, path: str, book: JidBook,
             chat: Callable[[int], tuple[str, str | None]]) -> Iterator[Record]:
    """Every receipt row that names a stored message and a known recipient."""
    for table, who, times in (_USER, _DEVICE):
        if not schema.has(table, "_id", "message_row_id", who):
            continue
        cols = ", ".join(f"r.{c}" if schema.has(table, c) else f"NULL AS {c}" for c in times)
        sql = (f"SELECT r._id, r.{who} AS who, {cols}, m.key_id, m.chat_row_id "
               f"FROM {table} r JOIN message m ON m._id = r.message_row_id ORDER BY r._id")
        for row in conn.execute(sql):
            recipient = book.key_for_row(row["who"])
            if recipient is None or row["key_id"] is None:
                continue
            yield from book.introduce(recipient)
            stamps = [Timestamp(utc=ms_to_utc(row[c])) for c in times] + [Timestamp()] * 2
            yield Receipt(
                conversation=chat(int(row["chat_row_id"]))[0], message=str(row["key_id"]),
                recipient=recipient, delivered=stamps[0], read=stamps[1], played=stamps[2],
                source=SourceRef(path=path, table=table, row_id=str(row["_id"])),
            )
