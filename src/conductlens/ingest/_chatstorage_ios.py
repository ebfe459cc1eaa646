"""WhatsApp iOS ``ChatStorage.sqlite`` (Core Data): tables, type codes and reading.

Dates are Core Data seconds since 2001-01-01 UTC. Group members are rows of
``ZWAGROUPMEMBER`` referenced by ``ZWAMESSAGE.ZGROUPMEMBER``. A reply points at its quoted
message through ``ZPARENTMESSAGE`` when WhatsApp kept that link, else through field 5 of
the protobuf in ``ZWAMEDIAITEM.ZMETADATA`` (the quoted stanza id).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from conductlens.ingest._chatstorage_proto import quoted_stanza, reactions
from conductlens.ingest._group_members import ios_members, uninterpreted_changes
from conductlens.ingest._msgstore_contacts import OWNER, OWNER_NAME
from conductlens.ingest._msgstore_sqlite import (
    Schema,
    apple_to_utc,
    bare_jid,
    phone_from_jid,
    raw_row,
    row_dict,
)
from conductlens.ingest._msgstore_system import SystemFacts, changes, describe
from conductlens.model import (
    Attachment,
    Conversation,
    ExhibitWarning,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    Participant,
    Reaction,
    Record,
    SourceRef,
    Timestamp,
)

REQUIRED: dict[str, tuple[str, ...]] = {
    "ZWAMESSAGE": ("Z_PK", "ZCHATSESSION", "ZISFROMME", "ZMESSAGEDATE", "ZMESSAGETYPE"),
    "ZWACHATSESSION": ("Z_PK", "ZCONTACTJID"),
}

# ZMESSAGETYPE -> (kind, attachment kind); 6 is a group event, 10 a call/security notice.
TYPES: dict[int, tuple[MessageKind, str | None]] = {
    0: (MessageKind.TEXT, None), 1: (MessageKind.MEDIA, "image"),
    2: (MessageKind.MEDIA, "video"), 3: (MessageKind.MEDIA, "audio"),
    4: (MessageKind.CONTACT, None), 5: (MessageKind.LOCATION, None),
    6: (MessageKind.SYSTEM, None), 7: (MessageKind.TEXT, None),
    8: (MessageKind.MEDIA, "document"), 10: (MessageKind.SYSTEM, None),
    11: (MessageKind.MEDIA, "gif"), 12: (MessageKind.OTHER, None),
    14: (MessageKind.DELETED, None), 15: (MessageKind.STICKER, "sticker"),
    38: (MessageKind.MEDIA, "image"), 39: (MessageKind.MEDIA, "video"),
    46: (MessageKind.POLL, None), 53: (MessageKind.MEDIA, "audio"),
    54: (MessageKind.MEDIA, "video"), 59: (MessageKind.CALL, None),
}
_MISSED_CALL_EVENTS = frozenset({1, 4, 21, 22, 45, 46})  # with ZMESSAGETYPE 10
NOTICES: dict[int, str] = {  # ZGROUPEVENTTYPE with ZMESSAGETYPE 10, after IPED
    2: "Messages and calls are end-to-end encrypted",
    3: "The security code changed", 36: "The security code changed",
    5: "This contact changed their phone number (chat with the old number)",
    6: "This contact changed their phone number (chat with the new number)",
    26: "This chat is with a business account", 34: "A contact was blocked",
    35: "A contact was unblocked",
}

# ZGROUPEVENTTYPE (with ZMESSAGETYPE 6) -> membership change, after IPED's ExtractorIOS.
GROUP_EVENTS: dict[int, MembershipKind] = {
    1: MembershipKind.SUBJECT_CHANGED, 2: MembershipKind.ADDED, 3: MembershipKind.LEFT,
    4: MembershipKind.ICON_CHANGED, 5: MembershipKind.ICON_CHANGED,
    7: MembershipKind.REMOVED, 9: MembershipKind.NUMBER_CHANGED,
    10: MembershipKind.ADMIN_CHANGED, 11: MembershipKind.ADMIN_CHANGED,
    12: MembershipKind.CREATED, 15: MembershipKind.JOINED_BY_LINK,
    17: MembershipKind.DESCRIPTION_CHANGED, 18: MembershipKind.SETTINGS_CHANGED,
    19: MembershipKind.SETTINGS_CHANGED, 20: MembershipKind.SETTINGS_CHANGED,
    21: MembershipKind.SETTINGS_CHANGED, 22: MembershipKind.DESCRIPTION_CHANGED,
    23: MembershipKind.JOINED, 26: MembershipKind.SETTINGS_CHANGED,
    30: MembershipKind.JOINED, 39: MembershipKind.ADMIN_CHANGED,
    42: MembershipKind.SETTINGS_CHANGED, 50: MembershipKind.ADDED,
    56: MembershipKind.SUBJECT_CHANGED,
}
_ABOUT_TARGET = frozenset({
    MembershipKind.ADDED, MembershipKind.LEFT, MembershipKind.REMOVED,
    MembershipKind.JOINED_BY_LINK, MembershipKind.JOINED, MembershipKind.ADMIN_CHANGED,
})

_OPTIONAL = ("ZGROUPEVENTTYPE", "ZGROUPMEMBER", "ZTEXT", "ZSTANZAID", "ZFROMJID", "ZTOJID",
             "ZFLAGS")
_MEDIA = ("ZMEDIALOCALPATH", "ZTITLE", "ZFILESIZE", "ZLATITUDE", "ZLONGITUDE", "ZVCARDSTRING",
          "ZMETADATA")


class ChatStorage:
    """Reads one ChatStorage.sqlite; ``records()`` streams everything in it."""

    def __init__(self, conn: sqlite3.Connection, schema: Schema, path: str) -> None:
        self.conn = conn
        self.schema = schema
        self.path = path
        self.names: dict[str, str] = _push_names(conn, schema)
        self.chats: dict[int, tuple[str, str | None]] = {}
        self._yielded: set[str] = set()

    def records(self) -> Iterator[Record]:
        """Owner, conversations with members, then messages and membership events."""
        yield from self._introduce(OWNER)
        yield from self._conversations()
        yield from self._members()
        yield from ios_members(self.conn, self.schema, self.path, self._group_key,
                               bare_jid)
        for row in self.conn.execute(self._sql()):
            yield from self._message(row_dict(row))
        warning = uninterpreted_changes(self.conn, self.schema)
        if warning:
            yield ExhibitWarning(warning)

    def _introduce(self, *keys: str | None) -> Iterator[Participant]:
        for key in keys:
            if key is None or key in self._yielded:
                continue
            self._yielded.add(key)
            if key == OWNER:
                yield Participant(key=OWNER, name=OWNER_NAME, is_owner=True)
            else:
                yield Participant(key=key, name=self.names.get(key), phone=phone_from_jid(key),
                                  platform_id=key)

    def name(self, key: str | None) -> str:
        """Readable name for system-message text."""
        if key is None:
            return "someone"
        if key == OWNER:
            return OWNER_NAME
        return self.names.get(key) or phone_from_jid(key) or key.partition("@")[0]

    def _conversations(self) -> Iterator[Record]:
        partner = self.schema.col("ZWACHATSESSION", "c", "ZPARTNERNAME", "partner_name")
        sql = f"SELECT c.Z_PK, c.ZCONTACTJID, {partner} FROM ZWACHATSESSION c"
        for row in self.conn.execute(sql):
            jid = str(row["ZCONTACTJID"] or f"chat:{row['Z_PK']}")
            is_group = jid.endswith("@g.us")
            key = None if is_group else bare_jid(jid)
            title = row["partner_name"]
            if key and title:
                self.names.setdefault(key, str(title))
            self.chats[int(row["Z_PK"])] = (jid, key)
            yield Conversation(
                key=jid, platform="whatsapp", title=title or (key and self.name(key)),
                is_group=is_group,
                source=SourceRef(path=self.path, table="ZWACHATSESSION", row_id=str(row["Z_PK"])),
            )
            yield from self._introduce(key)

    def _group_key(self, session: object) -> str | None:
        found = self.chats.get(session) if isinstance(session, int) else None
        return found[0] if found is not None and found[0].endswith("@g.us") else None

    def _members(self) -> Iterator[Record]:
        if not self.schema.has("ZWAGROUPMEMBER", "Z_PK", "ZMEMBERJID"):
            return
        cols = [self.schema.col("ZWAGROUPMEMBER", "g", c, c) for c in ("ZCONTACTNAME",
                                                                      "ZFIRSTNAME")]
        sql = f"SELECT g.ZMEMBERJID, {', '.join(cols)} FROM ZWAGROUPMEMBER g"
        for row in self.conn.execute(sql):
            if not row["ZMEMBERJID"]:
                continue
            key = bare_jid(str(row["ZMEMBERJID"]))
            name = row["ZCONTACTNAME"] or row["ZFIRSTNAME"]
            if name:
                self.names.setdefault(key, str(name))
            yield from self._introduce(key)

    def _sql(self) -> str:
        s = self.schema
        cols = ["m.Z_PK AS row_id", "m.ZCHATSESSION", "m.ZISFROMME", "m.ZMESSAGEDATE",
                "m.ZMESSAGETYPE"]
        cols += [s.col("ZWAMESSAGE", "m", c, c) for c in _OPTIONAL]
        joins = []
        if s.has("ZWAGROUPMEMBER", "Z_PK", "ZMEMBERJID") and s.has("ZWAMESSAGE", "ZGROUPMEMBER"):
            joins.append("LEFT JOIN ZWAGROUPMEMBER gm ON gm.Z_PK = m.ZGROUPMEMBER")
            cols.append("gm.ZMEMBERJID AS member_jid")
        else:
            cols.append("NULL AS member_jid")
        media_on = _media_join(s)
        if media_on:
            joins.append(f"LEFT JOIN ZWAMEDIAITEM mi ON {media_on}")
        cols += [s.col("ZWAMEDIAITEM", "mi", c, c) if media_on else f"NULL AS {c}"
                 for c in _MEDIA]
        if s.has("ZWAMESSAGE", "ZMESSAGEINFO") and s.has("ZWAMESSAGEINFO", "Z_PK",
                                                         "ZRECEIPTINFO"):
            joins.append("LEFT JOIN ZWAMESSAGEINFO info ON info.Z_PK = m.ZMESSAGEINFO")
            cols.append("info.ZRECEIPTINFO AS receipt_info")
        else:
            cols.append("NULL AS receipt_info")
        if s.has("ZWAMESSAGE", "ZPARENTMESSAGE", "ZSTANZAID"):
            joins.append("LEFT JOIN ZWAMESSAGE p ON p.Z_PK = m.ZPARENTMESSAGE")
            cols.append("p.ZSTANZAID AS parent_stanza")
        else:
            cols.append("NULL AS parent_stanza")
        return (f"SELECT {', '.join(cols)} FROM ZWAMESSAGE m {' '.join(joins)} "
                "ORDER BY m.ZCHATSESSION, m.ZMESSAGEDATE, m.Z_PK")

    def _message(self, row: dict[str, object]) -> Iterator[Record]:
        chat = row["ZCHATSESSION"]
        if not isinstance(chat, int) or chat not in self.chats:
            self.chats[int(str(chat or 0))] = (f"chat:{chat}", None)
            yield Conversation(key=f"chat:{chat}", platform="whatsapp")
        conv, partner = self.chats[int(str(chat or 0))]
        source = SourceRef(path=self.path, table="ZWAMESSAGE", row_id=str(row["row_id"]))
        ts = Timestamp(utc=apple_to_utc(row["ZMESSAGEDATE"]))
        mtype = row["ZMESSAGETYPE"] if isinstance(row["ZMESSAGETYPE"], int) else -1
        event = row["ZGROUPEVENTTYPE"] if isinstance(row["ZGROUPEVENTTYPE"], int) else 0
        member = bare_jid(str(row["member_jid"])) if row["member_jid"] else None
        if mtype == 6:
            yield from self._event(row, conv, ts, source, event, member)
            return
        kind, att_kind = TYPES.get(mtype, (MessageKind.OTHER, None))
        if mtype == 10 and event in _MISSED_CALL_EVENTS:
            kind = MessageKind.CALL
        sender = None if kind is MessageKind.SYSTEM else self._sender(row, conv, partner, member)
        yield from self._introduce(sender)
        text = NOTICES.get(event, f"Notice (WhatsApp iOS event {event})") if mtype == 10 else ""
        yield Message(
            conversation=conv, sender=sender, timestamp=ts, kind=kind,
            text=text if kind is MessageKind.SYSTEM else _body(row, kind),
            raw=raw_row("ZWAMESSAGE", row), source=source, key=_str(row["ZSTANZAID"]),
            forwarded=isinstance(row["ZFLAGS"], int) and bool(row["ZFLAGS"] & 0x80),
            reply_to=_str(row["parent_stanza"]) or quoted_stanza(row["ZMETADATA"]),
            attachments=_attachments(row, att_kind),
        )
        yield from self._reactions(row, conv)

    def _reactions(self, row: dict[str, object], conv: str) -> Iterator[Record]:
        stanza = _str(row["ZSTANZAID"])
        found = reactions(row["receipt_info"])
        if stanza is None or not found:
            return
        source = SourceRef(path=self.path, table="ZWAMESSAGEINFO", row_id=str(row["row_id"]))
        for blob in found:
            sender = bare_jid(blob.sender) if blob.sender else OWNER
            yield from self._introduce(sender)
            yield Reaction(conversation=conv, message=stanza, sender=sender, emoji=blob.emoji,
                           timestamp=Timestamp(utc=blob.when), source=source)

    def _sender(self, row: dict[str, object], conv: str, partner: str | None,
                member: str | None) -> str | None:
        if row["ZISFROMME"] == 1:
            return OWNER
        if conv.endswith("@g.us"):
            return member
        from_jid = row["ZFROMJID"]
        return bare_jid(from_jid) if isinstance(from_jid, str) and from_jid else partner

    def _event(self, row: dict[str, object], conv: str, ts: Timestamp, source: SourceRef,
               event: int, member: str | None) -> Iterator[Record]:
        kind = GROUP_EVENTS.get(event)
        who = member or OWNER  # WhatsApp leaves ZGROUPMEMBER empty when the event is "you"
        text = _str(row["ZTEXT"])
        if kind in _ABOUT_TARGET:
            # For added/removed ZTEXT holds the JID of who did it (IPED's reading).
            by = bare_jid(text) if text and "@" in text else None
            facts = SystemFacts(action=event, actor=by, targets=(who,), kind=kind)
        else:
            facts = SystemFacts(action=event, actor=who, new_value=text, kind=kind)
        yield from self._introduce(facts.actor, *facts.targets)
        body = describe(facts, self.name) if kind else f"Group event {event}"
        yield Message(
            conversation=conv, sender=None, timestamp=ts, kind=MessageKind.SYSTEM, text=body,
            raw=raw_row("ZWAMESSAGE", row), source=source, key=_str(row["ZSTANZAID"]),
        )
        for change in changes(facts):
            yield MembershipEvent(
                conversation=conv, kind=change.kind, actor=change.actor, target=change.target,
                timestamp=ts, source=source, detail=change.detail,
            )


def _media_join(schema: Schema) -> str | None:
    if schema.has("ZWAMESSAGE", "ZMEDIAITEM") and schema.has("ZWAMEDIAITEM", "Z_PK"):
        return "mi.Z_PK = m.ZMEDIAITEM"
    if schema.has("ZWAMEDIAITEM", "ZMESSAGE"):
        return "mi.ZMESSAGE = m.Z_PK"
    return None


def _push_names(conn: sqlite3.Connection, schema: Schema) -> dict[str, str]:
    if not schema.has("ZWAPROFILEPUSHNAME", "ZJID", "ZPUSHNAME"):
        return {}
    rows = conn.execute("SELECT ZJID, ZPUSHNAME FROM ZWAPROFILEPUSHNAME")
    return {bare_jid(str(j)): str(n) for j, n in rows if j and n}


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _body(row: dict[str, object], kind: MessageKind) -> str:
    """ZTEXT, or for media the caption WhatsApp keeps in ZWAMEDIAITEM.ZTITLE."""
    text = _str(row["ZTEXT"])
    if not text and kind is MessageKind.MEDIA:
        text = _str(row["ZTITLE"])
    return text or ""


def _attachments(row: dict[str, object], att_kind: str | None) -> tuple[Attachment, ...]:
    path = row["ZMEDIALOCALPATH"]
    if path is None and att_kind is None:
        return ()
    size = row["ZFILESIZE"]
    return (Attachment(
        file_name=_str(path), kind=att_kind or "other",
        size=size if isinstance(size, int) and size > 0 else None,
    ),)
