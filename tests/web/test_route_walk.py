"""The route walk of issue 9: every role, every HTML and JSON route, 0 leaks.

For each role (and two accounts off the case team), every route the app answers is called
with in-scope ids, out-of-scope ids and unknown ids in each of its path parameters, and
with the attacks' inputs in its body. No answer may hold out-of-scope content or ids, a
hidden (bystander's) name or a hidden phone number in any format, and none may be a 500.
The attacks of the issue then each have their own test below.

What is shown by design is allowed where it is shown: the staff register lists names (its
identifiers only for admins), the case page's register pickers (``<select>``) list names,
and the audit log, for auditors, records what was searched for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from conductlens.review import accounts, cases, register
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World, write_sample
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import link_requests, scopes

HIDDEN_NAMES = ("Beth", "Jones", "Carl", "Diaz", "Dana", "Fox")
HIDDEN_NUMBERS = ("+447700900002", "+447700900003", "+447700900004", "07700 900002",
                  "07700 900003", "07700 900004", "7700900002", "7700900003", "7700900004",
                  "900002", "900003", "900004")
OUTSIDE = ("PNC check", "Elm Road", "custody photo", "briefing at 10")
QUERIES = ("Beth", "dana", "Jones", "07700 900004", "+447700900003", "neighbour", "the")
ROLES = ("investigator", "supervisor", "auditor", "analyst", "admin", "inv2", "sup2")
SKIP = {("POST", "/logout"), ("POST", "/login"), ("POST", "/api/login"),
        ("POST", "/cases/{case_id}/exhibits"), ("POST", "/register/import")}


@pytest.fixture
def walked(store: Store, scoped: World) -> World:
    """The scoped case, a second case off everyone's team, two off-team accounts, an
    exhibit named after a bystander, and a pending unmasking request."""
    for name, role in (("inv2", Role.INVESTIGATOR), ("sup2", Role.SUPERVISOR)):
        accounts.add_user(store.engine, name, PASSWORD, role, f"{name} Outsider")
    write_sample(store, "PSD-OTHER", owner="inv2")
    with store.engine.begin() as conn:
        cases.open_case(conn, "PSD-OTHER", "Another allegation", "inv2")
        conn.execute(update(t.exhibits).where(t.exhibits.c.id == scoped.sample.exhibit_id)
                     .values(original_name="WhatsApp Chat with Dana Fox.txt"))
    return scoped


def _values(world: World, store: Store) -> dict[str, list[str]]:
    s = world.sample
    with store.engine.connect() as conn:
        other = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == "PSD-OTHER"))
        sid = conn.scalar(select(scopes.c.id))
    return {
        "case_id": [str(world.case_id), str(other), "999"],
        "finding_id": [str(f) for f in s.finding_ids] + ["999"],
        "message_id": [str(m) for m in s.message_ids] + ["0"],
        "conversation_id": [str(s.group_id), str(s.private_id), "999"],
        "scope_id": [str(sid), "999"], "request_id": ["1", "999"], "link_id": ["1", "999"],
        "verdict": ["approve", "refuse", "authorise"],
    }


def _urls(path: str, values: dict[str, list[str]]) -> Iterator[str]:
    """The path with in-scope defaults, then each parameter varied on its own."""
    params = re.findall(r"{(\w+)}", path)
    base = {p: values.get(p, ["1"])[0] for p in params}
    yield _fill(path, base)
    for p in params:
        for v in values.get(p, ["1"])[1:]:
            yield _fill(path, base | {p: v})


def _fill(path: str, chosen: dict[str, str]) -> str:
    for k, v in chosen.items():
        path = path.replace("{" + k + "}", v)
    return path


def _bodies(world: World) -> Iterator[dict[str, Any]]:
    """Attack inputs: hidden names and numbers as queries, stuffed subjects, short reasons."""
    s = world.sample
    for q in QUERIES:
        yield {"q": q, "reason": "x", "number": 4, "person_id": 999, "decision": "relevant",
               "subjects": [1, 2, 3], "conversations": [s.group_id, s.private_id],
               "date_from": "2024-03-01", "date_to": "2024-03-31", "rationale": "x",
               "categories": "", "recipient": "CPS", "purpose": "x", "hours": "1",
               "text": "a note", "status": "under_review", "username": "inv2", "staff_number": "",
               "name": "", "force": ""}


def _in_scope(world: World, store: Store) -> tuple[set[int], set[int]]:
    """In-scope message ids, and the findings on them (the walk's policy run adds some)."""
    inside = set(world.sample.message_ids[1:6])
    with store.engine.connect() as conn:
        found = set(conn.scalars(select(t.findings.c.id).where(
            t.findings.c.message_id.in_(inside))))
    return inside, found


def _ids_shown(body: str) -> tuple[set[int], set[int]]:
    """Message and finding ids an answer shows (HTML anchors and links, JSON objects)."""
    messages = {int(m) for m in re.findall(r'id="m(\d+)"', body)}
    findings = {int(f) for f in re.findall(r"/findings/(\d+)", body)}
    try:
        data = json.loads(body)
    except ValueError:
        return messages, findings
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("id"), int) and "conversation_id" in item and "text" in item:
                messages.add(item["id"])
            if isinstance(item.get("id"), int) and "severity" in item and "message" in item:
                findings.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return messages, findings


