from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture
def example_doc() -> dict[str, Any]:
    """The Core issue's example plant as a mapping (a fresh copy per test)."""
    return copy.deepcopy(yaml.safe_load((DATA / "issue_example.yaml").read_text()))


def minimal(**extra: Any) -> dict[str, Any]:
    """A one-flow plant to build test cases on."""
    doc: dict[str, Any] = {
        "plant": {"name": "Test", "country": "BD"},
        "grid_factor": "0.5 t CO2e/MWh",
        "flows": [],
    }
    doc.update(extra)
    return doc
