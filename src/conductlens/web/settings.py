"""The web app's settings, given to ``create_app`` (never read at import)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class WebSettings:
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    secure_cookies: bool = True  # set False only for http://localhost (tests, demo)
    idle_minutes: int = 15
    session_hours: int = 10  # absolute lifetime: a session ends this long after sign-in
    max_upload_mb: int = 200
    cookie_name: str = "cl_session"
    # Run queued jobs (uploads' ingests, bundles) in a worker thread started with the app.
    # Tests turn it off and run the jobs themselves (``jobs.run_pending``).
    run_jobs: bool = True
    # Count the review pages' figures in a thread whenever the store or a scope changes
    # (``review.warm``), so the first view after an ingest or a scan does not wait for them.
    warm_views: bool = True
    # The force's region: phone numbers declared without a country code are read in it.
    phone_region: str = "GB"
