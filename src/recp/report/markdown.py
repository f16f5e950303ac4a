"""The Markdown report: the summary and the tables, to paste into a larger report.

Tables are GitHub-flavoured (pipe tables). Text from the scenario file is escaped with
:func:`md` so that it shows as written: ``|`` cannot split a cell, ``<script>`` is not HTML,
``*`` and ``_`` are not emphasis and ``[x](y)`` is not a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from recp.report.fmt import DASH, change, money, num, pct, years
from recp.report.model import COMPARISON_ROWS

if TYPE_CHECKING:
    from recp.report.lang import Translator
    from recp.report.model import ReportData

#: Characters escaped with a backslash anywhere in user text (CommonMark allows escaping any
#: ASCII punctuation; these are the ones that can start markup inline or in a table cell).
_INLINE = re.compile(r"([\\`*_{}\[\]<>|~&!#])")
#: Block markers escaped at the start of user text (headings, lists, quotes, setext lines).
_LEADING = re.compile(r"^(\s*)([-+=>#])")
_LEADING_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def md(s: object) -> str:
    r"""User text as inert Markdown: one line, markup characters escaped.

    >>> md("<script>alert(1)</script>")
    '\\<script\\>alert(1)\\</script\\>'
    >>> md("a | b *c* [x](y)")
    'a \\| b \\*c\\* \\[x\\](y)'
    >>> md('=HYPERLINK("http://x","y")')
    '\\=HYPERLINK("http://x","y")'
    """
    text = " ".join(str(s).split())
    text = _INLINE.sub(r"\\\1", text)
    text = _LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _LEADING_NUMBER.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def lbl(s: str) -> str:
    """One of recp's labels in a table cell (only ``|`` and line breaks matter)."""
    return " ".join(s.split()).replace("|", "\\|")


