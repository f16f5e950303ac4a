"""``recp.assess(scenario, lib)`` uses ``lib`` everywhere: validation, factors and benchmarks.

Regression: validation and the sector benchmarks once read the shipped library whatever
``lib`` was given.
"""

from __future__ import annotations

import shutil

import pytest

import recp
from recp.errors import InputError
from recp.factors import FactorLibrary
from tests.conftest import ROOT


def _library(tmp_path, edit):
    folder = tmp_path / "factors"
    shutil.copytree(ROOT / "factors", folder)
    edit(folder)
    return FactorLibrary(folder)


def test_validation_uses_the_given_library(tmp_path):
    def drop_gas(folder):
        path = folder / "ipcc2006-fuels.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(ln for ln in lines if not ln.startswith("natural_gas,")))

    lib = _library(tmp_path, drop_gas)
    sc = recp.load(ROOT / "scenarios" / "textile-dyeing-bd.yaml")  # gas: natural_gas
    with pytest.raises(InputError, match="natural_gas"):
        recp.assess(sc, lib)


def test_benchmarks_use_the_given_library(tmp_path):
    sc = recp.load(ROOT / "scenarios" / "dairy-md.yaml")
    shipped = recp.assess(sc).benchmarks()
    assert shipped, "the dairy plant should have a sector reference"

    def widen(folder):
        path = folder / "sector-references.csv"
        head, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out = []
        for r in rows:
            cells = r.split(",")
            if cells[1] == "dairy":  # low [1], high [1] -> 0 and 1e9
                cells[3], cells[4] = "0", "1000000000"
            out.append(",".join(cells))
        path.write_text(head + "".join(out), encoding="utf-8")

    own = recp.assess(sc, _library(tmp_path, widen)).benchmarks()
    assert [(b["low"], b["high"]) for b in own] == [(0.0, 1e9)] * len(shipped)
    assert all(b["high"] < 1e9 for b in shipped)
