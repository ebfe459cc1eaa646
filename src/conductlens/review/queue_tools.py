"""``QueueTools``: what a reviewer does to findings beyond deciding them: tags with comments.

A ``ReviewSession`` mixin of ``CaseDoor``: each write checks the role, the case team and
that every finding it touches lies inside the authorised scope (one outside refuses the
lot), and writes its audit event in the same transaction. What it reads back (tags in
force) are the reviewers' own words about findings the page already shows, never message
content.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import scope, tags
from conductlens.review.access import Forbidden, ReviewSession
from conductlens.review.accounts import User
from conductlens.review.roles import Permission, allows
from conductlens.store import tables as t

P = Permission


class QueueTools(ReviewSession):
    """Tags on one case's findings, for one user."""

    def _inside(self, conn: Connection, sc: scope.Scope, finding_ids: list[int]) -> None:
        """Refuse unless every one of ``finding_ids`` is a finding inside ``sc``."""
        found = conn.scalar(self._finding_query(sc, count=True).where(
            t.findings.c.id.in_(finding_ids))) or 0
        if int(found) != len(finding_ids):
            raise ScopeError("no such finding inside the authorised scope")

    def tag_choices(self) -> list[str]:
        """The tags a reviewer may put on a finding (the standard three and the force's)."""
        self._need(P.READ_CONTENT)
        with self.engine.connect() as conn:
            self._open(conn)
            return tags.known(conn)

    def tag(self, finding_ids: Iterable[int], tag: str, comment: str = "") -> int:
        """Put ``tag`` (with ``comment``) on each finding; all or none; one audit event
        naming every finding tagged."""
        self._need(P.DECIDE)
        ids = list(dict.fromkeys(int(i) for i in finding_ids))
        if not ids:
            return 0
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            name = tags.require_known(conn, tag)
            self._inside(conn, sc, ids)
            tags.add(conn, self.case_id, ids, name, comment, self.user.username)
            self._audit(conn, "review.tag", sc, {"finding": ids},
                        {"tag": name, "comment": bool(comment.strip())})
        return len(ids)

    def untag(self, finding_id: int, tag: str) -> None:
        """Take ``tag`` off a finding (its row is kept, marked removed); audited."""
        self._need(P.DECIDE)
        with self.engine.begin() as conn:
            sc = self._scope(conn)
            self._inside(conn, sc, [finding_id])
            name = " ".join(tag.split()).casefold()
            if not tags.remove(conn, self.case_id, finding_id, name, self.user.username):
                raise ConductLensError(f"finding {finding_id} is not tagged {name!r}")
            self._audit(conn, "review.untag", sc, {"finding": [finding_id]}, {"tag": name})

    def tags_of(self, finding_ids: Iterable[int]) -> dict[int, list[tags.FindingTag]]:
        """The tags in force on findings inside the scope (others are left out)."""
        self._need(P.READ_CONTENT)
        ids = sorted({int(i) for i in finding_ids})
        with self.engine.connect() as conn:
            sc = self._scope(conn)
            inside = set(conn.scalars(self._finding_query(sc).with_only_columns(
                t.findings.c.id).where(t.findings.c.id.in_(ids)))) if ids else set()
            return tags.in_force(conn, self.case_id, inside)


def force_tags(engine: Engine, user: User) -> list[tuple[str, bool]]:
    """Every tag, each with whether the force added it (the standard three cannot go)."""
    _need(user, P.DEFINE_TAGS)
    with engine.connect() as conn:
        return [(name, name not in tags.STANDARD_TAGS) for name in tags.known(conn)]


def define_force_tag(engine: Engine, user: User, name: str) -> str:
    """Add a tag name every case of the force may use (admins and supervisors); audited."""
    _need(user, P.DEFINE_TAGS)
    with engine.begin() as conn:
        return tags.define(conn, name, user.username)


def _need(user: User, permission: Permission) -> None:
    if not allows(user.role, permission):
        raise Forbidden(f"{user.role} may not {permission.value}")
