"""The readable terminal summary printed by ``recp assess``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

from recp.texttable import TextTable, wrap
from recp.tolerance import clean_rows
from recp.toolkits import RELEASE_KINDS

if TYPE_CHECKING:
    from recp.assessment import Assessment

#: Components shown in the terminal summary (the JSON has every row).
_SHOWN = (
    "total",
    "scope1",
    "scope2",
    "scope2_market",
    "scope3",
    "process",
    "biogenic_co2",
    "hazardous",
    "non_hazardous",
)
#: One-line definitions of the GHG components, printed under the indicator table.
GHG_NOTES = {
    "scope1": "direct: fuel combustion, process CO2, on-site waste and wastewater (GHG Protocol)",
    "scope2": "bought electricity and heat, location-based (grid average factor)",
    "scope2_market": "market-based: supplier or contractual factors where given; not in total",
    "scope3": "category 5 only: waste and wastewater treated off site",
    "total": "scope1 + scope2 (location-based) + scope3",
    "process": "process CO2 from calcination (IPCC 2006 Vol. 3 Ch. 2), part of scope 1",
    "biogenic_co2": "memo item: CO2 from biomass, outside the scopes and the total",
}
_RIGHT: Literal["right"] = "right"
#: Columns of a scenario's interventions table and their justification.
_SCENARIO_COLUMNS: tuple[tuple[str, Literal["left", "right"]], ...] = (
    ("intervention", "left"),
    ("energy GJ", "right"),
    ("GHG t CO2e", "right"),
    ("water m3", "right"),
    ("capex", "right"),
    ("saving/yr", "right"),
    ("payback yr", "right"),
    ("NPV", "right"),
    ("IRR", "right"),
    ("cost/t CO2e", "right"),
)


def _fmt(v: float | None, digits: int = 4) -> str:
    if v is None:
        return "-"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e5:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.1f}"
    return f"{v:.{digits}g}"


def render(a: Assessment, width: int | None = None) -> str:
    """Render an assessment as plain text tables (no colour)."""
    cols = max(width or int(os.environ.get("COLUMNS", "130")), 80)
    out: list[str] = []

    def say(text: str, indent: str = "") -> None:
        out.append(wrap(text, cols, indent) + "\n")

    sc = a.scenario
    title = f"{sc.plant.name} ({sc.country_code}"
    title += f", {sc.plant.sector})" if sc.plant.sector else ")"
    say(title)
    s = a.compiled.settings
    rate = "-" if s["discount_rate"] is None else f"{s['discount_rate']:.1%}"
    say(f"GWP {s['gwp']}; currency {s['currency']}; discount rate {rate}")
    results, savings, econ = clean_rows(a.results(), a.savings(), a.economics())
    out.append(_indicator_table(results).render())
    present = {r["component"] for r in results if r["indicator"] == "ghg"}
    say("GHG components:")
    for comp, note in GHG_NOTES.items():
        if comp in present:
            say(f"  {comp}: {note}", "    ")
    sav = {
        (r["scenario"], r["intervention"], r["basis"], r["indicator"], r["component"]): r["value"]
        for r in savings
    }
    for name in a.states:
        out.append(_scenario_table(name, econ, sav).render())
        if any(k[0] == name and k[3] == "ghg_reduction" for k in sav):
            out.append(_reduction_table(name, a.scenario.scenario_map[name], sav).render())
    for f in a.factors():
        if str(f["id"]).endswith(":cm") or f["id"] == "user:grid_cm":
            say(f"Combined-margin grid factor: {f['value']:.6g} {f['unit']} ({f['id']})")
    warnings = a.warnings()
    if warnings:
        say("Warnings:")
        for w in warnings:
            say(f"  - [{w['code']}] {w['message']}", "    ")
    say(f"{len(a.compiled.factors)} factors used; see --format json for their sources.")
    return "".join(out)


def _indicator_table(results: list[dict[str, Any]]) -> TextTable:
    """Indicators per year: one row per indicator and shown component, a column per state."""
    scen = list(dict.fromkeys(r["scenario"] for r in results))
    t = TextTable(
        "Indicators per year",
        ["indicator", "component", "unit", *scen],
        ["left", "left", "left", *(_RIGHT for _ in scen)],
    )
    table: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in results:
        if r["component"] in _SHOWN or r["indicator"] in (
            "energy",
            "effluent_load",
            *RELEASE_KINDS,
        ):
            table.setdefault((r["indicator"], r["component"], r["unit"]), {})[r["scenario"]] = r[
                "value"
            ]
    for (ind, comp, unit), vals in table.items():
        t.add_row(ind, comp, unit, *[_fmt(vals.get(n)) for n in scen])
    return t


Savings = dict[tuple[str, str | None, str, str, str], Any]


def _scenario_table(name: str, econ: list[dict[str, Any]], sav: Savings) -> TextTable:
    """One scenario's interventions in sequence: savings and economics, then the total."""
    rows = [e for e in econ if e["scenario"] == name and e["basis"] == "in_sequence"]
    carbon = any(e.get("carbon_revenue") is not None for e in rows)
    columns = list(_SCENARIO_COLUMNS)
    if carbon:
        columns.insert(columns.index(("saving/yr", "right")) + 1, ("carbon rev./yr", "right"))
    t = TextTable(
        f"Scenario '{name}': interventions in sequence",
        [c for c, _ in columns],
        [j for _, j in columns],
    )
    for e in rows:
        iid = e["intervention"]
        label = iid if iid else "scenario total"
        irr = "-" if e["irr"] is None else f"{e['irr']:.0%}"
        cells = [
            label,
            _fmt(sav.get((name, iid, "in_sequence", "energy", "total"))),
            _fmt(sav.get((name, iid, "in_sequence", "ghg", "total"))),
            _fmt(sav.get((name, iid, "in_sequence", "water", "total"))),
            _fmt(e["capex"]),
            _fmt(e["annual_saving"]),
        ]
        if carbon:
            cells.append(_fmt(e.get("carbon_revenue")))
        cells += [
            _fmt(e["simple_payback_years"], 2),
            _fmt(e["npv"]),
            irr,
            _fmt(e["cost_per_t_co2e"], 3),
        ]
        t.add_row(*cells)
    return t


def _reduction_table(name: str, ids: list[str], sav: Savings) -> TextTable:
    """One scenario's emission reductions (``ghg_reduction``) per measure, then the total."""
    comps = ("total", "fuel", "electricity", "scope3")
    t = TextTable(
        f"Scenario '{name}': emission reductions [t CO2e/yr]",
        ["intervention", *comps, "standalone total"],
        ["left", *(_RIGHT for _ in range(len(comps) + 1))],
    )
    for iid in [*ids, None]:
        cells = [iid or "scenario total"]
        cells += [_fmt(sav.get((name, iid, "in_sequence", "ghg_reduction", c))) for c in comps]
        alone = sav.get((name, iid, "standalone", "ghg_reduction", "total")) if iid else None
        cells.append(_fmt(alone))
        t.add_row(*cells)
    return t
