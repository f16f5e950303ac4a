"""The HTML report: one self-contained file (inline CSS and SVG) that prints to A4.

Every string from the scenario file goes through :func:`html.escape` and is marked
``translate="no"`` (it is the user's text, not a label). A Content-Security-Policy allows no
network access and only the one inline script below (by its hash), so that even a mistake in
escaping could not run code. That script is a self-check: it records errors and checks that
every chart drew marks, and writes the verdict into ``<body data-selfcheck="ok">``; the report
reads and prints the same without it.
"""

from __future__ import annotations

import base64
import hashlib
import string
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from recp.report import charts as ch
from recp.report.fmt import DASH, change, money, num, pct
from recp.report.lang import (
    Translator,
    ghg_summary,
    indicator_label,
    intervention_headers,
    scenario_economics_headers,
    scenario_summary,
    sector_name,
)
from recp.report.model import (
    INTERVENTION_ECONOMICS,
    MAIN,
    RELEASE_INDICATORS,
    SCENARIO_ECONOMICS,
    CalcView,
    FlowInfo,
    ReportData,
    calculations,
)
from recp.toolkits import RELEASE_ECONOMICS

#: How a number is shown in a cell.
Formatter = Callable[[float | None], str]
#: Economics columns shown in red when negative (a loss, not a saving).
NEG_RED = frozenset({"annual_saving", "npv"})

#: The report's only script (see the module docstring); allowed by its hash in the CSP.
SELFCHECK = """(function () {
  var errors = [];
  function verdict() {
    var b = document.body;
    if (!b) { return; }
    var charts = document.querySelectorAll("svg.chart"), empty = [];
    for (var i = 0; i < charts.length; i++) {
      var marks = charts[i].querySelectorAll(".mark"), n = 0;
      for (var j = 0; j < marks.length; j++) {
        var r = marks[j].getBBox();
        if (r.width > 0 && r.height > 0) { n++; }
      }
      charts[i].setAttribute("data-marks", String(n));
      if (n === 0) { empty.push(charts[i].getAttribute("data-chart")); }
    }
    b.setAttribute("data-charts", String(charts.length));
    b.setAttribute("data-empty-charts", empty.join(" "));
    b.setAttribute("data-errors", errors.join(" | "));
    b.setAttribute("data-selfcheck", errors.length || empty.length ? "fail" : "ok");
  }
  window.addEventListener("error", function (e) {
    errors.push("error: " + (e.message || (e.target && e.target.tagName) || "?"));
    verdict();
  }, true);
  document.addEventListener("securitypolicyviolation", function (e) {
    errors.push("csp: " + e.violatedDirective);
    verdict();
  });
  var original = console.error;
  console.error = function () {
    errors.push("console: " + Array.prototype.join.call(arguments, " "));
    verdict();
    return original.apply(console, arguments);
  };
  document.addEventListener("DOMContentLoaded", verdict);
})();"""

_CSS = """
:root { --ink: #22303c; --muted: #5f6b76; --navy: #1d3557; --teal: #2a7f8f; --line: #d9e0e6;
  --soft: #f4f7f9; --green: #2e7d4f; --red: #b03a2e; --amber: #e0a030; }
* { box-sizing: border-box; }
/* Right to left (Arabic): the layout mirrors through logical properties (start/end, inline);
   charts keep the left-to-right geometry their coordinates and text anchors were computed
   in (a value axis grows to the right, as in Arabic technical print); labels still read rtl. */
svg.chart { direction: ltr; }
html { font-family: __FONTS__; color: var(--ink); font-size: 14px; line-height: 1.45;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #e9edf1; }
main { max-width: 1040px; margin: 24px auto; background: #fff;
  box-shadow: 0 1px 6px rgba(20, 40, 60, .12); padding-bottom: 28px; }
header.cover { background: var(--navy); color: #fff; padding: 26px 40px 22px; }
.kicker { text-transform: uppercase; letter-spacing: .09em; font-size: 11px; opacity: .8; }
h1 { font-size: 28px; margin: 6px 0 6px; font-weight: 650; line-height: 1.2; }
.meta { font-size: 13px; opacity: .92; }
.meta span + span::before { content: "·"; margin: 0 .55em; opacity: .7; }
.generated { font-size: 11.5px; opacity: .75; margin-top: 6px; }
section { padding: 2px 40px; }
h2 { font-size: 19px; color: var(--navy); border-bottom: 2px solid var(--navy);
  padding-bottom: 4px; margin: 26px 0 12px; break-after: avoid; }
h2 .no { color: var(--teal); margin-inline-end: .45em; }
h3 { font-size: 15px; margin: 20px 0 8px; break-after: avoid; }
p { margin: 6px 0 10px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; margin: 6px 0 4px; }
th { font-weight: 600; text-align: start; border-bottom: 1.5px solid var(--ink);
  padding: 5px 6px; vertical-align: bottom; }
td { border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
td.n, th.n { text-align: end; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tr.total td { font-weight: 650; border-top: 1.5px solid var(--ink); background: var(--soft); }
tr.sub td { color: var(--muted); }
td.ind { padding-inline-start: 18px; }
.neg { color: var(--red); }
.pos { color: var(--green); }
.caption, figcaption { font-size: 11.5px; color: var(--muted); margin: 4px 0 16px; }
figcaption b, .caption b { color: var(--ink); font-weight: 600; }
.kpis { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 18px 0 16px; }
.kpi { border: 1px solid var(--line); border-top: 3px solid var(--teal); padding: 9px 11px 10px;
  border-radius: 3px; break-inside: avoid; }
.kpi .label { font-size: 11px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); }
.kpi .value { font-size: 21px; font-weight: 650; margin-top: 2px; white-space: nowrap; }
.kpi .unit { font-size: 12px; color: var(--muted); margin-inline-start: 3px; font-weight: 400; }
.kpi .sub { font-size: 11.5px; color: var(--muted); }
.kpi .chg { font-size: 11.5px; color: var(--green); }
.kpi .chg.up { color: var(--red); }
.kpi .chg.zero { color: var(--muted); }
.summary p { font-size: 13.5px; }
.toc { columns: 2; font-size: 12.5px; margin: 6px 0 0; padding-inline-start: 18px; }
.toc a { color: var(--navy); text-decoration: none; }
figure { margin: 12px 0 18px; break-inside: avoid; }
svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg.chart text { font-family: inherit; }
svg.chart text.halo { paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; }
.tag { display: inline-block; font-size: 10.5px; padding: 0 6px; border-radius: 8px;
  background: #eef3f6; color: var(--muted); white-space: nowrap; }
.id { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 10.5px;
  color: var(--muted); }
.measure .name { display: block; }
.warn { border-inline-start: 3px solid var(--amber); background: #fdf7ea; padding: 7px 12px;
  margin: 8px 0; break-inside: avoid; }
.warn b { display: block; font-size: 12.5px; }
.warn .msg { font-size: 12px; color: var(--muted); }
.notes { font-size: 12.5px; color: var(--muted); white-space: pre-line; }
.src { font-size: 11.5px; color: var(--muted); word-break: break-word; }
.canon { font-size: 11px; color: var(--muted); white-space: nowrap; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 4px 0;
  font-size: 12.5px; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
.detail { break-inside: avoid; border-top: 1px solid var(--line); padding: 6px 0 4px; }
.detail h4 { margin: 4px 0 4px; font-size: 13px; }
.detail .id { margin-inline-start: .4em; }
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-left { content: __FOOTER__; font-size: 8pt; color: #5f6b76; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt;
    color: #5f6b76; } }
@page wide { size: A4 landscape; margin: 12mm 12mm 14mm; }
@media print {
  html { font-size: 10pt; }
  body { background: #fff; }
  main { max-width: none; margin: 0; box-shadow: none; padding: 0; }
  header.cover { padding: 16px 20px 14px; }
  section { padding: 0; }
  .major { break-before: page; }
  .wide { page: wide; }
  thead { display: table-header-group; }
  tr, .kpi, .warn { break-inside: avoid; }
  table { font-size: 8.5pt; }
  figure svg.chart { max-height: 105mm; }
  .wide figure svg.chart { max-height: 82mm; }
  .kpis { gap: 3mm; }
  .kpi { padding: 2mm 2.5mm; }
  .kpi .value { font-size: 14pt; }
  .kpi .label, .kpi .sub, .kpi .chg { font-size: 7.5pt; }
  a { color: inherit; text-decoration: none; }
}
"""


