"""Computed changes (``calc:``) in scenario files: messages, compiled changes, JSON records."""

from __future__ import annotations

import copy

import pytest
import yaml

import recp
from recp.calc import METHODS
from recp.errors import InputError

PLANT = {
    "plant": {"name": "T", "country": "MD"},
    "flows": [
        {"id": "gas", "type": "fuel", "carrier": "natural_gas", "amount": "1.25e6 m3",
         "price": "0.82 USD/m3", "ncv": "34 MJ/m3"},
        {"id": "lpg", "type": "fuel", "carrier": "lpg", "amount": "0 t"},
        {"id": "grid", "type": "electricity", "amount": "4.4 GWh", "price": "0.17 USD/kWh"},
        {"id": "water", "type": "water", "source": "municipal", "amount": "165000 m3"},
        {"id": "effluent", "type": "wastewater", "amount": "148000 m3"},
        {"id": "chem", "type": "material", "amount": "20 t"},
    ],
}  # fmt: skip
STEAM = {
    "method": "steam_leak", "holes": 4, "diameter": "3 mm", "gauge_pressure": "7 bar",
    "hours": "6000 h", "boiler_efficiency": "85 %", "feedwater_temperature": "60 degC",
    "water_flow": "water",
}  # fmt: skip
EXAMPLES = {
    "steam_leak": ("gas", STEAM),
    "steam_trap": ("gas", {"method": "steam_trap", "traps": 6, "orifice": "3.2 mm",
                           "gauge_pressure": "10 bar", "hours": "8000 h",
                           "boiler_efficiency": "85 %", "feedwater_temperature": "80 degC"}),
    "compressed_air_leak": ("grid", {"method": "compressed_air_leak", "holes": 20,
                                     "diameter": "2 mm", "gauge_pressure": "7 bar",
                                     "hours": "6000 h", "specific_power": "6.5 kW/(m3/min)"}),
    "insulation": ("gas", {"method": "insulation", "diameter": "60.3 mm", "length": "120 m",
                           "fluid_temperature": "170 degC", "ambient_temperature": "20 degC",
                           "thickness": "50 mm", "conductivity": "0.04 W/(m*K)",
                           "hours": "6000 h", "efficiency": "85 %", "emissivity": 0.9,
                           "cladding_emissivity": 0.15}),
    "boiler_tuning": ("gas", {"method": "boiler_tuning", "fuel": "natural_gas",
                              "flue_temperature_before": "230 degC",
                              "flue_temperature_after": "215 degC", "air_temperature": "20 degC",
                              "o2_before": "7 %", "o2_after": "3 %"}),
    "economiser": ("gas", {"method": "economiser", "fuel": "natural_gas",
                           "flue_temperature_before": "230 degC",
                           "flue_temperature_after": "130 degC", "air_temperature": "20 degC",
                           "o2": "3 %"}),
    "blowdown_recovery": ("gas", {"method": "blowdown_recovery", "blowdown": "0.2 t/h",
                                  "gauge_pressure": "10 bar", "hours": "6000 h",
                                  "makeup_temperature": "15 degC", "recovery": "80 %",
                                  "boiler_efficiency": "85 %"}),
    "condensate_return": ("gas", {"method": "condensate_return", "steam": "3 t/h",
                                  "fraction": "30 %", "hours": "6000 h",
                                  "condensate_temperature": "85 degC",
                                  "makeup_temperature": "15 degC", "boiler_efficiency": "85 %",
                                  "flash_fraction": "5 %", "chemical_dose": "0.3 kg/m3",
                                  "water_flow": "water", "wastewater_flow": "effluent",
                                  "chemicals_flow": "chem"}),
    "motor_upgrade": ("grid", {"method": "motor_upgrade", "power": "55 kW", "load": "75 %",
                               "hours": "6000 h", "efficiency_before": "91 %",
                               "efficiency_after": "95.4 %", "count": 2}),
    "vsd": ("grid", {"method": "vsd", "power": "30 kW", "flow": ["100 %", "80 %", "60 %"],
                     "hours": ["1000 h", "3000 h", "2000 h"], "control": "throttling",
                     "power_before": ["30 kW", "28 kW", "25 kW"], "drive_efficiency": "97 %",
                     "static_head": "20 %"}),
    "lighting": ("grid", {"method": "lighting", "count": 120, "power_before": "72 W",
                          "power_after": "30 W", "hours": "4000 h", "control_saving": "20 %"}),
    "fuel_switch": ("gas", {"method": "fuel_switch", "to_flow": "lpg",
                            "efficiency_before": "80 %", "efficiency_after": "90 %",
                            "share": "50 %"}),
}  # fmt: skip


