"""Every job kind, in one place: the runner looks a job's ``kind`` up here."""

from __future__ import annotations

from conductlens.jobs.base import JobKind
from conductlens.jobs.bundle import BUNDLE
from conductlens.jobs.ingest_upload import INGEST
from conductlens.jobs.scan_case import SCAN

KINDS: dict[str, JobKind] = {kind.name: kind for kind in (INGEST, BUNDLE, SCAN)}
