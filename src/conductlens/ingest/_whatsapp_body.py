"""The markers WhatsApp writes inside a message body, in the languages it exports in.

``<Media omitted>``, ``IMG-....jpg (file attached)``, ``<attached: 0001-PHOTO-....jpg>``,
``This message was deleted`` and ``<This message was edited>`` become fields (kind,
attachments, edited); everything else in the body stays byte for byte.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from typing import NamedTuple

from conductlens.model import Attachment, MessageKind

_LRM = "\u200e"

_OMITTED = re.compile(
    r"\u200e?<(?:Media omitted|Multimedia omitido|Médias omis|Medien ausgeschlossen"
    r"|Medien ausgelassen|Medien weggelassen|Archivo omitido|Mídia oculta|Mídia omitida"
    r"|Arquivo de mídia oculto|Media omessi|Media eliminati|Media weggelaten|Medien weggelaten"
    r"|Media puuttuu|メディアなし|媒体省略|Медиа пропущены|Медиа отсутствуют)>"
)
_IOS_OMITTED = re.compile(
    r"\u200e?(?P<what>image|video|audio|sticker|GIF|document|Contact card|imagen|vídeo|video"
    r"|audio|sticker|imagem|áudio|figurinha|image|vidéo|autocollant|Bild|Video|Audio|Sticker"
    r"|immagine|adesivo|afbeelding|kuva|ääni) (?:omitted|omitida|omitido|ocultada|oculto"
    r"|ocultado|absente|absent|weggelassen|omessa|omesso|weggelaten|jätetty pois)"
)
_OMIT_ENDINGS = ("omitted", "omitida", "omitido", "ocultada", "oculto", "ocultado", "absente",
                 "absent", "weggelassen", "omessa", "omesso", "weggelaten", "jätetty pois")
_ATTACHED = re.compile(
    r"\u200e?<(?:attached|adjunto|pièce jointe|Anhang|anexo|allegato|bijlage|liite) ?: "
    r"(?P<name>[^>\n]+)>"
)
_FILE_ATTACHED = re.compile(
    r"\u200e?(?P<name>[^\n]*?) \((?:file attached|archivo adjunto|fichier joint|Datei angehängt"
    r"|arquivo anexado|file allegato|bestand bijgevoegd|tiedosto liitetty|ファイル添付|附件"
    r"|файл прикреплен|файл прикреплён)\)"
)
_DELETED = frozenset({
    "This message was deleted", "You deleted this message", "This message was deleted.",
    "Se eliminó este mensaje.", "Se eliminó este mensaje", "Eliminaste este mensaje.",
    "Eliminaste este mensaje", "Este mensaje fue eliminado", "Ce message a été supprimé",
    "Vous avez supprimé ce message", "Diese Nachricht wurde gelöscht.",
    "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht.",
    "Du hast diese Nachricht gelöscht", "Mensagem apagada", "Essa mensagem foi apagada",
    "Você apagou esta mensagem", "Você apagou esta mensagem.", "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio", "Dit bericht is verwijderd", "Je hebt dit bericht verwijderd",
    "Tämä viesti poistettiin", "Poistit tämän viestin",
})
_EDITED = re.compile(
    r"[ \u200e]*<(?:This message was edited|Se editó este mensaje\.?|Ce message a été modifié"
    r"|Diese Nachricht wurde bearbeitet|Esta mensagem foi editada|Mensagem editada"
    r"|Questo messaggio è stato modificato|Dit bericht is bewerkt|Tätä viestiä on muokattu)>$"
)
_CALL = re.compile(r"\u200e?(?:Missed )?(?:voice|video|group voice|group video) call.*")
_LOCATION = re.compile(r"\u200e?(?:location|Location|ubicación|localisation|Standort"
                       r"|localização|posizione|locatie|sijainti): https?://\S+.*", re.DOTALL)
_KIND_BY_PREFIX = (
    ("IMG", "image"), ("PHOTO", "image"), ("VID", "video"), ("VIDEO", "video"),
    ("PTT", "audio"), ("AUD", "audio"), ("AUDIO", "audio"), ("STK", "sticker"),
    ("STICKER", "sticker"), ("GIF", "video"), ("DOC", "document"),
)
_KIND_BY_EXT = {
    "jpg": "image", "jpeg": "image", "png": "image", "webp": "sticker", "heic": "image",
    "mp4": "video", "mov": "video", "3gp": "video", "opus": "audio", "m4a": "audio",
    "mp3": "audio", "aac": "audio", "ogg": "audio", "vcf": "contact", "pdf": "document",
}
_IOS_KIND = {"image": "image", "imagen": "image", "imagem": "image", "bild": "image",
             "immagine": "image", "afbeelding": "image", "kuva": "image", "gif": "video",
             "sticker": "sticker", "autocollant": "sticker", "adesivo": "sticker",
             "figurinha": "sticker", "contact card": "contact", "document": "document"}


class Body(NamedTuple):
    """A message body with WhatsApp's markers turned into fields."""

    kind: MessageKind
    text: str
    edited: bool = False
    attachments: tuple[Attachment, ...] = ()


