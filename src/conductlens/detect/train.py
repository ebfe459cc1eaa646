"""``conductlens models train``: every shipped model, then the manifest that pins them all
(datasets, parameters, validation metrics and sha256 of each file, and of the encoder)."""

from __future__ import annotations

import json
from pathlib import Path

from conductlens.detect.classifier import MANIFEST
from conductlens.detect.semantic_training import SEMANTIC_SPECS, encoder_entry, train_semantic
from conductlens.detect.training import FORMAT_VERSION, SPECS, train_one


def train_all(root: Path, output: Path) -> Path:
    """Train every model into ``output`` and write ``manifest.json``; return its path."""
    output.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, object]] = {"encoder": encoder_entry()}
    entries |= {spec.name: train_one(root, spec, output) for spec in SPECS}
    encoder = str(entries["encoder"]["sha256"])
    for semantic in SEMANTIC_SPECS:
        entries[semantic.name] = train_semantic(root, semantic, output, encoder)
    manifest = output / MANIFEST
    text = json.dumps({"format": FORMAT_VERSION, "models": entries}, indent=2, sort_keys=True)
    manifest.write_text(text + "\n", encoding="utf-8")
    return manifest
