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
from typing import TYPE_CHECKING, Any

import numpy as np

from recp import finance
from recp.engine import Compiled, apply, below_zero, compile_scenario
from recp.errors import InputError, Problem
from recp.toolkits import RELEASE_ECONOMICS
from recp.units import unit_text

if TYPE_CHECKING:
    import pandas as pd

    from recp.factors import FactorLibrary
    from recp.scenario import Scenario

#: Indicators that get an intensity per unit of production.
_INTENSITY = ("energy", "ghg", "water", "wastewater", "waste")


def _num(x: float) -> float | None:
    """JSON-ready float: None for NaN/inf, 12 significant digits (stable across machines)."""
    if x is None or not math.isfinite(x):
        return None
    if x == 0:
        return 0.0
    return float(f"{x:.12g}")


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
    """

    scenario: Scenario
    compiled: Compiled
    states: dict[str, np.ndarray]
    standalone: dict[str, np.ndarray]

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
                    if r.component == "total" and r.indicator in _INTENSITY:
                        out.append(
                            {
                                "scenario": name,
                                "indicator": f"{r.indicator}_intensity",
                                "component": "total",
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
        """Economics per intervention (both bases) and per scenario (``intervention: None``)."""
        c = self.compiled
        rate = c.settings["discount_rate"]
        r = np.nan if rate is None else rate
        cost_col = _col(c, "cost", "total")
        ghg_col = _col(c, "ghg", "total")
        rel_cols = {ind: _col(c, ind, "total") for ind, _, _ in RELEASE_ECONOMICS}
        base = self.baseline
        cur = self.scenario.currency
        out: list[dict[str, Any]] = []

        def row(
            name: str,
            iid: str | None,
            basis: str,
            capex: float,
            saving: float,
            life: float,
            npv: float,
            irr: float,
            ghg: float,
            cpt: float,
            rel: dict[str, tuple[float, float]],
        ) -> dict[str, Any]:
            out = {
                "scenario": name,
                "intervention": iid,
                "basis": basis,
                "currency": cur,
                "capex": _num(capex),
                "annual_saving": _num(saving),
                "simple_payback_years": _num(float(finance.simple_payback(capex, saving))),
                "lifetime_years": _num(life),
                "npv": _num(npv),
                "irr": _num(irr),
                "ghg_avoided_t_co2e_per_year": _num(ghg),
                "cost_per_t_co2e": _num(cpt),
            }
            for ind, c_av, c_cost in RELEASE_ECONOMICS:
                out[c_av], out[c_cost] = (_num(x) for x in rel[ind])
            return out

        def releases(
            res_before: np.ndarray,
            res_after: np.ndarray,
            capex: np.ndarray,
            saving: np.ndarray,
            life: np.ndarray,
        ) -> dict[str, np.ndarray]:
            """Avoided mercury [kg] and PCDD/F [g TEQ] (total: a shift is not a reduction)."""
            out = {}
            for key, col_ in rel_cols.items():
                if col_ is None:
                    avoided = np.full(len(capex), np.nan)
                else:
                    avoided = res_before[..., col_] - res_after[..., col_]
                out[key] = np.stack(
                    [
                        avoided,
                        finance.cost_of_abatement(capex, saving, r, life, np.nan_to_num(avoided)),
                    ],
                    axis=-1,
                )
            return out

        for name, states in self.states.items():
            ids = self.scenario.scenario_map[name]
            if not ids:
                continue
            res = self.indicators(states)
            capex = np.array([c.capex[i] for i in ids])
            opex = np.array([c.opex[i] for i in ids])
            life = np.array([c.lifetime[i] for i in ids])
            flow_saving = (
                (res[:-1, cost_col] - res[1:, cost_col])
                if cost_col is not None
                else np.zeros(len(ids))
            )
            ghg = res[:-1, ghg_col] - res[1:, ghg_col]
            st_res = self.indicators(np.stack([self.standalone[i] for i in ids]))
            st_flow = (
                (base[cost_col] - st_res[:, cost_col])
                if cost_col is not None
                else np.zeros(len(ids))
            )
            st_ghg = base[ghg_col] - st_res[:, ghg_col]
            for basis, fs, g, before, after in (
                ("in_sequence", flow_saving, ghg, res[:-1], res[1:]),
                ("standalone", st_flow, st_ghg, np.broadcast_to(base, st_res.shape), st_res),
            ):
                saving = fs - opex
                npv = finance.npv(capex, saving, r, life)
                irr = finance.irr(capex, saving, life)
                cpt = finance.cost_of_abatement(capex, saving, r, life, g)
                rel = releases(before, after, capex, saving, life)
                for k, iid in enumerate(ids):
                    out.append(
                        row(
                            name,
                            iid,
                            basis,
                            capex[k],
                            saving[k],
                            life[k],
                            npv[k],
                            irr[k],
                            g[k],
                            cpt[k],
                            {key: (v[k, 0], v[k, 1]) for key, v in rel.items()},
                        )
                    )
            # The whole scenario: in-sequence savings, each for its own lifetime.
            saving = flow_saving - opex
            total_saving = float(saving.sum())
            total_capex = float(capex.sum())
            has_life = bool(np.all(np.isfinite(life)))
            npv_s = float(finance.npv(capex, saving, r, life).sum()) if has_life else np.nan
            irr_s = float(finance.irr_portfolio(capex, saving, life)) if has_life else np.nan
            annual_cost = (
                (float((capex * finance.capital_recovery_factor(r, life)).sum()) - total_saving)
                if has_life
                else np.nan
            )
            g_tot = float(ghg.sum())
            cpt_s = annual_cost / g_tot if g_tot > 0 else np.nan
            rel_s = {}
            for key, col_ in rel_cols.items():
                av = float(res[0, col_] - res[-1, col_]) if col_ is not None else np.nan
                rel_s[key] = (av, annual_cost / av if col_ is not None and av > 0 else np.nan)
            out.append(
                row(
                    name,
                    None,
                    "in_sequence",
                    total_capex,
                    total_saving,
                    float(np.max(life)) if has_life else np.nan,
                    npv_s,
                    irr_s,
                    g_tot,
                    cpt_s,
                    rel_s,
                )
            )
        return out

    def balances(self) -> list[dict[str, Any]]:
        """Water and mass balances of the baseline, each with its closure and a verdict.

        Water: withdrawal (water flows) against wastewater plus the outputs listed under
        ``balances.water`` (evaporation, water in product...). Mass: materials in [t] against
        products [t], waste [t] and the outputs listed under ``balances.mass``. A balance that
        cannot be formed (no inputs, products not in mass units) says why; it never passes
        silently. The tolerance is ``balances.tolerance`` (default 10 %).
        """
        from recp.units import is_dimension, to_float

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
            diff = tin - tout
            rel = diff / tin if tin > 0 else None
            if note is None and tin <= 0:
                note = f"no {name} inputs recorded: the balance cannot be checked"
            closes = None if note is not None else bool(abs(rel or 0.0) <= tol)
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
        note = (
            f"product flow(s) {', '.join(not_mass)} are not in mass units: the mass balance "
            "cannot be checked (give them in t, or list their mass under balances.mass)"
            if not_mass
            else None
        )
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
        from recp.factors import library
        from recp.units import parse_quantity, to_float

        sc = self.scenario
        if not sc.plant.sector or sc.plant.production is None:
            return []
        lib = library()
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
            entry: dict[str, Any] = {
                "id": r["id"],
                "indicator": r["indicator"],
                "low": r.get("low"),
                "high": r.get("high"),
                "unit": r.get("unit"),
                "product": r.get("product"),
                "source": table.factor(r["id"], "low").source  # type: ignore[union-attr]
                if r.get("low") is not None
                else r.get("source_row"),
            }
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
                entry["note"] = (
                    f"production is in '{prod.units:~}', the reference is "
                    f"{r.get('unit')} of {r.get('product')}"
                )
            else:
                lo, hi = r.get("low"), r.get("high")
                entry["flag"] = (
                    "below"
                    if lo is not None and value < lo
                    else "above"
                    if hi is not None and value > hi
                    else "within"
                )
            out.append(entry)
        return out

    def factors(self) -> list[dict[str, Any]]:
        """Every factor the assessment used, with its source and the flows that used it."""
        c = self.compiled
        return [{**c.factors[k].to_dict(), "flows": c.factor_flows[k]} for k in sorted(c.factors)]

    def warnings(self) -> list[dict[str, str]]:
        """Warnings raised while compiling and assessing (never silent defaults)."""
        out = list(self.compiled.warnings)
        for b in self.balances():
            if b["closes"] is False:
                where = (
                    "check metered withdrawal against wastewater; add evaporation, water "
                    "in product and losses under balances.water"
                    if b["balance"] == "water"
                    else "check materials and chemicals in against products and waste; "
                    "add emissions, wastewater solids and stock changes under "
                    "balances.mass"
                )
                out.append(
                    {
                        "code": f"{b['balance']}_balance",
                        "message": (
                            f"{b['balance']} balance does not close: in {b['in']:g} "
                            f"{b['unit']}, out "
                            f"{b['out']:g} {b['unit']}, difference {b['relative']:+.1%} (tolerance "
                            f"{b['tolerance']:.0%}); {where}"
                        ),
                    }
                )
            elif b["closes"] is None:
                out.append(
                    {
                        "code": f"{b['balance']}_balance_unchecked",
                        "message": f"{b['balance']} balance not checked: {b['note']}",
                    }
                )
        for r in self.benchmarks():
            if r["flag"] in ("below", "above"):
                out.append(
                    {
                        "code": "intensity_outside_reference",
                        "message": (
                            f"{r['indicator']} {r['value']:g} {r['unit']} is {r['flag']} the "
                            "reference "
                            f"range {r['low']:g}-{r['high']:g} {r['unit']} ({r['source']})"
                        ),
                    }
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The assessment as the JSON document of recp's output contract."""
        from recp import __version__

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
        return {
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

    def table(self) -> pd.DataFrame:
        """The result rows as a tidy DataFrame (scenario, indicator, component, value, unit)."""
        import pandas as pd

        return pd.DataFrame(
            self.results(), columns=["scenario", "indicator", "component", "value", "unit"]
        )

    def savings_table(self) -> pd.DataFrame:
        """The savings rows as a tidy DataFrame."""
        import pandas as pd

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
        import pandas as pd

        return pd.DataFrame(self.economics())

    def value(self, indicator: str, component: str = "total", scenario: str = "baseline") -> float:
        """One result value, e.g. ``a.value("ghg", "scope1")``."""
        c = self.compiled
        i = _col(c, indicator, component)
        if i is None:
            raise KeyError(f"no result row {indicator}/{component}")
        amounts = c.amount if scenario == "baseline" else self.states[scenario][-1]
        return float(self.indicators(amounts)[i])


def _col(c: Compiled, indicator: str, component: str) -> int | None:
    try:
        return c.row_index(indicator, component)
    except KeyError:
        return None


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
    try:
        c = compile_scenario(scenario, lib)
    except InputError as e:
        raise e.with_file(scenario.source_file or "<input>") from None
    problems: list[Problem] = []
    states: dict[str, np.ndarray] = {}
    for name, ids in scenario.scenario_map.items():
        seq = [c.amount]
        for iid in ids:
            problems += below_zero(seq[-1], c.interventions[iid], c.flow_ids, c.flow_units, name)
            seq.append(np.maximum(apply(seq[-1], c.interventions[iid]), 0.0))
        states[name] = np.stack(seq)
    standalone = {iid: apply(c.amount, ch) for iid, ch in c.interventions.items()}
    for ch in c.interventions.values():
        problems += below_zero(c.amount, ch, c.flow_ids, c.flow_units, "standalone")
    if problems:
        seen: set[str] = set()
        uniq = [p for p in problems if not (p.place in seen or seen.add(p.place))]  # type: ignore[func-returns-value]
        raise InputError(uniq).with_file(scenario.source_file or "<input>")
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
            c.warnings.append(
                {
                    "code": "no_effect",
                    "message": (
                        f"intervention '{iid}' changes no flow (its changes leave every "
                        "amount as it "
                        "was)"
                    ),
                }
            )
    return Assessment(scenario, c, states, standalone)
