"""Report languages: complete label files, no untranslated English in the Chinese report."""

from __future__ import annotations

import io
import re
import string
from functools import cache
from html.parser import HTMLParser

import openpyxl
import pytest

import recp
from recp.errors import InputError
from recp.report import render, write_report
from recp.report.lang import labels, languages, translator
from tests.conftest import ROOT

#: zh values that may equal the English ones: unit symbols and chemical formulas.
SAME_IN_EVERY_LANGUAGE = {"units.m3", "units.CO2e", "units.CO2", "units.percent"}
#: ASCII words allowed in the text of a Chinese report (outside the user's own text): unit
#: symbols, codes and names that are not translated.
ASCII_ALLOWED = {
    "recp",
    "RECP",
    "USD",
    "GWP",
    "PCDD",
    "kWh",
    "MWh",
    "GWh",  # a unit symbol, shown as the amount was entered
    "TEQ",
    "Noto",
    "Sans",
    "CJK",
}


@cache
def assessment(name: str = "dairy-md") -> recp.Assessment:
    return recp.assess(recp.load(ROOT / "scenarios" / f"{name}.yaml"))


def placeholders(s: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(s) if f is not None}


#: Labels that are rightly spelt as in English in a language (words the languages share,
#: chemical names, the colon); any other label equal to the English one is untranslated.
SAME_AS_ENGLISH = {
    "ar": {
        "indicator_names.hcb",
        "indicator_names.pcb",
        "indicator_names.pcdd_f",
        "report.colon",
        "units.m3",
    },
    "es": {
        "components.total",
        "excel.answer_no",
        "factors.id",
        "flow_types.material",
        "indicator_names.hcb",
        "indicator_names.pcb",
        "indicator_names.pcdd_f",
        "plant.sector",
        "report.colon",
        "sectors.hospital",
        "units.m3",
        "units.t",
    },
    "fr": {
        "components.air",
        "components.anthracite",
        "components.ch4",
        "components.co2",
        "components.coke",
        "components.lignite",
        "components.n2o",
        "components.scope1",
        "components.scope2",
        "components.total",
        "excel.code",
        "factors.source",
        "flows.type",
        "indicator_names.hcb",
        "indicator_names.pcb",
        "indicator_names.pcdd_f",
        "plant.production",
        "plant.source",
        "report.figure",
        "units.fraction",
        "units.m3",
        "units.t",
    },
    "ru": {"report.colon"},
    "zh": {"units.m3"},
}
LOCALE = ROOT / "src" / "recp" / "locale"


def test_languages_are_the_shipped_catalogues():
    assert languages() == ["ar", "en", "es", "fr", "ru", "zh"]


def read_catalogue(lang: str):
    from babel.messages.pofile import read_po

    with (LOCALE / lang / "LC_MESSAGES" / "recp.po").open("rb") as f:
        return read_po(f, locale=lang, domain="recp")


@pytest.mark.parametrize("lang", ["ar", "en", "es", "fr", "ru", "zh"])
def test_every_message_has_a_translation(lang):
    """No silent fallback: every message of every catalogue is translated and checked."""
    from babel.messages.pofile import read_po

    cat = read_catalogue(lang)
    with (LOCALE / "recp.pot").open("rb") as f:
        template = {(m.context, m.id) for m in read_po(f) if m.id}
    ids = {(m.context, m.id) for m in cat if m.id}
    assert ids == template, (template - ids, ids - template)  # up to date with the template
    for m in cat:
        if m.id:
            assert m.context, m.id
            assert m.string, f"{lang}: {m.context} has no translation"
            assert not m.fuzzy, f"{lang}: {m.context} is fuzzy (English changed; check it)"
    assert not [e for e in cat.check() if e[1]], [(m.context, e) for m, e in cat.check() if e]


def test_english_catalogue_is_the_template():
    for m in read_catalogue("en"):
        if m.id:
            assert m.string == m.id, m.context


