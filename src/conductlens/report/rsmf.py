"""RSMF 2.0 export of a case's in-scope conversations, for e-discovery review platforms.

An ``.rsmf`` file is an RFC 5322 message with the header ``X-RSMF-Version: 2.0.0`` and one
attachment, ``rsmf.zip``, holding ``rsmf_manifest.json`` (participants, conversations and
events). Messages come through the review door as the recipient is to see them
(``recipients.DisclosureSession.conversation``): only the authorised scope; subjects and the
pseudonyms a supervisor approved for that recipient by name, everyone else as a pseudonym
(in senders and inside text), whatever the reader's own unmaskings show.
Reactions, attachments and edit marks are read only for those messages; joins and leaves only
for in-scope conversations inside the scope's dates, people named through the case's
``Namer`` for the recipient. The approvals applied are listed in the RFC 5322 headers
(``X-ConductLens-Names-Approved``) and the disclosure's audit event. Read receipts
(``receipts``) are not exported yet. The manifest is validated against Relativity's
published schema before anything is written.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select

from conductlens.errors import ConductLensError
from conductlens.review import audit, cases, scope
from conductlens.review.access import ShownMessage
from conductlens.review.accounts import User
from conductlens.review.pseudonyms import Namer
from conductlens.review.recipients import DisclosureSession, approved_for, recipient_namer
from conductlens.store import tables as t

SCHEMA = Path(__file__).parent / "schemas" / "rsmf_schema_2_0_0.json"
JOIN = {"added", "joined", "joined_by_link", "created"}
LEAVE = {"left", "removed"}


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def validate_manifest(manifest: object) -> None:
    """Refuse a manifest that does not match Relativity's RSMF 2.0.0 schema."""
    import jsonschema

    errors = list(jsonschema.Draft7Validator(_schema()).iter_errors(manifest))
    if errors:
        path = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise ConductLensError(f"rsmf_manifest.json: {path}: {errors[0].message[:200]}")


