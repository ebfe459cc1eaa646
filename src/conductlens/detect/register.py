"""The police-register training set: template families with slot fills, expanded
deterministically into messages written in many voices (lowercase, typos, abbreviations, emoji,
masked letters), and split into train / validation / test by family.

The families and slot lists are data (``data/police_register/*.yaml``; see its README). A
family is one idea written a few ways; every message of a family lands in the same split, so no
test message shares a template with a training one. Within each group of families (a category,
or a kind of hard negative) the last family written is the test family and the one before it
the validation family; the rule is fixed before any model is trained, so nothing is chosen on
the test split.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conductlens.detect.base import PolicyError

REGISTER_DIR = Path(__file__).parent / "data" / "police_register"
FAMILY_FILES = ("discrimination.yaml", "conduct.yaml", "negatives.yaml")
SPLITS = ("train", "validation", "test")
VARIANTS = 7  # messages drawn from each template (fewer when it has fewer distinct fills)
_SLOT = re.compile(r"\{(\w+)\}")
_DIGITS = re.compile(r"^d(\d)$")

# Voices: abbreviations as typed in shift groups.
_ABBREVIATIONS = (
    (r"\byou\b", "u"),
    (r"\bare\b", "r"),
    (r"\byour\b", "ur"),
    (r"\bmate\b", "m8"),
    (r"\btonight\b", "2nite"),
    (r"\bpeople\b", "ppl"),
    (r"\bplease\b", "pls"),
    (r"\bbecause\b", "cos"),
    (r"\bthe\b", "da"),
    (r"\bwith\b", "wiv"),
)
_EMOJI = ("😂", "🤣", "🙄", "👀", "😬", "💀", "🤷‍♂️", "😅", "👍")


@dataclass(frozen=True, slots=True)
class Example:
    """One generated message with the categories it belongs to."""

    text: str
    labels: tuple[str, ...]
    family: str
    kind: str  # "misconduct" or the kind of hard negative ("report", "challenge", ...)
    split: str


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read the police-register data: {exc}") from exc


def family_files(root: Path = REGISTER_DIR) -> list[Path]:
    """Every data file the set is built from (slots first), for hashing into the manifest."""
    return [root / "slots.yaml", *(root / name for name in FAMILY_FILES)]


def _families(root: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in FAMILY_FILES:
        for index, family in enumerate(_load_yaml(root / name)["families"]):
            if not family.get("templates") or "id" not in family:
                raise PolicyError(f"{root / name}: family {index + 1} needs an id and templates")
            out.append(family)
    return out


def _group(family: dict[str, Any]) -> str:
    labels = family.get("labels") or []
    kind = family.get("kind", "misconduct")
    return kind if kind != "misconduct" or not labels else str(labels[0])


def assign_splits(families: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Family id -> split: in each group the last family is test, the one before validation."""
    groups: dict[str, list[str]] = {}
    for family in families:
        groups.setdefault(_group(family), []).append(str(family["id"]))
    split: dict[str, str] = {}
    for ids in groups.values():
        for position, family_id in enumerate(ids):
            from_end = len(ids) - position
            split[family_id] = (
                "test" if from_end == 1 else "validation" if from_end == 2 else "train"
            )
    return split


def _fill(template: str, slots: dict[str, list[str]], rnd: random.Random) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        digits = _DIGITS.match(name)
        if digits:
            return "".join(str(rnd.randrange(10)) for _ in range(int(digits.group(1))))
        if name not in slots:
            raise PolicyError(f"police register: template {template!r} names unknown slot {name}")
        return rnd.choice(slots[name])

    return _SLOT.sub(one, template)


def _typo(text: str, rnd: random.Random) -> str:
    words = [m for m in re.finditer(r"[a-z]{5,}", text)]
    if not words:
        return text
    word = rnd.choice(words)
    i = rnd.randrange(word.start() + 1, word.end() - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _mask(text: str, rnd: random.Random) -> str:
    words = [m for m in re.finditer(r"[A-Za-z]{5,}", text)]
    if not words:
        return text
    word = rnd.choice(words)
    i = rnd.randrange(word.start() + 1, word.end() - 1)
    return text[:i] + rnd.choice("*_.#") + text[i + 1 :]


def _abbreviate(text: str, rnd: random.Random) -> str:
    for pattern, short in _ABBREVIATIONS:
        if rnd.random() < 0.7:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    return text


def voice(text: str, rnd: random.Random) -> str:
    """Rewrite ``text`` in one or two chat voices chosen by ``rnd``."""
    for _ in range(rnd.choice((1, 1, 2))):
        pick = rnd.randrange(9)
        if pick == 0:
            text = text.lower()
        elif pick == 1:
            text = re.sub(r"[',.]", "", text)
        elif pick == 2:
            text = _typo(text, rnd)
        elif pick == 3:
            text = _abbreviate(text, rnd)
        elif pick == 4:
            text = f"{text} {rnd.choice(_EMOJI)}"
        elif pick == 5:
            text = text[:1].upper() + text[1:]
        elif pick == 6:
            text = _mask(text, rnd)
        elif pick == 7 and len(text) < 60:
            text = text.upper()
        # 8: as written
    return re.sub(r"\s+", " ", text).strip()


def _expand(family: dict[str, Any], slots: dict[str, list[str]]) -> Iterator[str]:
    for number, template in enumerate(family["templates"]):
        seed = hashlib.sha256(f"{family['id']}:{number}".encode()).digest()
        rnd = random.Random(int.from_bytes(seed[:8], "big"))
        seen: set[str] = set()
        for attempt in range(VARIANTS * 3):
            if len(seen) >= VARIANTS:
                break
            text = _fill(template, slots, rnd)
            text = text if attempt == 0 else voice(text, rnd)
            if text not in seen:
                seen.add(text)
                yield text


@cache
def load_register(root: Path = REGISTER_DIR) -> tuple[Example, ...]:
    """Every generated message, in a fixed order (file, family, template, variant)."""
    slots = {k: [str(v) for v in values] for k, values in _load_yaml(root / "slots.yaml").items()}
    families = _families(root)
    split = assign_splits(families)
    seen: set[str] = set()
    out: list[Example] = []
    for family in families:
        labels = tuple(str(label) for label in family.get("labels") or ())
        for text in _expand(family, slots):
            if text in seen:  # the same words in two families would leak across splits
                continue
            seen.add(text)
            kind = str(family.get("kind", "misconduct"))
            out.append(Example(text, labels, str(family["id"]), kind, split[str(family["id"])]))
    return tuple(out)


def register_split(name: str, root: Path = REGISTER_DIR) -> list[Example]:
    """The examples of one split ("train", "validation" or "test")."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; use one of {SPLITS}")
    return [example for example in load_register(root) if example.split == name]
