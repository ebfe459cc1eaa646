"""Shipped weights are hash-checked, prediction is deterministic, training is reproducible."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conductlens.detect import datasets as ds
from conductlens.detect.base import PolicyError
from conductlens.detect.classifier import (
    MANIFEST,
    TRAINING_LIBRARIES,
    Classifier,
    library_drift,
    library_versions,
    sha256_file,
)
from conductlens.detect.semantic import SemanticModel
from conductlens.detect.training import SPECS, fit, train_one, write_npz

MODELS = Path(__file__).parents[2] / "src" / "conductlens" / "detect" / "policies" / "models"


def test_shipped_models_match_manifest() -> None:
    manifest = json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))
    ngram = {n: e for n, e in manifest["models"].items() if e["kind"] == "ngram"}
    assert set(ngram) == {spec.name for spec in SPECS}
    for name, entry in ngram.items():
        assert sha256_file(MODELS / entry["file"]) == entry["sha256"], name
        assert Classifier.load(MODELS / entry["file"]).weights.size == entry["params"]["buckets"]


@pytest.mark.parametrize(
    ("kind", "file"), [(Classifier, "hate.npz"), (SemanticModel, "hate-semantic.npz")]
)
def test_tampered_weights_are_refused(
    tmp_path: Path, kind: type[Classifier] | type[SemanticModel], file: str
) -> None:
    shutil.copy(MODELS / MANIFEST, tmp_path / MANIFEST)
    data = bytearray((MODELS / file).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / file).write_bytes(bytes(data))
    with pytest.raises(PolicyError, match="does not match the manifest"):
        kind.load(tmp_path / file)


def test_model_missing_from_manifest_is_refused(tmp_path: Path) -> None:
    shutil.copy(MODELS / "hate.npz", tmp_path / "hate.npz")
    (tmp_path / MANIFEST).write_text('{"models": {}}', encoding="utf-8")
    with pytest.raises(PolicyError, match="no sha256"):
        Classifier.load(tmp_path / "hate.npz")


def test_scores_are_deterministic_and_batch_independent() -> None:
    model = Classifier.load(MODELS / "offensive.npz")
    texts = ["shut up you stupid idiot", "meet at the station at 7", ""]
    together = model.scores(texts)
    alone = np.array([model.scores([t])[0] for t in texts])
    assert np.array_equal(together, model.scores(texts))
    assert np.allclose(together, alone)
    assert together[0] > 0.5 > together[1]


def test_npz_bytes_are_reproducible(tmp_path: Path) -> None:
    arrays = {"weights": np.arange(8, dtype=np.float32), "bias": np.array([0.5])}
    write_npz(tmp_path / "a.npz", arrays)
    write_npz(tmp_path / "b.npz", arrays)
    assert sha256_file(tmp_path / "a.npz") == sha256_file(tmp_path / "b.npz")
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:
        assert np.array_equal(data["weights"], arrays["weights"])


def test_small_fit_is_deterministic() -> None:
    split = ds.Split(
        "toy", ("you idiot", "nice one", "stupid idiot", "well done") * 5, (1, 0, 1, 0) * 5
    )
    first, second = fit([split], 1.0, 2**10), fit([split], 1.0, 2**10)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]


@pytest.mark.slow
def test_train_reproduces_shipped_weights(
    tmp_path: Path, datasets: Path, assert_retrain_matches: Any
) -> None:
    # One model keeps this near 10 s; `conductlens models train` does both the same way.
    spec = next(s for s in SPECS if s.name == "hate")
    entry = train_one(datasets, spec, tmp_path)
    shipped = json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))["models"]
    assert_retrain_matches(entry, shipped["hate"])


def test_library_versions_names_what_is_installed() -> None:
    versions = library_versions()
    assert set(versions) == set(TRAINING_LIBRARIES)
    assert versions["numpy"] == np.__version__


def test_semantic_head_records_the_libraries_it_was_trained_with() -> None:
    shipped = json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))["models"]
    libraries = shipped["hate-semantic"]["libraries"]
    assert set(libraries) == set(TRAINING_LIBRARIES)
    assert all(version and version != "not installed" for version in libraries.values())


def test_retrain_miss_names_the_libraries_that_moved() -> None:
    assert "numpy 0.0.1 -> " + np.__version__ in library_drift({"numpy": "0.0.1"})
    assert library_drift({"numpy": np.__version__}).endswith("none recorded")
