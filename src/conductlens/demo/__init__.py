"""Demo exhibit generator: a fictional shift group rendered as real WhatsApp evidence files.

``generate_demo(out_dir)`` writes, for the same deterministic scenario:

* an Android chat export ``.txt``,
* an iOS chat export ``.zip`` (``_chat.txt`` plus photos),
* an Android ``msgstore.db`` and its ``wa.db``,
* an iOS ``ChatStorage.sqlite``,
* ``ground_truth.json`` listing the planted incidents, reactions and hard negatives.

All content is invented ("Westshire Police", "Team 3, Northtown Response"); phone numbers
are Ofcom drama numbers.  The same ``seed`` and ``scale`` give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conductlens.demo.ground_truth import build_ground_truth, write_ground_truth
from conductlens.demo.model import (
    DemoMembership,
    DemoMessage,
    DemoReaction,
    HardNegative,
    Officer,
    PlantedIncident,
    Scenario,
)
from conductlens.demo.render_android_txt import android_txt_lines, write_android_export
from conductlens.demo.render_ios_sqlite import write_chatstorage
from conductlens.demo.render_ios_zip import ios_chat_lines, write_ios_zip
from conductlens.demo.render_msgstore import write_msgstore, write_wa_db
from conductlens.demo.scenario import build_scenario
from conductlens.demo.stream import iter_android_txt_lines, write_android_txt

__all__ = [
    "DemoFiles",
    "DemoMembership",
    "DemoMessage",
    "DemoReaction",
    "HardNegative",
    "Officer",
    "PlantedIncident",
    "Scenario",
    "android_txt_lines",
    "build_ground_truth",
    "build_scenario",
    "generate_demo",
    "ios_chat_lines",
    "iter_android_txt_lines",
    "write_android_txt",
]


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """Paths of the files written by :func:`generate_demo`."""

    android_txt: Path
    ios_zip: Path
    msgstore_db: Path
    wa_db: Path
    chatstorage_sqlite: Path
    ground_truth: Path


def export_title(scenario: Scenario) -> str:
    """Chat name as WhatsApp uses it in export file names."""
    return scenario.subject.replace("/", "_")


def generate_demo(out_dir: Path, *, seed: int = 7, scale: float = 1.0) -> DemoFiles:
    """Build the scenario for ``seed``/``scale`` and write every rendering into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scenario = build_scenario(seed=seed, scale=scale)
    title = export_title(scenario)
    return DemoFiles(
        android_txt=write_android_export(scenario, out_dir / f"WhatsApp Chat with {title}.txt"),
        ios_zip=write_ios_zip(scenario, out_dir / f"WhatsApp Chat - {title}.zip"),
        msgstore_db=write_msgstore(scenario, out_dir / "msgstore.db"),
        wa_db=write_wa_db(scenario, out_dir / "wa.db"),
        chatstorage_sqlite=write_chatstorage(scenario, out_dir / "ChatStorage.sqlite"),
        ground_truth=write_ground_truth(scenario, out_dir / "ground_truth.json"),
    )
