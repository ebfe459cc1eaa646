"""Readers for the public labelled datasets in ``shared/datasets`` (see its README).

Davidson et al. (2017) has no official split: :func:`davidson` makes a fixed, seeded 80/10/10
split (seed :data:`DAVIDSON_SEED`), recorded in the model manifest.
"""

from __future__ import annotations

import csv
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DAVIDSON_SEED = 2017
_MENTION = re.compile(r"@\w+|\bRT\b|https?://\S+|&#?\w+;")


@dataclass(frozen=True, slots=True)
class Split:
    """Texts and 0/1 labels of one split of one dataset (plus optional per-row groups)."""

    name: str
    texts: tuple[str, ...]
    labels: tuple[int, ...]
    groups: tuple[str, ...] = ()


def default_dir() -> Path:
    """``$CONDUCTLENS_DATASETS`` or ``../shared/datasets`` relative to the working directory."""
    return Path(os.environ.get("CONDUCTLENS_DATASETS", "../shared/datasets"))


def clean_tweet(text: str) -> str:
    """Drop what only tweets have (mentions, RT, links, HTML entities) before featurising."""
    return " ".join(_MENTION.sub(" ", html.unescape(text)).split())


def davidson(root: Path, split: str, positive: tuple[int, ...]) -> Split:
    """Davidson 2017, seeded split; ``positive`` lists the classes (0 hate, 1 offensive)."""
    with (root / "davidson2017" / "labeled_data.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    order = np.random.default_rng(DAVIDSON_SEED).permutation(len(rows))
    cut = {"train": (0, 0.8), "val": (0.8, 0.9), "test": (0.9, 1.0)}[split]
    chosen = order[int(cut[0] * len(rows)) : int(cut[1] * len(rows))]
    texts = tuple(clean_tweet(rows[i]["tweet"]) for i in chosen)
    labels = tuple(int(int(rows[i]["class"]) in positive) for i in chosen)
    return Split(f"davidson2017/{split}", texts, labels)


def tweeteval(root: Path, task: str, split: str) -> Split:
    """A TweetEval task (``hate`` or ``offensive``) split as given upstream."""
    folder = root / f"tweeteval_{task}"
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    return Split(
        f"tweeteval_{task}/{split}",
        tuple(clean_tweet(t) for t in texts),
        tuple(int(v) for v in labels),
    )


def ethos(root: Path) -> Split:
    """ETHOS binary (test only): hate when ``isHate >= 0.5``."""
    with (root / "ethos" / "Ethos_Dataset_Binary.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    return Split(
        "ethos/binary",
        tuple(r["comment"] for r in rows),
        tuple(int(float(r["isHate"]) >= 0.5) for r in rows),
    )


ETHOS_GROUPS = ("gender", "race", "national_origin", "disability", "religion", "sexual_orientation")


def ethos_groups(root: Path) -> Split:
    """ETHOS multi-label (all hateful): the protected characteristic of each comment."""
    with (root / "ethos" / "Ethos_Dataset_Multi_Label.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    texts, groups = [], []
    for row in rows:
        for group in ETHOS_GROUPS:
            if float(row[group]) >= 0.5:
                texts.append(row["comment"])
                groups.append(group)
    return Split("ethos/multi_label", tuple(texts), tuple(1 for _ in texts), tuple(groups))


def hatecheck(root: Path) -> Split:
    """HateCheck (test only): groups are the functionalities."""
    with (root / "hatecheck" / "test_suite_cases.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return Split(
        "hatecheck",
        tuple(r["test_case"].strip() for r in rows),
        tuple(int(r["label_gold"] == "hateful") for r in rows),
        tuple(r["functionality"] for r in rows),
    )


GROUP_STATEMENTS = Path(__file__).parent / "data" / "group_statements.txt"


def group_statements(path: Path = GROUP_STATEMENTS) -> Split:
    """Our hand-written frames (``label | frame``) filled with every group of the GROUPS line."""
    groups: list[str] = []
    frames: list[tuple[int, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        head, _, rest = (part.strip() for part in line.partition("|"))
        if head == "GROUPS":
            groups = [g.strip() for g in rest.split("|")]
        elif head in {"0", "1"} and "{g}" in rest:
            frames.append((int(head), rest))
        else:
            expected = "'GROUPS | ...' or '0|1 | frame with {g}'"
            raise ValueError(f"{path}:{number}: expected {expected}")
    texts = [frame.replace("{g}", group) for _, frame in frames for group in groups]
    labels = [label for label, _ in frames for _ in groups]
    return Split("group_statements", tuple(texts), tuple(labels))
