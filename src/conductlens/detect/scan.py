"""Run a policy over messages: every detector once per batch, then each category's rules over
the hits of each message, then context. Deterministic: same policy and texts, same findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from conductlens.detect.base import Explanation, Finding, Hit, Severity, Span
from conductlens.detect.cascade import Cascade
from conductlens.detect.classifier import Classifier
from conductlens.detect.context import assess, negated
from conductlens.detect.families import family_of, one_per_family
from conductlens.detect.features import Features, featurise_normal
from conductlens.detect.lexicon import Lexicon, read_lexicon
from conductlens.detect.normalise import normalise
from conductlens.detect.occlusion import Scorer, drove, occlude
from conductlens.detect.patterns import Patterns
from conductlens.detect.policy import Category, Policy, Requirement, Rule
from conductlens.detect.semantic import SemanticModel, embed, embed_uncached

CHUNK = 4096
CUE_LEXICONS = frozenset({"context"})


@dataclass(frozen=True, slots=True)
class Scanner:
    """A policy with its detectors built; reuse it across batches."""

    policy: Policy
    lexicon: Lexicon
    patterns: Patterns
    classifiers: tuple[Classifier, ...]
    triggers: tuple[tuple[Category, frozenset[str]], ...]
    semantic: tuple[tuple[SemanticModel, tuple[Requirement, ...] | None], ...] = ()
    cascades: tuple[Cascade, ...] = ()
    family: dict[str, str] = field(default_factory=dict)  # category id -> family
    names: dict[str, str] = field(default_factory=dict)  # category id -> name

    @classmethod
    def build(cls, policy: Policy) -> Scanner:
        """Compile the lexicons and load (and hash-check) the models the policy names."""
        tag = f"{policy.name.lower().replace(' ', '-')}@{policy.version}"
        lexicons = [
            (read_lexicon(ref.id, Path(ref.file)), ref.masked, ref.typos) for ref in policy.lexicons
        ]
        return cls(
            policy=policy,
            lexicon=Lexicon.build(f"lexicon:{tag}", lexicons, CUE_LEXICONS),
            patterns=Patterns(f"pattern:uk@{policy.version}"),
            classifiers=tuple(
                _load_model(policy, m.id, Path(m.file)) for m in policy.models if m.kind == "ngram"
            ),
            triggers=tuple((c, _triggers(c)) for c in policy.categories),
            semantic=tuple(
                _load_semantic(policy, m.id, Path(m.file))
                for m in policy.models
                if m.kind == "semantic" and _rules_using(policy, "semantic", m.id)
            ),
            cascades=tuple(
                Cascade.load(m)
                for m in policy.models
                if m.kind == "conduct" and _rules_using(policy, "model", m.id)
            ),
            family=family_of(policy.categories),
            names={c.id: c.name for c in policy.categories},
        )

    def hits(self, texts: Sequence[str]) -> dict[int, list[Hit]]:
        """Every detector's hits, grouped by position in ``texts``; a model's hits that can make
        a finding carry the words that drove the score as spans."""
        grouped: dict[int, list[Hit]] = defaultdict(list)
        normal = [normalise(text) for text in texts]  # shared by the lexicon and classifiers
        found = [self.lexicon.detect_normalised(texts, normal), self.patterns.detect(texts)]
        features: dict[int, Features] = {}
        for model in self.classifiers:
            size = model.weights.size
            features[size] = features.get(size) or featurise_normal(normal, size)
            found.append(model.hits_from(model.scores_from(features[size])))
        for hits in found:
            for hit in hits:
                grouped[hit.index].append(hit)
        for hit in self._second_stage(texts, grouped):
            grouped[hit.index].append(hit)
        self._explain(texts, grouped)
        for cascade in self.cascades:
            buckets = cascade.buckets
            if buckets is not None and buckets not in features:
                features[buckets] = featurise_normal(normal, buckets)
            gate_features = features[buckets] if buckets is not None else None
            for hit in cascade.hits(texts, grouped, gate_features):
                grouped[hit.index].append(hit)
        return grouped

    def _second_stage(self, texts: Sequence[str], grouped: dict[int, list[Hit]]) -> list[Hit]:
        # The semantic models run only on messages the fast tier made candidates, and the
        # encoder runs once per message however many heads want it.
        size = len(texts)
        wanted = [(model, _candidates(grouped, needs, size)) for model, needs in self.semantic]
        union = sorted({i for _, indices in wanted for i in indices})
        if not union:
            return []
        vectors = embed([texts[i] for i in union], wanted[0][0].encoder_sha256)
        row = {index: position for position, index in enumerate(union)}
        found: list[Hit] = []
        for model, indices in wanted:
            scores = model.scores_from(vectors[[row[i] for i in indices]])
            found.extend(model.hits_from(scores, indices))
        return found

    def _explain(self, texts: Sequence[str], grouped: dict[int, list[Hit]]) -> None:
        # The words that drove each model score that can make a finding, by occlusion: only
        # those messages pay for it, and each model scores all their variants in one call.
        models: list[tuple[Classifier | SemanticModel, str, Scorer]] = [
            (m, "classifier", m.scores) for m in self.classifiers
        ]
        models += [(m, "semantic", _semantic_scorer(m)) for m, _ in self.semantic]
        for model, kind, score in models:
            rules = _rules_using(self.policy, kind, model.name)
            chosen = [
                (index, position)
                for index, hits in grouped.items()
                for position, hit in enumerate(hits)
                if hit.detector == model.id and _may_find(rules, hit, hits)
            ]
            if not chosen:
                continue
            found = [texts[index] for index, _ in chosen]
            base = [grouped[index][position].score for index, position in chosen]
            for (index, position), spans in zip(chosen, occlude(found, base, score), strict=True):
                hit = grouped[index][position]
                why = drove(texts[index], spans)
                grouped[index][position] = replace(hit, spans=spans, detail=f"{hit.detail} ({why})")

    def scan(self, items: Sequence[tuple[str, str]]) -> list[Finding]:
        """Findings for ``(message id, text)`` pairs, in input order then policy order."""
        findings: list[Finding] = []
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            grouped = self.hits([text for _, text in chunk])
            for index in sorted(grouped):
                message_id, text = chunk[index]
                findings.extend(self._message(message_id, text, grouped[index]))
        return findings

    def _message(self, message_id: str, text: str, hits: list[Hit]) -> list[Finding]:
        keys = {hit.label for hit in hits} | {hit.label.partition("/")[0] for hit in hits}
        found = []
        for category, triggers in self.triggers:
            if keys.isdisjoint(triggers):  # cheap skip: nothing this category looks for
                continue
            finding = _categorise(category, message_id, text, hits, self.policy.version)
            if finding is not None:
                found.append(finding)
        return one_per_family(found, self.family, self.names) if len(found) > 1 else found


def _triggers(category: Category) -> frozenset[str]:
    # Hit labels (or their lexicon prefix) without which no rule of the category can match.
    keys: set[str] = set()
    for rule in category.detectors:
        if rule.kind == "lexicon":
            keys.add(str(rule.lexicon))
        elif rule.kind == "pattern":
            keys.update(f"pattern/{name}" for name in rule.recognisers)
        elif rule.kind == "model":
            keys.add(_model_label(rule, category))
        else:
            keys.add(f"{rule.kind}/{rule.model}")
    return frozenset(keys)


def _rules_using(policy: Policy, kind: str, model: str) -> list[Rule]:
    return [
        rule
        for category in policy.categories
        for rule in category.detectors
        if rule.kind == kind and rule.model == model
    ]


def _load_semantic(
    policy: Policy, name: str, path: Path
) -> tuple[SemanticModel, tuple[Requirement, ...] | None]:
    # Candidates are what the rules using the model require; one rule without a requirement
    # makes every message a candidate (None).
    rules = _rules_using(policy, "semantic", name)
    floor = min(rule.threshold for rule in rules)
    needs = tuple(rule.requires for rule in rules if rule.requires is not None)
    model = replace(SemanticModel.load(path, name), floor=floor)
    return model, (needs if len(needs) == len(rules) else None)


def _candidates(
    grouped: dict[int, list[Hit]], needs: tuple[Requirement, ...] | None, size: int
) -> list[int]:
    if needs is None:
        return list(range(size))
    return sorted(
        index
        for index, hits in grouped.items()
        if any(_lexicon_hits(hits, need.lexicon, need.tags) for need in needs)
    )


def _semantic_scorer(model: SemanticModel) -> Scorer:
    # Variants are encoded afresh: they would only push real messages out of the cache.
    return lambda texts: model.scores_from(embed_uncached(texts, model.encoder_sha256))


def _may_find(rules: Sequence[Rule], hit: Hit, hits: list[Hit]) -> bool:
    # Whether some rule reading this model would take the hit: its threshold met and what it
    # requires (a group named) found in the message.
    return any(
        hit.score >= rule.threshold
        and (rule.requires is None
             or bool(_lexicon_hits(hits, rule.requires.lexicon, rule.requires.tags)))
        for rule in rules
    )


def _load_model(policy: Policy, name: str, path: Path) -> Classifier:
    # Hits below the lowest threshold any rule uses are never evidence: don't make them.
    thresholds = [rule.threshold for rule in _rules_using(policy, "classifier", name)]
    return replace(Classifier.load(path, name), floor=min(thresholds, default=1.0))


def _lexicon_of(hit: Hit) -> tuple[str, set[str]]:
    kind, _, rest = hit.label.partition("/")
    return kind, set(rest.split(","))


def _lexicon_hits(hits: list[Hit], lexicon: str | None, tags: Iterable[str]) -> list[Hit]:
    wanted = set(tags)
    found = []
    for hit in hits:
        name, hit_tags = _lexicon_of(hit)
        if name == lexicon and (not wanted or hit_tags & wanted):
            found.append(hit)
    return found


def _only_negated_hostility(text: str, hits: list[Hit]) -> bool:
    # A model scores the words, not their grammar: when every hostile word in the message is
    # negated, the model's score is not evidence of hostility.
    hostile = [h for h in hits if h.label.startswith("hostility/") and h.spans]
    return bool(hostile) and all(negated(text, h.spans[0]) for h in hostile)


def _model_label(rule: Rule, category: Category) -> str:
    return f"model/{rule.model}/{rule.output or category.id}"


def _rule_hits(
    rule: Rule, category: Category, text: str, hits: list[Hit]
) -> tuple[list[Hit], list[Hit]]:
    # The rule's own hits, and the hits that satisfy its requirement (a group named).
    if rule.kind == "lexicon":
        found = _lexicon_hits(hits, rule.lexicon, rule.tags)
        if rule.requires is not None:  # a generalisation: ignore "are not vermin"
            found = [h for h in found if not negated(text, h.spans[0])]
    elif rule.kind == "pattern":
        found = [h for h in hits if h.label.removeprefix("pattern/") in rule.recognisers]
    elif rule.kind == "model":  # already at the model's own threshold for this output
        label = _model_label(rule, category)
        floor = rule.threshold if "threshold" in rule.model_fields_set else 0.0
        found = [h for h in hits if h.label == label and h.score >= floor]
        if found and _only_negated_hostility(text, hits):  # "immigrants are not vermin"
            found = []
    else:
        label = f"{rule.kind}/{rule.model}"
        found = [h for h in hits if h.label == label and h.score >= rule.threshold]
        if found and _only_negated_hostility(text, hits):  # "I don't hate women"
            found = []
    if found and rule.requires is not None:
        needed = _lexicon_hits(hits, rule.requires.lexicon, rule.requires.tags)
        return (found, needed) if needed else ([], [])
    return found, []


def _categorise(
    category: Category, message_id: str, text: str, hits: list[Hit], version: str
) -> Finding | None:
    best: tuple[Severity, list[Hit], list[Hit]] | None = None
    for rule in category.detectors:
        own, needed = _rule_hits(rule, category, text, hits)
        severity = Severity.parse(rule.severity or category.severity)
        if own and (best is None or severity > best[0]):
            best = (severity, own, needed)
    if best is None:
        return None
    return _finding(category, message_id, text, hits, best, version)


def _finding(
    category: Category,
    message_id: str,
    text: str,
    hits: list[Hit],
    best: tuple[Severity, list[Hit], list[Hit]],
    version: str,
) -> Finding:
    severity, own, needed = best
    found = own + needed
    spans: tuple[Span, ...] = tuple(sorted({span for hit in found for span in hit.spans}))
    context = assess(text, hits, spans, category.raise_when_directed)
    ceiling = Severity.parse(category.max_severity)
    shifted = min(severity.shifted(context.steps), ceiling)
    reasons = context.reasons if shifted != severity else ()  # say why only if it moved
    severity = shifted
    strongest = max(own, key=lambda h: h.score)  # the score is the rule's, not the group's
    return Finding(
        message_id=message_id,
        category=category.id,
        standards=category.standards,
        severity=severity,
        score=round(strongest.score, 4),
        detector=strongest.detector,
        spans=spans,
        explanation=Explanation(
            summary=category.explanation.strip(),
            evidence=tuple(dict.fromkeys(h.detail for h in found)),
            context=reasons,
        ),
        policy_version=version,
    )


@lru_cache(maxsize=4)
def scanner(policy: Policy) -> Scanner:
    """The (cached) :class:`Scanner` for a policy."""
    return Scanner.build(policy)


def scan_batch(policy: Policy, items: Sequence[tuple[str, str]]) -> list[Finding]:
    """Run ``policy`` over ``(message id, text)`` pairs and return every finding."""
    return scanner(policy).scan(items)


def check_text(policy: Policy, text: str) -> list[Finding]:
    """Findings for one message (message id ``""``); nothing is stored."""
    return scan_batch(policy, [("", text)])
