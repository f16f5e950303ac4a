"""Wastewater and landfill GHG, measure references, balances and sector references (issue #6)."""

from __future__ import annotations

import pytest

import recp
from recp.errors import InputError
from recp.scenario import Scenario
from tests.conftest import minimal


def run(doc) -> recp.Assessment:
    return recp.assess(Scenario.from_dict(doc))


def test_wastewater_ch4_hand_calculation():
    # IPCC 2006 Vol. 5 Ch. 6, Eq. 6.4-6.6 for industrial wastewater: CH4 = TOW x B0 x MCF - R.
    # 10 000 m3 x 4 kg COD/m3 = 40 000 kg COD; B0 = 0.25 kg CH4/kg COD (section 6.2.3.2);
    # anaerobic deep lagoon MCF = 0.8 (Table 6.8): 40 000 x 0.25 x 0.8 = 8 000 kg CH4 = 8 t;
    # x GWP AR5 28 = 224 t CO2e.
    a = run(
        minimal(
            flows=[
                {
                    "id": "ww",
                    "type": "wastewater",
                    "amount": "10000 m3",
                    "cod": "4 kg/m3",
                    "treatment": "anaerobic_deep_lagoon",
                }
            ]
        )
    )
    assert a.value("ghg", "wastewater") == pytest.approx(224.0)
    assert a.value("ghg", "ch4") == pytest.approx(224.0)
    assert a.value("ghg", "scope1") == pytest.approx(224.0)
    ids = {f["id"] for f in a.factors()}
    assert {
        "ipcc2006-wastewater:anaerobic_deep_lagoon:mcf",
        "ipcc2006-wastewater-constants:b0_cod:value",
    } <= ids


def test_wastewater_recovery_units_and_aerobic_zero():
    # 4000 mg/L is 4 kg/m3; 75 % of the CH4 recovered and flared leaves 25 %.
    a = run(
        minimal(
            flows=[
                {
                    "id": "ww",
                    "type": "wastewater",
                    "amount": "10000 m3",
                    "cod": "4000 mg/L",
                    "treatment": "anaerobic_reactor",
                    "ch4_recovery": "75 %",
                }
            ]
        )
    )
    assert a.value("ghg", "ch4") == pytest.approx(8.0 * 0.25 * 28)
    a = run(
        minimal(
            flows=[
                {
                    "id": "ww",
                    "type": "wastewater",
                    "amount": "10000 m3",
                    "cod": "4 kg/m3",
                    "treatment": "aerobic_well_managed",
                }
            ]
        )
    )
    assert a.value("ghg", "ch4") == 0.0  # Table 6.8: MCF 0 for a well-managed aerobic plant


def test_wastewater_n2o_hand_calculation():
    # Industrial wastewater in a centralised aerobic plant: IPCC 2019 Refinement Vol. 5 Ch. 6
    # Table 6.8A, EF 0.016 kg N2O-N/kg N (the 2006 effluent factor 0.005 of Table 6.11 is for
    # domestic wastewater, issue #13): 10 000 m3 x 0.05 kg N/m3 = 500 kg N x 0.016 x 44/28
    # = 12.571 kg N2O = 0.012571 t x GWP AR5 265 = 3.3314 t CO2e.
    a = run(
        minimal(
            flows=[
                {
                    "id": "ww",
                    "type": "wastewater",
                    "amount": "10000 m3",
                    "nitrogen": "0.05 kg/m3",
                    "treatment": "aerobic_well_managed",
                }
            ]
        )
    )
    assert a.value("ghg", "n2o") == pytest.approx(500 * 0.016 * 44 / 28 / 1000 * 265)
    assert "ipcc2019-wastewater-n2o:ef_n2o_plant_aerobic:value" in {f["id"] for f in a.factors()}
    # an anaerobic lagoon or untreated discharge: no default for industrial N2O, a warning
    for treatment in ("anaerobic_deep_lagoon", "untreated_sea_river_lake"):
        a = run(
            minimal(
                flows=[
                    {
                        "id": "ww",
                        "type": "wastewater",
                        "amount": "10000 m3",
                        "nitrogen": "0.05 kg/m3",
                        "treatment": treatment,
                    }
                ]
            )
        )
        assert a.value("ghg", "n2o") == 0.0
        (w,) = [w for w in a.warnings() if w["code"] == "wastewater_n2o_not_estimated"]
        assert "ww" in w["message"] and "Table 6.8A" in w["message"]
    # sent to a public sewer: counted off site, not here
    a = run(
        minimal(
            flows=[
                {
                    "id": "ww",
                    "type": "wastewater",
                    "amount": "10000 m3",
                    "nitrogen": "0.05 kg/m3",
                    "treatment": "discharged_to_sewer",
                }
            ]
        )
    )
    assert a.value("ghg", "n2o") == 0.0


def test_landfill_ch4_hand_calculation():
    # IPCC 2006 Vol. 5 Ch. 3 (mass balance of eventual emissions): CH4 = W x DOC x DOCf x MCF x F
    # x 16/12 x (1 - OX). 100 t food waste: DOC 0.15 (Table 2.4), DOCf 0.5, F 0.5 (3.2.3),
    # managed anaerobic MCF 1.0 (Table 3.1), OX 0 (Table 3.2): 100 x 0.15 x 0.5 x 1 x 0.5 x 4/3
    # = 5 t CH4 = 140 t CO2e (AR5).
    a = run(
        minimal(
            flows=[
                {
                    "id": "w",
                    "type": "waste",
                    "hazardous": False,
                    "route": "landfill",
                    "amount": "100 t",
                    "doc_type": "food",
                    "landfill": "managed_anaerobic",
                }
            ]
        )
    )
    assert a.value("ghg", "landfill") == pytest.approx(140.0)
    # no landfill type: the IPCC default for an uncategorised site (MCF 0.6), with a warning
    a = run(
        minimal(
            flows=[
                {
                    "id": "w",
                    "type": "waste",
                    "hazardous": False,
                    "route": "landfill",
                    "amount": "100 t",
                    "doc_type": "food",
                }
            ]
        )
    )
    assert a.value("ghg", "landfill") == pytest.approx(140.0 * 0.6)
    assert any(w["code"] == "landfill_type_unknown" for w in a.warnings())


