"""A large synthetic review store for bench/review_latency.py, written straight into the tables.

The sample world (``review.sample.seed_world``: accounts, register, one opened case with its
subject and team) comes first; then one exhibit per million messages is bulk-inserted into
that case: 40 participants each (the three register staff among them, linked by phone), 20
group chats of which the first holds half the messages, deterministic synthetic text, findings
spread evenly over the messages (a share of them repeated lines, as a joke passed round), a
tenth of them decided, and an audit log of the size such a review would leave, hash-chained
exactly as ``review.audit.append`` would. A scope covering every conversation is authorised.
Nothing here parses a chat file: the point is the size, not the content.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, text, update

from conductlens.ingest._text import search_form
from conductlens.review import audit, matching, scope
from conductlens.review._ids import inserted_id
from conductlens.review.sample import seed_world
from conductlens.store import Store, stats
from conductlens.store import tables as t
from conductlens.store._bulk import MESSAGE_COLUMNS
from conductlens.store.tables_review import audit_events, audit_head

PER_EXHIBIT = 1_000_000
CONVERSATIONS = 20
PARTICIPANTS = 40
START = datetime(2024, 1, 1, 6, 0)
STEP = timedelta(seconds=15)
BATCH = 20_000
_VOCABULARY = """the van is at the nick bring keys shift brew arrest custody sarge mate today
tonight job done suspect road car radio briefing statement cordon nights earlies lates overtime
canteen traffic collision burglary warrant witness victim search exhibit station control response"""
WORDS = tuple(_VOCABULARY.split())
CATEGORIES = ("misogyny", "racism", "homophobia", "confidentiality", "misuse_of_systems",
              "violence", "profanity", "disability", "religion", "bullying", "drugs", "sexual")
SPICE = ("fucking", "slag", "delete this chat", "pnc check", "muppet", "weed", "those lot")
STANDARDS = ("Equality and diversity", "Confidentiality", "Authority, respect and courtesy",
             "Discreditable conduct")
SEVERITIES = ("low", "medium", "high")
# Audit records the review would have left: about one per 20 messages.
AUDIT_SHARE = 20


@dataclass(frozen=True)
class BuiltStore:
    """What the bench needs to find its pages again in a store it built earlier."""

    messages: int
    findings: int
    audit_records: int
    case_id: int
    big_conversation: int
    late_message: int
    finding_id: int
    category: str
    search_word: str


def build(store: Store, messages: int, findings: int, seed: int = 2026) -> BuiltStore:
    """Fill an empty ``store`` (see the module's docstring); returns where its pages are."""
    world = seed_world(store)
    rnd = random.Random(seed)
    exhibits = max(1, -(-messages // PER_EXHIBIT))
    with store.engine.begin() as conn:
        next_id = int(conn.scalar(select(func.max(t.messages.c.id))) or 0) + 1
        first_id, done, big, late = next_id, 0, 0, 0
        for n in range(exhibits):
            count = min(PER_EXHIBIT, messages - done)
            eid, convs = _exhibit(conn, world.case_id, n)
            parts = _participants(conn, eid, n)
            _messages(conn, rnd, eid, convs, parts, next_id, count, done, messages, findings)
            late = late or _late_in(conn, convs[0])
            big = big or convs[0]
            next_id, done = next_id + count, done + count
        exhibit_ids = list(conn.scalars(select(t.exhibits.c.id)))
        matching.link_by_identifier(conn, exhibit_ids, "investigator")
    with store.engine.begin() as conn:
        _findings(conn, rnd, first_id, messages, findings)
        _authorise(conn, world.case_id, world.person_ids["PC1001"])
        # A finding two thirds of the way down the store, for the finding page.
        shown = int(conn.scalar(select(func.max(t.findings.c.id))) or 0) - findings // 3
        _decisions(conn, rnd, world.case_id, findings)
        records = _audit_log(conn, rnd, world.case_id, first_id, messages, shown)
        stats.refresh(conn)  # as an ingest and a scan leave the store
    return BuiltStore(messages, findings, records, world.case_id, big, late, shown,
                      CATEGORIES[0], "custody")


def as_json(built: BuiltStore) -> str:
    return json.dumps(asdict(built), indent=1)


def _exhibit(conn: Connection, case_id: int, n: int) -> tuple[int, list[int]]:
    now = datetime.now(UTC)
    eid = inserted_id(conn.execute(t.exhibits.insert().values(
        reference=f"EXH-B{n:04d}", case_id=case_id, original_name=f"phone-{n}.db",
        sha256=f"{n:060d}BNCH", size=1, format="whatsapp_android_db", stored_path="",
        added_by="investigator", added_at=now)))
    conn.execute(t.case_exhibits.insert().values(case_id=case_id, exhibit_id=eid,
                                                 added_by="investigator", added_at=now))
    convs = [inserted_id(conn.execute(t.conversations.insert().values(
        exhibit_id=eid, key=f"g{c}", platform="whatsapp", title=f"Shift group {n}-{c}",
        is_group=True))) for c in range(CONVERSATIONS)]
    return eid, convs


def _participants(conn: Connection, eid: int, n: int) -> list[int]:
    """The first three are the register's staff (as ``seed_world`` declares their phones);
    the rest are bystanders, the same phones in every exhibit (one pseudonym each)."""
    phones = ["+447700900001", "+447700900002", "07700 900003"]
    phones += [f"+4477009{k:05d}" for k in range(10, 10 + PARTICIPANTS - 3)]
    return [inserted_id(conn.execute(t.participants.insert().values(
        exhibit_id=eid, key=f"p{k}", name=f"Officer {k}", phone=phone, is_owner=k == 0)))
        for k, phone in enumerate(phones)]


def _text(rnd: random.Random, flagged: bool) -> str:
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(5, 16))]
    if flagged:
        if rnd.random() < 0.3:  # the same line passed round: grouped in the queue
            return f"{SPICE[rnd.randrange(len(SPICE))]} the lot of them {rnd.randrange(300)}"
        words.insert(0, rnd.choice(SPICE))
    return " ".join(words)


def _flagged(i: int, total: int, findings: int) -> bool:
    """Exactly ``findings`` of ``total`` messages, spread evenly."""
    return (i * findings) // total != ((i + 1) * findings) // total


def _messages(conn: Connection, rnd: random.Random, eid: int, convs: Sequence[int],
              parts: Sequence[int], first: int, count: int, offset: int, total: int,
              findings: int) -> None:
    seqs = dict.fromkeys(convs, 0)
    sqlite = conn.dialect.name == "sqlite"
    rows = []
    for k in range(count):
        conv = convs[0] if rnd.random() < 0.5 else convs[rnd.randrange(1, len(convs))]
        seqs[conv] += 1
        body = _text(rnd, _flagged(offset + k, total, findings))
        when = START + STEP * k
        local: Any = when.isoformat(" ", "microseconds") if sqlite else when
        rows.append((first + k, eid, conv, seqs[conv], rnd.choice(parts), local, None, "text",
                     body, search_form(body), body, 0 if sqlite else False,
                     0 if sqlite else False, f"k{k}", None, None, "msgstore.db", None, None,
                     None, "message", str(k), None))
        if len(rows) >= BATCH:
            _write(conn, "messages", MESSAGE_COLUMNS, rows)
            rows = []
    _write(conn, "messages", MESSAGE_COLUMNS, rows)
    if sqlite:
        conn.execute(text("INSERT INTO messages_fts(rowid, text_norm) "
                          "SELECT id, text_norm FROM messages WHERE exhibit_id = :e"), {"e": eid})


def _write(conn: Connection, table: str, columns: Sequence[str],
           rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows as the driver takes them: COPY on PostgreSQL, executemany on SQLite."""
    rows = list(rows)
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _late_in(conn: Connection, conversation: int) -> int:
    """A message nine tenths of the way into the conversation: a deep page."""
    m = t.messages.c
    last = int(conn.scalar(select(func.max(m.seq)).where(m.conversation_id == conversation)) or 1)
    return int(conn.scalar(select(m.id).where(m.conversation_id == conversation,
                                              m.seq == max(1, last * 9 // 10))) or 0)


def _stamp(conn: Connection, when: datetime) -> Any:
    return when.replace(tzinfo=None).isoformat(" ", "microseconds") \
        if conn.dialect.name == "sqlite" else when


def _findings(conn: Connection, rnd: random.Random, first: int, total: int,
              findings: int) -> None:
    cols = ("message_id", "exhibit_id", "category", "standards", "severity", "score",
            "detector", "spans", "explanation", "policy_version", "created_at")
    m = t.messages.c
    ids = [first + i for i in range(total) if _flagged(i, total, findings)]
    now = _stamp(conn, datetime.now(UTC))
    for at in range(0, len(ids), BATCH):
        chunk = ids[at:at + BATCH]
        exhibits = {int(a): int(b) for a, b in conn.execute(select(m.id, m.exhibit_id).where(
            m.id.between(chunk[0], chunk[-1])))}
        rows = []
        for mid in chunk:
            cat = CATEGORIES[rnd.randrange(len(CATEGORIES))]
            rows.append((mid, exhibits[mid], cat, json.dumps([rnd.choice(STANDARDS)]),
                         rnd.choice(SEVERITIES), round(rnd.random(), 3), "bench",
                         json.dumps([[0, 4]]), f"synthetic {cat} finding",
                         "uk-baseline-2026.11.3", now))
        _write(conn, "findings", cols, rows)


def _authorise(conn: Connection, case_id: int, subject: int) -> None:
    convs = list(conn.scalars(select(t.conversations.c.id).join(
        t.exhibits, t.exhibits.c.id == t.conversations.c.exhibit_id).where(
        t.exhibits.c.case_id == case_id)))
    sid = scope.propose(conn, case_id, "investigator", subjects=[subject], conversations=convs,
                        date_from=date(2024, 1, 1), date_to=date(2026, 12, 31), categories=[],
                        rationale="Every group chat on the phones seized, for the bench.")
    scope.authorise(conn, sid, "supervisor", "Necessary and proportionate.")


def _decisions(conn: Connection, rnd: random.Random, case_id: int, findings: int) -> None:
    cols = ("case_id", "finding_id", "decision", "note", "username", "created_at")
    fids = list(conn.scalars(select(t.findings.c.id).order_by(t.findings.c.id)))
    now = _stamp(conn, datetime.now(UTC))
    picked = sorted(rnd.sample(fids, min(len(fids), findings // 10)))
    _write(conn, "decisions", cols, [(case_id, fid, rnd.choice(
        ("relevant", "not_relevant", "needs_context")), None, "investigator", now)
        for fid in picked])


def _audit_log(conn: Connection, rnd: random.Random, case_id: int, first: int, total: int,
               finding: int) -> int:
    """Views of findings, messages and conversations, chained on from the real head."""
    sc = scope.require(conn, case_id)
    audit.lock(conn)
    row = conn.execute(select(audit_head.c.last_id, audit_head.c.last_hash)).one()
    last_id, last_hash = int(row[0]), str(row[1])
    cols = ("id", "ts", "username", "action", "case_id", "object_ids", "justification",
            "detail", "prev_hash", "hash")
    when = START
    rows = []
    for n in range(max(1000, total // AUDIT_SHARE)):
        action = rnd.choice(("view.finding", "view.queue", "view.conversation", "search"))
        objects = {"finding": [finding - rnd.randrange(1000)],
                   "message": [first + rnd.randrange(total)]}
        when += timedelta(seconds=rnd.randrange(1, 120))
        fields = {"id": last_id + 1, "ts": when.replace(tzinfo=UTC).isoformat(
            timespec="microseconds"), "username": "investigator", "action": action,
            "case_id": case_id, "object_ids": audit.canonical(objects),
            "justification": sc.justification(), "detail": audit.canonical({"n": n})}
        digest = audit.record_hash(last_hash, fields)
        rows.append((*fields.values(), last_hash, digest))
        last_id, last_hash = last_id + 1, digest
        if len(rows) >= BATCH:
            _write(conn, audit_events.name, cols, rows)
            rows = []
    _write(conn, audit_events.name, cols, rows)
    conn.execute(update(audit_head).values(last_id=last_id, last_hash=last_hash))
    return last_id