def table(head: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    """Build a pipe table; ``head`` is ``(text, right-aligned)``; cells are ready-made Markdown."""
    out = [
        "| " + " | ".join(h for h, _ in head) + " |",
        "| " + " | ".join("---:" if right else "---" for _, right in head) + " |",
    ]
    for r in rows:
        out.append("| " + " | ".join(c if c else " " for c in r) + " |")
    return "\n".join(out) + "\n"


def render(data: ReportData, t: Translator) -> str:
    """Render the report as Markdown text."""
    cur = data.currency
    plant = data.plant
    prod = plant.get("production")
    out: list[str] = []

    def sname(s: str) -> str:
        return lbl(t("states.baseline")) if s == "baseline" else md(s)

    def h(level: int, text: str) -> None:
        out.append(f"{'#' * level} {text}\n")

    colon = lbl(t("report.colon")).rstrip()
    h(1, f"{md(plant['name'])} · {lbl(t('report.title'))}")
    out.append(f"*{lbl(t('report.generated', date=data.date, version=data.version))}*\n")
    facts = [f"**{lbl(t('plant.country'))}{colon}** {md(plant.get('country') or '')}"]
    if plant.get("sector"):
        facts.append(f"**{lbl(t('plant.sector'))}{colon}** {md(plant['sector'])}")
    if prod:
        facts.append(
            f"**{lbl(t('plant.production'))}{colon}** {num(prod['value'])} "
            f"{lbl(t.unit(prod['unit']))}/{lbl(t.unit('year'))}"
        )
    facts.append(f"**{lbl(t('plant.currency'))}{colon}** {md(cur)}")
    facts.append(f"**{lbl(t('plant.gwp'))}{colon}** {md(data.settings.get('gwp') or '')}")
    rate = data.settings.get("discount_rate")
    facts.append(
        f"**{lbl(t('plant.discount_rate'))}{colon}** "
        f"{pct(rate) if rate is not None else lbl(t('report.not_computed'))}"
    )
    out.append(" · ".join(facts) + "\n")

    # -- summary --------------------------------------------------------------------------
    h(2, lbl(t("sections.summary")))
    from recp.report.lang import scenario_summary

    for s in data.scenarios:
        args = scenario_summary(t, data, s)
        if args is None:
            continue
        sentence = t("summary.scenario_sentence", scenario="\x00", **args)
        out.append("- " + lbl(sentence).replace("\x00", f"**{md(s)}**"))
    if not data.scenarios:
        out.append(lbl(t("summary.no_interventions")))
    out.append("")
    head = [
        (lbl(t("indicators.indicator")), False),
        (lbl(t("indicators.unit")), False),
        (lbl(t("states.baseline")), True),
    ]
    for s in data.scenarios:
        head += [(md(s), True), (lbl(t("scenarios.change")), True)]
    rows = []
    for ind, comp in COMPARISON_ROWS:
        unit = data.unit(ind, comp)
        if unit is None:
            continue
        base = data.value("baseline", ind, comp)
        row = [lbl(_label(t, ind, comp)), lbl(t.unit(unit)), num(base)]
        for s in data.scenarios:
            v = data.value(s, ind, comp)
            row += [num(v), pct(change(v, base), sign=True)]
        rows.append(row)
    out.append(table(head, rows))

    # -- plant and flows ------------------------------------------------------------------
    h(2, lbl(t("sections.plant")))
    for key, val in (
        ("plant.notes", plant.get("notes")),
        ("plant.source", plant.get("source")),
        ("plant.notes", plant.get("scenario_notes")),
    ):
        if val:
            out.append(f"**{lbl(t(key))}{colon}** {md(val)}\n")
    grid = data.settings.get("grid_factor_source")
    if grid:
        out.append(f"**{lbl(t('plant.grid_factor'))}{colon}** {md(grid)}\n")
    for s, ids in data.scenarios.items():
        out.append(
            f"- {lbl(t('plant.scenario', scenario=chr(0))).replace(chr(0), md(s))}{colon} "
            + (", ".join(md(i) for i in ids) or DASH)
        )
    out.append("")
    h(3, lbl(t("sections.flows")))
    named = any(f.name for f in data.flows)
    head = [(lbl(t("flows.id")), False)] + ([(lbl(t("flows.name")), False)] if named else [])
    head += [
        (lbl(t("flows.type")), False),
        (lbl(t("flows.detail")), False),
        (lbl(t("flows.amount")), True),
        (lbl(t("flows.unit")), False),
        (lbl(t.header("flows.price", f"{cur}/unit")), True),
        (lbl(t.header("flows.cost", f"{cur}/year")), True),
    ]
    rows = []
    for f in data.flows:
        base = f.amounts.get("baseline", 0.0)
        det = lbl(t.name("components", f.detail)) if f.detail else ""
        if f.type == "waste" and f.hazardous is not None:
            hz = lbl(t("flows.hazardous") if f.hazardous else t("flows.non_hazardous"))
            det = f"{det}, {hz}" if det else hz
        rows.append(
            [md(f.id)]
            + ([md(f.name or "")] if named else [])
            + [
                lbl(t.name("flow_types", f.type)),
                det,
                num(base),
                lbl(t.unit(f.unit)),
                num(f.price),
                money(f.price * base if f.price is not None else None),
            ]
        )
    out.append(table(head, rows))

    # -- baseline indicators --------------------------------------------------------------
    h(2, lbl(t("sections.baseline")))
    head = [
        (lbl(t("indicators.indicator")), False),
        (lbl(t("indicators.unit")), False),
        (lbl(t("indicators.value")), True),
        (lbl(t("indicators.intensity")), True),
        (lbl(t("indicators.intensity_unit")), False),
    ]
    rows = []
    for ind in data.indicators():
        for comp in data.components(ind):
            first = comp == "total"
            inten = data.value("baseline", f"{ind}_intensity") if first else None
            iu = data.unit(f"{ind}_intensity") if first else None
            rows.append(
                [
                    lbl(_label(t, ind, comp)),
                    lbl(t.unit(data.unit(ind, comp))),
                    num(data.value("baseline", ind, comp)),
                    num(inten) if iu else "",
                    lbl(t.unit(iu)) if iu else "",
                ]
            )
    out.append(table(head, rows))

    # -- interventions --------------------------------------------------------------------
    h(2, lbl(t("sections.interventions")))
    if not any(data.scenarios.values()):
        out.append(lbl(t("interventions.no_scenarios")) + "\n")
    inds = data.saving_units()
    for s, ids in data.scenarios.items():
        if not ids:
            continue
        h(3, lbl(t("interventions.scenario_heading", scenario=chr(0))).replace(chr(0), md(s)))
        from recp.report.lang import intervention_headers

        head = [
            (label if label == "#" else lbl(label), numeric)
            for label, numeric in intervention_headers(t, inds, cur)
        ]
        rows = []
        for i, iid in enumerate(ids, start=1):
            iv = data.interventions.get(iid)
            ec = data.econ(s, iid)
            name = f"{md(iv.name)} ({md(iid)})" if iv and iv.name else md(iid)
            rows.append(
                [str(i), name, lbl(t.name("categories", iv.category if iv else ""))]
                + [num(data.saving(s, iid, ind)) for ind, _ in inds]
                + _econ_cells(ec)
            )
        ec = data.econ(s, None)
        rows.append(
            ["", f"**{lbl(t('interventions.total'))}**", ""]
            + [num(data.saving(s, None, ind)) for ind, _ in inds]
            + _econ_cells(ec)
        )
        out.append(table(head, rows))
        out.append(lbl(t("interventions.caption")) + " " + lbl(t("report.dash_note")) + "\n")

    # -- releases -------------------------------------------------------------------------
    rel = data.releases()
    if rel:
        h(2, lbl(t("sections.releases")))
        head = [(lbl(t("indicators.indicator")), False), (lbl(t("indicators.unit")), False)]
        head += [(sname(s), True) for s in data.states]
        rows = []
        for ind, comps in rel.items():
            for comp in comps:
                rows.append(
                    [lbl(_label(t, ind, comp)), lbl(t.unit(data.unit(ind, comp)))]
                    + [num(data.value(s, ind, comp)) for s in data.states]
                )
        out.append(table(head, rows))
        out.append(lbl(t("charts.releases_note")) + "\n")

    # -- scenario economics ---------------------------------------------------------------
    if data.scenarios:
        h(2, lbl(t("sections.scenarios")))
        head = [
            (lbl(t("excel.scenario")), False),
            (lbl(t("scenarios.measures")), True),
            (lbl(t.header("interventions.capex", cur)), True),
            (lbl(t.header("interventions.saving", f"{cur}/year")), True),
            (lbl(t.header("interventions.payback", "year")), True),
            (lbl(t.header("interventions.npv", cur)), True),
            (lbl(t("interventions.irr")), True),
            (lbl(t.header("excel.ghg_avoided", "t CO2e/year")), True),
            (lbl(t.header("interventions.cost_per_t", f"{cur}/t CO2e")), True),
        ]
        rows = []
        for s, ids in data.scenarios.items():
            ec = data.econ(s, None)
            rows.append(
                [
                    md(s),
                    str(len(ids)),
                    money(ec.get("capex")),
                    money(ec.get("annual_saving")),
                    years(ec.get("simple_payback_years")),
                    money(ec.get("npv")),
                    pct(ec.get("irr")),
                    num(ec.get("ghg_avoided_t_co2e_per_year")),
                    num(ec.get("cost_per_t_co2e")),
                ]
            )
        out.append(table(head, rows))

    # -- warnings -------------------------------------------------------------------------
    h(2, lbl(t("sections.warnings")))
    for w in data.warnings:
        code = str(w.get("code") or "")
        title = t.warning(code)
        out.append(f"- **{lbl(title)}{colon}** {md(w.get('message', ''))}")
    if not data.warnings:
        out.append(lbl(t("warnings.none")))
    out.append("")

    # -- factors --------------------------------------------------------------------------
    h(2, lbl(t("sections.factors")))
    head = [
        (lbl(t("factors.id")), False),
        (lbl(t("factors.value")), True),
        (lbl(t("factors.unit")), False),
        (lbl(t("factors.source")), False),
        (lbl(t("factors.flows")), False),
    ]
    rows = [
        [
            md(f["id"]),
            f"{f['value']:.6g}" if f.get("value") is not None else DASH,
            md(f.get("unit") if f.get("unit") != "1" else ""),
            md(f.get("source") or ""),
            ", ".join(md(x) for x in f.get("flows", [])),
        ]
        for f in data.factors
    ]
    out.append(table(head, rows))
    return "\n".join(out).rstrip() + "\n"


def _label(t: Translator, ind: str, comp: str) -> str:
    name = t.name("indicator_names", ind)
    return name if comp == "total" else f"{name}{t('report.colon')}{t.name('components', comp)}"


def _econ_cells(ec: dict[str, object]) -> list[str]:
    def g(k: str) -> float | None:
        v = ec.get(k)
        return v if isinstance(v, (int, float)) else None

    return [
        money(g("capex")),
        money(g("annual_saving")),
        years(g("simple_payback_years")),
        money(g("npv")),
        pct(g("irr")),
        num(g("cost_per_t_co2e")),
    ]
