"""Batch and portfolio runs: many plants assessed together as arrays.

Every (plant, scenario) pair and every (plant, intervention) standalone case is a *run* holding
a copy of its plant's flow amounts. Interventions are applied step by step to all runs at once
(one vectorised operation per step and change position), and the results of every run at every
step come from one ``bincount`` over the sparse coefficients of :func:`recp.engine.coefficients`,
the function the single-plant engine uses too. There is no per-plant Python loop in that path:
plans, results and the output tables are built from integer codes.

Inputs are scenario files (:func:`assess_many`) or tidy tables (:mod:`recp.tables`), read in
chunks of plants so memory stays bounded. A plant with invalid input is reported (plant, place,
message) and left out; every other plant completes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recp import finance
from recp.engine import (
    ABS,
    B_OTHER,
    MOVE,
    REL,
    FlowTable,
    PlantTable,
    RowSet,
    coefficients,
)
from recp.errors import InputError, Problem
from recp.factors import FactorLibrary, library
from recp.toolkits import RELEASE_ECONOMICS
from recp.units import unit_text

if TYPE_CHECKING:
    import pandas as pd

    from recp.scenario import Scenario

_INTENSITY = ("energy", "ghg", "water", "wastewater", "waste")
RESULT_COLUMNS = ["plant", "scenario", "indicator", "component", "value", "unit"]
SAVING_COLUMNS = [
    "plant",
    "scenario",
    "intervention",
    "basis",
    "indicator",
    "component",
    "value",
    "unit",
]
ECON_COLUMNS = [
    "plant",
    "scenario",
    "intervention",
    "basis",
    "currency",
    "capex",
    "annual_saving",
    "simple_payback_years",
    "lifetime_years",
    "npv",
    "irr",
    "ghg_avoided_t_co2e_per_year",
    "cost_per_t_co2e",
    *(c for _, av, cost in RELEASE_ECONOMICS for c in (av, cost)),
]
ERROR_COLUMNS = ["plant", "file", "place", "message"]


@dataclass
class Portfolio:
    """Plants ready for the array engine (validated, canonical units, flows sorted by plant).

    Scenarios are a steps table: one row per (plant, scenario, step) in order, plant-major,
    with the scenario as a code into ``scen_names``.
    """

    plant_ids: list[str]
    names: list[str]
    sectors: list[str | None]
    countries: list[str]
    currency: list[str]
    production: np.ndarray  # (P,) NaN when not given
    production_unit: list[str]
    discount_rate: np.ndarray  # (P,) NaN when not given
    ft: FlowTable
    pt: PlantTable
    iv_plant: np.ndarray  # interventions (global index)
    iv_ids: list[str]
    capex: np.ndarray
    opex: np.ndarray
    lifetime: np.ndarray
    ch_iv: np.ndarray  # changes
    ch_order: np.ndarray
    ch_flow: np.ndarray
    ch_kind: np.ndarray
    ch_value: np.ndarray
    ch_place: list[str] | None  # per change, or None: use ch_row with ch_place_fmt
    ch_row: np.ndarray
    scen_names: list[str]  # scenario vocabulary
    st_plant: np.ndarray  # steps
    st_scen: np.ndarray
    st_k: np.ndarray
    st_iv: np.ndarray
    files: list[str | None]
    ch_place_fmt: str = "interventions row {}"
    ch_src: np.ndarray | None = None  # source flow of a MOVE change (global index), -1 otherwise

    def __post_init__(self) -> None:
        if self.ch_src is None:
            self.ch_src = np.full(len(self.ch_flow), -1, dtype=np.int64)

    def change_place(self, g: int) -> str:
        """Where change ``g`` is in its input, for messages."""
        if self.ch_place is not None:
            return self.ch_place[g]
        return self.ch_place_fmt.format(int(self.ch_row[g]))


@dataclass
class BatchResult:
    """Tidy outputs of a batch: results, savings, economics and the plants that failed."""

    results: pd.DataFrame
    savings: pd.DataFrame
    economics: pd.DataFrame
    errors: pd.DataFrame
    plants: pd.DataFrame | None = None  # plant attributes (name, country, sector, ...)

    @property
    def n_failed(self) -> int:
        """How many plants failed."""
        return int(self.errors["plant"].nunique()) if len(self.errors) else 0


# -- building a portfolio from validated scenarios ------------------------------------------


def portfolio_from_scenarios(
    scs: Sequence[Scenario], ids: Sequence[str], lib: FactorLibrary
) -> Portfolio:
    """Concatenate validated scenarios into one :class:`Portfolio` (parse-time, per plant)."""
    from recp.engine import compile_scenario

    fts: list[FlowTable] = []
    grids, gwps, countries = [], [], []
    iv_ids: list[str] = []
    iv_plant, capex, opex, life = [], [], [], []
    ch_iv, ch_order, ch_flow, ch_kind, ch_value, ch_place = [], [], [], [], [], []
    ch_src: list[int] = []
    scen_names: dict[str, int] = {}
    st_plant, st_scen, st_k, st_iv = [], [], [], []
    offset = 0
    for p, sc in enumerate(scs):
        comp = compile_scenario(sc, lib)  # flows and interventions, as single plants
        ft, pt = comp.flow_table, comp.plant_table
        assert ft is not None and pt is not None
        ft.plant[:] = p
        fts.append(ft)
        grids.append(pt.grid[0])
        gwps.append(pt.gwp[0])
        countries.append(pt.country[0])
        local: dict[str, int] = {}
        for iid, ch in comp.interventions.items():
            g = len(iv_ids)
            local[iid] = g
            iv_plant.append(p)
            iv_ids.append(iid)
            capex.append(comp.capex[iid])
            opex.append(comp.opex[iid])
            life.append(comp.lifetime[iid])
            for j in range(len(ch.flow)):
                ch_iv.append(g)
                ch_order.append(j)
                ch_flow.append(offset + int(ch.flow[j]))
                ch_kind.append(int(ch.kind[j]))
                ch_value.append(float(ch.value[j]))
                ch_place.append(ch.place[j])
                src = int(ch.src[j]) if ch.src is not None else -1
                ch_src.append(offset + src if src >= 0 else -1)
        for name, steps in sc.scenario_map.items():
            code = scen_names.setdefault(name, len(scen_names))
            for k, iid in enumerate(steps):
                st_plant.append(p)
                st_scen.append(code)
                st_k.append(k)
                st_iv.append(local[iid])
        offset += len(ft)
    ft = _concat(fts)
    i64 = np.int64
    return Portfolio(
        plant_ids=list(ids),
        names=[s.plant.name for s in scs],
        sectors=[s.plant.sector for s in scs],
        countries=countries,
        currency=[s.currency for s in scs],
        production=np.array(
            [
                float(s.plant.production.magnitude) if s.plant.production is not None else np.nan
                for s in scs
            ]
        ),
        production_unit=[
            unit_text(s.plant.production) if s.plant.production is not None else "" for s in scs
        ],
        discount_rate=np.array(
            [
                float(s.discount_rate.to("dimensionless").magnitude)
                if s.discount_rate is not None
                else np.nan
                for s in scs
            ]
        ),
        ft=ft,
        pt=PlantTable(
            country=np.array(countries, dtype=object),
            gwp=np.array(gwps, dtype=i64),
            grid=np.array(grids),
        ),
        iv_plant=np.array(iv_plant, dtype=i64),
        iv_ids=iv_ids,
        capex=np.array(capex),
        opex=np.array(opex),
        lifetime=np.array(life),
        ch_iv=np.array(ch_iv, dtype=i64),
        ch_order=np.array(ch_order, dtype=i64),
        ch_flow=np.array(ch_flow, dtype=i64),
        ch_kind=np.array(ch_kind, dtype=i64),
        ch_value=np.array(ch_value),
        ch_place=ch_place,
        ch_row=np.zeros(len(ch_place), dtype=i64),
        scen_names=list(scen_names),
        st_plant=np.array(st_plant, dtype=i64),
        st_scen=np.array(st_scen, dtype=i64),
        st_k=np.array(st_k, dtype=i64),
        st_iv=np.array(st_iv, dtype=i64),
        files=[s.source_file for s in scs],
        ch_src=np.array(ch_src, dtype=i64),
    )


def _concat(fts: Sequence[FlowTable]) -> FlowTable:
    if not fts:
        return FlowTable.empty(0)
    arrays = {
        k: np.concatenate([getattr(f, k) for f in fts])
        for k in FlowTable.__dataclass_fields__
        if k not in ("place_fmt", "releases")
    }
    # Release codes index into each table's own list: map them into one list, where a Toolkit
    # row that many plants use (the same cached object) is one entry.
    releases: list[Any] = []
    index: dict[int, int] = {}
    codes = []
    for f in fts:
        assert f.release is not None
        for r in f.releases:
            if id(r) not in index:
                index[id(r)] = len(releases)
                releases.append(r)
        local = np.array([index[id(r)] for r in f.releases] + [-1], dtype=np.int64)
        codes.append(local[f.release])  # code -1 picks the trailing -1
    arrays["release"] = np.concatenate(codes)
    return FlowTable(**arrays, place_fmt=fts[0].place_fmt, releases=releases)


# -- the array engine ----------------------------------------------------------------------


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for every pair, vectorised."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    rep_starts = np.repeat(np.asarray(starts, dtype=np.int64) - np.cumsum(counts) + counts, counts)
    return rep_starts + np.arange(total, dtype=np.int64)


def _starts(counts: np.ndarray) -> np.ndarray:
    return (
        np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        if len(counts)
        else np.zeros(0, dtype=np.int64)
    )


def _cat(codes: np.ndarray, categories: Sequence[Any]) -> Any:
    """A pandas Categorical from integer codes (no per-row Python objects)."""
    import pandas as pd

    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=categories)


class _RowView:
    """The rows of a :class:`~recp.engine.RowSet` that a portfolio uses, in the same order."""

    def __init__(self, rs: RowSet, keep: np.ndarray):
        self.keep = keep
        self.rows = [rs.rows[i] for i in keep]
        self.always = rs.always[keep]
        self.index = {(r.indicator, r.component): i for i, r in enumerate(self.rows)}

    def __len__(self) -> int:
        return len(self.rows)

    def at(self, indicator: str, component: str) -> int:
        """Index of a row."""
        return self.index[(indicator, component)]


@dataclass
class _Labels:
    """Category vocabularies for the output columns."""

    rs: _RowView
    pf: Portfolio

    def __post_init__(self) -> None:
        rows = self.rs.rows
        self.ind_names = list(
            dict.fromkeys([r.indicator for r in rows] + [f"{i}_intensity" for i in _INTENSITY])
        )
        self.ind_code = np.array([self.ind_names.index(r.indicator) for r in rows])
        self.comp_names = list(dict.fromkeys(r.component for r in rows))
        self.comp_code = np.array([self.comp_names.index(r.component) for r in rows])
        self.currencies = list(dict.fromkeys(self.pf.currency)) or ["USD"]
        self.cur_code = np.array(
            [self.currencies.index(c) for c in self.pf.currency], dtype=np.int64
        )
        self.punits = list(dict.fromkeys(self.pf.production_unit)) or [""]
        self.punit_code = np.array(
            [self.punits.index(u) for u in self.pf.production_unit], dtype=np.int64
        )
        # unit vocabulary: row units (currency filled in) + intensity units per production unit
        units: dict[str, int] = {}
        R, C = len(rows), len(self.currencies)
        self.unit_code = np.zeros((R, C), dtype=np.int64)
        for r, row in enumerate(rows):
            for c, cur in enumerate(self.currencies):
                self.unit_code[r, c] = units.setdefault(row.unit.replace("{cur}", cur), len(units))
        self.tot_rows = np.array(
            [
                rs_i
                for rs_i, row in enumerate(rows)
                if row.component == "total" and row.indicator in _INTENSITY
            ]
        )
        U = len(self.punits)
        self.int_unit_code = np.zeros((len(self.tot_rows), U), dtype=np.int64)
        for k, r in enumerate(self.tot_rows):
            for u, pu in enumerate(self.punits):
                self.int_unit_code[k, u] = units.setdefault(f"{rows[r].unit}/{pu}", len(units))
        self.unit_names = list(units)


def evaluate(pf: Portfolio, lib: FactorLibrary | None = None, details: bool = True) -> BatchResult:
    """Assess every plant of a portfolio together; see the module docstring.

    Parameters
    ----------
    pf : Portfolio
        Validated plants.
    lib : FactorLibrary, optional
        Factor tables.
    details : bool
        Also build the per-intervention ``savings`` rows (large for big portfolios).
    """
    import pandas as pd

    lib = lib or library()
    ft, pt = pf.ft, pf.pt
    P = len(pf.plant_ids)
    co = coefficients(ft, pt, lib)
    errors: list[dict[str, Any]] = []
    bad = np.zeros(P, dtype=bool)
    for p, prob in co.problems:
        bad[p] = True
        errors.append(
            {
                "plant": pf.plant_ids[p],
                "file": pf.files[p] if pf.files else None,
                "place": prob.place,
                "message": prob.message,
            }
        )
    # Compact the result rows to those this portfolio uses (plus the contract rows).
    used = co.rowset.always.copy()
    used[co.row] = True
    rs = _RowView(co.rowset, np.flatnonzero(used))
    remap = np.full(len(co.rowset), -1, dtype=np.int64)
    remap[rs.keep] = np.arange(len(rs))
    co_row = remap[co.row]
    R = len(rs)
    n_iv = len(pf.iv_ids)

    # Runs: the scenario runs (first appearance order, plant-major), then one standalone run
    # per intervention.
    S = max(len(pf.scen_names), 1)
    key = pf.st_plant * S + pf.st_scen
    s_run_scen, uniq = pd.factorize(key, sort=False)
    uniq = np.asarray(uniq, dtype=np.int64)
    n_scen_runs = len(uniq)
    run_plant = np.concatenate([uniq // S, pf.iv_plant]).astype(np.int64)
    run_scen = np.concatenate([uniq % S, np.full(n_iv, -1)]).astype(np.int64)
    n_runs = len(run_plant)
    s_run = np.concatenate([s_run_scen, n_scen_runs + np.arange(n_iv)]).astype(np.int64)
    s_k = np.concatenate([pf.st_k, np.zeros(n_iv, dtype=np.int64)])
    s_iv = np.concatenate([pf.st_iv, np.arange(n_iv)]).astype(np.int64)
    standalone = np.zeros(n_runs, dtype=bool)
    standalone[n_scen_runs:] = True

    # Flows per plant (ft is sorted by plant) and per run.
    f_count = np.bincount(ft.plant, minlength=P)
    f_start = _starts(f_count)
    r_count = f_count[run_plant]
    r_start = _starts(r_count)
    rf_flow = _ranges(f_start[run_plant], r_count)
    rf_run = np.repeat(np.arange(n_runs), r_count)
    state = ft.amount[rf_flow].copy()

    # Coefficient entries expanded to run-flows.
    order = np.argsort(co.flow, kind="stable")
    e_flow, e_row, e_val = co.flow[order], co_row[order], co.value[order]
    e_count = np.bincount(e_flow, minlength=len(ft))
    rf_ecount = e_count[rf_flow]
    rf_estart = _starts(e_count)[rf_flow]  # entries of a run-flow: e_*[start : start + count]

    def add_delta(target: np.ndarray, rf: np.ndarray, change: np.ndarray) -> None:
        """Add to ``target`` (runs x rows) the effect of run-flows changing.

        Only the cells that the run-flows ``rf`` (changed by ``change``) touch are computed.
        """
        ent = _ranges(rf_estart[rf], rf_ecount[rf])
        who = np.repeat(np.arange(len(rf)), rf_ecount[rf])
        keys = rf_run[rf[who]] * R + e_row[ent]
        uk, inv = np.unique(keys, return_inverse=True)
        target.reshape(-1)[uk] += np.bincount(
            inv, weights=change[who] * e_val[ent], minlength=len(uk)
        )

    base_p = np.bincount(
        ft.plant[co.flow] * R + co_row, weights=ft.amount[co.flow] * co.value, minlength=P * R
    ).reshape(P, R)
    present = np.zeros((P, R), dtype=bool)
    present[ft.plant[co.flow], co_row] = True
    present |= rs.always[None, :]

    # Changes expanded to run level.
    ch_sort = np.lexsort((pf.ch_order, pf.ch_iv))
    c_count = np.bincount(pf.ch_iv, minlength=n_iv)
    C = _ranges(_starts(c_count)[s_iv], c_count[s_iv]) if len(s_iv) else np.zeros(0, np.int64)
    C_step = np.repeat(np.arange(len(s_iv)), c_count[s_iv]) if len(s_iv) else C
    gch = ch_sort[C]  # global change index
    C_run = s_run[C_step]
    C_k = s_k[C_step]
    C_j = pf.ch_order[gch]
    C_rf = r_start[C_run] + (pf.ch_flow[gch] - f_start[run_plant[C_run]])
    C_kind = pf.ch_kind[gch]
    C_val = pf.ch_value[gch]
    assert pf.ch_src is not None
    src_g = pf.ch_src[gch]
    C_src = np.where(src_g >= 0, r_start[C_run] + (src_g - f_start[run_plant[C_run]]), -1)

    k_max = int(s_k.max()) + 1 if len(s_k) else 0
    j_max = int(C_j.max()) + 1 if len(C_j) else 0
    stacked = np.empty((k_max + 1, n_runs, R))  # results of every run after 0..k steps
    stacked[0] = base_p[run_plant]
    # every run starts from its plant's baseline

    negative = np.zeros(n_runs, dtype=bool)
    neg_info: list[tuple[int, int, float, float]] = []
    for k in range(k_max):
        at_k = C_k == k
        touched: list[np.ndarray] = []
        start_state: list[np.ndarray] = []
        for j in range(j_max):
            sel = np.flatnonzero(at_k & (C_j == j))
            if sel.size == 0:
                continue
            idx = C_rf[sel]
            kind = C_kind[sel]
            v = C_val[sel]
            before = state[idx]
            mv = kind == MOVE
            moved = np.zeros(len(idx))
            if mv.any():  # a process changing class: the source's amount moves to the target
                src = C_src[sel[mv]]
                moved[mv] = state[src]
                touched.append(src)
                start_state.append(state[src].copy())
                state[src] = 0.0
            new = np.where(
                kind == REL,
                before * (1.0 + v),
                np.where(kind == ABS, before + v, np.where(mv, before + moved, v)),
            )
            neg = (new < -1e-9 * np.maximum(1.0, np.abs(before))) & ~negative[C_run[sel]]
            for q in np.flatnonzero(neg):  # offending changes only: messages
                neg_info.append(
                    (int(C_run[sel[q]]), int(gch[sel[q]]), float(before[q]), float(new[q]))
                )
            negative[C_run[sel[neg]]] = True
            touched.append(idx)
            start_state.append(before)
            state[idx] = np.maximum(new, 0.0)
        # results after step k = before + the effect of the run-flows this step changed
        stacked[k + 1] = stacked[k]
        if touched:
            rf_all = np.concatenate(touched)
            # the first recorded value of a run-flow in this step is its value before the step
            rf_u, first = np.unique(rf_all, return_index=True)
            before_u = np.concatenate(start_state)[first]
            add_delta(stacked[k + 1], rf_u, state[rf_u] - before_u)
    del state
    bases = ("t", "m3", "GJ")
    for r, g, prev, after in neg_info:
        p = int(run_plant[r])
        bad[p] = True
        f = int(pf.ch_flow[g])
        unit = bases[ft.basis[f]] if ft.basis[f] != B_OTHER else ""
        scen = "standalone" if standalone[r] else pf.scen_names[run_scen[r]]
        errors.append(
            {
                "plant": pf.plant_ids[p],
                "file": pf.files[p] if pf.files else None,
                "place": pf.change_place(g),
                "message": (
                    f"takes flow '{ft.flow_id[f]}' from {prev:g} to {after:g} {unit}, "
                    f"below zero (scenario '{scen}')"
                ),
            }
        )
    ok = ~bad
    n_steps = np.bincount(s_run, minlength=n_runs)
    end = stacked[n_steps, np.arange(n_runs)]

    lab = _Labels(rs, pf)
    res_df = _results_frame(pf, lab, base_p, present, end, run_plant, run_scen, standalone, ok)
    eco_df = _economics_frame(
        pf, lab, rs, base_p, present, stacked, run_plant, run_scen, standalone, s_run, s_k, s_iv, ok
    )
    sav_df = (
        _savings_frame(
            pf, lab, base_p, present, stacked, run_plant, run_scen, standalone, s_run, s_k, s_iv, ok
        )
        if details
        else pd.DataFrame(columns=SAVING_COLUMNS)
    )
    err_df = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    plants = pd.DataFrame(
        {"plant": pf.plant_ids, "name": pf.names, "country": pf.countries, "sector": pf.sectors}
    )[ok].reset_index(drop=True)
    return BatchResult(res_df, sav_df, eco_df, err_df, plants)


def _frame(columns: dict[str, Any], names: list[str]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(columns)
    return df[names]


def _results_frame(
    pf: Portfolio,
    lab: _Labels,
    base_p: np.ndarray,
    present: np.ndarray,
    end: np.ndarray,
    run_plant: np.ndarray,
    run_scen: np.ndarray,
    standalone: np.ndarray,
    ok: np.ndarray,
) -> pd.DataFrame:
    """Baseline then each scenario's end state per plant; intensities after each block."""
    scen_runs = np.flatnonzero(~standalone & ok[run_plant])
    okp = np.flatnonzero(ok)
    # blocks in output order: plant-major; baseline first, then scenario runs (run order)
    b_plant = np.concatenate([okp, run_plant[scen_runs]])
    b_scen = np.concatenate([np.full(len(okp), -1), run_scen[scen_runs]])
    b_vals_src = np.concatenate([np.zeros(len(okp), dtype=np.int64) - 1, scen_runs])
    o = np.lexsort(
        (np.concatenate([np.zeros(len(okp)), np.ones(len(scen_runs))]), b_plant)
    )  # stable: runs keep their order within a plant
    b_plant, b_scen, b_vals_src = b_plant[o], b_scen[o], b_vals_src[o]
    is_base = b_vals_src < 0
    vals = np.where(is_base[:, None], base_p[b_plant], end[np.maximum(b_vals_src, 0)])
    # intensity columns appended after the rows
    prod = pf.production[b_plant]
    inten = vals[:, lab.tot_rows] / prod[:, None]
    has_prod = np.isfinite(prod)
    V = np.concatenate([vals, inten], axis=1)
    M = np.concatenate(
        [present[b_plant], np.repeat(has_prod[:, None], len(lab.tot_rows), 1)], axis=1
    )
    bi, ci = np.nonzero(M)
    R = vals.shape[1]
    is_int = ci >= R
    row_of = np.where(is_int, lab.tot_rows[np.where(is_int, ci - R, 0)], ci)
    # intensity columns follow lab.tot_rows, which are in _INTENSITY order
    ind = np.where(is_int, lab.ind_names.index("energy_intensity") + (ci - R), lab.ind_code[row_of])
    comp = np.where(is_int, lab.comp_names.index("total"), lab.comp_code[row_of])
    unit = np.where(
        is_int,
        lab.int_unit_code[np.where(is_int, ci - R, 0), lab.punit_code[b_plant[bi]]],
        lab.unit_code[row_of, lab.cur_code[b_plant[bi]]],
    )
    scen_names = ["baseline", *pf.scen_names]
    return _frame(
        {
            "plant": _cat(b_plant[bi], pf.plant_ids),
            "scenario": _cat(b_scen[bi] + 1, scen_names),
            "indicator": _cat(ind, lab.ind_names),
            "component": _cat(comp, lab.comp_names),
            "value": V[bi, ci],
            "unit": _cat(unit, lab.unit_names),
        },
        RESULT_COLUMNS,
    )