class _People:
    """RSMF participant ids, one per name as the case shows it."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def id(self, label: str) -> str:
        return self.ids.setdefault(label, f"P{len(self.ids) + 1}")

    def manifest(self) -> list[dict[str, str]]:
        return [{"id": pid, "display": label} for label, pid in self.ids.items()]


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _extras(conn: Connection, ids: list[int], namer: Namer, people: _People
            ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, str]]],
                       set[int]]:
    reacted: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for mid, sender, emoji in conn.execute(select(
            t.reactions.c.message_id, t.reactions.c.sender_id, t.reactions.c.emoji)
            .where(t.reactions.c.message_id.in_(ids)).order_by(t.reactions.c.id)):
        reacted[int(mid)][str(emoji)].append(people.id(namer.name(sender).label))
    reactions = {mid: [{"value": e, "count": len(p), "participants": p} for e, p in r.items()]
                 for mid, r in reacted.items()}
    files: dict[int, list[dict[str, str]]] = defaultdict(list)
    for mid, name, kind in conn.execute(select(
            t.attachments.c.message_id, t.attachments.c.file_name, t.attachments.c.kind)
            .where(t.attachments.c.message_id.in_(ids))):
        shown = namer.redact(name) if name else kind
        files[int(mid)].append({"name": "attachment", "value": f"{shown} (not included)"})
    edited = set(conn.scalars(select(t.messages.c.id).where(
        t.messages.c.id.in_(ids), t.messages.c.edited.is_(True))))
    return reactions, files, {int(i) for i in edited}


def _message(m: ShownMessage, conv: str, people: _People, reactions: dict[int, Any],
             files: dict[int, Any], edited: set[int]) -> dict[str, Any]:
    pid = people.id(m.sender.label)
    event: dict[str, Any] = {"id": f"M{m.id}", "type": "message", "participant": pid,
                             "conversation": conv, "body": m.text,
                             "custom": [{"name": "source", "value":
                                         f"{m.exhibit_reference} {m.source}"},
                                        *files.get(m.id, [])]}
    if m.when:
        event["timestamp"] = _when(m.when)
    if m.id in reactions:
        event["reactions"] = reactions[m.id]
    if m.id in edited:
        event["edits"] = [{"participant": pid}]
    return event


def _membership(conn: Connection, conv_id: int, conv: str, sc: scope.Scope, namer: Namer,
                people: _People) -> list[dict[str, Any]]:
    e = t.membership_events.c
    start = datetime.combine(sc.date_from, time.min)
    end = datetime.combine(sc.date_to + timedelta(days=1), time.min)
    inside = or_(and_(e.ts_local >= start, e.ts_local < end),
                 and_(e.ts_local.is_(None), e.ts_utc >= start.replace(tzinfo=UTC),
                      e.ts_utc < end.replace(tzinfo=UTC)))
    out = []
    for kind, actor, target, local, utc in conn.execute(
            select(e.kind, e.actor_id, e.target_id, e.ts_local, e.ts_utc)
            .where(e.conversation_id == conv_id, inside).order_by(e.seq)):
        who = people.id(namer.name(target if target is not None else actor).label)
        rtype = "join" if kind in JOIN else "leave" if kind in LEAVE else "history"
        event: dict[str, Any] = {"type": rtype, "participant": who, "conversation": conv,
                 "body": str(kind).replace("_", " ")}
        if local or utc:
            event["timestamp"] = _when(local or utc)
        out.append(event)
    return out


def build_manifest(engine: Engine, user: User, case_id: int, recipient: str
                   ) -> dict[str, Any]:
    """The RSMF manifest of the case's in-scope conversations, read as ``user``, people
    named as approved for ``recipient``."""
    door = DisclosureSession(engine, user, case_id, recipient)
    with engine.connect() as conn:
        sc = scope.require(conn, case_id)
    shown = {cid: door.conversation(cid, limit=1_000_000) for cid in sc.conversations}
    people = _People()
    events: list[dict[str, Any]] = []
    conversations: list[dict[str, Any]] = []
    with engine.begin() as conn:
        namer = recipient_namer(conn, case_id, sc.subjects, recipient)
        titles = {c.id: c for c in cases.conversations(conn, case_id)}
        platforms = dict(conn.execute(select(t.conversations.c.id, t.conversations.c.platform)
                                      .where(t.conversations.c.id.in_(list(shown)))).all())
        ids = [m.id for msgs in shown.values() for m in msgs]
        reactions, files, edited = _extras(conn, ids, namer, people)
        for cid, msgs in shown.items():
            conv = f"C{cid}"
            events += [_message(m, conv, people, reactions, files, edited) for m in msgs]
            events += _membership(conn, cid, conv, sc, namer, people)
            info = titles[cid]
            conversations.append({"id": conv, "display": namer.redact(info.title),
                                  "platform": str(platforms[cid]),
                                  "type": "channel" if info.is_group else "direct",
                                  "participants": []})
    for c in conversations:
        c["participants"] = sorted({e["participant"] for e in events
                                    if e["conversation"] == c["id"]})
    manifest = {"version": "2.0.0", "participants": people.manifest(),
                "conversations": conversations, "events": events}
    validate_manifest(manifest)
    return manifest


def write_rsmf(engine: Engine, user: User, case_id: int, output: Path, recipient: str) -> int:
    """Write the ``.rsmf`` file; recorded as a disclosure (``disclosure.rsmf``). Returns the
    number of events."""
    manifest = build_manifest(engine, user, case_id, recipient)
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("rsmf_manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    with engine.connect() as conn:
        reference = cases.find_case(conn, case_id).reference
        approvals = approved_for(conn, case_id, recipient)
    msg = EmailMessage()
    msg["From"] = f"ConductLens <{user.username}@conductlens.invalid>"
    msg["To"] = recipient
    msg["Subject"] = f"RSMF export of case {reference}"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["X-RSMF-Version"] = "2.0.0"
    msg["X-RSMF-Generator"] = "ConductLens"
    msg["X-ConductLens-Names-Approved"] = ", ".join(
        f"{a.pseudonym} (approval {a.id})" for a in approvals) or "none"
    msg.set_content(f"RSMF 2.0.0 export of the authorised scope of case {reference}.")
    msg.add_attachment(payload.getvalue(), maintype="application", subtype="zip",
                       filename="rsmf.zip")
    output.write_bytes(msg.as_bytes())
    with engine.begin() as conn:
        audit.append(conn, audit.AuditEvent(
            user.username, "disclosure.rsmf", case_id,
            {"message": [int(e["id"][1:]) for e in manifest["events"] if e["type"] == "message"],
             "recipient_name": [a.id for a in approvals]},
            f"RSMF export disclosed to {recipient}",
            {"recipient": recipient, "file": output.name, "events": len(manifest["events"]),
             "names_approved": [a.pseudonym for a in approvals]}))
    return len(manifest["events"])


__all__ = ["build_manifest", "validate_manifest", "write_rsmf"]
