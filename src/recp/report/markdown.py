"""The Markdown report: the summary and the tables, to paste into a larger report.

Tables are GitHub-flavoured (pipe tables). Text from the scenario file is escaped with
:func:`md` so that it shows as written: ``|`` cannot split a cell, ``<script>`` is not HTML,
``*`` and ``_`` are not emphasis and ``[x](y)`` is not a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

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
    SCENARIO_ECONOMICS,
    ReportData,
    calculations,
)

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


def heading(level: int, text: str) -> str:
    """A Markdown heading of ``level`` with a blank line after it."""
    return f"{'#' * level} {text}\n"


def render(data: ReportData, t: Translator) -> str:
    """Render the report as Markdown text."""
    out = [
        *_title(data, t),
        *_summary(data, t),
        *_plant(data, t),
        *_baseline(data, t),
        *_ghg(data, t),
        *_interventions(data, t),
        *_releases(data, t),
        *_scenario_economics(data, t),
        *_warnings(data, t),
        *_factors(data, t),
        *_calculations(data, t),
    ]
    return "\n".join(out).rstrip() + "\n"


def _calculations(data: ReportData, t: Translator) -> list[str]:
    """How each computed change was computed (only when the scenario has them)."""
    views = calculations(data, t("details.calc_default"))
    if not views:
        return []
    colon = _colon(t)
    out = [heading(2, lbl(t("details.calc_heading")))]
    for cv in views:
        out.append(heading(3, f"{md(cv.intervention)}{colon} {md(cv.title)}"))
        out.append(f"- **{lbl(t('details.calc_method'))}{colon}** `{cv.method}` ({md(cv.flow)})")
        for key, xs in (("calc_inputs", cv.inputs), ("calc_values", cv.values),
                        ("calc_changes", cv.changes)):  # fmt: skip
            out.append(f"- **{lbl(t('details.' + key))}{colon}** " + "; ".join(md(x) for x in xs))
        out.append(f"- **{lbl(t('details.calc_equation'))}{colon}** {md(cv.equation)}")
        out.append(f"- **{lbl(t('details.source'))}{colon}** {md(cv.source)}")
        out.append("")
    return out


def _colon(t: Translator) -> str:
    """The label colon, without trailing space (it ends a bold term)."""
    return lbl(t("report.colon")).rstrip()


def _title(data: ReportData, t: Translator) -> list[str]:
    """The title, the generation note and one line of plant facts and settings."""
    plant = data.plant
    prod = plant.get("production")
    colon = _colon(t)
    facts = [f"**{lbl(t('plant.country'))}{colon}** {md(plant.get('country') or '')}"]
    if plant.get("sector"):
        facts.append(f"**{lbl(t('plant.sector'))}{colon}** {md(sector_name(t, plant['sector']))}")
    if prod:
        facts.append(
            f"**{lbl(t('plant.production'))}{colon}** {num(prod['value'])} "
            f"{lbl(t.unit(prod['unit']))}/{lbl(t.unit('year'))}"
        )
    facts.append(f"**{lbl(t('plant.currency'))}{colon}** {md(data.currency)}")
    facts.append(f"**{lbl(t('plant.gwp'))}{colon}** {md(data.settings.get('gwp') or '')}")
    rate = data.settings.get("discount_rate")
    facts.append(
        f"**{lbl(t('plant.discount_rate'))}{colon}** "
        f"{pct(rate) if rate is not None else lbl(t('report.not_computed'))}"
    )
    return [
        heading(1, f"{md(plant['name'])} · {lbl(t('report.title'))}"),
        f"*{lbl(t('report.generated', date=data.date, version=data.version))}*\n",
        " · ".join(facts) + "\n",
    ]


def _summary(data: ReportData, t: Translator) -> list[str]:
    """One sentence per scenario, then the scenario comparison table."""
    out = [heading(2, lbl(t("sections.summary")))]
    for s in data.scenarios:
        args = scenario_summary(t, data, s)
        if args is None:
            continue
        sentence = t("summary.scenario_sentence", scenario="\x00", **args)
        out.append("- " + lbl(sentence).replace("\x00", f"**{md(s)}**"))
    if not data.scenarios:
        out.append(lbl(t("summary.no_interventions")))
    ghg = ghg_summary(t, data)
    if ghg is not None:
        out += ["", lbl(t("summary.ghg_sentence", **ghg))]
    out.append("")
    head = [
        (lbl(t("indicators.indicator")), False),
        (lbl(t("indicators.unit")), False),
        (lbl(t("states.baseline")), True),
    ]
    for s in data.scenarios:
        head += [(md(s), True), (lbl(t("scenarios.change")), True)]
    rows = []
    for ind, comp in data.comparison_rows():
        base = data.value("baseline", ind, comp)
        row = [lbl(indicator_label(t, ind, comp)), lbl(t.unit(data.unit(ind, comp))), num(base)]
        for s in data.scenarios:
            v = data.value(s, ind, comp)
            row += [num(v), pct(change(v, base), sign=True)]
        rows.append(row)
    out.append(table(head, rows))
    return out


def _plant(data: ReportData, t: Translator) -> list[str]:
    """Notes, source, grid factor, each scenario's measures and the table of flows."""
    colon = _colon(t)
    out = [heading(2, lbl(t("sections.plant")))]
    for key, val in (
        ("plant.notes", data.plant.get("notes")),
        ("plant.source", data.plant.get("source")),
        ("plant.notes", data.plant.get("scenario_notes")),
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
    out.append(heading(3, lbl(t("sections.flows"))))
    out.append(_flows_table(data, t))
    return out


def _flows_table(data: ReportData, t: Translator) -> str:
    """The plant's flows with their baseline amounts, prices and costs."""
    cur = data.currency
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
                num(f.shown()),
                lbl(t.unit(f.shown_unit))
                + (f" (= {num(base)} {lbl(t.unit(f.unit))})" if f.converted else ""),
                num(f.shown_price),
                money(f.price * base if f.price is not None else None),
            ]
        )
    return table(head, rows)


