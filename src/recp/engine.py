"""The vectorised assessment engine.

A plant is compiled once into arrays: the yearly amount of every flow in canonical units
(``t``, ``m3``, ``GJ``), and a coefficient matrix ``W`` (flows x result rows) holding, for every
flow, what one canonical unit of it contributes to each indicator component (GJ of energy,
t CO2e of scope 1, m3 of groundwater, currency of operating cost...). Every indicator of the core
model is linear in the amounts, so the results of any set of states are one matrix product
``A @ W``; interventions are affine maps on ``A`` (relative changes multiply, absolute changes add,
``to`` sets), applied in order. pint is used only in :func:`compile_scenario`, never per state.

Conventions
-----------
- ``energy`` is final energy at the site boundary [GJ]: fuels at net calorific value, bought
  electricity and heat as delivered.
- ``ghg`` [t CO2e]: ``scope1`` from fuel combustion (IPCC 2006 Vol. 2 Ch. 2 Tier 1) and
  ``scope2`` from bought electricity (location-based) and heat. ``co2``, ``ch4`` and ``n2o`` split
  scope 1 by gas; ``biogenic_co2`` [t CO2] is reported and kept outside ``total``.
- ``cost`` [currency/year]: the plant's yearly spending on priced flows (inputs bought and
  outputs paid for, such as wastewater or waste charges); products are not revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recp.errors import InputError, Problem
from recp.factors import Factor, FactorLibrary, library

if TYPE_CHECKING:
    import pint

    from recp.scenario import Flow, Scenario

#: Kinds of change: a relative change multiplies, an absolute one adds, ``to`` sets.
REL, ABS, SET = 0, 1, 2
_GJ_PER_MWH = 3.6


@dataclass
class Row:
    """One result row: indicator, component and unit."""

    indicator: str
    component: str
    unit: str


@dataclass
class CompiledChange:
    """Changes of one intervention as arrays (applied in order)."""

    flow: np.ndarray  # (c,) int flow index
    kind: np.ndarray  # (c,) REL / ABS / SET
    value: np.ndarray  # (c,) factor-1 for REL, canonical amount for ABS/SET
    place: list[str]  # (c,) where each change is in the file, for messages


@dataclass
class Compiled:
    """A plant as arrays: amounts, coefficient matrix, prices, interventions and provenance."""

    flow_ids: list[str]
    flow_units: list[str]
    amount: np.ndarray  # (F,) baseline in canonical units
    W: np.ndarray  # (F, R)
    rows: list[Row]
    interventions: dict[str, CompiledChange]
    capex: dict[str, float]
    opex: dict[str, float]
    lifetime: dict[str, float]
    factors: dict[str, Factor]
    factor_flows: dict[str, list[str]]
    warnings: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def row_index(self, indicator: str, component: str = "total") -> int:
        """Position of a result row in ``W``'s columns."""
        for i, r in enumerate(self.rows):
            if r.indicator == indicator and r.component == component:
                return i
        raise KeyError((indicator, component))


class _Rows:
    """Builds the result-row list and the coefficient matrix column by column."""

    def __init__(self, n_flows: int):
        self.rows: list[Row] = []
        self.index: dict[tuple[str, str], int] = {}
        self.n = n_flows
        self.cols: list[np.ndarray] = []

    def add(self, indicator: str, component: str, unit: str) -> int:
        key = (indicator, component)
        if key not in self.index:
            self.index[key] = len(self.rows)
            self.rows.append(Row(indicator, component, unit))
            self.cols.append(np.zeros(self.n))
        return self.index[key]

    def col(self, indicator: str, component: str, unit: str) -> np.ndarray:
        return self.cols[self.add(indicator, component, unit)]

    def matrix(self) -> np.ndarray:
        return np.stack(self.cols, axis=1) if self.cols else np.zeros((self.n, 0))


def _canonical(q: pint.Quantity) -> tuple[float, str]:
    """Convert a flow amount to t, m3 or GJ (or keep a product's own unit)."""
    from recp.units import is_dimension, to_float

    for unit in ("t", "m3", "GJ"):
        if is_dimension(q, unit):
            return to_float(q, unit), unit
    return float(q.magnitude), f"{q.units:~}"