@pytest.mark.parametrize("lang", ["ar", "es", "fr", "ru", "zh"])
def test_every_label_is_translated(lang):
    en, other = labels("en"), labels(lang)
    assert set(en) == set(other), (set(en) - set(other), set(other) - set(en))
    same = SAME_IN_EVERY_LANGUAGE | SAME_AS_ENGLISH[lang]
    for k, v in en.items():
        assert placeholders(other[k]) == placeholders(v), k
        if k not in same and not k.startswith("meta."):
            assert other[k] != v, f"{lang}: {k} is not translated ({v!r})"
    assert other["meta.html_lang"] != en["meta.html_lang"]


def test_every_code_has_a_label():
    from recp.factors import library
    from recp.scenario import CATEGORIES, FLOW_TYPES, WASTE_ROUTES, WATER_SOURCES

    for lang in languages():
        lab = labels(lang)
        for carrier in library().carriers:
            assert f"components.{carrier}" in lab, (lang, carrier)
        for comp in (
            *WATER_SOURCES,
            *WASTE_ROUTES,
            "scope1",
            "scope2",
            "co2",
            "ch4",
            "n2o",
            "biogenic_co2",
            "hazardous",
            "non_hazardous",
            "electricity",
            "heat",
            "air",
            "water",
            "land",
            "product",
            "residue",
        ):
            assert f"components.{comp}" in lab, (lang, comp)
        for c in CATEGORIES:
            assert f"categories.{c}" in lab, (lang, c)
        for ft in FLOW_TYPES:
            assert f"flow_types.{ft}" in lab, (lang, ft)


def test_unknown_language_names_the_valid_ones(tmp_path):
    valid = "valid: ar, en, es, fr, ru, zh"
    with pytest.raises(InputError, match=rf"unknown report language 'pt'; {valid}"):
        translator("pt")
    with pytest.raises(InputError, match=valid):
        write_report(assessment(), tmp_path / "r.html", lang="pt")
    assert not (tmp_path / "r.html").exists()


class _Text(HTMLParser):
    """Text of a document outside ``translate="no"`` elements, styles and scripts."""

    VOID = {"meta", "br", "link", "input", "img", "hr", "rect", "line", "path"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is its text excluded?
        self.parts: list[str] = []
        self.attrs: list[str] = []
        self.in_head = False  # the document's <title> is the plant's name and a label

    def handle_starttag(self, tag, attrs):
        self.in_head = tag == "head" or (self.in_head and tag != "body")
        a = dict(attrs)
        for k in ("aria-label", "title", "alt", "placeholder"):
            if a.get(k) and not (self.stack and self.stack[-1]):
                self.attrs.append(a[k])
        if tag in self.VOID:
            return
        excluded = (
            (bool(self.stack) and self.stack[-1])
            or a.get("translate") == "no"
            or tag in ("style", "script")
            or (tag == "title" and self.in_head)
        )
        self.stack.append(excluded)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def zh_text(name: str = "dairy-md") -> str:
    p = _Text()
    p.feed(render(assessment(name), "html", "zh").decode())
    return " ".join(p.parts)


def english_fragments() -> set[str]:
    """Pieces of English labels (between placeholders) with at least four letters."""
    out = set()
    for k, v in labels("en").items():
        if k.startswith("meta.") or k in SAME_IN_EVERY_LANGUAGE:
            continue
        for lit, _, _, _ in string.Formatter().parse(v):
            lit = lit.strip(" :.,;()[]—-")
            if sum(ch.isascii() and ch.isalpha() for ch in lit) >= 4:
                out.add(lit)
    return out


@pytest.mark.parametrize("name", ["dairy-md", "textile-dyeing-bd", "metal-finishing-ua"])
def test_chinese_html_has_no_english_label(name):
    text = zh_text(name)
    leaked = sorted(
        f
        for f in english_fragments()
        if re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![A-Za-z])", text)
    )
    assert leaked == []
    words = set(re.findall(r"[A-Za-z]{3,}", text))
    assert words <= ASCII_ALLOWED, words - ASCII_ALLOWED


def test_chinese_html_declares_language_and_cjk_fonts():
    html = render(assessment(), "html", "zh").decode()
    assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html
    fonts = re.search(r"html \{ font-family: ([^;]+);", html).group(1)
    assert fonts.startswith('"Noto Sans CJK SC"')
    en = render(assessment(), "html").decode()
    assert '<html lang="en">' in en and '"Noto Sans CJK SC"' in en  # user text in CJK renders


