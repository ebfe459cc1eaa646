"""Row writers for the Android databases (internal; codes documented in render_msgstore)."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from conductlens.demo._render_common import NameBook, key_id, media_names, to_ms
from conductlens.demo.media import photo_bytes
from conductlens.demo.model import DemoMembership, DemoMessage, Scenario

ACTION = {
    "subject_changed": 1,
    "left": 5,
    "number_changed": 10,
    "created": 11,
    "added": 12,
    "removed": 14,
    "joined_by_link": 20,
}
ACTION_E2E = 67
TYPE_TEXT, TYPE_IMAGE, TYPE_SYSTEM, TYPE_REVOKED = 0, 1, 7, 15
ADD_ON_REACTION = 56
JID_USER, JID_GROUP, JID_LID = 0, 1, 17
_NS = uuid.UUID("6f1c2a4e-0d5b-4c1e-9a57-3d2f7b9e8a10")

Value = str | int | float | bytes | None


def insert(conn: sqlite3.Connection, table: str, values: dict[str, Value]) -> None:
    """``INSERT`` the given columns into ``table``."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values()))


@dataclass(frozen=True, slots=True)
class Jids:
    """Row ids in the ``jid`` table."""

    group: int
    phone: dict[str, int]
    """E.164 number -> row id."""


def lid_user(officer_id: str) -> str:
    """A stable 15-digit LID user part for an officer."""
    digest = hashlib.sha256(f"lid:{officer_id}".encode()).digest()
    return str(100_000_000_000_000 + int.from_bytes(digest[:6], "big") % 899_999_999_999_999)


def _jid(conn: sqlite3.Connection, row: int, user: str, server: str, kind: int) -> None:
    insert(
        conn,
        "jid",
        {
            "_id": row,
            "user": user,
            "server": server,
            "agent": 0,
            "device": 0,
            "type": kind,
            "raw_string": f"{user}@{server}",
        },
    )


def write_jids(conn: sqlite3.Connection, scenario: Scenario) -> Jids:
    """Group, phone and LID JIDs, ``jid_map`` and ``lid_display_name``."""
    group_user = scenario.group_jid.split("@")[0]
    _jid(conn, 1, group_user, "g.us", JID_GROUP)
    phones = [o.phone for o in scenario.officers] + [
        o.new_phone for o in scenario.officers if o.new_phone
    ]
    phone_rows: dict[str, int] = {}
    for phone in phones:
        phone_rows[phone] = len(phone_rows) + 2
        _jid(conn, phone_rows[phone], phone.lstrip("+"), "s.whatsapp.net", JID_USER)
    next_row = len(phone_rows) + 2
    for officer in scenario.officers:
        _jid(conn, next_row, lid_user(officer.id), "lid", JID_LID)
        insert(
            conn,
            "jid_map",
            {"lid_row_id": next_row, "jid_row_id": phone_rows[officer.phone], "sort_id": next_row},
        )
        insert(
            conn,
            "lid_display_name",
            {"lid_row_id": next_row, "display_name": officer.push_name, "username": None},
        )
        next_row += 1
    return Jids(1, phone_rows)


