"""The police-register training set: size, coverage, voices and a split by template family."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from conductlens.detect.base import PolicyError
from conductlens.detect.policy import Policy
from conductlens.detect.register import (
    FAMILY_FILES,
    REGISTER_DIR,
    SPLITS,
    assign_splits,
    load_register,
    register_split,
    voice,
)

HARD_NEGATIVES = {"report", "challenge", "in-group", "swearing", "gallows", "jargon"}


def test_at_least_two_thousand_messages_without_duplicates() -> None:
    examples = load_register()
    assert len(examples) >= 2000
    assert len({e.text for e in examples}) == len(examples)


def test_every_category_and_hard_negative_kind_is_in_every_split(baseline: Policy) -> None:
    for split in SPLITS:
        examples = register_split(split)
        labels = Counter(label for e in examples for label in e.labels)
        kinds = Counter(e.kind for e in examples)
        for category in baseline.categories:
            assert labels[category.id] >= 10, (split, category.id)
        for kind in HARD_NEGATIVES:
            assert kinds[kind] >= 10, (split, kind)


def test_no_family_spans_two_splits() -> None:
    splits_of: dict[str, set[str]] = {}
    for example in load_register():
        splits_of.setdefault(example.family, set()).add(example.split)
    assert all(len(splits) == 1 for splits in splits_of.values())
    assert {s for splits in splits_of.values() for s in splits} == set(SPLITS)


def test_generation_is_deterministic() -> None:
    fresh = load_register.__wrapped__(REGISTER_DIR)
    assert fresh == load_register()


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (2, ["validation", "test"]),
        (3, ["train", "validation", "test"]),
        (5, ["train", "train", "train", "validation", "test"]),
    ],
)
def test_last_family_of_each_group_is_test(count: int, expected: list[str]) -> None:
    families = [{"id": f"f{i}", "labels": ["bullying"], "templates": ["x"]} for i in range(count)]
    negatives = [{"id": "n0", "kind": "jargon", "labels": [], "templates": ["y"]}]
    split = assign_splits(families + negatives)
    assert [split[f"f{i}"] for i in range(count)] == expected
    assert split["n0"] == "test"


def test_voices_change_text_in_the_register_ways() -> None:
    rnd = random.Random(3)
    text = "You are a proper useless officer, mate"
    variants = {voice(text, rnd) for _ in range(200)}
    assert text.lower() in variants
    assert any("*" in v or "_" in v or "#" in v for v in variants)  # masked letters
    assert any(" u " in f" {v} " for v in variants)  # abbreviations


def test_unknown_slot_is_named(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "slots.yaml").write_text("name: [Dan]\n", encoding="utf-8")
    for name in FAMILY_FILES:
        (root / name).write_text("families: []\n", encoding="utf-8")
    (root / "negatives.yaml").write_text(
        "families:\n  - {id: a, labels: [], kind: jargon, templates: ['{nope} here']}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="unknown slot nope"):
        load_register.__wrapped__(root)
