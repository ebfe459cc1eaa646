"""The ``jobs`` table: long work (an upload's ingest, a bundle) run off the web request.

It shares ``conductlens.store.tables.metadata``; migration ``0017_jobs`` creates it. A row
says what was asked (``kind``, ``params``), by whom, for which case, where it stands
(``state``: queued, running, done, failed), how far it got, why it failed (one line, never
message content nor a server path) and what it produced (``result_ref``: an exhibit or
bundle reference).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text

from conductlens.store.tables import metadata

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("case_id", ForeignKey("cases.id"), nullable=True, index=True),
    Column("user_id", ForeignKey("users.id"), nullable=True),
    Column("requested_by", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("params", Text, nullable=False),  # JSON object; names and hashes, never content
    Column("progress_done", Integer, nullable=False),
    Column("progress_total", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("result_ref", Text, nullable=True),
    Column("summary", Text, nullable=True),  # JSON object of counts, shown when done
    Column("attempts", Integer, nullable=False),
    Column("worker", Text, nullable=True),  # host:pid of the runner holding it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)
