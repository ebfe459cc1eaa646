"""The detector kinds a policy may use, one line each."""

from __future__ import annotations

from conductlens.detect.classifier import Classifier
from conductlens.detect.conduct import ConductModel
from conductlens.detect.lexicon import Lexicon
from conductlens.detect.patterns import Patterns
from conductlens.detect.semantic import SemanticModel

Kind = type[Lexicon] | type[Patterns] | type[Classifier] | type[SemanticModel] | type[ConductModel]
DETECTORS: dict[str, Kind] = {
    "lexicon": Lexicon,
    "pattern": Patterns,
    "classifier": Classifier,
    "semantic": SemanticModel,
    "model": ConductModel,
}
