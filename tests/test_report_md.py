"""The Markdown report: summary and tables, with user text escaped."""

from __future__ import annotations

import re
from functools import cache

import pytest

import recp
from recp.report import render
from recp.report.fmt import money, num
from recp.report.markdown import md
from tests.conftest import ROOT, SCENARIOS


@cache
def assessment(name: str = "dairy-md") -> recp.Assessment:
    return recp.assess(recp.load(ROOT / "scenarios" / f"{name}.yaml"))


def cells(line: str) -> list[str]:
    """Cells of a pipe-table line (escaped pipes stay inside their cell)."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def tables(text: str) -> list[list[str]]:
    out: list[list[str]] = []
    cur: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            cur.append(line)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_tables_are_well_formed(path):
    text = render(assessment(path.stem), "md").decode()
    found = tables(text)
    assert len(found) >= 5
    for t in found:
        n = len(cells(t[0]))
        assert re.fullmatch(r"\|( (---|---:) \|)+", t[1]), t[1]
        assert all(len(cells(line)) == n for line in t), t[0]


def test_summary_and_sections():
    a = assessment()
    text = render(a, "md").decode()
    assert text.startswith("# Sample Dairy (Chisinau region) · Cleaner production assessment\n")
    for h in (
        "## Summary",
        "## Plant and assumptions",
        "### Yearly flows",
        "## Baseline indicators",
        "## Interventions",
        "### Scenario quick wins",
        "## Scenario comparison",
        "## Warnings",
        "## Appendix A. Factors used",
    ):
        assert f"\n{h}\n" in text, h
    assert "| GHG emissions | t CO₂e | 5,140 | 4,779 | −7.0 % | 4,444 | −13.5 % |" in text
    for e in a.economics():
        if e["intervention"] is None:
            assert f"| {money(e['capex'])} | {money(e['annual_saving'])} |" in text
            assert num(e["cost_per_t_co2e"]) in text


def test_md_escapes_markup():
    assert md("a|b") == "a\\|b"
    assert md("<b>x</b>") == "\\<b\\>x\\</b\\>"
    assert md("**bold** _it_ `code`") == "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"
    assert md("[a](http://x)") == "\\[a\\](http://x)"
    assert md("line\nbreak\r\nhere") == "line break here"
    assert md("# not a heading") == "\\# not a heading"
    assert md("- not a list") == "\\- not a list"
    assert md("1. not a list") == "1\\. not a list"
    assert md("= not a setext line") == "\\= not a setext line"
    assert md("a & b") == "a \\& b"
    assert md("plain text 3.5 (ok)") == "plain text 3.5 (ok)"


def test_chinese_markdown():
    text = render(assessment(), "md", "zh").decode()
    assert text.startswith("# Sample Dairy (Chisinau region) · 清洁生产评估报告\n")
    assert "\n## 摘要\n" in text and "\n## 基准指标\n" in text
    assert "| 温室气体排放 | 吨 CO₂e | 5,140 |" in text
