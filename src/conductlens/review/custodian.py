"""``CustodianSession``: the command line's door to whole exhibits (``search``,
``export-messages``).

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

from sqlalchemy import func, select

from conductlens.review import audit, cases
from conductlens.review._csv import csv_row
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
