"""Monte Carlo and sensitivity (issue #17): uncertain inputs on the same engine."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import recp
from recp.cli import app, main
from recp.errors import InputError
from recp.scenario import Scenario, loads
from recp.uncertainty import monte_carlo

DATA = Path(__file__).parent / "data"
UNCERTAIN = DATA / "uncertain_example.yaml"
PLAIN = DATA / "issue_example.yaml"


def _doc(path: Path = UNCERTAIN) -> dict:
    return yaml.safe_load(path.read_text())


def _zero_width(d: dict) -> dict:
    """Every distribution collapsed to its central value (still written as a distribution)."""

    def walk(x):  # noqa: ANN001, ANN202
        if isinstance(x, dict):
            if {"low", "high"} <= set(x) and "mode" not in x:
                return {
                    "low": x["low"],
                    "high": x["low"],
                    **({"unit": x["unit"]} if "unit" in x else {}),
                }
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(d)


def test_central_values_are_the_plain_run() -> None:
    """A file with distributions runs without --uncertainty on their central values."""
    sc = recp.load(UNCERTAIN)
    assert len(sc.uncertain) == 8
    gas = sc.flows[0]
    assert gas.amount.magnitude == pytest.approx(2.1e6)
    assert gas.price.magnitude == pytest.approx(0.30)  # the mode
    assert float(sc.discount_rate.to("").magnitude) == pytest.approx(0.08)  # the midpoint
    grid_price = sc.flows[1].price
    assert grid_price.magnitude == pytest.approx((0.07 * 0.11) ** 0.5)  # lognormal median


def test_plain_file_has_no_uncertain_inputs() -> None:
    assert recp.load(PLAIN).uncertain == []


def test_zero_width_gives_exactly_the_deterministic_result() -> None:
    d = _doc(PLAIN)
    d["flows"][0]["amount"] = {"low": "2.1e6 m3", "high": "2.1e6 m3"}
    d["flows"][0]["price"] = {"low": 0.30, "mode": 0.30, "high": 0.30, "unit": "USD/m3"}
    d["interventions"][0]["capex"] = {"mean": "25000 USD", "sd": "0 USD"}
    d["interventions"][0]["changes"][0]["by"] = {"low": "-8 %", "high": "-8 %"}
    d["discount_rate"] = {"low": "8 %", "high": "8 %"}
    a = recp.assess(Scenario.from_dict(d))
    plain = recp.assess(recp.load(PLAIN)).to_dict()
    doc = monte_carlo(a, 200, seed=3).annotate(a.to_dict())
    for key in ("results", "savings"):
        for row, ref in zip(doc[key], plain[key], strict=True):
            assert row["value"] == ref["value"]
            assert row["mean"] == row["p5"] == row["p50"] == row["p95"] == ref["value"], row
    for row, ref in zip(doc["economics"], plain["economics"], strict=True):
        for f in ("capex", "annual_saving", "npv", "irr", "simple_payback_years"):
            assert row["p5"][f] == row["p50"][f] == row["p95"][f] == ref[f], (f, row)


def test_same_seed_same_bytes_and_other_seed_differs() -> None:
    a = recp.assess(recp.load(UNCERTAIN))
    one = json.dumps(monte_carlo(a, 500, seed=7).annotate(a.to_dict()), sort_keys=True)
    two = json.dumps(monte_carlo(a, 500, seed=7).annotate(a.to_dict()), sort_keys=True)
    three = json.dumps(monte_carlo(a, 500, seed=8).annotate(a.to_dict()), sort_keys=True)
    assert one == two
    assert one != three


def test_p50_of_a_symmetric_input_converges_to_the_deterministic_value() -> None:
    a = recp.assess(recp.load(PLAIN))
    d = _doc(PLAIN)
    d["flows"][0]["amount"] = {"mean": "2.1e6 m3", "sd": "0.2e6 m3"}
    b = recp.assess(Scenario.from_dict(d))
    doc = monte_carlo(b, 20_000, seed=1).annotate(b.to_dict())
    det = a.value("energy", "total")
    row = next(
        r
        for r in doc["results"]
        if r["scenario"] == "baseline" and r["indicator"] == "energy" and r["component"] == "total"
    )
    # energy is linear in the gas amount: its median is the central value; the Monte Carlo
    # error of a median is about 1.25 sd / sqrt(N) (here sd of energy ~ 0.2e6 m3 * 35.8 MJ/m3)
    sd = 0.2e6 * 35.8e-3
    assert abs(row["p50"] - det) < 4 * 1.25 * sd / np.sqrt(20_000)


def test_sampled_means_match_analytic_means_for_linear_results() -> None:
    """Mean of a linear result = the result at the inputs' means (within 4 standard errors)."""
    d = _doc(PLAIN)
    # triangular 0.25/0.30/0.40: mean 0.31667; the cost of gas is linear in the price
    d["flows"][0]["price"] = {"low": 0.25, "mode": 0.30, "high": 0.40, "unit": "USD/m3"}
    a = recp.assess(Scenario.from_dict(d))
    n = 20_000
    doc = monte_carlo(a, n, seed=2).annotate(a.to_dict())
    row = next(
        r
        for r in doc["results"]
        if r["scenario"] == "baseline" and r["indicator"] == "cost" and r["component"] == "total"
    )
    gas_cost_at_mode = 2.1e6 * 0.30
    mean_price = (0.25 + 0.30 + 0.40) / 3
    analytic = row["value"] - gas_cost_at_mode + 2.1e6 * mean_price
    # variance of a triangular (a, c, b): (a2 + b2 + c2 - ab - ac - bc) / 18
    var = (0.25**2 + 0.40**2 + 0.30**2 - 0.25 * 0.40 - 0.25 * 0.30 - 0.40 * 0.30) / 18
    se = 2.1e6 * np.sqrt(var / n)
    assert abs(row["mean"] - analytic) < 4 * se


