"""Legacy Android msgstore.db (before 2021): one wide ``messages`` table keyed by JID strings.

System rows are ``media_wa_type = 0`` with ``status = 6``; their action number is kept in
``media_size`` and the JID the event is about in ``remote_resource``. Replies point at a copy
of the quoted row in ``messages_quotes`` (through ``quoted_row_id``). Group members and read
receipts come from their own legacy tables (``_msgstore_legacy_groups``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from conductlens.ingest._msgstore_contacts import OWNER, JidBook
from conductlens.ingest._msgstore_kinds import attachment_kind_from_mime, kind_of
from conductlens.ingest._msgstore_legacy_groups import legacy_members, legacy_receipts
from conductlens.ingest._msgstore_sqlite import (
    Schema,
    UnreadTimes,
    bare_jid,
    is_person,
    ms_to_utc,
    phone_from_jid,
    raw_row,
    row_dict,
    sort_time,
)
from conductlens.ingest._msgstore_system import MEMBERSHIP, SystemFacts, changes, describe
from conductlens.model import (
    Attachment,
    Conversation,
    ExhibitWarning,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    Record,
    SourceRef,
    Timestamp,
)

REQUIRED = ("_id", "key_remote_jid", "key_from_me", "key_id", "timestamp", "media_wa_type")
_OPTIONAL = (
    "status", "data", "media_size", "media_name", "media_mime_type", "media_caption",
    "remote_resource", "forwarded", "latitude", "longitude",
)
_ABOUT_ACTOR = frozenset({
    MembershipKind.CREATED, MembershipKind.SUBJECT_CHANGED, MembershipKind.ICON_CHANGED,
    MembershipKind.DESCRIPTION_CHANGED,
})


class Legacy:
    """Reads one legacy msgstore.db; ``records()`` streams everything in it."""

    def __init__(self, conn: sqlite3.Connection, schema: Schema, book: JidBook, path: str) -> None:
        self.conn = conn
        self.schema = schema
        self.book = book
        self.path = path
        self._seen: set[str] = set()

    def records(self) -> Iterator[Record]:
        """The owner, conversations (chat_list, then JIDs only seen in messages) with their
        members, messages, then the owner's read receipts."""
        yield from self.book.introduce(OWNER)
        if self.schema.has("chat_list", "key_remote_jid"):
            subject = self.schema.col("chat_list", "c", "subject", "subject")
            sql = f"SELECT c._id, c.key_remote_jid, {subject} FROM chat_list c"
            for row in self.conn.execute(sql):
                yield from self._conversation(row["key_remote_jid"], row["subject"], row["_id"])
        yield from self._messages()
        yield from legacy_receipts(self.conn, self.schema, self.path, self.book)

    def _conversation(self, jid: object, subject: object, row_id: object) -> Iterator[Record]:
        if not isinstance(jid, str) or jid in self._seen or jid == "-1":
            return
        self._seen.add(jid)
        is_group = jid.endswith("@g.us")
        partner = self.book.key_for_jid(jid) if is_person(jid) else None
        title = subject if is_group and isinstance(subject, str) else self._title(partner)
        source = SourceRef(path=self.path, table="chat_list", row_id=str(row_id))
        if row_id is None:
            source = SourceRef(path=self.path, table="messages")
        yield Conversation(key=jid, platform="whatsapp", title=title, is_group=is_group,
                           source=source)
        yield from self.book.introduce(partner)
        if is_group:
            yield from legacy_members(self.conn, self.schema, self.path, self.book, jid)

    def _title(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.book.contact_name(key) or phone_from_jid(key) or key.partition("@")[0]

    def _sql(self) -> str:
        cols = ["m._id AS row_id", "m.key_remote_jid", "m.key_from_me", "m.key_id",
                "m.timestamp", "m.media_wa_type"]
        cols += [self.schema.col("messages", "m", c, c) for c in _OPTIONAL]
        join = ""
        if self.schema.has("messages", "quoted_row_id") and self.schema.has(
            "messages_quotes", "_id", "key_id"
        ):
            join = "LEFT JOIN messages_quotes q ON q._id = m.quoted_row_id AND m.quoted_row_id > 0"
            cols.append("q.key_id AS quoted_key_id")
        else:
            cols.append("NULL AS quoted_key_id")
        return (
            f"SELECT {', '.join(cols)} FROM messages m {join} "
            "WHERE m.key_remote_jid != '-1' ORDER BY m.key_remote_jid, "
            f"{sort_time('messages', 'key_remote_jid')}, m._id"
        )

    def _messages(self) -> Iterator[Record]:
        times = UnreadTimes(self.path or "msgstore.db", "messages")
        for sql_row in self.conn.execute(self._sql()):
            row = row_dict(sql_row)
            yield from self._conversation(row["key_remote_jid"], None, None)
            for record in self._message(row):
                if type(record) is Message:
                    warning = times.check(row, record.timestamp.utc)
                    if warning:
                        yield ExhibitWarning(warning)
                yield record
        if times.summary():
            yield ExhibitWarning(str(times.summary()))

    def _message(self, row: dict[str, object]) -> Iterator[Record]:
        conv = str(row["key_remote_jid"])
        source = SourceRef(path=self.path, table="messages", row_id=str(row["row_id"]))
        ts = Timestamp(utc=ms_to_utc(row["timestamp"]))
        if str(row["media_wa_type"]) == "0" and row["status"] == 6:
            yield from self._system(row, conv, ts, source)
            return
        kind, att_kind = kind_of(row["media_wa_type"])
        sender = self._sender(row, conv)
        yield from self.book.introduce(sender)
        text = row["data"] if isinstance(row["data"], str) else ""
        if not text and isinstance(row["media_caption"], str) and kind is MessageKind.MEDIA:
            text = row["media_caption"]
        yield Message(
            conversation=conv, sender=sender, timestamp=ts, kind=kind, text=text,
            raw=raw_row("messages", row), source=source, key=str(row["key_id"]),
            forwarded=isinstance(row["forwarded"], int) and row["forwarded"] > 0,
            reply_to=None if row["quoted_key_id"] is None else str(row["quoted_key_id"]),
            attachments=_attachments(row, kind, att_kind),
        )

    def _sender(self, row: dict[str, object], conv: str) -> str | None:
        if row["key_from_me"] == 1:
            return OWNER
        if conv.endswith("@g.us"):
            resource = row["remote_resource"]
            return self.book.key_for_jid(resource if isinstance(resource, str) else None)
        return self.book.key_for_jid(conv)

    def _system(
        self, row: dict[str, object], conv: str, ts: Timestamp, source: SourceRef
    ) -> Iterator[Record]:
        action = row["media_size"] if isinstance(row["media_size"], int) else -1
        resource = row["remote_resource"]
        who = self.book.key_for_jid(bare_jid(resource)) if isinstance(resource, str) else None
        new = row["data"] if isinstance(row["data"], str) and row["data"] else None
        if MEMBERSHIP.get(action) in _ABOUT_ACTOR:
            facts = SystemFacts(action=action, actor=who, new_value=new)
        else:
            facts = SystemFacts(action=action, targets=(who,) if who else (), new_value=new)
        yield from self.book.introduce(facts.actor, *facts.targets)
        yield Message(
            conversation=conv, sender=None, timestamp=ts, kind=MessageKind.SYSTEM,
            text=describe(facts, self.book.name), raw=raw_row("messages", row), source=source,
            key=str(row["key_id"]),
        )
        for change in changes(facts):
            yield MembershipEvent(
                conversation=conv, kind=change.kind, actor=change.actor, target=change.target,
                timestamp=ts, source=source, detail=change.detail,
            )


def _attachments(
    row: dict[str, object], kind: MessageKind, att_kind: str | None
) -> tuple[Attachment, ...]:
    name, mime = row["media_name"], row["media_mime_type"]
    if kind not in (MessageKind.MEDIA, MessageKind.STICKER) and name is None and mime is None:
        return ()
    if kind in (MessageKind.CALL, MessageKind.SYSTEM):
        return ()
    size = row["media_size"]
    return (
        Attachment(
            file_name=name if isinstance(name, str) else None,
            media_type=mime if isinstance(mime, str) else None,
            kind=attachment_kind_from_mime(mime if isinstance(mime, str) else None, att_kind),
            size=size if isinstance(size, int) else None,
        ),
    )
