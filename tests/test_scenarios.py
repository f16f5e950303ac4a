"""The worked example plants: each assesses, has 4+ cited interventions and sane results."""

import pytest

import recp
from tests.conftest import SCENARIOS


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_worked_plant(path):
    sc = recp.load(path)
    a = recp.assess(sc)
    assert len(sc.interventions) >= 4
    assert len({i.category for i in sc.interventions}) >= 3
    for iv in sc.interventions:
        assert iv.source and len(iv.source) > 20, f"{iv.id} cites no source"
    assert sc.plant.production is not None
    for name in sc.scenario_map:
        assert a.value("ghg", scenario=name) < a.value("ghg")  # every scenario cuts GHG
        assert a.value("cost", scenario=name) < a.value("cost")
    # water balance sanity: wastewater does not exceed withdrawal
    assert a.value("wastewater") <= a.value("water")
    # issue #6: every worked plant's water and mass balances close
    for b in a.balances():
        assert b["closes"] is True, (path.name, b)
    d = a.to_dict()
    assert all(r["value"] is not None for r in d["results"])
    assert all(f["source"] for f in d["factors"])