def test_chinese_workbook_headers_are_translated():
    wb = openpyxl.load_workbook(io.BytesIO(render(assessment(), "xlsx", "zh")))
    fragments = english_fragments()
    for ws in wb:
        for row in ws.iter_rows():
            cell = row[0]
            if cell.fill is None or cell.fill.fgColor.rgb not in ("001D3557", "FF1D3557"):
                continue
            for c in row:
                if isinstance(c.value, str):
                    hits = [
                        f
                        for f in fragments
                        if re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![A-Za-z])", c.value)
                    ]
                    assert not hits, (ws.title, c.value, hits)


def test_units_are_translated():
    zh = translator("zh")
    assert zh.unit("t CO2e/year") == "吨 CO₂e/年"
    assert zh.unit("m3/t") == "m³/吨"
    assert zh.unit("GJ") == "GJ" and zh.unit("USD/year") == "USD/年"
    en = translator("en")
    assert en.unit("t CO2e/year") == "t CO₂e/yr"
    assert en.header("interventions.capex", "USD") == "Capex [USD]"


def test_every_warning_code_has_a_translated_title():
    """Every code recp can raise (found in its source) has its own title in every language."""
    src = ROOT / "src" / "recp"
    codes = set()
    for py in src.rglob("*.py"):
        codes |= set(re.findall(r'"code": "([a-z0-9_]+)"', py.read_text("utf-8")))
    codes |= {f"{b}_balance{s}" for b in ("water", "mass") for s in ("", "_unchecked")}
    assert len(codes) >= 19, codes
    for lang in languages():
        lab = labels(lang)
        assert not [c for c in codes if f"warning_codes.{c}" not in lab], lang


def warning_templates() -> set[str]:
    return {k.split(".", 1)[1] for k in labels("en") if k.startswith("warning_messages.")}


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_english_warning_templates_give_the_engine_message(path):
    """The English template filled from a warning's fields is the engine's own message, so a
    translated template says the same thing with the same fields (none missing)."""
    a = recp.assess(recp.load(path))
    en = labels("en")
    for w in a.warning_details():
        key = w.get("template") or w["code"]
        if key in warning_templates():
            fields = {k: v for k, v in w.items() if k not in ("code", "message", "template")}
            assert en[f"warning_messages.{key}"].format(**fields) == w["message"]
            for lang in languages():
                assert translator(lang).warning_message(w), lang
    assert a.to_dict()["warnings"] == a.warnings()  # JSON unchanged: code and message
    assert all(set(w) == {"code", "message"} for w in a.warnings())


def test_warning_templates_cover_these_codes():
    assert warning_templates() == {
        "combustion_factor_fallback",
        "mass_balance",
        "water_balance",
        "flows_without_price",
        "flows_without_price_others",
        "grid_cm_quality",
        "grid_cm_missing",
        "grid_factor_lifecycle",
        "heat_without_factor",
        "landfill_type_unknown",
        "no_discount_rate",
        "no_effect",
        "no_lifetime",
        "wastewater_n2o_not_estimated",
    }


def test_french_report_translates_templated_warnings():
    md = render(assessment("dairy-md"), "md", "fr").decode()
    a = assessment("dairy-md")
    codes = {w["code"] for w in a.warning_details()} & warning_templates()
    assert codes  # grid_factor_lifecycle
    for w in a.warning_details():
        if w["code"] in codes:
            assert w["message"] not in md
            assert translator("fr").warning_message(w) in md.replace("\\_", "_")


@pytest.mark.parametrize("balance", ["water", "mass"])
def test_balance_warning_templates_give_the_engine_message(balance):
    from recp.assessment import balance_warning

    w = balance_warning(balance, "m3", 1200.0, 900.0, -0.25, 0.1, False, None)
    fields = {k: v for k, v in w.items() if k not in ("code", "message")}
    assert labels("en")[f"warning_messages.{balance}_balance"].format(**fields) == w["message"]
    fr = translator("fr").warning_message(w)
    assert "1200 m3" in fr and f"balances.{balance}" in fr and "ne boucle pas" in fr
