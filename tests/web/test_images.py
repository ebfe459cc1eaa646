"""Pictures in the web review: blurred in scope, opened on click, every view audited, never
served outside the scope, and a sealed picture never served by any route."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from tests.web.test_route_checks import _url

from conductlens.images.hashlists import Entry, import_entries
from conductlens.images.imagepass import run_image_pass
from conductlens.images.synthetic import jpeg, scene
from conductlens.ingest.pipeline import ingest_path
from conductlens.review import scope
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

CHAT = """06/03/2024, 21:58 - Alan Grant: IMG-20240306-WA0001.jpg (file attached)
06/03/2024, 22:01 - Carl Diaz: IMG-20240306-WA0002.jpg (file attached)
07/03/2024, 08:00 - Beth Jones: IMG-20240306-WA0001.jpg (file attached)
07/03/2024, 09:00 - Carl Diaz: IMG-20240306-WA0003.jpg (file attached)
"""


def _exif_jpeg(seed: int) -> bytes:
    exif = Image.Exif()
    exif[271], exif[272] = "Examplephone", "X1"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 0.0), "W", (0.0, 7.0, 30.0)
    out = io.BytesIO()
    scene(seed).save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


@pytest.fixture
def pictures(store: Store, world: World, tmp_path: Path) -> dict[str, Any]:
    files = {"IMG-20240306-WA0001.jpg": _exif_jpeg(1), "IMG-20240306-WA0002.jpg": jpeg(scene(2)),
             "IMG-20240306-WA0003.jpg": jpeg(scene(1).resize((320, 240)))}
    path = tmp_path / "WhatsApp Chat with Pictures.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Pictures.txt", CHAT)
        for name, data in files.items():
            zf.writestr(name, data)
    ingest_path(store, path, case=world.sample.reference, added_by="test")
    sealed_sha = hashlib.sha256(files["IMG-20240306-WA0002.jpg"]).hexdigest()
    known_sha = hashlib.sha256(files["IMG-20240306-WA0001.jpg"]).hexdigest()
    with store.engine.begin() as conn:
        import_entries(conn, "memes", [Entry("sha256", known_sha, "offensive", None)], "test")
        import_entries(conn, "CAID", [Entry("sha256", sealed_sha, "child-abuse", None)], "test")
        ids = dict(conn.execute(select(t.attachments.c.sha256, t.attachments.c.id)).all())
        conv = conn.scalar(select(t.messages.c.conversation_id).join(
            t.attachments, t.attachments.c.message_id == t.messages.c.id).limit(1))
        sid = scope.propose(conn, world.case_id, "investigator",
                            subjects=[world.person_ids["PC1001"]], conversations=[int(conv)],
                            date_from=date(2024, 3, 1), date_to=date(2024, 3, 31),
                            categories=[], rationale="The pictures shared on 6 March.")
        scope.authorise(conn, sid, "supervisor", "Necessary and proportionate.")
    run_image_pass(store, steps=iter(()))
    return {"known": ids[known_sha], "sealed": ids[sealed_sha], "files": files}


def _events(store: Store, action: str) -> list[Any]:
    with store.engine.connect() as conn:
        return conn.execute(select(audit_events).where(audit_events.c.action == action)
                            ).mappings().all()


def test_gallery_shows_blurred_thumbnails_and_the_seal_notice(login: Any, world: World,
                                                              pictures: dict[str, Any]) -> None:
    client = login("investigator")
    page = client.get(f"/cases/{world.case_id}/images")
    assert page.status_code == 200
    assert f"/images/{pictures['known']}/thumbnail.png" in page.text
    assert f"/images/{pictures['sealed']}/thumbnail.png" not in page.text
    assert "Sealed." in page.text and "Referred to" in page.text
    detail = client.get(f"/cases/{world.case_id}/images/{pictures['known']}")
    assert "Examplephone X1" in detail.text and "51.5, -0.125" in detail.text
    assert "image-known" in detail.text


def test_the_spread_shows_who_posted_first_and_who_again(login: Any, world: World,
                                                        pictures: dict[str, Any]) -> None:
    client = login("investigator")
    page = client.get(f"/cases/{world.case_id}/images/{pictures['known']}").text
    table = page[page.index("Where it went"):]
    assert table.index("first posted") < table.index("posted again") < table.index(
        "edited copy")
    # Names the register cannot link stay pseudonyms, here as everywhere in the review.
    assert table.count("Participant ") == 3 and "Beth Jones" not in table


def test_each_view_is_audited_and_carries_no_metadata(login: Any, world: World, store: Store,
                                                      pictures: dict[str, Any]) -> None:
    client = login("investigator")
    for name in ("thumbnail.png", "picture.png"):
        response = client.get(f"/cases/{world.case_id}/images/{pictures['known']}/{name}")
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        picture = Image.open(io.BytesIO(response.content))
        assert not picture.getexif() and not picture.info.get("icc_profile")
        assert b"Examplephone" not in response.content
    views = _events(store, "view.image")
    assert [v["detail"] for v in views] == ['{"blurred":true}', '{"blurred":false}']


def test_pictures_outside_the_scope_are_never_served(login: Any, world: World, store: Store,
                                                     pictures: dict[str, Any]) -> None:
    with store.engine.begin() as conn:  # a narrower scope: the sample group chat only
        sid = scope.propose(conn, world.case_id, "investigator",
                            subjects=[world.person_ids["PC1001"]],
                            conversations=[world.sample.group_id], date_from=date(2024, 3, 5),
                            date_to=date(2024, 3, 15), categories=[],
                            rationale="Only the sample group chat in early March.")
        scope.authorise(conn, sid, "supervisor", "Proportionate.")
    client = login("investigator")
    for name in ("", "/thumbnail.png", "/picture.png"):
        response = client.get(f"/cases/{world.case_id}/images/{pictures['known']}{name}")
        assert response.status_code == 404
    assert "IMG-20240306" not in client.get(f"/cases/{world.case_id}/images").text


def test_a_sealed_picture_is_never_served_by_any_route(login: Any, world: World,
                                                       routes: list[Any], store: Store,
                                                       pictures: dict[str, Any]) -> None:
    sealed = pictures["sealed"]
    with store.engine.connect() as conn:
        message = conn.scalar(select(t.attachments.c.message_id)
                              .where(t.attachments.c.id == sealed))
    client = login("investigator")
    served = 0
    for r in routes:
        if r.method != "GET" or "{" not in r.path:
            continue
        url = _url(r.path.replace("{attachment_id}", str(sealed)), world).replace(
            "/messages/1", f"/messages/{message}")
        response = client.get(url)
        served += response.status_code == 200
        assert not response.headers.get("content-type", "").startswith("image/"), url
        assert pictures["files"]["IMG-20240306-WA0002.jpg"] not in response.content
    assert served  # the walk reached pages, not only refusals
    denied = _events(store, "access.denied")
    assert any('"sealed"' in e["detail"] for e in denied)


def test_the_sealed_item_is_only_a_reference_in_the_csv_export(login: Any, world: World,
                                                               pictures: dict[str, Any]) -> None:
    client = login("investigator")
    page = client.get(f"/cases/{world.case_id}/images/{pictures['sealed']}")
    assert page.status_code == 200 and "<img" not in page.text and "Sealed." in page.text
    response = client.post(f"/cases/{world.case_id}/export",
                           data={"recipient": "panel", "purpose": "hearing",
                                 "csrf": client.csrf})
    assert response.status_code == 200, response.text
    rows = [r for r in response.text.splitlines() if "image-sealed" in r]
    assert len(rows) == 1 and ",EXH-" in rows[0]  # the item's reference, nothing more
    assert pictures["files"]["IMG-20240306-WA0002.jpg"] not in response.content


@pytest.mark.parametrize("role", ["investigator", "supervisor", "auditor", "analyst", "admin",
                                  "outsider"])
def test_every_role_gets_pictures_only_on_the_team_and_in_scope(
        role: str, login: Any, world: World, store: Store, pictures: dict[str, Any]) -> None:
    """The image routes walked for every role: only the case team's readers see the
    in-scope picture; nobody gets the sealed one; refusals answer alike (403 or 404)."""
    if role == "outsider":
        from conductlens.review.accounts import add_user
        from conductlens.review.roles import Role
        from conductlens.review.sample import PASSWORD

        add_user(store.engine, "outsider", PASSWORD, Role.INVESTIGATOR, "Off The Team")
    client = login(role)
    reader = role in ("investigator", "supervisor")
    base = f"/cases/{world.case_id}/images"
    for path in ("", f"/{pictures['known']}", f"/{pictures['known']}/thumbnail.png",
                 f"/{pictures['known']}/picture.png"):
        response = client.get(base + path)
        assert (response.status_code == 200) == reader, (role, path, response.status_code)
        if not reader:
            assert response.status_code in (403, 404)
            assert "IMG-20240306" not in response.text
    for name in ("/thumbnail.png", "/picture.png"):
        response = client.get(f"{base}/{pictures['sealed']}{name}")
        assert not response.headers.get("content-type", "").startswith("image/"), role


def test_the_image_door_itself_refuses_roles_without_content(
        world: World, store: Store, pictures: dict[str, Any]) -> None:
    """The door holds without the web layer's checks (a command or job calling it)."""
    from conductlens.errors import ScopeError
    from conductlens.images.viewing import ImageDoor
    from conductlens.review.access import Forbidden

    for role in ("auditor", "analyst", "admin"):
        with pytest.raises(Forbidden):
            ImageDoor(store, world.users[role], world.case_id).details(pictures["known"])
    assert ImageDoor(store, world.users["investigator"], world.case_id).details(
        pictures["known"]).attachment_id == pictures["known"]
    with pytest.raises(ScopeError):
        ImageDoor(store, world.users["investigator"], world.case_id).details(999)
