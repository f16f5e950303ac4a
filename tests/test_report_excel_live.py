"""The Excel report recalculates: LibreOffice's results of its formulas equal recp's JSON.

The workbooks are written without recp's cached values (``cache_values=False``), so that
LibreOffice (Debian's ``libreoffice-calc``, headless) has to calculate every formula when it
opens them; ``soffice --convert-to xlsx`` saves what it calculated, which openpyxl reads back.
Without ``soffice`` the tests are skipped with the reason, except under ``CI`` where a missing
LibreOffice fails (``make test`` installs it, like Chromium for the HTML tests).

Tolerance: 1e-9 relative, with an absolute floor of 1e-12 x the plant's yearly operating cost
for money (the saving on the priced flows is a difference of two sums of that size, which
binary floating point resolves to about 1e-16 of it; recp's JSON keeps 12 significant digits).
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import openpyxl
import pytest

import recp
from recp.report.excel import render
from recp.report.formulas import FUNCTIONS
from recp.report.lang import translator
from recp.report.model import build
from tests.conftest import ROOT, SCENARIOS

#: Economics fields compared, with the Interventions sheet's header (English).
FIELDS = {
    "annual_saving": "Annual saving [USD/yr]",
    "simple_payback_years": "Payback [yr]",
    "npv": "NPV [USD]",
    "irr": "IRR [%]",
    "cost_per_t_co2e": "Abatement cost [USD/t CO₂e]",
    "lifetime_years": "Lifetime [yr]",
    "capex": "Capex [USD]",
}


def soffice() -> str:
    """Path of LibreOffice's ``soffice``, or skip (fail under CI) when there is none."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(
                "LibreOffice is not installed; CI must run the recalculation tests "
                "(make test installs Debian's libreoffice-calc)"
            )
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    return exe


def recalculate(paths: list[Path], tmp: Path) -> dict[str, openpyxl.Workbook]:
    """Open every workbook in headless LibreOffice, save what it calculated; read it back."""
    out = tmp / "recalculated"
    out.mkdir()
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--norestore",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {
        p.stem: openpyxl.load_workbook(out / p.name, data_only=True, read_only=False) for p in paths
    }


@cache
def assessment(stem: str) -> recp.Assessment:
    return recp.assess(recp.load(ROOT / "scenarios" / f"{stem}.yaml"))


def header(ws) -> tuple[int, list[str]]:
    for row in ws.iter_rows():
        if row[0].fill is not None and row[0].fill.fgColor.rgb in ("001D3557", "FF1D3557"):
            return row[0].row, [c.value for c in row]
    raise AssertionError(f"no header row in {ws.title}")


def rows(ws) -> list[dict[str, object]]:
    r0, head = header(ws)
    return [
        dict(zip(head, (c.value for c in row), strict=False))
        for row in ws.iter_rows(min_row=r0 + 1)
        if any(c.value is not None for c in row)
    ]


def same(got: object, want: float | None, floor: float) -> bool:
    """``got`` (a cell) equals ``want`` (JSON) to 1e-9 relative (``floor`` absolute)."""
    if want is None:
        return got in (None, "")
    if not isinstance(got, (int, float)):
        return False
    return math.isclose(float(got), want, rel_tol=1e-9, abs_tol=floor)


def check(wb: openpyxl.Workbook, a: recp.Assessment) -> int:
    """Compare every economics row of ``a`` with LibreOffice's values; return how many."""
    doc = a.to_dict()
    cost = max(abs(r["value"] or 0.0) for r in doc["results"] if r["indicator"] == "cost")
    floor = {k: 1e-12 * max(cost, 1.0) for k in FIELDS}
    floor["irr"] = floor["simple_payback_years"] = floor["lifetime_years"] = 1e-12
    econ = {(e["scenario"], e["intervention"], e["basis"]): e for e in doc["economics"]}
    basis = {"In sequence": "in_sequence", "Standalone": "standalone"}
    n = 0
    for r in rows(wb["Interventions"]):
        iid = None if r["Measure"] == "Scenario total" else r["Measure"]
        e = econ[(r["Scenario"], iid, basis[r["Basis"]])]
        for key, col in FIELDS.items():
            assert same(r[col], e[key], floor[key]), (r["Scenario"], iid, r["Basis"], key, r[col])
        n += 1
    assert n == len(econ)  # every economics row, both bases and the scenario totals
    scen = {r["Scenario"]: r for r in rows(wb["Scenarios"])}
    for s in a.states:
        e = econ.get((s, None, "in_sequence"))
        if e is None:
            continue
        for key in ("annual_saving", "simple_payback_years", "npv", "irr", "cost_per_t_co2e"):
            assert same(scen[s][FIELDS[key]], e[key], floor[key]), (s, key, scen[s][FIELDS[key]])
    return n


