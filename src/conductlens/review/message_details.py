"""What the store keeps about a message besides its text, as a reviewer is shown it.

Deleted and edited marks, media cards, the quoted message of a reply, reactions (who, which
emoji, when) and whether it is a system event. Only what the store holds is shown: an edit
says so when the source kept no earlier text, rather than inventing one. People are named
through the case's ``Namer``; a quoted message is read through the door (the caller's
``quote``), so one outside the scope is never shown, only said to be outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from conductlens.review import scope
from conductlens.review.pseudonyms import DisplayName, Namer
from conductlens.store import tables as t


@dataclass(frozen=True, slots=True)
class Media:
    """A file a message carried, as the exhibit describes it (images come with their page)."""

    file_name: str | None
    media_type: str | None
    kind: str
    size: int | None
    sha256: str | None
    omitted: bool  # the export left the file out ("<Media omitted>")


@dataclass(frozen=True, slots=True)
class ShownReaction:
    who: DisplayName
    emoji: str
    when: datetime | None


@dataclass(frozen=True, slots=True)
class MessageDetail:
    """Marks and attachments of one shown message. ``quoted`` is the replied-to message when
    it is inside the scope; ``quoted_outside`` says a reply's message is outside it."""

    deleted: bool
    edited: bool
    system: bool
    media: tuple[Media, ...]
    reactions: tuple[ShownReaction, ...]
    quoted: object | None  # a ShownMessage (typed loosely: access imports this module)
    quoted_outside: bool


Quote = Callable[[list[int]], dict[int, object]]


def within_days(local: ColumnElement[datetime], utc: ColumnElement[datetime],
                 first: date, last: date) -> ColumnElement[bool]:
    """A dated row (a reaction) inside the scope's days; an undated one is kept."""
    start = datetime.combine(first, time.min)
    end = datetime.combine(last + timedelta(days=1), time.min)
    return or_(and_(local.is_(None), utc.is_(None)),
               and_(local.is_not(None), local >= start, local < end),
               and_(local.is_(None), utc >= start.replace(tzinfo=UTC),
                    utc < end.replace(tzinfo=UTC)))


def _media(conn: Connection, ids: list[int], namer: Namer) -> dict[int, list[Media]]:
    a = t.attachments.c
    out: dict[int, list[Media]] = {}
    rows = conn.execute(select(a.message_id, a.file_name, a.media_type, a.kind, a.size,
                               a.sha256, a.omitted).where(a.message_id.in_(ids))
                        .order_by(a.id))
    for mid, name, media_type, kind, size, sha, omitted in rows:
        # A file name can carry a person's name ("Beth Jones.vcf"): masked as text is.
        out.setdefault(int(mid), []).append(Media(
            namer.redact(name) if name else None, media_type, str(kind), size, sha,
            bool(omitted)))
    return out


def _reactions(conn: Connection, sc: scope.Scope, ids: list[int], namer: Namer
               ) -> dict[int, list[ShownReaction]]:
    r = t.reactions.c
    out: dict[int, list[ShownReaction]] = {}
    rows = conn.execute(select(r.message_id, r.sender_id, r.emoji, r.ts_local, r.ts_utc)
                        .where(r.message_id.in_(ids),
                               within_days(r.ts_local, r.ts_utc, sc.date_from, sc.date_to))
                        .order_by(r.ts_utc, r.ts_local, r.id))
    for mid, sender, emoji, local, utc in rows:
        out.setdefault(int(mid), []).append(ShownReaction(
            namer.name(int(sender) if sender is not None else None), str(emoji),
            local or utc))
    return out


def describe(conn: Connection, sc: scope.Scope, namer: Namer, ids: Sequence[int],
             quote: Quote) -> dict[int, MessageDetail]:
    """Details of the (in-scope, already shown) messages ``ids``; ``quote(ids)`` reads the
    replied-to messages through the door and answers only those inside the scope."""
    m = t.messages.c
    marks = conn.execute(select(m.id, m.kind, m.edited, m.reply_to_id)
                         .where(m.id.in_(list(ids)))).all()
    replies = sorted({int(r) for _, _, _, r in marks if r is not None})
    quoted = quote(replies) if replies else {}
    media = _media(conn, list(ids), namer)
    reactions = _reactions(conn, sc, list(ids), namer)
    out = {}
    for mid, kind, edited, reply in marks:
        out[int(mid)] = MessageDetail(
            kind == "deleted", bool(edited), kind == "system", tuple(media.get(mid, ())),
            tuple(reactions.get(mid, ())), quoted.get(reply) if reply is not None else None,
            reply is not None and reply not in quoted)
    return out
