"""A fuel switch as one change (issue #15): same useful heat, old and new efficiencies.

The Egyptian dairy of issue #15: an HFO boiler replaced by a natural-gas one. Hand
calculation with the IPCC 2006 defaults recp ships (Vol. 2 Ch. 1 Tables 1.2 and 1.4, Ch. 2
Table 2.3): residual fuel oil NCV 40.4 GJ/t, CO2 77.4 t/TJ, CH4 3 kg/TJ, N2O 0.6 kg/TJ;
natural gas CO2 56.1 t/TJ, CH4 1 kg/TJ, N2O 0.1 kg/TJ; AR5 GWP CH4 28, N2O 265.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest

import recp
from recp.batch import assess_many, evaluate_tables_chunk
from recp.tables import tables_from_scenarios

HFO_T = 1000.0
HFO_GJ = HFO_T * 40.4  # 40,400 GJ
GAS_GJ = HFO_GJ * 0.82 / 0.90  # the same useful heat: 36,808.9 GJ


def _ghg(hfo_gj: float, gas_gj: float) -> float:
    """Scope 1 [t CO2e] of burning the two fuels (IPCC 2006 Tier 1, AR5)."""
    co2 = (hfo_gj * 77.4 + gas_gj * 56.1) / 1000
    ch4 = (hfo_gj * 3 + gas_gj * 1) / 1e6 * 28
    n2o = (hfo_gj * 0.6 + gas_gj * 0.1) / 1e6 * 265
    return co2 + ch4 + n2o


def _dairy(changes, more=()):
    return {
        "plant": {"name": "Dairy EG", "country": "EG", "sector": "dairy"},
        "grid_factor": "0.55 t CO2e/MWh",
        "discount_rate": "12 %",
        "flows": [
            {
                "id": "hfo",
                "type": "fuel",
                "carrier": "residual_fuel_oil",
                "amount": "1000 t",
                "price": "450 USD/t",
            },  # fmt: skip
            {"id": "grid", "type": "electricity", "amount": "2000 MWh", "price": "0.08 USD/kWh"},
        ],
        "interventions": [
            {
                "id": "hfo_to_gas",
                "category": "input substitution",
                "changes": changes,
                "capex": "120000 USD",
                "lifetime": "15 year",
            },
            *more,
        ],
    }


SWITCH = {
    "flow": "hfo",
    "switch_to": {"id": "gas", "carrier": "natural_gas", "price": "6 USD/GJ"},
    "efficiency": "82 %",
    "new_efficiency": "90 %",
}


def _savings(a, iid, basis, scenario="all"):
    return {
        (r["indicator"], r["component"]): r["value"]
        for r in a.savings()
        if r["intervention"] == iid and r["basis"] == basis and r["scenario"] == scenario
    }


def test_dairy_fuel_switch_alone_has_equal_standalone_and_in_sequence_figures():
    a = recp.assess(recp.Scenario.from_dict(_dairy([SWITCH])))
    seq, alone = _savings(a, "hfo_to_gas", "in_sequence"), _savings(a, "hfo_to_gas", "standalone")
    assert seq == alone
    # energy: the HFO's GJ go, the gas's GJ come: a saving of 40,400 - 36,808.9 = 3,591.1 GJ,
    # not the 40,400 GJ of HFO alone
    assert alone[("energy", "total")] == pytest.approx(HFO_GJ - GAS_GJ)
    assert alone[("energy", "residual_fuel_oil")] == pytest.approx(HFO_GJ)
    assert alone[("energy", "natural_gas")] == pytest.approx(-GAS_GJ)
    assert alone[("ghg", "scope1")] == pytest.approx(_ghg(HFO_GJ, 0) - _ghg(0, GAS_GJ))
    assert alone[("ghg", "total")] == pytest.approx(1069.79, abs=0.01)
    # cost: 450,000 USD of HFO for 36,808.9 GJ x 6 USD/GJ of gas
    assert alone[("cost", "total")] == pytest.approx(450_000 - GAS_GJ * 6)
    eco = [e for e in a.economics() if e["intervention"] == "hfo_to_gas"]
    assert eco[0]["npv"] == eco[1]["npv"]
    assert "measures_interact" not in [w["code"] for w in a.warnings()]
    # the gas flow did not exist in the baseline: it is there, at 0
    assert a.value("energy", "natural_gas") == 0.0


def test_part_of_the_flow_switches():
    a = recp.assess(recp.Scenario.from_dict(_dairy([{**SWITCH, "share": "25 %"}])))
    s = _savings(a, "hfo_to_gas", "standalone")
    assert s[("energy", "residual_fuel_oil")] == pytest.approx(0.25 * HFO_GJ)
    assert s[("energy", "natural_gas")] == pytest.approx(-0.25 * GAS_GJ)
    assert a.value("energy", "residual_fuel_oil", "all") == pytest.approx(0.75 * HFO_GJ)


def test_switch_after_a_cut_converts_what_is_left_and_warns_that_order_matters():
    cut = {
        "id": "condensate",
        "category": "on-site recovery and reuse",
        "changes": [{"flow": "hfo", "by": "-10 %"}],
    }
    doc = _dairy([SWITCH], more=[cut])
    doc["scenarios"] = {"cut_first": ["condensate", "hfo_to_gas"]}
    a = recp.assess(recp.Scenario.from_dict(doc))
    seq = _savings(a, "hfo_to_gas", "in_sequence", "cut_first")
    alone = _savings(a, "hfo_to_gas", "standalone", "cut_first")
    assert seq[("energy", "total")] == pytest.approx(0.9 * (HFO_GJ - GAS_GJ))
    assert alone[("energy", "total")] == pytest.approx(HFO_GJ - GAS_GJ)
    # the end state: no HFO, gas for the heat that is left
    assert a.value("energy", "natural_gas", "cut_first") == pytest.approx(0.9 * GAS_GJ)
    assert a.value("energy", "residual_fuel_oil", "cut_first") == pytest.approx(0.0, abs=1e-9)
    codes = [w for w in a.warnings() if w["code"] == "measures_interact"]
    assert len(codes) == 1 and "'hfo_to_gas'" in codes[0]["message"]


def test_switch_to_an_existing_flow():
    doc = _dairy([{**SWITCH, "switch_to": "gas"}])
    doc["flows"].append({"id": "gas", "type": "fuel", "carrier": "natural_gas", "amount": "100 GJ"})
    a = recp.assess(recp.Scenario.from_dict(doc))
    assert a.value("energy", "natural_gas", "all") == pytest.approx(100 + GAS_GJ)


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({k: v for k, v in SWITCH.items() if k != "new_efficiency"}, "changes[0]"),
        ({**SWITCH, "by": "-10 %"}, "changes[0]"),
        ({**SWITCH, "share": "120 %"}, "changes[0].share"),
        ({**SWITCH, "efficiency": "0 %"}, "changes[0].efficiency"),
        ({**SWITCH, "switch_to": "grid_x"}, "changes[0].switch_to"),
    ],
)
def test_bad_switch_is_located(change, place):
    with pytest.raises(recp.InputError) as e:
        recp.Scenario.from_dict(_dairy([change]))
    assert any(p.place == f"interventions[0].{place}" for p in e.value.problems), e.value


def test_switch_batch_equals_single_assessment():
    doc = _dairy([{**SWITCH, "share": "60 %"}], more=[
        {"id": "cut", "category": "good housekeeping", "changes": [{"flow": "hfo", "by": "-5 %"}]}
    ])  # fmt: skip
    sc = recp.Scenario.from_dict(doc)
    ref = pd.DataFrame(recp.assess(sc).savings())
    for res in (
        assess_many([copy.deepcopy(sc)]),
        evaluate_tables_chunk(tables_from_scenarios([sc], ["Dairy EG"])),
    ):
        assert len(res.errors) == 0, res.errors
        got = res.savings.reset_index(drop=True)
        assert len(got) == len(ref)
        assert list(got["indicator"].astype(str)) == list(ref["indicator"])
        pd.testing.assert_series_equal(
            got["value"].astype(float), ref["value"].astype(float), rtol=1e-9, check_names=False
        )