def scenario(flow: str, calc: dict, extra: dict | None = None) -> dict:
    doc = copy.deepcopy(PLANT)
    doc["interventions"] = [
        {"id": "m1", "category": "good housekeeping", "lifetime": "5 year",
         "changes": [{"flow": flow, "calc": calc}]}
    ]  # fmt: skip
    doc.update(extra or {})
    return doc


def messages(doc: dict) -> list[str]:
    with pytest.raises(InputError) as e:
        recp.loads(yaml.safe_dump(doc), file="p.yaml")
    return [str(p) for p in e.value.problems]


def test_every_method_has_an_example():
    assert set(EXAMPLES) == set(METHODS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_method_runs_saves_and_is_recorded(name):
    flow, calc = EXAMPLES[name]
    a = recp.assess(recp.Scenario.from_dict(scenario(flow, calc)))
    doc = a.to_dict()
    (rec,) = doc["calculations"]
    assert rec["method"] == name and rec["intervention"] == "m1" and rec["flow"] == flow
    assert rec["source"] and rec["equation"] and rec["values"] and rec["inputs"]
    saved = {r["component"]: r["value"] for r in doc["savings"]
             if r["basis"] == "standalone" and r["indicator"] == "energy"}  # fmt: skip
    if name != "fuel_switch":
        assert saved["total"] > 0
    main = rec["changes"][0]
    assert main["flow"] == flow and (main["amount"] < 0)


def test_linked_flows_change_too():
    flow, calc = EXAMPLES["condensate_return"]
    a = recp.assess(recp.Scenario.from_dict(scenario(flow, calc)))
    (rec,) = a.calculations()
    changed = {c["flow"]: c for c in rec["changes"]}
    assert set(changed) == {"gas", "water", "effluent", "chem"}
    assert changed["water"]["amount"] == pytest.approx(changed["effluent"]["amount"])
    assert changed["chem"]["amount"] == pytest.approx(changed["water"]["amount"] * 0.3e-3)


def test_fuel_switch_sizes_the_new_fuel_by_the_efficiencies():
    flow, calc = EXAMPLES["fuel_switch"]
    a = recp.assess(recp.Scenario.from_dict(scenario(flow, calc)))
    (rec,) = a.calculations()
    gas_gj = 1.25e6 * 0.034
    new = next(c for c in rec["changes"] if c["flow"] == "lpg")
    assert new["value"] == pytest.approx(0.5 * gas_gj * 0.8 / 0.9)


def test_steam_leak_gas_change_is_the_fuel_over_the_ncv():
    a = recp.assess(recp.Scenario.from_dict(scenario("gas", STEAM)))
    (rec,) = a.calculations()
    gas = rec["changes"][0]
    assert gas["unit"] == "GJ" and gas["amount_unit"] == "m3"
    assert gas["amount"] == pytest.approx(gas["value"] / 0.034)


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("diameter", "3 kg", ["intervention 'm1'", "'diameter'", "wrong dimension", "'3 mm'"]),
        ("diameter", 3, ["'diameter'", "has no unit"]),
        ("boiler_efficiency", "105 %", ["'boiler_efficiency'", "at most 100 %"]),
        ("gauge_pressure", "0.2 bar", ["'gauge_pressure'", "at least 0.75 bar"]),
        ("hourz", "6000 h", ["'hourz'", "did you mean 'hours'"]),
        ("method", "steam_leek", ["unknown calc method", "did you mean 'steam_leak'"]),
        ("water_flow", "watr", ["'water_flow'", "did you mean 'water'"]),
        ("water_flow", "effluent", ["'water_flow'", "is wastewater, not water"]),
    ],
)
def test_bad_parameters_are_located_lines(key, value, words):
    calc = {**STEAM, key: value}
    (msg, *rest) = messages(scenario("gas", calc))
    assert msg.startswith("p.yaml:") and "interventions[0].changes[0]" in msg
    for w in words:
        assert w in msg
    assert not [m for m in rest if "interventions[0]" not in m]