def _savings_frame(
    pf: Portfolio,
    lab: _Labels,
    base_p: np.ndarray,
    present: np.ndarray,
    stacked: np.ndarray,
    run_plant: np.ndarray,
    run_scen: np.ndarray,
    standalone: np.ndarray,
    s_run: np.ndarray,
    s_k: np.ndarray,
    s_iv: np.ndarray,
    ok: np.ndarray,
) -> pd.DataFrame:
    """Savings rows as in the single-plant JSON, in the same order."""
    n_iv = len(pf.iv_ids)
    n_runs = len(run_plant)
    seq = ~standalone[s_run] & ok[run_plant[s_run]]
    sv_seq = stacked[s_k, s_run] - stacked[s_k + 1, s_run]
    stand_run = np.full(n_iv, -1, dtype=np.int64)
    st = standalone[s_run]
    stand_run[s_iv[st]] = s_run[st]
    sv_stand = base_p[run_plant[stand_run[s_iv]]] - stacked[1, stand_run[s_iv]]
    scen_runs = ~standalone & ok[run_plant]
    n_steps = np.bincount(s_run[seq], minlength=n_runs)
    keep_run = scen_runs & (n_steps > 0)
    n_steps = np.where(keep_run, n_steps, 0)
    # blocks: per kept run, per step: (seq, stand); then the run's total
    run_size = n_steps * 2 + keep_run
    run_start = _starts(run_size)
    si = np.flatnonzero(seq)
    ri = np.flatnonzero(keep_run)
    step_pos = np.zeros(len(s_run), dtype=np.int64)
    step_pos[si] = run_start[s_run[si]] + 2 * s_k[si]
    total_pos = run_start + 2 * n_steps
    nb = int(run_size.sum())
    B_vals = np.empty((nb, stacked.shape[2]))
    B_plant = np.empty(nb, dtype=np.int64)
    B_scen = np.empty(nb, dtype=np.int64)
    B_iv = np.full(nb, -1, dtype=np.int64)
    B_basis = np.zeros(nb, dtype=np.int64)
    # positions are dense over kept runs: remap run starts to kept runs only
    pos_seq = step_pos[si]
    B_vals[pos_seq] = sv_seq[si]
    B_vals[pos_seq + 1] = sv_stand[si]
    for pos, basis in ((pos_seq, 0), (pos_seq + 1, 1)):
        B_plant[pos] = run_plant[s_run[si]]
        B_scen[pos] = run_scen[s_run[si]]
        B_iv[pos] = s_iv[si]
        B_basis[pos] = basis
    tp = total_pos[ri]
    last = n_steps[ri]
    B_vals[tp] = stacked[0, ri] - stacked[last, ri]
    B_plant[tp] = run_plant[ri]
    B_scen[tp] = run_scen[ri]
    M = present[B_plant]
    bi, ci = np.nonzero(M)
    iv_vocab, iv_code = _vocab(pf.iv_ids)
    code = np.where(B_iv[bi] >= 0, iv_code[np.maximum(B_iv[bi], 0)], -1)
    return _frame(
        {
            "plant": _cat(B_plant[bi], pf.plant_ids),
            "scenario": _cat(B_scen[bi], pf.scen_names),
            "intervention": _cat(code, iv_vocab),
            "basis": _cat(B_basis[bi], ["in_sequence", "standalone"]),
            "indicator": _cat(lab.ind_code[ci], lab.ind_names),
            "component": _cat(lab.comp_code[ci], lab.comp_names),
            "value": B_vals[bi, ci],
            "unit": _cat(lab.unit_code[ci, lab.cur_code[B_plant[bi]]], lab.unit_names),
        },
        SAVING_COLUMNS,
    )