def _css_string(s: str) -> str:
    """Quote ``s`` as a CSS string literal, safe inside ``<style>``.

    Every character that is not an ASCII letter, digit or space is written as a hex escape, so
    user text can end neither the string nor the style element.
    """
    out = []
    for c in s:
        if c.isalnum() and ord(c) < 128 or c == " ":
            out.append(c)
        else:
            out.append(f"\\{ord(c):x} ")
    return '"' + "".join(out) + '"'


def _sha256(s: str) -> str:
    """Base64 SHA-256 of ``s`` (UTF-8), as a Content-Security-Policy hash source."""
    return base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii")


def u(s: object) -> str:
    """User text: escaped and marked as not to be translated."""
    return f'<span translate="no">{escape(str(s))}</span>'


def _sector(t: Translator, sector: str | None) -> str:
    """The plant's sector: recp's sector codes translated, the user's own text as written."""
    if not sector:
        return DASH
    name = sector_name(t, sector)
    return e(name) if name != sector else u(sector)


def u_svg(s: object) -> str:
    """User text inside an SVG ``<text>``."""
    return f'<tspan translate="no">{escape(str(s))}</tspan>'


def chart_title(t: Translator, key: str, **kw: str) -> ch.Markup:
    """Build a chart title as SVG markup: the label escaped, user values (``user_*``) marked."""
    html = {
        k.removeprefix("user_"): (u_svg(v) if k.startswith("user_") else escape(v))
        for k, v in kw.items()
    }
    return ch.Markup(fill(t, key, **html))


def e(s: object) -> str:
    """Escaped text."""
    return escape(str(s))


def fill(t: Translator, key: str, **html: str) -> str:
    """Return the label ``key`` as HTML, its ``{placeholders}`` replaced by ready-made HTML.

    The label's own text is escaped; the values are inserted as they are (callers escape them,
    with :func:`u` for user text).
    """
    out = []
    for literal, field, _spec, _conv in string.Formatter().parse(t(key)):
        out.append(escape(literal))
        if field is not None:
            out.append(html[field])
    return "".join(out)


class _Doc:
    """Numbered figures and tables, and the HTML of each section."""

    def __init__(self, t: Translator):
        self.t = t
        self.fig = 0
        self.tab = 0
        self.sections: list[tuple[str, str]] = []

    def figure(self, svg: str, caption: str) -> str:
        """Build the next numbered figure; ``caption`` is ready-made HTML."""
        self.fig += 1
        return (
            f"<figure>{svg}<figcaption><b>{e(self.t('report.figure', n=self.fig))}</b> "
            f"{caption}</figcaption></figure>"
        )

    def table(
        self,
        head: Sequence[tuple[str, bool]],
        rows: Sequence[str],
        caption: str = "",
        cls: str = "",
    ) -> str:
        """Build a table; ``head`` is ``(escaped html, numeric)``; rows are ``<tr>`` strings."""
        self.tab += 1
        ths = "".join(f'<th class="n">{h}</th>' if n else f"<th>{h}</th>" for h, n in head)
        cap = (
            (f'<p class="caption"><b>{e(self.t("report.table", n=self.tab))}</b> {caption}</p>')
            if caption
            else ""
        )
        c = f' class="{cls}"' if cls else ""
        return (
            f"<table{c}><thead><tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody></table>" + cap
        )


def _td(v: str, numeric: bool = True, cls: str = "") -> str:
    """A table cell of ready-made HTML, right-aligned when ``numeric``."""
    classes = " ".join(x for x in ("n" if numeric else "", cls) if x)
    return f'<td class="{classes}">{v}</td>' if classes else f"<td>{v}</td>"


