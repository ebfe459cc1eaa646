"""Shared fixtures: per-test stores (SQLite always, PostgreSQL when a server is given)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from conductlens.store import Store

# Property tests explore the same examples on every run and machine: a red CI is reproducible.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples" / "ingest"
DATASETS = SHARED / "datasets"


@pytest.fixture
def samples() -> Path:
    """The real chat exports from other projects' test suites (read in place)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(str(tmp_path / "evidence.db"), tmp_path / "exhibits")
    yield store
    store.close()


def _pg_url() -> str | None:
    return os.environ.get("CONDUCTLENS_TEST_PG_URL")


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    url = _pg_url()
    if not url:
        pytest.skip("CONDUCTLENS_TEST_PG_URL not set (bash .ci/run starts a server)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    store = Store.open(f"{url}{sep}options=-csearch_path%3D{schema}", tmp_path / "exhibits")
    yield store
    store.close()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same test against SQLite and, when available, PostgreSQL."""
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