@pytest.mark.slow
def test_libreoffice_recalculates_every_worked_plant_to_the_json(tmp_path):
    # Every worked plant: written without cached values, calculated by LibreOffice, equal to
    # recp's economics (in sequence, standalone and scenario totals) to 1e-9.
    paths = []
    for p in SCENARIOS:
        out = tmp_path / f"{p.stem}.xlsx"
        out.write_bytes(render(build(assessment(p.stem)), translator("en"), cache_values=False))
        paths.append(out)
    books = recalculate(paths, tmp_path)
    total = sum(check(books[p.stem], assessment(p.stem)) for p in SCENARIOS)
    assert total > 100


@pytest.mark.slow
def test_changed_price_in_excel_equals_recp_with_that_price(tmp_path):
    # The consultant's case: the grid price of the dairy doubled in the Flows sheet gives, after
    # LibreOffice recalculates, the economics recp computes with the doubled price.
    text = (ROOT / "scenarios" / "dairy-md.yaml").read_text()
    assert "price: 0.17 USD/kWh" in text
    changed = tmp_path / "dairy-dear.yaml"
    changed.write_text(text.replace("price: 0.17 USD/kWh", "price: 0.34 USD/kWh"))
    a_new = recp.assess(recp.load(changed))
    src = tmp_path / "dairy.xlsx"
    src.write_bytes(render(build(assessment("dairy-md")), translator("en"), cache_values=False))
    wb = openpyxl.load_workbook(src)
    flows = wb["Flows"]
    _, head = header(flows)
    price_col = head.index("Price [USD/unit]") + 1
    for row in flows.iter_rows(min_row=2):
        if row[0].value == "grid":
            cell = flows.cell(row=row[0].row, column=price_col)
            assert cell.value == pytest.approx(170000.0)  # USD per GWh, the unit entered
            cell.value = 340000.0
    edited = tmp_path / "edited" / "dairy.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    books = recalculate([edited], tmp_path)
    assert check(books["dairy"], a_new) > 10


def recp_formula(text: str, sheets: set[str]) -> bool:
    """True when ``text`` is one of recp's formulas: references, numbers, operators and the
    functions of :data:`recp.report.formulas.FUNCTIONS`, nothing else (no scenario text)."""
    text = text.removeprefix("=")
    for name in sheets:
        text = text.replace(f"'{name}'!", "")
    text = text.replace('""', "")
    if not set(re.findall(r"[A-Z]+(?=\()", text)) <= set(FUNCTIONS):
        return False
    rest = re.sub(r"[A-Z]+\(|\$?[A-Z]{1,3}\$?\d+|\d+(\.\d+)?(E[-+]?\d+)?", "", text)
    return set(rest) <= set("+-*/^(),:<>=")


def test_formulas_use_only_cell_references_numbers_and_known_functions():
    # No text of the scenario file ever enters a formula: only references, numbers, operators
    # and the functions of recp.report.formulas.FUNCTIONS.
    data = render(build(assessment("dairy-md")), translator("en"))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheets = {ws.title for ws in wb}
    n = 0
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert recp_formula(str(c.value), sheets), (ws.title, c.coordinate, c.value)
                    n += 1
    assert n > 100
    assert not recp_formula('HYPERLINK("http://x")', sheets)
    assert not recp_formula("cmd|' /C calc'!A0", sheets)


def test_cached_values_are_recps_numbers():
    # A viewer that does not calculate (or openpyxl's data_only) shows recp's own numbers.
    a = assessment("dairy-md")
    data = render(build(a), translator("en"))
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    assert check(wb, a) > 10


@pytest.mark.slow
def test_carbon_price_recalculates_in_libreoffice(tmp_path):
    # With a carbon price (#13), the carbon revenue is carbon price x emission reduction, part of
    # the annual saving; LibreOffice's results equal the JSON. Runs where recp reads
    # `carbon_price` (skipped on a recp without it).
    from recp.errors import InputError

    text = (ROOT / "scenarios" / "dairy-md.yaml").read_text()
    plant = tmp_path / "dairy-carbon.yaml"
    plant.write_text(
        text.replace("discount_rate: 10 %", "discount_rate: 10 %\ncarbon_price: 12 USD/t CO2e")
    )
    try:
        a = recp.assess(recp.load(plant))
    except InputError as err:
        pytest.skip(f"this recp has no carbon_price: {err}")
    assert any(e.get("carbon_revenue") for e in a.economics())
    out = tmp_path / "dairy-carbon.xlsx"
    out.write_bytes(render(build(a), translator("en"), cache_values=False))
    wb = recalculate([out], tmp_path)["dairy-carbon"]
    assert check(wb, a) > 10
    econ = {(e["scenario"], e["intervention"], e["basis"]): e for e in a.economics()}
    basis = {"In sequence": "in_sequence", "Standalone": "standalone"}
    for r in rows(wb["Interventions"]):
        iid = None if r["Measure"] == "Scenario total" else r["Measure"]
        want = econ[(r["Scenario"], iid, basis[r["Basis"]])]["carbon_revenue"]
        assert same(r["Carbon revenue [USD/yr]"], want, 1e-9), (r["Scenario"], iid)
