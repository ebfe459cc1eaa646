"""The detector kinds a policy may use, one line each."""

from __future__ import annotations

from conductlens.detect.classifier import Classifier
from conductlens.detect.lexicon import Lexicon
from conductlens.detect.patterns import Patterns
from conductlens.detect.semantic import SemanticModel

DETECTORS: dict[str, type[Lexicon] | type[Patterns] | type[Classifier] | type[SemanticModel]] = {
    "lexicon": Lexicon,
    "pattern": Patterns,
    "classifier": Classifier,
    "semantic": SemanticModel,
}
