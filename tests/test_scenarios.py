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


@pytest.mark.parametrize(
    "assign",
    [
        lambda sc: setattr(sc, "currency", "EUR"),
        lambda sc: setattr(sc.plant, "country", "XX"),
        lambda sc: setattr(sc.flows[0], "amount", "5 t"),
        lambda sc: setattr(sc.interventions[0], "capex", "1 USD"),
    ],
    ids=["scenario", "plant", "flow", "intervention"],
)
def test_setting_a_field_of_a_loaded_scenario_is_a_clear_error(assign):
    """Setting a field gave a raw AttributeError later ('str' has no attribute 'magnitude')."""
    from recp.errors import ReadOnlyError, RecpError

    sc = recp.load(SCENARIOS[0])
    before = recp.assess(sc).table()
    with pytest.raises(ReadOnlyError, match="read-only.*Scenario.from_dict") as e:
        assign(sc)
    assert isinstance(e.value, AttributeError) and isinstance(e.value, RecpError)
    assert recp.assess(sc).table().equals(before)  # nothing changed
