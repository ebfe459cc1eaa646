"""The evidence store: ``Store.open(url)`` is the one object other packages hold."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from conductlens.store.migrate import upgrade


def to_url(db: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (SQLite)."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
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
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        upgrade(engine)
        folder = Path(exhibit_dir) if exhibit_dir else _default_exhibit_dir(url)
        return cls(engine=engine, exhibit_dir=folder, url=url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


def current_user() -> str:
    """Who is acting, for provenance: CONDUCTLENS_USER or the OS account."""
    return os.environ.get("CONDUCTLENS_USER") or getpass.getuser()