def test_correlated_sampling_one_draw_per_factor() -> None:
    """A factor's bounds move every flow that uses it together (one draw, not one per flow)."""
    d = _doc(PLAIN)
    d["flows"].append({"id": "gas2", "type": "fuel", "carrier": "natural_gas", "amount": "1000 t"})
    d["flows"].append({"id": "gas3", "type": "fuel", "carrier": "natural_gas", "amount": "2000 t"})
    a = recp.assess(Scenario.from_dict(d))
    mc = monte_carlo(a, 300, seed=4, factors=True)
    assert [u.place for u in mc.inputs] == [
        "factor ipcc2006-fuels/natural_gas co2",  # every natural gas flow, the table's cell
        "factor ipcc2006-fuels/natural_gas ncv",  # the two flows without an own ncv
    ]
    assert mc.inputs[0].factor == ("ipcc2006-fuels", "natural_gas", "co2")
    assert mc.inputs[1].targets == ("flows[5].ncv", "flows[6].ncv")
    # IPCC 2006 Vol. 2 Table 1.4, natural gas: 54 300 / 56 100 / 58 300 kg CO2/TJ
    assert mc.inputs[0].dist.params == {"low": 54300.0, "mode": 56100.0, "high": 58300.0}
    doc = mc.annotate(a.to_dict())
    e = next(
        r
        for r in doc["results"]
        if r["scenario"] == "baseline" and r["indicator"] == "energy" and r["component"] == "total"
    )
    assert e["p5"] < e["value"] < e["p95"]
    co2 = next(
        r
        for r in doc["results"]
        if r["scenario"] == "baseline" and r["indicator"] == "ghg" and r["component"] == "co2"
    )
    assert co2["p5"] < co2["value"] < co2["p95"]


def test_economics_rows_gain_percentiles_and_probabilities() -> None:
    a = recp.assess(recp.load(UNCERTAIN))
    doc = monte_carlo(a, 2000, seed=5).annotate(a.to_dict())
    for row in doc["economics"]:
        assert set(row["p5"]) >= {"npv", "irr", "annual_saving", "capex"}
        assert row["p5"]["npv"] <= row["p50"]["npv"] <= row["p95"]["npv"]
        assert 0.0 <= row["p_npv_positive"] <= 1.0
        assert 0.0 <= row["p_payback_within_lifetime"] <= 1.0
    sens = doc["uncertainty"]["sensitivity"]
    npv_rows = [r for r in sens if r["output"] == "npv" and r["scenario"] == "quick wins"]
    assert len(npv_rows) == 8
    swings = [r["swing"] for r in npv_rows]
    assert swings == sorted(swings, reverse=True)
    top = npv_rows[0]
    assert top["rank_correlation"] is not None and abs(top["rank_correlation"]) > 0.2


