"""The language a WhatsApp export is written in, from its own words, for day/month order.

When every date in an export could be read either way (every day 12 or under), the file's
language settles it before any default: WhatsApp writes its notices, media placeholders and
12-hour markers in the phone's language, and every language below writes dates day-first.
English is left out on purpose: the US and the UK both write "<Media omitted>" and "PM".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from conductlens.ingest._whatsapp_chunks import BadLine, Chunk


@dataclass(frozen=True, slots=True)
class Cue:
    """What the file's words say: the order, and the words that said it."""

    day_first: bool
    basis: str


_TIME = r"\d[:.]\d\d(?:[:.]\d\d)?[ \u202f\u00a0]?"
_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("German", r"Medien ausgeschlossen|Bild weggelassen|Ende-zu-Ende-verschlüsselt"
               rf"|{_TIME}(?:vorm\.|nachm\.)"),
    ("Spanish", r"Multimedia omitido|imagen omitida|cifrados de extremo a extremo"
                rf"|{_TIME}[ap]\. m\."),
    ("French", r"Médias omis|image absente|chiffrés de bout en bout"),
    ("Portuguese", r"Mídia oculta|imagem ocultada|Arquivo de mídia oculto"
                   r"|criptografia de ponta a ponta"),
    ("Italian", r"Media omessi|immagine omessa|crittografati end-to-end"),
    ("Dutch", r"Media weggelaten|afbeelding weggelaten|end-to-end versleuteld"),
    ("Finnish", rf"Media jätetty pois|{_TIME}(?:ap|ip)\."),
    ("Greek", rf"{_TIME}(?:π\.μ\.|μ\.μ\.)"),
    ("Russian", r"без медиафайлов|защищены сквозным шифрованием"),
    ("Turkish", r"medya dahil edilmedi|Medya dahil edilmedi"),
    ("Indonesian", r"Media tidak disertakan"),
)
_CUES = re.compile("|".join(f"(?P<g{i}>{p})" for i, (_, p) in enumerate(_LANGUAGES)))


def language_cue(chunks: Iterable[Chunk | BadLine]) -> Cue | None:
    """The first language cue in the file, or None (stops reading at the first one)."""
    for item in chunks:
        if isinstance(item, BadLine):
            continue
        m = _CUES.search(item.text)
        if m is None:
            continue
        language = _LANGUAGES[int(str(m.lastgroup)[1:])][0]
        offset = item.text.count("\n", 0, m.start())
        return Cue(True, f"the export is in {language} ({m.group(0)!r} on line "
                         f"{item.line + offset - 1}), which writes day/month")
    return None
