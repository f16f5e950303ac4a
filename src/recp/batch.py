"""Batch and portfolio runs: many plants assessed together as arrays.

Every (plant, scenario) pair and every (plant, intervention) standalone case is a *run* holding
a copy of its plant's flow amounts. Interventions are applied step by step to all runs at once
(one vectorised operation per step and change position), and the results of every run at every
step come from one ``bincount`` over the sparse coefficients of :func:`recp.engine.coefficients`,
the function the single-plant engine uses too. There is no per-plant Python loop in that path.

Inputs are scenario files (:func:`assess_many`) or tidy tables (:func:`assess_tables`: a plants
table, a flows table keyed by plant id and an interventions table, one row per change), read in
chunks of plants so memory stays bounded. A plant with invalid input is reported (plant, place,
message) and left out; every other plant completes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recp import finance
from recp.engine import (
    ABS,
    B_OTHER,
    FLOW_TYPES,
    GWP_CODES,
    REL,
    SET,
    FlowTable,
    PlantTable,
    coefficients,
    flow_table,
)
from recp.errors import InputError, Problem
from recp.factors import FactorLibrary, library

if TYPE_CHECKING:
    import pandas as pd

    from recp.scenario import Scenario

_INTENSITY = ("energy", "ghg", "water", "wastewater", "waste")
RESULT_COLUMNS = ["plant", "scenario", "indicator", "component", "value", "unit"]
SAVING_COLUMNS = ["plant", "scenario", "intervention", "basis", "indicator", "component",
                  "value", "unit"]
ECON_COLUMNS = ["plant", "scenario", "intervention", "basis", "currency", "capex",
                "annual_saving", "simple_payback_years", "lifetime_years", "npv", "irr",
                "ghg_avoided_t_co2e_per_year", "cost_per_t_co2e"]
ERROR_COLUMNS = ["plant", "file", "place", "message"]


@dataclass
class Portfolio:
    """Plants ready for the array engine (validated, canonical units)."""

    plant_ids: list[str]
    names: list[str]
    sectors: list[str | None]
    countries: list[str]
    currency: list[str]
    production: np.ndarray  # (P,) NaN when not given
    production_unit: list[str]
    discount_rate: np.ndarray  # (P,) NaN when not given
    ft: FlowTable  # flows sorted by plant
    pt: PlantTable
    # interventions (global index) and their changes
    iv_plant: np.ndarray
    iv_ids: list[str]
    capex: np.ndarray
    opex: np.ndarray
    lifetime: np.ndarray
    ch_iv: np.ndarray
    ch_order: np.ndarray
    ch_flow: np.ndarray
    ch_kind: np.ndarray
    ch_value: np.ndarray
    ch_place: list[str]
    scenarios: list[dict[str, list[int]]]  # per plant: name -> global intervention indices
    files: list[str | None] = field(default_factory=list)


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


def portfolio_from_scenarios(scs: Sequence[Scenario], ids: Sequence[str],
                             lib: FactorLibrary) -> Portfolio:
    """Concatenate validated scenarios into one :class:`Portfolio` (parse-time, per plant)."""
    from recp.engine import compile_scenario

    fts: list[FlowTable] = []
    grids, gwps, countries = [], [], []
    iv_plant, iv_ids, capex, opex, life = [], [], [], [], []
    ch_iv, ch_order, ch_flow, ch_kind, ch_value, ch_place = [], [], [], [], [], []
    scen_maps: list[dict[str, list[int]]] = []
    offset = 0
    for p, sc in enumerate(scs):
        ft, pt, _ = flow_table(sc, lib)
        comp = compile_scenario(sc, lib)  # interventions in canonical units, as single plants
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
        scen_maps.append({k: [local[i] for i in v] for k, v in sc.scenario_map.items()})
        offset += len(ft)
    ft = _concat(fts)
    return Portfolio(
        plant_ids=list(ids), names=[s.plant.name for s in scs],
        sectors=[s.plant.sector for s in scs], countries=countries,
        currency=[s.currency for s in scs],
        production=np.array([float(s.plant.production.magnitude) if s.plant.production is not None
                             else np.nan for s in scs]),
        production_unit=[f"{s.plant.production.units:~}" if s.plant.production is not None
                         else "" for s in scs],
        discount_rate=np.array([float(s.discount_rate.to("dimensionless").magnitude)
                                if s.discount_rate is not None else np.nan for s in scs]),
        ft=ft, pt=PlantTable(country=np.array(countries, dtype=object),
                             gwp=np.array(gwps, dtype=np.int64), grid=np.array(grids)),
        iv_plant=np.array(iv_plant, dtype=np.int64), iv_ids=iv_ids, capex=np.array(capex),
        opex=np.array(opex), lifetime=np.array(life), ch_iv=np.array(ch_iv, dtype=np.int64),
        ch_order=np.array(ch_order, dtype=np.int64), ch_flow=np.array(ch_flow, dtype=np.int64),
        ch_kind=np.array(ch_kind, dtype=np.int64), ch_value=np.array(ch_value),
        ch_place=ch_place, scenarios=scen_maps, files=[s.source_file for s in scs],
    )


def _concat(fts: Sequence[FlowTable]) -> FlowTable:
    if not fts:
        return FlowTable.empty(0)
    return FlowTable(**{k: np.concatenate([getattr(f, k) for f in fts])
                        for k in FlowTable.__dataclass_fields__})


# -- the array engine ----------------------------------------------------------------------


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for every pair, vectorised."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    rep_starts = np.repeat(np.asarray(starts, dtype=np.int64) - np.cumsum(counts) + counts,
                           counts)
    return rep_starts + np.arange(total, dtype=np.int64)


def evaluate(pf: Portfolio, lib: FactorLibrary | None = None) -> BatchResult:
    """Assess every plant of a portfolio together; see the module docstring."""
    import pandas as pd

    lib = lib or library()
    ft, pt = pf.ft, pf.pt
    P = len(pf.plant_ids)
    co = coefficients(ft, pt, lib)
    errors: list[dict[str, Any]] = []
    bad_plants = {p for p, _ in co.problems}
    for p, prob in co.problems:
        errors.append({"plant": pf.plant_ids[p], "file": pf.files[p] if pf.files else None,
                       "place": prob.place, "message": prob.message})
    rs = co.rowset
    R = len(rs)

    # Runs: scenarios of every plant, then one standalone run per intervention.
    run_plant: list[int] = []
    run_name: list[str] = []
    run_standalone: list[bool] = []
    step_run: list[int] = []
    step_k: list[int] = []
    step_iv: list[int] = []
    for p, smap in enumerate(pf.scenarios):  # plan only: names and indices, no arithmetic
        for name, ivs in smap.items():
            r = len(run_plant)
            run_plant.append(p)
            run_name.append(name)
            run_standalone.append(False)
            step_run += [r] * len(ivs)
            step_k += list(range(len(ivs)))
            step_iv += ivs
    for g in range(len(pf.iv_ids)):
        r = len(run_plant)
        run_plant.append(int(pf.iv_plant[g]))
        run_name.append("")
        run_standalone.append(True)
        step_run.append(r)
        step_k.append(0)
        step_iv.append(g)
    rp = np.array(run_plant, dtype=np.int64)
    n_runs = len(rp)
    s_run = np.array(step_run, dtype=np.int64)
    s_k = np.array(step_k, dtype=np.int64)
    s_iv = np.array(step_iv, dtype=np.int64)

    # Flows per plant (ft is sorted by plant).
    f_count = np.bincount(ft.plant, minlength=P)
    f_start = np.concatenate([[0], np.cumsum(f_count)[:-1]])
    r_count = f_count[rp]
    r_start = np.concatenate([[0], np.cumsum(r_count)[:-1]]).astype(np.int64)
    rf_flow = _ranges(f_start[rp], r_count)  # run-flow -> global flow
    rf_run = np.repeat(np.arange(n_runs), r_count)
    state = ft.amount[rf_flow].copy()

    # Coefficient entries per run-flow.
    order = np.argsort(co.flow, kind="stable")
    e_flow, e_row, e_val = co.flow[order], co.row[order], co.value[order]
    e_count = np.bincount(e_flow, minlength=len(ft))
    e_start = np.concatenate([[0], np.cumsum(e_count)[:-1]])
    E = _ranges(e_start[rf_flow], e_count[rf_flow])  # entry index per (run-flow, entry)
    E_rf = np.repeat(np.arange(len(rf_flow)), e_count[rf_flow])
    E_key = rf_run[E_rf] * R + e_row[E]
    E_val = e_val[E]

    def results(s: np.ndarray) -> np.ndarray:
        return np.bincount(E_key, weights=s[E_rf] * E_val, minlength=n_runs * R).reshape(
            n_runs, R)

    # Baseline per plant, presence of rows per plant.
    base_p = np.bincount(ft.plant[co.flow] * R + co.row, weights=ft.amount[co.flow] * co.value,
                         minlength=P * R).reshape(P, R)
    present = np.zeros((P, R), dtype=bool)
    present[ft.plant[co.flow], co.row] = True
    present |= rs.always[None, :]

    # Changes expanded to run level, in (step, order) position.
    ch_sort = np.lexsort((pf.ch_order, pf.ch_iv))
    c_iv, c_order = pf.ch_iv[ch_sort], pf.ch_order[ch_sort]
    c_flow, c_kind, c_val = pf.ch_flow[ch_sort], pf.ch_kind[ch_sort], pf.ch_value[ch_sort]
    n_iv = len(pf.iv_ids)
    c_count = np.bincount(c_iv, minlength=n_iv)
    c_start = np.concatenate([[0], np.cumsum(c_count)[:-1]]) if n_iv else np.zeros(0, np.int64)
    C = _ranges(c_start[s_iv], c_count[s_iv]) if len(s_iv) else np.zeros(0, np.int64)
    C_step = np.repeat(np.arange(len(s_iv)), c_count[s_iv]) if len(s_iv) else C
    C_run = s_run[C_step]
    C_k = s_k[C_step]
    C_j = c_order[C]
    C_rf = r_start[C_run] + (c_flow[C] - f_start[rp[C_run]])
    C_kind = c_kind[C]
    C_val = c_val[C]

    k_max = int(s_k.max()) + 1 if len(s_k) else 0
    j_max = int(C_j.max()) + 1 if len(C_j) else 0
    res_prev = results(state)
    run_steps = np.bincount(s_run, minlength=n_runs)
    step_res: list[np.ndarray] = [res_prev]
    negative = np.zeros(n_runs, dtype=bool)
    neg_info: list[tuple[int, int, float, float]] = []  # (run, change index, before, after)
    for k in range(k_max):
        at_k = C_k == k
        for j in range(j_max):
            sel = np.flatnonzero(at_k & (C_j == j))
            if sel.size == 0:
                continue
            idx = C_rf[sel]
            kind = C_kind[sel]
            v = C_val[sel]
            before = state[idx]
            new = np.where(kind == REL, before * (1.0 + v),
                           np.where(kind == ABS, before + v, v))
            neg = (new < -1e-9 * np.maximum(1.0, np.abs(before))) & ~negative[C_run[sel]]
            for q in np.flatnonzero(neg):  # only the offending changes: messages
                neg_info.append((int(C_run[sel[q]]), int(C[sel[q]]), float(before[q]),
                                 float(new[q])))
            negative[C_run[sel[neg]]] = True
            state[idx] = np.maximum(new, 0.0)
        step_res.append(results(state))
    # A change below zero makes its plant's input invalid (as in the single-plant engine).
    bases = ("t", "m3", "GJ")
    for r, cidx, prev, after in neg_info:
        p = int(rp[r])
        bad_plants.add(p)
        gi = int(ch_sort[cidx])
        f = int(pf.ch_flow[gi])
        unit = bases[ft.basis[f]] if ft.basis[f] != B_OTHER else ""
        scen = "standalone" if run_standalone[r] else run_name[r]
        errors.append({"plant": pf.plant_ids[p], "file": pf.files[p] if pf.files else None,
                       "place": pf.ch_place[gi], "message": (
                           f"takes flow '{ft.flow_id[f]}' from {prev:g} to {after:g} {unit}, "
                           f"below zero (scenario '{scen}')")})

    ok_plant = np.ones(P, dtype=bool)
    ok_plant[list(bad_plants)] = False
    # End state of each run = result after its last step.
    end = np.stack(step_res)[run_steps, np.arange(n_runs)] if n_runs else np.zeros((0, R))

    res_df = _results_frame(pf, rs, base_p, present, end, rp, run_name, run_standalone, ok_plant)
    sav_df, eco_df = _savings_frames(pf, rs, base_p, present, step_res, rp, run_name,
                                     run_standalone, s_run, s_k, s_iv, ok_plant)
    err_df = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    plants = pd.DataFrame({"plant": pf.plant_ids, "name": pf.names, "country": pf.countries,
                           "sector": pf.sectors})[ok_plant].reset_index(drop=True)
    return BatchResult(res_df, sav_df, eco_df, err_df, plants)


def _unit(u: str, cur: str) -> str:
    return u.replace("{cur}", cur)


def _results_frame(pf: Portfolio, rs: Any, base_p: np.ndarray, present: np.ndarray,
                   end: np.ndarray, rp: np.ndarray, run_name: list[str],
                   run_standalone: list[bool], ok_plant: np.ndarray) -> pd.DataFrame:
    import pandas as pd

    R = len(rs)
    ind = np.array([r.indicator for r in rs.rows], dtype=object)
    comp = np.array([r.component for r in rs.rows], dtype=object)
    unit_t = np.array([r.unit for r in rs.rows], dtype=object)
    scen_runs = np.array([not s for s in run_standalone]) & ok_plant[rp]
    # Rows: per plant, baseline then its scenarios in order.
    P = len(pf.plant_ids)
    blocks_plant = np.concatenate([np.flatnonzero(ok_plant), rp[scen_runs]])
    blocks_vals = np.concatenate([base_p[ok_plant], end[scen_runs]])
    blocks_name = np.concatenate([np.full(int(ok_plant.sum()), "baseline", dtype=object),
                                  np.array(run_name, dtype=object)[scen_runs]])
    blocks_order = np.concatenate([np.zeros(int(ok_plant.sum()), dtype=np.int64),
                                   _rank_within(rp[scen_runs]) + 1])
    o = np.lexsort((blocks_order, blocks_plant))
    blocks_plant, blocks_vals = blocks_plant[o], blocks_vals[o]
    blocks_name, blocks_order = blocks_name[o], blocks_order[o]
    mask = present[blocks_plant]  # (B, R)
    b_idx, r_idx = np.nonzero(mask)
    cur = np.array(pf.currency, dtype=object)
    units = unit_t[r_idx]
    has_cur = np.array(["{cur}" in u for u in unit_t])[r_idx]
    units = np.where(has_cur, [_unit(u, c) for u, c in zip(units, cur[blocks_plant[b_idx]],
                                                          strict=True)] if has_cur.any() else
                     units, units) if has_cur.any() else units
    df = pd.DataFrame({
        "plant": np.array(pf.plant_ids, dtype=object)[blocks_plant[b_idx]],
        "scenario": blocks_name[b_idx],
        "indicator": ind[r_idx], "component": comp[r_idx],
        "value": blocks_vals[b_idx, r_idx], "unit": units,
        "_b": b_idx, "_o": np.zeros(len(b_idx), dtype=np.int64), "_r": r_idx,
    })
    # Intensities per unit of production, after each block's rows.
    prod = pf.production[blocks_plant]
    tot = np.array([r.component == "total" and r.indicator in _INTENSITY for r in rs.rows])
    ib, ir = np.nonzero(np.isfinite(prod)[:, None] & tot[None, :])
    if len(ib):
        punit = np.array(pf.production_unit, dtype=object)[blocks_plant[ib]]
        inten = pd.DataFrame({
            "plant": np.array(pf.plant_ids, dtype=object)[blocks_plant[ib]],
            "scenario": blocks_name[ib],
            "indicator": ind[ir] + "_intensity", "component": "total",
            "value": blocks_vals[ib, ir] / prod[ib],
            "unit": [f"{u}/{pu}" for u, pu in zip(unit_t[ir], punit, strict=True)],
            "_b": ib, "_o": np.ones(len(ib), dtype=np.int64), "_r": ir,
        })
        df = pd.concat([df, inten], ignore_index=True)
    df = df.sort_values(["_b", "_o", "_r"], kind="stable")
    del P
    return df[RESULT_COLUMNS].reset_index(drop=True)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal consecutive values (input grouped)."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(len(groups))
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    return idx - first


def _savings_frames(pf: Portfolio, rs: Any, base_p: np.ndarray, present: np.ndarray,
                    step_res: list[np.ndarray], rp: np.ndarray, run_name: list[str],
                    run_standalone: list[bool], s_run: np.ndarray, s_k: np.ndarray,
                    s_iv: np.ndarray, ok_plant: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd

    R = len(rs)
    ind = np.array([r.indicator for r in rs.rows], dtype=object)
    comp = np.array([r.component for r in rs.rows], dtype=object)
    unit_t = np.array([r.unit for r in rs.rows], dtype=object)
    stand = np.array(run_standalone, dtype=bool)
    names = np.array(run_name, dtype=object)
    ids = np.array(pf.iv_ids, dtype=object)
    pids = np.array(pf.plant_ids, dtype=object)
    stacked = np.stack(step_res) if step_res else np.zeros((1, len(rp), R))
    # in-sequence saving of step (run, k): res[k] - res[k+1]; standalone: run of that iv.
    seq = ~stand[s_run] & ok_plant[rp[s_run]]
    sv_seq = stacked[s_k, s_run] - stacked[s_k + 1, s_run]  # (S, R)
    stand_run_of_iv = np.full(len(ids), -1, dtype=np.int64)
    stand_steps = stand[s_run]
    stand_run_of_iv[s_iv[stand_steps]] = s_run[stand_steps]
    sv_stand = base_p[rp[stand_run_of_iv[s_iv]]] - stacked[1, stand_run_of_iv[s_iv]]
    cost = rs.at("cost", "total")
    ghg = rs.at("ghg", "total")

    frames = []
    econ_rows = []
    sel = np.flatnonzero(seq)
    # order: per plant, per scenario (run order), per step; in_sequence then standalone
    o = sel[np.lexsort((s_k[sel], s_run[sel]))]
    for basis, mat in (("in_sequence", sv_seq), ("standalone", sv_stand)):
        m = present[rp[s_run[o]]]
        b, r = np.nonzero(m)
        st = o[b]
        frames.append(pd.DataFrame({
            "plant": pids[rp[s_run[st]]], "scenario": names[s_run[st]],
            "intervention": ids[s_iv[st]], "basis": basis, "indicator": ind[r],
            "component": comp[r], "value": mat[st, r], "unit": unit_t[r],
            "_run": s_run[st], "_k": s_k[st], "_b": 0 if basis == "in_sequence" else 1, "_r": r,
        }))
    # scenario totals
    scen_runs = np.flatnonzero(~stand & ok_plant[rp])
    last = np.bincount(s_run, minlength=len(rp))[scen_runs]
    tot = stacked[0, scen_runs] - stacked[last, scen_runs]
    has = last > 0
    m = present[rp[scen_runs[has]]]
    b, r = np.nonzero(m)
    sr = scen_runs[has][b]
    frames.append(pd.DataFrame({
        "plant": pids[rp[sr]], "scenario": names[sr], "intervention": None,
        "basis": "in_sequence", "indicator": ind[r], "component": comp[r],
        "value": tot[has][b, r], "unit": unit_t[r], "_run": sr, "_k": 10**9, "_b": 0, "_r": r,
    }))
    sav = pd.concat(frames, ignore_index=True)
    sav["_pos"] = sav["_k"] * 2 + sav["_b"]
    sav = sav.sort_values(["_run", "_pos", "_r"], kind="stable")
    cur = np.array(pf.currency, dtype=object)
    if sav["unit"].str.contains("{cur}", regex=False).any():
        plant_pos = {p: i for i, p in enumerate(pf.plant_ids)}
        curs = cur[[plant_pos[p] for p in sav["plant"]]]
        sav["unit"] = [u.replace("{cur}", c) for u, c in zip(sav["unit"], curs, strict=True)]
    sav = sav[SAVING_COLUMNS].reset_index(drop=True)

    # Economics per step (both bases) and per scenario.
    st = o
    rate = pf.discount_rate[rp[s_run[st]]]
    capex = pf.capex[s_iv[st]]
    opex = pf.opex[s_iv[st]]
    life = pf.lifetime[s_iv[st]]
    cols: dict[str, Any] = {}
    for basis, mat in (("in_sequence", sv_seq), ("standalone", sv_stand)):
        saving = mat[st, cost] * present[rp[s_run[st]], cost] - opex
        g = mat[st, ghg]
        cols[basis] = pd.DataFrame({
            "plant": pids[rp[s_run[st]]], "scenario": names[s_run[st]],
            "intervention": ids[s_iv[st]], "basis": basis,
            "currency": cur[rp[s_run[st]]], "capex": capex, "annual_saving": saving,
            "simple_payback_years": finance.simple_payback(capex, saving),
            "lifetime_years": life, "npv": finance.npv(capex, saving, rate, life),
            "irr": finance.irr(capex, saving, life),
            "ghg_avoided_t_co2e_per_year": g,
            "cost_per_t_co2e": finance.cost_of_abatement(capex, saving, rate, life, g),
            "_run": s_run[st], "_pos": s_k[st] + (0 if basis == "in_sequence" else 10**6),
        })
        econ_rows.append(cols[basis])
    # scenario rows: aggregate the in-sequence rows of each run
    seqdf = cols["in_sequence"]
    if len(seqdf):
        grp = seqdf.groupby("_run", sort=True)
        runs = grp["_run"].first().to_numpy()
        n = grp.size().to_numpy()
        csum = grp["capex"].sum().to_numpy()
        ssum = grp["annual_saving"].sum().to_numpy()
        gsum = grp["ghg_avoided_t_co2e_per_year"].sum().to_numpy()
        lifes_ok = grp["lifetime_years"].apply(lambda s: bool(np.all(np.isfinite(s)))).to_numpy()
        lmax = grp["lifetime_years"].max().to_numpy()
        npv_sum = grp["npv"].sum(min_count=1).to_numpy()
        r_rate = pf.discount_rate[rp[runs]]
        # portfolio IRR with padded arrays (k interventions per run)
        kmax = int(n.max())
        pos = _rank_within(seqdf["_run"].to_numpy())
        row_of = np.searchsorted(runs, seqdf["_run"].to_numpy())
        cap_m = np.zeros((len(runs), kmax))
        sav_m = np.zeros((len(runs), kmax))
        life_m = np.ones((len(runs), kmax))
        cap_m[row_of, pos] = seqdf["capex"].to_numpy()
        sav_m[row_of, pos] = seqdf["annual_saving"].to_numpy()
        life_m[row_of, pos] = np.nan_to_num(seqdf["lifetime_years"].to_numpy(), nan=1.0)
        irr_s = finance.irr_portfolio(cap_m, sav_m, life_m)
        with np.errstate(invalid="ignore", divide="ignore"):
            crf = finance.capital_recovery_factor(r_rate[:, None], life_m)
            annual_cost = (cap_m * crf).sum(axis=1) - ssum
            cpt = np.where(gsum > 0, annual_cost / gsum, np.nan)
        econ_rows.append(pd.DataFrame({
            "plant": pids[rp[runs]], "scenario": names[runs], "intervention": None,
            "basis": "in_sequence", "currency": cur[rp[runs]], "capex": csum,
            "annual_saving": ssum, "simple_payback_years": finance.simple_payback(csum, ssum),
            "lifetime_years": np.where(lifes_ok, lmax, np.nan),
            "npv": np.where(lifes_ok, npv_sum, np.nan),
            "irr": np.where(lifes_ok, irr_s, np.nan),
            "ghg_avoided_t_co2e_per_year": gsum,
            "cost_per_t_co2e": np.where(lifes_ok, cpt, np.nan),
            "_run": runs, "_pos": 10**9,
        }))
    eco = pd.concat(econ_rows, ignore_index=True) if econ_rows else pd.DataFrame(
        columns=[*ECON_COLUMNS, "_run", "_pos"])
    eco = eco.sort_values(["_run", "_pos"], kind="stable")
    return sav, eco[ECON_COLUMNS].reset_index(drop=True)


# -- public entry points ---------------------------------------------------------------------


def assess_many(scenarios: Iterable[Scenario | str | Path],
                lib: FactorLibrary | None = None) -> BatchResult:
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
                    errors.append({"plant": pid, "file": p.file, "place": p.place,
                                   "message": p.message if p.line is None
                                   else f"line {p.line}: {p.message}"})
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
                errors.append({"plant": pid, "file": sc.source_file, "place": p.place,
                               "message": p.message})
            continue
        scs.append(sc)
        ids.append(pid)
    if scs:
        res = evaluate(portfolio_from_scenarios(scs, ids, lib), lib)
    else:
        res = BatchResult(pd.DataFrame(columns=RESULT_COLUMNS),
                          pd.DataFrame(columns=SAVING_COLUMNS), pd.DataFrame(columns=ECON_COLUMNS),
                          pd.DataFrame(columns=ERROR_COLUMNS))
    if errors:
        res.errors = pd.concat([pd.DataFrame(errors, columns=ERROR_COLUMNS), res.errors],
                               ignore_index=True)
        res.errors = res.errors.sort_values(["plant", "place"], kind="stable").reset_index(
            drop=True)
    return res


def batch(source: str | Path | Iterable[Scenario | str | Path],
          lib: FactorLibrary | None = None, chunk_plants: int = 50_000) -> BatchResult:
    """Assess a folder of scenario files, a folder/workbook of tidy tables, or an iterable.

    Returns the tidy results DataFrame (with ``plant``) and its companions; see
    :class:`BatchResult`.
    """
    if isinstance(source, (str, Path)):
        src = Path(source)
        from recp.tables import is_table_input, read_tables_chunks

        if is_table_input(src):
            return _combine(evaluate_tables_chunk(c, lib) for c in read_tables_chunks(
                src, chunk_plants))
        if src.is_dir():
            files = sorted(p for p in src.iterdir() if p.suffix.lower() in (".yaml", ".yml",
                                                                               ".json"))
            return _combine(assess_many(files[i:i + chunk_plants], lib)
                            for i in range(0, max(len(files), 1), chunk_plants))
        if not src.exists():
            raise InputError([Problem("", "no such file or folder", str(src))])
        return assess_many([src], lib)
    return assess_many(source, lib)


def evaluate_tables_chunk(chunk: Any, lib: FactorLibrary | None = None) -> BatchResult:
    """Validate and assess one chunk of tidy tables (see :mod:`recp.tables`)."""
    from recp.tables import portfolio_from_tables

    pf, errors = portfolio_from_tables(chunk, lib or library())
    res = evaluate(pf, lib)
    import pandas as pd

    if len(errors):
        res.errors = pd.concat([errors, res.errors], ignore_index=True)
    extra = [c for c in chunk.plants.columns if c not in ("name", "country", "sector",
                                                          "production", "currency", "gwp",
                                                          "grid_factor", "discount_rate")]
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

    return BatchResult(cat("results", RESULT_COLUMNS), cat("savings", SAVING_COLUMNS),
                       cat("economics", ECON_COLUMNS), cat("errors", ERROR_COLUMNS),
                       cat("plants", ["plant", "name", "country", "sector"]))


# -- running a batch: chunks, processes, Dask -------------------------------------------------


def work_items(src: Path, chunk_plants: int) -> list[tuple[str, Any]]:
    """Split an input into independent chunks: ("files", [paths]) or ("tables", Tables)."""
    from recp.tables import is_table_input, read_tables_chunks

    if is_table_input(src):
        return [("tables", c) for c in read_tables_chunks(src, chunk_plants)]
    if src.is_dir():
        files = sorted(p for p in src.iterdir() if p.suffix.lower() in (".yaml", ".yml",
                                                                           ".json"))
        if not files:
            raise InputError([Problem("", "no scenario files (.yaml, .yml, .json) or plants "
                                      "table in the folder", str(src))])
        return [("files", files[i:i + chunk_plants]) for i in range(0, len(files),
                                                                      chunk_plants)]
    if not src.exists():
        raise InputError([Problem("", "no such file or folder", str(src))])
    return [("files", [src])]


def run_item(item: tuple[str, Any]) -> BatchResult:
    """Assess one chunk (top-level, so worker processes and Dask can call it)."""
    kind, payload = item
    if kind == "tables":
        return evaluate_tables_chunk(payload)
    return assess_many(payload)


def run(src: str | Path, *, jobs: int = 1, engine: str = "local", scheduler: str | None = None,
        chunk_plants: int = 20_000, progress: Any = None) -> BatchResult:
    """Run a batch over chunks, in this process, in ``jobs`` processes, or on Dask.

    Results are combined in input order, so every engine gives the same tables.
    """
    items = work_items(Path(src), chunk_plants)
    done: list[BatchResult | None] = [None] * len(items)

    def tick() -> None:
        if progress is not None:
            progress()

    if engine == "dask":
        from dask.distributed import Client, LocalCluster

        cluster = None
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(run_item, items, pure=False)
            for k, fut in enumerate(futures):
                done[k] = fut.result()
                tick()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif engine == "local" and jobs > 1 and len(items) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for k, res in enumerate(pool.map(run_item, items)):
                done[k] = res
                tick()
    elif engine == "local":
        for k, it in enumerate(items):
            done[k] = run_item(it)
            tick()
    else:
        raise InputError(f"--engine: unknown engine {engine!r}; valid: local, dask")
    return _combine(r for r in done if r is not None)


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
        plants[["plant", by]], on="plant", how="left")
    out = (df.groupby([by, "scenario", "indicator", "component", "unit"], dropna=False,
                      sort=True)["value"].agg(["sum", "count"])
           .rename(columns={"sum": "value", "count": "plants"}).reset_index())
    return out


def _nan_to_none(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


FLOW_TYPE_SET = set(FLOW_TYPES)
__all__ = ["BatchResult", "Portfolio", "assess_many", "batch", "evaluate", "rollup",
           "B_OTHER", "GWP_CODES", "SET"]
