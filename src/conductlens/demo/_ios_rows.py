"""Row writers for ``ChatStorage.sqlite`` (internal; codes documented in render_ios_sqlite)."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import uuid
from collections import defaultdict

from conductlens.demo._android_groups import membership_spans
from conductlens.demo._android_rows import Value, insert
from conductlens.demo._ios_schema import ENT
from conductlens.demo._render_common import NameBook, jid_of, key_id, media_names, to_ios
from conductlens.demo.media import photo_bytes
from conductlens.demo.model import DemoMembership, DemoMessage, DemoReaction, Scenario

__all__ = ["EDITED_FLAG", "Scenario", "fill", "receipt_info"]

EDITED_FLAG = 1 << 20
TYPE = {"text": 0, "media": 1, "deleted": 14}
GROUP_EVENT = {
    "created": 12,
    "subject_changed": 1,
    "added": 2,
    "joined_by_link": 15,
    "left": 3,
    "removed": 7,
}
NOTICE, EVENT, BANNER_EVENT, NUMBER_EVENT = 10, 6, 2, 9
_NS = uuid.UUID("0b7e3c52-91a4-4f0e-8d3a-6c2b1e9f7a44")


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def receipt_info(reactions: list[DemoReaction], owner: str, book: NameBook) -> bytes:
    """``ZRECEIPTINFO`` protobuf holding the reactions to one message."""
    entries = b""
    for reaction in reactions:
        millis = int(reaction.when.timestamp()) * 1000
        emoji = reaction.emoji.encode()
        if reaction.sender == owner:
            entries += _field(2, _field(2, emoji) + _field(3, millis))
        else:
            jid = jid_of(book.phone(reaction.sender, reaction.when)).encode()
            entries += _field(1, _field(2, jid) + _field(3, emoji) + _field(4, millis))
    return _field(7, entries)


class _Members:
    """``ZWAGROUPMEMBER`` rows keyed by (officer, phone)."""

    def __init__(self, conn: sqlite3.Connection, scenario: Scenario, book: NameBook) -> None:
        self.rows: dict[tuple[str, str], int] = {}
        self.push_names = 0
        spans = membership_spans(scenario)
        end = scenario.events[-1].when
        for officer in scenario.officers:
            if officer.id == scenario.owner or officer.id not in spans:
                continue
            current_phone = book.phone(officer.id, end)
            active = spans[officer.id][1] is None
            for phone in (officer.phone, officer.new_phone):
                if phone is None:
                    continue
                saved = officer.contact_name if phone == officer.phone else None
                pk = len(self.rows) + 1
                self.rows[(officer.id, phone)] = pk
                insert(
                    conn,
                    "ZWAGROUPMEMBER",
                    {
                        "Z_PK": pk,
                        "Z_ENT": ENT["ZWAGROUPMEMBER"],
                        "Z_OPT": 1,
                        "ZISACTIVE": int(active and phone == current_phone),
                        "ZISADMIN": int(officer.id in ("o01", "o02")),
                        "ZSENDERKEYSENT": 1,
                        "ZCHATSESSION": 1,
                        "ZCONTACTNAME": saved,
                        "ZFIRSTNAME": saved.split()[0] if saved else None,
                        "ZMEMBERJID": jid_of(phone),
                    },
                )
            self.push_names += 1
            insert(
                conn,
                "ZWAPROFILEPUSHNAME",
                {
                    "Z_PK": self.push_names,
                    "Z_ENT": ENT["ZWAPROFILEPUSHNAME"],
                    "Z_OPT": 1,
                    "ZJID": jid_of(officer.phone),
                    "ZPUSHNAME": officer.push_name,
                },
            )


class _Writer:
    def __init__(self, conn: sqlite3.Connection, scenario: Scenario) -> None:
        self.conn, self.scenario = conn, scenario
        self.book = NameBook(scenario)
        self.members = _Members(conn, scenario, self.book)
        self.media = media_names(scenario)
        self.reactions: dict[int, list[DemoReaction]] = defaultdict(list)
        for reaction in scenario.reactions:
            self.reactions[reaction.message_seq].append(reaction)
        self.media_pk = 0
        self.info_pk = 0

    def member(self, officer_id: str, phone_at: DemoMessage | DemoMembership) -> int | None:
        if officer_id == self.scenario.owner:
            return None
        return self.members.rows[(officer_id, self.book.phone(officer_id, phone_at.when))]

    def base(self, pk: int, seq: int, when: float, from_me: bool) -> dict[str, Value]:
        group = self.scenario.group_jid
        return {
            "Z_PK": pk,
            "Z_ENT": ENT["ZWAMESSAGE"],
            "Z_OPT": 1,
            "ZFLAGS": 0,
            "ZGROUPEVENTTYPE": 0,
            "ZISFROMME": int(from_me),
            "ZMESSAGEERRORSTATUS": 0,
            "ZMESSAGESTATUS": 8 if from_me else 6,
            "ZSORT": pk,
            "ZSPOTLIGHTSTATUS": 0,
            "ZSTARRED": 0,
            "ZCHATSESSION": 1,
            "ZMESSAGEDATE": when,
            "ZSENTDATE": when,
            "ZFROMJID": None if from_me else group,
            "ZTOJID": group if from_me else None,
            "ZSTANZAID": key_id(self.scenario.seed, seq),
        }

    def banner(self) -> None:
        row = self.base(1, 0, to_ios(self.scenario.events[0].when), False)
        row.update(ZMESSAGETYPE=NOTICE, ZGROUPEVENTTYPE=BANNER_EVENT, ZMESSAGESTATUS=0)
        _insert(self.conn, row)

    def message(self, msg: DemoMessage) -> None:
        pk = msg.seq + 1
        from_me = msg.sender == self.scenario.owner
        row = self.base(pk, msg.seq, to_ios(msg.when), from_me)
        officer = self.scenario.officer(msg.sender)
        row.update(
            ZMESSAGETYPE=TYPE[msg.kind],
            ZGROUPMEMBER=self.member(msg.sender, msg),
            ZPUSHNAME=None if from_me else officer.push_name,
            ZTEXT=msg.text if msg.kind == "text" else None,
            ZFLAGS=EDITED_FLAG if msg.edited else 0,
            ZPARENTMESSAGE=msg.reply_to + 1 if msg.reply_to is not None else None,
        )
        if msg.kind == "media":
            row["ZMEDIAITEM"] = self._media(msg, pk)
        if msg.seq in self.reactions:
            row["ZMESSAGEINFO"] = self._info(msg.seq, pk)
        _insert(self.conn, row)

    def _media(self, msg: DemoMessage, pk: int) -> int:
        self.media_pk += 1
        data = photo_bytes(self.scenario.seed, msg.seq)
        name = uuid.uuid5(_NS, f"{self.scenario.seed}:{msg.seq}")
        insert(
            self.conn,
            "ZWAMEDIAITEM",
            {
                "Z_PK": self.media_pk,
                "Z_ENT": ENT["ZWAMEDIAITEM"],
                "Z_OPT": 1,
                "ZFILESIZE": len(data),
                "ZMESSAGE": pk,
                "ZASPECTRATIO": 1.0,
                "ZMEDIALOCALPATH": f"Media/{self.scenario.group_jid}/{str(name)[0]}/"
                f"{str(name)[1]}/{name}.jpg",
                "ZMEDIAURL": f"https://mmg.whatsapp.net/v/t62.7118-24/demo-{msg.seq}.enc",
                "ZTITLE": msg.text or None,
                "ZVCARDSTRING": "image/jpeg",
                "ZVCARDNAME": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            },
        )
        return self.media_pk

    def _info(self, seq: int, pk: int) -> int:
        self.info_pk += 1
        blob = receipt_info(self.reactions[seq], self.scenario.owner, self.book)
        insert(
            self.conn,
            "ZWAMESSAGEINFO",
            {
                "Z_PK": self.info_pk,
                "Z_ENT": ENT["ZWAMESSAGEINFO"],
                "Z_OPT": 1,
                "ZMESSAGE": pk,
                "ZRECEIPTINFO": blob,
            },
        )
        return self.info_pk

    def event(self, event: DemoMembership) -> None:
        pk = event.seq + 1
        row = self.base(pk, event.seq, to_ios(event.when), event.actor == self.scenario.owner)
        row.update(ZMESSAGETYPE=EVENT, ZMESSAGESTATUS=0)
        affected = event.target if event.kind in ("added", "removed") else event.actor
        text: str | None = event.new_value
        if event.kind in ("added", "removed"):
            text = jid_of(self.book.phone(event.actor, event.when))
        elif event.kind in ("left", "joined_by_link"):
            text = None
        if event.kind == "number_changed":
            officer = self.scenario.officer(event.actor)
            row.update(ZGROUPEVENTTYPE=NUMBER_EVENT)
            row["ZGROUPMEMBER"] = self.members.rows[(event.actor, officer.phone)]
            text = jid_of(officer.new_phone or officer.phone)
        else:
            row["ZGROUPEVENTTYPE"] = GROUP_EVENT[event.kind]
            row["ZGROUPMEMBER"] = self.member(affected or "", event)
        row["ZTEXT"] = text
        _insert(self.conn, row)


def _insert(conn: sqlite3.Connection, row: dict[str, Value]) -> None:
    insert(conn, "ZWAMESSAGE", row)


def _session(conn: sqlite3.Connection, scenario: Scenario) -> None:
    last = scenario.events[-1]
    creator = jid_of(scenario.officer("o01").phone)
    changes = [m for m in scenario.memberships if m.kind in ("created", "subject_changed")]
    insert(
        conn,
        "ZWAGROUPINFO",
        {
            "Z_PK": 1,
            "Z_ENT": ENT["ZWAGROUPINFO"],
            "Z_OPT": 1,
            "ZSTATE": 0,
            "ZCHATSESSION": 1,
            "ZCREATIONDATE": to_ios(scenario.events[0].when),
            "ZSUBJECTTIMESTAMP": to_ios(changes[-1].when),
            "ZCREATORJID": creator,
            "ZOWNERJID": creator,
            "ZSUBJECTOWNERJID": jid_of(scenario.officer(changes[-1].actor).phone),
        },
    )
    text = last.text if isinstance(last, DemoMessage) else None
    insert(
        conn,
        "ZWACHATSESSION",
        {
            "Z_PK": 1,
            "Z_ENT": ENT["ZWACHATSESSION"],
            "Z_OPT": 1,
            "ZARCHIVED": 0,
            "ZFLAGS": 0,
            "ZHIDDEN": 0,
            "ZMESSAGECOUNTER": len(scenario.events) + 1,
            "ZREMOVED": 0,
            "ZSESSIONTYPE": 1,
            "ZSPOTLIGHTSTATUS": 0,
            "ZUNREADCOUNT": 0,
            "ZGROUPINFO": 1,
            "ZLASTMESSAGE": last.seq + 1,
            "ZLASTMESSAGEDATE": to_ios(last.when),
            "ZCONTACTJID": scenario.group_jid,
            "ZLASTMESSAGETEXT": text,
            "ZPARTNERNAME": scenario.subject,
        },
    )


def fill(conn: sqlite3.Connection, scenario: Scenario) -> None:
    """Fill every demo table except the Core Data bookkeeping ones."""
    writer = _Writer(conn, scenario)
    writer.banner()
    for event in scenario.events:
        if isinstance(event, DemoMessage):
            writer.message(event)
        else:
            writer.event(event)
    _session(conn, scenario)