def _check(role: str, method: str, path: str, body: str, world: World, store: Store
           ) -> list[str]:
    leaks = []
    body = re.sub(r'<input id="q"[^>]*>', "", body)  # the search box echoes what was typed
    if path.startswith("/register") or path.startswith("/audit") or path == "/api/audit":
        names_ok = True
    else:
        names_ok = False
        body_for_names = re.sub(r"<select.*?</select>", "", body, flags=re.S)
    # The register's pages (shown again after each change to it) list numbers to admins.
    numbers_ok = (role == "admin" and path.startswith("/register")) or (
        role == "auditor" and "audit" in path)
    for secret in OUTSIDE:
        if secret in body:
            leaks.append(f"{secret!r}")
    if not numbers_ok:
        leaks += [f"{n!r}" for n in HIDDEN_NUMBERS if n in body]
    if not names_ok:
        leaks += [f"{n!r}" for n in HIDDEN_NAMES
                  if re.search(rf"\b{n}\b", body_for_names)]
    messages, findings = _ids_shown(body)
    if "audit" not in path and (messages or findings):
        inside_m, inside_f = _in_scope(world, store)
        leaks += [f"message {m}" for m in messages - inside_m]
        leaks += [f"finding {f}" for f in findings - inside_f]
    return [f"{role} {method} {path}: {x}" for x in leaks]


def _call(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.request(method, url, json=body, headers={"X-CSRF-Token": client.csrf})
    return client.request(method, url, data=body | {"csrf": client.csrf})


@pytest.mark.parametrize("role", ROLES)
def test_no_route_leaks_for_any_role(role: str, login: Any, walked: World, store: Store,
                                     routes: list[Any]) -> None:
    client = login(role)
    values, leaks, calls = _values(walked, store), [], 0
    for r in routes:
        if r.method == "HEAD" or (r.method, r.path) in SKIP:
            continue
        bodies = list(_bodies(walked)) if r.method == "POST" else [{}]
        for url in _urls(r.path, values):
            for body in bodies if "search" in r.path else bodies[:1]:
                response = _call(client, r.method, url, body)
                calls += 1
                assert response.status_code < 500, (role, r.method, url, response.text[:200])
                leaks += _check(role, r.method, url, response.text, walked, store)
    assert calls > 100
    assert leaks == [], "\n".join(leaks)


# -- the job routes, with real jobs ---------------------------------------------------------

JOB_PATHS = ("/jobs/{job_id}", "/api/jobs/{job_id}", "/jobs/{job_id}/bundle.zip")
MISSING_JOB = 99_999
# Inside the walked scope (8 March, a finding relied on), outside the narrower one after it.
NEWLY_OUTSIDE = ("switch the BWV off",)


def _readable(response: Any) -> str:
    """What an answer says: a zip's HTML and JSON members unpacked (compressed, a leak in a
    bundle would not show in its bytes), anything else its text."""
    import io
    import zipfile

    if not response.content.startswith(b"PK"):
        return str(response.text)
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist()
                         if n.endswith((".html", ".json")))


