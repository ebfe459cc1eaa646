"""Shared fixtures for the detection tests: the baseline policy is loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
