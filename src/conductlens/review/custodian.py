"""``CustodianSession``: the command line's door to whole exhibits (``search``,
``export-messages``).

``decided_messages`` reads the texts of the messages reviewers decided on, for training a
force's own model (``models train --from-decisions``): only findings inside each case's
authorised scope, names masked with the case's pseudonyms, recorded before anything is read.

The evidence custodian works outside any case scope, so what matters is the record: the
audit event is written and committed *before* the first message is read, naming the query
(its words), the case, the format, the recipient and how many messages were selected, so a
piped (``| head``), failed or killed run still leaves one. A completed export adds a second
event with the count written. Search uses the store's one search (``store.search``), and
every CSV cell passes the same formula guard as the web's exports.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from conductlens.detect.decided import TRAINING_DECISIONS, Decided
from conductlens.review import audit, cases, queue, scope
from conductlens.review._csv import csv_row
from conductlens.review.pseudonyms import Namer
from conductlens.store import Store, current_user, reads
from conductlens.store import tables as t
from conductlens.store.search import query_words

CSV_FIELDS = (
    "id", "exhibit_sha256", "conversation", "timestamp", "sender", "sender_phone", "kind",
    "text", "edited", "forwarded", "reply_to", "attachment", "source",
)


class CustodianSession:
    """One command-line user's reading of whole exhibits, recorded before it starts."""

    def __init__(self, store: Store, reason: str) -> None:
        self.store, self.reason = store, reason
        self.username = f"cli:{current_user()}"

    def _record(self, action: str, detail: dict[str, object],
                object_ids: dict[str, list[int | str]] | None = None) -> None:
        with self.store.engine.begin() as conn:
            audit.append(conn, audit.AuditEvent(self.username, action, None, object_ids,
                                                self.reason, detail))

    def case_is_new(self, reference: str | None) -> bool:
        """Whether an ingest into ``reference`` would create the case."""
        if not reference:
            return False
        with self.store.engine.connect() as conn:
            return conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference)
                               ) is None

    def record_case_origin(self, reference: str) -> None:
        """The case an ingest just created belongs to this user: only they may open it."""
        with self.store.engine.begin() as conn:
            case_id = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference))
            if case_id is not None:
                cases.record_origin(conn, int(case_id), self.username, "ingest")

    def _selected(self, case: str | None, query: str | None) -> int:
        """How many messages the read will select (a count: no content)."""
        with self.store.engine.connect() as conn:
            inner = reads.message_query(case, query, conn.dialect.name).subquery()
            return int(conn.scalar(select(func.count()).select_from(inner)) or 0)

    def search(self, query: str, case: str | None, limit: int) -> list[dict[str, Any]]:
        """Messages holding every word of ``query``, at most ``limit``; recorded first."""
        selected = min(self._selected(case, query), limit)
        self._record("cli.search", {"case": case, "terms": query_words(query),
                                    "results": selected, "limit": limit})
        with self.store.engine.connect() as conn:
            found: list[dict[str, Any]] = []
            for rec in reads.iter_messages(conn, case=case, query=query):
                if len(found) >= limit:
                    break
                found.append(rec)
        return found

    def export(self, fh: IO[str], fmt: str, *, case: str | None, zone: ZoneInfo | None,
               recipient: str | None, output: str) -> int:
        """Write messages to ``fh`` as jsonl or csv; recorded before the first byte."""
        detail: dict[str, object] = {"case": case, "format": fmt, "recipient": recipient,
                                     "output": output,
                                     "messages": self._selected(case, None)}
        self._record("cli.export", detail)
        with self.store.engine.connect() as conn:
            count = write_records(fh, reads.iter_messages(conn, case=case, zone=zone), fmt)
        self._record("cli.export.done", detail | {"messages": count})
        return count


    def decided_messages(self, case: str | None, purpose: dict[str, object]) -> list[Decided]:
        """Each in-scope message a reviewer decided on (relevant or not relevant, the latest
        decision of each finding), its text masked, with the decided findings' categories
        and Standards. Recorded (counts and ``purpose``, no content) before any text is read.
        """
        with self.store.engine.connect() as conn:
            scopes = _scopes(conn, case)
            counts = {s.case_id: _decided_count(conn, s) for s in scopes}
        self._record("cli.train", {"case": case, "purpose": purpose, "cases": len(scopes),
                                   "decided_findings": sum(counts.values())},
                     {"case": sorted(counts)})
        found: list[Decided] = []
        with self.store.engine.begin() as conn:  # the Namer may give a mention its pseudonym
            for sc in scopes:
                found.extend(_decided(conn, sc))
        return found


def _scopes(conn: Connection, case: str | None) -> list[scope.Scope]:
    ids = select(t.cases.c.id).order_by(t.cases.c.id)
    if case is not None:
        ids = ids.where(t.cases.c.reference == case)
    found = (scope.current(conn, int(case_id)) for case_id in conn.scalars(ids))
    return [sc for sc in found if sc is not None]


def _decided_query(sc: scope.Scope, columns: list[Any], with_decision: bool = False) -> Any:
    query, latest = queue.base(sc, columns)
    if with_decision:
        query = query.add_columns(latest.c.decision)
    return query.where(latest.c.decision.in_(TRAINING_DECISIONS),
                       ~t.findings.c.category.startswith("image-"),
                       t.findings.c.detector != "ocr")  # words read from a picture


def _decided_count(conn: Connection, sc: scope.Scope) -> int:
    inner = _decided_query(sc, [t.findings.c.id]).subquery()
    return int(conn.scalar(select(func.count()).select_from(inner)) or 0)


def _decided(conn: Connection, sc: scope.Scope) -> list[Decided]:
    f, m = t.findings.c, t.messages.c
    rows = conn.execute(_decided_query(sc, [m.id, m.text, f.category, f.standards], True)
                        .order_by(m.id, f.id)).all()
    namer = Namer(conn, sc.case_id, ())
    by_message: dict[int, list[Any]] = {}
    for row in rows:
        by_message.setdefault(int(row[0]), []).append(row)
    out = []
    for found in by_message.values():
        relevant = [r for r in found if r[4] == "relevant"]
        chosen = relevant or found  # one relevant finding makes the message relevant
        out.append(Decided(
            namer.redact(str(found[0][1] or "")), bool(relevant),
            tuple(dict.fromkeys(str(r[2]) for r in chosen)),
            tuple(dict.fromkeys(s for r in chosen for s in json.loads(str(r[3]))))))
    return out


def write_records(fh: IO[str], records: Iterator[dict[str, Any]], fmt: str) -> int:
    """Write export records; CSV cells that a spreadsheet would run are guarded."""
    count = 0
    if fmt == "jsonl":
        for rec in records:
            fh.write(reads.dumps(rec) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for rec in records:
        row = dict(rec)
        for key in ("attachment", "source"):
            row[key] = json.dumps(rec[key], ensure_ascii=False) if rec[key] else ""
        writer.writerow(csv_row(row, CSV_FIELDS))
        count += 1
    return count
