"""The Excel report: sheets, real numbers, units in headers, native charts, totals = JSON."""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache

import openpyxl
import pytest

import recp
from recp.report import render
from tests.conftest import ROOT, SCENARIOS

SHEETS = [
    "Summary",
    "Flows",
    "Interventions",
    "Scenarios",
    "Flow changes",
    "Cash flows",
    "Factors",
    "Warnings",
]
#: Sheets with live formulas (recp's economics; tests/test_report_excel_live.py checks them).
FORMULA_SHEETS = {"Flows", "Interventions", "Scenarios", "Cash flows"}
NUMBER_TEXT = re.compile(r"^\s*[-+−]?[\d,]*\.?\d+(e[-+]?\d+)?\s*%?\s*$", re.I)


@cache
def assessment(name: str = "dairy-md") -> recp.Assessment:
    return recp.assess(recp.load(ROOT / "scenarios" / f"{name}.yaml"))


@cache
def workbook_bytes(name: str = "dairy-md", lang: str = "en") -> bytes:
    return render(assessment(name), "xlsx", lang)


def workbook(name: str = "dairy-md", lang: str = "en") -> openpyxl.Workbook:
    """The workbook with the values of its formula cells (recp's, cached in the file)."""
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(name, lang)), data_only=True)


def formulas(name: str = "dairy-md") -> openpyxl.Workbook:
    """The workbook with the formulas themselves."""
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(name)))


def header(ws) -> tuple[int, list[str]]:
    """The row and the values of a sheet's table header (the first row with a header fill)."""
    for row in ws.iter_rows():
        if row[0].fill is not None and row[0].fill.fgColor.rgb in ("001D3557", "FF1D3557"):
            return row[0].row, [c.value for c in row]
    raise AssertionError(f"no header row in {ws.title}")


def table(ws) -> list[dict[str, object]]:
    r0, head = header(ws)
    return [
        dict(zip(head, (c.value for c in row), strict=False))
        for row in ws.iter_rows(min_row=r0 + 1)
        if any(c.value is not None for c in row)
    ]


def test_sheet_names():
    assert workbook().sheetnames == SHEETS
    zh = ["摘要", "物料与能源流", "清洁生产方案", "情景", "流的变化", "现金流", "因子", "警告"]
    assert workbook(lang="zh").sheetnames == zh


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_numbers_are_numbers(path):
    wb = workbook(path.stem)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert not NUMBER_TEXT.match(c.value), (ws.title, c.coordinate, c.value)
    for ws in formulas(path.stem):  # formulas only where the economics are calculated
        if ws.title not in FORMULA_SHEETS:
            assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), ws.title


def test_units_are_in_the_headers():
    wb = workbook()
    _, head = header(wb["Interventions"])
    assert "Capex [USD]" in head and "Annual saving [USD/yr]" in head
    assert "GHG emissions saved [t CO₂e/yr]" in head and "Payback [yr]" in head
    _, head = header(wb["Scenarios"])
    assert "Final energy [GJ/yr]" in head and "Water withdrawal [m³/yr]" in head
    _, head = header(wb["Flows"])
    assert "Unit" in head and "Price [USD/unit]" in head and "Cost, Baseline [USD/yr]" in head


def test_summary_totals_match_json():
    a = assessment()
    doc = a.to_dict()
    rows = {r["Key"]: r for r in table(workbook()["Summary"])}
    states = {"baseline": "Baseline", **{s: s for s in a.states}}
    n = 0
    for r in doc["results"]:
        if r["indicator"].endswith("_intensity"):
            continue
        got = rows[f"{r['indicator']}/{r['component']}"][states[r["scenario"]]]
        assert got == pytest.approx(r["value"], rel=1e-12, abs=1e-12), r
        n += 1
    assert n == len([r for r in doc["results"] if not r["indicator"].endswith("_intensity")])


def test_scenarios_and_interventions_match_json():
    a = assessment()
    doc = a.to_dict()
    wb = workbook()
    scen = {r["Scenario"]: r for r in table(wb["Scenarios"])}
    value = {(r["scenario"], r["indicator"], r["component"]): r["value"] for r in doc["results"]}
    for s in ["baseline", *a.states]:
        row = scen["Baseline" if s == "baseline" else s]
        assert row["GHG emissions [t CO₂e/yr]"] == pytest.approx(value[(s, "ghg", "total")])
        assert row["Final energy [GJ/yr]"] == pytest.approx(value[(s, "energy", "total")])
        assert row["Operating cost [USD/yr]"] == pytest.approx(value[(s, "cost", "total")])
    econ = {(e["scenario"], e["intervention"], e["basis"]): e for e in doc["economics"]}
    saved = {
        (r["scenario"], r["intervention"], r["basis"], r["indicator"], r["component"]): r["value"]
        for r in doc["savings"]
    }
    rows = table(wb["Interventions"])
    basis = {"In sequence": "in_sequence", "Standalone": "standalone"}
    checked = 0
    for r in rows:
        iid = None if r["Measure"] == "Scenario total" else r["Measure"]
        key = (r["Scenario"], iid, basis[r["Basis"]])
        e = econ[key]
        assert r["Capex [USD]"] == pytest.approx(e["capex"])
        assert r["Annual saving [USD/yr]"] == pytest.approx(e["annual_saving"])
        assert r["NPV [USD]"] == pytest.approx(e["npv"])
        assert r["IRR [%]"] == pytest.approx(e["irr"])
        assert r["GHG emissions saved [t CO₂e/yr]"] == pytest.approx(saved[(*key, "ghg", "total")])
        checked += 1
    assert checked == len(econ)  # every economics row, both bases and the scenario totals


