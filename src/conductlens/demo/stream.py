"""Streaming Android export of any length, for benchmarks (constant memory).

:func:`write_android_txt` writes exactly ``target_lines`` lines of a WhatsApp Android export
(same shapes as :mod:`conductlens.demo.render_android_txt`): the founding members chatting
day after day from 2 March 2026, with one planted incident template roughly every 400 lines
and a hard negative roughly every 700.  It has no ground truth beyond that; use
:func:`conductlens.demo.generate_demo` for labelled data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from conductlens.demo import content
from conductlens.demo._render_common import E2E_ANDROID, pretty_phone
from conductlens.demo.incidents import HARD_NEGATIVES, INCIDENTS, LAUGH_REPLIES
from conductlens.demo.scenario import START

# Naive wall-clock times: the export has no zone, and this avoids zone arithmetic per line.

_TABLES = (
    content.ROTA,
    content.JOBS,
    content.WELFARE,
    content.BANTER,
    content.BANTER,
    content.MULTILINE,
)


def _names() -> list[str]:
    names = []
    for officer in content.roster():
        if officer.id == content.OWNER_ID:
            names.append(officer.name)
        elif officer.id in content.FOUNDING_IDS:
            names.append(officer.contact_name or pretty_phone(officer.phone))
    return names


def _body(rng: random.Random, firsts: list[str], counter: int, day: str) -> str:
    roll = rng.random()
    if roll < 0.0025:
        return INCIDENTS[rng.randrange(len(INCIDENTS))].text.replace("{target}", "Hannah")
    if roll < 0.004:
        return HARD_NEGATIVES[rng.randrange(len(HARD_NEGATIVES))][0]
    if roll < 0.02:
        return rng.choice(LAUGH_REPLIES)
    if roll < 0.08:
        caption = content.fill_template(rng, rng.choice(content.PHOTO_CAPTIONS), "Dave")
        head = f"IMG-{day}-WA{counter % 10000:04d}.jpg (file attached)"
        return f"{head}\n{caption}" if caption else head
    template = rng.choice(rng.choice(_TABLES))
    return content.fill_template(rng, template, rng.choice(firsts))


def iter_android_txt_lines(seed: int = 7) -> Iterator[str]:
    """Endless deterministic Android export lines (no newline characters)."""
    rng = random.Random(f"conductlens-demo-stream:{seed}")
    names = _names()
    firsts = [o.name.split()[0] for o in content.roster()]
    creator = names[0]
    yield f"{START.strftime('%d/%m/%Y, %H:%M')} - {E2E_ANDROID}"
    yield f'{START.strftime("%d/%m/%Y, %H:%M")} - {creator} created group "Team 3 Northtown"'
    for name in names[1:]:
        yield f"{START.strftime('%d/%m/%Y, %H:%M')} - {creator} added {name}"
    when = START.replace(tzinfo=None)
    counter = 0
    while True:
        when += timedelta(seconds=rng.randint(5, 900))
        counter += 1
        day = f"{when.day:02d}/{when.month:02d}/{when.year}"
        body = _body(rng, firsts, counter, f"{when.year}{when.month:02d}{when.day:02d}")
        line = f"{day}, {when.hour:02d}:{when.minute:02d} - {rng.choice(names)}: {body}"
        if "\n" in line:
            yield from line.split("\n")
        else:
            yield line


def write_android_txt(path: Path, target_lines: int, seed: int = 7) -> int:
    """Stream exactly ``target_lines`` lines to ``path``; returns the number written."""
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        lines = iter_android_txt_lines(seed)
        while written < target_lines:
            handle.write(next(lines) + "\n")
            written += 1
    return written