def _numcell(v: float | None, f: Formatter = num, neg_red: bool = False) -> str:
    """A number cell formatted with ``f``; red when negative and ``neg_red``."""
    s = f(v)
    cls = "neg" if neg_red and v is not None and v < 0 else ""
    return _td(e(s), True, cls)


def state_label(t: Translator, state: str) -> str:
    """Display text of a state: the translated ``Baseline`` or the scenario's own name."""
    return t("states.baseline") if state == "baseline" else state


def _pct_tick(v: float | None) -> str:
    """A percentage axis tick: whole percent, one decimal for small fractional ticks."""
    if v is None:
        return DASH
    p = v * 100
    s = f"{p:.0f}" if abs(p) >= 10 or p == round(p) else f"{p:.1f}"
    return ("0" if s in ("-0", "0") else s).replace("-", "\u2212") + " %"


def render(data: ReportData, t: Translator) -> str:
    """Render the report as one HTML document."""
    d = _Doc(t)
    # Figures and tables are numbered in the order they are built: keep this order.
    header = _cover(data, t)
    kpis = _kpis(data, t)
    sentences = _summary_sentences(d, data, t)
    sec_plant = _plant_section(d, data, t)
    sec_base = _indicator_table(d, data, t) + _ghg_figure(d, data, t)
    sec_ghg = _ghg_section(d, data, t)
    base_total = sum(f.energy.get("baseline", 0.0) for f in data.flows if f.carrier)
    sec_energy = _sankey_figure(d, data, t, "baseline", base_total, 0) if base_total > 0 else ""
    sec_iv = _interventions_section(d, data, t)
    sec_sc = _scenarios_section(d, data, t, base_total)
    sec_rel = _releases(d, data, t)
    sec_warn = _warnings_section(data, t)
    sec_fac = _factors_table(d, data, t)
    sec_det = _details_section(data, t)
    parts: list[tuple[str, str, str, str]] = [
        ("plant", t("sections.plant"), sec_plant, "major"),
        ("baseline", t("sections.baseline"), sec_base, "major"),
    ]
    if sec_ghg:
        parts.append(("ghg", t("sections.ghg"), sec_ghg, "major wide"))
    if sec_energy:
        parts.append(("energy", t("sections.energy_flows"), sec_energy, ""))
    parts.append(("interventions", t("sections.interventions"), sec_iv, "major wide"))
    if sec_sc:
        parts.append(("scenarios", t("sections.scenarios"), sec_sc, "major"))
    if sec_rel:
        parts.append(("releases", t("sections.releases"), sec_rel, "major"))
    parts.append(("warnings", t("sections.warnings"), sec_warn, ""))
    parts.append(("factors", t("sections.factors"), sec_fac, "major"))
    if sec_det:
        parts.append(("details", t("sections.details"), sec_det, "major"))
    body, toc = _sections(t, parts)
    summary = (
        f'<section id="summary" class="summary"><h2>{e(t("sections.summary"))}</h2>'
        f'<div class="kpis">{kpis}</div>'
        f'{"".join(sentences)}<ol class="toc">{toc}</ol></section>'
    )
    return _document(data, t, header + summary + body)


def _sections(t: Translator, parts: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """Numbered ``<section>`` elements (appendices unnumbered) and the table of contents."""
    body = []
    toc = []
    number = 0
    for sid, title, html_, cls in parts:
        appendix = sid in ("factors", "details")
        if not appendix:
            number += 1
        no = "" if appendix else f'<span class="no">{number}</span>'
        toc.append(f'<li><a href="#{sid}">{e(title)}</a></li>')
        klass = f' class="{cls}"' if cls else ""
        body.append(f'<section id="{sid}"{klass}><h2>{no}{e(title)}</h2>{html_}</section>')
    return "\n".join(body), "".join(toc)


def _dir(t: Translator) -> str:
    """`` dir="rtl"`` for a right-to-left language (CLDR's character order), else nothing."""
    return ' dir="rtl"' if t.rtl else ""


def _document(data: ReportData, t: Translator, main: str) -> str:
    """The whole document around ``main``: head, CSS, Content-Security-Policy and script."""
    plant = data.plant
    css = _CSS.replace("__FONTS__", " ".join(t("meta.fonts").split())).replace(
        "__FOOTER__", _css_string(f"{plant['name']} · {t('report.footer')}")
    )
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src 'sha256-{_sha256(css)}'; script-src 'sha256-{_sha256(SELFCHECK)}'; "
        "base-uri 'none'; form-action 'none'"
    )
    title = f"{plant['name']} · {t('report.title')}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(t("meta.html_lang"))}"{_dir(t)}>\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="recp {e(data.version)}">\n'
        f"<title>{e(title)}</title>\n<style>{css}</style>\n<script>{SELFCHECK}</script>\n"
        "</head>\n<body>\n<main>\n" + main + "\n</main>\n</body>\n</html>\n"
    )


# -- summary -----------------------------------------------------------------------------------


def _production(t: Translator, prod: dict[str, Any]) -> str:
    """A production rate as HTML: ``12,000 t/yr``."""
    return f"{e(num(prod['value']))} {e(t.unit(prod['unit']))}/{e(t.unit('year'))}"


def _cover(data: ReportData, t: Translator) -> str:
    """The cover header: plant name, country, sector, production and the generation note."""
    plant = data.plant
    colon = e(t("report.colon"))
    meta = [f"<span>{e(t('plant.country'))}{colon}{u(plant.get('country') or '')}</span>"]
    if plant.get("sector"):
        meta.append(f"<span>{e(t('plant.sector'))}{colon}{_sector(t, plant['sector'])}</span>")
    prod = plant.get("production")
    if prod:
        meta.append(f"<span>{e(t('plant.production'))}{colon}{_production(t, prod)}</span>")
    return (
        f'<header class="cover"><div class="kicker">{e(t("report.kicker"))}</div>'
        f'<h1 translate="no">{e(plant["name"])}</h1>'
        f'<div class="meta">{"".join(meta)}</div>'
        f'<div class="generated">{e(t("report.title"))} · '
        f"{e(t('report.generated', date=data.date, version=data.version))}</div>"
        "</header>"
    )


