"""Declared identifiers, one kind per platform, and how each kind is written down.

Vetting asks staff for their phone numbers, messaging accounts and e-mail addresses. Each
is stored normalised so that the form a person wrote ("07700 900123", "@Bob_Smith",
"447700900123@s.whatsapp.net") compares equal to the form an exhibit holds:

- ``phone``, and the phone numbers behind ``whatsapp``, ``signal`` and ``telegram``: E.164,
  read with the force's default region when written without a country code; a WhatsApp
  JID (``447700900123@s.whatsapp.net``) is its phone number.
- ``telegram``: also a username (``@name``, ``t.me/name``) or a numeric user id, which
  Telegram's exports write as ``user123456789``.
- ``signal``: also a Signal username (``name.01``).
- ``instagram``, ``facebook``: the handle, lowercased, without ``@`` or the site address.
- ``email``: lowercased.

``username`` is the kind the register used before accounts had platforms of their own;
rows migration 0019 could not place on a platform keep it, are shown and matched, and no
new ones are accepted.
"""

from __future__ import annotations

import re

import phonenumbers

from conductlens.errors import ConductLensError

KINDS = ("phone", "whatsapp", "telegram", "signal", "instagram", "facebook", "email")
LEGACY_KINDS = ("username",)
# Kinds whose value may be a phone number (E.164 in the store).
PHONE_KINDS = ("phone", "whatsapp", "telegram", "signal")
DEFAULT_REGION = "GB"

LABELS = {
    "phone": "Phone", "whatsapp": "WhatsApp", "telegram": "Telegram", "signal": "Signal",
    "instagram": "Instagram", "facebook": "Facebook", "email": "E-mail",
    "username": "Username (before 0019)",
}

_JID = re.compile(r"(\d{6,15})(?:[.:]\d+)*@(?:s\.whatsapp\.net|c\.us)", re.IGNORECASE)
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]{6,24}")
_TELEGRAM_ID = re.compile(r"(?:user)?(\d{5,15})", re.IGNORECASE)
_TELEGRAM_NAME = re.compile(r"[a-z][a-z0-9_]{2,31}")
_SIGNAL_NAME = re.compile(r"[a-z_][a-z0-9_]{2,31}\.\d{2,20}")
_INSTAGRAM = re.compile(r"[a-z0-9._]{1,30}")
_FACEBOOK = re.compile(r"[a-z0-9.]{1,50}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
_SITES = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?(?:t\.me|telegram\.me|instagram\.com|facebook\.com|fb\.com)/",
    re.IGNORECASE,
)


def to_e164(value: str, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164, or None when it is not a possible number."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def jid_phone(value: str) -> str | None:
    """The E.164 number of a WhatsApp phone JID (``447700900123@s.whatsapp.net``)."""
    found = _JID.fullmatch(value.strip())
    return to_e164("+" + found.group(1)) if found else None


def _phone(value: str, region: str) -> str | None:
    text = value.strip()
    if not _PHONE_LIKE.fullmatch(text) or not text.lstrip("+(").strip():
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    return to_e164(text, region)


def _handle(value: str) -> str:
    return _SITES.sub("", value.strip()).strip("/").lstrip("@").casefold()


def _telegram(value: str, region: str) -> str:
    text = value.strip()
    # A leading + or 0 is how a number is written; bare digits are a user id.
    if text[:1] in "+0" and (e164 := _phone(text, region)):
        return e164
    if found := _TELEGRAM_ID.fullmatch(text):
        return f"user{found.group(1)}"
    name = _handle(text)
    if _TELEGRAM_NAME.fullmatch(name):
        return name
    raise ConductLensError(
        f"{value!r} is not a Telegram phone number, @username or user id")


def _signal(value: str, region: str) -> str:
    if e164 := _phone(value, region):
        return e164
    name = _handle(value)
    if _SIGNAL_NAME.fullmatch(name):
        return name
    raise ConductLensError(f"{value!r} is not a phone number or a Signal username (name.01)")


def normalise(kind: str, value: str, region: str = DEFAULT_REGION) -> str:
    """``value`` as the register stores it for ``kind``; a one-line error if it is not one."""
    if kind not in KINDS:
        raise ConductLensError(f"unknown identifier kind {kind!r} (use {', '.join(KINDS)})")
    if not value.strip():
        raise ConductLensError("the identifier is empty")
    if kind == "phone" or kind == "whatsapp":
        e164 = jid_phone(value) if kind == "whatsapp" and "@" in value else _phone(value, region)
        if e164 is None:
            raise ConductLensError(f"{value!r} is not a valid phone number"
                                   + (" or WhatsApp JID" if kind == "whatsapp" else ""))
        return e164
    if kind == "telegram":
        return _telegram(value, region)
    if kind == "signal":
        return _signal(value, region)
    if kind == "email":
        email = value.strip().removeprefix("mailto:").casefold()
        if not _EMAIL.fullmatch(email):
            raise ConductLensError(f"{value!r} is not an e-mail address")
        return email
    name = _handle(value)
    if not (_INSTAGRAM if kind == "instagram" else _FACEBOOK).fullmatch(name):
        article = "an" if kind == "instagram" else "a"
        raise ConductLensError(f"{value!r} is not {article} {LABELS[kind]} handle")
    return name


def is_phone(value: str) -> bool:
    """True for a stored value that is a phone number (stored phones are E.164)."""
    return value.startswith("+")
