"""The case page's Recipients section: an investigator proposes a name for a recipient, a
supervisor approves it, and the bundle button's job shows that name only for that recipient."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from sqlalchemy import select

from conductlens.review.access import ReviewSession
from conductlens.review.pseudonyms import Namer
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t

PANEL = "Misconduct panel"
WHY = "The panel must know who challenged the remark at the time"


def _beth(store: Store, world: World) -> int:
    with store.engine.begin() as conn:
        pid = conn.scalar(select(t.participants.c.id).where(
            t.participants.c.name == "Beth Jones"))
        return Namer(conn, world.case_id, ()).number(int(pid))


def _bundle_html(client: Any, case_id: int, recipient: str, run_jobs: Any) -> str:
    response = client.post(f"/cases/{case_id}/bundle",
                           data={"recipient": recipient, "csrf": client.csrf})
    assert response.status_code == 303, response.text
    [job] = run_jobs()
    assert job.state == "done", job.error
    job_page = client.get(response.headers["location"]).text
    assert f"Shown by name as approved for {recipient}: " in job_page
    data = client.get(f"{response.headers['location']}/bundle.zip").content
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        [name] = [n for n in zf.namelist() if n.endswith("bundle.html")]
        return zf.read(name).decode("utf-8")


def test_propose_approve_and_the_bundle_follows(login: Any, scoped: World, store: Store,
                                               run_jobs: Any) -> None:
    case = f"/cases/{scoped.case_id}"
    tab = f"{case}?tab=disclosure"
    beth = _beth(store, scoped)
    reader = ReviewSession(store.engine, scoped.users["investigator"], scoped.case_id)
    reader.decide(reader.queue()[0].id, "relevant", "Misogynistic comment about a victim")
    inv = login("investigator")
    page = inv.get(tab).text
    assert 'id="recipients"' in page and "No names proposed for any recipient" in page
    made = inv.post(f"{case}/recipient-names", data={
        "recipient": PANEL, "number": str(beth), "reason": WHY, "csrf": inv.csrf})
    assert made.status_code == 303 and made.headers["location"] == tab
    page = inv.get(tab).text
    assert f"Participant {beth:02d}" in page and "<strong>proposed</strong>" in page
    assert "/recipient-names/1/approve" not in page  # the proposer gets no Approve button
    assert inv.post(f"{case}/recipient-names/1/approve",
                    data={"reason": "Mine, agreed", "csrf": inv.csrf}).status_code == 403
    sup = login("supervisor")
    assert "/recipient-names/1/approve" in sup.get(tab).text
    assert sup.post(f"{case}/recipient-names/1/sideways",
                    data={"reason": "Whatever", "csrf": sup.csrf}).status_code == 400
    done = sup.post(f"{case}/recipient-names/1/approve",
                    data={"reason": "Necessary for the hearing", "csrf": sup.csrf})
    assert done.status_code == 303, done.text
    page = inv.get(tab).text
    assert "<strong>approved</strong>" in page and f'<option value="{PANEL}">' in page
    assert f"Recipients with names approved: {PANEL}." in page
    assert "Beth Jones" in _bundle_html(inv, scoped.case_id, PANEL, run_jobs)
    other = _bundle_html(inv, scoped.case_id, "Federation representative", run_jobs)
    assert "Beth Jones" not in other and f"Participant {beth:02d}" in other


def test_outsiders_cannot_propose(login: Any, scoped: World) -> None:
    for who in ("auditor", "analyst"):
        client = login(who)
        response = client.post(f"/cases/{scoped.case_id}/recipient-names", data={
            "recipient": PANEL, "number": "1", "reason": WHY, "csrf": client.csrf})
        assert response.status_code == 403
