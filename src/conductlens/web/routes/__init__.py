"""One router per resource; ``ROUTERS`` is the list ``create_app`` includes."""

from __future__ import annotations

from fastapi import APIRouter

from conductlens.web.routes import (
    admin,
    api,
    audit_log,
    auth,
    cases,
    dynamics,
    images,
    jobs,
    key_facts,
    outcomes,
    queue_tools,
    recipients,
    register,
    review,
    scope,
    team,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router, cases.router, scope.router, review.router, audit_log.router,
    register.router, admin.router, team.router, outcomes.router, key_facts.router, dynamics.router,
    api.router,
    images.router, jobs.router, queue_tools.router, recipients.router,
)
