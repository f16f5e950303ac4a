"""What a report shows, gathered once from an :class:`~recp.assessment.Assessment`.

:func:`build` turns an assessment into a :class:`ReportData` of plain Python values (the JSON
document of :meth:`Assessment.to_dict` plus the flows, the interventions' descriptions and the
final energy of every energy flow in every state). The HTML, Excel and Markdown renderers read
only this object, so that they agree with each other and with ``recp assess --format json``.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from recp.report.fmt import ZERO_RTOL, clean, clean_rows, date_text, money, num, pct, years
from recp.units import to_float, unit_text

if TYPE_CHECKING:
    import numpy as np

    from recp.assessment import Assessment

#: Indicators whose rows may carry release vectors (air, water, land, product, residue).
RELEASE_INDICATORS = ("mercury", "pcdd_f", "pcb", "dl_pcb", "hcb")
#: Indicator rows of the scenario-comparison tables (HTML and Markdown), in order.
COMPARISON_ROWS = (
    ("energy", "total"),
    ("ghg", "total"),
    ("ghg", "scope1"),
    ("ghg", "scope2"),
    ("ghg", "scope3"),
    ("water", "total"),
    ("wastewater", "total"),
    ("waste", "total"),
    ("waste", "hazardous"),
    ("materials", "total"),
    ("cost", "total"),
)
#: GHG components of the scopes table, in order: the GHG Protocol scopes, the total, process
#: CO2 (part of scope 1) and biogenic CO2 (a memo item outside the total).
GHG_SCOPES = ("scope1", "scope2", "scope2_market", "scope3", "total", "process", "biogenic_co2")
#: Components of the emission-reduction savings rows (indicator ``ghg_reduction``).
REDUCTION_COMPONENTS = ("total", "fuel", "electricity", "scope3")
#: Main indicators, in the order the reports show them.
MAIN = ("energy", "ghg", "water", "wastewater", "waste", "materials", "cost")
#: Economics columns of an interventions table (HTML and Markdown): row key and its format.
INTERVENTION_ECONOMICS: tuple[tuple[str, Callable[[float | None], str]], ...] = (
    ("capex", money),
    ("annual_saving", money),
    ("simple_payback_years", years),
    ("npv", money),
    ("irr", pct),
    ("cost_per_t_co2e", num),
)
#: Economics columns of a scenario-economics table: those of an intervention plus GHG avoided.
SCENARIO_ECONOMICS: tuple[tuple[str, Callable[[float | None], str]], ...] = (
    *INTERVENTION_ECONOMICS[:5],
    ("ghg_avoided_t_co2e_per_year", num),
    INTERVENTION_ECONOMICS[5],
)


@dataclass
class FlowInfo:
    """One flow of the plant with its amount in every state.

    ``unit`` is the canonical unit the engine works in (t, m3, GJ, or a product's own unit);
    ``price`` is in the scenario currency per that unit; ``energy`` is final energy [GJ] per
    state (zero for flows that carry none); ``carrier`` is the energy carrier key (a fuel's
    carrier, ``electricity`` or ``heat``), else None.
    """

    id: str
    name: str | None
    type: str
    detail: str | None
    hazardous: bool | None
    unit: str
    amounts: dict[str, float]
    price: float | None
    energy: dict[str, float]
    carrier: str | None
    entered_unit: str | None = None
    per_entered: float = 1.0

    @property
    def shown_unit(self) -> str:
        """The unit the consultant entered the amount in (else the canonical unit)."""
        return self.entered_unit or self.unit

    @property
    def converted(self) -> bool:
        """True when the amount was entered in another unit than the canonical one."""
        return self.entered_unit is not None and self.entered_unit != self.unit

    def shown(self, state: str = "baseline") -> float:
        """The amount in ``state`` in the unit it was entered in."""
        return clean(self.amounts.get(state, 0.0) / self.per_entered, None) or 0.0

    @property
    def shown_price(self) -> float | None:
        """The price per entered unit [currency/entered unit] (None without a price)."""
        return None if self.price is None else self.price * self.per_entered


@dataclass
class InterventionInfo:
    """An intervention's description (the numbers are in ``savings`` and ``economics``)."""

    id: str
    name: str | None
    category: str
    source: str | None
    notes: str | None
    capex: float = 0.0
    opex: float = 0.0
    lifetime: float | None = None

    @property
    def label(self) -> str:
        """Display name: the name when given, else the id."""
        return self.name or self.id


@dataclass
class ReportData:
    """Everything a report shows, as plain values (see :func:`build`)."""

    plant: dict[str, Any]
    settings: dict[str, Any]
    version: str
    date: str
    scenarios: dict[str, list[str]]
    results: list[dict[str, Any]]
    savings: list[dict[str, Any]]
    economics: list[dict[str, Any]]
    factors: list[dict[str, Any]]
    warnings: list[dict[str, str]]
    flows: list[FlowInfo]
    interventions: dict[str, InterventionInfo]
    doc: dict[str, Any] = field(default_factory=dict, repr=False)
    #: Amount saved of every flow (before minus after, in the unit it was entered in) per
    #: ``(scenario, intervention, basis)``, aligned with ``flows``: what the Excel report's
    #: live formulas multiply by the prices.
    flow_changes: dict[tuple[str, str, str], list[float]] = field(default_factory=dict, repr=False)

    # -- look-ups -------------------------------------------------------------------------

    @property
    def states(self) -> list[str]:
        """``baseline`` then every scenario, in file order."""
        return ["baseline", *self.scenarios]

    @property
    def currency(self) -> str:
        """The scenario currency (ISO 4217 code)."""
        return str(self.settings.get("currency") or "")

    def _index(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        idx = self.__dict__.get("_idx")
        if idx is None:
            idx = {(r["scenario"], r["indicator"], r["component"]): r for r in self.results}
            self.__dict__["_idx"] = idx
        return idx

    def value(self, state: str, indicator: str, component: str = "total") -> float | None:
        """Return a result value, or None when the row does not exist or was not computed."""
        r = self._index().get((state, indicator, component))
        return None if r is None else r["value"]

    def unit(self, indicator: str, component: str = "total") -> str | None:
        """Return the unit of a result row (None when the row does not exist)."""
        r = self._index().get(("baseline", indicator, component))
        return None if r is None else r["unit"]

    def saving_unit(self, indicator: str, component: str = "total") -> str | None:
        """Unit of a savings row (also of savings-only indicators such as ``ghg_reduction``)."""
        unit = self.unit(indicator, component)
        if unit is not None:
            return unit
        for r in self.savings:
            if r["indicator"] == indicator and r["component"] == component:
                return str(r["unit"])
        return None

    def saving_units(self) -> list[tuple[str, str]]:
        """(indicator, unit) of the saving columns of an interventions table, where present."""
        pairs = [(ind, self.unit(ind)) for ind in ("energy", "ghg", "water", "waste")]
        return [(ind, unit) for ind, unit in pairs if unit is not None]

    def comparison_rows(self) -> list[tuple[str, str]]:
        """(indicator, component) of :data:`COMPARISON_ROWS` that the results have."""
        return [(ind, comp) for ind, comp in COMPARISON_ROWS if self.unit(ind, comp) is not None]

    def components(self, indicator: str) -> list[str]:
        """Components of an indicator in result order, ``total`` first."""
        out: list[str] = []
        for r in self.results:
            if (
                r["scenario"] == "baseline"
                and r["indicator"] == indicator
                and r["component"] not in out
            ):
                out.append(r["component"])
        return out

    def indicators(self) -> list[str]:
        """List the indicators present in the results (intensities excluded), in result order."""
        out: list[str] = []
        for r in self.results:
            ind = r["indicator"]
            if r["scenario"] == "baseline" and not ind.endswith("_intensity") and ind not in out:
                out.append(ind)
        return out

    def saving(
        self,
        scenario: str,
        intervention: str | None,
        indicator: str,
        component: str = "total",
        basis: str = "in_sequence",
    ) -> float | None:
        """Return a saving (before minus after; positive is less) from the savings rows."""
        idx = self.__dict__.get("_sidx")
        if idx is None:
            idx = {
                (r["scenario"], r["intervention"], r["basis"], r["indicator"], r["component"]): r[
                    "value"
                ]
                for r in self.savings
            }
            self.__dict__["_sidx"] = idx
        v = idx.get((scenario, intervention, basis, indicator, component))
        return None if v is None else float(v)

    def econ(
        self, scenario: str, intervention: str | None, basis: str = "in_sequence"
    ) -> dict[str, Any]:
        """Return the economics row of an intervention in a scenario (``None``: the scenario)."""
        for e in self.economics:
            if (
                e["scenario"] == scenario
                and e["intervention"] == intervention
                and e["basis"] == basis
            ):
                return e
        return {}

    def ghg_scopes(self) -> list[str]:
        """The :data:`GHG_SCOPES` components the results have, in that order."""
        return [c for c in GHG_SCOPES if self.unit("ghg", c) is not None]

    def reductions(self) -> list[str]:
        """The :data:`REDUCTION_COMPONENTS` of the ``ghg_reduction`` savings rows present."""
        have = {r["component"] for r in self.savings if r["indicator"] == "ghg_reduction"}
        return [c for c in REDUCTION_COMPONENTS if c in have]

    def cm_factors(self) -> list[dict[str, Any]]:
        """The combined-margin grid factors used for ``ghg_reduction/electricity``."""
        return [
            f for f in self.factors if str(f["id"]).endswith(":cm") or f["id"] == "user:grid_cm"
        ]

    def cm_lines(self, t: Any) -> list[str]:
        """One translated line per combined-margin factor used: value, unit, id and source."""
        return [
            t(
                "ghg.cm_line",
                value=f"{f.get('value'):.6g}",
                unit=t.unit(f.get("unit")),
                id=f["id"],
                source=f.get("source") or "",
            )
            for f in self.cm_factors()
        ]

    def has_carbon_revenue(self) -> bool:
        """True when an economics row has a ``carbon_revenue`` (a carbon price was given)."""
        return any(e.get("carbon_revenue") is not None for e in self.economics)

    def economics_columns(
        self, columns: tuple[tuple[str, Callable[[float | None], str]], ...]
    ) -> list[tuple[str, Callable[[float | None], str]]]:
        """``columns`` with ``carbon_revenue`` after the annual saving when there is one."""
        out = list(columns)
        if self.has_carbon_revenue():
            k = next((i for i, (key, _) in enumerate(out) if key == "annual_saving"), 0)
            out.insert(k + 1, ("carbon_revenue", money))
        return out

    def releases(self) -> dict[str, list[str]]:
        """Mercury and PCDD/F indicators present, with their components (vectors)."""
        out: dict[str, list[str]] = {}
        for ind in RELEASE_INDICATORS:
            comps = self.components(ind)
            if comps:
                out[ind] = comps
        return out

    def energy_flows(self, state: str) -> list[FlowInfo]:
        """Flows that carry final energy in ``state`` (positive GJ)."""
        return [f for f in self.flows if f.carrier and f.energy.get(state, 0.0) > 0]


def report_date() -> str:
    """Today's date (ISO 8601), or ``SOURCE_DATE_EPOCH``'s for reproducible reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date().isoformat()
    return _dt.date.today().isoformat()


def build(a: Assessment) -> ReportData:
    """Gather what the reports show from an assessment (one pass over its arrays)."""
    doc = a.to_dict()
    sc = a.scenario
    plant = dict(doc["plant"])
    plant["notes"] = sc.plant.notes
    plant["source"] = sc.plant.source
    plant["scenario_notes"] = sc.notes
    c = a.compiled
    interventions = {
        iv.id: InterventionInfo(
            iv.id,
            iv.name,
            iv.category,
            iv.source,
            iv.notes,
            capex=float(c.capex[iv.id]),
            opex=float(c.opex[iv.id]),
            lifetime=float(c.lifetime[iv.id]) if math.isfinite(c.lifetime[iv.id]) else None,
        )
        for iv in sc.interventions
    }
    flows = flow_infos(a)
    results, savings, economics = clean_rows(doc["results"], doc["savings"], doc["economics"])
    return ReportData(
        plant=plant,
        settings=doc["settings"],
        version=doc["recp_version"],
        date=date_text(report_date()),
        scenarios={k: list(v) for k, v in sc.scenario_map.items()},
        results=results,
        savings=savings,
        economics=economics,
        factors=doc["factors"],
        warnings=a.warning_details(),  # with the named fields of the translated messages
        flows=flows,
        interventions=interventions,
        doc=doc,
        flow_changes=flow_changes(a, [f.per_entered for f in flows]),
    )


def flow_changes(
    a: Assessment, per_entered: list[float]
) -> dict[tuple[str, str, str], list[float]]:
    """Amount saved of every flow per (scenario, intervention, basis), in entered units."""
    import numpy as np  # lazy: CLI start-up (numpy is loaded by then; kept off module import)

    per = np.asarray(per_entered, dtype=float)
    n = len(per)  # the plant's flows (process release flows follow them and carry no price)
    out: dict[tuple[str, str, str], list[float]] = {}

    def saved(before: np.ndarray, after: np.ndarray) -> list[float]:
        d = before[:n] - after[:n]  # noise (1e-9 of the flow) shown as 0, as everywhere
        big = np.maximum(np.abs(before[:n]), np.abs(after[:n]))
        return [float(x) for x in np.where(np.abs(d) <= ZERO_RTOL * big, 0.0, d) / per]

    for name, states in a.states.items():
        for k, iid in enumerate(a.scenario.scenario_map[name]):
            out[(name, iid, "in_sequence")] = saved(states[k], states[k + 1])
            out[(name, iid, "standalone")] = saved(a.compiled.amount, a.standalone[iid])
    return out


def entered_unit(q: Any, canonical: str) -> tuple[str | None, float]:
    """The unit an amount was entered in and how many canonical units one of it is.

    ``(None, 1.0)`` when it was entered in the canonical unit or does not convert to it.
    """
    text = unit_text(q)
    if text == canonical:
        return None, 1.0
    try:
        per = to_float(q / q.magnitude if q.magnitude else q.units * 1.0, canonical)
    except (ValueError, TypeError, ArithmeticError, KeyError):
        return None, 1.0
    if not math.isfinite(per) or per <= 0:
        return None, 1.0
    return text, per


def flow_infos(a: Assessment) -> list[FlowInfo]:
    """Describe every flow of the plant with its amount and final energy in every state."""
    c = a.compiled
    states: dict[str, np.ndarray] = {"baseline": c.amount}
    states.update({name: s[-1] for name, s in a.states.items()})

    def col(indicator: str) -> np.ndarray | None:
        try:
            return c.W[:, c.row_index(indicator, "total")]
        except KeyError:
            return None

    energy_col = col("energy")
    cost_col = col("cost")
    flows: list[FlowInfo] = []
    for i, fl in enumerate(a.scenario.flows):
        gj = float(energy_col[i]) if energy_col is not None else 0.0
        price = float(cost_col[i]) if (cost_col is not None and fl.price is not None) else None
        raw = {k: float(v[i]) for k, v in states.items()}
        big = max(abs(x) for x in raw.values())
        amounts = {k: clean(round12(v), big) or 0.0 for k, v in raw.items()}
        unit, per = entered_unit(fl.amount, c.flow_units[i])
        flows.append(
            FlowInfo(
                id=fl.id,
                name=fl.name,
                type=fl.type,
                detail=flow_detail(fl.type, fl.carrier, fl.source, fl.route),
                hazardous=fl.hazardous,
                unit=c.flow_units[i],
                amounts=amounts,
                price=price,
                energy={k: round12(v * gj) for k, v in amounts.items()},
                carrier=energy_carrier(fl.type, fl.carrier) if gj > 0 else None,
                entered_unit=unit,
                per_entered=per,
            )
        )
    return flows


def flow_detail(
    type_: str, carrier: str | None, source: str | None, route: str | None
) -> str | None:
    """The detail shown beside a flow's type: a fuel's carrier, water's source, waste's route."""
    return {"fuel": carrier, "water": source, "waste": route}.get(type_)


def energy_carrier(type_: str, carrier: str | None) -> str | None:
    """The energy carrier key of a flow: a fuel's carrier, ``electricity`` or ``heat``."""
    if type_ == "fuel":
        return carrier
    return type_ if type_ in ("electricity", "heat") else None


def round12(v: float) -> float:
    """12 significant digits, like the JSON document (stable across machines)."""
    if not math.isfinite(v) or v == 0:
        return 0.0 if v == 0 else v
    return float(f"{v:.12g}")


@dataclass
class CalcView:
    """One computed change as the reports show it ("how this saving was computed").

    Texts are ready to print (numbers formatted with :func:`~recp.report.fmt.num`); the Excel
    sheet keeps the numbers of ``record``.
    """

    intervention: str
    flow: str
    method: str
    title: str
    equation: str
    source: str
    inputs: list[str]
    values: list[str]
    changes: list[str]
    record: dict[str, Any] = field(default_factory=dict, repr=False)


def calculations(data: ReportData, default_word: str = "default") -> list[CalcView]:
    """The assessment's ``calculations`` records as printable views, in intervention order."""
    out = []
    for rec in data.doc.get("calculations", []):
        inputs = [
            f"{i['name']} = {i['value']}" + (f" ({default_word})" if i.get("default") else "")
            for i in rec["inputs"]
        ]
        values = [f"{v['name']}: {num(v['value'])} {v['unit']}" for v in rec["values"]]
        changes = []
        for c in rec["changes"]:
            if c["kind"] == "relative":
                changes.append(f"{c['flow']}: {pct(c['value'])}")
            else:
                same = c["unit"] == c["amount_unit"]
                extra = "" if same else f" = {num(c['amount'])} {c['amount_unit']}"
                changes.append(f"{c['flow']}: {num(c['value'])} {c['unit']}{extra}")
        out.append(
            CalcView(
                rec["intervention"],
                rec["flow"],
                rec["method"],
                rec["title"],
                rec["equation"],
                rec["source"],
                inputs,
                values,
                changes,
                rec,
            )  # fmt: skip
        )
    return out
