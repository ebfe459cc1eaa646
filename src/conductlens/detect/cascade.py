"""The cascade: the fast tier and the gate choose the messages the conduct model reads.

A message goes on to the model when the gate's score passes its threshold, or when the fast
tier found anything in it (a lexicon term other than a context cue, a pattern, a classifier
score): those messages are where the model can change a finding. Everything else, the great
bulk of shift chatter, costs only the fast tier. The model reads what is sent on in batches,
inside whichever process runs the scan (``scan --workers`` spawns one per core).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from conductlens.detect.base import Hit
from conductlens.detect.conduct import ConductModel
from conductlens.detect.features import Features
from conductlens.detect.gate import Gate
from conductlens.detect.policy import ModelRef

CUE_PREFIX = "context/"


@dataclass(frozen=True, slots=True)
class Cascade:
    """The conduct model behind its gate (no gate: the model reads every message)."""

    model: ConductModel
    gate: Gate | None

    @classmethod
    def load(cls, ref: ModelRef) -> Cascade:
        """Load (and hash-check) the model and its gate named by a policy's model entry."""
        model = ConductModel.load(Path(ref.file), ref.id)
        return cls(model, Gate.load(Path(ref.gate)) if ref.gate else None)

    @property
    def buckets(self) -> int | None:
        """The feature size the gate reads (None without a gate)."""
        return None if self.gate is None else int(self.gate.classifier.weights.size)

    def candidates(
        self, size: int, grouped: dict[int, list[Hit]], features: Features | None
    ) -> list[int]:
        """Positions in a batch of ``size`` messages that the model must read."""
        if self.gate is None or features is None:
            return list(range(size))
        chosen = set(self.gate.passes(features).nonzero()[0].tolist())
        chosen.update(i for i, hits in grouped.items() if _evidence(hits))
        return sorted(chosen)

    def hits(
        self, texts: Sequence[str], grouped: dict[int, list[Hit]], features: Features | None
    ) -> list[Hit]:
        """The model's hits on the messages sent on to it."""
        return list(self.model.hits(texts, self.candidates(len(texts), grouped, features)))


def _evidence(hits: Iterable[Hit]) -> bool:
    return any(not hit.label.startswith(CUE_PREFIX) for hit in hits)
