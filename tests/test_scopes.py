"""GHG scopes as the GHG Protocol defines them: on-site vs off-site treatment, market-based."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

import recp
from recp.errors import InputError
from recp.factors import FactorLibrary, factors_dir
from recp.scenario import load

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

BASE = {
    "plant": {"name": "Test plant", "country": "MD"},
    "flows": [
        {"id": "grid", "type": "electricity", "amount": "1000 MWh"},
        {
            "id": "food",
            "type": "waste",
            "hazardous": False,
            "route": "landfill",
            "doc_type": "food",
            "landfill": "managed_anaerobic",
            "amount": "1000 t",
        },
        {
            "id": "effluent",
            "type": "wastewater",
            "amount": "100000 m3",
            "cod": "4 kg/m3",
            "treatment": "anaerobic_deep_lagoon",
        },
    ],
}
# Landfill: 1,000 t x DOC 0.15 x DOCf 0.5 x MCF 1.0 x F 0.5 x 16/12 = 50 t CH4 (IPCC 2006
# Vol. 5 Ch. 2 Table 2.4, Ch. 3 Section 3.2.3, Table 3.1), x GWP 28 (AR5) = 1,400 t CO2e.
LANDFILL = 1000 * 0.15 * 0.5 * 1.0 * 0.5 * 16 / 12 * 28


def ghg(**edits):
    data = copy.deepcopy(BASE)
    for fid, keys in edits.items():
        next(f for f in data["flows"] if f["id"] == fid).update(keys)
    a = recp.assess(recp.Scenario.from_dict(data))
    return {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == "baseline" and r["indicator"] == "ghg"
    }


def test_waste_landfilled_off_site_is_scope3_by_default():
    # GHG Protocol Corporate Value Chain (Scope 3) Standard, category 5: waste generated in
    # operations, treated by third parties.
    g = ghg()
    assert g["landfill"] == pytest.approx(LANDFILL)
    assert g["scope3"] == pytest.approx(LANDFILL)
    assert g["total"] == pytest.approx(g["scope1"] + g["scope2"] + g["scope3"])


def test_waste_landfilled_on_site_is_scope1_and_in_the_gas_split():
    g = ghg(food={"on_site": True})
    assert g["scope3"] == 0.0
    assert g["ch4"] == pytest.approx(LANDFILL + g["wastewater"])  # on-site lagoon CH4 too
    assert g["scope1"] == pytest.approx(g["landfill"] + g["wastewater"])


def test_wastewater_treated_on_site_by_default_off_site_when_said():
    on = ghg()
    off = ghg(effluent={"on_site": False})
    assert on["wastewater"] == pytest.approx(off["wastewater"]) and on["wastewater"] > 0
    assert on["scope1"] == pytest.approx(on["wastewater"])
    assert off["scope3"] == pytest.approx(off["wastewater"] + LANDFILL)
    assert on["total"] == pytest.approx(off["total"])


def test_market_based_scope2():
    # GHG Protocol Scope 2 Guidance: market-based uses the supplier's or a contractual factor;
    # without one it equals location-based. 1,000 MWh x 0.1 t CO2e/MWh = 100 t CO2e.
    g = ghg()
    assert g["scope2_market"] == pytest.approx(g["scope2"])
    g = ghg(grid={"market_factor": "0.1 t CO2e/MWh"})
    assert g["scope2_market"] == pytest.approx(100.0)
    assert g["total"] == pytest.approx(g["scope1"] + g["scope2"] + g["scope3"])  # not in total


@pytest.mark.parametrize(
    ("fid", "keys", "place", "fragment"),
    [
        ("grid", {"on_site": True}, "flows[0].on_site", "only waste and wastewater"),
        ("food", {"market_factor": "0.1 t CO2e/MWh"}, "flows[1].market_factor", "only electricity"),
        ("grid", {"market_factor": "0.1 t"}, "flows[0].market_factor", "not an emission factor"),
    ],
)
def test_bad_scope_keys_are_located(fid, keys, place, fragment):
    data = copy.deepcopy(BASE)
    next(f for f in data["flows"] if f["id"] == fid).update(keys)
    with pytest.raises(InputError) as e:
        recp.Scenario.from_dict(data)
    (p,) = e.value.problems
    assert p.place == place and fragment in p.message, p


def test_ar6_methane_by_origin():
    # AR6 WG1 Ch. 7 Table 7.15: CH4-fossil 29.8, CH4-non-fossil 27.0 (AR4/AR5 one value).
    # 1,000 GJ natural gas, CH4 1 kg/TJ (IPCC Vol. 2 Table 2.3) = 1 kg CH4 -> 29.8 kg CO2e;
    # 1,000 GJ wood, CH4 30 kg/TJ = 30 kg CH4 -> 810 kg CO2e; landfill 50 t CH4 x 27.0.
    data = {
        "plant": {"name": "AR6 plant", "country": "MD"},
        "gwp": "AR6",
        "flows": [
            {"id": "gas", "type": "fuel", "carrier": "natural_gas", "amount": "1000 GJ"},
            {"id": "wood", "type": "fuel", "carrier": "wood", "amount": "1000 GJ"},
            copy.deepcopy(BASE["flows"][1]),
        ],
    }
    a = recp.assess(recp.Scenario.from_dict(data))
    g = {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == "baseline" and r["indicator"] == "ghg"
    }
    assert g["ch4"] == pytest.approx((1.0 * 29.8 + 30.0 * 27.0) / 1000)
    assert g["landfill"] == pytest.approx(LANDFILL / 28 * 27.0)
    used = a.to_dict()["factors"]
    ids = {f["id"] for f in (used if isinstance(used, list) else used.values())}
    assert {
        "ipcc-ar6-ch4-gwp-2021:ch4_fossil:gwp100",
        "ipcc-ar6-ch4-gwp-2021:ch4_non_fossil:gwp100",
    } <= ids


def _ch4(sector=None, carrier="wood", own=None):
    flow = {"id": "f", "type": "fuel", "carrier": carrier, "amount": "1000 GJ"}
    if own:
        flow["combustion_sector"] = own
    data = {"plant": {"name": "p", "country": "MD", "sector": sector}, "flows": [flow]}
    a = recp.assess(recp.Scenario.from_dict(data))
    g = {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == "baseline" and r["indicator"] == "ghg"
    }
    return g["ch4"] / 28 * 1000, a  # kg CH4 from 1 TJ (AR5 GWP 28)


@pytest.mark.parametrize(
    ("sector", "own", "carrier", "kg_per_tj"),
    [
        (None, None, "wood", 30.0),  # Table 2.3 manufacturing: wood/wood waste 30 kg CH4/TJ
        ("school", None, "wood", 300.0),  # Table 2.4 commercial/institutional: 300
        ("hospital", None, "bituminous_coal", 10.0),  # Table 2.4: other bituminous coal 10
        ("district_heating", None, "bituminous_coal", 1.0),  # Table 2.2 energy industries: 1
        ("dairy", "residential", "bituminous_coal", 300.0),  # Table 2.5 residential: 300
        ("dairy", "energy", "natural_gas", 1.0),  # Table 2.2: natural gas 1
    ],
)
def test_combustion_ch4_from_the_table_of_the_sector(sector, own, carrier, kg_per_tj):
    # IPCC 2006 Vol. 2 Ch. 2 Tables 2.2-2.5: the plant's sector picks the table, a flow's
    # combustion_sector overrides it; 1,000 GJ = 1 TJ.
    got, _ = _ch4(sector, carrier, own)
    assert got == pytest.approx(kg_per_tj)


@pytest.mark.parametrize(
    ("sector", "carrier", "kg_ch4", "kg_n2o"),
    [
        ("school", "natural_gas", 5.0, 0.1),  # Table 2.4 row Natural Gas: 5 / 0.1
        ("hospital", "natural_gas", 5.0, 0.1),  # Table 2.4 row Natural Gas: 5 / 0.1
        ("hospital", "diesel", 10.0, 0.6),  # Table 2.4 row Gas/Diesel Oil: 10 / 0.6
        ("school", "lpg", 5.0, 0.1),  # Table 2.4 row Liquefied Petroleum Gases: 5 / 0.1
        ("hospital", "residual_fuel_oil", 10.0, 0.6),  # Table 2.4 row Residual Fuel Oil
        ("school", "bituminous_coal", 10.0, 1.5),  # Table 2.4 row Other Bituminous Coal
        ("school", "wood", 300.0, 4.0),  # Table 2.4 row Wood/Wood Waste: 300 / 4
        ("hospital", "charcoal", 200.0, 1.0),  # Table 2.4 row Charcoal: 200 / 1
        ("school", "peat", 10.0, 1.4),  # Table 2.4 row Peat: 10 / 1.4
    ],
)
def test_commercial_combustion_uses_table_2_4_without_fallback(sector, carrier, kg_ch4, kg_n2o):
    # IPCC 2006 Vol. 2 Ch. 2 Table 2.4 (commercial/institutional), per TJ burnt; 1,000 GJ = 1 TJ.
    # AR5 GWP-100: CH4 28, N2O 265.
    got, a = _ch4(sector, carrier)
    assert got == pytest.approx(kg_ch4)
    g = {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == "baseline" and r["indicator"] == "ghg"
    }
    assert g["n2o"] / 265 * 1000 == pytest.approx(kg_n2o)
    assert not any(w["code"] == "combustion_factor_fallback" for w in a.warnings())


def test_worked_school_and_hospital_no_longer_fall_back():
    # Both worked plants burn natural gas only; Table 2.4 now has its cells.
    for name in ("school-md", "hospital-md"):
        a = recp.assess(load(SCENARIOS / f"{name}.yaml"))
        assert not any(w["code"] == "combustion_factor_fallback" for w in a.warnings()), name


def test_empty_commercial_cell_still_falls_back_with_a_warning(tmp_path):
    # A library whose Table 2.4 lacks a cell uses Table 2.3 (1 kg CH4/TJ for natural gas), flagged.
    folder = tmp_path / "factors"
    shutil.copytree(factors_dir(), folder)
    csv_path = folder / "ipcc2006-stationary-commercial.csv"
    lines = csv_path.read_text().splitlines()
    lines[1] = lines[1].replace(
        "natural_gas,Natural Gas,2.4,5,0.1,", "natural_gas,Natural Gas,2.4,,,"
    )
    assert ",2.4,,," in lines[1]
    csv_path.write_text("\n".join(lines) + "\n")
    flow = {"id": "f", "type": "fuel", "carrier": "natural_gas", "amount": "1000 GJ"}
    data = {"plant": {"name": "p", "country": "MD", "sector": "hospital"}, "flows": [flow]}
    a = recp.assess(recp.Scenario.from_dict(data), FactorLibrary(folder))
    g = {
        r["component"]: r["value"]
        for r in a.results()
        if r["scenario"] == "baseline" and r["indicator"] == "ghg"
    }
    assert g["ch4"] / 28 * 1000 == pytest.approx(1.0)
    assert any(w["code"] == "combustion_factor_fallback" for w in a.warnings())


def test_bad_combustion_sector_is_located():
    data = {
        "plant": {"name": "p", "country": "MD"},
        "flows": [
            {
                "id": "f",
                "type": "fuel",
                "carrier": "wood",
                "amount": "1 TJ",
                "combustion_sector": "comercial",
            },
        ],
    }
    with pytest.raises(InputError) as e:
        recp.Scenario.from_dict(data)
    (p,) = e.value.problems
    assert p.place == "flows[0].combustion_sector" and "commercial" in p.message


def _reductions(extra=None, country="BD"):
    data = {
        "plant": {"name": "p", "country": country},
        "discount_rate": "8 %",
        "flows": [
            {"id": "gas", "type": "fuel", "carrier": "natural_gas", "amount": "1000 GJ"},
            {"id": "grid", "type": "electricity", "amount": "1000 MWh"},
            copy.deepcopy(BASE["flows"][1]),
        ],
        "interventions": [
            {
                "id": "all",
                "category": "good housekeeping",
                "changes": [
                    {"flow": "gas", "by": "-10 %"},
                    {"flow": "grid", "by": "-100 MWh"},
                    {"flow": "food", "by": "-50 %"},
                ],
            }
        ],
    }
    data.update(extra or {})
    a = recp.assess(recp.Scenario.from_dict(data))
    red = {
        s["component"]: s["value"]
        for s in a.savings()
        if s["indicator"] == "ghg_reduction" and s["basis"] == "standalone" and s["intervention"]
    }
    ghg = {
        s["component"]: s["value"]
        for s in a.savings()
        if s["indicator"] == "ghg" and s["basis"] == "standalone" and s["intervention"]
    }
    return red, ghg, a


def test_emission_reductions_at_the_combined_margin():
    # Electricity: 100 MWh saved x the IFI harmonised combined margin for Bangladesh
    # (grid-ifi-2021: 411.714 g CO2/kWh, as quoted) = 41.17 t CO2; fuel = the scope 1 saving;
    # scope 3 = the off-site landfill saving (half of 1,400 t CO2e).
    red, ghg, a = _reductions()
    assert red["electricity"] == pytest.approx(100 * 0.411714, rel=1e-4)
    assert red["fuel"] == pytest.approx(ghg["scope1"])
    assert red["scope3"] == pytest.approx(ghg["scope3"]) and red["scope3"] == pytest.approx(700)
    assert red["total"] == pytest.approx(red["fuel"] + red["electricity"] + red["scope3"])
    assert not any(r["indicator"] == "ghg_reduction" for r in a.results())  # savings only
    assert any(w["code"] == "grid_cm_quality" for w in a.warnings())


def test_grid_cm_overrides_and_a_missing_country_warns():
    red, _, a = _reductions({"grid_cm": "0.5 t CO2e/MWh"})
    assert red["electricity"] == pytest.approx(50.0)
    assert "user:grid_cm" in {f["id"] for f in a.factors()}
    # Antarctica: no combined margin (and no grid factor, so the plant gives its own)
    red_none, _, b = _reductions({"grid_factor": "0.5 t CO2e/MWh"}, country="AQ")
    assert red_none["electricity"] == 0.0
    assert any(w["code"] == "grid_cm_missing" for w in b.warnings())


def _grid(extra):
    data = {
        "plant": {"name": "p", "country": "MD"},
        "flows": [{"id": "grid", "type": "electricity", "amount": "1000 MWh"}],
    }
    data.update(extra)
    return recp.Scenario.from_dict(data)


def test_grid_basis_is_stated_and_chosen():
    # Default: Ember's lifecycle intensity (the only shipped table), said in the settings and
    # in a warning that names the choices.
    a = recp.assess(_grid({}))
    assert a.compiled.settings["grid_basis"] == "lifecycle"
    assert any(w["code"] == "grid_factor_lifecycle" for w in a.warnings())
    # chosen explicitly: no warning
    a = recp.assess(_grid({"grid_basis": "lifecycle"}))
    assert not any(w["code"] == "grid_factor_lifecycle" for w in a.warnings())
    # a national combustion-based factor of the plant's own
    a = recp.assess(_grid({"grid_basis": "combustion", "grid_factor": "0.4 t CO2e/MWh"}))
    assert a.compiled.settings["grid_basis"] == "combustion"
    assert a.value("ghg", "scope2") == pytest.approx(400.0)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"grid_basis": "combustion"}, "needs the plant's own 'grid_factor'"),
        ({"grid_basis": "lifecyle"}, "lifecycle"),
    ],
)
def test_bad_grid_basis_is_located(extra, fragment):
    with pytest.raises(InputError) as e:
        _grid(extra)
    (p,) = e.value.problems
    assert p.place == "grid_basis" and fragment in p.message
