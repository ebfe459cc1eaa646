"""Bulk, streaming writes of one exhibit's records inside one transaction."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, CursorResult, Table, func, insert, select, text, update

from conductlens.model import (
    Conversation,
    ExhibitWarning,
    MediaFile,
    MembershipEvent,
    Message,
    ParseIssue,
    Participant,
    Reaction,
    Receipt,
    Record,
    Timestamp,
)
from conductlens.store import stats
from conductlens.store import tables as t
from conductlens.store._bulk import MessageRows

BATCH = 5000
# C0 and C1 control characters: never part of a name a person chose.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class Counts:
    conversations: int = 0
    messages: int = 0
    participants: int = 0
    membership_events: int = 0
    reactions: int = 0
    media_files: int = 0
    unparsed: int = 0
    warnings: list[str] = field(default_factory=list)


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer key
        raise RuntimeError("insert returned no primary key")
    return int(key[0])


def fill_timestamp(ts: Timestamp, zone: ZoneInfo | None) -> tuple[datetime | None, datetime | None]:
    """(local, utc): derive the missing half when the exhibit's zone is known."""
    local, utc = ts.local, ts.utc
    if zone is not None:
        if utc is None and local is not None:
            utc = local.replace(tzinfo=zone).astimezone(UTC)
        if local is None and utc is not None:
            local = utc.astimezone(zone).replace(tzinfo=None)
    return local, utc