def compile_scenario(sc: Scenario, lib: FactorLibrary | None = None) -> Compiled:
    """Compile a validated scenario into arrays in canonical units.

    Parameters
    ----------
    sc : Scenario
        A validated scenario (see :func:`recp.load`).
    lib : FactorLibrary, optional
        Factor tables to use; default the shipped ones.

    Raises
    ------
    InputError
        For a missing factor (e.g. no grid factor for the country and no ``grid_factor``).
    """
    from recp.units import is_dimension, to_float

    lib = lib or library()
    flows = sc.flows
    n = len(flows)
    rows = _Rows(n)
    factors: dict[str, Factor] = {}
    used: dict[str, list[str]] = {}
    warnings: list[dict[str, str]] = []
    problems: list[Problem] = []

    def use(f: Factor, flow_id: str) -> float:
        factors[f.id] = f
        used.setdefault(f.id, [])
        if flow_id not in used[f.id]:
            used[f.id].append(flow_id)
        return f.value

    cur = sc.currency
    # Contract rows first, so they are present (as zero) for every plant.
    for comp in ("total",):
        rows.add("energy", comp, "GJ")
    for comp in ("total", "scope1", "scope2", "co2", "ch4", "n2o"):
        rows.add("ghg", comp, "t CO2e")
    rows.add("ghg", "biogenic_co2", "t CO2")
    rows.add("water", "total", "m3")
    rows.add("wastewater", "total", "m3")
    for comp in ("total", "hazardous", "non_hazardous"):
        rows.add("waste", comp, "t")

    gwp_ch4 = lib.gwp(sc.gwp, "CH4")
    gwp_n2o = lib.gwp(sc.gwp, "N2O")

    # Grid factor: scenario override, else the country's shipped value.
    grid_t_per_gj: float | None = None
    grid_source = ""
    if any(f.type == "electricity" and f.emission_factor is None for f in flows):
        if sc.grid_factor is not None:
            grid_t_per_gj = to_float(sc.grid_factor, "t CO2e/GJ")
            grid_source = "scenario file (grid_factor)"
        else:
            table = lib.table(lib.GRID)
            code = sc.country_code
            if code in table.rows:
                gf = table.factor(code, "factor")
                assert gf is not None
                grid_t_per_gj = None  # set per flow via use()
                grid_factor_obj = gf
                grid_source = gf.source
            else:
                problems.append(Problem("plant.country", f"no grid emission factor for "
                                        f"{code} in table '{lib.GRID}': give 'grid_factor' "
                                        "(e.g. '0.62 t CO2e/MWh')"))

    amount = np.zeros(n)
    units: list[str] = []
    price = np.zeros(n)
    priced = np.zeros(n, dtype=bool)
    fuels = lib.table(lib.FUELS)
    dens = lib.table(lib.DENSITIES)

    for i, fl in enumerate(flows):
        a, unit = _canonical(fl.amount)
        amount[i] = a
        units.append(unit)
        gj_per_unit = 0.0
        t_per_m3: float | None = None
        ncv_mass: float | None = None
        if fl.type == "fuel":
            assert fl.carrier is not None
            carrier = fl.carrier
            row = fuels.row(carrier)
            if fl.density is not None:
                t_per_m3 = to_float(fl.density, "t/m3")
            elif carrier in dens.rows:
                d = dens.factor(carrier, "density")
                if d is not None and unit == "m3":
                    t_per_m3 = use(d, fl.id) / 1000.0
            if fl.ncv is not None and is_dimension(fl.ncv, "GJ/t"):
                ncv_mass = to_float(fl.ncv, "GJ/t")
            elif not (fl.ncv is not None and unit == "m3"):
                f = fuels.factor(carrier, "ncv")
                assert f is not None
                ncv_mass = use(f, fl.id) if unit != "GJ" else f.value  # TJ/Gg == GJ/t
            if unit == "GJ":
                gj_per_unit = 1.0
            elif unit == "t":
                assert ncv_mass is not None
                gj_per_unit = ncv_mass
            else:  # m3
                if fl.ncv is not None and is_dimension(fl.ncv, "GJ/m3"):
                    gj_per_unit = to_float(fl.ncv, "GJ/m3")
                else:
                    assert t_per_m3 is not None and ncv_mass is not None
                    gj_per_unit = t_per_m3 * ncv_mass
            rows.col("energy", "total", "GJ")[i] = gj_per_unit
            rows.col("energy", carrier, "GJ")[i] = gj_per_unit
            co2 = fuels.factor(carrier, "co2")
            ch4 = fuels.factor(carrier, "ch4")
            n2o = fuels.factor(carrier, "n2o")
            assert co2 is not None and ch4 is not None and n2o is not None
            t_co2 = gj_per_unit * use(co2, fl.id) * 1e-6  # kg/TJ -> t/GJ
            t_ch4 = gj_per_unit * use(ch4, fl.id) * 1e-6 * use(gwp_ch4, fl.id)
            t_n2o = gj_per_unit * use(n2o, fl.id) * 1e-6 * use(gwp_n2o, fl.id)
            if row.get("biogenic"):
                rows.col("ghg", "biogenic_co2", "t CO2")[i] = t_co2
                t_co2 = 0.0
            rows.col("ghg", "co2", "t CO2e")[i] = t_co2
            rows.col("ghg", "ch4", "t CO2e")[i] = t_ch4
            rows.col("ghg", "n2o", "t CO2e")[i] = t_n2o
            rows.col("ghg", "scope1", "t CO2e")[i] = t_co2 + t_ch4 + t_n2o
            rows.col("ghg", "total", "t CO2e")[i] = t_co2 + t_ch4 + t_n2o
        elif fl.type in ("electricity", "heat"):
            gj_per_unit = 1.0
            rows.col("energy", "total", "GJ")[i] = 1.0
            rows.col("energy", fl.type, "GJ")[i] = 1.0
            ef: float | None = None
            if fl.emission_factor is not None:
                ef = to_float(fl.emission_factor, "t CO2e/GJ")
                src = f"scenario file (flows '{fl.id}' emission_factor)"
                fid = f"user:{fl.id}:emission_factor"
                use(Factor(fid, to_float(fl.emission_factor, "t CO2e/MWh"), "t CO2e/MWh", src),
                    fl.id)
            elif fl.type == "electricity":
                if sc.grid_factor is not None and grid_t_per_gj is not None:
                    ef = grid_t_per_gj
                    use(Factor("user:grid_factor", to_float(sc.grid_factor, "t CO2e/MWh"),
                               "t CO2e/MWh", grid_source), fl.id)
                elif grid_source:
                    ef = use(grid_factor_obj, fl.id) / _GJ_PER_MWH * 1000.0 / 1000.0
                    # table unit is kg CO2e/kWh == t CO2e/MWh
            else:
                warnings.append({"code": "heat_without_factor", "message": (
                    f"flow '{fl.id}': bought heat has no emission_factor; its scope 2 emissions "
                    "are not counted (give e.g. 'emission_factor: 0.25 t CO2e/MWh' from the "
                    "supplier)")})
            if ef is not None:
                rows.col("ghg", "scope2", "t CO2e")[i] = ef
                rows.col("ghg", "total", "t CO2e")[i] = ef
        elif fl.type == "water":
            rows.col("water", "total", "m3")[i] = 1.0
            rows.col("water", fl.source or "unspecified", "m3")[i] = 1.0
        elif fl.type == "wastewater":
            rows.col("wastewater", "total", "m3")[i] = 1.0
        elif fl.type == "waste":
            rows.col("waste", "total", "t")[i] = 1.0
            rows.col("waste", "hazardous" if fl.hazardous else "non_hazardous", "t")[i] = 1.0
            if fl.route:
                rows.col("waste", fl.route, "t")[i] = 1.0
        elif fl.type == "material" and unit == "t":
            rows.col("materials", "total", "t")[i] = 1.0

        if fl.price is not None:
            p = _price_per_unit(fl, unit, cur, gj_per_unit, t_per_m3, ncv_mass, i, problems)
            if p is not None:
                price[i] = p
                priced[i] = True

    if priced.any():
        rows.col("cost", "total", f"{cur}/year")[:] = price
    unpriced = [f.id for f, p in zip(flows, priced, strict=True)
                if not p and f.type not in ("product",)]
    if unpriced and sc.interventions:
        warnings.append({"code": "flows_without_price", "message": (
            "no price for flow(s) " + ", ".join(repr(x) for x in unpriced)
            + ": their changes are not counted in the annual cost saving")})

    # Interventions.
    ids = {f.id: k for k, f in enumerate(flows)}
    comp: dict[str, CompiledChange] = {}
    capex: dict[str, float] = {}
    opex: dict[str, float] = {}
    lifetime: dict[str, float] = {}
    for k, iv in enumerate(sc.interventions):
        fidx, kinds, vals, places = [], [], [], []
        for j, ch in enumerate(iv.changes):
            f = ids[ch.flow]
            place = f"interventions[{k}].changes[{j}]"
            fidx.append(f)
            places.append(place)
            if ch.to is not None:
                kinds.append(SET)
                vals.append(_canonical_as(ch.to, units[f]))
            else:
                assert ch.by is not None
                if is_dimension(ch.by, "percent"):
                    kinds.append(REL)
                    vals.append(float(ch.by.to("dimensionless").magnitude))
                else:
                    kinds.append(ABS)
                    vals.append(_canonical_as(ch.by, units[f]))
        comp[iv.id] = CompiledChange(np.array(fidx, dtype=int), np.array(kinds, dtype=int),
                                     np.array(vals, dtype=float), places)
        capex[iv.id] = to_float(iv.capex, cur) if iv.capex is not None else 0.0
        opex[iv.id] = to_float(iv.opex, f"{cur}/year") if iv.opex is not None else 0.0
        lifetime[iv.id] = to_float(iv.lifetime, "year") if iv.lifetime is not None else np.nan
        if iv.lifetime is None:
            warnings.append({"code": "no_lifetime", "message": (
                f"intervention '{iv.id}' has no lifetime: its NPV, IRR and cost per t CO2e "
                "are not computed")})

    if sc.discount_rate is None and sc.interventions:
        warnings.append({"code": "no_discount_rate", "message": (
            "no discount_rate: NPV and cost per t CO2e avoided are not computed (IRR is)")})

    if problems:
        raise InputError(problems)

    for key in sorted(factors):
        if key.startswith(lib.GRID + ":"):
            warnings.append({"code": "grid_factor_lifecycle", "message": (
                f"scope 2 uses {key} ({factors[key].value:g} kg CO2e/kWh): Ember's "
                "lifecycle intensity of generation; a combustion-only or supplier factor can be "
                "given as 'grid_factor'")})

    settings = {
        "gwp": sc.gwp,
        "currency": cur,
        "discount_rate": (float(sc.discount_rate.to("dimensionless").magnitude)
                          if sc.discount_rate is not None else None),
        "grid_factor_source": grid_source or None,
    }
    return Compiled(
        flow_ids=[f.id for f in flows], flow_units=units, amount=amount, W=rows.matrix(),
        rows=rows.rows, interventions=comp, capex=capex, opex=opex, lifetime=lifetime,
        factors=factors, factor_flows=used, warnings=warnings, settings=settings,
    )


