"""Text helpers shared by parsers: strict decoding and the search form of a message."""

from __future__ import annotations

import codecs
import unicodedata

from conductlens.errors import ParseError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Marks that WhatsApp and others insert for layout; they carry no meaning for search.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"), None)


def detect_encoding(head: bytes) -> str:
    """The encoding of a text export, from its BOM; UTF-8 otherwise."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "utf-8"


def decode_strict(data: bytes, path: str, encoding: str = "utf-8") -> str:
    """Decode without losing bytes: a bad sequence is an error naming where it is."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(path, f"not valid {encoding} text (byte {exc.start})", line) from exc


def search_form(text: str) -> str:
    """The normalised form kept beside the faithful text, for full-text search."""
    if text.isascii():  # the common case, a tenth of the cost: nothing to compose or strip
        return text.lower()
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()
