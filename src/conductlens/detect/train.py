"""``conductlens models train``: every shipped model, then the manifest that pins them all
(datasets, parameters, validation metrics and sha256 of each file, and of the encoder)."""

from __future__ import annotations

import json
from pathlib import Path

from conductlens.detect.classifier import MANIFEST, library_versions
from conductlens.detect.conduct import ConductModel
from conductlens.detect.conduct_training import ConductSpec, distil_gate, train_conduct
from conductlens.detect.policy import BASELINE, load_policy
from conductlens.detect.semantic_training import SEMANTIC_SPECS, encoder_entry, train_semantic
from conductlens.detect.training import FORMAT_VERSION, SPECS, train_one


def train_all(root: Path, output: Path, conduct: ConductSpec | None = None) -> Path:
    """Train every model into ``output`` and write ``manifest.json``; return its path."""
    output.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, object]] = {"encoder": encoder_entry()}
    entries |= {spec.name: train_one(root, spec, output) for spec in SPECS}
    encoder = str(entries["encoder"]["sha256"])
    for semantic in SEMANTIC_SPECS:
        entries[semantic.name] = train_semantic(root, semantic, output, encoder)
    entries |= train_cascade(root, output, encoder, conduct or ConductSpec())
    versions = library_versions()
    for name, entry in entries.items():
        if name != "encoder":
            entry["libraries"] = versions
    manifest = output / MANIFEST
    text = json.dumps({"format": FORMAT_VERSION, "models": entries}, indent=2, sort_keys=True)
    manifest.write_text(text + "\n", encoding="utf-8")
    return manifest


def train_cascade(
    root: Path, output: Path, encoder: str, spec: ConductSpec
) -> dict[str, dict[str, object]]:
    """The conduct model over the baseline's categories, then the gate distilled from it."""
    categories = [c.id for c in load_policy(BASELINE).categories]
    entry = train_conduct(root, categories, output, encoder, spec)
    model = _unchecked(output / str(entry["file"]), spec.name, encoder)
    return {spec.name: entry, f"{spec.name}-gate": distil_gate(root, model, output, spec)}


def _unchecked(path: Path, name: str, encoder: str) -> ConductModel:
    # The file was written a moment ago by this process; the manifest comes after it.
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata() or {}
        tensors = {key: handle.get_tensor(key).float() for key in handle.keys()}  # noqa: SIM118
    return ConductModel.from_parts(name, meta, tensors, encoder)
