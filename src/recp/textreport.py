"""The readable terminal summary printed by ``recp assess``."""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any, Literal

from rich import box
from rich.console import Console
from rich.table import Table

from recp.toolkits import RELEASE_KINDS

if TYPE_CHECKING:
    from recp.assessment import Assessment

#: Components shown in the terminal summary (the JSON has every row).
_SHOWN = ("total", "scope1", "scope2", "biogenic_co2", "hazardous", "non_hazardous")
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
    """Render an assessment as plain text tables (no colour when not a terminal)."""
    buf = io.StringIO()
    cols = width or int(os.environ.get("COLUMNS", "130"))
    con = Console(
        file=buf,
        width=max(cols, 80),
        force_terminal=False,
        color_system=None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    sc = a.scenario
    title = f"{sc.plant.name} ({sc.country_code}"
    title += f", {sc.plant.sector})" if sc.plant.sector else ")"
    con.print(title)
    s = a.compiled.settings
    rate = "-" if s["discount_rate"] is None else f"{s['discount_rate']:.1%}"
    con.print(f"GWP {s['gwp']}; currency {s['currency']}; discount rate {rate}")
    con.print(_indicator_table(a))
    econ = a.economics()
    sav = {
        (r["scenario"], r["intervention"], r["basis"], r["indicator"]): r["value"]
        for r in a.savings()
        if r["component"] == "total"
    }
    for name in a.states:
        con.print(_scenario_table(name, econ, sav))
    warnings = a.warnings()
    if warnings:
        con.print("Warnings:")
        for w in warnings:
            con.print(f"  - [{w['code']}] {w['message']}")
    con.print(f"{len(a.compiled.factors)} factors used; see --format json for their sources.")
    return buf.getvalue()


def _indicator_table(a: Assessment) -> Table:
    """Indicators per year: one row per indicator and shown component, a column per state."""
    scen = ["baseline", *a.states]
    t = Table(title="Indicators per year", title_justify="left", box=box.SIMPLE_HEAD)
    t.add_column("indicator")
    t.add_column("component")
    t.add_column("unit")
    for name in scen:
        t.add_column(name, justify="right")
    table: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in a.results():
        if r["component"] in _SHOWN or r["indicator"] in ("energy", *RELEASE_KINDS):
            table.setdefault((r["indicator"], r["component"], r["unit"]), {})[r["scenario"]] = r[
                "value"
            ]
    for (ind, comp, unit), vals in table.items():
        t.add_row(ind, comp, unit, *[_fmt(vals.get(n)) for n in scen])
    return t


def _scenario_table(
    name: str, econ: list[dict[str, Any]], sav: dict[tuple[str, str | None, str, str], Any]
) -> Table:
    """One scenario's interventions in sequence: savings and economics, then the total."""
    t = Table(
        title=f"Scenario '{name}': interventions in sequence",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for col, just in _SCENARIO_COLUMNS:
        t.add_column(col, justify=just)
    for e in econ:
        if e["scenario"] != name or e["basis"] != "in_sequence":
            continue
        iid = e["intervention"]
        label = iid if iid else "scenario total"
        irr = "-" if e["irr"] is None else f"{e['irr']:.0%}"
        t.add_row(
            label,
            _fmt(sav.get((name, iid, "in_sequence", "energy"))),
            _fmt(sav.get((name, iid, "in_sequence", "ghg"))),
            _fmt(sav.get((name, iid, "in_sequence", "water"))),
            _fmt(e["capex"]),
            _fmt(e["annual_saving"]),
            _fmt(e["simple_payback_years"], 2),
            _fmt(e["npv"]),
            irr,
            _fmt(e["cost_per_t_co2e"], 3),
        )
    return t
