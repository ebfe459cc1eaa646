"""Matching exhibits' participants to register people by what they declared.

Each reader stores what its format knows of a participant: a phone number (WhatsApp text
exports name unsaved contacts by number, Telegram's contact list, Signal), a platform id
(a WhatsApp JID such as ``447700900123@s.whatsapp.net``, a Telegram ``user123456789``, a
Signal service id, a Slack user id), an account name (``handle``: the @username a Telegram
export gives its owner) or only a display name (Messenger and Instagram). Each becomes
candidate (kinds, value) pairs in the register's normal form: a phone matches any declared
phone number (phone, WhatsApp, Signal or Telegram), a Telegram user id only a declared
Telegram id, a handle only the kinds of the exhibit's own platform. A display name is never
matched: two people can share one, and a wrong link would unmask someone.

A participant is linked only when every match names the same person; one that matches
several people is counted as ambiguous and left for a person to decide. Existing links,
manual or not, are never replaced.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from conductlens.review import audit
from conductlens.review.identifiers import DEFAULT_REGION, PHONE_KINDS, jid_phone, to_e164
from conductlens.review.register import insert_link
from conductlens.store import tables as t
from conductlens.store.tables_review import identifiers, participant_links

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_TELEGRAM_ID = re.compile(r"user(\d{5,15})")
# Which declared handle kinds an exhibit's conversations can carry (by their platform).
HANDLE_KINDS = {
    "telegram": ("telegram",), "signal": ("signal",), "messenger": ("facebook", "instagram"),
}

Candidate = tuple[tuple[str, ...], str, str]  # (kinds, normalised value, what matched)


@dataclass(frozen=True, slots=True)
class MatchSummary:
    linked: int
    ambiguous: int

    def summary(self) -> str:
        linked = "1 participant" if self.linked == 1 else f"{self.linked} participants"
        return (f"{linked} linked; {self.ambiguous} matched more than one person and "
                "were left unlinked")


def candidates(phone: str | None, platform_id: str | None, platforms: set[str],
               region: str = DEFAULT_REGION, handle: str | None = None) -> list[Candidate]:
    """What of one participant's record could match a declared identifier."""
    out: list[Candidate] = []
    if phone and (e164 := to_e164(phone, region)):
        out.append((PHONE_KINDS, e164, "phone number"))
    name = (handle or "").strip().lstrip("@").casefold()
    kinds = tuple(k for p in sorted(platforms) for k in HANDLE_KINDS.get(p, ()))
    if name and kinds:
        out.append((kinds, name, "username"))
    pid = (platform_id or "").strip()
    if not pid:
        return out
    if number := jid_phone(pid):
        out.append((PHONE_KINDS, number, "WhatsApp JID"))
    elif _EMAIL.fullmatch(pid):
        out.append((("email",), pid.casefold(), "e-mail address"))
    elif "telegram" in platforms and (found := _TELEGRAM_ID.fullmatch(pid)):
        out.append((("telegram",), f"user{found.group(1)}", "Telegram user id"))
    else:
        if kinds:
            out.append((kinds, pid.lstrip("@").casefold(), "account name"))
        # Usernames from before 0019 keep their platform: matched on it only.
        out.append((("username",), pid.lstrip("@").casefold(), "platform id"))
    return out


def _declared(conn: Connection) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """(kind, value) -> [(identifier id, person id, platform)]."""
    index: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    rows = conn.execute(select(identifiers.c.id, identifiers.c.person_id, identifiers.c.kind,
                               identifiers.c.value, identifiers.c.platform)
                        .order_by(identifiers.c.id))
    for iid, person, kind, value, platform in rows:
        index[(str(kind), str(value))].append((int(iid), int(person), str(platform)))
    return index


def _platforms(conn: Connection, exhibit_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    rows = conn.execute(select(t.conversations.c.exhibit_id, t.conversations.c.platform)
                        .where(t.conversations.c.exhibit_id.in_(exhibit_ids)).distinct())
    for eid, platform in rows:
        found[int(eid)].add(str(platform))
    return found


def _hits(index: dict[tuple[str, str], list[tuple[int, int, str]]], cands: list[Candidate],
          platforms: set[str]) -> list[tuple[int, int, str]]:
    """(identifier id, person id, what matched) for every declared identifier that matches."""
    hits = []
    for kinds, value, what in cands:
        for kind in kinds:
            for iid, person, platform in index.get((kind, value), ()):
                if kind == "username" and platform not in platforms | {"any"}:
                    continue
                hits.append((iid, person, what))
    return hits


def link_by_identifier(conn: Connection, exhibit_ids: list[int], actor: str,
                       region: str = DEFAULT_REGION) -> MatchSummary:
    """Link the unlinked participants of these exhibits to people by declared identifiers,
    recording which identifier matched; audited."""
    if not exhibit_ids:
        return MatchSummary(0, 0)
    linked = set(conn.scalars(select(participant_links.c.participant_id)))
    index, platforms = _declared(conn), _platforms(conn, exhibit_ids)
    p = t.participants.c
    rows = conn.execute(select(p.id, p.exhibit_id, p.phone, p.platform_id, p.handle)
                        .where(p.exhibit_id.in_(exhibit_ids)).order_by(p.id)).all()
    made, ambiguous, people = 0, 0, set()
    for pid, eid, phone, platform_id, handle in rows:
        if pid in linked:
            continue
        where = platforms.get(int(eid), set())
        hits = _hits(index, candidates(phone, platform_id, where, region, handle), where)
        if len({person for _, person, _ in hits}) > 1:
            ambiguous += 1
        elif hits:
            iid, person, what = hits[0]
            insert_link(conn, int(pid), person, "identifier", actor, iid, what)
            made += 1
            people.add(person)
    if made or ambiguous:
        audit.append(conn, audit.AuditEvent(
            actor, "link.auto", object_ids={"person": sorted(people)},
            detail={"links": made, "ambiguous": ambiguous, "exhibits": len(exhibit_ids)}))
    return MatchSummary(made, ambiguous)


def link_everywhere(conn: Connection, actor: str,
                    region: str = DEFAULT_REGION) -> MatchSummary:
    """``link_by_identifier`` over every exhibit in the store (after the register changed)."""
    ids = [int(i) for i in conn.scalars(select(t.exhibits.c.id).order_by(t.exhibits.c.id))]
    return link_by_identifier(conn, ids, actor, region)