class ExhibitWriter:
    """Turns parser records into rows; keys become ids; flushes in batches."""

    def __init__(
        self, conn: Connection, exhibit_id: int, platform: str, zone: ZoneInfo | None,
        relabel: Callable[[str], str] = str,
    ) -> None:
        self.conn = conn
        # Parsers read a staging copy; file names in warnings and issues name the original.
        self.relabel = relabel
        self.exhibit_id = exhibit_id
        self.platform = platform
        self.zone = zone
        self.counts = Counts()
        self._conversations: dict[str, int] = {}
        self._participants: dict[str, int] = {}
        self._rows: dict[str, list[dict[str, Any]]] = {}
        if conn.dialect.name == "postgresql":
            # Message ids are assigned here, so two ingests must not interleave.
            conn.execute(text("LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE"))
        self._next_message_id = (conn.scalar(select(func.max(t.messages.c.id))) or 0) + 1
        self._seq = 0
        self._messages = MessageRows(conn, exhibit_id)
        self._dispatch: dict[type, Callable[[Any], None]] = {
            Conversation: self._conversation,
            Participant: self._participant,
            Message: self._message,
            Reaction: self._reaction,
            MembershipEvent: self._membership,
            Receipt: self._receipt,
            MediaFile: self._media,
            ParseIssue: self._issue,
            ExhibitWarning: self._warning,
        }

    def add(self, record: Record) -> None:
        """Store one record from a parser."""
        self._dispatch[type(record)](record)

    def _conversation(self, rec: Conversation) -> None:
        if rec.key in self._conversations:
            return
        self._conversations[rec.key] = self._insert_one(
            t.conversations,
            exhibit_id=self.exhibit_id,
            key=rec.key,
            platform=rec.platform,
            title=rec.title,
            is_group=rec.is_group,
            source=rec.source.describe(),
        )
        self.counts.conversations += 1

    def _participant(self, rec: Participant) -> None:
        if rec.key not in self._participants and _CONTROLS.search(rec.key):
            self._controlled(rec)
            return
        values = {
            "name": rec.name,
            "phone": rec.phone,
            "platform_id": rec.platform_id,
            "is_owner": rec.is_owner,
            "handle": rec.handle,
        }
        known = self._participants.get(rec.key)
        if known is not None:
            present = {k: v for k, v in values.items() if v}
            if present:
                self.conn.execute(
                    update(t.participants).where(t.participants.c.id == known).values(**present)
                )
            return
        self._participants[rec.key] = self._insert_one(
            t.participants, exhibit_id=self.exhibit_id, key=rec.key, **values
        )
        self.counts.participants += 1

    def _controlled(self, rec: Participant) -> None:
        """A key with control characters (a NUL...) is the same person as the key without.

        The messages keep the characters in ``raw``; the person is not split in two.
        """
        clean = _CONTROLS.sub("", rec.key)
        name = _CONTROLS.sub("", rec.name) if rec.name else rec.name
        self._participant(dataclasses.replace(rec, key=clean, name=name))
        self._participants[rec.key] = self._participants[clean]
        shown = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(_CONTROLS.findall(rec.key))))
        self._warning(ExhibitWarning(
            f"sender {clean!r} is also written with control characters ({shown}); "
            "read as the same person (the characters are kept in raw)"
        ))

    def conversation_id(self, key: str) -> int:
        if key not in self._conversations:
            self._conversation(Conversation(key=key, platform=self.platform))
        return self._conversations[key]

    def participant_id(self, key: str | None) -> int | None:
        if key is None:
            return None
        if key not in self._participants:
            self._participant(Participant(key=key, name=key))
        return self._participants[key]

    def _message(self, rec: Message) -> None:
        message_id = self._next_message_id
        self._next_message_id += 1
        self._seq += 1
        local, utc = fill_timestamp(rec.timestamp, self.zone)
        ids = (
            message_id,
            self.conversation_id(rec.conversation),
            self._seq,
            self.participant_id(rec.sender),
        )
        self._messages.add(rec, ids, local, utc)
        if len(self._messages.rows) >= BATCH:
            self._messages.flush()
        for att in rec.attachments:
            self._buffer(
                t.attachments,
                message_id=message_id,
                file_name=att.file_name,
                media_type=att.media_type,
                kind=att.kind,
                size=att.size,
                sha256=att.sha256,
                omitted=att.omitted,
            )
        self.counts.messages += 1

    def _reaction(self, rec: Reaction) -> None:
        local, utc = fill_timestamp(rec.timestamp, self.zone)
        self._buffer(
            t.reactions,
            exhibit_id=self.exhibit_id,
            conversation_id=self.conversation_id(rec.conversation),
            message_key=rec.message,
            message_id=None,
            sender_id=self.participant_id(rec.sender),
            emoji=rec.emoji,
            ts_local=local,
            ts_utc=utc,
            source=rec.source.describe(),
        )
        self.counts.reactions += 1

    def _receipt(self, rec: Receipt) -> None:
        times = [fill_timestamp(ts, self.zone)[1] for ts in (rec.delivered, rec.read, rec.played)]
        self._buffer(
            t.receipts,
            exhibit_id=self.exhibit_id,
            conversation_id=self.conversation_id(rec.conversation),
            message_key=rec.message,
            message_id=None,
            recipient_id=self.participant_id(rec.recipient),
            delivered_utc=times[0],
            read_utc=times[1],
            played_utc=times[2],
            source=rec.source.describe(),
        )

    def _membership(self, rec: MembershipEvent) -> None:
        local, utc = fill_timestamp(rec.timestamp, self.zone)
        self.counts.membership_events += 1
        self._buffer(
            t.membership_events,
            exhibit_id=self.exhibit_id,
            conversation_id=self.conversation_id(rec.conversation),
            seq=self.counts.membership_events,
            kind=rec.kind.value,
            actor_id=self.participant_id(rec.actor),
            target_id=self.participant_id(rec.target),
            ts_local=local,
            ts_utc=utc,
            detail=rec.detail,
            source=rec.source.describe(),
        )

    def _media(self, rec: MediaFile) -> None:
        self._buffer(
            t.media_files,
            exhibit_id=self.exhibit_id,
            path=rec.path,
            sha256=rec.sha256,
            size=rec.size,
        )
        self.counts.media_files += 1

    def _issue(self, rec: ParseIssue) -> None:
        self._buffer(
            t.unparsed,
            exhibit_id=self.exhibit_id,
            path=self.relabel(rec.path),
            line=rec.line,
            reason=self.relabel(rec.reason),
            raw=rec.raw,
        )
        self.counts.unparsed += 1

    def _warning(self, rec: ExhibitWarning) -> None:
        text = self.relabel(rec.text)
        self._buffer(t.exhibit_warnings, exhibit_id=self.exhibit_id, text=text)
        self.counts.warnings.append(text)

    def _insert_one(self, table: Table, **values: Any) -> int:
        result = self.conn.execute(insert(table).values(**values))
        return inserted_id(result)

    def _buffer(self, table: Table, **values: Any) -> None:
        rows = self._rows.setdefault(table.name, [])
        rows.append(values)
        if len(rows) >= BATCH:
            self._flush(table.name)

    def _flush(self, name: str) -> None:
        rows = self._rows.get(name)
        if not rows:
            return
        if name == "attachments":
            self._messages.flush()
        self.conn.execute(insert(t.metadata.tables[name]), rows)
        self._rows[name] = []

    def finish(self) -> Counts:
        """Flush what is buffered, then link replies and reactions and index for search."""
        self._messages.flush()
        for name in (
            "attachments",
            "reactions",
            "receipts",
            "membership_events",
            "media_files",
            "unparsed",
            "exhibit_warnings",
        ):
            self._flush(name)
        self._link_replies()
        self._link_reactions()
        self._link_receipts()
        self._index_for_search()
        stats.refresh(self.conn)
        return self.counts

    def _link_replies(self) -> None:
        target = t.messages.alias("target")
        lookup = (
            select(target.c.id)
            .where(target.c.exhibit_id == self.exhibit_id)
            .where(target.c.conversation_id == t.messages.c.conversation_id)
            .where(target.c.platform_key == t.messages.c.reply_to_key)
            .limit(1)
            .scalar_subquery()
        )
        self.conn.execute(
            update(t.messages)
            .where(t.messages.c.exhibit_id == self.exhibit_id)
            .where(t.messages.c.reply_to_key.is_not(None))
            .values(reply_to_id=lookup)
        )

    def _link_reactions(self) -> None:
        lookup = (
            select(t.messages.c.id)
            .where(t.messages.c.exhibit_id == self.exhibit_id)
            .where(t.messages.c.conversation_id == t.reactions.c.conversation_id)
            .where(t.messages.c.platform_key == t.reactions.c.message_key)
            .limit(1)
            .scalar_subquery()
        )
        self.conn.execute(
            update(t.reactions)
            .where(t.reactions.c.exhibit_id == self.exhibit_id)
            .values(message_id=lookup)
        )

    def _link_receipts(self) -> None:
        """A receipt row names its message by key, as a reaction does."""
        lookup = (
            select(t.messages.c.id)
            .where(t.messages.c.exhibit_id == self.exhibit_id)
            .where(t.messages.c.conversation_id == t.receipts.c.conversation_id)
            .where(t.messages.c.platform_key == t.receipts.c.message_key)
            .limit(1)
            .scalar_subquery()
        )
        self.conn.execute(
            update(t.receipts)
            .where(t.receipts.c.exhibit_id == self.exhibit_id)
            .values(message_id=lookup)
        )

    def _index_for_search(self) -> None:
        if self.conn.dialect.name == "sqlite":
            self.conn.execute(
                text(
                    "INSERT INTO messages_fts(rowid, text_norm) "
                    "SELECT id, text_norm FROM messages WHERE exhibit_id = :e"
                ),
                {"e": self.exhibit_id},
            )