def test_tornado_ends_are_one_input_at_a_time() -> None:
    """The capex at its high end lowers the scenario NPV by exactly the capex difference."""
    a = recp.assess(recp.load(UNCERTAIN))
    doc = monte_carlo(a, 100, seed=5).annotate(a.to_dict())
    r = next(
        r
        for r in doc["uncertainty"]["sensitivity"]
        if r["output"] == "npv" and r["input"] == "interventions[0].capex"
    )
    assert r["at_low"] - r["base"] == pytest.approx(5000.0)
    assert r["base"] - r["at_high"] == pytest.approx(5000.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"low": "1100 MWh", "high": "900 MWh"}, "flows[0].amount: low (1100) is above high (900)"),
        ({"mean": "1000 MWh", "sd": "-5 MWh"}, "flows[0].amount: sd (-5) is negative"),
        ({"low": "900 MWh"}, "flows[0].amount: a distribution has keys"),
        (
            {"p5": 5, "p95": 2, "unit": "MWh"},
            "flows[0].amount: p5 (5) and p95 (2) must be positive",
        ),
        (
            {"low": 1, "mode": 5, "high": 3, "unit": "MWh"},
            "flows[0].amount: mode (5) is not between",
        ),
    ],
)
def test_bad_distribution_is_one_located_line(value: dict, expected: str) -> None:
    text = yaml.safe_dump(
        {
            "plant": {"name": "p", "country": "BD"},
            "flows": [{"id": "e", "type": "electricity", "amount": value}],
        }
    )
    with pytest.raises(InputError) as e:
        loads(text, file="plant.yaml")
    problems = e.value.problems
    assert len(problems) == 1
    assert str(problems[0]).startswith("plant.yaml"), str(problems[0])
    assert problems[0].line is not None
    assert expected in f"{problems[0].place}: {problems[0].message}"


def test_catalogue_ranges_are_opt_in() -> None:
    text = (DATA / "issue_example.yaml").read_text()
    d = yaml.safe_load(text)
    d["plant"]["sector"] = "bricks"
    d["flows"].append(
        {"id": "coal", "type": "fuel", "carrier": "bituminous_coal", "amount": "1000 t"}
    )
    d["flows"].append(
        {
            "id": "broken_bricks",
            "type": "waste",
            "hazardous": False,
            "route": "landfill",
            "amount": "100 t",
        }
    )
    d["interventions"].append(
        {
            "id": "zz",
            "measure": "bricks.zigzag_conversion",
            "capex": "1000 USD",
            "lifetime": "10 year",
        }
    )
    d["scenarios"] = {"all": ["condensate", "zz"]}
    a = recp.assess(Scenario.from_dict(d))
    assert monte_carlo(a, 10, seed=1).inputs == []
    mc = monte_carlo(a, 10, seed=1, catalogue=True)
    assert [u.dist.params for u in mc.inputs] == [
        {"low": -25.0, "mode": -20.0, "high": -15.0},
        {"low": -50.0, "mode": -30.0, "high": -15.0},
    ]


def test_cli_uncertainty_json_and_plain_unchanged(tmp_path: Path, capsys) -> None:
    runner = CliRunner()
    plain = runner.invoke(app, ["assess", str(PLAIN), "-f", "json"])
    assert plain.exit_code == 0
    assert "p50" not in plain.stdout
    r1 = runner.invoke(
        app, ["assess", str(UNCERTAIN), "-f", "json", "--uncertainty", "300", "--seed", "9"]
    )
    r2 = runner.invoke(
        app, ["assess", str(UNCERTAIN), "-f", "json", "--uncertainty", "300", "--seed", "9"]
    )
    assert r1.exit_code == 0, r1.output
    assert r1.stdout == r2.stdout
    doc = json.loads(r1.stdout)
    assert {"mean", "p5", "p50", "p95"} <= set(doc["results"][0])
    assert doc["uncertainty"]["samples"] == 300
    html = tmp_path / "r.html"
    xlsx = tmp_path / "r.xlsx"
    md = tmp_path / "r.md"
    r3 = runner.invoke(
        app,
        [
            "assess",
            str(UNCERTAIN),
            "--uncertainty",
            "200",
            "-r",
            str(html),
            "-r",
            str(xlsx),
            "-r",
            str(md),
        ],
    )
    assert r3.exit_code == 0, r3.output
    text = html.read_text()
    assert '<section id="uncertainty">' in text and "<svg" in text
    from openpyxl import load_workbook

    assert {"Uncertainty", "Sensitivity"} <= set(load_workbook(xlsx).sheetnames)
    assert "## Uncertainty" in md.read_text()
    table = runner.invoke(app, ["assess", str(UNCERTAIN), "--uncertainty", "100"])
    assert "P(NPV > 0)" in table.stdout
    assert main(["assess", str(UNCERTAIN), "--uncertainty", "0"]) == 2
    assert "--uncertainty: give a number of samples" in capsys.readouterr().err


def test_input_document_is_not_changed() -> None:
    d = _doc()
    before = copy.deepcopy(d)
    Scenario.from_dict(d)
    assert d == before


def test_proportional_slopes_match_compiling_each_input() -> None:
    """The shortcut slopes (amounts, prices, changes, costs, rate) equal a compile per input."""
    from recp.uncertainty import linearise

    a = recp.assess(recp.load(UNCERTAIN))
    inputs = a.scenario.uncertain
    fast, slow = linearise(a, inputs), linearise(a, inputs, exact=True)
    for name in ("amount", "W", "capex", "opex", "life", "rate", "price"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-9, atol=1e-12)
    for iid in fast.change:
        np.testing.assert_allclose(fast.change[iid], slow.change[iid], rtol=1e-9, atol=1e-12)