def _kpis(data: ReportData, t: Translator) -> str:
    """Key figures: baseline energy, GHG, water, waste and cost, with each scenario's change."""
    prod = data.plant.get("production")
    kpis = []
    for ind in ("energy", "ghg", "water", "waste", "cost"):
        v = data.value("baseline", ind)
        if v is None:
            continue
        unit = data.unit(ind) or ""
        sub = ""
        inten = data.value("baseline", f"{ind}_intensity")
        if inten is not None and prod:
            per = t(
                "summary.intensity", value=f"{num(inten)} {t.unit(unit)}", unit=t.unit(prod["unit"])
            )
            sub = f'<div class="sub">{e(per)}</div>'
        chg = []
        for s in data.scenarios:
            c = change(data.value(s, ind), v)
            if c is not None:
                up = " up" if c > 0 else (" zero" if abs(c) < 5e-4 else "")
                chg.append(f'<div class="chg{up}">{e(pct(c, sign=True))} · {u(s)}</div>')
        kpis.append(
            f'<div class="kpi"><div class="label">{e(t.name("indicator_names", ind))}</div>'
            f'<div class="value">{e(num(v))}<span class="unit">{e(t.unit(unit))}'
            f"</span></div>{sub}{''.join(chg)}</div>"
        )
    return "".join(kpis)


def _summary_sentences(d: _Doc, data: ReportData, t: Translator) -> list[str]:
    """One sentence per scenario with interventions, then the comparison figure."""
    sentences = []
    for s in data.scenarios:
        args = scenario_summary(t, data, s)
        if args is None:
            continue
        text = fill(
            t,
            "summary.scenario_sentence",
            scenario=f"<b>{u(s)}</b>",
            **{k: e(v) for k, v in args.items()},
        )
        sentences.append(f"<p>{text}</p>")
    if not data.scenarios:
        sentences.append(f"<p>{e(t('summary.no_interventions'))}</p>")
    ghg = ghg_summary(t, data)
    if ghg is not None:
        sentences.append(f'<p class="ghg-scopes">{e(t("summary.ghg_sentence", **ghg))}</p>')
    sentences.append(_compare_figure(d, data, t))
    return sentences


# -- 1 plant and assumptions -------------------------------------------------------------------


def _plant_section(d: _Doc, data: ReportData, t: Translator) -> str:
    """The plant's facts and assumptions, its notes and the table of flows."""
    kv_html = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in _plant_facts(data, t))
    notes = ""
    for key, val in (
        ("plant.notes", data.plant.get("notes")),
        ("plant.source", data.plant.get("source")),
        ("plant.notes", data.plant.get("scenario_notes")),
    ):
        if val:
            notes += f'<h3>{e(t(key))}</h3><p class="notes" translate="no">{e(val)}</p>'
    flows_table = _flows_table(d, data, t)
    return f'<dl class="kv">{kv_html}</dl>{notes}<h3>{e(t("sections.flows"))}</h3>{flows_table}'


def _plant_facts(data: ReportData, t: Translator) -> list[tuple[str, str]]:
    """(term, value) pairs as HTML: plant, settings, grid factor and each scenario's measures."""
    plant = data.plant
    prod = plant.get("production")
    rate = data.settings.get("discount_rate")
    kv = [
        (e(t("plant.name")), u(plant["name"])),
        (e(t("plant.country")), u(plant.get("country") or "")),
        (e(t("plant.sector")), _sector(t, plant.get("sector"))),
        (e(t("plant.production")), _production(t, prod) if prod else e(DASH)),
        (e(t("plant.currency")), e(data.currency)),
        (e(t("plant.gwp")), e(data.settings.get("gwp") or "")),
        (
            e(t("plant.discount_rate")),
            e(pct(rate) if rate is not None else t("report.not_computed")),
        ),
    ]
    grid_src = data.settings.get("grid_factor_source")
    if grid_src:
        kv.append(
            (e(t("plant.grid_factor")), f'<span class="src" translate="no">{e(grid_src)}</span>')
        )
    for s, ids in data.scenarios.items():
        kv.append(
            (fill(t, "plant.scenario", scenario=u(s)), ", ".join(u(i) for i in ids) or e(DASH))
        )
    return kv


def _flow_detail(t: Translator, f: FlowInfo) -> str:
    """A flow's detail as HTML: carrier, source or route, and whether waste is hazardous."""
    det = e(t.name("components", f.detail)) if f.detail else ""
    if f.type == "waste" and f.hazardous is not None:
        hz = t("flows.hazardous") if f.hazardous else t("flows.non_hazardous")
        det = f"{det}, {e(hz)}" if det else e(hz)
    return det


def _flows_table(d: _Doc, data: ReportData, t: Translator) -> str:
    """The plant's flows with their baseline amounts, prices and costs."""
    cur = data.currency
    named = any(f.name for f in data.flows)
    flow_rows = []
    for f in data.flows:
        name = _td(u(f.name) if f.name else "", False) if named else ""
        base = f.amounts.get("baseline", 0.0)
        cost = f.price * base if f.price is not None else None
        unit = e(t.unit(f.shown_unit))
        if f.converted:  # the canonical amount beside the one entered
            unit += f' <span class="canon">= {e(num(base))} {e(t.unit(f.unit))}</span>'
        flow_rows.append(
            "<tr>"
            + _td(f'<span class="id" translate="no">{e(f.id)}</span>', False)
            + name
            + _td(e(t.name("flow_types", f.type)), False)
            + _td(_flow_detail(t, f), False)
            + _numcell(f.shown())
            + _td(unit, False)
            + _numcell(f.shown_price)
            + _numcell(cost, money)
            + "</tr>"
        )
    return d.table(
        [(e(t("flows.id")), False)]
        + ([(e(t("flows.name")), False)] if named else [])
        + [
            (e(t("flows.type")), False),
            (e(t("flows.detail")), False),
            (e(t("flows.amount")), True),
            (e(t("flows.unit")), False),
            (e(t.header("flows.price", f"{cur}/unit")), True),
            (e(t.header("flows.cost", f"{cur}/year")), True),
        ],
        flow_rows,
        e(t("flows.caption")),
    )


