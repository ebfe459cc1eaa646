"""On the demo's ground truth (Android text export): floors a little under the bench figures
(bench/responses_demo.py, docs/dynamics.md), so a change that loses responses fails here."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conductlens.demo import generate_demo
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store

BENCH = Path(__file__).resolve().parents[2] / "bench" / "responses_demo.py"
FLOOR = 0.9


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("responses_demo", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("demo")
    files = generate_demo(tmp / "demo")
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    store = Store.open(f"sqlite:///{tmp / 'd.db'}", tmp / "objects")
    ingest_path(store=store, path=files.android_txt, timezone="Europe/London")
    out: dict[str, Any] = _bench().evaluate(store, 1, truth, True, False)
    return out


def test_present_sets_are_exact(result: dict[str, Any]) -> None:
    assert result["present_exact"] == result["incidents"] == 50


@pytest.mark.parametrize("label", ["endorsed", "challenged"])
def test_precision_and_recall(result: dict[str, Any], label: str) -> None:
    precision, recall, n = result[label]
    assert n > 10
    assert precision >= FLOOR and recall >= FLOOR, (precision, recall)
