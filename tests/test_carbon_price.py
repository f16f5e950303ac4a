"""Credit revenue from emission reductions (issue #13): ``carbon_price`` in the economics."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import recp
from recp.batch import assess_many, run
from recp.errors import InputError
from recp.models import finance
from recp.tables import tables_from_scenarios

DAIRY = Path(__file__).parents[1] / "scenarios" / "dairy-md.yaml"


def _dairy(price: str | None) -> recp.Scenario:
    data = yaml.safe_load(DAIRY.read_text(encoding="utf-8"))
    if price is not None:
        data["carbon_price"] = price
    return recp.Scenario.from_dict(data)


def _by_key(rows):
    return {(r["scenario"], r["intervention"], r["basis"]): r for r in rows}


def test_carbon_revenue_is_reduction_times_price():
    # One credit is one t CO2e reduced (UNFCCC decision 3/CMP.1, annex, para. 1(b)):
    # 120 t x 8.5 USD/t = 1,020 USD; no price or no reduction: no revenue.
    assert finance.carbon_revenue(120.0, 8.5) == pytest.approx(1020.0)
    assert finance.carbon_revenue(np.nan, 8.5) == 0.0
    assert finance.carbon_revenue(120.0, np.nan) == 0.0
    # a measure that adds emissions lowers the project's net reduction (CDM: ER = BE - PE)
    assert finance.carbon_revenue(-10.0, 8.5) == pytest.approx(-85.0)


def test_price_adds_credit_revenue_to_the_annual_saving_and_npv():
    price = 12.0  # USD per t CO2e
    plain = _by_key(recp.assess(_dairy(None)).economics())
    a = recp.assess(_dairy(f"{price} USD/t CO2e"))
    priced = _by_key(a.economics())
    red = {
        (s["scenario"], s["intervention"], s["basis"]): s["value"]
        for s in a.savings()
        if s["indicator"] == "ghg_reduction" and s["component"] == "total"
    }
    rate, checked = 0.10, 0  # the dairy's discount rate
    for key, row in priced.items():
        base = plain[key]
        assert base["carbon_revenue"] is None
        credit = price * red[key]
        assert row["carbon_revenue"] == pytest.approx(credit, abs=1e-6)
        assert row["annual_saving"] == pytest.approx(base["annual_saving"] + credit, abs=1e-6)
        if key[1] is not None and row["lifetime_years"]:
            n = row["lifetime_years"]
            annuity = (1 - (1 + rate) ** -n) / rate
            assert row["npv"] == pytest.approx(base["npv"] + credit * annuity, rel=1e-9)
            checked += 1
    assert checked > 4
    # the scenario's revenue is the sum of its in-sequence interventions' revenue
    scen = priced[("full programme", None, "in_sequence")]
    parts = [r for k, r in priced.items() if k[0] == "full programme" and k[2] == "in_sequence"]
    assert scen["carbon_revenue"] == pytest.approx(
        sum(r["carbon_revenue"] for r in parts if r["intervention"]), rel=1e-9
    )


@pytest.mark.parametrize(
    ("price", "fragment"),
    [
        ("10 EUR/t CO2e", "a price per t CO2e in USD"),
        ("10 USD/t", "a price per t CO2e in USD"),
        ("-5 USD/t CO2e", "must not be negative"),
    ],
)
def test_bad_carbon_price_is_located(price, fragment):
    with pytest.raises(InputError) as e:
        _dairy(price)
    (p,) = e.value.problems
    assert p.place == "carbon_price" and fragment in p.message


def test_price_spellings_read_as_per_tonne_co2e():
    for text in ("10 USD/t CO2e", "10 USD/tCO2e", "10 USD/(t CO2e)", "0.01 USD/kg CO2e"):
        sc = _dairy(text)
        assert recp.assess(sc).compiled.settings["carbon_price"] == pytest.approx(10.0)


def test_batch_equals_single_plant_with_a_carbon_price(tmp_path):
    sc = _dairy("12 USD/t CO2e")
    single = pd.DataFrame(recp.assess(sc).economics())
    res = assess_many([sc])
    assert len(res.errors) == 0
    got = res.economics.reset_index(drop=True)
    assert np.allclose(
        got["carbon_revenue"].to_numpy(float), single["carbon_revenue"].to_numpy(float)
    )
    # and from the tidy tables, where the price is a plants column
    t = tables_from_scenarios([sc], ["dairy"])
    assert t.plants["carbon_price"].iloc[0] == "12 USD/(t CO2e)" or "12" in str(
        t.plants["carbon_price"].iloc[0]
    )
    folder = tmp_path / "tables"
    folder.mkdir()
    for name in ("plants", "flows", "interventions", "scenarios"):
        getattr(t, name).to_csv(folder / f"{name}.csv", index=False)
    tab = run(folder).economics.reset_index(drop=True)
    assert np.allclose(
        tab["carbon_revenue"].to_numpy(float), single["carbon_revenue"].to_numpy(float)
    )


def test_bad_carbon_price_in_tables_names_the_column(tmp_path):
    t = tables_from_scenarios([_dairy(None), _dairy(None)], ["dairy", "dairy2"])
    folder = tmp_path / "tables"
    folder.mkdir()
    plants = copy.deepcopy(t.plants)
    plants["carbon_price"] = ["10 EUR/t CO2e", "10 USD/t CO2e"]
    plants.to_csv(folder / "plants.csv", index=False)
    for name in ("flows", "interventions", "scenarios"):
        getattr(t, name).to_csv(folder / f"{name}.csv", index=False)
    res = run(folder)
    assert len(res.errors) == 1 and res.errors["plant"].iloc[0] == "dairy"
    assert set(res.economics["plant"]) == {"dairy2"}
    msg = res.errors["message"].iloc[0]
    assert "carbon_price" in res.errors["place"].iloc[0] or "carbon_price" in msg
    assert "a price per t CO2e in USD" in msg