def _canonical_as(q: pint.Quantity, unit: str) -> float:
    from recp.units import to_float

    if unit in ("t", "m3", "GJ"):
        return to_float(q, unit)
    return to_float(q, unit)


def _price_per_unit(fl: Flow, unit: str, cur: str, gj_per_unit: float, t_per_m3: float | None,
                    ncv_mass: float | None, i: int, problems: list[Problem]) -> float | None:
    """Price per canonical unit of the flow, converting through NCV/density for fuels."""
    from recp.units import is_dimension, to_float

    p = fl.price
    assert p is not None
    if is_dimension(p, f"{cur}/{unit}" if unit in ("t", "m3", "GJ") else f"{cur}/({unit})"):
        return to_float(p, f"{cur}/{unit}" if unit in ("t", "m3", "GJ") else f"{cur}/({unit})")
    if fl.type == "fuel":
        # Bring the price to currency per GJ, then to the flow's unit.
        per_gj: float | None = None
        if is_dimension(p, f"{cur}/GJ"):
            per_gj = to_float(p, f"{cur}/GJ")
        elif is_dimension(p, f"{cur}/t") and ncv_mass:
            per_gj = to_float(p, f"{cur}/t") / ncv_mass
        elif is_dimension(p, f"{cur}/m3"):
            vol_gj = gj_per_unit if unit == "m3" else (
                ncv_mass * t_per_m3 if (ncv_mass and t_per_m3) else None)
            if vol_gj:
                per_gj = to_float(p, f"{cur}/m3") / vol_gj
        if per_gj is not None:
            return per_gj * gj_per_unit
    problems.append(Problem(f"flows[{i}].price", f"cannot convert '{p:~}' to {cur} per "
                            f"'{fl.amount.units:~}' (give the price per {unit}, or the fuel's "
                            "ncv/density)"))
    return None