def _baseline(data: ReportData, t: Translator) -> list[str]:
    """Every baseline indicator and component, with the intensity of each total."""
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
                    lbl(indicator_label(t, ind, comp)),
                    lbl(t.unit(data.unit(ind, comp))),
                    num(data.value("baseline", ind, comp)),
                    num(inten) if iu else "",
                    lbl(t.unit(iu)) if iu else "",
                ]
            )
    return [heading(2, lbl(t("sections.baseline"))), table(head, rows)]


def _ghg(data: ReportData, t: Translator) -> list[str]:
    """GHG by scope with definitions, each scenario's reductions and the combined margin."""
    scopes = data.ghg_scopes()
    if not scopes:
        return []
    head = [(lbl(t("indicators.indicator")), False), (lbl(t("indicators.unit")), False)]
    head += [(lbl(t("states.baseline")) if s == "baseline" else md(s), True) for s in data.states]
    head.append((lbl(t("ghg.definition")), False))
    rows = []
    for comp in scopes:
        note = t(f"ghg_notes.{comp}") if t.has(f"ghg_notes.{comp}") else ""
        name = lbl(t.name("components", comp))
        rows.append(
            [f"**{name}**" if comp == "total" else name, lbl(t.unit(data.unit("ghg", comp)))]
            + [num(data.value(s, "ghg", comp)) for s in data.states]
            + [lbl(note)]
        )
    out = [
        heading(2, lbl(t("sections.ghg"))),
        heading(3, lbl(t("ghg.scopes_title"))),
        table(head, rows),
        lbl(t("ghg.scopes_caption")) + "\n",
    ]
    comps = data.reductions()
    unit = (data.saving_unit("ghg_reduction") or "t CO2e") + "/year"
    for s, ids in data.scenarios.items():
        if not ids or not comps:
            continue
        rhead = [("#", True), (lbl(t("interventions.measure")), False)]
        rhead += [(lbl(t.with_unit(t.name("components", c), unit)), True) for c in comps]
        rhead.append((lbl(t.with_unit(t("ghg.standalone_total"), unit)), True))
        rrows = []
        for i, iid in enumerate([*ids, None], start=1):
            alone = data.saving(s, iid, "ghg_reduction", "total", "standalone") if iid else None
            rrows.append(
                [str(i) if iid else "", md(iid) if iid else f"**{lbl(t('interventions.total'))}**"]
                + [num(data.saving(s, iid, "ghg_reduction", c)) for c in comps]
                + [num(alone)]
            )
        title = lbl(t("ghg.reductions_title", scenario=chr(0))).replace(chr(0), md(s))
        out += [heading(3, title), table(rhead, rrows), lbl(t("ghg.reductions_caption")) + "\n"]
    for line in data.cm_lines(t):
        out.append(md(line) + "\n")
    if data.has_carbon_revenue():
        out.append(lbl(t("ghg.carbon_note")) + "\n")
    return out