def read_body(text: str, media: Mapping[str, tuple[str, int]]) -> Body | None:
    """Split markers off ``text``, or None when it has none (plain text, the common case).

    ``media`` maps file names found in the exhibit to (sha256, size).
    """
    edited = False
    if text.endswith(">"):
        m = _EDITED.search(text)
        if m is not None:
            text, edited = text[: m.start()], True
    body = _markers(text, media)
    if not edited:
        return body
    if body is None:
        return Body(MessageKind.TEXT, text, True)
    return Body(body.kind, body.text, True, body.attachments)


def _markers(text: str, media: Mapping[str, tuple[str, int]]) -> Body | None:
    nl = text.find("\n")
    first, rest = (text, "") if nl < 0 else (text[:nl], text[nl + 1 :])
    # Cheap gates first: almost every body is plain text and must not pay for the regexes.
    if first[-1:] in ">)":
        if _OMITTED.fullmatch(first):
            return Body(MessageKind.MEDIA, rest, attachments=(Attachment(omitted=True),))
        m = _ATTACHED.fullmatch(first) or _FILE_ATTACHED.fullmatch(first)
        if m is not None:
            return _media(rest, _attachment(m["name"], media))
    elif first.endswith(_OMIT_ENDINGS):
        m = _IOS_OMITTED.fullmatch(first)
        if m is not None:
            kind = _IOS_KIND.get(m["what"].lower(), m["what"].lower())
            return _media(rest, Attachment(kind=kind, omitted=True))
    if len(first) < 48:
        if text.lstrip(_LRM) in _DELETED:
            return Body(MessageKind.DELETED, "")
        if nl < 0 and "call" in first and _CALL.fullmatch(first):
            return Body(MessageKind.CALL, text)
    if ": http" in first and _LOCATION.fullmatch(text):
        return Body(MessageKind.LOCATION, text)
    if first.startswith("POLL:"):
        return Body(MessageKind.POLL, text)
    return None


_MEDIA_KIND = {"sticker": MessageKind.STICKER, "contact": MessageKind.CONTACT}
# (file name start, inside, kind) for each file name prefix WhatsApp uses.
_PREFIXES = tuple((f"{prefix}-", f"-{prefix}-", kind) for prefix, kind in _KIND_BY_PREFIX)


def _media(caption: str, att: Attachment) -> Body:
    return Body(_MEDIA_KIND.get(att.kind, MessageKind.MEDIA), caption, attachments=(att,))


def _attachment(name: str, media: Mapping[str, tuple[str, int]]) -> Attachment:
    stem = name.rsplit("/", 1)[-1]
    ext = stem.rsplit(".", 1)[-1].lower() if "." in stem else ""
    kind = _KIND_BY_EXT.get(ext, "document")
    for start, inside, by_prefix in _PREFIXES:
        if stem.startswith(start) or inside in stem:
            kind = by_prefix
            break
    found = media.get(stem) or media.get(name)
    mime = mimetypes.guess_type(stem, strict=False)[0]
    if found is None:
        return Attachment(file_name=name, media_type=mime, kind=kind)
    return Attachment(file_name=name, media_type=mime, kind=kind, sha256=found[0], size=found[1])
