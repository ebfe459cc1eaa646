"""The library entry point: responses to messages across conversations, with caching.

``Dynamics`` holds one connection and reads each conversation's flow, roster and reactions
once. Message text comes from a ``TextReader`` given by the caller: the custodian CLI reads
the store; the web reads through the review door (:mod:`conductlens.review.access`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from conductlens.dynamics.evidence import (
    Reaction,
    ReadReceipt,
    conversation_reactions,
    conversation_reads,
)
from conductlens.dynamics.flow import Flow, conversations_of, load_flow
from conductlens.dynamics.membership import Roster, build_roster
from conductlens.dynamics.register import RegisterModel
from conductlens.dynamics.responses import Responses, TextReader, Window, respond
from conductlens.errors import ConductLensError
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.reads import format_timestamp

FLAGGING = ("medium", "high")


@dataclass(frozen=True, slots=True)
class Group:
    """One conversation's flow, roster and reactions by message."""

    flow: Flow
    roster: Roster
    reactions: dict[int, list[Reaction]]
    reads: dict[int, list[ReadReceipt]] = field(default_factory=dict)


def store_texts(conn: Connection) -> TextReader:
    """A reader of message text straight from the store (custodian use only)."""
    def read(ids: list[int]) -> dict[int, str]:
        rows = conn.execute(select(t.messages.c.id, t.messages.c.text)
                            .where(t.messages.c.id.in_(ids)))
        return {int(i): str(text) for i, text in rows}
    return read


class Dynamics:
    """Group dynamics over one connection; see the module docstring."""

    def __init__(self, conn: Connection, texts: TextReader, model: RegisterModel | None = None
                 ) -> None:
        self.conn, self.texts = conn, texts
        self.model = model or RegisterModel.load()
        self._groups: dict[int, Group] = {}

    def group(self, conversation_id: int) -> Group:
        """The (cached) flow, roster and reactions of a conversation."""
        if conversation_id not in self._groups:
            flow = load_flow(self.conn, conversation_id)
            by_message: dict[int, list[Reaction]] = {}
            for r in conversation_reactions(self.conn, conversation_id):
                by_message.setdefault(r.message_id, []).append(r)
            self._groups[conversation_id] = Group(flow, build_roster(flow), by_message,
                                                  conversation_reads(self.conn, conversation_id))
        return self._groups[conversation_id]

    def responses(self, message_ids: Iterable[int], window: Window,
                  flagged: set[int] | None = None) -> list[tuple[Group, Responses]]:
        """The responses to each message, in the order given."""
        ids = list(dict.fromkeys(message_ids))
        where = conversations_of(self.conn, ids)
        missing = [i for i in ids if i not in where]
        if missing:
            raise ConductLensError(f"no message with id {missing[0]} in the store")
        out = []
        for mid in ids:
            g = self.group(where[mid])
            out.append((g, respond(g.flow, g.roster, mid, window, g.reactions.get(mid, []),
                                   self.texts, self.model, flagged, g.reads.get(mid, []))))
        return out


def flagged_messages(conn: Connection, case: str | None = None) -> list[int]:
    """Messages with a medium or high finding (of any policy run), in store order."""
    f, m = t.findings.c, t.messages.c
    query = (select(m.id).distinct().join(t.findings, f.message_id == m.id)
             .where(f.severity.in_(FLAGGING)).order_by(m.id))
    if case:
        query = query.where(m.exhibit_id.in_(_case_exhibits(conn, case)))
    return [int(i) for i in conn.scalars(query)]


def _case_exhibits(conn: Connection, case: str) -> list[int]:
    case_id = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == case))
    if case_id is None:
        raise ConductLensError(f"no case {case!r} in the store")
    return [int(i) for i in conn.scalars(exhibits_of(case_id))]


def in_case(conn: Connection, case: str, message_ids: list[int]) -> list[int]:
    """The ids among ``message_ids`` that are not in the case's exhibits."""
    exhibits = _case_exhibits(conn, case)
    inside = set(conn.scalars(select(t.messages.c.id).where(
        t.messages.c.id.in_(message_ids), t.messages.c.exhibit_id.in_(exhibits))))
    return [i for i in message_ids if i not in inside]


def as_record(conn: Connection, group: Group, found: Responses) -> dict[str, Any]:
    """The ``conductlens responses --json`` object for one message."""
    row = conn.execute(
        select(t.messages, t.exhibits.c.reference.label("exhibit"),
               t.exhibits.c.timezone.label("zone"))
        .join(t.exhibits, t.exhibits.c.id == t.messages.c.exhibit_id)
        .where(t.messages.c.id == found.message_id)).mappings().one()
    labels = member_labels(group)
    sender = group.flow.people.get(row["sender_id"]) if row["sender_id"] is not None else None

    def named(ids: Iterable[int]) -> list[str]:
        return [labels[i] for i in ids]

    evidence: dict[str, list[int | str]] = {}
    for member, items in found.evidence.items():
        evidence.setdefault(labels[member], []).extend(
            int(i) if i.isdigit() else i for i in items)
    zone = ZoneInfo(row["zone"]) if row["zone"] else None
    return {
        "message_id": found.message_id, "source": _source(row),
        "sender": sender.name if sender else None,
        "timestamp": format_timestamp(row["ts_local"], row["ts_utc"], zone),
        "present": named(found.present), "endorsed": named(found.endorsed),
        "challenged": named(found.challenged), "neutral": named(found.neutral),
        "silent": named(found.silent), "left": named(found.left),
        "late_challenged": named(found.late_challenged), "evidence": evidence,
    }


def member_labels(group: Group) -> dict[int, str]:
    """How each member of the conversation is named in a record: the name ``export-messages``
    shows, once per member (rows the roster merged as one member are one name). Two members
    shown under one name are different people (the roster merges on the exhibit's evidence,
    never on a name), so each then carries what tells them apart, as ``export-messages``
    gives it: the phone number (its ``sender_phone``), else the exhibit's key for them."""
    members = group.roster.members
    shared = Counter(m.name for m in members.values())
    out: dict[int, str] = {}
    for lead, member in members.items():
        if shared[member.name] < 2:
            out[lead] = member.name
            continue
        who = group.flow.people[lead]
        tell = who.phone or (who.key if who.key and who.key != member.name
                             else f"participant {lead}")
        out[lead] = f"{member.name} ({tell})"
    return out


def _source(row: Any) -> dict[str, Any]:
    """Provenance exactly as ``export-messages`` writes it."""
    keys = ("path", "line", "line_end", "offset", "table", "row", "pointer")
    values = {k: row[f"src_{k}"] for k in keys}
    return {k: v for k, v in values.items() if v not in (None, "")} | {"exhibit": row["exhibit"]}
