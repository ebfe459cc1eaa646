"""Shared fixtures for the detection tests: the baseline policy is loaded once per session."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conductlens.detect.classifier import library_drift
from conductlens.detect.policy import Policy, load_policy

DETECT_DATASETS = Path(
    os.environ.get("CONDUCTLENS_DATASETS", Path(__file__).parents[3] / "shared" / "datasets")
)


@pytest.fixture(scope="session")
def baseline() -> Policy:
    """The national baseline policy as shipped."""
    return load_policy()


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The shared labelled datasets; tests that need them skip when they are absent."""
    if not (DETECT_DATASETS / "README.md").exists():
        pytest.skip("shared datasets not available")
    return DETECT_DATASETS


IGNORED = ("sha256", "metrics", "libraries")


def _assert_retrain_matches(entry: dict[str, Any], shipped: dict[str, Any],
                            tolerance: float = 0.01) -> None:
    """A retrain used the same data, seeds and parameters and scores within ``tolerance`` of
    the shipped model (issue 8's rule is 0.01 on the same machine: the bytes may differ between
    library builds, the metrics may not). A miss names the libraries that moved since the
    shipped model was trained."""
    assert {k: v for k, v in entry.items() if k not in IGNORED} == {
        k: v for k, v in shipped.items() if k not in IGNORED
    }
    drift = library_drift(shipped.get("libraries", {}))
    assert entry["metrics"].keys() == shipped["metrics"].keys()
    for split, figures in shipped["metrics"].items():
        for name, value in figures.items():
            assert entry["metrics"][split][name] == pytest.approx(value, abs=tolerance), (
                split, name, drift)


@pytest.fixture
def assert_retrain_matches() -> Callable[..., None]:
    """The check that a model retrained here matches the shipped manifest entry."""
    return _assert_retrain_matches