# -- 2 baseline --------------------------------------------------------------------------------


def _indicator_label(t: Translator, ind: str, comp: str) -> str:
    """Label of a baseline indicator row (escaped): the indicator, a component or a route."""
    if comp == "total":
        return e(t.name("indicator_names", ind))
    if ind == "waste" and comp not in ("hazardous", "non_hazardous"):
        return e(t("indicators.route", route=t.name("components", comp)))
    return e(t.name("components", comp))


def _indicator_table(d: _Doc, data: ReportData, t: Translator) -> str:
    """Every baseline indicator and component, with the intensity of each total."""
    ind_rows = []
    for ind in data.indicators():
        if ind in RELEASE_INDICATORS:  # shown in the releases section
            continue
        if "total" not in data.components(ind):  # a group without a total (effluent loads)
            name = e(t.name("indicator_names", ind))
            ind_rows.append("<tr>" + _td(f"<b>{name}</b>", False) + _td("") * 4 + "</tr>")
        for comp in data.components(ind):
            first = comp == "total"
            unit = data.unit(ind, comp) or ""
            inten = data.value("baseline", f"{ind}_intensity") if first else None
            iu = data.unit(f"{ind}_intensity") if first else None
            label = _indicator_label(t, ind, comp)
            ind_rows.append(
                f'<tr class="{"" if first else "sub"}">'
                + _td(f"<b>{label}</b>" if first else label, False, "" if first else "ind")
                + _td(e(t.unit(unit)), False)
                + _numcell(data.value("baseline", ind, comp))
                + (_numcell(inten) if first else _td(""))
                + _td(e(t.unit(iu)) if iu else "", False)
                + "</tr>"
            )
    return d.table(
        [
            (e(t("indicators.indicator")), False),
            (e(t("indicators.unit")), False),
            (e(t("indicators.value")), True),
            (e(t("indicators.intensity")), True),
            (e(t("indicators.intensity_unit")), False),
        ],
        ind_rows,
        e(t("indicators.caption")),
    )


# -- 3 interventions, 4 scenarios, warnings and appendices -------------------------------------


def _interventions_section(d: _Doc, data: ReportData, t: Translator) -> str:
    """Per scenario: the interventions table, the GHG waterfall and the MAC curve."""
    sec_iv = ""
    for k, (s, ids) in enumerate(data.scenarios.items()):
        if not ids:
            continue
        sec_iv += f"<h3>{fill(t, 'interventions.scenario_heading', scenario=u(s))}</h3>"
        sec_iv += _interventions_table(d, data, t, s, ids)
        sec_iv += _waterfall_figure(d, data, t, s, ids, k)
        sec_iv += _macc_figure(d, data, t, s, ids, k)
    return sec_iv or f"<p>{e(t('interventions.no_scenarios'))}</p>"


def _scenarios_section(d: _Doc, data: ReportData, t: Translator, base_total: float) -> str:
    """The scenario comparison and economics tables, then each scenario's Sankey diagram."""
    if not data.scenarios:
        return ""
    sec_sc = _comparison(d, data, t)
    for k, s in enumerate(data.scenarios):
        if base_total > 0:
            sec_sc += _sankey_figure(d, data, t, s, base_total, k + 1)
    return sec_sc


def _warnings_section(data: ReportData, t: Translator) -> str:
    """One box per warning, or a sentence saying there are none."""
    if not data.warnings:
        return f"<p>{e(t('warnings.none'))}</p>"
    return "".join(
        f'<div class="warn"><b>{e(t.warning(w.get("code")))}</b>'
        f'<span class="msg" translate="no">{e(t.warning_message(w))}</span></div>'
        for w in data.warnings
    )


def _factor_value(v: float | None) -> str:
    """A factor's value with six significant digits."""
    return f"{v:.6g}" if v is not None else DASH


def _factors_table(d: _Doc, data: ReportData, t: Translator) -> str:
    """Every factor used, with its value, unit, source and the flows it applies to."""
    f_rows = []
    for fac in data.factors:
        funit = str(fac.get("unit") or "")
        f_rows.append(
            "<tr>"
            + _td(f'<span class="id" translate="no">{e(fac["id"])}</span>', False)
            + _numcell(fac.get("value"), _factor_value)
            + _td(e(t.unit(funit if funit != "1" else "")), False)
            + _td(f'<span class="src" translate="no">{e(fac.get("source") or "")}</span>', False)
            + _td(", ".join(u(x) for x in fac.get("flows", [])), False)
            + "</tr>"
        )
    return d.table(
        [
            (e(t("factors.id")), False),
            (e(t("factors.value")), True),
            (e(t("factors.unit")), False),
            (e(t("factors.source")), False),
            (e(t("factors.flows")), False),
        ],
        f_rows,
        e(t("factors.caption")),
    )


def _details_section(data: ReportData, t: Translator) -> str:
    """One block per intervention: category, scenarios, source, notes and its calculations."""
    views: dict[str, list[CalcView]] = {}
    for cv in calculations(data, t("details.calc_default")):
        views.setdefault(cv.intervention, []).append(cv)
    blocks = []
    for iv in data.interventions.values():
        in_sc = [s for s, ids in data.scenarios.items() if iv.id in ids]
        title = (
            f'<span translate="no">{e(iv.name)}</span> ' if iv.name else ""
        ) + f'<span class="id" translate="no">{e(iv.id)}</span>'
        facts = [
            f"<dt>{e(t('details.category'))}</dt><dd>{e(t.name('categories', iv.category))}</dd>"
        ]
        if in_sc:
            facts.append(
                f"<dt>{e(t('details.scenarios'))}</dt><dd>{', '.join(u(s) for s in in_sc)}</dd>"
            )
        for key, val in (("details.source", iv.source), ("details.notes", iv.notes)):
            if val:
                facts.append(f'<dt>{e(t(key))}</dt><dd class="src" translate="no">{e(val)}</dd>')
        calcs = "".join(_calc_block(t, cv) for cv in views.get(iv.id, []))
        blocks.append(
            f'<div class="detail"><h4>{title}</h4><dl class="kv">{"".join(facts)}</dl>{calcs}</div>'
        )
    return "".join(blocks)


