"""Engine: IPCC hand calculations, GHG by scope and gas, interventions, savings invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recp
from recp.errors import InputError
from recp.scenario import Scenario
from tests.conftest import minimal


def run(doc) -> recp.Assessment:
    return recp.assess(Scenario.from_dict(doc))


def fuel(carrier: str, amount: str, **kw) -> dict:
    return {"id": "f", "type": "fuel", "carrier": carrier, "amount": amount, **kw}


def test_ipcc_hand_calculation_natural_gas():
    # IPCC 2006 Vol.2: 1,000 t natural gas x 48.0 TJ/Gg = 48 TJ; x 56,100 kg/TJ = 2,692.8 t CO2;
    # CH4 48 TJ x 1 kg/TJ = 48 kg; N2O 48 TJ x 0.1 kg/TJ = 4.8 kg (Table 2.3).
    a = run(minimal(flows=[fuel("natural_gas", "1000 t")]))
    assert a.value("energy") == pytest.approx(48_000.0)  # GJ
    assert a.value("ghg", "co2") == pytest.approx(2692.8)
    assert a.value("ghg", "ch4") == pytest.approx(0.048 * 28)  # AR5 GWP CH4 = 28
    assert a.value("ghg", "n2o") == pytest.approx(0.0048 * 265)  # AR5 GWP N2O = 265
    assert a.value("ghg", "scope1") == pytest.approx(2692.8 + 1.344 + 1.272)
    assert a.value("ghg") == a.value("ghg", "scope1")


# Coal is fossil: under AR6 its methane takes the CH4-fossil GWP (WG1 Ch. 7 Table 7.15: 29.8,
# against 27.0 non-fossil; the single 27.9 of Table 7.SM.7 is not used for combustion CH4).
@pytest.mark.parametrize(
    ("gwp", "ch4", "n2o"), [("AR4", 25, 298), ("AR5", 28, 265), ("AR6", 29.8, 273)]
)
def test_gwp_set_changes_non_co2_only(gwp, ch4, n2o):
    a = run(minimal(gwp=gwp, flows=[fuel("bituminous_coal", "1000 t")]))
    tj = 25.8  # Table 1.2 other bituminous coal, 25.8 TJ/Gg
    assert a.value("ghg", "co2") == pytest.approx(tj * 94.6)  # 94,600 kg/TJ
    assert a.value("ghg", "ch4") == pytest.approx(tj * 10 / 1000 * ch4)
    assert a.value("ghg", "n2o") == pytest.approx(tj * 1.5 / 1000 * n2o)


def test_biomass_co2_is_biogenic_and_outside_total():
    # 100 t wood x 15.6 TJ/Gg = 1.56 TJ; x 112,000 kg/TJ = 174.72 t CO2, biogenic.
    a = run(minimal(flows=[fuel("wood", "100 t")]))
    assert a.value("ghg", "biogenic_co2") == pytest.approx(174.72)
    assert a.value("ghg", "co2") == 0.0
    assert a.value("ghg") == pytest.approx(1.56 * (30 * 28 + 4 * 265) / 1000)


def test_energy_units_skip_ncv():
    a = run(minimal(flows=[fuel("diesel", "430 GJ")]))
    assert a.value("energy") == pytest.approx(430.0)
    assert a.value("ghg", "co2") == pytest.approx(0.430 * 74.1)


def test_liquid_fuel_by_volume_uses_cited_density():
    a = run(minimal(flows=[fuel("diesel", "1000 L")]))
    f = {x["id"]: x for x in a.factors()}
    rho = f["fuel-densities-unsd-2004:diesel:density"]["value"]
    assert a.value("energy") == pytest.approx(rho / 1000 * 43.0)


def test_electricity_scope2_from_override_and_country():
    a = run(minimal(flows=[{"id": "e", "type": "electricity", "amount": "1000 MWh"}]))
    assert a.value("ghg", "scope2") == pytest.approx(500.0)
    doc = minimal(flows=[{"id": "e", "type": "electricity", "amount": "1000 MWh"}])
    del doc["grid_factor"]
    a = run(doc)
    bd = recp.library().get("grid-ember-2023:BD:factor").value  # kg/kWh == t/MWh
    assert a.value("ghg", "scope2") == pytest.approx(1000 * bd)
    assert any(w["code"] == "grid_factor_lifecycle" for w in a.warnings())


def test_water_waste_components():
    a = run(
        minimal(
            flows=[
                {"id": "w1", "type": "water", "source": "groundwater", "amount": "100 m3"},
                {"id": "w2", "type": "water", "source": "municipal", "amount": "50 m3"},
                {"id": "h", "type": "waste", "hazardous": True, "amount": "2 t"},
                {
                    "id": "n",
                    "type": "waste",
                    "hazardous": False,
                    "route": "recycling",
                    "amount": "3000 kg",
                },
            ]
        )
    )
    assert a.value("water") == 150
    assert a.value("water", "groundwater") == 100
    assert a.value("waste", "hazardous") == 2
    assert a.value("waste", "non_hazardous") == 3
    assert a.value("waste", "recycling") == 3


def _iv(iid, *changes, **kw):
    return {"id": iid, "category": "good housekeeping", "changes": list(changes), **kw}


def test_relative_changes_compound_not_add():
    doc = minimal(
        flows=[{"id": "e", "type": "electricity", "amount": "100 MWh"}],
        interventions=[
            _iv("a", {"flow": "e", "by": "-20 %"}),
            _iv("b", {"flow": "e", "by": "-10 %"}),
        ],
    )
    a = run(doc)
    assert a.states["all"][-1][0] == pytest.approx(100 * 0.8 * 0.9 * 3.6)  # -28 %, in GJ
    sav = {
        (r["intervention"], r["basis"]): r["value"]
        for r in a.savings()
        if r["indicator"] == "energy" and r["component"] == "total"
    }
    assert sav[("a", "in_sequence")] == pytest.approx(72.0)  # 20 MWh
    assert sav[("b", "in_sequence")] == pytest.approx(28.8)  # 10 % of 80 MWh
    assert sav[("b", "standalone")] == pytest.approx(36.0)  # 10 % of 100 MWh
    assert sav[(None, "in_sequence")] == pytest.approx(100.8)  # 28 MWh


def test_absolute_and_to_changes_follow_listed_order():
    doc = minimal(
        flows=[{"id": "w", "type": "water", "amount": "1000 m3"}],
        interventions=[
            _iv("a", {"flow": "w", "by": "-100 m3"}),
            _iv("b", {"flow": "w", "by": "-50 %"}),
            _iv("c", {"flow": "w", "to": "300 m3"}),
        ],
        scenarios={"abc": ["a", "b", "c"], "ba": ["b", "a"], "cb": ["c", "b"]},
    )
    a = run(doc)
    assert a.value("water", scenario="abc") == 300
    assert a.value("water", scenario="ba") == 400  # 1000 * 0.5 - 100
    assert a.value("water", scenario="cb") == 150


def test_change_below_zero_is_an_input_error_naming_the_place():
    doc = minimal(
        flows=[{"id": "w", "type": "water", "amount": "1000 m3"}],
        interventions=[_iv("a", {"flow": "w", "by": "-1500 m3"})],
    )
    with pytest.raises(
        InputError,
        match=r"interventions\[0\]\.changes\[0\] \(intervention 'a', flow 'w'\): takes flow 'w' "
        r"from 1000 to -500 m3, below zero",
    ):
        run(doc)


def test_example_economics(example_doc):
    a = run(example_doc)
    e = [
        r
        for r in a.economics()
        if r["intervention"] == "condensate" and r["basis"] == "in_sequence"
    ][0]
    # gas: 8 % of 2.1e6 m3 x 0.30 = 50,400; grid: 0.3 GWh x 90 USD/MWh = 27,000; opex -1,000
    assert e["annual_saving"] == pytest.approx(78_400)
    assert e["capex"] == 25_000
    assert e["simple_payback_years"] == pytest.approx(25_000 / 78_400)
    assert e["npv"] == pytest.approx(-25_000 + 78_400 * 6.7100813991, rel=1e-9)
    # GHG: gas 168,000 m3 x 0.0358 GJ/m3 = 6,014.4 GJ x (56.1 + 0.028 + 0.0265) t/TJ...
    ghg = 6014.4 * (56100 + 1 * 28 + 0.1 * 265) / 1e6 + 300 * 0.62
    assert e["ghg_avoided_t_co2e_per_year"] == pytest.approx(ghg)


def test_every_result_row_has_a_unit_and_factors_are_listed(example_doc):
    a = run(example_doc)
    d = a.to_dict()
    assert all(r["unit"] for r in d["results"] + d["savings"])
    ids = {f["id"] for f in d["factors"]}
    assert {"ipcc2006-fuels:natural_gas:co2", "gwp:AR5:CH4", "user:grid_factor"} <= ids
    assert all(f["source"] for f in d["factors"])


# -- properties -------------------------------------------------------------------------------

ENERGY_UNITS = {"kWh": 1 / 3.6e-3, "MWh": 1 / 3.6, "GJ": 1.0, "MJ": 1000.0, "TJ": 1e-3}


@settings(max_examples=40, deadline=None)
@given(
    gj=st.floats(1e-3, 1e9),
    unit=st.sampled_from(sorted(ENERGY_UNITS)),
    gas_t=st.floats(0, 1e6),
    pct=st.floats(-99, 50).filter(lambda x: x == 0 or abs(x) > 1e-9),
)
def test_unit_invariance(gj, unit, gas_t, pct):
    """The same plant in kWh, MWh, GJ... gives the same results (1e-9 relative)."""

    def doc(u, amount):
        return minimal(
            flows=[
                {"id": "e", "type": "electricity", "amount": f"{amount!r} {u}"},
                fuel("natural_gas", f"{gas_t!r} t") | {"id": "g"},
            ],
            interventions=[_iv("x", {"flow": "e", "by": f"{pct!r} %"})],
        )

    ref = run(doc("GJ", gj))
    other = run(doc(unit, gj * ENERGY_UNITS[unit]))
    np.testing.assert_allclose(
        ref.indicators(ref.states["all"]),
        other.indicators(other.states["all"]),
        rtol=1e-9,
        atol=1e-12,
    )


@settings(max_examples=40, deadline=None)
@given(
    changes=st.lists(
        st.floats(-60, 60).filter(lambda x: x == 0 or abs(x) > 1e-9), min_size=1, max_size=6
    ),
    start=st.floats(1, 1e7),
)
def test_in_sequence_savings_sum_to_scenario_total(changes, start):
    ivs = [_iv(f"i{k}", {"flow": "e", "by": f"{c!r} %"}) for k, c in enumerate(changes)]
    a = run(
        minimal(
            flows=[{"id": "e", "type": "electricity", "amount": f"{start!r} MWh"}],
            interventions=ivs,
        )
    )
    rows = [
        r
        for r in a.savings()
        if r["indicator"] == "ghg" and r["component"] == "total" and r["basis"] == "in_sequence"
    ]
    parts = [r["value"] for r in rows if r["intervention"]]
    total = next(r["value"] for r in rows if r["intervention"] is None)
    # Exact up to float rounding, measured against the size of the summands (they can cancel).
    scale = sum(abs(p) for p in parts) + abs(total)
    assert abs(sum(parts) - total) <= 1e-9 * max(scale, 1e-12)


@settings(max_examples=30, deadline=None)
@given(changes=st.permutations([-20.0, -10.0, 15.0, -5.0]))
def test_relative_changes_are_order_independent(changes):
    ivs = [_iv(f"i{k}", {"flow": "e", "by": f"{c} %"}) for k, c in enumerate(changes)]
    a = run(
        minimal(flows=[{"id": "e", "type": "electricity", "amount": "100 MWh"}], interventions=ivs)
    )
    assert a.value("energy", scenario="all") == pytest.approx(360 * 0.8 * 0.9 * 1.15 * 0.95)


@settings(max_examples=30, deadline=None)
@given(k=st.floats(1e-3, 1e3))
def test_results_scale_linearly_with_amounts(k):
    def doc(scale):
        return minimal(
            flows=[
                fuel("lignite", f"{1000 * scale!r} t"),
                {"id": "e", "type": "electricity", "amount": f"{50 * scale!r} MWh"},
                {"id": "w", "type": "water", "amount": f"{7 * scale!r} m3"},
            ]
        )

    np.testing.assert_allclose(run(doc(k)).baseline, k * run(doc(1.0)).baseline, rtol=1e-9)
