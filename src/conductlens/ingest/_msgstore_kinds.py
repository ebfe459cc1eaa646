"""WhatsApp Android message types (``message.message_type`` / legacy ``media_wa_type``).

Numbers as decoded by IPED and WhatsApp-Chat-Exporter; unknown numbers become OTHER and keep
the number in ``Message.raw``. The table is reproduced in docs/formats/whatsapp-android-db.md.
"""

from __future__ import annotations

from conductlens.model import MessageKind

# type -> (message kind, attachment kind or None when the type carries no file)
TYPES: dict[int, tuple[MessageKind, str | None]] = {
    0: (MessageKind.TEXT, None),
    1: (MessageKind.MEDIA, "image"),
    2: (MessageKind.MEDIA, "audio"),
    3: (MessageKind.MEDIA, "video"),
    4: (MessageKind.CONTACT, None),
    5: (MessageKind.LOCATION, None),
    7: (MessageKind.SYSTEM, None),
    8: (MessageKind.CALL, None),
    9: (MessageKind.MEDIA, "document"),
    10: (MessageKind.CALL, None),
    11: (MessageKind.OTHER, None),  # "waiting for this message" (not yet decrypted)
    13: (MessageKind.MEDIA, "gif"),
    14: (MessageKind.CONTACT, None),  # several contact cards
    15: (MessageKind.DELETED, None),  # revoked ("This message was deleted")
    16: (MessageKind.LOCATION, None),  # live location
    20: (MessageKind.STICKER, "sticker"),
    42: (MessageKind.MEDIA, "image"),  # view-once image
    43: (MessageKind.MEDIA, "video"),  # view-once video
    46: (MessageKind.POLL, None),
    64: (MessageKind.DELETED, None),  # deleted by a group admin
    66: (MessageKind.POLL, None),
    82: (MessageKind.MEDIA, "audio"),  # view-once voice note
}


def kind_of(message_type: object) -> tuple[MessageKind, str | None]:
    """Message kind and attachment kind for a raw type value (int or legacy text)."""
    try:
        number = int(str(message_type))
    except ValueError:
        return MessageKind.OTHER, None
    return TYPES.get(number, (MessageKind.OTHER, None))


def attachment_kind_from_mime(mime: str | None, default: str | None) -> str:
    """Attachment kind from a MIME type when the message type did not say."""
    if default:
        return default
    if mime:
        head = mime.split("/", 1)[0]
        if head in ("image", "audio", "video"):
            return head
        return "document"
    return "other"
