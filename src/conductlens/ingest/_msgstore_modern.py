"""Modern Android msgstore.db (2021 onwards): ``message``, ``chat``, ``jid`` and satellites.

Optional satellite tables and columns are joined only when present (checked with
``PRAGMA table_info``), so every schema from 2021 to 2025 reads with the same code.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from conductlens.ingest._group_members import android_members
from conductlens.ingest._msgstore_contacts import OWNER, JidBook
from conductlens.ingest._msgstore_kinds import attachment_kind_from_mime, kind_of
from conductlens.ingest._msgstore_receipts import receipts
from conductlens.ingest._msgstore_sqlite import (
    Schema,
    UnreadTimes,
    is_person,
    ms_to_utc,
    phone_from_jid,
    raw_row,
    row_dict,
    sort_time,
)
from conductlens.ingest._msgstore_system import SystemFacts, changes, describe
from conductlens.model import (
    Attachment,
    Conversation,
    ExhibitWarning,
    MembershipEvent,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Reaction,
    Record,
    SourceRef,
    Timestamp,
)

REQUIRED: dict[str, tuple[str, ...]] = {
    "message": ("_id", "chat_row_id", "from_me", "key_id", "timestamp", "message_type"),
    "chat": ("_id", "jid_row_id"),
    "jid": ("_id", "user", "server"),
}

# (table, alias, ((column, name), ...)): satellites joined one-to-one on message_row_id.
_SATELLITES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("message_media", "mm", (("file_path", "file_path"), ("mime_type", "mime_type"),
                             ("file_size", "file_size"), ("media_name", "media_name"),
                             ("file_hash", "file_hash"), ("media_caption", "media_caption"))),
    ("message_system", "ms", (("action_type", "action_type"),)),
    ("message_edit_info", "me", (("edited_timestamp", "edited_timestamp"),)),
    ("message_quoted", "mq", (("key_id", "quoted_key_id"),)),
    ("message_revoked", "mr", (("revoked_key_id", "revoked_key_id"),)),
    ("message_forwarded", "mf", (("forward_score", "forward_score"),)),
    ("message_location", "ml", (("latitude", "latitude"), ("longitude", "longitude"),
                                ("place_name", "place_name"), ("place_address", "place_address"))),
)


class Modern:
    """Reads one modern msgstore.db; ``records()`` streams everything in it."""

    def __init__(self, conn: sqlite3.Connection, schema: Schema, book: JidBook, path: str) -> None:
        self.conn = conn
        self.schema = schema
        self.book = book
        self.path = path
        self.chats: dict[int, tuple[str, str | None]] = {}  # chat _id -> (key, partner)

    def records(self) -> Iterator[Record]:
        """Conversations with their people, then messages, then reactions."""
        self.book.owner_jid = find_owner_jid(self.conn, self.schema, self.book)
        yield from self.book.introduce(OWNER)
        yield from self._conversations()
        yield from self._messages()
        yield from self._reactions()
        yield from receipts(self.conn, self.schema, self.path, self.book, self._chat)

    # -- conversations ---------------------------------------------------------------

    def _conversations(self) -> Iterator[Record]:
        subject = self.schema.col("chat", "c", "subject", "subject")
        for row in self.conn.execute(f"SELECT c._id, c.jid_row_id, {subject} FROM chat c"):
            yield from self._conversation(row)

    def _conversation(self, row: sqlite3.Row) -> Iterator[Record]:
        raw = self.book.raw.get(row["jid_row_id"]) or f"chat:{row['_id']}"
        is_group = raw.endswith("@g.us")
        partner = self.book.key_for_row(row["jid_row_id"]) if is_person(raw) else None
        self.chats[int(row["_id"])] = (raw, partner)
        title = row["subject"] if is_group else self._person_title(partner)
        yield Conversation(
            key=raw, platform="whatsapp", title=title, is_group=is_group,
            source=SourceRef(path=self.path, table="chat", row_id=str(row["_id"])),
        )
        yield from self.book.introduce(partner)
        if is_group:
            yield from self._members(row["jid_row_id"])
            yield from android_members(self.conn, self.schema, self.path, raw,
                                       row["jid_row_id"], self.book.key_for_row)

    def _person_title(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.book.contact_name(key) or phone_from_jid(key) or key.partition("@")[0]

    def _members(self, group_jid_row: int) -> Iterator[Participant]:
        for table in ("group_participant_user", "group_past_participant_user"):
            if not self.schema.has(table, "group_jid_row_id", "user_jid_row_id"):
                continue
            sql = f'SELECT user_jid_row_id FROM "{table}" WHERE group_jid_row_id = ?'
            for (user_row,) in self.conn.execute(sql, (group_jid_row,)):
                yield from self.book.introduce(self.book.key_for_row(user_row))

    def _chat(self, chat_row: int) -> tuple[str, str | None]:
        return self.chats.get(chat_row) or (f"chat:{chat_row}", None)

    # -- messages --------------------------------------------------------------------

    def _message_sql(self) -> str:
        s = self.schema
        cols = [
            "m._id AS row_id", "m.chat_row_id", "m.from_me", "m.key_id", "m.timestamp",
            "m.message_type", s.col("message", "m", "text_data", "text_data"),
            s.col("message", "m", "sender_jid_row_id", "sender_jid_row_id"),
            s.col("message", "m", "status", "status"),
        ]
        joins = []
        for table, alias, pairs in _SATELLITES:
            present = s.has(table, "message_row_id")
            if present:
                joins.append(f"LEFT JOIN {table} {alias} ON {alias}.message_row_id = m._id")
            cols += [s.col(table, alias, c, n) if present else f"NULL AS {n}" for c, n in pairs]
        if s.has("message_ui_elements", "message_row_id", "element_content"):
            joins.append(
                "LEFT JOIN (SELECT message_row_id, MIN(element_content) AS element_content "
                "FROM message_ui_elements GROUP BY message_row_id) ue "
                "ON ue.message_row_id = m._id"
            )
            cols.append("ue.element_content AS element_content")
        else:
            cols.append("NULL AS element_content")
        return (
            f"SELECT {', '.join(cols)} FROM message m {' '.join(joins)} "
            "WHERE m.chat_row_id > 0 ORDER BY m.chat_row_id, "
            f"{sort_time('message', 'chat_row_id')}, m._id"
        )

    def _messages(self) -> Iterator[Record]:
        times = UnreadTimes(self.path or "msgstore.db", "message")
        for sql_row in self.conn.execute(self._message_sql()):
            row = row_dict(sql_row)
            for record in self._message(row):
                if type(record) is Message:
                    warning = times.check(row, record.timestamp.utc)
                    if warning:
                        yield ExhibitWarning(warning)
                yield record
        if times.summary():
            yield ExhibitWarning(str(times.summary()))

    def _message(self, row: dict[str, object]) -> Iterator[Record]:
        chat_row = int(str(row["chat_row_id"]))
        if chat_row not in self.chats:
            self.chats[chat_row] = (f"chat:{chat_row}", None)
            yield Conversation(key=f"chat:{chat_row}", platform="whatsapp")
        conv, partner = self._chat(chat_row)
        source = SourceRef(path=self.path, table="message", row_id=str(row["row_id"]))
        ts = Timestamp(utc=ms_to_utc(row["timestamp"]))
        if row["action_type"] is not None:
            yield from self._system(row, conv, ts, source)
            return
        kind, att_kind = kind_of(row["message_type"])
        if row["revoked_key_id"] is not None:
            kind = MessageKind.DELETED
        sender = self._sender(row, partner)
        yield from self.book.introduce(sender)
        yield Message(
            conversation=conv, sender=sender, timestamp=ts, kind=kind, text=_text(row),
            raw=raw_row("message", row), source=source, key=_str(row["key_id"]),
            edited=row["edited_timestamp"] is not None,
            forwarded=isinstance(row["forward_score"], int) and row["forward_score"] > 0,
            reply_to=_str(row["quoted_key_id"]), attachments=_attachments(row, att_kind),
        )

    def _sender(self, row: dict[str, object], partner: str | None) -> str | None:
        if row["from_me"] == 1:
            return OWNER
        return self.book.key_for_row(row["sender_jid_row_id"]) or partner

    # -- system messages -------------------------------------------------------------

    def _system(
        self, row: dict[str, object], conv: str, ts: Timestamp, source: SourceRef
    ) -> Iterator[Record]:
        facts = self._facts(row)
        yield from self.book.introduce(facts.actor, *facts.targets)
        yield Message(
            conversation=conv, sender=None, timestamp=ts, kind=MessageKind.SYSTEM,
            text=describe(facts, self.book.name), raw=raw_row("message", row), source=source,
            key=_str(row["key_id"]),
        )
        for change in changes(facts):
            yield MembershipEvent(
                conversation=conv, kind=change.kind, actor=change.actor, target=change.target,
                timestamp=ts, source=source, detail=change.detail,
            )

    def _facts(self, row: dict[str, object]) -> SystemFacts:
        row_id = row["row_id"]
        action = int(str(row["action_type"]))
        actor = self.book.key_for_row(row["sender_jid_row_id"])
        if actor is None and row["from_me"] == 1:
            actor = OWNER
        targets = tuple(
            k for k in (self.book.key_for_row(r) for r in self._participants(row_id)) if k
        )
        old = self._one("message_system_value_change", "old_data", row_id)
        number = self._number_change(row_id)
        if number is not None:
            old_key, new_key = number
            return SystemFacts(
                action=10, actor=old_key, targets=(new_key,) if new_key else (),
                new_value=self.book.name(new_key), old_value=self.book.name(old_key),
            )
        new = _str(row["text_data"]) or None
        return SystemFacts(action, actor, targets, new, _str(old) or None)

    def _participants(self, row_id: object) -> list[object]:
        if not self.schema.has("message_system_chat_participant", "message_row_id",
                               "user_jid_row_id"):
            return []
        sql = ("SELECT user_jid_row_id FROM message_system_chat_participant "
               "WHERE message_row_id = ?")
        return [r[0] for r in self.conn.execute(sql, (row_id,))]

    def _one(self, table: str, column: str, row_id: object) -> object:
        if not self.schema.has(table, "message_row_id", column):
            return None
        sql = f'SELECT "{column}" FROM "{table}" WHERE message_row_id = ?'
        found = self.conn.execute(sql, (row_id,)).fetchone()
        return found[0] if found else None

    def _number_change(self, row_id: object) -> tuple[str | None, str | None] | None:
        table = "message_system_number_change"
        if not self.schema.has(table, "message_row_id", "old_jid_row_id", "new_jid_row_id"):
            return None
        sql = f"SELECT old_jid_row_id, new_jid_row_id FROM {table} WHERE message_row_id = ?"
        found = self.conn.execute(sql, (row_id,)).fetchone()
        if found is None:
            return None
        return self.book.key_for_row(found[0]), self.book.key_for_row(found[1])

    # -- reactions -------------------------------------------------------------------

    def _reactions(self) -> Iterator[Record]:
        if not (self.schema.has("message_add_on", "_id", "parent_message_row_id")
                and self.schema.has("message_add_on_reaction", "message_add_on_row_id",
                                    "reaction")):
            return
        s = self.schema
        sql = (
            "SELECT a._id AS add_on_id, a.parent_message_row_id, "
            f"{s.col('message_add_on', 'a', 'from_me', 'from_me')}, "
            f"{s.col('message_add_on', 'a', 'sender_jid_row_id', 'sender_jid_row_id')}, "
            f"{s.col('message_add_on', 'a', 'timestamp', 'timestamp')}, "
            "r.reaction, p.key_id AS parent_key, p.chat_row_id AS parent_chat "
            "FROM message_add_on a "
            "JOIN message_add_on_reaction r ON r.message_add_on_row_id = a._id "
            "LEFT JOIN message p ON p._id = a.parent_message_row_id ORDER BY a._id"
        )
        for row in self.conn.execute(sql):
            yield from self._reaction(row_dict(row))

    def _reaction(self, row: dict[str, object]) -> Iterator[Record]:
        if not row["reaction"]:
            return  # an empty reaction is WhatsApp's record of a withdrawn reaction
        if row["parent_key"] is None:
            yield ParseIssue(
                path=self.path, line=None,
                reason=f"message_add_on#{row['add_on_id']}: reaction to a message not in the DB",
                raw=raw_row("message_add_on", row).encode(),
            )
            return
        conv, partner = self._chat(int(str(row["parent_chat"])))
        sender = self._sender(row, partner)
        yield from self.book.introduce(sender)
        yield Reaction(
            conversation=conv, message=str(row["parent_key"]), sender=sender,
            emoji=str(row["reaction"]), timestamp=Timestamp(utc=ms_to_utc(row["timestamp"])),
            source=SourceRef(path=self.path, table="message_add_on",
                             row_id=str(row["add_on_id"])),
        )


def find_owner_jid(conn: sqlite3.Connection, schema: Schema, book: JidBook) -> str | None:
    """The owner's JID, from "you joined" system rows (``message_system_group.is_me_joined``)."""
    if not (schema.has("message_system_group", "message_row_id", "is_me_joined")
            and schema.has("message_system_chat_participant", "message_row_id",
                           "user_jid_row_id")):
        return None
    sql = (
        "SELECT DISTINCT p.user_jid_row_id FROM message_system_group g "
        "JOIN message_system_chat_participant p ON p.message_row_id = g.message_row_id "
        "WHERE g.is_me_joined = 1 AND (SELECT COUNT(*) FROM message_system_chat_participant q "
        "WHERE q.message_row_id = g.message_row_id) = 1"
    )
    keys = {book.key_for_row(r[0]) for r in conn.execute(sql)} - {None}
    return keys.pop() if len(keys) == 1 else None


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _text(row: dict[str, object]) -> str:
    for name in ("text_data", "media_caption"):
        value = row.get(name)
        if isinstance(value, str) and value:
            return value
    return _ui_text(row.get("element_content"))


def _ui_text(content: object) -> str:
    """Body text of a template/interactive message kept in ``message_ui_elements``."""
    if not isinstance(content, str):
        return ""
    try:
        data = json.loads(content)
    except ValueError:
        return ""
    text = data.get("description") if isinstance(data, dict) else None
    return text if isinstance(text, str) else ""


def _attachments(row: dict[str, object], att_kind: str | None) -> tuple[Attachment, ...]:
    path, name, mime = row["file_path"], row["media_name"], row["mime_type"]
    if path is None and name is None and mime is None and row["file_size"] is None:
        return ()
    size = row["file_size"]
    return (
        Attachment(
            file_name=_str(path) or _str(name), media_type=_str(mime),
            kind=attachment_kind_from_mime(_str(mime), att_kind),
            size=size if isinstance(size, int) else None,
        ),
    )
