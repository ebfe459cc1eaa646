"""A failed job's message: one line, naming the file, with no content and no server path.

Errors raised deep in a parser can quote what they choked on (a fragment of a message) and
name the server's upload or evidence folders; the job page shows neither. What is left is
the error's own words about the file (``chat.txt:12: no messages found``).
"""

from __future__ import annotations

import re

MAX_CHARS = 300
# "could not be read as whatsapp-text: <the parser's exception>": the exception may quote text.
_PARSER_DETAIL = re.compile(r"(could not be read as [\w.+-]+): .*")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s/:'\"]+/)*[^\s/:'\"]+/?")


def one_line(message: str, name: str, shown_as: dict[str, str] | None = None) -> str:
    """``message`` fit for the job page: paths in ``shown_as`` replaced by what the user
    knows them as, quoted fragments and any other absolute path removed, one line, naming
    ``name`` (the file or bundle the job was about)."""
    for path, shown in sorted((shown_as or {}).items(), key=lambda kv: -len(kv[0])):
        message = message.replace(path, shown)
    message = _PARSER_DETAIL.sub(r"\1", message)
    message = _QUOTED.sub(lambda m: m.group(0) if name in m.group(0) else "'…'", message)
    message = _ABSOLUTE_PATH.sub("…", message)
    message = " ".join(message.split())
    if name not in message:
        message = f"{name}: {message}"
    return message if len(message) <= MAX_CHARS else message[:MAX_CHARS - 1] + "…"
