"""Group member tables of the phone databases, as membership events.

A phone keeps who is in each group in a table of its own, apart from the system messages:
Android ``group_participant_user`` (current members, with the add time where the schema has
one, the rank and the join method) and ``group_past_participant_user`` (former members, with
the time they went), iOS ``ZWAGROUPMEMBER`` (members with an active and an admin flag). These
rows are the only record of a member who never posted and whose arrival predates the history,
so they become ``member`` / ``past_member`` events naming their table and row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from conductlens.ingest._msgstore_sqlite import Schema, ms_to_utc
from conductlens.model import MembershipEvent, MembershipKind, SourceRef, Timestamp

_RANKS = {0: "member", 1: "admin", 2: "creator"}


def android_members(conn: sqlite3.Connection, schema: Schema, path: str, conversation: str,
                    group_row: int, key_for_row: Callable[[object], str | None],
                    ) -> Iterator[MembershipEvent]:
    """``member`` events from ``group_participant_user``, ``past_member`` events from
    ``group_past_participant_user``, for the group whose jid row is ``group_row``."""
    table = "group_participant_user"
    if schema.has(table, "_id", "group_jid_row_id", "user_jid_row_id"):
        extra = [c for c in ("add_timestamp", "rank", "pending", "join_method", "add_method")
                 if schema.has(table, c)]
        sql = (f"SELECT _id, user_jid_row_id{''.join(', ' + c for c in extra)} FROM {table} "
               "WHERE group_jid_row_id = ? ORDER BY _id")
        for row in conn.execute(sql, (group_row,)):
            who = key_for_row(row["user_jid_row_id"])
            if who is None:
                continue
            found = dict(zip(extra, tuple(row)[2:], strict=True))
            when = ms_to_utc(found.get("add_timestamp"))
            yield MembershipEvent(conversation, MembershipKind.MEMBER, None, who,
                                  Timestamp(utc=when),
                                  SourceRef(path=path, table=table, row_id=str(row["_id"])),
                                  _android_detail(found))
    table = "group_past_participant_user"
    if schema.has(table, "_id", "group_jid_row_id", "user_jid_row_id"):
        extra = [c for c in ("timestamp", "is_leave") if schema.has(table, c)]
        sql = (f"SELECT _id, user_jid_row_id{''.join(', ' + c for c in extra)} FROM {table} "
               "WHERE group_jid_row_id = ? ORDER BY _id")
        for row in conn.execute(sql, (group_row,)):
            who = key_for_row(row["user_jid_row_id"])
            if who is None:
                continue
            found = dict(zip(extra, tuple(row)[2:], strict=True))
            when = ms_to_utc(found.get("timestamp"))
            leave = found.get("is_leave")
            how = "left" if leave == 1 else "removed" if leave == 0 else None
            yield MembershipEvent(conversation, MembershipKind.PAST_MEMBER, None, who,
                                  Timestamp(utc=when),
                                  SourceRef(path=path, table=table, row_id=str(row["_id"])),
                                  how)


def _android_detail(found: dict[str, object]) -> str:
    rank = found.get("rank")
    parts = [f"rank={_RANKS.get(rank, rank) if isinstance(rank, int) else 'unknown'}"]
    for column in ("join_method", "add_method"):
        if found.get(column) is not None:
            parts.append(f"{column}={found[column]}")
    if found.get("pending"):
        parts.append("pending")
    return "; ".join(parts)


def ios_members(conn: sqlite3.Connection, schema: Schema, path: str,
                conversation_of: Callable[[object], str | None],
                key_of: Callable[[str], str]) -> Iterator[MembershipEvent]:
    """``member`` events for active ``ZWAGROUPMEMBER`` rows, ``past_member`` for inactive ones
    (no times: iOS keeps none in this table)."""
    table = "ZWAGROUPMEMBER"
    if not schema.has(table, "Z_PK", "ZMEMBERJID", "ZCHATSESSION"):
        return
    active = "ZISACTIVE" if schema.has(table, "ZISACTIVE") else "1"
    admin = "ZISADMIN" if schema.has(table, "ZISADMIN") else "NULL"
    sql = (f"SELECT Z_PK, ZMEMBERJID, ZCHATSESSION, {active} AS active, {admin} AS admin "
           f"FROM {table} ORDER BY Z_PK")
    for row in conn.execute(sql):
        conversation = conversation_of(row["ZCHATSESSION"])
        if conversation is None or not row["ZMEMBERJID"]:
            continue
        kind = MembershipKind.MEMBER if row["active"] else MembershipKind.PAST_MEMBER
        detail = {1: "admin", 0: "member"}.get(row["admin"])
        yield MembershipEvent(conversation, kind, None, key_of(str(row["ZMEMBERJID"])),
                              Timestamp(),
                              SourceRef(path=path, table=table, row_id=str(row["Z_PK"])),
                              detail)


def uninterpreted_changes(conn: sqlite3.Connection, schema: Schema) -> str | None:
    """A warning counting ``ZWAGROUPMEMBERSCHANGE`` rows, which are not read as events.

    The table holds a date, the group, the member JIDs and an integer ``ZCHANGETYPE`` that
    nothing in the database explains; reading a join or a leave into that number would be a
    guess, so the rows stay in the exhibit (whose bytes are kept) and are counted here."""
    table = "ZWAGROUPMEMBERSCHANGE"
    if not schema.has(table, "Z_PK"):
        return None
    (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    if not count:
        return None
    return (f"{table}: {count} group member change rows were not read as membership events "
            "(their ZCHANGETYPE has no documented meaning); the rows are in the exhibit as "
            "ingested")
