"""A reviewer's decision as a training example for a force's own model (no database here:
``review/custodian.py`` reads them, ``detect/force_model.py`` learns from them)."""

from __future__ import annotations

from dataclasses import dataclass

# The decisions that say whether a finding was misconduct; "needs context" says neither.
TRAINING_DECISIONS = ("relevant", "not_relevant")


@dataclass(frozen=True, slots=True)
class Decided:
    """One decided message: its text (names masked), whether a reviewer found it relevant,
    and the categories and Standards of the findings that decided it."""

    text: str
    relevant: bool
    categories: tuple[str, ...]
    standards: tuple[str, ...]
