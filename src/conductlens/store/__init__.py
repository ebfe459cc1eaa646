"""The evidence store: ``Store.open(url)`` is the one object other packages hold."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from conductlens.store.migrate import upgrade


def to_url(db: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (SQLite)."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


BUSY_SECONDS = 30.0  # how long a connection waits for another writer (CONDUCTLENS_BUSY_TIMEOUT)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute(f"PRAGMA busy_timeout={int(_busy_seconds() * 1000)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Writers queue for the write lock rather than fail after pysqlite's default 5 s.
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def _default_exhibit_dir(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db_path = Path(str(parsed.database))
        return db_path.with_name(db_path.name + ".exhibits")
    return Path("conductlens-exhibits").resolve()


@dataclass
class Store:
    """A migrated database plus the content-addressed folder that keeps exhibit originals."""

    engine: Engine
    exhibit_dir: Path
    url: str

    @classmethod
    def open(cls, db: str, exhibit_dir: str | Path | None = None) -> Store:
        """Open (creating and migrating as needed) the store at ``db``."""
        url = to_url(db)
        engine = create_engine(url, future=True, connect_args=_connect_args(url))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        upgrade(engine)
        folder = Path(exhibit_dir) if exhibit_dir else _default_exhibit_dir(url)
        return cls(engine=engine, exhibit_dir=folder, url=url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that holds the write lock from its first statement.

        On SQLite a transaction that reads first and writes later cannot wait for another
        writer (its snapshot is stale; SQLite answers "database is locked" at once), so this
        takes the lock up front and waits up to the busy timeout: concurrent writers queue.
        """
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


def _busy_seconds() -> float:
    try:
        return float(os.environ.get("CONDUCTLENS_BUSY_TIMEOUT", BUSY_SECONDS))
    except ValueError:
        return BUSY_SECONDS


def _connect_args(url: str) -> dict[str, object]:
    """Every connection waits for other writers (bounded) rather than failing at once."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return {"timeout": _busy_seconds()}
    if backend == "postgresql":
        # connect_args replace the URL's own "options": keep those (a search_path...) too.
        given = parsed.query.get("options", "")
        given = " ".join(given) if isinstance(given, tuple) else given
        return {"options": f"{given} -c lock_timeout={int(_busy_seconds() * 1000)}".strip()}
    return {}


def current_user() -> str:
    """Who is acting, for provenance: CONDUCTLENS_USER or the OS account."""
    return os.environ.get("CONDUCTLENS_USER") or getpass.getuser()


def store_trouble(exc: Exception) -> str:
    """A driver error in one line a user can act on (never a traceback)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    text_ = lines[0] if lines else exc.__class__.__name__
    low = text_.lower()
    if "locked" in low or "lock timeout" in low or "could not obtain lock" in low:
        return (f"the store is busy with another writer (waited {_busy_seconds():g} s; "
                "set CONDUCTLENS_BUSY_TIMEOUT to wait longer); try again")
    if "disk" in low and "full" in low or "no space" in low:
        return "the disk holding the store is full; nothing was added"
    if "unique" in low or "duplicate key" in low:
        return "another command wrote the same record at the same moment; try again"
    return f"the store refused the write ({exc.__class__.__name__}: {text_})"
