"""Policy as code: a YAML file of categories, each mapped to the Standards of Professional
Behaviour, validated by a pydantic schema whose errors name ``file:line``.

The national baseline ships in ``policies/baseline.yaml``; a force policy names it in
``extends: baseline`` and adds or overrides categories (by id), lexicons and model thresholds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from conductlens.detect.base import PolicyError

BASELINE = Path(__file__).parent / "policies" / "baseline.yaml"

STANDARDS = (
    "Honesty and integrity",
    "Authority, respect and courtesy",
    "Equality and diversity",
    "Use of force",
    "Orders and instructions",
    "Duties and responsibilities",
    "Confidentiality",
    "Fitness for duty",
    "Discreditable conduct",
    "Challenging and reporting improper conduct",
)
SeverityName = Literal["low", "medium", "high"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Requirement(_Strict):
    """Another lexicon hit that must be in the same message (e.g. a protected group named)."""

    lexicon: str
    tags: tuple[str, ...]


class Rule(_Strict):
    """One way a category is detected: a lexicon, pattern, classifier, semantic or conduct-model
    condition. A ``model`` rule reads the conduct model's output named ``output`` (by default
    the category's own id) at the model's own threshold, unless the rule sets one."""

    kind: Literal["lexicon", "pattern", "classifier", "semantic", "model"]
    lexicon: str | None = None
    tags: tuple[str, ...] = ()
    recognisers: tuple[str, ...] = ()
    model: str | None = None
    output: str | None = None
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    requires: Requirement | None = None
    severity: SeverityName | None = None


class Examples(_Strict):
    """Messages that must (positive) and must not (negative) give this category."""

    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


class Category(_Strict):
    """A kind of misconduct, the Standards it engages and how to detect it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9\-]*$")
    name: str
    # Categories sharing a family give one finding per message (detect/families.py).
    family: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9\-]*$")
    description: str
    standards: tuple[str, ...] = Field(min_length=1)
    severity: SeverityName
    max_severity: SeverityName = "high"
    raise_when_directed: bool = False
    explanation: str
    detectors: tuple[Rule, ...] = Field(min_length=1)
    examples: Examples = Examples()

    @field_validator("standards")
    @classmethod
    def _known_standards(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in STANDARDS]
        if unknown:
            raise ValueError(f"unknown Standard(s) {unknown}; use the names in Schedule 2")
        return value


class LexiconRef(_Strict):
    """A lexicon file (relative to the policy file) and whether masked or misspelt forms match."""

    id: str
    file: str
    masked: bool = False
    typos: bool = False


class ModelRef(_Strict):
    """A trained model's weights (relative to the policy file): an n-gram classifier, a
    semantic head over sentence embeddings, or the conduct model with the ``gate`` that picks
    the messages it reads (the slower second stage)."""

    id: str
    file: str
    kind: Literal["ngram", "semantic", "conduct"] = "ngram"
    gate: str | None = None


class PolicyFile(_Strict):
    """The schema of one policy file."""

    version: str
    name: str
    extends: str | None = None
    lexicons: tuple[LexiconRef, ...] = ()
    models: tuple[ModelRef, ...] = ()
    categories: tuple[Category, ...] = ()
    disable: tuple[str, ...] = ()


class Policy(_Strict):
    """A resolved policy (any ``extends`` applied), with file paths made absolute."""

    version: str
    name: str
    lexicons: tuple[LexiconRef, ...]
    models: tuple[ModelRef, ...]
    categories: tuple[Category, ...]

    def category(self, category_id: str) -> Category:
        """The category with this id (KeyError if absent)."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)


def _line_of(node: yaml.Node, loc: tuple[str | int, ...]) -> int:
    # Walk the composed YAML tree along pydantic's error location to the offending node.
    for key in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


def _read(path: Path) -> PolicyFile:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy: {exc.strerror}") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise PolicyError(f"{path}:{line}: invalid YAML: {exc.problem}") from exc
    if node is None:
        raise PolicyError(f"{path}:1: the policy file is empty")
    if isinstance(data, dict):  # "x-" keys hold YAML anchors for reuse, not policy
        data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    try:
        return PolicyFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        line = _line_of(node, tuple(error["loc"]))
        where = ".".join(str(part) for part in error["loc"])
        raise PolicyError(f"{path}:{line}: {where}: {error['msg']}") from exc


def _absolute(refs: tuple[Any, ...], root: Path) -> tuple[Any, ...]:
    def update(ref: Any) -> dict[str, str]:
        paths = {"file": str(root / ref.file)}
        if getattr(ref, "gate", None):
            paths["gate"] = str(root / ref.gate)
        return paths

    return tuple(ref.model_copy(update=update(ref)) for ref in refs)


def _merge(base: Policy, force: PolicyFile, root: Path) -> Policy:
    by_id = {c.id: c for c in base.categories}
    for category in force.categories:
        by_id[category.id] = category
    for category_id in force.disable:
        by_id.pop(category_id, None)
    extra_lexicons = _absolute(force.lexicons, root)
    models = {m.id: m for m in base.models} | {m.id: m for m in _absolute(force.models, root)}
    return Policy(
        version=f"{force.version} (extends {base.version})",
        name=force.name,
        lexicons=base.lexicons + extra_lexicons,
        models=tuple(models.values()),
        categories=tuple(by_id.values()),
    )


def _check_references(policy: Policy, path: Path) -> None:
    lexicons = {ref.id for ref in policy.lexicons}
    models = {"classifier": {r.id for r in policy.models if r.kind == "ngram"}}
    models["semantic"] = {r.id for r in policy.models if r.kind == "semantic"}
    models["model"] = {r.id for r in policy.models if r.kind == "conduct"}
    for category in policy.categories:
        for rule in category.detectors:
            named = {rule.lexicon} - {None} - lexicons if rule.kind == "lexicon" else set()
            if rule.kind in models and rule.model not in models[rule.kind]:
                named = {f"{rule.kind} model {rule.model}"}
            if named:
                raise PolicyError(f"{path}: category {category.id!r} names unknown {named}")


def load_policy(path: Path | str | None = None) -> Policy:
    """Load and validate a policy file; ``None`` loads the national baseline."""
    path = Path(path) if path is not None else BASELINE
    loaded = _read(path)
    root = path.parent
    if loaded.extends is None:
        policy = Policy(
            version=loaded.version,
            name=loaded.name,
            lexicons=_absolute(loaded.lexicons, root),
            models=_absolute(loaded.models, root),
            categories=loaded.categories,
        )
    else:
        parent = BASELINE if loaded.extends == "baseline" else root / loaded.extends
        policy = _merge(load_policy(parent), loaded, root)
    _check_references(policy, path)
    return policy
