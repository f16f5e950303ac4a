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


# -- a strict, located workbook (#15): nothing in a sheet is lost silently --------------------

DAIRY = next(p for p in SCENARIOS if p.stem == "dairy-md")


@pytest.fixture
def dairy_xlsx(tmp_path):
    """The worked dairy as a fill-in workbook (prices, four interventions)."""
    path = tmp_path / "dairy.xlsx"
    write_workbook(yaml.safe_load(DAIRY.read_text()), path)
    return path


def _edit(path, fn):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def _column(ws, name):
    return next(c.column_letter for c in ws[1] if c.value == name)


def _errors(capsys, *args):
    code = main(list(args))
    return code, capsys.readouterr().err


def test_renamed_interventions_sheet_is_exit_2_not_a_baseline_only_run(dairy_xlsx, capsys):
    """Renaming 'Interventions' to 'Measures': validate said ok and assess ran the baseline only."""
    _edit(dairy_xlsx, lambda wb: setattr(wb["Interventions"], "title", "Measures"))
    for cmd in ("validate", "assess"):
        code, err = _errors(capsys, cmd, str(dairy_xlsx))
        assert code == 2
        assert "Measures!A1: unknown sheet 'Measures': did you mean 'Interventions'?" in err


def test_capitalised_header_is_exit_2_naming_the_cell(dairy_xlsx, capsys):
    """A header typed 'Price' was ignored and every cost was empty."""

    def cap(wb):
        ws = wb["Flows"]
        ws[f"{_column(ws, 'price')}1"] = "Price"

    _edit(dairy_xlsx, cap)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert (
        "Flows!J1: unknown column 'Price': did you mean 'price'? (column names are case-sensitive)"
        in err
    )


def test_unknown_column_and_headerless_values_are_errors(dairy_xlsx, capsys):
    def edit(wb):
        ws = wb["Interventions"]
        ws.cell(1, ws.max_column + 1, "capexx")
        ws.cell(3, ws.max_column + 2, "forgotten")

    _edit(dairy_xlsx, edit)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert "unknown column 'capexx': did you mean 'capex'?" in err
    assert "1: a column with values has no header" in err


def test_value_error_gives_sheet_cell_and_flow_id(dairy_xlsx, capsys):
    """Errors said flows[0].amount (counted from 0), never Flows!D2."""

    def edit(wb):
        wb["Flows"]["D3"] = "lots"

    _edit(dairy_xlsx, edit)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert f"error: {dairy_xlsx}: Flows!D3: flows[1].amount (flow 'grid'): " in err


def test_intervention_error_gives_sheet_cell_and_ids(dairy_xlsx, capsys):
    def edit(wb):
        ws = wb["Interventions"]
        ws[f"{_column(ws, 'flow')}2"] = "gass"

    _edit(dairy_xlsx, edit)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    line = next(x for x in err.splitlines() if "gass" in x)
    assert "Interventions!M2: interventions[0].changes[0].flow (intervention " in line
    assert "did you mean 'gas'?" in line


def test_assessment_problem_in_a_workbook_names_the_cell(dairy_xlsx, capsys):
    """A change that takes a flow below zero is found by the assessment, not the model."""

    def edit(wb):
        ws = wb["Interventions"]
        ws[f"{_column(ws, 'by')}2"] = -900000
        ws[f"{_column(ws, 'by unit')}2"] = "m3"

    _edit(dairy_xlsx, edit)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert (
        "Interventions!M2: interventions[0].changes[0] (intervention 'housekeeping', "
        "flow 'water'): takes flow 'water' from 165000 to -735000 m3, below zero"
    ) in err


@pytest.mark.parametrize(
    ("header", "unit_column"),
    [("capex [USD]", None), ("capex", "USD")],
    ids=["unit in the header", "unit column"],
)
def test_plain_number_takes_its_unit_from_header_or_unit_column(dairy_xlsx, header, unit_column):
    """'capex 40000' failed eight times until typed as the text '40000 USD'."""

    def edit(wb):
        ws = wb["Interventions"]
        col = _column(ws, "capex")
        ws[f"{col}1"] = header
        ws[f"{col}2"] = 40000
        if unit_column is None:
            ws.delete_cols(ws[f"{_column(ws, 'capex unit')}1"].column)
        else:
            ws[f"{_column(ws, 'capex unit')}2"] = unit_column

    _edit(dairy_xlsx, edit)
    sc = recp.load(dairy_xlsx)
    assert sc.interventions[0].capex.to("USD").magnitude == 40000


