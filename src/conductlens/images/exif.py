"""What a picture's EXIF says about when, on what and where it was taken, kept as evidence.

Only the fields an investigator asks about are read (time, device, GPS, software); values are
kept as the file states them (text, degrees as decimals), never corrected.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, MAKE, MODEL, SOFTWARE = 306, 271, 272, 305
DATETIME_ORIGINAL, OFFSET_ORIGINAL = 0x9003, 0x9011


def exif_of(picture: Image.Image) -> dict[str, Any]:
    """``{"time", "time_offset", "device", "software", "gps"}``, each only when present."""
    exif = picture.getexif()
    if not exif:
        return {}
    sub = exif.get_ifd(EXIF_IFD)
    found: dict[str, Any] = {}
    _put(found, "time", sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME))
    _put(found, "time_offset", sub.get(OFFSET_ORIGINAL))
    device = " ".join(str(v).strip() for v in (exif.get(MAKE), exif.get(MODEL)) if v)
    _put(found, "device", device)
    _put(found, "software", exif.get(SOFTWARE))
    gps = _gps(exif.get_ifd(GPS_IFD))
    if gps is not None:
        found["gps"] = gps
    return found


def _put(found: dict[str, Any], key: str, value: object) -> None:
    if value not in (None, ""):
        found[key] = str(value).strip("\x00 ")


def _gps(ifd: dict[int, Any]) -> dict[str, float] | None:
    try:
        lat = _degrees(ifd[2], str(ifd.get(1, "N")))
        lon = _degrees(ifd[4], str(ifd.get(3, "E")))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return {"latitude": round(lat, 6), "longitude": round(lon, 6)}


def _degrees(parts: Any, ref: str) -> float:
    d, m, s = (float(p) for p in parts)
    value = d + m / 60 + s / 3600
    return -value if ref.strip("\x00 ").upper() in ("S", "W") else value
