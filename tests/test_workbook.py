"""Fill-in workbooks: write, read back, validate and assess."""

from __future__ import annotations

import pytest
import yaml

import recp
from recp import sectors
from recp.cli import main
from recp.errors import InputError
from recp.scenario import Scenario
from recp.units import parse_quantity
from recp.workbook import read_workbook, write_workbook
from tests.conftest import SCENARIOS

QTY_KEYS = {
    "amount",
    "price",
    "ncv",
    "density",
    "emission_factor",
    "cod",
    "nitrogen",
    "ch4_recovery",
    "production",
    "discount_rate",
    "grid_factor",
    "capex",
    "opex",
    "lifetime",
    "by",
    "to",
    "tolerance",
}


def canonical(obj, key=None):
    """Quantities as (magnitude, unit) so that '2.1e6 m3' equals '2100000 m3'."""
    if isinstance(obj, dict):
        return {k: canonical(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [canonical(v) for v in obj]
    if key in QTY_KEYS or (key is not None and isinstance(obj, str) and obj[:1].isdigit()):
        try:
            q = parse_quantity(obj)
            return (round(float(q.magnitude), 9), str(q.units))
        except Exception:  # noqa: BLE001 - not a quantity: compare as is
            return obj
    return obj


def _balances_as_quantities(doc):
    bal = doc.get("balances") or {}
    for kind in ("water", "mass"):
        if kind in bal and not bal[kind]:
            del bal[kind]
    if "balances" in doc and not bal:
        del doc["balances"]
    return doc


@pytest.mark.parametrize("key", list(sectors.SECTORS))
def test_template_round_trip(key, tmp_path):
    data = sectors.template_data(key)
    path = tmp_path / f"{key}.xlsx"
    write_workbook(data, path)
    back = read_workbook(path)
    assert canonical(back) == canonical(data)
    Scenario.from_dict(back)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_worked_scenario_round_trip(path, tmp_path):
    data = _balances_as_quantities(yaml.safe_load(path.read_text()))
    xlsx = tmp_path / "plant.xlsx"
    write_workbook(data, xlsx)
    back = read_workbook(xlsx)
    assert canonical(back) == canonical(data)
    a = recp.assess(Scenario.from_dict(data)).table()
    b = recp.assess(recp.load(xlsx)).table()
    assert a.equals(b)


def _fill_template(path):
    """Fill every TODO cell of a template the way a consultant types: plain numbers."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("TODO"):
                    key = ws.cell(c.row, 1).value if ws.title == "Plant" else None
                    c.value = {"plant.name": "Mill", "plant.country": "EG", "discount_rate": 8}.get(
                        key, 1000
                    )
    wb.save(path)


def test_unfilled_template_does_not_validate(tmp_path, capsys):
    """An unfilled template validated and assessed, with Moldova's grid factor pre-filled."""
    out = tmp_path / "mill.xlsx"
    assert main(["new", "--sector", "textiles", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["validate", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Plant!B3: plant.country: still a template placeholder" in err
    assert "Flows!D2: flow 'gas': amount: still a template placeholder" in err
    assert "Interventions!E2" in err and "capex" in err
    assert "MD" not in err and "Moldova" not in err  # no country pre-filled
    assert main(["assess", str(out)]) == 2


def test_filled_template_with_plain_numbers_validates_and_assesses(tmp_path, capsys):
    """'capex 40000' failed until typed as text '40000 USD': units come from unit columns."""
    out = tmp_path / "mill.xlsx"
    assert main(["new", "--sector", "textiles", "--out", str(out)]) == 0
    _fill_template(out)
    assert main(["validate", str(out)]) == 0
    assert main(["assess", str(out), "--format", "json"]) == 0
    assert '"energy"' in capsys.readouterr().out
    sc = recp.load(out)
    assert sc.plant.country == "EG"
    assert sc.interventions[0].capex.to("USD").magnitude == 1000
    assert sc.interventions[0].measure == "textiles.low_liquor_ratio"
    assert sc.discount_rate.to("percent").magnitude == 8


def test_workbook_offers_lists(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    write_workbook(sectors.template_data("dairy"), path)
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Plant", "Flows", "Interventions"]
    assert wb["Lists"].sheet_state == "hidden"
    formulas = {dv.formula1 for dv in wb["Flows"].data_validations.dataValidation}
    assert len(formulas) >= 5 and all(f.startswith("Lists!") for f in formulas)
    assert wb["Interventions"].data_validations.dataValidation
    header = [c.value for c in wb["Flows"][1]]
    assert header[:5] == ["id", "type", "name", "amount", "amount unit"]


def test_filled_in_workbook_is_read(tmp_path):
    """A user edits amounts and adds an intervention row in the sheet."""
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    write_workbook(sectors.template_data("school"), path)
    wb = load_workbook(path)
    flows = wb["Flows"]
    header = [c.value for c in flows[1]]
    for row in flows.iter_rows(min_row=2):
        if row[0].value == "gas":
            row[header.index("amount")].value = 120000
            row[header.index("price")].value = 0.8
            row[header.index("price unit")].value = "USD/m3"
    iv = wb["Interventions"]
    ih = [c.value for c in iv[1]]
    rec = dict.fromkeys(ih)
    rec.update(
        {
            "id": "controls",
            "measure": "school.heating_controls",
            "category": "better process control",
            "flow": "gas",
            "by": "-15 %",
            "capex": "20000 USD",
            "lifetime": "10 year",
        }
    )
    iv.append([rec[h] for h in ih])
    wb.save(path)
    sc = recp.load(path)
    gas = next(f for f in sc.flows if f.id == "gas")
    assert gas.amount.to("m3").magnitude == 120000
    assert sc.interventions[0].changes[0].flow == "gas"
    a = recp.assess(sc)
    assert a.value("cost", scenario="all") < a.value("cost")


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "plant.xlsx"
    bad.write_text("plant: {}\n")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        read_workbook(bad)


def test_missing_sheet_is_named(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "empty.xlsx"
    wb = Workbook()
    wb.active.title = "Plant"
    wb.save(path)
    with pytest.raises(InputError, match="no sheet 'Flows'"):
        read_workbook(path)