def _calc_block(t: Translator, cv: CalcView) -> str:
    """How a computed change was computed: method, inputs, values, changes, equation, source."""

    def items(xs: list[str]) -> str:
        return '<ul class="calc">' + "".join(f"<li>{e(x)}</li>" for x in xs) + "</ul>"

    facts = [
        (t("details.calc_method"), f"<code>{e(cv.method)}</code> ({e(cv.flow)})"),
        (t("details.calc_inputs"), items(cv.inputs)),
        (t("details.calc_values"), items(cv.values)),
        (t("details.calc_changes"), items(cv.changes)),
        (t("details.calc_equation"), f'<span class="src">{e(cv.equation)}</span>'),
        (t("details.source"), f'<span class="src">{e(cv.source)}</span>'),
    ]
    dl = "".join(f'<dt>{e(k)}</dt><dd translate="no">{v}</dd>' for k, v in facts)
    return (
        f'<div class="calc"><h5>{e(t("details.calc_heading"))}: '
        f'<span translate="no">{e(cv.title)}</span></h5><dl class="kv">{dl}</dl></div>'
    )


# -- sections and figures ----------------------------------------------------------------------


def _ghg_figure(d: _Doc, data: ReportData, t: Translator) -> str:
    unit = t.unit(data.unit("ghg") or "t CO2e")
    rows = []
    gas_fill = {
        "co2": ch.NAVY,
        "ch4": "#5b8db8",
        "n2o": "#9cc3e0",
        "other_s1": "#b8c2cc",
        "scope2": ch.CARRIER_COLOURS["natural_gas"],
        "other": "#d0d5da",
    }
    for s in data.states:

        def v(comp: str, _s: str = s) -> float:
            return data.value(_s, "ghg", comp) or 0.0

        gases = {g: v(g) for g in ("co2", "ch4", "n2o")}
        other_s1 = v("scope1") - sum(gases.values())
        other = v("total") - v("scope1") - v("scope2")
        eps = 1e-9 * max(abs(v("total")), 1.0)
        segs = [ch.Segment(g, t.name("components", g), gases[g], gas_fill[g]) for g in gases]
        if other_s1 > eps:
            segs.append(
                ch.Segment("other_s1", t("charts.ghg_other_scope1"), other_s1, gas_fill["other_s1"])
            )
        segs.append(
            ch.Segment("scope2", t.name("components", "scope2"), v("scope2"), gas_fill["scope2"])
        )
        if other > eps:
            segs.append(ch.Segment("other", t("charts.ghg_other"), other, gas_fill["other"]))
        rows.append((state_label(t, s), segs))
    if not any(sg.value > 0 for _, segs in rows for sg in segs):
        return ""
    svg = ch.stacked_bars(
        "ghg-scope-gas", rows, title=t("charts.ghg_title", unit=t.unit("t CO2e/year")), unit=unit
    )
    return d.figure(svg, e(t("charts.ghg_caption")))


def _ghg_section(d: _Doc, data: ReportData, t: Translator) -> str:
    """GHG by scope with each component's definition, then each scenario's reductions."""
    scopes = data.ghg_scopes()
    if not scopes:
        return ""
    head: list[tuple[str, bool]] = [
        (e(t("indicators.indicator")), False),
        (e(t("indicators.unit")), False),
    ]
    head += [(u(state_label(t, s)), True) for s in data.states]
    head.append((e(t("ghg.definition")), False))
    rows = []
    for comp in scopes:
        cells = _td(e(t.name("components", comp)), False)
        cells += _td(e(t.unit(data.unit("ghg", comp))), False)
        cells += "".join(_numcell(data.value(s, "ghg", comp)) for s in data.states)
        note = t(f"ghg_notes.{comp}") if t.has(f"ghg_notes.{comp}") else ""
        cells += _td(f'<span class="src">{e(note)}</span>', False)
        cls = ' class="total"' if comp == "total" else ""
        rows.append(f"<tr{cls}>{cells}</tr>")
    out = f"<h3>{e(t('ghg.scopes_title'))}</h3>"
    out += d.table(head, rows, e(t("ghg.scopes_caption")))
    for s, ids in data.scenarios.items():
        if ids and data.reductions():
            out += _reductions_table(d, data, t, s, ids)
    for line in data.cm_lines(t):
        out += f'<p class="src" translate="no">{e(line)}</p>'
    if data.has_carbon_revenue():
        out += f'<p class="src">{e(t("ghg.carbon_note"))}</p>'
    return out


def _reductions_table(d: _Doc, data: ReportData, t: Translator, s: str, ids: list[str]) -> str:
    """Emission reductions of scenario ``s``: per measure in sequence, standalone total."""
    comps = data.reductions()
    unit = _per_year_unit(data.saving_unit("ghg_reduction") or "t CO2e")
    head: list[tuple[str, bool]] = [("#", True), (e(t("interventions.measure")), False)]
    head += [(e(t.with_unit(t.name("components", c), unit)), True) for c in comps]
    head.append((e(t.with_unit(t("ghg.standalone_total"), unit)), True))
    rows = []
    for i, iid in enumerate([*ids, None], start=1):
        label = (
            e(t("interventions.total"))
            if iid is None
            else f'<span class="id" translate="no">{e(iid)}</span>'
        )
        cells = _td(str(i) if iid else "") + _td(f"<b>{label}</b>" if iid is None else label, False)
        cells += "".join(
            _numcell(data.saving(s, iid, "ghg_reduction", c), neg_red=True) for c in comps
        )
        alone = data.saving(s, iid, "ghg_reduction", "total", "standalone") if iid else None
        cells += _numcell(alone, neg_red=True)
        rows.append(f'<tr class="total">{cells}</tr>' if iid is None else f"<tr>{cells}</tr>")
    title = fill(t, "ghg.reductions_title", scenario=u(s))
    return f"<h3>{title}</h3>" + d.table(head, rows, e(t("ghg.reductions_caption")))