def test_percent_formatted_cell_is_a_percentage(dairy_xlsx):
    def edit(wb):
        ws = wb["Interventions"]
        c = ws[f"{_column(ws, 'by')}2"]
        c.value = -0.08
        c.number_format = "0%"
        ws[f"{_column(ws, 'by unit')}2"] = None

    _edit(dairy_xlsx, edit)
    by = recp.load(dairy_xlsx).interventions[0].changes[0].by
    assert by.to("percent").magnitude == pytest.approx(-8)


def test_text_quantity_still_read(dairy_xlsx):
    def edit(wb):
        ws = wb["Interventions"]
        ws[f"{_column(ws, 'capex')}2"] = "25000 USD"
        ws[f"{_column(ws, 'capex unit')}2"] = None

    _edit(dairy_xlsx, edit)
    assert recp.load(dairy_xlsx).interventions[0].capex.to("USD").magnitude == 25000


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        (
            "Plant",
            "A14",
            "grid_factr",
            "Plant!A14: unknown key 'grid_factr': did you mean 'grid_factor'?",
        ),
        ("Interventions", "A30", None, None),
        ("Balances", "A2", "watr", "Balances!A2: kind 'watr': did you mean 'water'?"),
    ],
)
def test_rows_that_would_be_dropped_are_errors(dairy_xlsx, capsys, sheet, cell, value, message):
    def edit(wb):
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        if sheet == "Balances":
            ws.delete_rows(1, ws.max_row)
            ws.append(["kind", "item", "amount", "unit"])
            ws.append([value, "evaporation", 2000, "m3"])
        elif sheet == "Interventions":  # a change row whose id was left empty
            ws[f"{_column(ws, 'flow')}30"] = "gas"
            ws[f"{_column(ws, 'by')}30"] = "-5 %"
        else:
            ws[cell] = value
            ws[cell.replace("A", "B")] = 1

    _edit(dairy_xlsx, edit)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert (message or "Interventions!A30: a row with values has no intervention id") in err


def test_later_row_repeating_intervention_column_differently_is_an_error(dairy_xlsx, capsys):
    """The intervention's columns are read from its first row: another value would be lost."""
    from openpyxl import load_workbook

    wb = load_workbook(dairy_xlsx)
    ws = wb["Interventions"]
    ids = [c.value for c in ws["A"]]
    second = next(i for i in range(2, len(ids)) if ids[i] == ids[i - 1]) + 1  # 1-based row
    ws[f"{_column(ws, 'capex')}{second}"] = 99
    wb.save(dairy_xlsx)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert f"Interventions!E{second}: intervention '{ids[second - 1]}': capex: " in err


def test_template_has_example_row_lists_and_todo_markers(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "d.xlsx"
    assert main(["new", "--sector", "dairy", "--out", str(out)]) == 0
    wb = load_workbook(out)
    iv = wb["Interventions"]
    header = [c.value for c in iv[1]]
    assert {"capex unit", "lifetime unit", "by unit"} <= set(header)
    row = dict(zip(header, [c.value for c in iv[2]], strict=True))
    assert row["measure"] == "dairy.housekeeping" and row["flow"] == "water"
    assert row["by"] == -8 and row["by unit"] == "%"
    assert row["capex"].startswith("TODO") and row["capex unit"] == "USD"
    lists = {
        (ws, str(dv.sqref)[0])
        for ws in ("Flows", "Interventions")
        for dv in wb[ws].data_validations.dataValidation
    }
    assert ("Interventions", "C") in lists  # measure: the sector's catalogue
    plant = {r[0].value: r[1].value for r in wb["Plant"].iter_rows(min_row=2)}
    assert plant["plant.country"].startswith("TODO")
    flows = wb["Flows"]
    fh = [c.value for c in flows[1]]
    gas = dict(zip(fh, [c.value for c in flows[2]], strict=True))
    assert gas["amount"].startswith("TODO") and gas["amount unit"] == "m3"
    assert "typical plant: 1250000 m3" in gas["notes"]


def test_number_without_any_unit_names_the_cell_and_where_to_put_it(dairy_xlsx, capsys):
    def edit(wb):
        ws = wb["Interventions"]
        ws[f"{_column(ws, 'capex')}2"] = 40000
        ws[f"{_column(ws, 'capex unit')}2"] = None

    _edit(dairy_xlsx, edit)
    code, err = _errors(capsys, "validate", str(dairy_xlsx))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {dairy_xlsx}: Interventions!E2: intervention 'housekeeping': capex: the number "
        "40000 has no unit: give it in the column 'capex unit' or the header 'capex [unit]'"
    ]
