"""Background jobs: long work (an upload's ingest, a policy scan, an evidential bundle) off
the web request.

A route or command queues a job (``queue_ingest``, ``queue_scan``, ``queue_bundle``) and
answers at once with its id; the web app's worker thread (``JobWorker``) or ``conductlens
jobs run`` runs it (``run_job``, ``run_pending``) as the account that asked, through the same
door and with the same audit as before. Each kind lives in its own module and is registered
in ``registry``.
"""

from __future__ import annotations

from conductlens.jobs.bundle import bundle_zip, queue_bundle
from conductlens.jobs.ingest_upload import queue_ingest
from conductlens.jobs.queue import Job, JobState, find_job, job_for, list_jobs
from conductlens.jobs.runner import JobWorker, live_progress, run_job, run_pending
from conductlens.jobs.scan_case import queue_scan
from conductlens.jobs.uploads import Upload, save_upload
from conductlens.jobs.view import case_jobs, job_view

__all__ = ["Job", "JobState", "JobWorker", "Upload", "bundle_zip", "case_jobs", "find_job",
           "job_for", "job_view", "list_jobs", "live_progress", "queue_bundle", "queue_ingest",
           "queue_scan", "run_job", "run_pending", "save_upload"]