def _vocab(values: list[str]) -> tuple[list[str], np.ndarray]:
    import pandas as pd

    codes, uniq = pd.factorize(np.asarray(values, dtype=object), sort=False)
    return [str(u) for u in uniq], np.asarray(codes, dtype=np.int64)


def _economics_frame(
    pf: Portfolio,
    lab: _Labels,
    rs: _RowView,
    base_p: np.ndarray,
    present: np.ndarray,
    stacked: np.ndarray,
    run_plant: np.ndarray,
    run_scen: np.ndarray,
    standalone: np.ndarray,
    s_run: np.ndarray,
    s_k: np.ndarray,
    s_iv: np.ndarray,
    ok: np.ndarray,
) -> pd.DataFrame:
    """Economics rows as in the single-plant JSON.

    Per run: the in-sequence rows, the standalone rows, then the scenario row.
    """
    n_iv = len(pf.iv_ids)
    n_runs = len(run_plant)
    cost, ghg = rs.at("cost", "total"), rs.at("ghg", "total")
    seq = ~standalone[s_run] & ok[run_plant[s_run]]
    si = np.flatnonzero(seq)
    runs_of = s_run[si]
    plant_of = run_plant[runs_of]
    has_cost = present[plant_of, cost]
    sv = {"in_sequence": stacked[s_k[si], runs_of] - stacked[s_k[si] + 1, runs_of]}
    stand_run = np.full(n_iv, -1, dtype=np.int64)
    st = standalone[s_run]
    stand_run[s_iv[st]] = s_run[st]
    sr = stand_run[s_iv[si]]
    sv["standalone"] = base_p[run_plant[sr]] - stacked[1, sr]
    iv = s_iv[si]
    capex, opex, life = pf.capex[iv], pf.opex[iv], pf.lifetime[iv]
    rate = pf.discount_rate[plant_of]
    n_steps = np.bincount(runs_of, minlength=n_runs)
    keep_run = ~standalone & ok[run_plant] & (n_steps > 0)
    run_size = n_steps * 2 + keep_run
    run_start = _starts(run_size)
    nb = int(run_size.sum())
    cols = {c: np.full(nb, np.nan) for c in ECON_COLUMNS[5:]}
    e_plant = np.empty(nb, dtype=np.int64)
    e_scen = np.empty(nb, dtype=np.int64)
    e_iv = np.full(nb, -1, dtype=np.int64)
    e_basis = np.zeros(nb, dtype=np.int64)
    seq_saving = None
    seq_rel: dict[str, np.ndarray] = {}
    for b, basis in enumerate(("in_sequence", "standalone")):
        m = sv[basis]
        saving = np.where(has_cost, m[:, cost], 0.0) - opex
        g = m[:, ghg]
        pos = run_start[runs_of] + b * n_steps[runs_of] + s_k[si]
        e_plant[pos], e_scen[pos], e_iv[pos], e_basis[pos] = plant_of, run_scen[runs_of], iv, b
        cols["capex"][pos] = capex
        cols["annual_saving"][pos] = saving
        cols["simple_payback_years"][pos] = finance.simple_payback(capex, saving)
        cols["lifetime_years"][pos] = life
        cols["npv"][pos] = finance.npv(capex, saving, rate, life)
        cols["irr"][pos] = finance.irr(capex, saving, life)
        cols["ghg_avoided_t_co2e_per_year"][pos] = g
        cols["cost_per_t_co2e"][pos] = finance.cost_of_abatement(capex, saving, rate, life, g)
        for ind, c_av, c_cost in RELEASE_ECONOMICS:
            if (ind, "total") not in rs.index:
                continue
            col = rs.at(ind, "total")
            av = np.where(present[plant_of, col], m[:, col], np.nan)
            cols[c_av][pos] = av
            cols[c_cost][pos] = finance.cost_of_abatement(
                capex, saving, rate, life, np.nan_to_num(av)
            )
            if b == 0:
                seq_rel[ind] = av
        if b == 0:
            seq_saving, seq_ghg, seq_npv = saving, g, cols["npv"][pos]
    # scenario rows: sums over each run's in-sequence steps
    kr = np.flatnonzero(keep_run)
    if len(kr):
        assert seq_saving is not None
        csum = np.bincount(runs_of, weights=capex, minlength=n_runs)[kr]
        ssum = np.bincount(runs_of, weights=seq_saving, minlength=n_runs)[kr]
        gsum = np.bincount(runs_of, weights=seq_ghg, minlength=n_runs)[kr]
        finite = (
            np.bincount(runs_of, weights=np.isfinite(life).astype(float), minlength=n_runs)[kr]
            == n_steps[kr]
        )
        lmax = np.full(n_runs, -np.inf)
        o_r = np.argsort(runs_of, kind="stable")
        bounds = np.r_[0, np.flatnonzero(np.diff(runs_of[o_r])) + 1]
        lmax[runs_of[o_r][bounds]] = (
            np.maximum.reduceat(np.nan_to_num(life, nan=-np.inf)[o_r], bounds)
            if len(o_r)
            else lmax[:0]
        )
        npv_sum = np.bincount(runs_of, weights=np.nan_to_num(seq_npv, nan=0.0), minlength=n_runs)[
            kr
        ]
        npv_nan = (
            np.bincount(runs_of, weights=np.isnan(seq_npv).astype(float), minlength=n_runs)[kr] > 0
        )
        kmax = int(n_steps.max())
        row_of = np.searchsorted(kr, runs_of)
        cap_m = np.zeros((len(kr), kmax))
        sav_m = np.zeros((len(kr), kmax))
        life_m = np.ones((len(kr), kmax))
        real = np.zeros((len(kr), kmax), dtype=bool)
        real[row_of, s_k[si]] = True
        cap_m[row_of, s_k[si]] = capex
        sav_m[row_of, s_k[si]] = seq_saving
        life_m[row_of, s_k[si]] = np.nan_to_num(life, nan=1.0)
        irr_s = finance.irr_portfolio(cap_m, sav_m, life_m)
        r_rate = pf.discount_rate[run_plant[kr]]
        with np.errstate(invalid="ignore", divide="ignore"):
            crf = finance.capital_recovery_factor(r_rate[:, None], life_m)
            annual_cost = (np.where(real, cap_m * crf, 0.0)).sum(axis=1) - ssum
            cpt = np.where(gsum > 0, annual_cost / gsum, np.nan)
        pos = run_start[kr] + 2 * n_steps[kr]
        e_plant[pos], e_scen[pos], e_iv[pos], e_basis[pos] = run_plant[kr], run_scen[kr], -1, 0
        cols["capex"][pos] = csum
        cols["annual_saving"][pos] = ssum
        cols["simple_payback_years"][pos] = finance.simple_payback(csum, ssum)
        cols["lifetime_years"][pos] = np.where(finite, lmax[kr], np.nan)
        cols["npv"][pos] = np.where(finite & ~npv_nan, npv_sum, np.nan)
        cols["irr"][pos] = np.where(finite, irr_s, np.nan)
        cols["ghg_avoided_t_co2e_per_year"][pos] = gsum
        cols["cost_per_t_co2e"][pos] = np.where(finite, cpt, np.nan)
        for ind, c_av, c_cost in RELEASE_ECONOMICS:
            if ind not in seq_rel:
                continue
            has = present[run_plant[kr], rs.at(ind, "total")]
            av = np.bincount(runs_of, weights=np.nan_to_num(seq_rel[ind]), minlength=n_runs)[kr]
            cols[c_av][pos] = np.where(has, av, np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                cols[c_cost][pos] = np.where(has & finite & (av > 0), annual_cost / av, np.nan)
    iv_vocab, iv_code = _vocab(pf.iv_ids)
    code = np.where(e_iv >= 0, iv_code[np.maximum(e_iv, 0)], -1)
    return _frame(
        {
            "plant": _cat(e_plant, pf.plant_ids),
            "scenario": _cat(e_scen, pf.scen_names),
            "intervention": _cat(code, iv_vocab),
            "basis": _cat(e_basis, ["in_sequence", "standalone"]),
            "currency": _cat(lab.cur_code[e_plant], lab.currencies),
            **cols,
        },
        ECON_COLUMNS,
    )


# -- public entry points ---------------------------------------------------------------------


def assess_many(
    scenarios: Iterable[Scenario | str | Path],
    lib: FactorLibrary | None = None,
    details: bool = True,
) -> BatchResult:
    """Assess many plants at once (validated :class:`Scenario` objects or file paths).

    Files that fail to load or validate are reported in ``errors``; the others complete.

    Returns
    -------
    BatchResult
        ``results``, ``savings``, ``economics`` as tidy DataFrames with a ``plant`` column (the
        file stem, or the plant name for Scenario objects), and ``errors``.
    """
    import pandas as pd

    from recp.scenario import Scenario, load

    lib = lib or library()
    scs: list[Scenario] = []
    ids: list[str] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for item in scenarios:
        if isinstance(item, Scenario):
            sc, pid = item, item.plant.name
        else:
            pid = Path(item).stem
            try:
                sc = load(item)
            except InputError as e:
                for p in e.with_file(str(item)).problems:
                    errors.append(
                        {
                            "plant": pid,
                            "file": p.file,
                            "place": p.place,
                            "message": p.message
                            if p.line is None
                            else f"line {p.line}: {p.message}",
                        }
                    )
                continue
            except Exception as e:  # noqa: BLE001 - a fault in one plant never stops the batch
                errors.append(
                    {
                        "plant": pid,
                        "file": str(item),
                        "place": "",
                        "message": f"internal error: {type(e).__name__}: {e}",
                    }
                )
                continue
        if pid in seen:  # unique plant ids, deterministic
            seen[pid] += 1
            pid = f"{pid}#{seen[pid]}"
        else:
            seen[pid] = 1
        try:
            from recp.engine import compile_scenario

            compile_scenario(sc, lib)
        except InputError as e:
            for p in e.problems:
                errors.append(
                    {"plant": pid, "file": sc.source_file, "place": p.place, "message": p.message}
                )
            continue
        except Exception as e:  # noqa: BLE001 - a fault in one plant never stops the batch
            errors.append(
                {
                    "plant": pid,
                    "file": sc.source_file,
                    "place": "",
                    "message": f"internal error: {type(e).__name__}: {e}",
                }
            )
            continue
        scs.append(sc)
        ids.append(pid)
    if scs:
        res = evaluate(portfolio_from_scenarios(scs, ids, lib), lib, details=details)
    else:
        res = BatchResult(
            pd.DataFrame(columns=RESULT_COLUMNS),
            pd.DataFrame(columns=SAVING_COLUMNS),
            pd.DataFrame(columns=ECON_COLUMNS),
            pd.DataFrame(columns=ERROR_COLUMNS),
        )
    if errors:
        res.errors = pd.concat(
            [pd.DataFrame(errors, columns=ERROR_COLUMNS), res.errors], ignore_index=True
        )
        res.errors = res.errors.sort_values(["plant", "place"], kind="stable").reset_index(
            drop=True
        )
    return res


def batch(
    source: str | Path | Iterable[Scenario | str | Path],
    lib: FactorLibrary | None = None,
    chunk_plants: int = 50_000,
) -> BatchResult:
    """Assess a folder of scenario files, a folder/workbook of tidy tables, or an iterable.

    Returns the tidy results DataFrame (with ``plant``) and its companions; see
    :class:`BatchResult`.
    """
    if isinstance(source, (str, Path)):
        return _combine(run_item(it, lib=lib) for it in work_items(Path(source), chunk_plants))
    return assess_many(source, lib)


def evaluate_tables_chunk(
    chunk: Any, lib: FactorLibrary | None = None, details: bool = True
) -> BatchResult:
    """Validate and assess one chunk of tidy tables (see :mod:`recp.tables`)."""
    from recp.tables import portfolio_from_tables

    pf, errors = portfolio_from_tables(chunk, lib or library())
    res = evaluate(pf, lib, details=details)
    import pandas as pd

    if len(errors):
        res.errors = pd.concat([errors, res.errors], ignore_index=True)
    extra = [
        c
        for c in chunk.plants.columns
        if c
        not in (
            "name",
            "country",
            "sector",
            "production",
            "currency",
            "gwp",
            "grid_factor",
            "discount_rate",
        )
    ]
    if res.plants is not None and len(extra) > 1:
        attrs = chunk.plants[extra].astype({"plant": str})
        res.plants = res.plants.merge(attrs, on="plant", how="left")
    return res


def _combine(parts: Iterator[BatchResult]) -> BatchResult:
    import pandas as pd

    ps = list(parts)
    if len(ps) == 1:
        return ps[0]

    def cat(name: str, cols: list[str]) -> pd.DataFrame:
        frames = [getattr(p, name) for p in ps if len(getattr(p, name))]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)

    return BatchResult(
        cat("results", RESULT_COLUMNS),
        cat("savings", SAVING_COLUMNS),
        cat("economics", ECON_COLUMNS),
        cat("errors", ERROR_COLUMNS),
        cat("plants", ["plant", "name", "country", "sector"]),
    )


