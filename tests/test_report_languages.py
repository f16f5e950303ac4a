"""Reports in the six UN languages: numbers in the locale's format, Arabic right to left, every
worked plant in every language in HTML (headless Chromium), Markdown and Excel.

The browser test saves one screenshot per plant and language in ``$RECP_SCREENSHOTS`` (or the
test's temporary folder). "No missing glyph boxes" is checked against fontconfig, which is
where Chromium on Linux finds its fonts: every character of the rendered page must be covered
by an installed font named in the report's own font stack (``meta.fonts``), so no character
falls back to a box or to an arbitrary font.
"""

from __future__ import annotations

import html as html_lib
import io
import os
import re
import subprocess
import unicodedata
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

import recp
from recp.report import render, write_report
from recp.report.fmt import num, number_locale, pct
from recp.report.html import _CSS
from recp.report.lang import labels, languages
from tests.conftest import ROOT, SCENARIOS
from tests.test_report_html import check_in_browser

LANGS = ["ar", "en", "es", "fr", "ru", "zh"]
NNBSP = "\u202f"  # narrow no-break space: CLDR's group separator in French


@cache
def assessment(path: Path) -> recp.Assessment:
    return recp.assess(recp.load(path))


DAIRY = ROOT / "scenarios" / "dairy-md.yaml"


def test_every_language_is_shipped():
    assert languages() == LANGS


# -- numbers in the locale's format ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "energy", "share"),
    [
        ("en", "58,340", "−9.3 %"),  # recp's English style: a space before %
        ("fr", f"58{NNBSP}340", "−9,3\u00a0%"),
        ("es", "58.340", "−9,3\u00a0%"),
        ("ru", "58\u00a0340", "−9,3\u00a0%"),  # CLDR's ru groups with a no-break space
        # ar: Latin digits and symbols, CLDR's default for Arabic since Babel 2.15; recp asks for
        # them on every Babel version (2.14's "arab" default mixed 58٬340: Babel keeps Latin digits)
        ("ar", "58,340", "9.3"),
        ("zh", "58,340", "−9.3%"),
    ],
)
def test_numbers_follow_the_locale(lang, energy, share):
    """The dairy's baseline final energy (58,340 GJ) and the quick wins' change (−9.3 %)."""
    energies = energy if isinstance(energy, tuple) else (energy,)
    shares = share if isinstance(share, tuple) else (share,)
    md = render(assessment(DAIRY), "md", lang).decode()
    assert any(f"| {x} |" in md for x in energies)
    assert any(x in md for x in shares)
    html = render(assessment(DAIRY), "html", lang).decode()
    assert any(f">{x}<" in html for x in energies)


def test_decimal_and_percent_rules_are_the_same_in_every_language():
    for lang in LANGS:
        with number_locale(lang):
            assert num(0) == "0" and pct(0.0) in ("0 %", "0\u00a0%", "0%")
            assert num(float("nan")) == "—"
    with number_locale("fr"):
        assert (num(1.28219), num(1234567.0), pct(-0.1834)) == (
            "1,28",
            f"1{NNBSP}234{NNBSP}567",
            "−18,3\u00a0%",
        )


def test_dates_in_the_locale(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")  # 2025-11-30
    want = {
        "en": "2025-11-30",
        "fr": "30 novembre 2025",
        "es": "30 de noviembre de 2025",
        "ru": "30 ноября 2025 г.",
    }
    for lang, date in want.items():
        assert date in render(assessment(DAIRY), "md", lang).decode(), lang


# -- right to left -----------------------------------------------------------------------------


def test_arabic_page_is_right_to_left_and_others_are_not():
    ar = render(assessment(DAIRY), "html", "ar").decode()
    assert '<html lang="ar" dir="rtl">' in ar
    assert "Noto Sans Arabic" in re.search(r"html \{ font-family: ([^;]+);", ar).group(1)
    for lang in ("en", "fr", "ru", "zh"):
        assert 'dir="rtl"' not in render(assessment(DAIRY), "html", lang).decode()


def test_layout_css_uses_logical_properties_only():
    """Mirroring for rtl comes from start/end and inline properties, never left/right."""
    rules = _CSS.split("@page")[0] + _CSS.split("@media print")[1]
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)|text-align:\s*(?:left|right)", rules
    )
    assert physical == []
    assert "svg.chart { direction: ltr; }" in _CSS  # chart geometry stays as computed


