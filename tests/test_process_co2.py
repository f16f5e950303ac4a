"""Process CO2 of mineral processes (IPCC 2006 Vol. 3 Ch. 2) through a whole assessment."""

from __future__ import annotations

import copy

import pytest

import recp
from recp.batch import assess_many
from recp.errors import InputError
from tests.conftest import ROOT

BASE = {
    "plant": {"name": "Test kiln", "country": "MD", "production": "100000 t"},
    "discount_rate": "8 %",
    "flows": [
        {"id": "gas", "type": "fuel", "carrier": "natural_gas", "amount": "1000 t"},
        {"id": "clinker", "type": "material", "amount": "540000 t"},
    ],
    "processes": [{"id": "kiln", "flow": "clinker", "co2": {"category": "cement"}}],
    "interventions": [
        {
            "id": "less_clinker",
            "category": "input substitution",
            "changes": [{"flow": "clinker", "by": "-10 %"}],
            "lifetime": "10 year",
            "capex": "1000 USD",
        }
    ],
}
GAS_CO2 = 1000 * 48.0 * 56_100 / 1e6  # t: IPCC Vol. 2 Tables 1.2 and 1.4 (48 TJ x 56.1 t/TJ)


def assess(process=None, changes=None):
    data = copy.deepcopy(BASE)
    if process is not None:
        data["processes"] = [process]
    if changes is not None:
        data["interventions"][0]["changes"] = changes
    return recp.assess(recp.Scenario.from_dict(data))


def ghg(a, scenario="baseline"):
    return {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == scenario and r["indicator"] == "ghg"
    }


def test_cement_tier1_clinker():
    # IPCC 2006 Vol. 3 Ch. 2 Eq. 2.4: EF_clc = 0.51 x 1.02 = 0.52 t CO2/t clinker;
    # 540,000 t clinker -> 280,800 t CO2, in component process, and in co2, scope1 and total.
    g = ghg(assess())
    assert g["process"] == pytest.approx(280_800.0)
    assert g["co2"] == pytest.approx(280_800.0 + GAS_CO2)
    assert g["scope1"] - g["process"] == pytest.approx(g["scope1"] - 280_800.0)
    assert g["total"] == pytest.approx(g["scope1"])  # no electricity here


def test_cement_from_cao_and_ckd():
    # Eq. 2.4 from the clinker's own CaO: 0.64 x 44.0095/56.0774 x 1.03 per t clinker (hand).
    proc = {
        "id": "kiln",
        "flow": "clinker",
        "co2": {"category": "cement", "cao": "64 %", "ckd_correction": 1.03},
    }
    want = 540_000 * 0.64 * 44.0095 / 56.0774 * 1.03
    assert ghg(assess(proc))["process"] == pytest.approx(want, rel=1e-4)


def test_less_clinker_cuts_process_co2_in_proportion():
    a = assess()
    base, after = ghg(a)["process"], ghg(a, "all")["process"]
    assert after == pytest.approx(0.9 * base)
    saving = {
        (s["indicator"], s["component"]): s["value"]
        for s in a.savings()
        if s["basis"] == "standalone" and s["intervention"] == "less_clinker"
    }
    assert saving[("ghg", "process")] == pytest.approx(28_080.0)


def test_lime_by_type_with_lkd_caution():
    # Table 2.4: high-calcium lime 0.75 t CO2/t; LKD correction 1.02 (secondary, cautioned):
    # 100,000 t x 0.75 x 1.02 = 76,500 t CO2.
    proc = {
        "id": "kiln",
        "activity": "100000 t",
        "co2": {"category": "lime", "type": "high_calcium"},
    }
    a = assess(proc, changes=[{"flow": "gas", "by": "-5 %"}])
    assert ghg(a)["process"] == pytest.approx(76_500.0)
    assert any("kiln dust" in w["message"] for w in a.warnings())
    own = {
        "id": "kiln",
        "activity": "100000 t",
        "co2": {"category": "lime", "type": "dolomitic", "lkd_correction": 1.0},
    }
    assert ghg(assess(own, changes=[{"flow": "gas", "by": "-5 %"}]))["process"] == pytest.approx(
        86_000.0  # Table 2.4 dolomitic lime 0.86, no LKD correction
    )


