"""The semantic second stage: hash-checked encoder and heads, candidates only, reproducible."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conductlens.detect import datasets as ds
from conductlens.detect import scan as scan_module
from conductlens.detect import semantic
from conductlens.detect.base import PolicyError
from conductlens.detect.classifier import MANIFEST, sha256_file
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.scan import Scanner
from conductlens.detect.semantic import DIMENSIONS, SemanticModel, embed, encoder_weights
from conductlens.detect.semantic_training import (
    SEMANTIC_SPECS,
    encoder_entry,
    fit_head,
    train_semantic,
)

MODELS = Path(__file__).parents[2] / "src" / "conductlens" / "detect" / "policies" / "models"


def _manifest() -> dict[str, dict[str, object]]:
    return dict(json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))["models"])


def test_manifest_pins_the_installed_encoder() -> None:
    assert _manifest()["encoder"]["sha256"] == sha256_file(encoder_weights())
    assert encoder_entry() == _manifest()["encoder"]


def test_head_loads_and_scores_hate_above_neutral() -> None:
    model = SemanticModel.load(MODELS / "hate-semantic.npz")
    assert model.hidden_weights.shape[0] == DIMENSIONS
    texts = ["all immigrants are filthy animals", "the immigration office opens at 9"]
    scores = model.scores(texts)
    assert scores[0] > 0.6 > scores[1]


def test_embeddings_are_deterministic_and_batch_independent() -> None:
    sha = str(_manifest()["encoder"]["sha256"])
    texts = ["meet at the nick at 7", "women should not be allowed to be officers", ""]
    together = embed(texts, sha)
    alone = np.vstack([semantic.embed_uncached([t], sha) for t in texts])
    assert together.shape == (3, DIMENSIONS)
    assert np.array_equal(together, embed(texts, sha))
    assert np.allclose(together, alone, atol=2e-3)  # float16 rounding of padded batches


def test_encoder_with_another_hash_is_refused() -> None:
    with pytest.raises(PolicyError, match="model.safetensors: sha256 .* does not match"):
        embed(["any text"], "0" * 64)


def test_only_candidates_reach_the_encoder(
    baseline: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = scan_module.embed

    def spy(texts: Sequence[str], sha: str) -> np.ndarray:
        seen.extend(texts)
        return real(texts, sha)

    monkeypatch.setattr(scan_module, "embed", spy)
    texts = ["van is at the nick", "these immigrants are ruining this country", "brew anyone?"]
    hits = Scanner.build(baseline).hits(texts)
    assert seen == ["these immigrants are ruining this country"]
    assert any(h.label == "semantic/hate-semantic" for h in hits[1])


def test_semantic_rule_finds_hate_without_a_slur_or_keyword(baseline: Policy) -> None:
    findings = scan_module.check_text(baseline, "Immigrants should go back where they came from")
    semantic = [f for f in findings if f.detector.startswith("semantic:")]
    assert [f.category for f in semantic] == ["discrimination-race"]
    assert semantic[0].score < 1.0  # the model's score, not the group word's
    assert "semantic model scored" in " ".join(semantic[0].explanation.evidence)


def test_semantic_rule_must_name_a_semantic_model(tmp_path: Path) -> None:
    policy = tmp_path / "force.yaml"
    policy.write_text(
        """version: "f-1"
name: Force
extends: baseline
categories:
  - id: odd
    name: Odd
    description: d
    standards: [Discreditable conduct]
    severity: low
    explanation: e
    detectors:
      - {kind: semantic, model: hate}
""",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="semantic model hate"):
        load_policy(policy)


CROSS_CPU = 0.05  # a retrain on another CPU's BLAS kernels, measured up to 0.038 away


@pytest.mark.slow
def test_train_reproduces_shipped_semantic_head(
    tmp_path: Path, datasets: Path, assert_retrain_matches: Any
) -> None:
    spec = SEMANTIC_SPECS[0]
    shipped = _manifest()
    entry = train_semantic(datasets, spec, tmp_path, str(shipped["encoder"]["sha256"]))
    # Another CPU is not the same machine: the head's early-stopped adam fit follows the BLAS
    # kernels (OpenBLAS picks them per CPU), and retrains of these same bytes on AVX-512 and
    # AVX2 kernels differed from the shipped figures by up to 0.038 (docs/detection.md). The
    # same-machine rule (identical fits) is test_the_head_fit_is_deterministic below.
    assert_retrain_matches(entry, shipped[spec.name], tolerance=CROSS_CPU)


def test_the_head_fit_is_deterministic() -> None:
    """Two fits of the head on the same embeddings in one process give identical arrays."""
    spec = SEMANTIC_SPECS[0]
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(240, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = (vectors[:, 0] + 0.3 * rng.normal(size=240) > 0).astype(int)
    splits = [ds.Split("a", tuple(f"t{i}" for i in range(120)), tuple(labels[:120].tolist())),
              ds.Split("b", tuple(f"u{i}" for i in range(120)), tuple(labels[120:].tolist()))]
    first, second = fit_head(vectors, splits, spec), fit_head(vectors, splits, spec)
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[k], second[k]) for k in first)


def test_group_statements_fill_every_frame_with_every_group() -> None:
    split = ds.group_statements()
    lines = ds.GROUP_STATEMENTS.read_text(encoding="utf-8").splitlines()
    groups = next(line for line in lines if line.startswith("GROUPS")).count("|")
    frames = [line for line in lines if line[:1] in {"0", "1"}]
    assert len(split.texts) == groups * len(frames)
    assert not any("{g}" in text for text in split.texts)
    assert 0.3 < sum(split.labels) / len(split.labels) < 0.7


def test_group_statements_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "g.txt"
    bad.write_text("GROUPS | women\n0 | fine {g}\n2 | label two {g}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g.txt:3: expected"):
        ds.group_statements(bad)


def test_cache_serves_repeats_and_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded: list[list[str]] = []

    def fake(texts: list[str], sha: str) -> np.ndarray:
        encoded.append(list(texts))
        return np.array([[float(len(t))] * DIMENSIONS for t in texts], dtype=np.float32)

    monkeypatch.setattr(semantic, "_encode", fake)
    monkeypatch.setattr(semantic, "_CACHE_SIZE", 3)
    monkeypatch.setattr(semantic, "_cache", semantic.OrderedDict())
    first = semantic.embed(["a", "bb", "a", "cccc", "ddddd"], "sha")  # more than the cache holds
    assert first[:, 0].tolist() == [1, 2, 1, 4, 5]
    assert encoded == [["a", "bb", "cccc", "ddddd"]]
    second = semantic.embed(["ddddd", "eeeeee"], "sha")
    assert second[:, 0].tolist() == [5, 6] and encoded[-1] == ["eeeeee"]
    assert len(semantic._cache) == 3


def test_npz_that_is_not_a_head_is_refused_by_name(tmp_path: Path) -> None:
    # A hash-matching file of the wrong shape (an n-gram model put in a head's place).
    shutil.copy(MODELS / "hate.npz", tmp_path / "hate-semantic.npz")
    manifest = _manifest()
    manifest["hate-semantic"] = {"sha256": sha256_file(tmp_path / "hate-semantic.npz")}
    text = json.dumps({"models": manifest})
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"hate-semantic.npz: not a semantic head"):
        SemanticModel.load(tmp_path / "hate-semantic.npz")
