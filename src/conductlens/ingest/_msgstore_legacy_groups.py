"""Members and read receipts of a legacy Android msgstore.db (the wide ``messages`` schema).

Before 2021 WhatsApp kept them in tables keyed by JID strings rather than ``jid`` rows:
``group_participants`` (``gjid``, ``jid``, ``admin``, ``pending``; an empty ``jid`` is the
phone's owner) lists a group's current members with no times, and ``receipts``
(``key_remote_jid``, ``key_id``, ``remote_resource`` = the recipient in a group) holds, on the
sender's phone, when each recipient's device received, read and played a message. A one-to-one
message's own row also carries ``receipt_device_timestamp``, ``read_device_timestamp`` and
``played_device_timestamp`` for its single recipient. ``group_participants_history`` records
only participant-hash changes and names no event, so it is not read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from conductlens.ingest._msgstore_contacts import OWNER, JidBook
from conductlens.ingest._msgstore_sqlite import Schema, is_person, ms_to_utc
from conductlens.model import (
    MembershipEvent,
    MembershipKind,
    Receipt,
    Record,
    SourceRef,
    Timestamp,
)

_TIMES = ("receipt_device_timestamp", "read_device_timestamp", "played_device_timestamp")


def legacy_members(conn: sqlite3.Connection, schema: Schema, path: str, book: JidBook,
                   group: str) -> Iterator[Record]:
    """A ``member`` event (and the participant) for each ``group_participants`` row of
    ``group``; the detail names the admin flag and a pending invitation."""
    table = "group_participants"
    if not schema.has(table, "_id", "gjid", "jid"):
        return
    extra = [c for c in ("admin", "pending") if schema.has(table, c)]
    sql = (f"SELECT _id, jid{''.join(', ' + c for c in extra)} FROM {table} "
           "WHERE gjid = ? ORDER BY _id")
    for row in conn.execute(sql, (group,)):
        jid = row["jid"]
        who = OWNER if jid == "" else book.key_for_jid(jid if isinstance(jid, str) else None)
        if who is None:
            continue
        yield from book.introduce(who)
        found = dict(zip(extra, tuple(row)[2:], strict=True))
        yield MembershipEvent(group, MembershipKind.MEMBER, None, who, Timestamp(),
                              SourceRef(path=path, table=table, row_id=str(row["_id"])),
                              _detail(found))


def _detail(found: dict[str, object]) -> str:
    admin = found.get("admin")
    rank = "admin" if isinstance(admin, int) and admin > 0 else (
        "member" if admin is not None else "unknown")
    return f"rank={rank}; pending" if found.get("pending") else f"rank={rank}"


def legacy_receipts(conn: sqlite3.Connection, schema: Schema, path: str,
                    book: JidBook) -> Iterator[Record]:
    """Receipts from the ``receipts`` table, then from one-to-one messages' own columns where
    the table holds none for that message."""
    covered: set[tuple[str, str]] = set()
    yield from _table_receipts(conn, schema, path, book, covered)
    yield from _row_receipts(conn, schema, path, book, covered)


def _table_receipts(conn: sqlite3.Connection, schema: Schema, path: str, book: JidBook,
                    covered: set[tuple[str, str]]) -> Iterator[Record]:
    table = "receipts"
    if not schema.has(table, "_id", "key_remote_jid", "key_id"):
        return
    resource = "r.remote_resource" if schema.has(table, "remote_resource") else "NULL"
    cols = ", ".join(f"r.{c}" if schema.has(table, c) else f"NULL AS {c}" for c in _TIMES)
    sql = (f"SELECT r._id, r.key_remote_jid, r.key_id, {resource} AS resource, {cols} "
           f"FROM {table} r JOIN messages m ON m.key_remote_jid = r.key_remote_jid "
           "AND m.key_id = r.key_id AND m.key_from_me = 1 ORDER BY r._id")
    for row in conn.execute(sql):
        chat, resource_jid = str(row["key_remote_jid"]), row["resource"]
        jid = resource_jid if isinstance(resource_jid, str) and resource_jid else (
            chat if is_person(chat) else None)
        recipient = book.key_for_jid(jid)
        if recipient is None:
            continue
        covered.add((chat, str(row["key_id"])))
        yield from book.introduce(recipient)
        yield _receipt(chat, str(row["key_id"]), recipient, row,
                       SourceRef(path=path, table=table, row_id=str(row["_id"])))


def _row_receipts(conn: sqlite3.Connection, schema: Schema, path: str, book: JidBook,
                  covered: set[tuple[str, str]]) -> Iterator[Record]:
    present = [c for c in _TIMES if schema.has("messages", c)]
    if not present:
        return
    cols = ", ".join(c if c in present else f"NULL AS {c}" for c in _TIMES)
    stamped = " OR ".join(f"{c} > 0" for c in present)
    sql = (f"SELECT _id, key_remote_jid, key_id, {cols} FROM messages "
           f"WHERE key_from_me = 1 AND ({stamped}) ORDER BY _id")
    for row in conn.execute(sql):
        chat, key = str(row["key_remote_jid"]), str(row["key_id"])
        recipient = book.key_for_jid(chat) if is_person(chat) else None
        if recipient is None or recipient == OWNER or (chat, key) in covered:
            continue
        yield from book.introduce(recipient)
        yield _receipt(chat, key, recipient, row,
                       SourceRef(path=path, table="messages", row_id=str(row["_id"])))


def _receipt(chat: str, key: str, recipient: str, row: sqlite3.Row,
             source: SourceRef) -> Receipt:
    delivered, read, played = (Timestamp(utc=ms_to_utc(row[c])) for c in _TIMES)
    return Receipt(conversation=chat, message=key, recipient=recipient, delivered=delivered,
                   read=read, played=played, source=source)
