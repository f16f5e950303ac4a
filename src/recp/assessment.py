"""Assess a plant: baseline, scenarios, intervention savings and economics.

>>> import recp
>>> a = recp.assess(recp.load("scenarios/textile-dyeing-bd.yaml"))   # doctest: +SKIP
>>> a.table().query("indicator == 'ghg'")                           # doctest: +SKIP

Savings are ``before - after`` (positive means less energy, emissions, water, waste or cost).
``in_sequence`` savings apply each intervention to the flows as the previous ones in the scenario
left them, so they add up to the scenario's total saving without double counting; ``standalone``
savings apply the intervention alone to the baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from recp.cashflows import add_cash_flows, has_finance
from recp.engine import SAVINGS_ONLY, Compiled, CompiledChange, compile_scenario
from recp.errors import InputError, Problem
from recp.factors import library
from recp.models import finance
from recp.models.balances import FLAGS, closure, compare_range
from recp.models.changes import apply_changes, below_zero
from recp.tolerance import change
from recp.toolkits import RELEASE_ECONOMICS
from recp.units import is_dimension, parse_quantity, to_float, unit_text
from recp.version import __version__

if TYPE_CHECKING:
    import pandas as pd

    from recp.factors import FactorLibrary, Table
    from recp.scenario import Scenario

#: Indicators that get an intensity per unit of production.
_INTENSITY = ("energy", "ghg", "water", "wastewater", "waste")
INTENSITY = _INTENSITY


def _num(x: float) -> float | None:
    """JSON-ready float: None for NaN/inf, 12 significant digits (stable across machines)."""
    if x is None or not math.isfinite(x):
        return None
    if x == 0:
        return 0.0
    return float(f"{x:.12g}")


#: The JSON number of a float (None for NaN/inf, 12 significant digits), for other modules.
json_number = _num


@dataclass
class Assessment:
    """The result of :func:`assess`: every state's indicators plus savings and economics.

    Attributes
    ----------
    scenario : Scenario
        The validated input.
    compiled : Compiled
        The arrays the engine worked on (flows, coefficient matrix, factors used).
    states : dict
        ``scenario name -> array (k+1, F)`` of flow amounts after 0..k interventions.
    standalone : dict
        ``intervention id -> array (F,)``: the baseline with only that intervention.
    lib : FactorLibrary or None
        The factor library the plant was assessed with (None: the shipped one).
    """

    scenario: Scenario
    compiled: Compiled
    states: dict[str, np.ndarray]
    standalone: dict[str, np.ndarray]
    lib: FactorLibrary | None = None

    # -- indicators -------------------------------------------------------------------------

    def indicators(self, amounts: np.ndarray) -> np.ndarray:
        """Result rows for amounts of shape ``(..., F)`` (one matrix product)."""
        return np.asarray(amounts @ self.compiled.W)

    @property
    def baseline(self) -> np.ndarray:
        """Baseline result row values, aligned with ``compiled.rows``."""
        return self.indicators(self.compiled.amount)

    # -- tidy outputs -----------------------------------------------------------------------

    def results(self) -> list[dict[str, Any]]:
        """Result rows (baseline and the end state of every scenario), with intensities."""
        c = self.compiled
        out: list[dict[str, Any]] = []
        names = ["baseline", *self.states]
        values = [self.baseline] + [self.indicators(s[-1]) for s in self.states.values()]
        prod = self.scenario.plant.production
        for name, vals in zip(names, values, strict=True):
            for r, v in zip(c.rows, vals, strict=True):
                if r.indicator in SAVINGS_ONLY:
                    continue
                out.append(
                    {
                        "scenario": name,
                        "indicator": r.indicator,
                        "component": r.component,
                        "value": _num(v),
                        "unit": r.unit,
                    }
                )
            if prod is not None:
                p = float(prod.magnitude)
                punit = unit_text(prod)
                for r, v in zip(c.rows, vals, strict=True):
                    if is_intensity_row(r.indicator, r.component):
                        out.append(
                            {
                                "scenario": name,
                                "indicator": f"{r.indicator}_intensity",
                                "component": r.component,
                                "value": _num(v / p),
                                "unit": f"{r.unit}/{punit}",
                            }
                        )
        return out

    def savings(self) -> list[dict[str, Any]]:
        """Savings rows per scenario and intervention, ``in_sequence`` and ``standalone``.

        A row with ``intervention: None`` is the scenario's total (baseline minus end state).
        """
        c = self.compiled
        base = self.baseline
        out: list[dict[str, Any]] = []
        stand = {k: base - self.indicators(v) for k, v in self.standalone.items()}
        for name, states in self.states.items():
            res = self.indicators(states)  # (k+1, R)
            steps = res[:-1] - res[1:]
            ids = self.scenario.scenario_map[name]
            for k, iid in enumerate(ids):
                for basis, vals in (("in_sequence", steps[k]), ("standalone", stand[iid])):
                    for r, v in zip(c.rows, vals, strict=True):
                        out.append(
                            {
                                "scenario": name,
                                "intervention": iid,
                                "basis": basis,
                                "indicator": r.indicator,
                                "component": r.component,
                                "value": _num(v),
                                "unit": r.unit,
                            }
                        )
            for r, v in zip(c.rows, res[0] - res[-1], strict=True):
                out.append(
                    {
                        "scenario": name,
                        "intervention": None,
                        "basis": "in_sequence",
                        "indicator": r.indicator,
                        "component": r.component,
                        "value": _num(v),
                        "unit": r.unit,
                    }
                )
        return out

    def economics(self) -> list[dict[str, Any]]:
        """Economics per intervention (both bases) and per scenario (``intervention: None``).

        Computed by :func:`recp.models.finance.appraise` and
        :func:`~recp.models.finance.appraise_scenarios`, as in the batch engine.
        """
        c = self.compiled
        rate = c.settings["discount_rate"]
        r = np.nan if rate is None else rate
        price = c.settings.get("carbon_price")
        cost_col = _col(c, "cost", "total")
        red_col = _col(c, "ghg_reduction", "total")
        cols = {"ghg": _col(c, "ghg", "total")}
        cols |= {ind: _col(c, ind, "total") for ind, _, _ in RELEASE_ECONOMICS}
        base = self.baseline
        out: list[dict[str, Any]] = []

        def avoided(before: np.ndarray, after: np.ndarray) -> dict[str, np.ndarray]:
            """Avoided GHG, mercury [kg] and PCDD/F [g TEQ] (total: a shift is no reduction)."""
            return {
                k: change(before[..., i], after[..., i])
                if i is not None
                else np.full(after.shape[:-1], np.nan)
                for k, i in cols.items()
            }

        for name, states in self.states.items():
            ids = self.scenario.scenario_map[name]
            if not ids:
                continue
            res = self.indicators(states)
            capex = np.array([c.capex[i] for i in ids])
            opex = np.array([c.opex[i] for i in ids])
            life = np.array([c.lifetime[i] for i in ids])
            st_res = self.indicators(np.stack([self.standalone[i] for i in ids]))
            seq_saving = None
            seq_credit: np.ndarray | None = None
            for basis, before, after in (
                ("in_sequence", res[:-1], res[1:]),
                ("standalone", np.broadcast_to(base, st_res.shape), st_res),
            ):
                flow_saving = (
                    change(before[:, cost_col], after[:, cost_col])
                    if cost_col is not None
                    else np.zeros(len(ids))
                )
                av = avoided(before, after)
                credit = (
                    finance.carbon_revenue(change(before[:, red_col], after[:, red_col]), price)
                    if price is not None and red_col is not None
                    else None
                )
                ap = finance.appraise(capex, opex, flow_saving, r, life, av, _or0(credit))
                if seq_saving is None:
                    seq_saving, seq_ghg, seq_credit = ap.annual_saving, av["ghg"], credit
                out += [
                    self._economics_row(name, iid, basis, ap, k, av, credit)
                    for k, iid in enumerate(ids)
                ]
            # The whole scenario: in-sequence savings, each for its own lifetime.
            assert seq_saving is not None
            total = avoided(res[:1], res[-1:])
            total["ghg"] = np.array([seq_ghg.sum()])
            ap = finance.appraise_scenarios(capex[None], seq_saving[None], [r], life[None], total)
            credit = None if seq_credit is None else seq_credit.sum(keepdims=True)
            out.append(self._economics_row(name, None, "in_sequence", ap, 0, total, credit))
        return out

    def _economics_row(
        self,
        name: str,
        iid: str | None,
        basis: str,
        ap: finance.Appraisal,
        k: int,
        avoided: dict[str, np.ndarray],
        credit: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """One economics row of the JSON document from element ``k`` of an appraisal.

        ``carbon_revenue`` (part of ``annual_saving``) is None when no ``carbon_price`` is set.
        """
        row = {
            "scenario": name,
            "intervention": iid,
            "basis": basis,
            "currency": self.scenario.currency,
            "capex": _num(float(ap.capex[k])),
            "annual_saving": _num(float(ap.annual_saving[k])),
            "carbon_revenue": None if credit is None else _num(float(credit[k])),
            "simple_payback_years": _num(float(ap.simple_payback[k])),
            "lifetime_years": _num(float(ap.lifetime[k])),
            "npv": _num(float(ap.npv[k])),
            "irr": _num(float(ap.irr[k])),
            "ghg_avoided_t_co2e_per_year": _num(float(avoided["ghg"][k])),
            "cost_per_t_co2e": _num(float(ap.cost_per_unit["ghg"][k])),
        }
        for ind, c_av, c_cost in RELEASE_ECONOMICS:
            row[c_av] = _num(float(avoided[ind][k]))
            row[c_cost] = _num(float(ap.cost_per_unit[ind][k]))
        return row

    def balances(self) -> list[dict[str, Any]]:
        """Water and mass balances of the baseline, each with its closure and a verdict.

        Water: withdrawal (water flows) against wastewater plus the outputs listed under
        ``balances.water`` (evaporation, water in product...). Mass: materials in [t] against
        products [t], waste [t] and the outputs listed under ``balances.mass``. A balance that
        cannot be formed (no inputs, products not in mass units) says why; it never passes
        silently. The tolerance is ``balances.tolerance`` (default 10 %).
        """
        sc = self.scenario
        bal = sc.balances
        tol = (
            float(bal.tolerance.to("dimensionless").magnitude)
            if bal is not None and bal.tolerance is not None
            else 0.10
        )
        water_out = {k: to_float(q, "m3") for k, q in (bal.water.items() if bal else [])}
        mass_out = {k: to_float(q, "t") for k, q in (bal.mass.items() if bal else [])}
        amounts = dict(zip(self.compiled.flow_ids, self.compiled.amount, strict=True))
        units = dict(zip(self.compiled.flow_ids, self.compiled.flow_units, strict=True))
        out: list[dict[str, Any]] = []

        def verdict(
            name: str,
            unit: str,
            inputs: dict[str, float],
            outputs: dict[str, float],
            note: str | None,
        ) -> dict[str, Any]:
            tin, tout = sum(inputs.values()), sum(outputs.values())
            d, r, ok = closure(tin, tout, tol)
            diff = float(d[0])
            rel = None if np.isnan(r[0]) else float(r[0])
            if note is None and tin <= 0:
                note = no_inputs_note(name)
            closes = None if note is not None else bool(ok[0])
            return {
                "balance": name,
                "unit": unit,
                "in": _num(tin),
                "out": _num(tout),
                "difference": _num(diff),
                "relative": None if rel is None else _num(rel),
                "tolerance": _num(tol),
                "closes": closes,
                "inputs": inputs,
                "outputs": outputs,
                "note": note,
            }

        w_in = {f.id: float(amounts[f.id]) for f in sc.flows if f.type == "water"}
        w_out = {f.id: float(amounts[f.id]) for f in sc.flows if f.type == "wastewater"}
        w_out |= water_out
        out.append(verdict("water", "m3", w_in, w_out, None))
        m_in = {
            f.id: float(amounts[f.id])
            for f in sc.flows
            if f.type == "material" and units[f.id] == "t"
        }
        m_out = {
            f.id: float(amounts[f.id])
            for f in sc.flows
            if f.type in ("product", "waste") and units[f.id] == "t"
        }
        m_out |= mass_out
        not_mass = [
            f.id for f in sc.flows if f.type == "product" and not is_dimension(f.amount, "t")
        ]
        note = not_mass_note(", ".join(not_mass)) if not_mass else None
        out.append(verdict("mass", "t", m_in, m_out, note))
        for b in out:
            b["inputs"] = {k: _num(v) for k, v in b["inputs"].items()}
            b["outputs"] = {k: _num(v) for k, v in b["outputs"].items()}
        return out

    def benchmarks(self) -> list[dict[str, Any]]:
        """The plant's intensities beside published sector reference ranges, where recp has one.

        Each row says ``below``, ``within`` or ``above`` the range, or why it could not be
        compared (no production, or a production unit that does not convert).
        """
        sc = self.scenario
        if not sc.plant.sector or sc.plant.production is None:
            return []
        lib = self.lib or library()
        try:
            table = lib.table(lib.REFERENCES)
        except KeyError:
            return []
        rows = [r for r in table.rows.values() if r.get("sector") == sc.plant.sector]
        out: list[dict[str, Any]] = []
        base = self.baseline
        prod = sc.plant.production
        for r in rows:
            ind = str(r["indicator"]).removesuffix("_intensity")
            i = _col(self.compiled, ind, "total")
            entry: dict[str, Any] = reference_fields(r, table)
            try:
                value_q = (
                    (parse_quantity(f"{float(base[i])!r} {self.compiled.rows[i].unit}") / prod)
                    if i is not None
                    else None
                )
                value = to_float(value_q, str(r["unit"])) if value_q is not None else None
            except Exception:  # noqa: BLE001 - unit mismatch: say so, do not guess
                value = None
            entry["value"] = _num(value) if value is not None else None
            if value is None:
                entry["flag"] = "not_comparable"
                entry["note"] = not_comparable_note(
                    f"{prod.units:~}", r.get("unit"), r.get("product")
                )
            else:
                lo, hi = r.get("low"), r.get("high")
                flag = compare_range(
                    value, np.nan if lo is None else lo, np.nan if hi is None else hi
                )
                entry["flag"] = FLAGS[int(flag)]
            out.append(entry)
        return out

    def factors(self) -> list[dict[str, Any]]:
        """Every factor the assessment used, with its source and the flows that used it."""
        c = self.compiled
        return [{**c.factors[k].to_dict(), "flows": c.factor_flows[k]} for k in sorted(c.factors)]

    def warnings(self) -> list[dict[str, str]]:
        """Warnings raised while compiling and assessing (never silent defaults).

        Each is ``{"code": ..., "message": ...}``, the message in English (as in the JSON).
        """
        return [{"code": w["code"], "message": w["message"]} for w in self.warning_details()]

    def warning_details(self) -> list[dict[str, str]]:
        """:meth:`warnings` with the named fields some carry (``flow``, ``intervention`` ...).

        The reports fill the translated template of a code (``warning_messages.<code>`` in the
        catalogues, or the variant named by ``template``) with these fields.
        """
        out = list(self.compiled.warnings)
        for b in self.balances():
            w = balance_warning(
                b["balance"], b["unit"], b["in"], b["out"], b["relative"], b["tolerance"],
                b["closes"], b["note"],
            )  # fmt: skip
            if w is not None:
                out.append(w)
        for r in self.benchmarks():
            if r["flag"] in ("below", "above"):
                out.append(
                    benchmark_warning(
                        r["indicator"],
                        r["value"],
                        r["unit"],
                        r["flag"],
                        r["low"],
                        r["high"],
                        r["source"],
                    )  # fmt: skip
                )
        return out

    def calculations(self) -> list[dict[str, Any]]:
        """How each computed change (``calc:``) was computed: method, inputs, values, source.

        One entry per change, in intervention order: ``intervention``, ``change`` (its place in
        the file), ``flow``, ``method``, ``title``, ``equation``, ``source``, ``inputs`` (as
        given; defaults flagged), ``values`` (intermediate results with units) and ``changes``
        (each flow's change in the calculator's unit and in the flow's canonical unit).
        """
        return [dict(c) for c in self.compiled.calculations]

    def to_dict(self) -> dict[str, Any]:
        """The assessment as the JSON document of recp's output contract.

        ``calculations`` (see :meth:`calculations`) is present only when the scenario has
        computed changes, so that documents of scenarios without them are unchanged.
        """
        sc = self.scenario
        plant: dict[str, Any] = {
            "name": sc.plant.name,
            "country": sc.country_code,
            "sector": sc.plant.sector,
        }
        if sc.plant.production is not None:
            plant["production"] = {
                "value": _num(float(sc.plant.production.magnitude)),
                "unit": unit_text(sc.plant.production),
            }
        settings = dict(self.compiled.settings)
        settings["scenarios"] = {k: list(v) for k, v in sc.scenario_map.items()}
        doc: dict[str, Any] = {
            "recp_version": __version__,
            "plant": plant,
            "settings": settings,
            "results": self.results(),
            "savings": self.savings(),
            "economics": self.economics(),
            "balances": self.balances(),
            "benchmarks": self.benchmarks(),
            "factors": self.factors(),
            "warnings": self.warnings(),
        }
        if self.compiled.calculations:
            doc["calculations"] = self.calculations()
        if has_finance(self):  # finance: keys given (issue #17): yearly cash flows
            add_cash_flows(doc, self)
        return doc

    def table(self) -> pd.DataFrame:
        """The result rows as a tidy DataFrame (scenario, indicator, component, value, unit)."""
        import pandas as pd  # lazy: CLI start-up

        return pd.DataFrame(
            self.results(), columns=["scenario", "indicator", "component", "value", "unit"]
        )

    def savings_table(self) -> pd.DataFrame:
        """The savings rows as a tidy DataFrame."""
        import pandas as pd  # lazy: CLI start-up

        return pd.DataFrame(
            self.savings(),
            columns=[
                "scenario",
                "intervention",
                "basis",
                "indicator",
                "component",
                "value",
                "unit",
            ],
        )

    def economics_table(self) -> pd.DataFrame:
        """The economics rows as a DataFrame."""
        import pandas as pd  # lazy: CLI start-up

        return pd.DataFrame(self.economics())

    def value(self, indicator: str, component: str = "total", scenario: str = "baseline") -> float:
        """One result value, e.g. ``a.value("ghg", "scope1")``."""
        c = self.compiled
        i = _col(c, indicator, component)
        if i is None:
            raise KeyError(f"no result row {indicator}/{component}")
        amounts = c.amount if scenario == "baseline" else self.states[scenario][-1]
        return float(self.indicators(amounts)[i])


def is_intensity_row(indicator: str, component: str) -> bool:
    """Whether a result row gets an intensity: the totals, and every effluent pollutant."""
    return (component == "total" and indicator in _INTENSITY) or indicator == "effluent_load"


def no_effect_warning(intervention: str) -> dict[str, str]:
    """The warning for an intervention that changes no flow."""
    return {
        "code": "no_effect",
        "intervention": intervention,
        "message": (
            f"intervention '{intervention}' changes no flow (its changes leave every amount as "
            "it was)"
        ),
    }


def no_inputs_note(balance: str) -> str:
    """Why a balance without inputs is not checked."""
    return f"no {balance} inputs recorded: the balance cannot be checked"


def not_mass_note(products: str) -> str:
    """Why a mass balance with products not in mass units is not checked."""
    return (
        f"product flow(s) {products} are not in mass units: the mass balance "
        "cannot be checked (give them in t, or list their mass under balances.mass)"
    )


def not_comparable_note(production_unit: str, unit: Any, product: Any) -> str:
    """Why an intensity is not compared with its reference."""
    return f"production is in '{production_unit}', the reference is {unit} of {product}"


def _balance_where(balance: str) -> str:
    """What to check when a balance does not close."""
    return (
        "check metered withdrawal against wastewater; add evaporation, water "
        "in product and losses under balances.water"
        if balance == "water"
        else "check materials and chemicals in against products and waste; "
        "add emissions, wastewater solids and stock changes under "
        "balances.mass"
    )


#: The message of a balance that does not close (:func:`balance_warning`): a template of a
#: template, filled with the balance, its unit and what to check, then with the JSON numbers
#: (:func:`_num`) of in, out, the relative difference and the tolerance.
_BALANCE_MESSAGE = (
    "{b} balance does not close: in {{0:g}} {u}, out {{1:g}} {u}, "
    "difference {{2:+.1%}} (tolerance {{3:.0%}}); {w}"
)


def _balance_template(balance: str, unit: str) -> str:
    return _BALANCE_MESSAGE.format(b=balance, u=unit, w=_balance_where(balance))


def balance_warning(
    balance: str,
    unit: str,
    tin: float,
    tout: float,
    relative: float | None,
    tolerance: float,
    closes: bool | None,
    note: str | None,
) -> dict[str, str] | None:
    """The warning for a balance that does not close or cannot be checked (None if it closes)."""
    if closes is None:
        return {
            "code": f"{balance}_balance_unchecked",
            "message": f"{balance} balance not checked: {note}",
        }
    if closes:
        return None
    assert relative is not None
    tin_r, tout_r, rel_r = _num(tin), _num(tout), _num(relative)  # as in the JSON document
    return {
        "code": f"{balance}_balance",
        "inflow": f"{tin_r:g}",
        "outflow": f"{tout_r:g}",
        "unit": unit,
        "difference": f"{rel_r:+.1%}",
        "tolerance": f"{tolerance:.0%}",
        "message": _balance_template(balance, unit).format(tin_r, tout_r, rel_r, tolerance),
    }


def balance_messages(
    balance: str, unit: str, tin: Any, tout: Any, relative: Any, tolerance: Any
) -> list[str]:
    """The messages of :func:`balance_warning` for many balances that do not close (arrays).

    The same text, built without a Python call per balance (for the batch engine); the
    numbers are finite.
    """
    template = _balance_template(balance, unit)
    return list(map(template.format, _nums(tin), _nums(tout), _nums(relative), _floats(tolerance)))


def _floats(x: Any) -> list[float]:
    """Python floats of an array."""
    return list(np.asarray(x, dtype=float).tolist())


def _nums(x: Any) -> list[float]:
    """:func:`_num` of every element of an array of finite floats (0 for -0.0)."""
    v = np.asarray(x, dtype=float)
    v = np.where(v == 0, 0.0, v)  # _num gives 0.0 for a zero of either sign
    return list(map(float, map(format, v.tolist(), repeat(".12g"))))


#: The message of an intensity outside its reference range (:func:`benchmark_warning`).
_BENCHMARK_MESSAGE = "{0} {1:g} {2} is {3} the reference range {4:g}-{5:g} {2} ({6})"


def benchmark_warning(
    indicator: str, value: float, unit: str, flag: str, low: float, high: float, source: str
) -> dict[str, str]:
    """The warning for an intensity below or above its sector reference range."""
    return {
        "code": "intensity_outside_reference",
        "message": _BENCHMARK_MESSAGE.format(indicator, _num(value), unit, flag, low, high, source),
    }


def benchmark_messages(
    indicator: Any, value: Any, unit: Any, flag: Any, low: Any, high: Any, source: Any
) -> list[str]:
    """The messages of :func:`benchmark_warning` for many intensities (arrays, finite values)."""
    return list(
        map(
            _BENCHMARK_MESSAGE.format,
            list(indicator),
            _nums(value),
            list(unit),
            list(flag),
            _floats(low),
            _floats(high),
            list(source),
        )
    )


#: The economics figures of an intervention or a scenario, in the order every output shows them.
ECONOMICS_FIELDS = (
    "capex",
    "annual_saving",
    "carbon_revenue",
    "simple_payback_years",
    "lifetime_years",
    "npv",
    "irr",
    "ghg_avoided_t_co2e_per_year",
    "cost_per_t_co2e",
)


def reference_fields(row: dict[str, Any], table: Table) -> dict[str, Any]:
    """The fields of a sector reference row a benchmark shows (one plant or a batch)."""
    return {
        "id": row["id"],
        "indicator": row["indicator"],
        "low": row.get("low"),
        "high": row.get("high"),
        "unit": row.get("unit"),
        "product": row.get("product"),
        "source": table.factor(row["id"], "low").source  # type: ignore[union-attr]
        if row.get("low") is not None
        else row.get("source_row"),
    }


def _or0(x: np.ndarray | None) -> np.ndarray | float:
    return 0.0 if x is None else x


def _col(c: Compiled, indicator: str, component: str) -> int | None:
    try:
        return c.row_index(indicator, component)
    except KeyError:
        return None


def apply(amounts: np.ndarray, change: CompiledChange) -> np.ndarray:
    """Apply one compiled intervention to amounts of shape ``(..., F)``.

    See :func:`recp.models.changes.apply_changes`.
    """
    assert change.src is not None
    return apply_changes(amounts, change.flow, change.kind, change.value, change.src)


def located_below_zero(
    before: np.ndarray, change: CompiledChange, c: Compiled, scenario: str
) -> list[Problem]:
    """A problem, at its place in the file, for each change that takes a flow below zero."""
    assert change.src is not None
    where, prev, after = below_zero(before, change.flow, change.kind, change.value, change.src)
    out = []
    for j, p, a in zip(where.tolist(), prev.tolist(), after.tolist(), strict=True):
        f = int(change.flow[j])
        out.append(
            Problem(
                change.place[j],
                f"takes flow '{c.flow_ids[f]}' from {p:g} to {a:g} {c.flow_units[f]}, below "
                f"zero (scenario '{scenario}')",
            )
        )
    return out


def assess(scenario: Scenario, lib: FactorLibrary | None = None) -> Assessment:
    """Assess a validated scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`recp.load` or :func:`recp.loads`.
    lib : FactorLibrary, optional
        Factor tables; default the shipped ones.

    Returns
    -------
    Assessment

    Raises
    ------
    InputError
        If a factor is missing or an intervention takes a flow below zero.
    """
    if lib is not None:  # the scenario was validated against the shipped tables: check it again
        located = list(scenario.check(lib))
        if located:
            raise InputError(scenario.locate(located)).with_file(scenario.source_file or "<input>")
    try:
        c = compile_scenario(scenario, lib)
    except InputError as e:
        where = scenario.source_file or "<input>"
        raise InputError(scenario.locate(e.problems)).with_file(where) from None
    problems: list[Problem] = []
    states: dict[str, np.ndarray] = {}
    for name, ids in scenario.scenario_map.items():
        seq = [c.amount]
        for iid in ids:
            problems += located_below_zero(seq[-1], c.interventions[iid], c, name)
            seq.append(np.maximum(apply(seq[-1], c.interventions[iid]), 0.0))
        states[name] = np.stack(seq)
    standalone = {iid: apply(c.amount, ch) for iid, ch in c.interventions.items()}
    for ch in c.interventions.values():
        problems += located_below_zero(c.amount, ch, c, "standalone")
    if problems:
        seen: set[str] = set()
        uniq = [p for p in problems if not (p.place in seen or seen.add(p.place))]  # type: ignore[func-returns-value]
        raise InputError(scenario.locate(uniq)).with_file(scenario.source_file or "<input>")
    for name, st in states.items():  # last guard: numbers too large for floats
        if not np.all(np.isfinite(st @ c.W)):
            raise InputError(
                [
                    Problem(
                        "interventions",
                        f"scenario '{name}' gives results too "
                        "large to compute: check the size of the changes",
                    )
                ]
            ).with_file(scenario.source_file or "<input>")
    if not np.all(np.isfinite(c.amount @ c.W)):
        raise InputError(
            [
                Problem(
                    "flows",
                    "the baseline gives results too large to compute: check the amounts and units",
                )
            ]
        ).with_file(scenario.source_file or "<input>")
    for iid, ch in c.interventions.items():
        if np.allclose(apply(c.amount, ch), c.amount):
            c.warnings.append(no_effect_warning(iid))
    return Assessment(scenario, c, states, standalone, lib)