def _interventions(data: ReportData, t: Translator) -> list[str]:
    """Per scenario with interventions: each one's savings and economics, then the total."""
    out = [heading(2, lbl(t("sections.interventions")))]
    if not any(data.scenarios.values()):
        out.append(lbl(t("interventions.no_scenarios")) + "\n")
    inds = data.saving_units()
    head = [
        (label if label == "#" else lbl(label), numeric)
        for label, numeric in intervention_headers(
            t, inds, data.currency, carbon=data.has_carbon_revenue()
        )
    ]
    columns = data.economics_columns(INTERVENTION_ECONOMICS)
    for s, ids in data.scenarios.items():
        if not ids:
            continue
        out.append(
            heading(
                3, lbl(t("interventions.scenario_heading", scenario=chr(0))).replace(chr(0), md(s))
            )
        )
        rows = []
        for i, iid in enumerate(ids, start=1):
            iv = data.interventions.get(iid)
            name = f"{md(iv.name)} ({md(iid)})" if iv and iv.name else md(iid)
            rows.append(
                [str(i), name, lbl(t.name("categories", iv.category if iv else ""))]
                + [num(data.saving(s, iid, ind)) for ind, _ in inds]
                + _econ_cells(data.econ(s, iid), columns)
            )
        rows.append(
            ["", f"**{lbl(t('interventions.total'))}**", ""]
            + [num(data.saving(s, None, ind)) for ind, _ in inds]
            + _econ_cells(data.econ(s, None), columns)
        )
        out.append(table(head, rows))
        out.append(lbl(t("interventions.caption")) + " " + lbl(t("report.dash_note")) + "\n")
    return out


def _releases(data: ReportData, t: Translator) -> list[str]:
    """Mercury and PCDD/F releases by vector in every state (nothing when there are none)."""
    rel = data.releases()
    if not rel:
        return []
    head = [(lbl(t("indicators.indicator")), False), (lbl(t("indicators.unit")), False)]
    head += [(lbl(t("states.baseline")) if s == "baseline" else md(s), True) for s in data.states]
    rows = []
    for ind, comps in rel.items():
        for comp in comps:
            rows.append(
                [lbl(indicator_label(t, ind, comp)), lbl(t.unit(data.unit(ind, comp)))]
                + [num(data.value(s, ind, comp)) for s in data.states]
            )
    return [
        heading(2, lbl(t("sections.releases"))),
        table(head, rows),
        lbl(t("charts.releases_note")) + "\n",
    ]


def _scenario_economics(data: ReportData, t: Translator) -> list[str]:
    """Each scenario's capex, saving, payback, NPV, IRR, GHG avoided and cost per t CO2e."""
    if not data.scenarios:
        return []
    head = [
        (lbl(label), numeric)
        for label, numeric in scenario_economics_headers(
            t, data.currency, carbon=data.has_carbon_revenue()
        )
    ]
    columns = data.economics_columns(SCENARIO_ECONOMICS)
    rows = [
        [md(s), str(len(ids)), *_econ_cells(data.econ(s, None), columns)]
        for s, ids in data.scenarios.items()
    ]
    return [heading(2, lbl(t("sections.scenarios"))), table(head, rows)]


def _warnings(data: ReportData, t: Translator) -> list[str]:
    """One bullet per warning, or a sentence saying there are none."""
    colon = _colon(t)
    out = [heading(2, lbl(t("sections.warnings")))]
    for w in data.warnings:
        title = t.warning(str(w.get("code") or ""))
        out.append(f"- **{lbl(title)}{colon}** {md(t.warning_message(w))}")
    if not data.warnings:
        out.append(lbl(t("warnings.none")))
    out.append("")
    return out


def _factors(data: ReportData, t: Translator) -> list[str]:
    """Every factor used, with its value, unit, source and the flows it applies to."""
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
    return [heading(2, lbl(t("sections.factors"))), table(head, rows)]


def _econ_cells(
    ec: dict[str, Any], columns: Sequence[tuple[str, Callable[[float | None], str]]]
) -> list[str]:
    """Formatted economics cells of one row (a dash where a value is missing)."""
    return [f(ec.get(k)) for k, f in columns]
