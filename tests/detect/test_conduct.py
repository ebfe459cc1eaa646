"""The conduct model and its cascade: hash-checked files, explained findings, the gate, and a
small reproducible training run (the shipped model is never retrained here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conductlens.detect.base import Hit, PolicyError, Severity
from conductlens.detect.cascade import Cascade
from conductlens.detect.classifier import MANIFEST, sha256_file
from conductlens.detect.conduct import ANY, ConductModel
from conductlens.detect.conduct_training import (
    ConductSpec,
    _cache,
    _Collected,
    _fit,
    _logits,
    _register_rows,
    choose_thresholds,
    fit_temperature,
)
from conductlens.detect.gate import Gate, recall_threshold
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.register import register_split
from conductlens.detect.scan import check_text, scanner
from conductlens.detect.semantic import _encoder

MODELS = Path(__file__).parents[2] / "src" / "conductlens" / "detect" / "policies" / "models"


@pytest.fixture(scope="module")
def conduct_policy() -> Policy:
    """The national baseline, which reads messages with the conduct model."""
    return load_policy()


def test_baseline_reads_with_the_conduct_model(conduct_policy: Policy) -> None:
    # Every category has a model rule, and none of them can raise a finding above medium:
    # a model's reading of new wording is for a reviewer to confirm.
    assert any(m.id == "conduct" for m in conduct_policy.models)
    # Personal data is found by its recognisers, and swearing by its lexicon, not by the model.
    by_pattern = {"personal-data", "profanity"}
    for category in conduct_policy.categories:
        if category.id in by_pattern:
            continue
        rules = [r for r in category.detectors if r.kind == "model" and r.model == "conduct"]
        assert rules, category.id
        assert {r.severity for r in rules} == {"medium"}, category.id


@pytest.fixture(scope="module")
def model() -> ConductModel:
    return ConductModel.load(MODELS / "conduct.safetensors")


def test_model_covers_every_category(model: ConductModel, conduct_policy: Policy) -> None:
    categories = {c.id for c in conduct_policy.categories}
    assert categories <= set(model.labels)
    assert categories | {ANY} == set(model.thresholds)
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    manifest = json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))["models"]
    assert manifest["conduct"]["thresholds"] == {
        k: v for k, v in model.thresholds.items() if k in manifest["conduct"]["thresholds"]
    }
    assert manifest["conduct"]["params"]["seed"] == ConductSpec().seed


def _copy_models(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(MODELS, target)
    return target


def test_tampered_model_is_refused_by_name(tmp_path: Path) -> None:
    models = _copy_models(tmp_path)
    path = models / "conduct.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(PolicyError, match=r"conduct\.safetensors: sha256 .* does not match"):
        ConductModel.load(path)


def test_unknown_model_file_is_refused_by_name(tmp_path: Path) -> None:
    models = _copy_models(tmp_path)
    stranger = models / "stranger.safetensors"
    shutil.copy(models / "conduct.safetensors", stranger)
    with pytest.raises(PolicyError, match="no sha256 recorded for model 'stranger'"):
        ConductModel.load(stranger)


def test_tampered_gate_is_refused_by_name(tmp_path: Path) -> None:
    models = _copy_models(tmp_path)
    path = models / "conduct-gate.npz"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(PolicyError, match=r"conduct-gate\.npz: sha256 .* does not match"):
        Gate.load(path)


@pytest.mark.parametrize(
    "text",
    [
        "honestly the new lass only made DS because of what she does for the DI after hours",
        # "cell 4 got a few digs off us, make sure nobody downloads the camera footage" is a
        # measured miss of the 2026-12-07 model (misconduct 0.77, below its 0.95 threshold;
        # docs/detection.md), not a case to tune on.
        "ran her plate on PNC, she lives alone on the estate, might pop round 😉",
    ],
)
def test_police_chat_misconduct_without_listed_words_is_flagged(
    conduct_policy: Policy, text: str
) -> None:
    findings = check_text(conduct_policy, text)
    assert any(f.severity >= Severity.MEDIUM for f in findings), findings


@pytest.mark.parametrize(
    "text",
    [
        "MISPER found safe and well at her nan's, CAD updated and closed",
        "S136 detention at the bridge, AMHP attending, place of safety at the general",
        "suspect described as IC3 male, red jacket, last seen on foot towards the station",
        "fml what a shift, three suddens and the kettle is broken",
    ],
)
def test_operational_messages_are_not_flagged(conduct_policy: Policy, text: str) -> None:
    findings = check_text(conduct_policy, text)
    assert not [f for f in findings if f.severity >= Severity.MEDIUM], findings


def test_every_model_finding_highlights_the_words_that_drove_it(conduct_policy: Policy) -> None:
    texts = [e.text for e in register_split("validation") if e.kind == "misconduct"][:40]
    scan = scanner(conduct_policy)
    checked = 0
    for index, hits in scan.hits(texts).items():
        for hit in hits:
            if hit.label.startswith("model/"):
                checked += 1
                assert hit.spans, hit
                words = [texts[index][a:b] for a, b in hit.spans]
                assert all(w.strip() for w in words)
                assert "driven by" in hit.detail and repr(words[0]) in hit.detail
    assert checked >= 10


def test_cascade_sends_on_fast_tier_hits_and_gate_passes(conduct_policy: Policy) -> None:
    cascade = scanner(conduct_policy).cascades[0]
    assert cascade.gate is not None
    from conductlens.detect.features import featurise_normal
    from conductlens.detect.normalise import normalise

    texts = ["keys for the van are in the press", "brew anyone", "x"]
    features = featurise_normal([normalise(t) for t in texts], cascade.buckets or 0)
    lexicon_hit = Hit(2, "lexicon:x", "profanity/", 1.0, ((0, 1),), "")
    cue_only = Hit(1, "lexicon:x", "context/report", 1.0, ((0, 1),), "")
    chosen = cascade.candidates(3, {2: [lexicon_hit], 1: [cue_only]}, features)
    assert 2 in chosen
    assert Cascade(cascade.model, None).candidates(3, {}, None) == [0, 1, 2]


def test_recall_threshold_keeps_the_share_asked_for() -> None:
    scores = np.array([0.9, 0.8, 0.3, 0.2, 0.1, 0.05])
    targets = np.array([True, True, True, True, False, False])
    threshold = recall_threshold(scores, targets, 0.75)
    assert (scores[targets] >= threshold).mean() >= 0.75
    assert threshold == pytest.approx(0.3)


def test_thresholds_and_temperature_are_chosen_from_validation_scores() -> None:
    labels = ["bullying", "profanity", "misconduct"]
    probs = np.array(
        [[0.9, 0.1, 0.9], [0.6, 0.1, 0.7], [0.3, 0.9, 0.3], [0.1, 0.1, 0.2], [0.2, 0.1, 0.1]]
    )
    targets = np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 0], [0, 0, 0]], dtype=float)
    benign = np.array([False, False, True, True, True])
    chosen = choose_thresholds(probs, targets, benign, labels)
    assert chosen["bullying"] == pytest.approx(0.35)  # above every benign bullying score
    assert chosen["profanity"] == pytest.approx(0.15)  # the swearing row is profanity
    assert chosen["misconduct"] <= 0.35
    logits = np.array([[4.0], [-4.0], [4.0], [-4.0]], dtype=np.float32)
    targets = np.array([[1.0], [0.0], [0.0], [0.0]], dtype=np.float32)
    assert fit_temperature(logits, targets) > 1.0  # overconfident: soften


def test_small_training_run_is_reproducible_and_learns(conduct_policy: Policy) -> None:
    """Two runs of the real fit on a small slice give the same scores, above chance."""
    import torch

    outputs = [*(c.id for c in conduct_policy.categories), "misconduct", "hate", "offensive"]
    examples = register_split("train")[::40]
    rows = _register_rows(examples, outputs)
    model = ConductModel.load(MODELS / "conduct.safetensors")
    encoder = _encoder(model.encoder_sha256)
    spec = ConductSpec(epochs=2, batch=8, seed=7)
    states = _cache(encoder, rows.texts, spec.frozen_layers)
    results = []
    for _ in range(2):
        torch.manual_seed(spec.seed)
        from conductlens.detect.conduct import UpperNet

        net = UpperNet.build(encoder, spec.frozen_layers, len(outputs))
        _fit(net, states, rows, spec)
        results.append(_logits(net, states))
    assert np.allclose(results[0], results[1], atol=1e-4)
    column = outputs.index("misconduct")
    y = rows.targets[:, column] > 0.5
    assert results[0][y, column].mean() > results[0][~y, column].mean()
    assert sha256_file(MODELS / "conduct.safetensors")  # the shipped file is untouched


def test_thresholds_respect_the_floor_and_the_clean_tweets() -> None:
    labels = ["bullying", "profanity", "misconduct"]
    probs = np.array([[0.9, 0.1, 0.9], [0.1, 0.1, 0.1], [0.2, 0.1, 0.1]])
    targets = np.array([[1, 0, 1], [0, 0, 0], [0, 0, 0]], dtype=float)
    benign = np.array([False, True, True])
    assert choose_thresholds(probs, targets, benign, labels)["bullying"] == pytest.approx(0.25)
    floored = choose_thresholds(probs, targets, benign, labels, floor=0.7)
    assert floored["bullying"] == pytest.approx(0.7)
    # Ten clean tweets, one scoring 0.5 for bullying: 10% pass below 0.55, over the 1% bound.
    clean = np.array([[0.5, 0.0, 0.0]] + [[0.0, 0.0, 0.0]] * 9)
    bounded = choose_thresholds(probs, targets, benign, labels, clean)
    assert bounded["bullying"] == pytest.approx(0.55)


def test_clean_public_rows_are_negatives_for_every_category() -> None:
    outputs = ["bullying", "profanity", "misconduct", "hate", "offensive"]
    rows = _Collected(outputs)
    rows.add("lovely day for it", {"offensive": 0}, clean=True)
    rows.add("you absolute muppet", {"offensive": 1}, clean=False)
    done = rows.done()
    assert done.clean == [True, False]
    assert done.known[0].tolist() == [1.0, 1.0, 1.0, 0.0, 1.0]
    assert done.targets[0].sum() == 0.0
    assert done.known[1].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert done.targets[1].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_each_distinct_text_is_read_once(
    model: ConductModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conductlens.detect.conduct as conduct

    read: list[str] = []
    real = conduct.lower_layers

    def counting(encoder: object, texts: list[str], frozen: int) -> object:
        read.extend(texts)
        return real(encoder, texts, frozen)

    monkeypatch.setattr(conduct, "lower_layers", counting)
    model.recent.clear()
    texts = ["on my way", "delete the group before PSD see it", "on my way", "on my way"]
    probs = model.probabilities(texts)
    assert sorted(read) == sorted(set(texts))
    assert probs.shape == (4, len(model.labels))
    np.testing.assert_array_equal(probs[0], probs[2])
    # Read again (the same message in a second exhibit): from the cache, the same scores.
    again = model.probabilities([texts[1], "brew anyone?"])
    assert sorted(read) == sorted({*texts, "brew anyone?"})
    np.testing.assert_array_equal(again[0], probs[1])
    model.recent.clear()
    np.testing.assert_allclose(model.probabilities([texts[1]])[0], probs[1], atol=1e-5)
    assert model.probabilities([]).shape == (0, len(model.labels))


def test_the_cache_keeps_the_most_recent_texts(
    model: ConductModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conductlens.detect.conduct as conduct

    monkeypatch.setattr(conduct, "CACHE_SIZE", 2)
    model.recent.clear()
    model.probabilities(["one", "two", "three"])
    assert list(model.recent) == ["two", "three"]
    model.recent.clear()
