"""Hostile names stay inert: shown as text in HTML, escaped in Markdown, never run in Excel."""

from __future__ import annotations

import html
import io
import re
import zipfile

import openpyxl
import pytest

import recp
from recp.report import render, write_report
from tests.test_report_excel_live import recp_formula
from tests.test_report_html import body_attrs, check_in_browser

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
IMG = "<img src=x onerror=alert(2)>"
STYLE_BREAK = '</style><script>alert(3)</script>"\\'


def hostile() -> recp.Assessment:
    doc = {
        "plant": {
            "name": SCRIPT,
            "country": "BD",
            "sector": FORMULA,
            "production": "100 t",
            "notes": f"{STYLE_BREAK} | pipes | and *stars* [link](javascript:alert(4))",
        },
        "grid_factor": "0.5 t CO2e/MWh",
        "discount_rate": "8 %",
        "flows": [
            {
                "id": SCRIPT,
                "type": "electricity",
                "amount": "1 GWh",
                "price": "0.1 USD/kWh",
                "name": FORMULA,
            },
            {
                "id": FORMULA,
                "type": "fuel",
                "carrier": "natural_gas",
                "amount": "1000 GJ",
                "price": "10 USD/GJ",
                "name": "@SUM(1+1)",
            },
            {
                "id": "+cmd|' /C calc'!A0",
                "type": "water",
                "source": "municipal",
                "amount": "100 m3",
                "price": "1 USD/m3",
                "name": IMG,
            },
        ],
        "interventions": [
            {
                "id": FORMULA,
                "name": SCRIPT,
                "category": "good housekeeping",
                "changes": [{"flow": SCRIPT, "by": "-10 %"}],
                "capex": "100 USD",
                "lifetime": "5 year",
                "source": IMG,
                "notes": "-2+3",
            },
            {
                "id": SCRIPT,
                "name": FORMULA,
                "category": "technology change",
                "changes": [{"flow": FORMULA, "by": "-20 %"}],
                "capex": "1000 USD",
                "lifetime": "10 year",
            },
        ],
        "scenarios": {IMG: [FORMULA, SCRIPT], FORMULA: [SCRIPT]},
    }
    return recp.assess(recp.Scenario.from_dict(doc))


def test_hostile_names_are_text_in_html():
    html = render(hostile(), "html").decode()
    assert "<script>alert" not in html and "<img" not in html
    assert html.count("<script>") == 1 and html.count("</style>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html
    assert not re.search(r"<a [^>]*href=\"(?!#)", html)  # only links within the report


@pytest.mark.slow
def test_hostile_names_stay_inert_in_chromium(tmp_path):
    html = tmp_path / "hostile.html"
    write_report(hostile(), html)
    dom = check_in_browser(html, tmp_path)
    assert body_attrs(dom).get("data-selfcheck") == "ok"
    assert len(re.findall(r"<script[ >]", dom)) == 1  # only the report's self-check
    assert "<img" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text


def test_hostile_names_are_escaped_in_markdown():
    text = render(hostile(), "md").decode()
    assert not re.search(r"(?<!\\)<", text)  # no raw HTML at all
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "\\=HYPERLINK" in text or "| \\=HYPERLINK" in text
    assert "\\[link\\](javascript:alert(4))" in text  # not a link
    from tests.test_report_md import cells, tables

    for t in tables(text):  # escaped pipes never split a cell
        assert all(len(cells(line)) == len(cells(t[0])) for line in t)


def test_hostile_names_are_never_formulas_in_excel():
    raw = render(hostile(), "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    seen = set()
    sheets = {ws.title for ws in wb}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":  # only recp's own economics formulas, no user text
                    assert recp_formula(str(c.value), sheets), (ws.title, c.coordinate, c.value)
                    continue
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)
                    seen.add(c.value)
    assert {FORMULA, "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3"} <= seen
    z = zipfile.ZipFile(io.BytesIO(raw))
    for name in z.namelist():
        if name.startswith("xl/worksheets/sheet"):  # every formula element is one of recp's
            for f in re.findall(r"<f>([^<]*)</f>", z.read(name).decode()):
                assert recp_formula(html.unescape(f), sheets), (name, f)