def _per_year_unit(unit: str) -> str:
    """``t CO2e`` -> ``t CO2e/year``."""
    return unit if unit.endswith("/year") else f"{unit}/year"


def _sankey_figure(
    d: _Doc, data: ReportData, t: Translator, state: str, base_total: float, k: int
) -> str:
    """The energy Sankey diagram of one state, on the baseline's scale, as a figure."""
    flows = [
        ch.SankeyFlow(
            f.name or f.id,
            f.carrier or "",
            t.name("components", f.carrier),
            f.energy.get(state, 0.0),
        )
        for f in data.energy_flows(state)
    ]
    total = sum(f.value for f in flows)
    saved = base_total - total if state != "baseline" else None
    svg = ch.sankey(
        f"sankey-{k}",
        flows,
        scale_total=base_total,
        title=chart_title(
            t,
            "charts.sankey_title",
            unit=t.unit("GJ/year"),
            **({"state": state_label(t, state)} if state == "baseline" else {"user_state": state}),
        ),
        total_label=t("charts.sankey_total"),
        unit=t.unit("GJ"),
        saved=saved,
        saved_label=t("charts.sankey_saved"),
    )
    return d.figure(svg, e(t("charts.sankey_caption")))


def _economics_cells(ec: dict[str, Any], columns: Sequence[tuple[str, Formatter]]) -> str:
    """Number cells of an economics row; a negative saving or NPV is red."""
    return "".join(_numcell(ec.get(k), f, neg_red=k in NEG_RED) for k, f in columns)


def _interventions_table(d: _Doc, data: ReportData, t: Translator, s: str, ids: list[str]) -> str:
    """Each intervention of scenario ``s`` in sequence: savings and economics, then the total."""
    inds = data.saving_units()
    carbon = data.has_carbon_revenue()
    head = [
        (e(label), numeric)
        for label, numeric in intervention_headers(t, inds, data.currency, carbon=carbon)
    ]
    columns = data.economics_columns(INTERVENTION_ECONOMICS)
    rows = []
    for i, iid in enumerate(ids, start=1):
        iv = data.interventions.get(iid)
        name = f'<span class="name" translate="no">{e(iv.name)}</span>' if iv and iv.name else ""
        cells = (
            _td(str(i))
            + _td(
                f'<div class="measure">{name}<span class="id" translate="no">{e(iid)}</span></div>',
                False,
            )
            + _td(
                f'<span class="tag">{e(t.name("categories", iv.category if iv else ""))}</span>',
                False,
            )
        )
        cells += "".join(_numcell(data.saving(s, iid, ind), neg_red=True) for ind, _ in inds)
        cells += _economics_cells(data.econ(s, iid), columns)
        rows.append(f"<tr>{cells}</tr>")
    cells = _td("") + _td(f"<b>{e(t('interventions.total'))}</b>", False) + _td("", False)
    cells += "".join(_numcell(data.saving(s, None, ind), neg_red=True) for ind, _ in inds)
    cells += _economics_cells(data.econ(s, None), columns)
    rows.append(f'<tr class="total">{cells}</tr>')
    return d.table(
        head, rows, e(t("interventions.caption")) + " " + e(t("report.dash_note")), cls="iv"
    )


def _waterfall_figure(
    d: _Doc, data: ReportData, t: Translator, s: str, ids: list[str], k: int
) -> str:
    start = data.value("baseline", "ghg")
    end = data.value(s, "ghg")
    if start is None or end is None:
        return ""
    steps = [(iid, data.saving(s, iid, "ghg") or 0.0) for iid in ids]
    if not start and not end and not any(v for _, v in steps):
        return ""  # no GHG at all: nothing to draw
    svg = ch.waterfall(
        f"waterfall-{k}",
        (t("states.baseline"), start),
        steps,
        (s, end),
        title=chart_title(t, "charts.waterfall_title", user_scenario=s, unit=t.unit("t CO2e/year")),
        unit=t.unit("t CO2e"),
    )
    return d.figure(svg, e(t("charts.waterfall_caption")))


def _macc_figure(d: _Doc, data: ReportData, t: Translator, s: str, ids: list[str], k: int) -> str:
    bars = []
    excluded = []
    for iid in ids:
        ec = data.econ(s, iid)
        g = ec.get("ghg_avoided_t_co2e_per_year")
        cpt = ec.get("cost_per_t_co2e")
        iv = data.interventions.get(iid)
        if g is None or g <= 0:
            excluded.append((iid, t("charts.macc_no_ghg")))
        elif cpt is None:
            excluded.append((iid, t("charts.macc_no_cost")))
        else:
            cat = iv.category if iv else ""
            bars.append(ch.MaccBar(iv.label if iv else iid, g, cpt, cat, t.name("categories", cat)))
    cur = data.currency
    note = ""
    if excluded:
        items = "; ".join(
            f'<span class="id" translate="no">{e(i)}</span> ({e(why)})' for i, why in excluded
        )
        note = " " + fill(t, "charts.macc_excluded", items=items)
    if not bars:
        return f'<p class="caption">{e(t("charts.macc_empty"))}{note}</p>'
    svg = ch.macc(
        f"macc-{k}",
        bars,
        title=chart_title(t, "charts.macc_title", user_scenario=s),
        x_label=t("charts.macc_x", unit=t.unit("t CO2e/year")),
        y_label=t("charts.macc_y", unit=t.unit(f"{cur}/t CO2e")),
    )
    return d.figure(svg, e(t("charts.macc_caption")) + note)


def _compare_figure(d: _Doc, data: ReportData, t: Translator) -> str:
    """Change of each main indicator in each scenario, for the summary."""
    groups, values = [], []
    for ind in MAIN:
        base = data.value("baseline", ind)
        if data.unit(ind) is None or not base:
            continue
        groups.append(t.name("indicator_names", ind))
        values.append([change(data.value(s, ind), base) for s in data.scenarios])
    if not groups or not data.scenarios:
        return ""
    series = [(s, ch.SERIES[i % len(ch.SERIES)], True) for i, s in enumerate(data.scenarios)]
    svg = ch.grouped_bars(
        "compare",
        groups,
        series,
        values,
        title=t("charts.compare_title"),
        axis=t("charts.compare_axis"),
        fmt=lambda v: pct(v, sign=True),
        tick_fmt=_pct_tick,
    )
    return d.figure(svg, e(t("scenarios.caption")))