def test_glass_cullet_change_moves_by_the_factor_ratio():
    # 50,000 t glass x 0.20 x (1 - 0.4) = 6,000 t; with 60 % cullet 50,000 x 0.2 x 0.4 = 4,000 t.
    proc = {
        "id": "furnace",
        "activity": "50000 t",
        "co2": {"category": "glass", "cullet_ratio": "40 %"},
    }
    a = assess(proc, changes=[{"process": "furnace", "co2": {"cullet_ratio": "60 %"}}])
    assert ghg(a)["process"] == pytest.approx(6_000.0)
    assert ghg(a, "all")["process"] == pytest.approx(4_000.0)


def test_carbonates_and_ceramics():
    # Table 2.1: soda ash 0.41492 t CO2/t; 1,000 t fully calcined -> 414.92 t.
    soda = {
        "id": "melt",
        "activity": "1000 t",
        "co2": {"category": "carbonates", "carbonate": "sodium_carbonate"},
    }
    assert ghg(assess(soda, changes=[{"flow": "gas", "by": "-5 %"}]))["process"] == pytest.approx(
        414.92
    )
    # Bricks: 200,000 t clay with 5 % calcite (Table 2.1: 0.43971) -> 4,397.1 t CO2.
    clay = {
        "id": "bricks",
        "activity": "200000 t",
        "co2": {"category": "ceramics", "carbonate": "calcite", "carbonate_content": "5 %"},
    }
    assert ghg(assess(clay, changes=[{"flow": "gas", "by": "-5 %"}]))["process"] == pytest.approx(
        4_397.1
    )


@pytest.mark.parametrize(
    ("co2", "place", "fragment"),
    [
        ({"category": "cemment"}, "processes[0].co2.category", "did you mean 'cement'"),
        (
            {"category": "lime", "type": "dolomitc"},
            "processes[0].co2.type",
            "did you mean 'dolomitic'",
        ),
        ({"category": "glass"}, "processes[0].co2.cullet_ratio", "cullet ratio"),
        (
            {"category": "glass", "cullet_ratio": "140 %"},
            "processes[0].co2.cullet_ratio",
            "from 0 to 1",
        ),
        (
            {"category": "carbonates", "carbonate": "ankerite"},
            "processes[0].co2.carbonate",
            "emission_factor",
        ),
        (
            {"category": "ceramics", "carbonate": "calcite"},
            "processes[0].co2.carbonate_content",
            "clay",
        ),
        (
            {"category": "cement", "emission_factor": "3 kg"},
            "processes[0].co2.emission_factor",
            "t CO2 per t",
        ),
    ],
)
def test_bad_co2_specs_are_located(co2, place, fragment):
    data = copy.deepcopy(BASE)
    data["processes"] = [{"id": "kiln", "activity": "10 t", "co2": co2}]
    with pytest.raises(InputError) as e:
        recp.Scenario.from_dict(data)
    (p,) = e.value.problems
    assert p.place == place and fragment in p.message, p


def test_activity_in_the_wrong_dimension_names_the_process():
    data = copy.deepcopy(BASE)
    data["processes"] = [{"id": "kiln", "activity": "10 GJ", "co2": {"category": "cement"}}]
    with pytest.raises(InputError, match="process 'kiln'.*per t of activity"):
        recp.Scenario.from_dict(data)


def test_worked_cement_plant_counts_calcination_and_batch_agrees():
    path = ROOT / "scenarios" / "cement-md.yaml"
    a = recp.assess(recp.load(path))
    g = ghg(a)
    assert g["process"] == pytest.approx(280_800.0)  # 540,000 t clinker x 0.52
    assert g["process"] > 0.5 * g["scope1"]
    res = assess_many([str(path)]).results
    got = res[
        (res.scenario == "baseline") & (res.indicator == "ghg") & (res.component == "process")
    ]
    assert float(got["value"].iloc[0]) == pytest.approx(280_800.0, rel=1e-12)
