"""Every worked plant's JSON document is pinned: a refactoring must not change a single value.

The documents in ``tests/golden/`` are ``recp assess --format json`` of each file in
``scenarios/``. A deliberate change of results (a new factor, a corrected method) refreshes them
in its own commit, saying why::

    RECP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import recp
from tests.conftest import ROOT, SCENARIOS

GOLDEN = ROOT / "tests" / "golden"
# The documents name the versions of the packages that supply factors (globalwarmingpotentials)
# and carry every float digit, so they hold in the locked environment only.
pytestmark = pytest.mark.locked


def document(path: Path) -> str:
    """The JSON document of a worked plant, as the CLI writes it (paths relative to the repo)."""
    doc = recp.assess(recp.load(path.relative_to(ROOT))).to_dict()
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_worked_plant_output_is_unchanged(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    got = document(path)
    golden = GOLDEN / f"{path.stem}.json"
    if os.environ.get("RECP_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file for {path.name}: run with RECP_UPDATE_GOLDEN=1"
    want = golden.read_text(encoding="utf-8")
    if got != want:  # name the first differing value, not a 5,000-line diff
        a, b = json.loads(got), json.loads(want)
        assert a == b, _first_difference(a, b)
        assert got == want  # same values, different text: float formatting or key order


def _first_difference(a: object, b: object, where: str = "$") -> str:
    if type(a) is not type(b):
        return f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{where}.{k}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    return f"{where}: {a!r} != {b!r}"


def test_every_worked_plant_has_a_golden_file():
    names = {p.stem for p in SCENARIOS}
    assert names == {p.stem for p in GOLDEN.glob("*.json")}
