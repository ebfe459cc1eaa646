"""``ImageDoor``: the only way the review reaches a picture.

It is a ``ReviewSession``, so it keeps the door's own rules rather than a copy of them: the
role must read content, the case opens only for its team, answers come only inside the
authorised scope (the carrying message must be in scope), and an audit event is written
before anything is returned; every thumbnail and every opened picture is a recorded
consultation. A sealed picture is never returned at all: the reviewer gets the notice and the
referral instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from conductlens.errors import ScopeError
from conductlens.images.imagepass import IMAGE_KINDS, picture_bytes
from conductlens.images.sealing import NOTICE, is_sealed
from conductlens.images.spread import Sighting, spread
from conductlens.images.thumbnails import THUMB_SIZE, VIEW_SIZE, SealedImage, thumbnail
from conductlens.review import scope
from conductlens.review.access import ReviewSession
from conductlens.review.accounts import User
from conductlens.review.roles import Permission
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_images import image_referrals, images


@dataclass(frozen=True, slots=True)
class ShownImage:
    attachment_id: int
    message_id: int
    file_name: str
    sealed: bool
    notice: str  # the seal's notice and referral, or ""
    exif: dict[str, Any]
    findings: tuple[tuple[int, str, str, str], ...]  # (finding id, category, severity, why)
    width: int | None
    height: int | None


class ImageDoor(ReviewSession):
    """One user's view of one case's pictures, within the scope in force."""

    def __init__(self, store: Store, user: User, case_id: int) -> None:
        super().__init__(store.engine, user, case_id)
        self.store = store

    def _content_scope(self, conn: Connection) -> scope.Scope:
        self._need(Permission.READ_CONTENT)
        return self._scope(conn)

    def _query(self, sc: scope.Scope) -> Any:
        a = t.attachments
        return (select(a.c.id, a.c.message_id, a.c.file_name, a.c.sha256, t.messages.c.exhibit_id)
                .join(t.messages, t.messages.c.id == a.c.message_id)
                .where(scope.scope_clause(sc), a.c.sha256.is_not(None),
                       a.c.kind.in_(IMAGE_KINDS) | a.c.media_type.like("image/%")))

    def _seen(self, conn: Connection, sc: scope.Scope, action: str, ids: list[int],
              detail: dict[str, object] | None = None) -> None:
        self._audit(conn, action, sc, {"attachment": ids}, detail)

    def gallery(self, flagged_only: bool = True, message_id: int | None = None,
                limit: int = 200) -> list[ShownImage]:
        """Pictures in scope (those with findings, unless ``flagged_only`` is false), or
        those of one message."""
        with self.engine.begin() as conn:
            sc = self._content_scope(conn)
            query = self._query(sc).order_by(t.attachments.c.id)
            if message_id is not None:
                query = query.where(t.attachments.c.message_id == message_id)
            rows = conn.execute(query).all()
            shown = [self._image(conn, sc, r) for r in rows]
            if flagged_only:
                shown = [s for s in shown if s.findings]
            shown = shown[:limit]
            self._seen(conn, sc, "view.images", [s.attachment_id for s in shown])
        return shown

    def details(self, attachment_id: int) -> ShownImage:
        """One picture's findings, EXIF and seal (no pixels)."""
        with self.engine.begin() as conn:
            sc = self._content_scope(conn)
            shown = self._image(conn, sc, self._row(conn, sc, attachment_id))
            self._seen(conn, sc, "view.image.details", [attachment_id])
        return shown

    def spread(self, attachment_id: int) -> tuple[list[Sighting], int]:
        """Where this picture (or one PDQ calls the same) went inside the scope, oldest first;
        and how many times it appears outside the scope (a count only)."""
        with self.engine.begin() as conn:
            sc = self._content_scope(conn)
            row = self._row(conn, sc, attachment_id)
            if is_sealed(conn, row.sha256):
                return [], 0
            shown, outside = spread(conn, sc, self.case_id, row.sha256)
            self._seen(conn, sc, "view.image.spread", [s.attachment_id for s in shown],
                        {"withheld": outside})
        return shown, outside

    def picture(self, attachment_id: int, *, blurred: bool) -> bytes:
        """A metadata-free PNG of the picture (blurred thumbnail, or the opened picture)."""
        with self.engine.begin() as conn:
            sc = self._content_scope(conn)
            row = self._row(conn, sc, attachment_id)
            sealed = is_sealed(conn, row.sha256)
            if not sealed:
                data = picture_bytes(conn, self.store, row.sha256)
                out = thumbnail(data, sealed=False, blurred=blurred,
                                size=THUMB_SIZE if blurred else VIEW_SIZE)
                self._seen(conn, sc, "view.image", [attachment_id], {"blurred": blurred})
                return out
        with self.engine.begin() as conn:  # the refusal is kept: it is not rolled back
            self._seen(conn, sc, "access.denied", [attachment_id], {"why": "sealed"})
        raise SealedImage(NOTICE)

    def _row(self, conn: Connection, sc: scope.Scope, attachment_id: int) -> Any:
        row = conn.execute(self._query(sc).where(t.attachments.c.id == attachment_id)).first()
        if row is None:
            raise ScopeError("no such picture inside the authorised scope")
        return row

    def _image(self, conn: Connection, sc: scope.Scope, row: Any) -> ShownImage:
        sealed = is_sealed(conn, row.sha256)
        meta = conn.execute(select(images.c.exif, images.c.width, images.c.height)
                            .where(images.c.sha256 == row.sha256)).first()
        f = t.findings
        query = select(f.c.id, f.c.category, f.c.severity, f.c.explanation).where(
            f.c.message_id == row.message_id)
        if sc.categories:
            query = query.where(f.c.category.in_(sc.categories))
        found = tuple((int(i), str(c), str(s), str(e)) for i, c, s, e in conn.execute(query))
        return ShownImage(
            int(row.id), int(row.message_id), str(row.file_name or "picture"), sealed,
            self._notice(conn, int(row.id)) if sealed else "",
            {} if sealed or meta is None else json.loads(meta.exif),
            found, None if sealed or meta is None else meta.width,
            None if sealed or meta is None else meta.height)

    def _notice(self, conn: Connection, attachment_id: int) -> str:
        row = conn.execute(select(image_referrals.c.referred_to, image_referrals.c.referred_at)
                           .where(image_referrals.c.attachment_id == attachment_id)).first()
        if row is None:
            return NOTICE
        when: datetime = row.referred_at
        return f"{NOTICE} Referred to {row.referred_to} at {when:%d %b %Y %H:%M} UTC."