def _comparison(d: _Doc, data: ReportData, t: Translator) -> str:
    """The scenario comparison table, then the economics of each scenario."""
    head: list[tuple[str, bool]] = [
        (e(t("scenarios.indicator")), False),
        (e(t("scenarios.unit")), False),
        (e(t("states.baseline")), True),
    ]
    for s in data.scenarios:
        head += [(u(s), True), (e(t("scenarios.change")), True)]
    rows = []
    for ind, comp in data.comparison_rows():
        base = data.value("baseline", ind, comp)
        label = indicator_label(t, ind, comp)
        cells = _td(e(label), False) + _td(e(t.unit(data.unit(ind, comp))), False) + _numcell(base)
        for s in data.scenarios:
            v = data.value(s, ind, comp)
            c = change(v, base)
            cls = "pos" if c is not None and c < 0 else ("neg" if c and c > 0 else "")
            cells += _numcell(v) + _td(e(pct(c, sign=True)), True, cls)
        rows.append(f"<tr>{cells}</tr>")
    return d.table(head, rows, e(t("scenarios.caption"))) + _scenario_economics(d, data, t)


def _scenario_economics(d: _Doc, data: ReportData, t: Translator) -> str:
    """Each scenario's capex, saving, payback, NPV, IRR, GHG avoided and cost per t CO2e."""
    erows = []
    for s, ids in data.scenarios.items():
        ec = data.econ(s, None)
        if not ec:
            continue
        erows.append(
            "<tr>"
            + _td(u(s), False)
            + _td(str(len(ids)))
            + _economics_cells(ec, data.economics_columns(SCENARIO_ECONOMICS))
            + "</tr>"
        )
    if not erows:
        return ""
    carbon = data.has_carbon_revenue()
    head = [
        (e(label), numeric)
        for label, numeric in scenario_economics_headers(t, data.currency, carbon=carbon)
    ]
    return f"<h3>{e(t('scenarios.economics'))}</h3>" + d.table(
        head, erows, e(t("report.dash_note"))
    )


def _releases(d: _Doc, data: ReportData, t: Translator) -> str:
    """Mercury and PCDD/F: per indicator, the releases table, their economics and a chart."""
    out = ""
    for k, (ind, comps) in enumerate(data.releases().items()):
        out += _release_table(d, data, t, ind, comps)
        out += _release_economics(d, data, t, ind)
        out += _release_figure(d, data, t, ind, comps, k)
    return out


def _release_table(d: _Doc, data: ReportData, t: Translator, ind: str, comps: list[str]) -> str:
    """Releases of one indicator by vector (components) in every state."""
    name = t.name("indicator_names", ind)
    rows = []
    for comp in comps:
        first = comp == "total"
        label = e(name if first else t.name("components", comp))
        rows.append(
            f'<tr class="{"" if first else "sub"}">'
            + _td(f"<b>{label}</b>" if first else label, False, "" if first else "ind")
            + _td(e(t.unit(data.unit(ind, comp) or "")), False)
            + "".join(_numcell(data.value(s, ind, comp)) for s in data.states)
            + "</tr>"
        )
    return d.table(
        [(e(t("indicators.indicator")), False), (e(t("indicators.unit")), False)]
        + [(e(state_label(t, s)), True) for s in data.states],
        rows,
        e(t("charts.releases_note")),
    )


def _release_economics(d: _Doc, data: ReportData, t: Translator, ind: str) -> str:
    """Release avoided and cost per unit avoided of each measure and scenario (may be empty)."""
    avoided, cost = next((av, cost) for i, av, cost in RELEASE_ECONOMICS if i == ind)
    cur = data.settings.get("currency", "")
    unit = data.unit(ind, "total") or ""
    eco_rows = []
    for s, ids in data.scenarios.items():
        for iid in [*ids, None]:
            ec = data.econ(s, iid)
            if not ec or ec.get(avoided) is None:
                continue
            label = u(iid) if iid else f"<b>{u(s)}</b>"
            eco_rows.append(
                "<tr>"
                + _td(u(s), False)
                + _td(label, False)
                + _numcell(ec.get(avoided))
                + _numcell(ec.get(cost))
                + "</tr>"
            )
    if not eco_rows:
        return ""
    return d.table(
        [
            (e(t("excel.scenario")), False),
            (e(t("interventions.measure")), False),
            (e(t.header("charts.releases_avoided", f"{unit}/year")), True),
            (e(t.header("charts.releases_cost", f"{cur}/{unit}")), True),
        ],
        eco_rows,
        "",
    )


def _release_figure(
    d: _Doc, data: ReportData, t: Translator, ind: str, comps: list[str], k: int
) -> str:
    """Grouped bars of one indicator's release vectors per state (a sentence when all zero)."""
    name = t.name("indicator_names", ind)
    vectors = [c for c in comps if c not in ("total", "environment")] or ["total"]
    unit = data.unit(ind, vectors[0]) or data.unit(ind) or ""
    values = [[data.value(s, ind, v) for s in data.states] for v in vectors]
    if not any(v for row in values for v in row):
        return f"<p>{e(t('charts.releases_zero', indicator=name))}</p>"
    series = [
        (
            state_label(t, s),
            ch.GREY if s == "baseline" else ch.SERIES[i % len(ch.SERIES)],
            s != "baseline",
        )
        for i, s in enumerate(data.states, start=-1)
    ]
    svg = ch.grouped_bars(
        f"releases-{k}",
        [t.name("components", v) for v in vectors],
        series,
        values,
        title=t("charts.releases_title", indicator=name, unit=t.unit(f"{unit}/year")),
        axis=t.unit(f"{unit}/year"),
    )
    return d.figure(svg, e(t("charts.releases_caption")))