class MsgstoreWriter:
    """Writes messages, system rows, replies, edits, deletions and reactions."""

    def __init__(self, conn: sqlite3.Connection, scenario: Scenario, jids: Jids) -> None:
        self.conn, self.scenario, self.jids = conn, scenario, jids
        self.book = NameBook(scenario)
        self.media = media_names(scenario)
        self.reacted = {r.message_seq for r in scenario.reactions}
        self.by_seq = {m.seq: m for m in scenario.messages}

    def sender_row(self, officer_id: str, when: datetime, from_me: bool) -> int:
        """``sender_jid_row_id``: 0 for the owner, else the phone JID in use at ``when``."""
        if from_me:
            return 0
        return self.jids.phone[self.book.phone(officer_id, when)]

    def _base(
        self, row: int, seq: int, ts: int, from_me: bool, sender: int | None
    ) -> dict[str, Value]:
        return {
            "_id": row,
            "chat_row_id": 1,
            "from_me": int(from_me),
            "key_id": key_id(self.scenario.seed, seq),
            "sender_jid_row_id": sender,
            "status": 13 if from_me else 0,
            "broadcast": 0,
            "recipient_count": 0,
            "origination_flags": 0,
            "origin": 0,
            "timestamp": ts,
            "received_timestamp": ts + 150 + (seq * 37) % 2000,
            "receipt_server_timestamp": ts + 900 if from_me else -1,
            "starred": 0,
            "lookup_tables": 0,
            "sort_id": row,
            "message_add_on_flags": 0,
            "view_mode": 0,
        }

    def banner(self, ts: int) -> None:
        values = self._base(1, 0, ts, False, None)
        values.update(status=6, message_type=TYPE_SYSTEM, text_data=None)
        insert(self.conn, "message", values)
        insert(self.conn, "message_system", {"message_row_id": 1, "action_type": ACTION_E2E})

    def message(self, msg: DemoMessage) -> None:
        row, ts = msg.seq + 1, to_ms(msg.when)
        from_me = msg.sender == self.scenario.owner
        values = self._base(
            row, msg.seq, ts, from_me, self.sender_row(msg.sender, msg.when, from_me)
        )
        kind = {"text": TYPE_TEXT, "media": TYPE_IMAGE, "deleted": TYPE_REVOKED}[msg.kind]
        values.update(
            message_type=kind,
            text_data=msg.text or None,
            message_add_on_flags=int(msg.seq in self.reacted),
        )
        insert(self.conn, "message", values)
        if msg.kind == "media":
            self._media(msg, row, from_me)
        elif msg.kind == "deleted":
            insert(
                self.conn,
                "message_revoked",
                {
                    "message_row_id": row,
                    "revoked_key_id": key_id(self.scenario.seed, -msg.seq),
                    "admin_jid_row_id": None,
                    "revoke_timestamp": ts + 45_000,
                },
            )
        if msg.edited:
            insert(
                self.conn,
                "message_edit_info",
                {
                    "message_row_id": row,
                    "original_key_id": key_id(self.scenario.seed, 10**7 + msg.seq),
                    "edited_timestamp": ts + 90_000,
                    "sender_timestamp": ts + 89_000,
                },
            )
        if msg.reply_to is not None:
            self._quote(row, self.by_seq[msg.reply_to])

    def _media(self, msg: DemoMessage, row: int, from_me: bool) -> None:
        data = photo_bytes(self.scenario.seed, msg.seq)
        folder = "Media/WhatsApp Images/" + ("Sent/" if from_me else "")
        insert(
            self.conn,
            "message_media",
            {
                "message_row_id": row,
                "chat_row_id": 1,
                "autotransfer_retry_enabled": 1,
                "media_job_uuid": str(uuid.uuid5(_NS, f"{self.scenario.seed}:{msg.seq}")),
                "transferred": 1,
                "transcoded": 0,
                "file_path": folder + self.media[msg.seq][0],
                "file_size": len(data),
                "suspicious_content": 0,
                "width": 8,
                "height": 8,
                "mime_type": "image/jpeg",
                "file_length": len(data),
                "file_hash": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            },
        )

    def _quote(self, row: int, parent: DemoMessage) -> None:
        ts = to_ms(parent.when)
        from_me = parent.sender == self.scenario.owner
        kind = {"text": TYPE_TEXT, "media": TYPE_IMAGE, "deleted": TYPE_REVOKED}[parent.kind]
        insert(
            self.conn,
            "message_quoted",
            {
                "message_row_id": row,
                "chat_row_id": 1,
                "parent_message_chat_row_id": 1,
                "from_me": int(from_me),
                "sender_jid_row_id": self.sender_row(parent.sender, parent.when, from_me),
                "key_id": key_id(self.scenario.seed, parent.seq),
                "timestamp": ts,
                "message_type": kind,
                "text_data": parent.text or None,
                "lookup_tables": 0,
                "origin": 0,
            },
        )

    def system(self, event: DemoMembership) -> None:
        row, ts = event.seq + 1, to_ms(event.when)
        from_me = event.actor == self.scenario.owner
        before = event.when - timedelta(seconds=1)
        sender = self.sender_row(event.actor, before, from_me)
        values = self._base(row, event.seq, ts, from_me, sender)
        text = event.new_value if event.kind in ("created", "subject_changed") else None
        values.update(status=6, message_type=TYPE_SYSTEM, text_data=text)
        insert(self.conn, "message", values)
        insert(
            self.conn, "message_system", {"message_row_id": row, "action_type": ACTION[event.kind]}
        )
        self._system_details(event, row)

    def _system_details(self, event: DemoMembership, row: int) -> None:
        affected = event.target if event.kind in ("added", "removed") else event.actor
        if event.kind in ("added", "removed", "left", "joined_by_link"):
            phone = self.book.phone(affected or "", event.when)
            insert(
                self.conn,
                "message_system_chat_participant",
                {"message_row_id": row, "user_jid_row_id": self.jids.phone[phone]},
            )
        if event.kind == "added" and event.target == self.scenario.owner:
            insert(self.conn, "message_system_group", {"message_row_id": row, "is_me_joined": 1})
        if event.kind == "subject_changed":
            insert(
                self.conn,
                "message_system_value_change",
                {"message_row_id": row, "old_data": event.old_value},
            )
        if event.kind == "number_changed":
            officer = self.scenario.officer(event.actor)
            insert(
                self.conn,
                "message_system_number_change",
                {
                    "message_row_id": row,
                    "old_jid_row_id": self.jids.phone[officer.phone],
                    "new_jid_row_id": self.jids.phone[officer.new_phone or officer.phone],
                },
            )

    def reactions(self) -> None:
        for index, reaction in enumerate(self.scenario.reactions, start=1):
            ts = to_ms(reaction.when)
            from_me = reaction.sender == self.scenario.owner
            insert(
                self.conn,
                "message_add_on",
                {
                    "_id": index,
                    "chat_row_id": 1,
                    "from_me": int(from_me),
                    "key_id": key_id(self.scenario.seed, 10**8 + index),
                    "sender_jid_row_id": self.sender_row(reaction.sender, reaction.when, from_me),
                    "parent_message_row_id": reaction.message_seq + 1,
                    "timestamp": ts,
                    "status": 13 if from_me else 0,
                    "message_add_on_type": ADD_ON_REACTION,
                    "received_timestamp": ts + 400,
                    "server_timestamp": ts + 200,
                },
            )
            insert(
                self.conn,
                "message_add_on_reaction",
                {
                    "message_add_on_row_id": index,
                    "reaction": reaction.emoji,
                    "sender_timestamp": ts,
                },
            )
