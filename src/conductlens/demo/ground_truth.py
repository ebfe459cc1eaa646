"""Write ``ground_truth.json``: what was planted in the demo group, and where to find it.

Every message and group event has a ``seq`` (1-based, timeline order).  In the databases
``msgstore.db`` ``message._id`` and ``ChatStorage.sqlite`` ``ZWAMESSAGE.Z_PK`` are ``seq + 1``
(row 1 is the encryption banner) and ``key_id`` / ``ZSTANZAID`` is the same string in both.
The Android ``.txt`` and the iOS ``_chat.txt`` have one header line per event after the
banner line, in ``seq`` order.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from conductlens.demo._render_common import NameBook, key_id, media_names
from conductlens.demo.model import DemoMessage, PlantedIncident, Scenario

SCHEMA = "conductlens-demo-ground-truth/1"
CATEGORIES: tuple[str, ...] = (
    "race",
    "religion",
    "sex",
    "sexual_orientation",
    "gender_reassignment",
    "disability",
    "age",
    "sexual_violence",
    "domestic_abuse",
    "violence",
    "bullying",
    "mocking_victims",
    "personal_data",
    "police_information",
    "collusion",
    "drugs",
    "profanity",
)


def counts(scenario: Scenario) -> dict[str, Any]:
    """Totals that every rendering must agree with."""
    messages = scenario.messages
    kinds = Counter(m.kind for m in messages)
    membership = Counter(e.kind for e in scenario.memberships)
    return {
        "events": len(scenario.events),
        "messages": len(messages),
        "text_messages": kinds["text"],
        "media_messages": kinds["media"],
        "deleted_messages": kinds["deleted"],
        "edited_messages": sum(m.edited for m in messages),
        "replies": sum(m.reply_to is not None for m in messages),
        "reactions": len(scenario.reactions),
        "messages_with_reactions": len({r.message_seq for r in scenario.reactions}),
        "membership_events": len(scenario.memberships),
        "membership_by_kind": dict(sorted(membership.items())),
        "incidents": len(scenario.incidents),
        "hard_negatives": len(scenario.hard_negatives),
        "android_txt_header_lines": len(scenario.events) + 1,
        "ios_chat_header_lines": len(scenario.events) + 1,
        "msgstore_message_rows": len(scenario.events) + 1,
        "chatstorage_message_rows": len(scenario.events) + 1,
    }


def _incident(scenario: Scenario, book: NameBook, incident: PlantedIncident) -> dict[str, Any]:
    message = next(m for m in scenario.messages if m.seq == incident.seq)
    engaged = {incident.sender, *incident.endorsed_by, *incident.challengers,
               *incident.neutral_by}
    media = media_names(scenario).get(incident.seq)
    return {
        "id": incident.id,
        "seq": incident.seq,
        "key_id": key_id(scenario.seed, incident.seq),
        "when": message.when.isoformat(),
        "sender": incident.sender,
        "sender_shown_as": book.name(incident.sender, message.when),
        "category": incident.category,
        "severity": incident.severity,
        "text": incident.text,
        "description": incident.description,
        "media": {"android": media[0], "ios": media[1]} if media else None,
        "reactions": [
            {"sender": r.sender, "emoji": r.emoji, "when": r.when.isoformat()}
            for r in scenario.reactions
            if r.message_seq == incident.seq
        ],
        "laughed_by": list(incident.laughed_by),
        "laughing_reply_seqs": list(incident.laughing_reply_seqs),
        "challenged_by": incident.challenged_by,
        "challenge_seq": incident.challenge_seq,
        "left_after": incident.left_after,
        "leave_seq": incident.leave_seq,
        "members_at_time": list(incident.members_at_time),
        "silent_members": [m for m in incident.members_at_time if m not in engaged],
        **_responses(scenario, book, incident, message),
    }


def _responses(scenario: Scenario, book: NameBook, incident: PlantedIncident,
               message: DemoMessage) -> dict[str, Any]:
    """Who was present, endorsed and challenged (the ``responses`` command's answer key)."""
    by_seq = message_by_seq(scenario)
    in_words = sorted({by_seq[s].sender for s in (*incident.laughing_reply_seqs,
                                                  *incident.approval_seqs)})
    groups = {"present": list(incident.members_at_time),
              "endorsed": list(incident.endorsed_by), "endorsed_by_message": in_words,
              "challenged": list(incident.challengers)}

    def shown(ids: list[str]) -> list[str]:
        return sorted(book.name(o, message.when) for o in ids)

    return {
        **groups,
        "approved_by": list(incident.approved_by),
        "approval_seqs": list(incident.approval_seqs),
        "reported_by": list(incident.reported_by),
        "report_seqs": list(incident.report_seqs),
        "neutral_by": list(incident.neutral_by),
        "neutral_seqs": list(incident.neutral_seqs),
        "late_challenged_by": list(incident.late_challenged_by),
        "late_challenge_seqs": list(incident.late_challenge_seqs),
        "shown_in_android_txt": {k: shown(v) for k, v in groups.items()},
    }


def build_ground_truth(scenario: Scenario) -> dict[str, Any]:
    """The ground-truth document as plain JSON-ready data."""
    book = NameBook(scenario)
    return {
        "schema": SCHEMA,
        "fictional": True,
        "notice": "Synthetic demo data. Every person, number, address and reference is invented.",
        "seed": scenario.seed,
        "scale": scenario.scale,
        "group": {"jid": scenario.group_jid, "subject": scenario.subject, "owner": scenario.owner},
        "categories": list(CATEGORIES),
        "counts": counts(scenario),
        "officers": [
            {
                "id": o.id,
                "name": o.name,
                "rank": o.rank,
                "collar": o.collar,
                "staff_number": o.staff_number,
                "phone": o.phone,
                "new_phone": o.new_phone,
                "contact_name": o.contact_name,
                "push_name": o.push_name,
            }
            for o in scenario.officers
        ],
        "membership_events": [
            {
                "seq": e.seq,
                "when": e.when.isoformat(),
                "kind": e.kind,
                "actor": e.actor,
                "target": e.target,
                "old_value": e.old_value,
                "new_value": e.new_value,
            }
            for e in scenario.memberships
        ],
        "incidents": [_incident(scenario, book, i) for i in scenario.incidents],
        "hard_negatives": [
            {"seq": h.seq, "sender": h.sender, "text": h.text, "why_benign": h.why_benign}
            for h in scenario.hard_negatives
        ],
    }


def write_ground_truth(scenario: Scenario, path: Path) -> Path:
    """Write ``ground_truth.json`` (UTF-8, sorted keys, stable formatting)."""
    document = build_ground_truth(scenario)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def message_by_seq(scenario: Scenario) -> dict[int, DemoMessage]:
    """Index of messages by ``seq`` (handy for tests and detectors)."""
    return {m.seq: m for m in scenario.messages}
