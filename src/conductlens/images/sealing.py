"""The stop for suspected indecent images of children.

A picture that matches a child-abuse list is sealed: it is never shown, thumbnailed, read for
text or exported; every case whose exhibits carry it records a referral to the force's
specialist team with the time; the audit log records the seal; the carrying message gets an
``image-sealed`` finding whose text is a notice, not a description. Sealing is by SHA-256, so
the same file is sealed wherever it was shared.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, update

from conductlens.images.findings import ImageFinding, store_findings
from conductlens.review import audit
from conductlens.store import tables as t
from conductlens.store.tables_images import image_referrals, image_text, sealed_images

SPECIALIST_TEAM = "the force's specialist child-abuse investigation team (for CAID)"
NOTICE = ("Sealed: suspected indecent image of a child. This item is not shown, thumbnailed "
          "or exported; it has been referred to the specialist team.")

WITHHELD = "Text read from a picture that is now sealed: withheld."


def is_sealed(conn: Connection, sha256: str | None) -> bool:
    """Whether the picture with this SHA-256 is sealed."""
    if sha256 is None:
        return False
    return conn.scalar(select(sealed_images.c.sha256).where(sealed_images.c.sha256 == sha256)
                       ) is not None


def carriers(conn: Connection, sha256: str) -> list[tuple[int, int, int | None]]:
    """(attachment id, message id, case id) for every attachment with these bytes."""
    rows = conn.execute(
        select(t.attachments.c.id, t.attachments.c.message_id, t.exhibits.c.case_id)
        .join(t.messages, t.messages.c.id == t.attachments.c.message_id)
        .join(t.exhibits, t.exhibits.c.id == t.messages.c.exhibit_id)
        .where(t.attachments.c.sha256 == sha256).order_by(t.attachments.c.id))
    return [(int(a), int(m), None if c is None else int(c)) for a, m, c in rows]


def seal(conn: Connection, sha256: str, reason: str, user: str,
         team: str = SPECIALIST_TEAM) -> int:
    """Seal a picture and refer every case that holds it; returns new referrals made."""
    now = datetime.now(UTC)
    if not is_sealed(conn, sha256):
        conn.execute(insert(sealed_images).values(sha256=sha256, reason=reason,
                                                  sealed_by=user, sealed_at=now))
    _purge_derived(conn, sha256)
    referred = {int(a) for a in conn.scalars(select(image_referrals.c.attachment_id)
                                             .where(image_referrals.c.sha256 == sha256))}
    by_case: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for attachment_id, message_id, case_id in carriers(conn, sha256):
        if attachment_id not in referred:
            by_case[case_id].append((attachment_id, message_id))
    for case_id, items in by_case.items():
        _refer(conn, case_id, sha256, items, reason, user, team, now)
    return sum(len(items) for items in by_case.values())


def _refer(conn: Connection, case_id: int | None, sha256: str, items: list[tuple[int, int]],
           reason: str, user: str, team: str, now: datetime) -> None:
    conn.execute(insert(image_referrals), [
        {"case_id": case_id, "sha256": sha256, "attachment_id": a, "referred_to": team,
         "referred_at": now} for a, _ in items])
    explanation = f"{NOTICE} Referred to {team} at {now.isoformat(timespec='seconds')}. {reason}"
    store_findings(conn, [ImageFinding(m, "image-sealed", "high", 1.0, "image-seal",
                                       explanation) for _, m in items])
    audit.append(conn, audit.AuditEvent(
        user, "image.sealed", case_id,
        {"attachment": [a for a, _ in items], "message": [m for _, m in items]},
        "suspected indecent image of a child: review of the item stopped",
        {"referred_to": team, "reason": reason}))


def _purge_derived(conn: Connection, sha256: str) -> None:
    # Text read from a picture before it was sealed would describe it: it goes too.
    messages = [m for _, m, _ in carriers(conn, sha256)]
    conn.execute(delete(image_text).where(image_text.c.sha256 == sha256))
    if messages:  # findings stay (decisions may point at them); their words do not
        conn.execute(update(t.findings).where(t.findings.c.message_id.in_(messages),
                                              t.findings.c.detector == "ocr")
                     .values(explanation=WITHHELD, spans="[]"))


def referrals(conn: Connection, case_id: int) -> list[tuple[int, str, datetime]]:
    """(attachment id, referred to, when) for a case: what the case file records."""
    rows = conn.execute(select(image_referrals.c.attachment_id, image_referrals.c.referred_to,
                               image_referrals.c.referred_at)
                        .where(image_referrals.c.case_id == case_id)
                        .order_by(image_referrals.c.id))
    return [(int(a), str(r), w) for a, r, w in rows]
