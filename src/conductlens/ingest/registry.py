"""Every chat format ConductLens reads, registered in one place.

A format is one module in ``conductlens.ingest`` and one line in ``PARSERS``. Third-party
formats register through the ``conductlens.parsers`` entry-point group. Modules are imported
only when a parser is needed, so a broken optional format never stops the others.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import cast

from conductlens.errors import ConductLensError
from conductlens.ingest.base import Parser, Source

PARSERS: tuple[str, ...] = (
    "conductlens.ingest.whatsapp_text:WhatsAppText",
    "conductlens.ingest.whatsapp_android_db:WhatsAppAndroidDb",
    "conductlens.ingest.whatsapp_ios_db:WhatsAppIosDb",
    "conductlens.ingest.telegram_json:TelegramJson",
    "conductlens.ingest.messenger_json:MessengerJson",
    "conductlens.ingest.slack_export:SlackExport",
    "conductlens.ingest.signal_desktop:SignalDesktop",
    "conductlens.ingest.generic_table:GenericCsv",
    "conductlens.ingest.generic_table:GenericJsonl",
)


def _load(spec: str) -> Parser:
    module_name, _, class_name = spec.partition(":")
    module = importlib.import_module(module_name)
    return cast(Parser, getattr(module, class_name)())


def all_parsers() -> list[Parser]:
    """Built-in parsers in registry order, then any installed through entry points."""
    parsers = [_load(spec) for spec in PARSERS]
    for ep in entry_points(group="conductlens.parsers"):
        parsers.append(cast(Parser, ep.load()()))
    return parsers


def parser_named(name: str) -> Parser:
    """The parser whose ``name`` is ``name`` (for ``--format``)."""
    parsers = all_parsers()
    for parser in parsers:
        if parser.name == name:
            return parser
    known = ", ".join(p.name for p in parsers)
    raise ConductLensError(f"unknown format {name!r}; known formats: {known}")


def pick_parser(source: Source) -> tuple[Parser, float]:
    """The best-scoring parser for ``source``; raises when nothing recognises it."""
    scored = [(parser.sniff(source), i, parser) for i, parser in enumerate(all_parsers())]
    score, _, best = max(scored, key=lambda t: (t[0], -t[1]))
    if score <= 0.0:
        raise ConductLensError("not a recognised chat export (no format matched)")
    return best, score