def test_arabic_workbook_reads_right_to_left():
    wb = openpyxl.load_workbook(io.BytesIO(render(assessment(DAIRY), "xlsx", "ar")))
    assert all(ws.sheet_view.rightToLeft for ws in wb)
    assert wb.worksheets[0].title == labels("ar")["excel.sheets.summary"]
    wb = openpyxl.load_workbook(io.BytesIO(render(assessment(DAIRY), "xlsx", "fr")))
    assert not any(ws.sheet_view.rightToLeft for ws in wb)


# -- every worked plant in every language: Markdown and Excel -----------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_markdown_and_excel_in_every_language(path):
    a = assessment(path)
    for lang in LANGS:
        lab = labels(lang)
        md = render(a, "md", lang).decode()
        assert lab["sections.summary"] in md and lab["report.title"] in md, lang
        wb = openpyxl.load_workbook(io.BytesIO(render(a, "xlsx", lang)))
        titles = [ws.title for ws in wb]
        assert titles[0] == lab["excel.sheets.summary"], (lang, titles)
        assert lab["excel.sheets.flows"] in titles, (lang, titles)


# -- every worked plant in every language: HTML in headless Chromium ----------------------------


class _Text(HTMLParser):
    """The visible text of a DOM (outside style, script and title)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(dom: str) -> str:
    p = _Text()
    p.feed(dom)
    return "".join(p.parts)


@cache
def fontconfig_charsets() -> list[tuple[frozenset[str], tuple[tuple[int, int], ...]]]:
    """(family names, code point ranges) of every font fontconfig knows."""
    out = subprocess.run(
        ["fc-list", "--format", "%{family}\t%{charset}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fonts = []
    for line in out.splitlines():
        fam, _, cs = line.partition("\t")
        ranges = []
        for part in cs.split():
            lo, _, hi = part.partition("-")
            ranges.append((int(lo, 16), int(hi or lo, 16)))
        fonts.append((frozenset(f.strip() for f in fam.split(",")), tuple(ranges)))
    return fonts


def uncovered(text: str, stack: list[str]) -> set[str]:
    """Characters of ``text`` that no installed font of ``stack`` has a glyph for."""
    fonts = [r for fams, r in fontconfig_charsets() if fams & set(stack)]
    assert fonts, f"no font of the stack is installed: {stack}"
    missing = set()
    for ch in set(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in "\n\t":
            continue  # controls and bidi marks have no glyph of their own
        cp = ord(ch)
        if not any(lo <= cp <= hi for r in fonts for lo, hi in r):
            missing.add(ch)
    return missing


def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("RECP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ar", "es", "fr", "ru", "zh"])
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_plant_renders_in_chromium_in_every_language(path, lang, tmp_path):
    """English: tests/test_report_html.py::test_example_plant_renders_in_chromium."""
    html = tmp_path / f"{path.stem}-{lang}.html"
    write_report(assessment(path), html, lang=lang)
    shot = screenshot_dir(tmp_path) / f"{path.stem}-{lang}.png"
    dom = check_in_browser(html, tmp_path, screenshot=shot)  # no console error, charts drawn
    lab = labels(lang)
    assert f'<html lang="{lab["meta.html_lang"]}"' in dom
    assert ('dir="rtl"' in dom) == (lang == "ar")
    stack = re.findall(r'"([^"]+)"', lab["meta.fonts"])
    missing = uncovered(visible_text(dom), stack)
    assert not missing, f"{lang}: no glyph in the font stack for {sorted(missing)}"
    cells = [html_lib.unescape(c) for c in re.findall(r'<td class="n[^"]*">([^<]*)</td>', dom)]
    # Numbers in the locale's format: a comma never groups thousands in fr, ru, es.
    if lang in ("es", "fr", "ru"):
        # (a leading 1-9: "0,113" is a decimal; three significant digits never give "1,234")
        comma_groups = [c for c in cells if re.search(r"(?<![\d,.])[1-9]\d{0,2},\d{3}(?!\d)", c)]
        assert not comma_groups, comma_groups
        group = {"es": ".", "fr": NNBSP, "ru": "\u00a0"}[lang]
        assert any(re.search(rf"\d{group}\d{{3}}", c) for c in cells), cells