def _investigators_jobs(login: Any, world: World, run_jobs: Any) -> dict[str, int]:
    """A scan job and a bundle job of the case's investigator (relying on the 8 March
    finding, so its text is in the bundle), run to the end."""
    inv = login("investigator")
    finding = world.sample.finding_ids[1]
    assert inv.post(f"/cases/{world.case_id}/findings/{finding}/decision",
                    data={"decision": "relevant", "csrf": inv.csrf}).status_code == 303
    scan = inv.post(f"/cases/{world.case_id}/scan", data={"csrf": inv.csrf})
    bundle = inv.post(f"/cases/{world.case_id}/bundle",
                      data={"recipient": "Misconduct panel", "csrf": inv.csrf})
    done = run_jobs()
    assert [j.state for j in done] == ["done", "done"], [j.error for j in done]
    ids = {"scan": int(scan.headers["location"].rsplit("/", 1)[1]),
           "bundle": int(bundle.headers["location"].rsplit("/", 1)[1])}
    assert sorted(ids.values()) == sorted(j.id for j in done)
    return ids


def _walk_jobs(login: Any, world: World, store: Store, ids: dict[str, int],
               outside: tuple[str, ...]) -> dict[tuple[str, str], Any]:
    """Every job route of each real job for every role: anyone but the requester gets
    exactly the answer for a job that does not exist; no answer (a zip's members included)
    holds text outside the scope in force. Returns the requester's answers."""
    mine: dict[tuple[str, str], Any] = {}
    problems: list[str] = []
    for role in ROLES:
        client = login(role)
        for kind, job_id in ids.items():
            for template in JOB_PATHS:
                url = template.format(job_id=job_id)
                got = client.get(url)
                text = _readable(got)
                assert got.status_code < 500, (role, url)
                problems += _check(role, "GET", url, text, world, store)
                problems += [f"{role} GET {url}: {s!r}" for s in outside if s in text]
                if role == "investigator":
                    mine[kind, template] = got
                    continue
                missing = client.get(template.format(job_id=MISSING_JOB))
                if (got.status_code, got.text) != (missing.status_code, missing.text):
                    problems.append(f"{role} GET {url}: {got.status_code}, not as a missing "
                                    f"job ({missing.status_code})")
    assert problems == [], "\n".join(problems)
    return mine


def test_job_routes_with_real_jobs_answer_their_requester_alone(
        login: Any, walked: World, store: Store, run_jobs: Any, narrow_scope: Any) -> None:
    ids = _investigators_jobs(login, walked, run_jobs)
    mine = _walk_jobs(login, walked, store, ids, ())
    statuses = {k: r.status_code for k, r in mine.items()}
    assert statuses == {("scan", "/jobs/{job_id}"): 200, ("scan", "/api/jobs/{job_id}"): 200,
                        ("scan", "/jobs/{job_id}/bundle.zip"): 400,  # a scan has no bundle
                        ("bundle", "/jobs/{job_id}"): 200, ("bundle", "/api/jobs/{job_id}"): 200,
                        ("bundle", "/jobs/{job_id}/bundle.zip"): 200}
    assert NEWLY_OUTSIDE[0] in _readable(mine["bundle", "/jobs/{job_id}/bundle.zip"])

    newer = narrow_scope()  # the bundle's scope is replaced by a narrower one
    mine = _walk_jobs(login, walked, store, ids, NEWLY_OUTSIDE)
    download = mine["bundle", "/jobs/{job_id}/bundle.zip"]
    assert download.status_code == 400 and "no longer in force" in download.text
    page = mine["bundle", "/jobs/{job_id}"]
    assert page.status_code == 200 and f"/jobs/{ids['bundle']}/bundle.zip" not in page.text
    assert f"(scope {newer})" in page.text
    summary = mine["bundle", "/api/jobs/{job_id}"].json()["summary"]
    assert "no longer in force" in summary["download_refused"]


# -- the attacks of the issue, one by one --------------------------------------------------


def _people(client: Any, world: World) -> str:
    page = client.get(f"/cases/{world.case_id}/people").text
    return "\n".join(re.findall(r"Participant \d\d|Alan Grant", page))