# -- running a batch: chunks, processes, Dask -------------------------------------------------


def work_items(src: Path, chunk_plants: int) -> list[tuple[str, Any]]:
    """Split an input into independent chunks: ("files", [paths]) or ("tables", Tables)."""
    from recp.tables import is_table_input, read_tables_chunks

    if is_table_input(src):
        return [("tables", c) for c in read_tables_chunks(src, chunk_plants)]
    if src.is_dir():
        files = sorted(p for p in src.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json"))
        if not files:
            raise InputError(
                [
                    Problem(
                        "",
                        "no scenario files (.yaml, .yml, .json) or plants table in the folder",
                        str(src),
                    )
                ]
            )
        return [("files", files[i : i + chunk_plants]) for i in range(0, len(files), chunk_plants)]
    if not src.exists():
        raise InputError([Problem("", "no such file or folder", str(src))])
    return [("files", [src])]


def run_item(
    item: tuple[str, Any], details: bool = True, lib: FactorLibrary | None = None
) -> BatchResult:
    """Assess one chunk (top-level, so worker processes and Dask can call it)."""
    kind, payload = item
    if kind == "tables":
        return evaluate_tables_chunk(payload, lib, details=details)
    return assess_many(payload, lib, details=details)


def run(
    src: str | Path,
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_plants: int = 20_000,
    progress: Any = None,
    details: bool = True,
) -> BatchResult:
    """Run a batch over chunks, in this process, in ``jobs`` processes, or on Dask.

    Results are combined in input order, so every engine gives the same tables.
    """
    return _combine(
        iter_run(
            src,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            chunk_plants=chunk_plants,
            progress=progress,
            details=details,
        )
    )


def iter_run(
    src: str | Path,
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_plants: int = 20_000,
    progress: Any = None,
    details: bool = True,
) -> Iterator[BatchResult]:
    """Like :func:`run`, but yield each chunk's result in input order (bounded memory)."""
    from functools import partial

    items = work_items(Path(src), chunk_plants)
    work = partial(run_item, details=details)

    def tick() -> None:
        if progress is not None:
            progress()

    if engine == "dask":
        from dask.distributed import Client, LocalCluster

        cluster = None
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(
                n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        try:
            futures = client.map(work, items, pure=False)
            for fut in futures:
                yield fut.result()
                tick()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif engine == "local" and jobs > 1 and len(items) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for res in pool.map(work, items):
                yield res
                tick()
    elif engine == "local":
        for it in items:
            yield work(it)
            tick()
    else:
        raise InputError(f"--engine: unknown engine {engine!r}; valid: local, dask")


def rollup(results: pd.DataFrame, plants: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum baseline and scenario totals (and savings) over plants grouped by a plant column.

    Parameters
    ----------
    results : DataFrame
        Batch results (``plant``, ``scenario``, ``indicator``, ``component``, ``value``, ``unit``).
    plants : DataFrame
        One row per plant with a ``plant`` column and the grouping column ``by``.
    by : str
        e.g. ``sector`` or ``country``.
    """
    df = results[~results["indicator"].str.endswith("_intensity")].merge(
        plants[["plant", by]], on="plant", how="left"
    )
    out = (
        df.groupby(
            [by, "scenario", "indicator", "component", "unit"],
            dropna=False,
            sort=True,
            observed=True,
        )["value"]
        .agg(["sum", "count"])
        .rename(columns={"sum": "value", "count": "plants"})
        .reset_index()
    )
    return out


__all__ = ["BatchResult", "Portfolio", "assess_many", "batch", "evaluate", "rollup", "run"]
