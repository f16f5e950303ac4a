"""What the consultant reads (#15, #13): clean zeros, units as entered, scopes and reductions.

- Floating-point noise (``-7.28e-12`` GJ) reads 0 in HTML (in Chromium: not a red increase),
  Markdown, Excel and the terminal; the JSON keeps the float.
- Electricity entered in GWh shows in GWh in the flows tables, with the GJ beside it.
- The GHG scopes (scope1, scope2, scope2_market, scope3, total, process, biogenic CO2) with a
  definition each, the ``ghg_reduction`` rows per measure and scenario with the
  combined-margin factor and its source, and the carbon revenue when there is one.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
import pytest

import recp
from recp.report import render
from recp.report.fmt import ZERO_RTOL, clean
from recp.textreport import render as render_text
from tests.conftest import ROOT
from tests.test_report_html import check_in_browser

NOISE = -7.28e-12
#: The saving set to noise: the dairy's housekeeping saves no energy (exactly 0 in recp).
NOISY = ("quick wins", "housekeeping", "in_sequence", "energy", "total")


def noisy_dairy() -> recp.Assessment:
    """The dairy with the housekeeping energy saving replaced by floating-point noise."""
    a = recp.assess(recp.load(ROOT / "scenarios" / "dairy-md.yaml"))
    savings = a.savings

    def noisy() -> list[dict[str, Any]]:
        rows = savings()
        for r in rows:
            key = (r["scenario"], r["intervention"], r["basis"], r["indicator"], r["component"])
            if key == NOISY:
                assert r["value"] == 0.0
                r["value"] = NOISE
        return rows

    a.savings = noisy  # type: ignore[method-assign]
    return a


def test_clean_is_relative_to_the_scale():
    assert clean(NOISE, 42500.0) == 0.0  # 1.7e-16 of the energy it is a difference of
    assert clean(-0.5, 42500.0) == -0.5  # a real change is never hidden
    assert clean(1e-6, 1.0) == 1e-6 and clean(1e-10, 1.0) == 0.0
    assert clean(NOISE, None) == NOISE and clean(None, 1.0) is None
    assert ZERO_RTOL == 1e-9


def test_json_keeps_the_noise_float():
    doc = noisy_dairy().to_dict()
    got = [
        r["value"]
        for r in doc["savings"]
        if (r["scenario"], r["intervention"], r["basis"], r["indicator"], r["component"]) == NOISY
    ]
    assert got == [NOISE]
    json.dumps(doc)


def test_energy_noise_prints_as_zero_in_markdown():
    text = render(noisy_dairy(), "md").decode()
    assert "e-12" not in text and "7.28" not in text
    row = next(ln for ln in text.splitlines() if ln.startswith("| 1 | ") and "housekeeping" in ln)
    assert "| 0 |" in row


def test_energy_noise_prints_as_zero_in_the_terminal():
    text = render_text(noisy_dairy())
    assert "e-12" not in text and "7.28" not in text


def test_energy_noise_is_zero_in_excel():
    wb = openpyxl.load_workbook(io.BytesIO(render(noisy_dairy(), "xlsx")), data_only=True)
    ws = wb["Interventions"]
    head = [c.value for c in ws[1]]
    col = head.index("Final energy saved [GJ/yr]")
    row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "housekeeping")
    assert row[col].value == 0


@pytest.mark.slow
def test_energy_noise_is_not_a_red_increase_in_chromium(tmp_path):
    html = tmp_path / "dairy.html"
    html.write_bytes(render(noisy_dairy(), "html"))
    dom = check_in_browser(html, tmp_path)
    table = re.search(r'<table class="iv">.*?</table>', dom, re.S)
    assert table
    row = next(r for r in re.findall(r"<tr>.*?</tr>", table.group(0), re.S) if "housekeeping" in r)
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)
    assert cells[3] == (' class="n"', "0")  # the energy saving: 0, not red
    assert "e-12" not in dom and "7.28" not in dom


# -- units as entered --------------------------------------------------------------------------


def dairy() -> recp.Assessment:
    return recp.assess(recp.load(ROOT / "scenarios" / "dairy-md.yaml"))


def test_electricity_entered_in_gwh_shows_in_gwh_in_markdown():
    text = render(dairy(), "md").decode()
    row = next(ln for ln in text.splitlines() if ln.startswith("| grid |"))
    # 4.4 GWh at 0.17 USD/kWh = 170,000 USD/GWh; 748,000 USD a year; 15,840 GJ beside it
    assert "| 4.4 | GWh (= 15,840 GJ) | 170,000 | 748,000 |" in row


@pytest.mark.slow
def test_electricity_entered_in_gwh_shows_in_gwh_in_chromium(tmp_path):
    html = tmp_path / "dairy.html"
    html.write_bytes(render(dairy(), "html"))
    dom = check_in_browser(html, tmp_path)
    row = re.search(r'<tr><td><span class="id" translate="no">grid</span>.*?</tr>', dom, re.S)
    assert row
    assert '<td class="n">4.4</td><td>GWh <span class="canon">= 15,840 GJ</span></td>' in row[0]


# -- GHG scopes and reductions -------------------------------------------------------------------


SCOPES = ["scope1", "scope2", "scope2_market", "scope3", "total", "process", "biogenic_co2"]


def cement() -> recp.Assessment:
    return recp.assess(recp.load(ROOT / "scenarios" / "cement-md.yaml"))


def test_markdown_shows_scopes_with_definitions_and_reductions():
    a = cement()
    text = render(a, "md").decode()
    assert "## GHG emissions by scope and emission reductions" in text
    doc = a.to_dict()
    base = {
        r["component"]: r["value"]
        for r in doc["results"]
        if r["indicator"] == "ghg" and r["scenario"] == "baseline"
    }
    assert base["process"] == pytest.approx(280800.0)  # calcination in the cement plant
    for label, note in (
        ("Scope 1", "Direct emissions"),
        ("Scope 3 (off-site waste and wastewater)", "category 5 only"),
        ("Process CO₂ (calcination)", "part of scope 1"),
        ("Biogenic CO₂ (outside the total)", "Memo item"),
    ):
        row = next(ln for ln in text.splitlines() if ln.startswith(f"| {label} |"))
        assert note in row
    assert "| 280,800 |" in next(ln for ln in text.splitlines() if ln.startswith("| Process CO₂"))
    # reductions of the first measure, in sequence: total, fuel, electricity, scope 3
    red = {
        r["component"]: r["value"]
        for r in doc["savings"]
        if r["indicator"] == "ghg_reduction"
        and r["intervention"] == "kiln_control"
        and r["basis"] == "in_sequence"
        and r["scenario"] == "quick wins"
    }
    row = next(ln for ln in text.splitlines() if ln.startswith("| 1 | kiln\\_control | 6,010"))
    assert f"| {red['fuel']:,.0f} | {red['electricity']:,.0f} | 0 |" in row
    assert "Combined-margin grid factor: 0.399259 t CO₂/MWh (grid-ifi-2021:MD:cm)" in text
    assert "Baseline GHG emissions" not in text  # the summary sentence is its own:
    assert "scope 1 470,890, scope 2 37,545 (location-based), scope 3 0" in text


def test_excel_shows_scopes_notes_reductions_and_the_combined_margin():
    wb = openpyxl.load_workbook(io.BytesIO(render(cement(), "xlsx")), data_only=True)
    ws = wb["Summary"]
    cells = {str(r[0].value).replace("\xa0", " "): r for r in ws.iter_rows() if r[0].value}
    assert cells["Combined-margin grid factor [t CO₂/MWh]"][1].value == pytest.approx(0.3992586486)
    assert "Harmonized IFI" in cells["Source of the combined-margin factor"][1].value
    head = next(r for r in ws.iter_rows() if r[0].value == "Indicator")
    names = [c.value for c in head]
    key, note = names.index("Key"), names.index("Note")
    notes = {r[key].value: r[note].value for r in ws.iter_rows() if r[key].value}
    for comp in SCOPES:
        assert notes[f"ghg/{comp}"], comp
    head = [c.value for c in wb["Interventions"][1]]
    for comp in ("Total", "Fuel and process (scope 1)", "Electricity"):
        assert f"Emission reduction: {comp} saved [t CO₂e/yr]" in head or (
            comp == "Total" and "Emission reduction saved [t CO₂e/yr]" in head
        )


def test_terminal_shows_scopes_notes_and_reductions():
    text = render_text(cement(), width=160)
    for comp in SCOPES:
        assert re.search(rf"^\s+ghg\s+{comp}\s", text, re.M), comp
    assert "scope3: category 5 only" in text
    assert "emission reductions [t CO2e/yr]" in text
    assert "Combined-margin grid factor: 0.399259 t CO2/MWh (grid-ifi-2021:MD:cm)" in text


def test_chinese_labels_for_scopes_and_reductions():
    text = render(cement(), "md", "zh").decode()
    assert "温室气体排放（按范围）与减排量" in text and "组合边际排放因子" in text
    assert "范围三仅含第 5 类" in text


def with_carbon_revenue(a: recp.Assessment, price: float) -> recp.Assessment:
    """``a`` with the economics the integrator's ``carbon_price`` adds: carbon_revenue =
    price x ghg_reduction total, part of the annual saving (the field from recp.assessment)."""
    economics, savings = a.economics, a.savings

    def econ() -> list[dict[str, Any]]:
        red = {
            (r["scenario"], r["intervention"], r["basis"]): r["value"]
            for r in savings()
            if r["indicator"] == "ghg_reduction" and r["component"] == "total"
        }
        rows = economics()
        for e in rows:
            e["carbon_revenue"] = price * red[(e["scenario"], e["intervention"], e["basis"])]
        return rows

    a.economics = econ  # type: ignore[method-assign]
    return a


def test_carbon_revenue_is_shown_when_present_and_skipped_when_absent():
    md = render(cement(), "md").decode()
    assert "Carbon revenue" not in md
    a = with_carbon_revenue(cement(), 10.0)
    md = render(a, "md").decode()
    assert "Carbon revenue [USD/yr]" in md
    row = next(ln for ln in md.splitlines() if ln.startswith("| 1 | ") and "(kiln\\_control)" in ln)
    assert "| 60,100 |" in row  # 6,010 t CO2e x 10 USD
    wb = openpyxl.load_workbook(io.BytesIO(render(a, "xlsx")), data_only=True)
    head = [c.value for c in wb["Interventions"][1]]
    assert "Carbon revenue [USD/yr]" in head
    assert "carbon rev./yr" in render_text(a, width=200)


def test_rollup_noise_is_zero_in_csv_and_excel_but_not_in_json(tmp_path):
    # A batch roll-up summed -7.28e-12 GJ for a sector; CSV and Excel show 0, JSON the float.
    import pandas as pd

    from recp.export import clean_rollup, write_tables

    roll = pd.DataFrame(
        {
            "sector": ["dairy", "dairy", "textile"],
            "scenario": ["baseline", "quick wins", "quick wins"],
            "indicator": ["energy", "energy", "energy"],
            "component": ["total"] * 3,
            "unit": ["GJ"] * 3,
            "value": [42500.0, NOISE, -0.5],
            "plants": [2, 2, 1],
        }
    )
    assert list(clean_rollup(roll)["value"]) == [42500.0, 0.0, -0.5]
    results = roll.drop(columns=["sector", "plants"]).assign(plant="p")
    tables = {"results": results, "rollup-sector": roll}
    write_tables(tmp_path / "out.csv", tables)
    assert "e-12" not in (tmp_path / "out.rollup-sector.csv").read_text()
    write_tables(tmp_path / "out.json", tables)
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["rollup-sector"][1]["value"] == NOISE
    write_tables(tmp_path / "out.xlsx", tables)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["rollup-sector"]
    assert [r[5].value for r in ws.iter_rows(min_row=2)] == [42500, 0, -0.5]


def test_carbon_revenue_in_excel_is_price_times_reduction():
    # The Summary holds the carbon price; each measure's carbon revenue is that cell times its
    # emission reduction (a formula), cached with recp's figure.
    a = with_carbon_revenue(cement(), 10.0)
    to_dict = a.to_dict

    def with_price() -> dict[str, Any]:
        doc = to_dict()
        doc["settings"]["carbon_price"] = 10.0
        return doc

    a.to_dict = with_price  # type: ignore[method-assign]
    raw = render(a, "xlsx")
    values = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    cells = {
        str(r[0].value).replace("\xa0", " "): r for r in values["Summary"].iter_rows() if r[0].value
    }
    assert cells["Carbon price [USD/t CO₂e]"][1].value == 10.0
    ws = openpyxl.load_workbook(io.BytesIO(raw))["Interventions"]
    head = [c.value for c in ws[1]]
    col = head.index("Carbon revenue [USD/yr]")
    red = head.index("Emission reduction saved [t CO₂e/yr]")
    f = ws.cell(row=2, column=col + 1).value
    assert (
        f.startswith("=IF(AND(ISNUMBER('Summary'!$B$")
        and f"{ws.cell(row=2, column=red + 1).coordinate}" in f
    )
    row = next(
        r for r in values["Interventions"].iter_rows(min_row=2) if r[2].value == "kiln_control"
    )
    assert row[col].value == pytest.approx(10.0 * row[red].value)