def test_portfolio_totals_sum_the_samples() -> None:
    """Two plants: the total's central value is the sum; its range is that of the sum."""
    from recp.uncertainty import portfolio_totals

    a = recp.assess(recp.load(UNCERTAIN))
    b = recp.assess(recp.load(PLAIN))
    rows = portfolio_totals([a, b], 4000, seed=3)
    e = next(
        r
        for r in rows
        if r["scenario"] == "baseline" and r["indicator"] == "energy" and r["component"] == "total"
    )
    assert e["plants"] == 2
    assert e["value"] == pytest.approx(a.value("energy") + b.value("energy"))
    assert e["p5"] < e["value"] < e["p95"]
    # plant b has no uncertain input: the total's spread is plant a's
    single = monte_carlo(a, 4000, seed=0).annotate(a.to_dict())["results"]
    ra = next(
        r
        for r in single
        if r["scenario"] == "baseline" and r["indicator"] == "energy" and r["component"] == "total"
    )
    assert e["p95"] - e["p5"] == pytest.approx(ra["p95"] - ra["p5"], rel=0.1)
    assert rows == portfolio_totals([a, b], 4000, seed=3)


def test_samples_below_zero_are_clamped_and_counted() -> None:
    d = _doc(PLAIN)
    d["interventions"][0]["changes"].append(
        {"flow": "sludge", "by": {"low": "-350 t", "high": "-250 t"}}
    )
    a = recp.assess(Scenario.from_dict(d))  # central -300 t: exactly zero, allowed
    doc = monte_carlo(a, 1000, seed=1).annotate(a.to_dict())
    n = doc["uncertainty"]["clamped_samples"]
    assert 350 < n < 650  # about half the samples go below zero
    assert any(w["code"] == "uncertainty_clamped" for w in doc["warnings"])
    row = next(
        r
        for r in doc["results"]
        if r["scenario"] == "quick wins" and r["indicator"] == "waste" and r["component"] == "total"
    )
    assert row["p5"] >= 0.0


def test_two_inputs_of_one_entry_multiply_as_in_the_engine() -> None:
    """An NCV and a price per GJ move the same cost entry: a sample equals a fresh compile."""
    from recp.uncertainty import evaluate, linearise

    d = _doc(PLAIN)
    d["flows"][0]["price"] = {"low": "7 USD/GJ", "high": "9 USD/GJ"}
    d["flows"][0]["ncv"] = {"low": "34 MJ/m3", "high": "38 MJ/m3"}
    a = recp.assess(Scenario.from_dict(d))
    lin = linearise(a, a.scenario.uncertain)
    x = np.array([[9.0, 34.0], [7.0, 38.0]])  # file order: price, then ncv
    got = evaluate(a, lin, x).results
    for (price, ncv), row in zip(x, got, strict=True):
        e = _doc(PLAIN)
        e["flows"][0]["price"] = f"{price} USD/GJ"
        e["flows"][0]["ncv"] = f"{ncv} MJ/m3"
        ref = recp.assess(Scenario.from_dict(e)).to_dict()["results"]
        np.testing.assert_allclose(row, [r["value"] or 0.0 for r in ref], rtol=1e-9)


def test_factor_bound_sample_equals_a_compile_with_the_table_cell_moved() -> None:
    """A CO2 factor draw moves every gas flow as a library with that cell changed does."""
    from recp.factors import FactorLibrary, factors_dir
    from recp.uncertainty import evaluate, linearise

    a = recp.assess(recp.load(PLAIN))
    mc = monte_carlo(a, 10, seed=1, factors=True)
    co2 = mc.inputs[0]
    lin = linearise(a, [co2])
    got = evaluate(a, lin, np.array([[58300.0]])).results[0]
    lib = FactorLibrary(factors_dir())
    lib.table("ipcc2006-fuels").rows["natural_gas"]["co2"] = 58300.0
    ref = recp.assess(recp.load(PLAIN), lib).to_dict()["results"]
    np.testing.assert_allclose(got, [r["value"] or 0.0 for r in ref], rtol=1e-9)


def test_distribution_where_none_is_accepted_is_one_located_line() -> None:
    text = (
        "plant: {name: p, country: BD, production: {low: 1 t, high: 2 t}}\n"
        "flows: [{id: e, type: electricity, amount: 1 MWh}]\n"
    )
    with pytest.raises(InputError) as e:
        loads(text, file="plant.yaml")
    (p,) = e.value.problems
    assert p.place == "plant.production" and p.line == 1
    assert "a distribution is not accepted for 'production'" in p.message
