"""Every category's positive and negative examples in the baseline policy are tests."""

from __future__ import annotations

import pytest

from conductlens.detect.base import Severity
from conductlens.detect.policy import Category, load_policy
from conductlens.detect.scan import check_text

POLICY = load_policy()  # a file read, no models: cheap enough at collection


def _floor(category: Category) -> Severity:
    # Positive examples must reach medium, or the category's own severity when that is low.
    return min(Severity.parse(category.severity), Severity.MEDIUM)


def _cases(kind: str) -> list[tuple[str, str]]:
    return [(c.id, text) for c in POLICY.categories for text in getattr(c.examples, kind)]


def _severities(category_id: str, text: str) -> list[Severity]:
    # A category folded into a stronger one of its family still counts, at its own severity.
    found = (f.severity_for(category_id) for f in check_text(POLICY, text))
    return [severity for severity in found if severity is not None]


@pytest.mark.parametrize(("category_id", "text"), _cases("positive"))
def test_positive_example(category_id: str, text: str) -> None:
    floor = _floor(POLICY.category(category_id))
    assert any(s >= floor for s in _severities(category_id, text))


@pytest.mark.parametrize(("category_id", "text"), _cases("negative"))
def test_negative_example(category_id: str, text: str) -> None:
    floor = _floor(POLICY.category(category_id))
    assert not any(s >= floor for s in _severities(category_id, text))