def _approve_link(sup: Any, world: World, store: Store) -> None:
    with store.engine.connect() as conn:
        rid = conn.scalar(select(link_requests.c.id).where(link_requests.c.status == "requested"))
    response = sup.post(f"/cases/{world.case_id}/links/{rid}/approve",
                        data={"csrf": sup.csrf, "reason": "Checked the declared phone"})
    assert response.status_code == 303


def test_searching_a_bystanders_first_name_names_no_one(login: Any, walked: World) -> None:
    inv = login("investigator")
    for q in ("Beth", "beth", "BETH", "Jones"):
        answer = inv.post(f"/api/cases/{walked.case_id}/search", json={"q": q},
                          headers={"X-CSRF-Token": inv.csrf}).json()
        assert answer["results"] == [], q


def test_unlink_relink_and_link_change_no_pseudonym(login: Any, walked: World,
                                                    store: Store) -> None:
    inv, sup = login("investigator"), login("supervisor")
    c = walked.case_id
    before = _people(inv, walked)
    conversation = inv.get(f"/api/cases/{c}/conversations/{walked.sample.group_id}").json()
    for form in ({"person_id": "2", "reason": "to see which number vanishes"},):
        assert inv.post(f"/cases/{c}/links/remove", data=form | {"csrf": inv.csrf}
                        ).status_code == 303
        assert _people(inv, walked) == before  # nothing happens on the investigator's word
        _approve_link(sup, walked, store)
        assert _people(inv, walked) == before
    assert inv.post(f"/cases/{c}/links", data={"csrf": inv.csrf, "number": "1",
                                               "person_id": "2", "reason": "relink Beth again"}
                    ).status_code == 303
    _approve_link(sup, walked, store)
    assert inv.post(f"/cases/{c}/links", data={"csrf": inv.csrf, "number": "4",
                                               "person_id": "3", "reason": "Dana may be Carl"}
                    ).status_code == 303
    _approve_link(sup, walked, store)
    assert _people(inv, walked) == before  # no number vanished, moved or appeared
    after = inv.get(f"/api/cases/{c}/conversations/{walked.sample.group_id}").json()
    assert after == conversation  # senders and texts as before


def test_a_highlight_over_half_a_name_marks_the_whole_pseudonym(login: Any, walked: World,
                                                                 store: Store) -> None:
    with store.engine.begin() as conn:
        fid = conn.execute(insert(t.findings).values(
            message_id=walked.sample.message_ids[2], exhibit_id=walked.sample.exhibit_id,
            category="misogyny", standards="[]", severity="high", score=0.99,
            detector="test", spans="[[16, 20]]", explanation="planted", policy_version="t",
            created_at=datetime.now(UTC))).inserted_primary_key[0]
    page = login("investigator").get(f"/cases/{walked.case_id}/findings/{fid}").text
    assert "<mark>Participant 01</mark>" in page and "Beth" not in page


def test_first_names_in_text_and_exhibit_names_are_masked(login: Any, walked: World,
                                                          store: Store) -> None:
    with store.engine.begin() as conn:  # widen the scope to the private chat
        conn.execute(update(scopes).values(
            conversations=json.dumps([walked.sample.group_id, walked.sample.private_id])))
    inv = login("investigator")
    chat = inv.get(f"/cases/{walked.case_id}/conversations/{walked.sample.private_id}").text
    assert "Participant 04, keep this between us" in chat and "Dana" not in chat
    for role in ("investigator", "supervisor", "auditor"):
        page = login(role).get(f"/cases/{walked.case_id}?tab=exhibits").text
        assert "WhatsApp Chat with Participant 04.txt" in page, role


def test_register_phone_numbers_only_for_admins(login: Any, walked: World) -> None:
    for role in ("investigator", "supervisor"):
        page = login(role).get("/register").text
        assert "Beth Jones" in page and "+447700900002" not in page, role
    assert "+447700900002" in login("admin").get("/register").text


