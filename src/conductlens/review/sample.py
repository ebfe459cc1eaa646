"""A small, hand-written case: the fixture behind the review tests and a demo fallback.

One shift group and one private chat, four people, messages over three weeks, and findings
both inside and outside the scope a test will authorise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, insert, select

from conductlens.model import (
    Conversation,
    Message,
    MessageKind,
    Participant,
    Record,
    SourceRef,
    Timestamp,
)
from conductlens.review import cases, matching, register, scope, team_duties, teams
from conductlens.review._ids import inserted_id, pairs
from conductlens.review.accounts import User, add_user
from conductlens.review.roles import Role
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.writes import ExhibitWriter

PEOPLE = (
    ("k1", "Alan Grant", "+447700900001"),
    ("k2", "Beth Jones", "+447700900002"),
    ("k3", "Carl Diaz", "+447700900003"),
    ("k4", "Dana Fox", "+447700900004"),
)

# (conversation, sender key, day of March 2024, hour, text)
MESSAGES = (
    ("group", "k2", 1, 9, "Morning all, briefing at 10"),
    ("group", "k1", 6, 22, "that victim was a proper slag, deserved it"),
    ("group", "k2", 6, 22, "Not funny Alan. Beth Jones here: that is out of order"),
    ("group", "k3", 6, 23, "haha classic"),
    ("group", "k1", 8, 14, "<script>alert('x')</script> switch the BWV off next time"),
    ("group", "k3", 9, 8, "call me on 07700 900003 about the rota"),
    ("group", "k1", 18, 12, "posted the custody photo in the other chat"),
    ("private", "k1", 7, 20, "Dana, keep this between us: the PNC check on your neighbour"),
    ("private", "k4", 7, 21, "thanks, the neighbour at 4 Elm Road is a nightmare"),
)

# (index into MESSAGES, category, severity, score, spans)
FINDINGS = (
    (1, "misogyny", "high", 0.92, [[25, 29]]),
    (4, "misuse_of_systems", "medium", 0.71, [[39, 42]]),
    (6, "confidentiality", "medium", 0.64, [[11, 24]]),  # 18 March: outside a 5-15 scope
    (7, "confidentiality", "high", 0.88, [[32, 41]]),  # private chat: outside the scope
)


@dataclass(frozen=True, slots=True)
class SampleCase:
    reference: str
    exhibit_id: int
    group_id: int
    private_id: int
    message_ids: tuple[int, ...]
    finding_ids: tuple[int, ...]


def _records() -> list[Conversation | Participant | Message]:
    recs: list[Conversation | Participant | Message] = [
        Conversation("group", "whatsapp", "Response Team B", True),
        Conversation("private", "whatsapp", "Dana Fox", False),
    ]
    recs += [Participant(k, name, phone, is_owner=(k == "k1")) for k, name, phone in PEOPLE]
    for n, (conv, sender, day, hour, body) in enumerate(MESSAGES, start=1):
        recs.append(Message(
            conv, sender, Timestamp(local=datetime(2024, 3, day, hour, 0)), MessageKind.TEXT,
            body, body, SourceRef(path="_chat.txt", line=n), key=f"m{n}"))
    return recs


def write_sample(store: Store, reference: str = "PSD-2024-0001",
                 owner: str = "investigator") -> SampleCase:
    """Write the sample exhibit into case ``reference`` (created, as an ingest would, for
    ``owner``) and its findings; ids returned."""
    with store.engine.begin() as conn:
        case_id = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference))
        if case_id is None:
            case_id = inserted_id(conn.execute(insert(t.cases).values(
                reference=reference, created_at=datetime.now(UTC))))
            cases.record_origin(conn, case_id, owner, "ingest")
        n = int(conn.scalar(select(t.exhibits.c.id).order_by(t.exhibits.c.id.desc())) or 0) + 1
        eid = inserted_id(conn.execute(insert(t.exhibits).values(
            reference=f"EXH-S{n:04d}", case_id=case_id, original_name="sample.txt",
            sha256=f"{n:064d}", size=1, format="sample", stored_path="", added_by="sample",
            added_at=datetime.now(UTC))))
        writer = ExhibitWriter(conn, int(eid), "whatsapp", None)
        for rec in _records():
            writer.add(rec)
        writer.finish()
        mids = tuple(conn.scalars(select(t.messages.c.id).where(t.messages.c.exhibit_id == eid)
                                  .order_by(t.messages.c.seq)))
        convs = pairs(conn.execute(select(t.conversations.c.key, t.conversations.c.id)
                                  .where(t.conversations.c.exhibit_id == eid)).all())
        fids = tuple(_finding(conn, int(eid), mids[i], cat, sev, score, spans)
                     for i, cat, sev, score, spans in FINDINGS)
    return SampleCase(reference, int(eid), convs["group"], convs["private"], mids, fids)


def _finding(conn: Connection, eid: int, mid: int, category: str, severity: str, score: float,
             spans: list[list[int]]) -> int:
    result = conn.execute(insert(t.findings).values(
        message_id=mid, exhibit_id=eid, category=category,
        standards=json.dumps(["Equality and diversity"]), severity=severity, score=score,
        detector="sample", spans=json.dumps(spans), explanation=f"sample {category} finding",
        policy_version="sample-1", created_at=datetime.now(UTC)))
    return inserted_id(result)


PASSWORD = "correct horse battery staple"
STAFF = (
    ("PC1001", "Alan Grant", "+447700900001"),
    ("PC1002", "Beth Jones", "+447700900002"),
    ("PC1003", "Carl Diaz", "07700 900003"),
)


@dataclass(frozen=True, slots=True)
class World:
    """The sample case with its register, one account per role, and the case opened."""

    sample: SampleCase
    case_id: int
    users: dict[str, User]
    person_ids: dict[str, int]  # staff number -> person id


def seed_world(store: Store, password: str = PASSWORD) -> World:
    """Accounts, register, an opened case with its subject, and the sample exhibit linked.

    The case team is ``investigator`` (who opened it) and ``supervisor``."""
    users = {role.value: add_user(store.engine, role.value, password, role,
                                  f"{role.value.title()} Example") for role in Role}
    sample = write_sample(store)
    with store.engine.begin() as conn:
        ids = {}
        for staff, name, phone in STAFF:
            ids[staff] = register.add_person(conn, staff, name, "Example Police", "Team B", "PC")
            register.declare(conn, ids[staff], "whatsapp", phone)
        case_id = cases.open_case(conn, sample.reference, "Discriminatory messages in the "
                                  "Team B group", "investigator")
        cases.add_subject(conn, case_id, ids["PC1001"], "investigator")
        change = teams.add_member(conn, case_id, "supervisor", "investigator",
                                  "Supervises Team B cases")
        # Separation of duties: a second person (here the admin) approves the team change.
        assert change is not None
        team_duties.decide(conn, change, users["admin"], True, "Agreed: the Team B supervisor")
        matching.link_by_identifier(conn, [sample.exhibit_id], "investigator")
    return World(sample, case_id, users, ids)


def authorise_sample_scope(store: Store, world: World, *,
                           reason: str = "Necessary and proportionate.",
                           **overrides: object) -> int:
    """Propose (as the investigator) and authorise (as the supervisor, giving ``reason``) the
    usual scope of the sample case: its subject, the Team B group, 5 to 15 March; any of
    ``scope.propose``'s fields may be overridden. Returns the scope's id."""
    args: dict[str, object] = {
        "subjects": [world.person_ids["PC1001"]],
        "conversations": [world.sample.group_id],
        "date_from": date(2024, 3, 5),
        "date_to": date(2024, 3, 15),
        "categories": [],
        "rationale": "Allegation concerns the Team B group in early March; nothing wider.",
    } | overrides
    with store.engine.begin() as conn:
        sid = scope.propose(conn, world.case_id, "investigator", **args)  # type: ignore[arg-type]
        scope.authorise(conn, sid, "supervisor", reason)
    return sid


@dataclass(frozen=True, slots=True)
class LongChat:
    """A long shift-group chat in the sample case (``write_long_chat``): message ids in
    order, and which of them carry each kind of detail."""

    exhibit_id: int
    conversation_id: int
    message_ids: tuple[int, ...]
    late_ids: tuple[int, ...]  # sent on 20 March: outside a 5-15 March scope
    details: dict[str, int]  # "deleted", "media", "reply", "quoted", "edited", "system", ...


def _long_records(count: int) -> list[Record]:
    """``count`` messages a minute apart from 5 March 2024 08:00, then three on 20 March."""
    from conductlens.model import (
        Attachment,
        MembershipEvent,
        MembershipKind,
        Reaction,
    )

    start = datetime(2024, 3, 5, 8, 0)
    recs: list[Record] = [Conversation("long", "whatsapp", "Night Shift C", True)]
    recs += [Participant(k, name, phone) for k, name, phone in PEOPLE]
    special: dict[int, dict[str, object]] = {
        3: {"kind": MessageKind.SYSTEM, "sender": None, "text": "Beth Jones joined"},
        10: {"kind": MessageKind.DELETED, "text": ""},
        11: {"kind": MessageKind.DELETED, "text": "what I said before I deleted it"},
        20: {"kind": MessageKind.MEDIA, "text": "",
             "attachments": (Attachment("IMG-0001.jpg", "image/jpeg", "image", 20480,
                                        "ab" * 32),)},
        30: {"text": "the original message Beth Jones wrote"},
        31: {"text": "replying to that", "reply_to": "n30"},
        40: {"text": "fixed the typo", "edited": True},
        # A reply to a message the scope leaves out (sent on 20 March).
        50: {"text": "answering the later one", "reply_to": f"n{count + 1}"},
    }
    for n in range(1, count + 4):
        when = start + timedelta(minutes=n) if n <= count else datetime(2024, 3, 20, 9, n % 60)
        spec = special.get(n, {})
        body = str(spec.get("text", f"message number {n} on the night shift"))
        recs.append(Message(
            "long", spec.get("sender", PEOPLE[n % 3][0]),  # type: ignore[arg-type]
            Timestamp(local=when), spec.get("kind", MessageKind.TEXT),  # type: ignore[arg-type]
            body, body, SourceRef(path="long.txt", line=n), key=f"n{n}",
            edited=bool(spec.get("edited", False)),
            reply_to=spec.get("reply_to"),  # type: ignore[arg-type]
            attachments=spec.get("attachments", ())))  # type: ignore[arg-type]
    recs.append(Reaction("long", "n30", "k3", "😂", Timestamp(local=start + timedelta(
        minutes=35)), SourceRef(path="long.txt")))
    recs.append(MembershipEvent("long", MembershipKind.JOINED, "k2", None,
                                Timestamp(local=start + timedelta(minutes=3)),
                                SourceRef(path="long.txt", line=3)))
    return recs


def write_long_chat(store: Store, case_id: int, count: int = 620) -> LongChat:
    """Write a chat of ``count`` (+3 late) messages into case ``case_id`` as its own exhibit:
    a system line, two deleted messages (one whose text the source kept), a photo, a reply,
    an edit and a reaction, all early, and the 3 late ones outside a 5-15 March scope."""
    with store.engine.begin() as conn:
        n = int(conn.scalar(select(t.exhibits.c.id).order_by(t.exhibits.c.id.desc())) or 0) + 1
        eid = inserted_id(conn.execute(insert(t.exhibits).values(
            reference=f"EXH-L{n:04d}", case_id=case_id, original_name="long.txt",
            sha256=f"{n:063d}L", size=1, format="sample", stored_path="", added_by="sample",
            added_at=datetime.now(UTC))))
        writer = ExhibitWriter(conn, int(eid), "whatsapp", None)
        for rec in _long_records(count):
            writer.add(rec)
        writer.finish()
        ids = tuple(conn.scalars(select(t.messages.c.id).where(t.messages.c.exhibit_id == eid)
                                 .order_by(t.messages.c.seq)))
        conv = int(conn.scalar(select(t.conversations.c.id).where(
            t.conversations.c.exhibit_id == eid)) or 0)
        matching.link_by_identifier(conn, [int(eid)], "investigator")
    picks = {"system": 3, "deleted": 10, "deleted_kept": 11, "media": 20, "quoted": 30,
             "reply": 31, "edited": 40, "reply_outside": 50}
    return LongChat(int(eid), conv, ids[:count], ids[count:],
                    {k: ids[v - 1] for k, v in picks.items()})
