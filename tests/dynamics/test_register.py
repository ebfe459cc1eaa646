"""The response-register model: hash-pinned weights, labels on phrases it never saw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conductlens.detect.base import PolicyError
from conductlens.detect.classifier import sha256_file
from conductlens.dynamics.register import MODEL, RegisterModel, reaction_label, spell_emoji
from conductlens.dynamics.register_training import DATA, load_examples


@pytest.fixture(scope="module")
def model() -> RegisterModel:
    return RegisterModel.load()


@pytest.mark.parametrize(("text", "label"), [
    ("🤣🤣🤣", "endorse"),
    ("hahaha what a legend", "endorse"),
    ("couldn't have put it better myself", "endorse"),
    ("mate that's out of order, take it off", "challenge"),
    ("I'm reporting this to the inspector", "challenge"),
    ("why would you even post that", "challenge"),
    ("anyone got the keys for the van?", "neutral"),
    ("on my way back to the nick", "neutral"),
    ("👍", "neutral"),
])
def test_labels(model: RegisterModel, text: str, label: str) -> None:
    assert model.classify([text])[0].label == label


def test_scores_are_probabilities(model: RegisterModel) -> None:
    (verdict,) = model.classify(["lol"])
    assert abs(sum(verdict.scores) - 1.0) < 1e-9


@pytest.mark.parametrize(("emoji", "label"), [
    ("😂", "endorse"), ("🤣", "endorse"), ("👍🏽", "endorse"), ("❤️", "endorse"),
    ("😮", "neutral"), ("👎", "neutral"), ("🙏", "neutral"),
])
def test_reactions(emoji: str, label: str) -> None:
    assert reaction_label(emoji) == label


def test_emoji_are_spelt_as_words() -> None:
    assert "laughface" in spell_emoji("Dead 😂") and "thumbsup" in spell_emoji("👍🏻")


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    shutil.copy(MODEL.parent / "manifest.json", tmp_path / "manifest.json")
    bad = tmp_path / MODEL.name
    data = bytearray(MODEL.read_bytes())
    data[-40] ^= 1
    bad.write_bytes(bytes(data))
    with pytest.raises(PolicyError, match="does not match the manifest"):
        RegisterModel.load(bad)


def test_shipped_model_was_trained_on_the_shipped_data() -> None:
    entry = json.loads((MODEL.parent / "manifest.json").read_text())["models"][MODEL.stem]
    assert entry["data"][DATA.name] == sha256_file(DATA)
    assert entry["sha256"] == sha256_file(MODEL)


def test_every_label_has_several_families() -> None:
    families: dict[int, set[str]] = {}
    for e in load_examples():
        families.setdefault(e.label, set()).add(e.family)
    assert sorted(families) == [0, 1, 2] and all(len(f) >= 5 for f in families.values())
