"""Effluent pollutant loads and charges (recp.models.effluent), by hand calculation."""

from __future__ import annotations

import numpy as np
import pytest

import recp
from recp.models.effluent import POLLUTANTS, charge_per_volume, concentration, load_per_volume


def test_load_is_concentration_times_volume():
    # 4,000 mg/L = 4 kg/m3; 210,000 m3 x 4 kg/m3 = 840,000 kg = 840 t (issue #15's dairy)
    assert load_per_volume(4.0) * 210_000 == pytest.approx(840.0)
    assert concentration(840.0, 210_000.0) == pytest.approx(4.0)


def test_charge_sums_pollutants_and_skips_missing():
    # 3 kg COD/m3 x 0.10 USD/kg + 0.6 kg TSS/m3 x 0.05 USD/kg = 0.33 USD/m3; BOD has no tariff
    conc = np.array([[3.0, 1.8, 0.6], [np.nan, 1.0, np.nan]])
    tariff = np.array([[0.10, np.nan, 0.05], [0.10, np.nan, 0.05]])
    out = charge_per_volume(conc, tariff)
    assert out[0] == pytest.approx(0.33)
    assert np.isnan(out[1])  # no pollutant with both a concentration and a tariff


def _plant(**ww):
    return {
        "plant": {"name": "Dairy", "country": "EG", "production": "50000 t"},
        "grid_factor": "0.5 t CO2e/MWh",
        "flows": [
            {"id": "effluent", "type": "wastewater", "amount": "210000 m3", **ww},
            {"id": "milk", "type": "product", "amount": "50000 t"},
        ],
        "interventions": [
            {
                "id": "cip",
                "category": "better process control",
                "changes": [{"flow": "effluent", "by": "-18 %"}],
            }
        ],
    }


def test_dairy_effluent_load_savings_and_charge():
    """Issue #15: 'cod: 4000 mg/L' on 210,000 m3 is 840 t COD; a CIP cut of 18 % removes 151 t."""
    sc = recp.Scenario.from_dict(
        _plant(
            cod="4000 mg/L",
            treatment="untreated_sea_river_lake",
            bod5="2400 mg/L",
            tss="12.6 t",  # a load: 12.6 t / 210,000 m3 = 60 mg/L
            total_n="0.1 kg/m3",
            total_p="20 mg/L",
            effluent_tariff={"cod": "0.5 USD/kg"},
        )
    )
    a = recp.assess(sc)
    assert a.value("effluent_load", "cod") == pytest.approx(840.0)
    assert a.value("effluent_load", "bod5") == pytest.approx(504.0)
    assert a.value("effluent_load", "tss") == pytest.approx(12.6)
    assert a.value("effluent_load", "total_n") == pytest.approx(21.0)
    assert a.value("effluent_load", "total_p") == pytest.approx(4.2)
    # 840,000 kg COD x 0.5 USD/kg = 420,000 USD/year
    assert a.value("cost", "effluent_charge") == pytest.approx(420_000.0)
    assert a.value("cost") == pytest.approx(420_000.0)
    sav = {
        (r["basis"], r["indicator"], r["component"]): r["value"]
        for r in a.savings()
        if r["intervention"] == "cip"
    }
    assert sav[("standalone", "effluent_load", "cod")] == pytest.approx(151.2)  # 840 x 0.18
    assert sav[("in_sequence", "effluent_load", "cod")] == pytest.approx(151.2)
    assert sav[("standalone", "cost", "total")] == pytest.approx(75_600.0)  # 151,200 kg x 0.5
    inten = {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == "baseline" and r["indicator"] == "effluent_load_intensity"
    }
    assert inten["cod"] == pytest.approx(840.0 / 50_000)
    assert set(inten) == set(POLLUTANTS)
    # the same COD and N feed the wastewater CH4 and N2O (IPCC 2006 Vol. 5 Ch. 6):
    # CH4 = 840,000 kg COD x 0.25 x MCF 0.1 = 21,000 kg. Untreated industrial effluent has no
    # N2O default (the 2006 effluent factor is for domestic wastewater; issue #13): a warning.
    assert a.value("ghg", "wastewater") == pytest.approx(21.0 * 28, rel=1e-9)
    assert any(w["code"] == "wastewater_n2o_not_estimated" for w in a.warnings())
    # treated aerobically (overloaded plant, MCF 0.3), the same N gives N2O: 2019 Refinement
    # Vol. 5 Ch. 6 Table 6.8A, 0.016 kg N2O-N/kg N: 21,000 kg N x 0.016 x 44/28 = 528 kg N2O
    b = recp.assess(
        recp.Scenario.from_dict(
            _plant(cod="4000 mg/L", total_n="21 t", treatment="aerobic_not_well_managed")
        )
    )
    ch4_t, n2o_t = 840_000 * 0.25 * 0.3 / 1000, 21_000 * 0.016 * 44 / 28 / 1000
    assert b.value("ghg", "wastewater") == pytest.approx(ch4_t * 28 + n2o_t * 265, rel=1e-9)


def test_nitrogen_is_total_n():
    a = recp.assess(
        recp.Scenario.from_dict(_plant(nitrogen="0.1 kg/m3", treatment="untreated_sea_river_lake"))
    )
    b = recp.assess(
        recp.Scenario.from_dict(_plant(total_n="100 mg/L", treatment="untreated_sea_river_lake"))
    )
    assert a.value("effluent_load", "total_n") == pytest.approx(21.0)
    assert a.to_dict()["results"] == b.to_dict()["results"]


@pytest.mark.parametrize(
    ("flow", "top", "place"),
    [
        ({"tss": "12 GJ"}, None, "flows[0].tss"),
        (
            {"bod5": "100 mg/L", "effluent_tariff": {"cod": "1 USD/kg"}},
            None,
            "flows[0].effluent_tariff.cod",
        ),  # fmt: skip
        (
            {"cod": "1 t", "nitrogen": "1 t", "total_n": "1 t", "treatment": "septic_system"},
            None,
            "flows[0].total_n",
        ),  # fmt: skip
        ({"bod5": "100 mg/L"}, {"bod": "1 USD/kg"}, "effluent_tariff.bod"),
        ({"bod5": "100 mg/L"}, {"bod5": "1 EUR/kg"}, "effluent_tariff.bod5"),
    ],
)
def test_bad_effluent_input_is_located(flow, top, place):
    doc = _plant(**flow)
    if top:
        doc["effluent_tariff"] = top
    with pytest.raises(recp.InputError) as e:
        recp.Scenario.from_dict(doc)
    assert place in [p.place for p in e.value.problems]


def test_unused_plant_tariff_is_a_warning():
    doc = _plant(bod5="100 mg/L")
    doc["effluent_tariff"] = {"cod": "1 USD/kg"}
    a = recp.assess(recp.Scenario.from_dict(doc))
    assert "effluent_tariff_unused" in [w["code"] for w in a.warnings()]