def apply(amounts: np.ndarray, change: CompiledChange) -> np.ndarray:
    """Apply one intervention's changes, in order, to amounts of shape ``(..., F)``.

    Relative changes multiply (so -20 % then -10 % is -28 %), absolute changes add, ``to`` sets.
    Returns a new array; the loop runs over the intervention's few changes, never over flows.
    """
    out = np.array(amounts, dtype=float, copy=True)
    for f, kind, v in zip(change.flow, change.kind, change.value, strict=True):
        if kind == REL:
            out[..., f] *= 1.0 + v
        elif kind == ABS:
            out[..., f] += v
        else:
            out[..., f] = v
    return out


def below_zero(before: np.ndarray, change: CompiledChange, flow_ids: list[str],
               units: list[str], scenario: str) -> list[Problem]:
    """Problems for each change that takes a flow below zero (checked change by change)."""
    probs: list[Problem] = []
    state = np.array(before, dtype=float, copy=True)
    for f, kind, v, place in zip(change.flow, change.kind, change.value, change.place,
                                 strict=True):
        prev = state[f]
        if kind == REL:
            state[f] *= 1.0 + v
        elif kind == ABS:
            state[f] += v
        else:
            state[f] = v
        if state[f] < -1e-9 * max(1.0, abs(prev)):
            probs.append(Problem(place, f"takes flow '{flow_ids[f]}' from {prev:g} to "
                                 f"{state[f]:g} {units[f]}, below zero (scenario "
                                 f"'{scenario}')"))
            state[f] = 0.0
    return probs