def test_subject_stuffing_is_refused_on_the_form(login: Any, walked: World,
                                                 store: Store) -> None:
    inv = login("investigator")
    s = walked.sample
    form = {"csrf": inv.csrf, "subjects": ["1", "2", "3"], "conversations": [str(s.group_id)],
            "date_from": "2024-03-01", "date_to": "2024-03-31",
            "rationale": "Everyone in the group, to see who said what in March."}
    response = inv.post(f"/cases/{walked.case_id}/scopes", data=form)
    assert response.status_code == 400
    assert 'data-testid="scope-error"' in response.text
    assert "not one of this case&#39;s subjects" in response.text
    assert "Everyone in the group" in response.text  # what was typed is kept
    api = inv.post(f"/api/cases/{walked.case_id}/scopes", headers={"X-CSRF-Token": inv.csrf},
                   json={"subjects": [1, 2, 3], "conversations": [s.group_id],
                         "date_from": "2024-03-01", "date_to": "2024-03-31",
                         "rationale": form["rationale"]})
    assert api.status_code == 400
    with store.engine.connect() as conn:
        assert conn.scalar(select(scopes.c.id).where(scopes.c.status == "proposed")) is None


def test_the_supervisor_reviews_what_a_scope_exposes(login: Any, walked: World) -> None:
    inv, sup = login("investigator"), login("supervisor")
    s = walked.sample
    sid = inv.post(f"/api/cases/{walked.case_id}/scopes", headers={"X-CSRF-Token": inv.csrf},
                   json={"subjects": [1], "conversations": [s.group_id, s.private_id],
                         "date_from": "2024-03-01", "date_to": "2024-03-31",
                         "rationale": "The whole of March in both chats, for the PNC check."}
                   ).json()["id"]
    page = sup.get(f"/cases/{walked.case_id}?tab=scope").text
    box = page[page.index(f'data-testid="scope-review-{sid}"'):]
    assert "9 messages" in box and "Alan Grant (PC1001)" in box
    assert "Response Team B" in box and "Participant 04" in box and "Dana" not in box
    review = sup.get(f"/api/cases/{walked.case_id}/scopes/{sid}/review").json()
    assert review["messages"] == 9 and review["subjects"] == ["Alan Grant (PC1001)"]


def test_search_counts_are_no_oracle(login: Any, walked: World) -> None:
    inv = login("investigator")
    withheld = {inv.post(f"/api/cases/{walked.case_id}/search", json={"q": q},
                         headers={"X-CSRF-Token": inv.csrf}).json()["withheld"]
                for q in ("neighbour", "Elm Road", "zzzz", "07700 900004", "the")}
    assert withheld == {4}  # the scope's total, whatever was asked


def _open(client: Any, reference: str) -> Any:
    return client.post("/cases", data={"csrf": client.csrf, "reference": reference,
                                       "allegation": "Trying the reference"})


def test_a_case_reference_is_no_existence_oracle(login: Any, walked: World,
                                                 store: Store) -> None:
    with store.engine.begin() as conn:
        cid = conn.execute(insert(t.cases).values(reference="PSD-INGESTED",
                                                  created_at=datetime.now(UTC))
                           ).inserted_primary_key[0]
        cases.record_origin(conn, int(cid), "cli:someone", "ingest")
    outsider = login("inv2")
    answers = [_open(outsider, ref) for ref in (walked.sample.reference, "PSD-INGESTED")]
    answers.append(_open(login("investigator"), walked.sample.reference))
    def shape(answer: Any) -> tuple[int, str]:  # the answer, less who is signed in
        main = answer.text[answer.text.index("<main"):answer.text.index("</main>")]
        return answer.status_code, re.sub(r"PSD-[A-Z0-9-]+", "REF", main)

    shapes = {shape(a) for a in answers}
    assert len(shapes) == 1 and answers[0].status_code == 400


def test_a_case_created_by_ingest_cannot_be_claimed(login: Any, walked: World,
                                                    store: Store) -> None:
    accounts.add_user(store.engine, "alice", PASSWORD, Role.INVESTIGATOR, "Alice Custodian")
    with store.engine.begin() as conn:
        cid = conn.execute(insert(t.cases).values(reference="PSD-ALICE",
                                                  created_at=datetime.now(UTC))
                           ).inserted_primary_key[0]
        cases.record_origin(conn, int(cid), "cli:alice", "ingest")
    assert _open(login("inv2"), "PSD-ALICE").status_code == 400
    assert login("inv2").get(f"/cases/{cid}").status_code == 404  # still not theirs
    assert _open(login("alice"), "PSD-ALICE").status_code == 303
    with store.engine.connect() as conn:
        assert register.list_people(conn)  # the register is untouched by either attempt
