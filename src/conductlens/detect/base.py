"""The shared types of detection: what a detector yields (Hit) and what a scan reports (Finding)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from conductlens.errors import ConductLensError

Span = tuple[int, int]


class PolicyError(ConductLensError):
    """A policy, lexicon or model file is invalid; the message names ``file:line``."""


class Severity(IntEnum):
    """How serious a finding is; context moves it up or down a step."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        """The lower-case name used in YAML and JSON ("low", "medium", "high")."""
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Severity:
        """Read "low", "medium" or "high"."""
        return cls[name.upper()]

    def shifted(self, steps: int) -> Severity:
        """Move ``steps`` levels, clamped to LOW..HIGH."""
        return Severity(min(max(self + steps, Severity.LOW), Severity.HIGH))


@dataclass(frozen=True, slots=True)
class Hit:
    """One detector's evidence in one message of a batch."""

    index: int
    detector: str
    label: str
    score: float
    spans: tuple[Span, ...]
    detail: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a finding was made, in words a non-lawyer can read."""

    summary: str
    evidence: tuple[str, ...]
    context: tuple[str, ...]
    also: tuple[str, ...] = ()  # other categories of its family the message engages

    def render(self) -> str:
        """One paragraph: the summary, what matched, how context changed the severity, and
        what else in the category's family the message engages."""
        parts = [self.summary]
        if self.evidence:
            parts.append("Matched: " + "; ".join(self.evidence) + ".")
        parts.extend(self.context)
        parts.extend(self.also)
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Finding:
    """A category of the policy engaged by one message."""

    message_id: str
    category: str
    standards: tuple[str, ...]
    severity: Severity
    score: float
    detector: str
    spans: tuple[Span, ...]
    explanation: Explanation
    policy_version: str
    # The other categories of the same family this message engages, folded into this finding.
    merged: tuple[tuple[str, Severity], ...] = ()

    def severity_for(self, category: str) -> Severity | None:
        """This finding's severity if it is ``category``'s, the merged one's if ``category``
        was folded into it, else None."""
        if category == self.category:
            return self.severity
        return next((severity for name, severity in self.merged if name == category), None)


class Detector(Protocol):
    """Turns a batch of message texts into hits; stateless once built."""

    id: str

    def detect(self, batch: Sequence[str]) -> Iterator[Hit]:
        """Yield every hit in ``batch`` (``Hit.index`` is the position in the batch)."""
        ...
