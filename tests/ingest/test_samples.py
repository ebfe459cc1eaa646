"""Every real export in ../shared/samples/ingest either ingests or is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conductlens.errors import ConductLensError
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file()) if SAMPLES.is_dir() else []
DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
CHAT_SUFFIXES = {".txt", ".zip", ".db", ".json", ".html", ".sqlite"}


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    root = tmp_path_factory.mktemp("samples")
    return Store.open(str(root / "s.db"), root / "exhibits")


@pytest.mark.skipif(not FILES, reason="../shared/samples/ingest not present")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_ingests_or_is_refused_clearly(shared_store: Store, path: Path) -> None:
    try:
        summary = ingest_path(shared_store, path)
    except ConductLensError as exc:
        message = str(exc)
        assert "\n" not in message and str(path.name) in message
        # Media, SQL dumps and notes are not chats; chat-shaped files must not be refused
        # unless docs/formats.md says why.
        if path.suffix.lower() in CHAT_SUFFIXES:
            assert path.name in DOCS.read_text(encoding="utf-8"), (
                f"refusal of {path.name} is not documented in docs/formats.md: {message}"
            )
        return
    assert summary.messages + summary.conversations > 0