@pytest.mark.parametrize(
    ("flow", "place", "message"),
    [
        (
            {"id": "ww", "type": "wastewater", "amount": "10 m3", "cod": "4 kg/m3"},
            "flows[0].treatment",
            "says how it is treated",
        ),
        (
            {
                "id": "ww",
                "type": "wastewater",
                "amount": "10 m3",
                "cod": "4 kg/m3",
                "treatment": "anaerobic_lagon",
            },
            "flows[0].treatment",
            "unknown treatment",
        ),
        (
            {
                "id": "w",
                "type": "waste",
                "hazardous": False,
                "route": "recycling",
                "amount": "1 t",
                "doc_type": "food",
            },
            "flows[0].doc_type",
            "applies to waste sent to landfill",
        ),
        (
            {"id": "w", "type": "water", "amount": "1 m3", "cod": "4 kg/m3"},
            "flows[0].cod",
            "only wastewater flows",
        ),
        (
            {
                "id": "ww",
                "type": "wastewater",
                "amount": "10 m3",
                "cod": "4 MWh",
                "treatment": "anaerobic_reactor",
            },
            "flows[0].cod",
            "is not a concentration",
        ),
    ],
)
def test_bad_emission_keys(flow, place, message):
    with pytest.raises(InputError) as e:
        Scenario.from_dict(minimal(flows=[flow]))
    assert any(p.place == place and message in p.message for p in e.value.problems), e.value


def test_measure_reference_fills_and_overrides():
    doc = minimal(
        flows=[
            {"id": "water", "type": "water", "amount": "1000 m3"},
            {"id": "effluent", "type": "wastewater", "amount": "900 m3"},
            {"id": "raw_milk", "type": "material", "amount": "100 t"},
        ],
        interventions=[{"id": "hk", "measure": "dairy.housekeeping"}],
    )
    sc = Scenario.from_dict(doc)
    iv = sc.interventions[0]
    assert iv.category == "good housekeeping" and iv.source and "COWI" in iv.source
    assert [c.flow for c in iv.changes] == ["water", "effluent", "raw_milk"]
    a = recp.assess(sc)
    assert a.value("water", scenario="all") == pytest.approx(920.0)  # catalogue -8 %
    doc["interventions"][0]["changes"] = [{"flow": "water", "by": "-20 %"}]
    a = run(doc)
    assert a.value("water", scenario="all") == pytest.approx(800.0)  # own numbers win
    doc["interventions"][0]["measure"] = "dairy.houskeeping"
    with pytest.raises(InputError, match="did you mean 'dairy.housekeeping'"):
        Scenario.from_dict(doc)


def test_balances_close_or_warn():
    flows = [
        {"id": "w", "type": "water", "amount": "1000 m3"},
        {"id": "ww", "type": "wastewater", "amount": "700 m3"},
        {"id": "m", "type": "material", "amount": "100 t"},
        {"id": "p", "type": "product", "amount": "90 t"},
        {"id": "s", "type": "waste", "hazardous": False, "amount": "5 t"},
    ]
    a = run(minimal(flows=flows))
    bal = {b["balance"]: b for b in a.balances()}
    assert bal["water"]["closes"] is False and bal["water"]["relative"] == pytest.approx(0.3)
    assert bal["mass"]["closes"] is True and bal["mass"]["relative"] == pytest.approx(0.05)
    msg = next(w["message"] for w in a.warnings() if w["code"] == "water_balance")
    assert "difference +30.0%" in msg and "evaporation" in msg
    a = run(minimal(flows=flows, balances={"water": {"evaporation": "280 m3"}}))
    assert {b["balance"]: b["closes"] for b in a.balances()} == {"water": True, "mass": True}
    # products counted in pieces: the mass balance is not checked, and says so
    flows[3] = {"id": "p", "type": "product", "amount": "5000 pcs"}
    a = run(minimal(flows=flows))
    assert {b["balance"]: b["closes"] for b in a.balances()}["mass"] is None
    assert any(w["code"] == "mass_balance_unchecked" for w in a.warnings())


def test_intensity_against_sector_reference():
    # UNEP PRE-SME Resource Kit (2010): brewery water 0.32-1 m3/hl of beer.
    doc = minimal(
        flows=[
            {"id": "w", "type": "water", "amount": "150000 m3"},
            {"id": "ww", "type": "wastewater", "amount": "100000 m3"},
        ]
    )
    doc["plant"].update({"sector": "brewery", "production": "100000 hL"})
    a = run(doc)
    ref = {r["indicator"]: r for r in a.benchmarks()}
    assert ref["water_intensity"]["value"] == pytest.approx(1.5)
    assert ref["water_intensity"]["flag"] == "above"
    assert ref["wastewater_intensity"]["flag"] == "above"
    assert any(w["code"] == "intensity_outside_reference" for w in a.warnings())