def test_missing_parameter_and_impossible_o2():
    calc = {k: v for k, v in STEAM.items() if k != "hours"}
    assert any("'hours': missing" in m for m in messages(scenario("gas", calc)))
    tune = {**EXAMPLES["boiler_tuning"][1], "o2_before": "21 %"}
    (msg,) = messages(scenario("gas", tune))
    assert "'o2_before'" in msg and "below 21 %" in msg


def test_insulated_loss_above_bare_is_refused():
    # a 5 mm tube under a poor insulant (k = 0.5 W/(m K)) is below its critical radius
    ins = {**EXAMPLES["insulation"][1], "diameter": "5 mm", "conductivity": "0.5 W/(m*K)",
           "thickness": "10 mm"}  # fmt: skip
    (msg,) = messages(scenario("gas", ins))
    assert "insulated loss" in msg and "above the bare loss" in msg


def test_calc_with_by_or_on_the_wrong_flow_type():
    doc = scenario("gas", STEAM)
    doc["interventions"][0]["changes"][0]["by"] = "-5 %"
    assert any("without 'by'" in m for m in messages(doc))
    air = EXAMPLES["compressed_air_leak"][1]
    assert any(
        "a flow of type electricity; 'gas' is fuel" in m for m in messages(scenario("gas", air))
    )


def test_scenarios_without_calculators_have_no_calculations_key():
    doc = recp.assess(recp.Scenario.from_dict(PLANT | {"interventions": []})).to_dict()
    assert "calculations" not in doc


def test_tidy_tables_carry_computed_changes_and_refuse_a_calc_column(tmp_path):
    from recp.batch import run
    from recp.tables import tables_from_scenarios

    sc = recp.Scenario.from_dict(scenario(*EXAMPLES["condensate_return"]))
    t = tables_from_scenarios([sc], ["p1"])
    rows = t.interventions[t.interventions.id == "m1"]
    assert set(rows.flow) == {"gas", "water", "effluent", "chem"} and rows.by.notna().all()
    folder = tmp_path / "t"
    folder.mkdir()
    for name in ("plants", "flows", "interventions"):
        getattr(t, name).to_csv(folder / f"{name}.csv", index=False)
    res = run(folder)
    assert len(res.errors) == 0
    one = recp.assess(sc).to_dict()["savings"]
    want = next(r["value"] for r in one if r["basis"] == "standalone" and
                r["indicator"] == "energy" and r["component"] == "total")  # fmt: skip
    got = res.savings.query("basis == 'standalone' and indicator == 'energy' and "
                            "component == 'total' and intervention == 'm1'")  # fmt: skip
    assert float(got.value.iloc[0]) == pytest.approx(want, rel=1e-9)
    t.interventions.assign(calc="{method: steam_leak}").to_csv(
        folder / "interventions.csv", index=False
    )
    with pytest.raises(InputError, match="precomputed changes only"):
        run(folder)


def test_motor_classes_give_the_efficiencies():
    calc = {"method": "motor_upgrade", "power": "22 kW", "load": "75 %", "hours": "6000 h",
            "class_before": "IE2", "class_after": "IE4", "poles": 4}  # fmt: skip
    a = recp.assess(recp.Scenario.from_dict(scenario("grid", calc)))
    (rec,) = a.calculations()
    effs = [v for v in rec["values"] if v["name"].startswith("efficiency")]
    assert [round(v["value"], 1) for v in effs] == [91.6, 94.5]  # IEC: IE2 91.6 %, IE4 94.5 %
    assert "2019/1781" in rec["source"]
    no_poles = {k: v for k, v in calc.items() if k != "poles"}
    assert any("'poles': missing" in m for m in messages(scenario("grid", no_poles)))
    both = {**calc, "efficiency_before": "90 %"}
    assert any("give only one of 'efficiency_before' or 'class_before'" in m
               for m in messages(scenario("grid", both)))  # fmt: skip


def test_units_do_not_change_the_result():
    # the same leak in other units (3 mm = 0.3 cm, 7 bar = 0.7 MPa, 60 degC = 140 degF)
    us = {**STEAM, "diameter": "0.3 cm", "gauge_pressure": "0.7 MPa",
          "feedwater_temperature": "140 degF", "hours": "250 day"}  # fmt: skip
    si = {**STEAM, "hours": "6000 h"}
    a = recp.assess(recp.Scenario.from_dict(scenario("gas", si))).calculations()[0]
    b = recp.assess(recp.Scenario.from_dict(scenario("gas", us))).calculations()[0]
    assert a["changes"][0]["amount"] == pytest.approx(b["changes"][0]["amount"], rel=1e-10)
