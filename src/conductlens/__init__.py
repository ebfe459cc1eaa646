"""ConductLens: proportionate, auditable review of instant-messaging evidence.

The library API; the CLI and the web app are thin layers over these calls.
"""

from __future__ import annotations

from conductlens.ingest.pipeline import IngestSummary, ingest_path
from conductlens.store import Store

__all__ = ["IngestSummary", "Store", "ingest_path", "open_store"]

__version__ = "0.1.0"


def open_store(db: str) -> Store:
    """Open (creating and migrating as needed) the evidence store at ``db``."""
    return Store.open(db)
