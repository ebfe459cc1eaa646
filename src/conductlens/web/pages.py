"""Rendering server-side pages: one Jinja2 environment, autoescaped, with the session in it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from conductlens.review.roles import Permission, allows
from conductlens.web import notices

_TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "unknown time"
    if isinstance(value, datetime):
        return value.strftime("%d %b %Y %H:%M")
    return value.strftime("%d %b %Y")


def _detail(raw: str | None) -> list[tuple[str, str]]:
    """An audit record's detail (JSON) as labelled lines for a reader, not a programmer:
    ``{"case_id": null, "terms": ["a", "b"]}`` is ``[("terms", "a, b")]``."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return [("", str(raw))]
    if not isinstance(value, dict):
        return [("", json.dumps(value, ensure_ascii=False))]
    out = []
    for key, item in value.items():
        if item in (None, "", [], {}):
            continue  # an unset filter or option says nothing
        if isinstance(item, list):
            shown = ", ".join(str(i) for i in item)
        elif isinstance(item, dict):
            shown = json.dumps(item, ensure_ascii=False, sort_keys=True)
        else:
            shown = str(item)
        out.append((str(key).replace("_", " "), shown))
    return out


_TEMPLATES.env.filters["when"] = _when
_TEMPLATES.env.filters["detail"] = _detail


def render(request: Request, name: str, context: dict[str, Any], status: int = 200
           ) -> HTMLResponse:
    session = getattr(request.state, "session", None)
    role = session.user.role if session else None

    def can(permission: str) -> bool:
        return role is not None and allows(role, Permission(permission))

    notice = notices.take(request)
    full = {"session": session, "csrf": session.csrf if session else "", "can": can,
            "notice": notice, **context}
    response = _TEMPLATES.TemplateResponse(request, name, full, status_code=status)
    if notice is not None:
        notices.clear(response)
    return response
