"""Planner statistics, refreshed after the store grows.

Without them SQLite cannot tell that one exhibit holds a million messages: looking up a page's
200 messages by id, it walked the exhibit's index instead (1.4 s at 4 million messages, not
a millisecond). ``refresh`` runs after an ingest and a scan: on SQLite a sampled ``ANALYZE``
(``analysis_limit``: a tenth of a second at millions of rows), on PostgreSQL ``ANALYZE`` of
the tables that grew (autovacuum would get there, but only later).
"""

from __future__ import annotations

from sqlalchemy import Connection

GROWING = ("messages", "findings", "participants", "conversations", "exhibits")


def refresh(conn: Connection) -> None:
    """Refresh the statistics the planner reads, inside the caller's transaction."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
    elif conn.dialect.name == "postgresql":
        for table in GROWING:
            conn.exec_driver_sql(f"ANALYZE {table}")
