"""The response register: is a reply endorsing, challenging or neutral?

A multinomial logistic model over the detection package's hashed n-grams
(:mod:`conductlens.detect.features`), with emoji spelt as words first (the detection normal
form drops them, and a laughing face is most of what an endorsement says). Weights live in
``models/response_register.npz``, checked against the sha256 in ``models/manifest.json``
before use; no pickle. Reactions are read by emoji alone (:func:`reaction_label`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from conductlens.detect.base import PolicyError
from conductlens.detect.classifier import read_checked
from conductlens.detect.features import featurise

LABELS = ("endorse", "challenge", "neutral")
MODEL = Path(__file__).parent / "models" / "response_register.npz"
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

_SELECTORS = "\ufe0f\ufe0e\u200d"
LAUGH = frozenset("😂🤣😆😹💀😁😄😅😀😃😝😜")
APPROVE = frozenset("👏🔥💯👌🙌✅😍🏆👑😎🤙💪")
DISGUST = frozenset("🤮🤢😡🤬👎😠😤🙄😬😒😳😐😑🤦")
_TOKENS = {**{c: " laughface " for c in LAUGH}, **{c: " approveface " for c in APPROVE},
           **{c: " disgustface " for c in DISGUST}, "👍": " thumbsup ", "❤": " heartface "}
ENDORSING_REACTIONS = LAUGH | APPROVE | {"👍", "❤", "😍", "🥰", "😘"}


def spell_emoji(text: str) -> str:
    """Emoji as words the hashed features keep (other pictographs become ``emoji``)."""
    out = []
    for ch in text:
        if ch in _SELECTORS or "\U0001f3fb" <= ch <= "\U0001f3ff":
            continue
        word = _TOKENS.get(ch)
        if word is None and ord(ch) >= 0x2190 and not ch.isalnum():
            word = " emoji "
        out.append(word if word is not None else ch)
    return "".join(out)


def reaction_label(emoji: str) -> str:
    """A laughing or approving reaction endorses; any other reaction is neutral (a reaction
    alone is not a challenge: panels look for objecting, deleting or reporting)."""
    core = [ch for ch in emoji if ch not in _SELECTORS and not "\U0001f3fb" <= ch <= "\U0001f3ff"]
    return "endorse" if core and all(ch in ENDORSING_REACTIONS for ch in core) else "neutral"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One reply's label and the model's probability for each label."""

    label: str
    scores: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class RegisterModel:
    """Weights ``(3, buckets)`` and biases ``(3,)`` in :data:`LABELS` order."""

    weights: F32
    bias: F64
    version: int
    floor: float = 0.5

    @classmethod
    def load(cls, path: Path = MODEL) -> RegisterModel:
        """Load ``path`` once its sha256 matches the manifest beside it."""
        data = read_checked(path)
        weights = np.asarray(data["weights"], dtype=np.float32)
        if weights.ndim != 2 or weights.shape[0] != len(LABELS):
            raise PolicyError(f"{path}: weights shape {weights.shape} is not (3, buckets)")
        if weights.shape[1] & (weights.shape[1] - 1):
            raise PolicyError(f"{path}: bucket count {weights.shape[1]} is not a power of two")
        return cls(weights, np.asarray(data["bias"], dtype=np.float64), int(data["version"][0]))

    def probabilities(self, texts: Sequence[str]) -> F64:
        """Softmax probabilities, one row per text, columns in :data:`LABELS` order."""
        n, buckets = len(texts), self.weights.shape[1]
        feats = featurise([spell_emoji(t) for t in texts], buckets)
        margins = np.zeros((n, len(LABELS)), dtype=np.float64)
        for docs, cols in feats.groups:
            for k in range(len(LABELS)):
                margins[:, k] += np.bincount(docs, weights=self.weights[k][cols], minlength=n)
        margins = margins / np.sqrt(np.maximum(feats.counts, 1))[:, None] + self.bias
        margins -= margins.max(axis=1, keepdims=True)
        exp = np.exp(margins)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)

    def classify(self, texts: Sequence[str]) -> list[Verdict]:
        """A label for every text: the likeliest, when it reaches ``floor``, else neutral."""
        if not texts:
            return []
        out = []
        for row in self.probabilities(texts):
            best = int(np.argmax(row))
            label = LABELS[best] if row[best] >= self.floor else "neutral"
            out.append(Verdict(label, (float(row[0]), float(row[1]), float(row[2]))))
        return out
