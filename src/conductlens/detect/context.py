"""Context: the same words mean different things when a message reports or quotes an offender,
challenges the content, or is aimed at a colleague. Context moves a finding's severity by
whole steps and says why, so an investigator can see (and overrule) the reasoning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from conductlens.detect.base import Hit, Span

_QUOTED = re.compile(r"\"[^\"]+\"|“[^”]+”|‘[^’]+’|(?<!\w)'[^']+'(?!\w)")
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|isn'?t|aren'?t|don'?t|doesn'?t|nothing)\W+"
    r"(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)

# Laughter: a report of someone else's words or acts is not lowered when the sender laughs at it
# ("Suspect was wearing a turban, told him to take his tea towel off 😂").
_LAUGHTER = re.compile("[😂🤣😆😹]")

REPORT_STEPS = -2
CHALLENGE_STEPS = -2
INGROUP_STEPS = -2
# A hostile word in the message means a network's name is the target, not the speaker:
# "the LGBT network are vermin" is not lowered.
_HOSTILE_PREFIX = "hostility/"
DIRECTED_STEPS = 1


@dataclass(frozen=True, slots=True)
class Context:
    """The cues found in one message: a severity shift and the reasons for it."""

    steps: int
    reasons: tuple[str, ...]


def _cue_tags(hits: Iterable[Hit]) -> set[str]:
    return {h.label.split("/", 1)[1] for h in hits if h.label.startswith("context/")}


def _hostile(hits: Iterable[Hit]) -> bool:
    return any(h.label.startswith(_HOSTILE_PREFIX) for h in hits)


def quoted(text: str, spans: Iterable[Span]) -> bool:
    """Whether every span lies inside quotation marks."""
    quotes = [m.span() for m in _QUOTED.finditer(text)]
    return all(any(a <= s and e <= b for a, b in quotes) for s, e in spans)


def negated(text: str, span: Span) -> bool:
    """Whether a negation comes within three words before ``span`` ("are not vermin")."""
    return bool(_NEGATION.search(text[max(0, span[0] - 40) : span[0]]))


def assess(text: str, hits: Iterable[Hit], spans: tuple[Span, ...], directable: bool) -> Context:
    """Weigh the context cues of one message for a finding over ``spans``."""
    hits = list(hits)
    tags = _cue_tags(hits)
    steps, reasons = 0, []
    laughing = "endorse" in tags or _LAUGHTER.search(text) is not None
    if (spans and quoted(text, spans)) or ("report" in tags and not laughing):
        steps += REPORT_STEPS
        reasons.append("Lowered: the message reports or quotes what someone else said or did.")
    elif "report" in tags:
        reasons.append("Not lowered: the message reports an incident but laughs at it.")
    if "challenge" in tags:
        steps += CHALLENGE_STEPS
        reasons.append("Lowered: the message challenges or condemns the content.")
    if steps == 0 and "ingroup" in tags and not laughing and not _hostile(hits):
        steps += INGROUP_STEPS
        reasons.append("Lowered: the message is a staff network's or a community's own notice "
                       "(its own identity words, no hostile word).")
    if directable and steps == 0 and "directed" in tags:
        steps += DIRECTED_STEPS
        reasons.append("Raised: the message is aimed at a person (second person or address).")
    return Context(steps, tuple(reasons))
