"""Group membership, chat row, props and ``wa.db`` contacts for the Android renderer."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from conductlens.demo._android_rows import Jids, MsgstoreWriter, insert, write_jids
from conductlens.demo._render_common import NameBook, jid_of, pretty_phone, to_ms
from conductlens.demo.model import DemoMembership, DemoMessage, Scenario

_RANK = {"o01": 2, "o02": 1}


def membership_spans(scenario: Scenario) -> dict[str, tuple[datetime, DemoMembership | None]]:
    """Per officer who ever joined: (when they joined, the event that ended it or None)."""
    spans: dict[str, tuple[datetime, DemoMembership | None]] = {}
    for event in scenario.memberships:
        if event.kind in ("created", "joined_by_link"):
            spans[event.actor] = (event.when, None)
        elif event.kind == "added" and event.target:
            spans[event.target] = (event.when, None)
        elif event.kind in ("left", "removed"):
            who = event.actor if event.kind == "left" else event.target or ""
            spans[who] = (spans[who][0], event)
    return spans


def write_group(conn: sqlite3.Connection, scenario: Scenario, jids: Jids, book: NameBook) -> None:
    """``chat``, ``group_participant_user``, ``group_past_participant_user`` and ``props``."""
    end = scenario.events[-1].when
    spans = membership_spans(scenario)
    current = 0
    for officer_id, (joined, ended) in sorted(spans.items()):
        phone_row = jids.phone[book.phone(officer_id, end)]
        if ended is None:
            current += 1
            insert(
                conn,
                "group_participant_user",
                {
                    "group_jid_row_id": jids.group,
                    "user_jid_row_id": phone_row,
                    "rank": _RANK.get(officer_id, 0),
                    "pending": 0,
                    "add_timestamp": to_ms(joined),
                    "label": None,
                },
            )
        else:
            insert(
                conn,
                "group_past_participant_user",
                {
                    "group_jid_row_id": jids.group,
                    "user_jid_row_id": phone_row,
                    "is_leave": int(ended.kind == "left"),
                    "timestamp": to_ms(ended.when),
                },
            )
    last_row = scenario.events[-1].seq + 1
    insert(
        conn,
        "chat",
        {
            "_id": 1,
            "jid_row_id": jids.group,
            "hidden": 0,
            "subject": scenario.subject,
            "created_timestamp": to_ms(scenario.events[0].when),
            "display_message_row_id": last_row,
            "last_message_row_id": last_row,
            "last_read_message_row_id": last_row,
            "last_read_receipt_sent_message_row_id": last_row,
            "archived": 0,
            "sort_timestamp": to_ms(end),
            "unseen_message_count": 0,
            "unseen_row_count": 0,
            "group_type": 0,
            "last_read_message_sort_id": last_row,
            "display_message_sort_id": last_row,
            "last_message_sort_id": last_row,
            "group_member_count": current,
        },
    )
    owner = scenario.officer(scenario.owner)
    insert(conn, "props", {"key": "user_push_name", "value": owner.name})


def fill_msgstore(conn: sqlite3.Connection, scenario: Scenario) -> None:
    """Fill every demo table of ``msgstore.db``."""
    jids = write_jids(conn, scenario)
    writer = MsgstoreWriter(conn, scenario, jids)
    writer.banner(to_ms(scenario.events[0].when))
    for event in scenario.events:
        if isinstance(event, DemoMessage):
            writer.message(event)
        else:
            writer.system(event)
    writer.reactions()
    write_group(conn, scenario, jids, writer.book)
    write_receipts(conn, scenario, jids, writer.book)


def write_receipts(conn: sqlite3.Connection, scenario: Scenario, jids: Jids,
                   book: NameBook) -> None:
    """``receipt_user`` for the owner's own messages (the only ones a phone keeps receipts
    for): every member in the group when it was sent got it; most read it within the hour,
    every fifth (by a fixed rule) never did."""
    spans = membership_spans(scenario)
    for msg in scenario.messages:
        if msg.sender != scenario.owner or msg.kind == "deleted":
            continue
        sent = to_ms(msg.when)
        for n, (officer_id, (joined, ended)) in enumerate(sorted(spans.items())):
            if officer_id == scenario.owner or not (
                    joined <= msg.when and (ended is None or msg.when < ended.when)):
                continue
            unread = (msg.seq + n) % 5 == 0
            insert(conn, "receipt_user", {
                "message_row_id": msg.seq + 1,
                "receipt_user_jid_row_id": jids.phone[book.phone(officer_id, msg.when)],
                "receipt_timestamp": sent + 2000 + 100 * n,
                "read_timestamp": -1 if unread else sent + 60_000 * (1 + (msg.seq + n) % 50),
                "played_timestamp": -1,
            })


def write_contacts(conn: sqlite3.Connection, scenario: Scenario) -> None:
    """``wa_contacts``: the group and every number, with address-book names where saved."""
    insert(
        conn,
        "wa_contacts",
        {
            "jid": scenario.group_jid,
            "is_whatsapp_user": 1,
            "display_name": scenario.subject,
            "sort_name": scenario.subject,
        },
    )
    for index, officer in enumerate(scenario.officers, start=1):
        saved = officer.contact_name if officer.id != scenario.owner else officer.name
        given, _, family = (saved or "").partition(" ")
        insert(
            conn,
            "wa_contacts",
            {
                "jid": jid_of(officer.phone),
                "is_whatsapp_user": 1,
                "number": pretty_phone(officer.phone) if saved else None,
                "raw_contact_id": index if saved else None,
                "display_name": saved,
                "phone_type": 2 if saved else None,
                "given_name": given or None,
                "family_name": family or None,
                "wa_name": officer.push_name,
                "sort_name": saved,
                "is_sidelist_synced": 0,
                "is_business_synced": 0,
            },
        )
        if officer.new_phone:
            insert(
                conn,
                "wa_contacts",
                {
                    "jid": jid_of(officer.new_phone),
                    "is_whatsapp_user": 1,
                    "wa_name": officer.push_name,
                    "is_sidelist_synced": 0,
                    "is_business_synced": 0,
                },
            )
