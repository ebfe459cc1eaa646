"""Pictures in the review: a gallery of blurred thumbnails with their findings, one picture's
page (EXIF as evidence, or the seal's notice), and the PNGs, all through ``ImageDoor``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from conductlens.images.thumbnails import SealedImage
from conductlens.images.viewing import ImageDoor
from conductlens.web.deps import CanRead, StoreDep
from conductlens.web.pages import render
from conductlens.web.routes._case import case_header

router = APIRouter()


@router.get("/cases/{case_id}/images", response_class=HTMLResponse)
def gallery(request: Request, case_id: int, session: CanRead, store: StoreDep,
            everything: bool = False, message: int | None = None) -> HTMLResponse:
    header = case_header(store, session, case_id)
    shown = ImageDoor(store, session.user, case_id).gallery(
        flagged_only=not everything and message is None, message_id=message)
    return render(request, "images.html", {"h": header, "images": shown,
                                           "everything": everything})


@router.get("/cases/{case_id}/images/{attachment_id}", response_class=HTMLResponse)
def picture_page(request: Request, case_id: int, attachment_id: int, session: CanRead,
                 store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    door = ImageDoor(store, session.user, case_id)
    shown = door.details(attachment_id)
    sightings, outside = door.spread(attachment_id)
    return render(request, "image.html", {"h": header, "i": shown, "sightings": sightings,
                                          "outside": outside})


def _png(store: StoreDep, session: CanRead, case_id: int, attachment_id: int,
         blurred: bool) -> Response:
    try:
        data = ImageDoor(store, session.user, case_id).picture(attachment_id, blurred=blurred)
    except SealedImage as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    return Response(data, media_type="image/png")


@router.get("/cases/{case_id}/images/{attachment_id}/thumbnail.png")
def blurred_thumbnail(case_id: int, attachment_id: int, session: CanRead,
                      store: StoreDep) -> Response:
    return _png(store, session, case_id, attachment_id, blurred=True)


@router.get("/cases/{case_id}/images/{attachment_id}/picture.png")
def opened_picture(case_id: int, attachment_id: int, session: CanRead,
                   store: StoreDep) -> Response:
    return _png(store, session, case_id, attachment_id, blurred=False)