def test_flows_sheet_has_amounts_as_entered_and_in_canonical_units():
    # Electricity entered in GWh shows in GWh (price per GWh), with the GJ beside it.
    a = assessment()
    c = a.compiled
    rows = {r["Flow"]: r for r in table(workbook()["Flows"])}
    for fid, unit, amount in zip(c.flow_ids, c.flow_units, c.amount, strict=True):
        assert rows[fid]["Amount in that unit, Baseline"] == pytest.approx(amount)
        assert rows[fid]["Unit recp calculates in"] in (unit, {"m3": "m³"}.get(unit))
    grid = rows["grid"]
    assert grid["Unit"] == "GWh" and grid["Amount, Baseline"] == pytest.approx(4.4)
    assert grid["Price [USD/unit]"] == pytest.approx(170000.0)  # 0.17 USD/kWh
    assert grid["Cost, Baseline [USD/yr]"] == pytest.approx(748000.0)
    assert rows["gas"]["Unit"] == "m³" and rows["gas"]["Amount, Baseline"] == 1250000
    per = {"grid": 3600.0}
    for s, states in a.states.items():
        for i, fid in enumerate(c.flow_ids):
            got = rows[fid][f"Amount, {s}"] * per.get(fid, 1.0)
            assert got == pytest.approx(states[-1][i])


def test_cost_and_economics_are_live_formulas():
    # A consultant who changes a price sees every figure follow: the cost of each flow, and the
    # saving, payback, NPV and IRR of every measure and scenario are formulas.
    wb = formulas()
    r0, head = header(wb["Interventions"])
    for col in ("Saving on priced flows [USD/yr]", "Annual saving [USD/yr]", "Payback [yr]"):
        cell = wb["Interventions"].cell(row=r0 + 1, column=head.index(col) + 1)
        assert cell.data_type == "f", col
    k = head.index("NPV [USD]") + 1
    assert (
        "Summary"
        in wb["Interventions"].cell(row=r0 + 1, column=head.index("Annuity factor") + 1).value
    )
    assert wb["Interventions"].cell(row=r0 + 1, column=k).data_type == "f"
    assert "RATE(" in wb["Interventions"].cell(row=r0 + 1, column=head.index("IRR [%]") + 1).value
    totals = [
        r for r in wb["Interventions"].iter_rows(min_row=r0 + 1) if r[2].value == "Scenario total"
    ]
    assert totals and all("IRR(" in r[head.index("IRR [%]")].value for r in totals)
    _, fhead = header(wb["Flows"])
    cost = wb["Flows"].cell(row=2, column=fhead.index("Cost, Baseline [USD/yr]") + 1)
    assert cost.value.startswith("=IF(ISNUMBER($G2),$G2*")


def test_number_formats_and_frozen_headers():
    wb = workbook()
    ws = wb["Interventions"]
    r0, head = header(ws)
    irr = head.index("IRR [%]") + 1
    assert ws.cell(row=r0 + 1, column=irr).number_format == "0.0%"
    assert ws.freeze_panes == f"D{r0 + 1}"
    assert ws.auto_filter.ref
    assert wb["Summary"].freeze_panes is not None


def test_native_charts():
    names = zipfile.ZipFile(io.BytesIO(workbook_bytes())).namelist()
    charts = [n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == 2
    xml = zipfile.ZipFile(io.BytesIO(workbook_bytes())).read(charts[0]).decode()
    assert "barChart" in xml


def test_warnings_sheet():
    rows = table(workbook()["Warnings"])
    assert [r["Code"] for r in rows] == [w["code"] for w in assessment().warnings()]
    assert rows[0]["Warning"] == "Grid factor is a lifecycle value"


def test_saving_chart_values_and_labels_are_the_same_rows():
    # The chart once plotted the first scenarios' capex and saving against the measure names of
    # the biggest scenario (values Q2:Q14 against labels C9:C14 in the dairy plant).
    xml = zipfile.ZipFile(io.BytesIO(workbook_bytes())).read("xl/charts/chart1.xml").decode()
    refs = re.findall(r"<(?:c:)?f>([^<]+)</(?:c:)?f>", xml)
    rows = {tuple(re.findall(r"\$(\d+)", r)) for r in refs if "Interventions" in r}
    spans = {r for r in rows if len(r) == 2}
    assert len(spans) == 1, refs  # categories and both series span the same rows
