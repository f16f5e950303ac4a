"""Batch and portfolio runs: many plants assessed together as arrays.

Every (plant, scenario) pair and every (plant, intervention) standalone case is a *run* holding
a copy of its plant's flow amounts. Interventions are applied step by step to all runs at once
(one vectorised operation per step and change position), and the results of every run at every
step come from one ``bincount`` over the sparse coefficients of :func:`recp.engine.coefficients`,
the function the single-plant engine uses too. There is no per-plant Python loop in that path:
plans, results and the output tables are built from integer codes.

Inputs are scenario files (:func:`assess_many`) or tidy tables (:mod:`recp.tables`), read in
chunks of plants so memory stays bounded. A folder of Parquet tables is planned as file paths
and row ranges (:func:`work_items`), so each worker reads its own slice; :func:`execute` runs
the work items in this process, in worker processes or on Dask, and :mod:`recp.parts` has each
worker write its own part of the output. A plant with invalid input is reported (plant, place,
message) and left out; every other plant completes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recp import engine
from recp.assessment import (
    ECONOMICS_FIELDS,
    balance_messages,
    benchmark_messages,
    is_intensity_row,
    no_effect_warning,
    no_inputs_note,
    not_comparable_note,
    not_mass_note,
    reference_fields,
)
from recp.engine import (
    MAT,
    PROD,
    SAVINGS_ONLY,
    WASTE,
    WATER,
    WW,
    Compiled,
    RowSet,
    coefficients,
)
from recp.errors import InputError, Problem
from recp.factors import FactorLibrary, library
from recp.models import balances, changes, finance
from recp.models.changes import MOVE, PULL
from recp.portfolio import ERROR_COLUMNS, Portfolio, portfolio_from_scenarios
from recp.scenario import Scenario, load
from recp.tables import (
    input_rows,
    is_parquet_tables,
    is_table_input,
    parquet_rows,
    plan_slices,
    portfolio_from_tables,
    prefetch,
    read_slice,
    read_tables_chunks,
)
from recp.tolerance import change
from recp.toolkits import RELEASE_ECONOMICS
from recp.units import B_OTHER, B_T, parse_quantity, registry, to_float

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
    *ECONOMICS_FIELDS,
    *(c for _, av, cost in RELEASE_ECONOMICS for c in (av, cost)),
]
WARNING_COLUMNS = ["plant", "code", "message"]
BALANCE_COLUMNS = [
    "plant",
    "balance",
    "unit",
    "in",
    "out",
    "difference",
    "relative",
    "tolerance",
    "closes",
    "note",
]
BENCHMARK_COLUMNS = [
    "plant",
    "id",
    "indicator",
    "low",
    "high",
    "unit",
    "product",
    "source",
    "value",
    "flag",
    "note",
]
#: The per-plant tables written beside the results (always, like the errors file).
DIAGNOSTIC_COLUMNS = {
    "warnings": WARNING_COLUMNS,
    "balances": BALANCE_COLUMNS,
    "benchmarks": BENCHMARK_COLUMNS,
}


@dataclass(frozen=True)
class Coded:
    """A categorical column: integer codes into ``labels`` (-1: no value)."""

    codes: np.ndarray
    labels: Sequence[str]


class Columns:
    """A tidy table held as numpy columns, categorical ones :class:`Coded`, in column order.

    The batch engine builds its large tables (results, savings, economics) this way:
    :meth:`frame` makes the pandas DataFrame (categorical columns as pandas Categoricals),
    :func:`recp.parts.arrow_table` an Arrow table straight from the codes, without pandas.
    """

    def __init__(self, data: dict[str, np.ndarray | Coded], names: Sequence[str]):
        self.data = {n: data[n] for n in names}

    def __len__(self) -> int:
        first = next(iter(self.data.values()), None)
        if first is None:
            return 0
        return len(first.codes if isinstance(first, Coded) else first)

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame."""
        return pd.DataFrame(
            {
                n: _cat(v.codes, v.labels) if isinstance(v, Coded) else v
                for n, v in self.data.items()
            }
        )


class BatchResult:
    """Tidy outputs of a batch: results, savings, economics and the plants that failed.

    Every table is a DataFrame; ``results``, ``savings`` and ``economics`` may be given as
    :class:`Columns`, made into a DataFrame when first read (:meth:`table` gives them as
    they are, for writers that need no DataFrame).
    """

    def __init__(
        self,
        results: pd.DataFrame | Columns,
        savings: pd.DataFrame | Columns,
        economics: pd.DataFrame | Columns,
        errors: pd.DataFrame,
        plants: pd.DataFrame | None = None,
        warnings: pd.DataFrame | None = None,
        balances: pd.DataFrame | None = None,
        benchmarks: pd.DataFrame | None = None,
    ) -> None:
        self._tables: dict[str, pd.DataFrame | Columns] = {
            "results": results,
            "savings": savings,
            "economics": economics,
        }
        self.errors = errors
        self.plants = plants  # plant attributes (name, country, sector, ...)
        #: Per plant, as ``recp assess`` reports them: warnings (plant, code, message), the
        #: water and mass balances, and intensities against sector references (docs/batch.md).
        self.warnings = warnings if warnings is not None else _empty("warnings")
        self.balances = balances if balances is not None else _empty("balances")
        self.benchmarks = benchmarks if benchmarks is not None else _empty("benchmarks")

    def _frame(self, name: str) -> pd.DataFrame:
        t = self._tables[name]
        if isinstance(t, Columns):
            t = self._tables[name] = t.frame()
        return t

    @property
    def results(self) -> pd.DataFrame:
        """Baseline and scenario results (plant, scenario, indicator, component, value, unit)."""
        return self._frame("results")

    @results.setter
    def results(self, df: pd.DataFrame) -> None:
        self._tables["results"] = df

    @property
    def savings(self) -> pd.DataFrame:
        """Each intervention's savings, in sequence and standalone, and each scenario's."""
        return self._frame("savings")

    @savings.setter
    def savings(self, df: pd.DataFrame) -> None:
        self._tables["savings"] = df

    @property
    def economics(self) -> pd.DataFrame:
        """The economics of each intervention (in sequence, standalone) and scenario."""
        return self._frame("economics")

    @economics.setter
    def economics(self, df: pd.DataFrame) -> None:
        self._tables["economics"] = df

    def table(self, name: str) -> pd.DataFrame | Columns | None:
        """A table by name, as held (``results``, ``savings``, ``economics``: maybe Columns).

        A writer that needs no DataFrame reads :class:`Columns` as they are.
        """
        if name in self._tables:
            return self._tables[name]
        df: pd.DataFrame | None = getattr(self, name, None)
        return df

    @property
    def n_failed(self) -> int:
        """How many plants failed."""
        return int(self.errors["plant"].nunique()) if len(self.errors) else 0


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=DIAGNOSTIC_COLUMNS[name])


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
        intensities = [f"{i}_intensity" for i in _INTENSITY]
        if any(r.indicator == "effluent_load" for r in rows):
            intensities.append("effluent_load_intensity")
        self.ind_names = list(dict.fromkeys([r.indicator for r in rows] + intensities))
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
        # rows with an intensity, in row order (as one plant's results list them)
        self.tot_rows = np.array(
            [i for i, row in enumerate(rows) if is_intensity_row(row.indicator, row.component)],
            dtype=np.int64,
        )
        self.int_ind = np.array(
            [self.ind_names.index(f"{rows[r].indicator}_intensity") for r in self.tot_rows],
            dtype=np.int64,
        )
        self.int_comp = self.comp_code[self.tot_rows]
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
    lib = lib or library()
    ft = pf.ft
    P = len(pf.plant_ids)
    co = coefficients(ft, pf.pt, lib)
    errors: list[dict[str, Any]] = []
    bad = np.zeros(P, dtype=bool)
    for p, prob in co.problems:
        bad[p] = True
        errors.append(_error(pf, p, prob.place, prob.message))
    # Compact the result rows to those this portfolio uses (plus the contract rows).
    used = co.rowset.always.copy()
    used[co.row] = True
    rs = _RowView(co.rowset, np.flatnonzero(used))
    remap = np.full(len(co.rowset), -1, dtype=np.int64)
    remap[rs.keep] = np.arange(len(rs))
    co_row = remap[co.row]
    R = len(rs)
    base_p = np.bincount(
        ft.plant[co.flow] * R + co_row, weights=ft.amount[co.flow] * co.value, minlength=P * R
    ).reshape(P, R)
    present = np.zeros((P, R), dtype=bool)
    present[ft.plant[co.flow], co_row] = True
    present |= rs.always[None, :]

    ru = _Runs.of(pf)
    st, neg_info, no_effect = _simulate(pf, co.flow, co_row, co.value, base_p, ru)
    bases = ("t", "m3", "GJ")
    for r, g, prev, after in neg_info:
        p = int(ru.plant[r])
        bad[p] = True
        f = int(pf.ch_flow[g])
        unit = bases[ft.basis[f]] if ft.basis[f] != B_OTHER else ""
        scen = "standalone" if ru.standalone[r] else pf.scen_names[ru.scen[r]]
        message = (
            f"takes flow '{ft.flow_id[f]}' from {prev:g} to {after:g} {unit}, "
            f"below zero (scenario '{scen}')"
        )
        errors.append(_error(pf, p, pf.change_place(g), message))
    ok = ~bad

    lab = _Labels(rs, pf)
    args = (ru.plant, ru.scen, ru.standalone)
    steps = (ru.s_run, ru.s_k, ru.s_iv, ok)
    res_df = _results_frame(pf, lab, st, present, *args, ok)
    eco_df = _economics_frame(pf, lab, rs, st, present, *args, *steps)
    sav_df = (
        _savings_frame(pf, lab, st, present, *args, *steps)
        if details
        else pd.DataFrame(columns=SAVING_COLUMNS)
    )
    err_df = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    plants = pd.DataFrame(
        {"plant": pf.plant_ids, "name": pf.names, "country": pf.countries, "sector": pf.sectors}
    )[ok].reset_index(drop=True)
    bal_df = _balances_frame(pf, ok)
    bench_df = _benchmarks_frame(pf, lab, base_p, ok, lib)
    no_effect_iv = np.zeros(len(pf.iv_ids), dtype=bool)
    no_effect_iv[ru.s_iv[ru.standalone[ru.s_run]]] = no_effect[ru.s_run[ru.standalone[ru.s_run]]]
    warn_df = _warnings_frame(pf, ok, no_effect_iv, bal_df, bench_df)
    return BatchResult(res_df, sav_df, eco_df, err_df, plants, warn_df, bal_df, bench_df)


def _error(pf: Portfolio, p: int, place: str, message: str) -> dict[str, Any]:
    """An errors-table row for plant ``p``."""
    return {
        "plant": pf.plant_ids[p],
        "file": pf.files[p] if pf.files else None,
        "place": place,
        "message": message,
    }


@dataclass
class _Runs:
    """The runs of a portfolio and its steps table over runs.

    Every (plant, scenario) run in first-appearance order, plant-major, then one standalone run
    per intervention.
    """

    plant: np.ndarray  # (n,) plant of each run
    scen: np.ndarray  # (n,) scenario code, -1 for a standalone run
    standalone: np.ndarray  # (n,) bool
    s_run: np.ndarray  # steps: run, position in the run, intervention
    s_k: np.ndarray
    s_iv: np.ndarray

    @property
    def n(self) -> int:
        """Number of runs."""
        return len(self.plant)

    @classmethod
    def of(cls, pf: Portfolio) -> _Runs:
        """The runs of a portfolio."""
        n_iv = len(pf.iv_ids)
        S = max(len(pf.scen_names), 1)
        s_run_scen, uniq = pd.factorize(pf.st_plant * S + pf.st_scen, sort=False)
        uniq = np.asarray(uniq, dtype=np.int64)
        n_scen_runs = len(uniq)
        plant = np.concatenate([uniq // S, pf.iv_plant]).astype(np.int64)
        standalone = np.zeros(len(plant), dtype=bool)
        standalone[n_scen_runs:] = True
        return cls(
            plant=plant,
            scen=np.concatenate([uniq % S, np.full(n_iv, -1)]).astype(np.int64),
            standalone=standalone,
            s_run=np.concatenate([s_run_scen, n_scen_runs + np.arange(n_iv)]).astype(np.int64),
            s_k=np.concatenate([pf.st_k, np.zeros(n_iv, dtype=np.int64)]),
            s_iv=np.concatenate([pf.st_iv, np.arange(n_iv)]).astype(np.int64),
        )


def _run_changes(
    pf: Portfolio, ru: _Runs, first: np.ndarray, t_pos: np.ndarray
) -> dict[str, np.ndarray]:
    """Every change of every step of every run: run, step, position, run-flow, kind, value.

    A run's run-flows start at ``first[run] + t_pos[f]`` for a touched flow ``f``.
    """
    ch_sort = np.lexsort((pf.ch_order, pf.ch_iv))
    c_count = np.bincount(pf.ch_iv, minlength=len(pf.iv_ids))
    s_iv = ru.s_iv
    C = _ranges(_starts(c_count)[s_iv], c_count[s_iv]) if len(s_iv) else np.zeros(0, np.int64)
    C_step = np.repeat(np.arange(len(s_iv)), c_count[s_iv]) if len(s_iv) else C
    gch = ch_sort[C]  # global change index
    run = ru.s_run[C_step]
    assert pf.ch_src is not None
    src_g = pf.ch_src[gch]
    return {
        "g": gch,
        "run": run,
        "k": ru.s_k[C_step],
        "j": pf.ch_order[gch],
        "rf": first[run] + t_pos[pf.ch_flow[gch]],
        "kind": pf.ch_kind[gch],
        "value": pf.ch_value[gch],
        "src": np.where(src_g >= 0, first[run] + t_pos[np.maximum(src_g, 0)], -1),
    }


@dataclass
class _States:
    """Every plant's baseline results and every run's results after each of its steps.

    ``S`` holds one row of results per state: the plants' baselines first, then the state
    after each step, a block per step position (every run's first step, then every second
    step...). Rows are addressed by index arrays, so nothing is copied per run.
    """

    S: np.ndarray  # (plants + steps, rows)
    before: np.ndarray  # (steps,) row of S before each step
    after: np.ndarray  # (steps,) row of S after each step
    end: np.ndarray  # (runs,) row of S after a run's last step (its baseline without steps)
    #: (steps,) which path each step ends: its plant's interventions up to it, in order. Steps
    #: on the same path end in the same state (a standalone intervention and a scenario that
    #: starts with it; "quick wins" and a full programme that starts with the same two steps).
    path: np.ndarray


def _state_rows(ru: _Runs, P: int) -> tuple[_States, np.ndarray, np.ndarray]:
    """The row layout of :class:`_States` (``S`` not filled) and the steps of each position."""
    n_st = len(ru.s_run)
    k_max = int(ru.s_k.max()) + 1 if n_st else 0
    by_k = np.argsort(ru.s_k, kind="stable")  # steps by position, in step order within one
    after = np.empty(n_st, dtype=np.int64)
    after[by_k] = P + np.arange(n_st)
    step_at = np.full((ru.n, max(k_max, 1)), -1, dtype=np.int64)  # (run, position) -> step
    step_at[ru.s_run, ru.s_k] = np.arange(n_st)
    first = ru.s_k == 0
    before = np.where(first, ru.plant[ru.s_run], -1)
    before[~first] = after[step_at[ru.s_run[~first], ru.s_k[~first] - 1]]
    n_steps = np.bincount(ru.s_run, minlength=ru.n)
    has = n_steps > 0
    end = ru.plant.copy()
    end[has] = after[step_at[np.flatnonzero(has), n_steps[has] - 1]]
    path = np.empty(n_st, dtype=np.int64)
    n_iv = int(ru.s_iv.max()) + 1 if n_st else 0
    k_count = np.bincount(ru.s_k, minlength=k_max)
    lo, next_id = 0, n_iv
    for k in range(k_max):  # a path is its intervention (first step) or (path before, it)
        T = by_k[lo : lo + k_count[k]]
        if k == 0:
            path[T] = ru.s_iv[T]
        else:
            codes, uniq = pd.factorize(path[step_at[ru.s_run[T], k - 1]] * n_iv + ru.s_iv[T])
            path[T] = next_id + codes
            next_id += len(uniq)
        lo += int(k_count[k])
    st = _States(np.empty((P + n_st, 0)), before, after, end, path)
    return st, by_k, step_at


def _simulate(
    pf: Portfolio,
    co_flow: np.ndarray,
    co_row: np.ndarray,
    co_value: np.ndarray,
    base_p: np.ndarray,
    ru: _Runs,
) -> tuple[_States, list[tuple[int, int, float, float]], np.ndarray]:
    """Apply every run's steps, all runs at once (:mod:`recp.models.changes`).

    Returns the results of every state (:class:`_States`), the first change of each run that
    takes a flow below zero (run, change, before, after), and whether each run leaves every
    flow as it was.
    """
    ft = pf.ft
    P, R = base_p.shape
    # The flows a change touches, per plant (ft is sorted by plant) and per run: only they
    # have an amount per run (a run-flow); every other flow keeps its baseline amount.
    assert pf.ch_src is not None
    is_touched = np.zeros(len(ft), dtype=bool)
    is_touched[pf.ch_flow] = True
    is_touched[pf.ch_src[pf.ch_src >= 0]] = True
    t_flow = np.flatnonzero(is_touched)  # in plant order
    t_pos = np.cumsum(is_touched) - 1  # a touched flow's place among them
    f_count = np.bincount(ft.plant[t_flow], minlength=len(pf.plant_ids))
    f_start = _starts(f_count)
    r_count = f_count[ru.plant]
    r_start = _starts(r_count)
    rf_flow = t_flow[_ranges(f_start[ru.plant], r_count)]
    rf_run = np.repeat(np.arange(ru.n), r_count)
    state = ft.amount[rf_flow].copy()
    # Coefficient entries expanded to run-flows: entries of a run-flow are
    # e_*[start : start + count].
    order = np.argsort(co_flow, kind="stable")
    e_row, e_val = co_row[order], co_value[order]
    e_count = np.bincount(co_flow, minlength=len(ft))
    rf_ecount = e_count[rf_flow]
    rf_estart = _starts(e_count)[rf_flow]
    st, by_k, step_at = _state_rows(ru, P)
    st.S = np.empty((P + len(ru.s_run), R))
    st.S[:P] = base_p
    k_count = np.bincount(ru.s_k, minlength=step_at.shape[1])

    def step_rows(k: int, lo: int, rf: np.ndarray, change: np.ndarray) -> None:
        """Fill the rows after the steps at position ``k`` (a block starting at ``P + lo``).

        Each is the row before plus the effect of run-flows ``rf`` changing by ``change``.
        Each cell's effect is summed in entry order, then added to the row before (cells no
        flow touched add 0.0, which leaves them as they are: no result is ever -0.0).
        """
        steps = by_k[lo : lo + k_count[k]]
        ent = _ranges(rf_estart[rf], rf_ecount[rf])
        who = np.repeat(np.arange(len(rf)), rf_ecount[rf])
        local = st.after[step_at[rf_run[rf], k]] - (P + lo)  # the run-flow's row in the block
        delta = np.bincount(
            local[who] * R + e_row[ent],
            weights=change[who] * e_val[ent],
            minlength=len(steps) * R,
        ).reshape(len(steps), R)
        np.add(delta, st.S[st.before[steps]], out=st.S[P + lo : P + lo + len(steps)])

    C = _run_changes(pf, ru, r_start - f_start[ru.plant], t_pos)
    j_max = int(C["j"].max()) + 1 if len(C["j"]) else 0
    negative = np.zeros(ru.n, dtype=bool)
    neg_info: list[tuple[int, int, float, float]] = []
    lo = 0
    for k in range(len(k_count)):
        at_k = C["k"] == k
        touched: list[np.ndarray] = []
        start_state: list[np.ndarray] = []
        for j in range(j_max):
            sel = np.flatnonzero(at_k & (C["j"] == j))
            if sel.size == 0:
                continue
            idx = C["rf"][sel]
            kind = C["kind"][sel]
            before = state[idx]
            mv = kind == MOVE
            moved = np.zeros(len(idx))
            if mv.any():  # a process changing class: the source's amount moves to the target
                src = C["src"][sel[mv]]
                moved[mv] = state[src]
                touched.append(src)
                start_state.append(state[src].copy())
                state[src] = 0.0
            pl = kind == PULL
            if pl.any():  # a fuel switch: the new carrier takes a part of the source's amount
                moved[pl] = state[C["src"][sel[pl]]]
            new = changes.changed(before, kind, C["value"][sel], moved)
            neg = changes.is_below_zero(before, new) & ~negative[C["run"][sel]]
            for q in np.flatnonzero(neg):  # offending changes only: messages
                neg_info.append(
                    (int(C["run"][sel[q]]), int(C["g"][sel[q]]), float(before[q]), float(new[q]))
                )
            negative[C["run"][sel[neg]]] = True
            touched.append(idx)
            start_state.append(before)
            state[idx] = np.maximum(new, 0.0)
        # the first recorded value of a run-flow in this step is its value before the step
        rf_all = np.concatenate(touched) if touched else np.zeros(0, dtype=np.int64)
        rf_u, first = np.unique(rf_all, return_index=True)
        before_u = np.concatenate(start_state)[first] if touched else np.zeros(0)
        step_rows(k, lo, rf_u, state[rf_u] - before_u)
        lo += int(k_count[k])
    # a run with no effect: every amount as it was (np.allclose's tolerances)
    base = ft.amount[rf_flow]
    far = np.abs(state - base) > 1e-8 + 1e-5 * np.abs(base)
    no_effect = np.bincount(rf_run[far], minlength=ru.n) == 0
    return st, neg_info, no_effect


def _balances_frame(pf: Portfolio, ok: np.ndarray) -> pd.DataFrame:
    """Water and mass balances of each valid plant's baseline, as ``recp assess`` gives them."""
    ft = pf.ft
    P = len(pf.plant_ids)
    t, in_t = ft.type, ft.basis == B_T
    x = np.array(pf.balance_extra, dtype=float).reshape(-1, 3)
    xp, xk, xv = x[:, 0].astype(np.int64), x[:, 1].astype(np.int64), x[:, 2]

    def total(mask: np.ndarray, extra: int | None = None) -> np.ndarray:
        """Sum per plant of the flows in ``mask``, then the extra outputs of kind ``extra``."""
        on = xk == extra
        return np.bincount(
            np.concatenate([ft.plant[mask], xp[on]]),
            weights=np.concatenate([ft.amount[mask], xv[on]]),
            minlength=P,
        )

    not_mass = (t == PROD) & ~in_t
    products = (
        pd.Series(ft.flow_id[not_mass].astype(str)).groupby(ft.plant[not_mass]).agg(", ".join)
    )
    notes = np.full((P, 2), None, dtype=object)
    notes[products.index.to_numpy(), 1] = [not_mass_note(x) for x in products]
    blocks = []
    for b, (name, unit, tin, tout) in enumerate(
        (
            ("water", "m3", total(t == WATER), total(t == WW, 0)),
            ("mass", "t", total((t == MAT) & in_t), total(((t == PROD) | (t == WASTE)) & in_t, 1)),
        )
    ):
        tol = np.asarray(pf.balance_tolerance, dtype=float)
        diff, rel, closes = balances.closure(tin, tout, tol)
        note = notes[:, b]
        note[(note == None) & (tin <= 0)] = no_inputs_note(name)  # noqa: E711 - elementwise
        checked = note == None  # noqa: E711 - elementwise
        blocks.append(
            pd.DataFrame(
                {
                    "plant": pf.plant_ids,
                    "balance": name,
                    "unit": unit,
                    "in": tin,
                    "out": tout,
                    "difference": diff,
                    "relative": rel,
                    "tolerance": tol,
                    "closes": _nullable(closes, checked.astype(bool)),
                    "note": note,
                    "_order": np.arange(P) * 2 + b,
                }
            )[ok]
        )
    out = pd.concat(blocks, ignore_index=True).sort_values("_order", kind="stable")
    return out[BALANCE_COLUMNS].reset_index(drop=True)


def _nullable(values: np.ndarray, known: np.ndarray) -> Any:
    """A pandas nullable boolean array: ``values`` where ``known``, NA elsewhere."""
    out = pd.array(values, dtype="boolean")
    out[~known] = pd.NA
    return out


def _benchmarks_frame(
    pf: Portfolio, lab: _Labels, base_p: np.ndarray, ok: np.ndarray, lib: FactorLibrary
) -> pd.DataFrame:
    """Each valid plant's baseline intensities beside its sector's reference ranges."""
    try:
        table = lib.table(lib.REFERENCES)
    except KeyError:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    sectors = np.array([s or "" for s in pf.sectors], dtype=object)
    has = ok & np.isfinite(pf.production) & (sectors != "")
    parts = []
    for n, r in enumerate(table.rows.values()):  # loop over reference rows, never over plants
        on = np.flatnonzero(has & (sectors == r.get("sector")))
        if on.size == 0:
            continue
        i = lab.rs.index.get((str(r["indicator"]).removesuffix("_intensity"), "total"))
        # one conversion per distinct (currency, production unit), never per plant
        cur_pu = np.char.add(
            np.char.add(np.asarray(pf.currency, dtype=str)[on], "\x00"),
            np.asarray(pf.production_unit, dtype=str)[on],
        )
        _, first, inv = np.unique(cur_pu, return_index=True, return_inverse=True)
        factor = np.array(
            [
                _per_production(lab, i, pf.currency[on[f]], pf.production_unit[on[f]], r)
                for f in first
            ]
        )[inv.reshape(-1)]
        value = (
            base_p[on, i if i is not None else 0] / pf.production[on] * factor
        )  # NaN: not comparable
        lo, hi = (np.nan if r.get(k) is None else float(r[k]) for k in ("low", "high"))
        flag = np.array(balances.FLAGS, dtype=object)[balances.compare_range(value, lo, hi)]
        comparable = np.isfinite(factor)
        parts.append(
            pd.DataFrame(
                {
                    "plant": on,
                    **reference_fields(r, table),
                    "value": value,
                    "flag": np.where(comparable, flag, "not_comparable"),
                    "note": np.where(
                        comparable,
                        np.full(len(on), None, dtype=object),
                        np.array(
                            [
                                not_comparable_note(
                                    _unit_label(pf.production_unit[on[f]]),
                                    r.get("unit"),
                                    r.get("product"),
                                )
                                for f in first
                            ],
                            dtype=object,
                        )[inv.reshape(-1)],
                    ),
                    "_ref": n,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    out = pd.concat(parts, ignore_index=True).sort_values(["plant", "_ref"], kind="stable")
    out["plant"] = np.asarray(pf.plant_ids, dtype=object)[out["plant"].to_numpy()]
    return out[BENCHMARK_COLUMNS].reset_index(drop=True)


_FACTORS: dict[tuple[str, str, str], float] = {}


def _per_production(lab: _Labels, i: int | None, cur: str, punit: str, ref: Any) -> float:
    """Conversion from a result row's unit per production unit to a reference's unit.

    NaN if they do not convert; cached, so pint runs once per distinct unit triple.
    """
    if i is None:
        return np.nan
    key = (lab.rs.rows[i].unit.replace("{cur}", cur), punit, str(ref.get("unit")))
    if key not in _FACTORS:
        try:
            q = parse_quantity(f"1 {key[0]}") / parse_quantity(f"1 {key[1]}")
            _FACTORS[key] = to_float(q, key[2])
        except Exception:  # noqa: BLE001 - unit mismatch: say so, do not guess
            _FACTORS[key] = np.nan
    return _FACTORS[key]


def _unit_label(punit: str) -> str:
    """A production unit as pint prints it (for messages)."""
    try:
        return f"{parse_quantity(f'1 {punit}').units:~}"
    except Exception:  # noqa: BLE001 - fall back to the text as given
        return punit


def _warnings_frame(
    pf: Portfolio,
    ok: np.ndarray,
    no_effect_iv: np.ndarray,
    bal: pd.DataFrame,
    bench: pd.DataFrame,
) -> pd.DataFrame:
    """Per valid plant, the warnings ``recp assess`` gives, in the same order.

    Read-time warnings, interventions without effect, balances that do not close or cannot be
    checked, intensities outside their reference range: the messages are built column-wise
    (:func:`recp.assessment.balance_messages`), never with a Python call per plant.
    """
    ids = pd.Index(pf.plant_ids)
    parts: list[tuple[np.ndarray, int, Any, Any]] = []  # (plant, group, codes, messages)
    if pf.warnings:
        read = np.array(pf.warnings, dtype=object).reshape(-1, 3)
        parts.append((read[:, 0].astype(np.int64), 0, read[:, 1], read[:, 2]))
    g = np.flatnonzero(no_effect_iv)
    if len(g):
        ws = [no_effect_warning(pf.iv_ids[i]) for i in g]  # one per intervention without effect
        parts.append((pf.iv_plant[g], 1, [w["code"] for w in ws], [w["message"] for w in ws]))
    closes = bal["closes"]
    unchecked = closes.isna().to_numpy(dtype=bool)
    failed = ~unchecked & ~closes.fillna(True).to_numpy(dtype=bool)
    names = bal["balance"].to_numpy(dtype=object)
    for name, unit in (("water", "m3"), ("mass", "t")):
        for sel, kind in ((unchecked, "unchecked"), (failed, "open")):
            rows = bal[sel & (names == name)]
            if not len(rows):
                continue
            if kind == "unchecked":
                code = f"{name}_balance_unchecked"
                msgs = list(map(f"{name} balance not checked: ".__add__, rows["note"].tolist()))
            else:
                code = f"{name}_balance"
                msgs = balance_messages(
                    name, unit, rows["in"], rows["out"], rows["relative"], rows["tolerance"]
                )
            code_col = np.full(len(rows), code, dtype=object)
            parts.append((ids.get_indexer(rows["plant"]), 2, code_col, msgs))
    outside = bench[bench["flag"].isin(["below", "above"])]
    if len(outside):
        msgs = benchmark_messages(
            *(outside[c] for c in ("indicator", "value", "unit", "flag", "low", "high", "source"))
        )
        codes = np.full(len(outside), "intensity_outside_reference", dtype=object)
        parts.append((ids.get_indexer(outside["plant"]), 3, codes, msgs))
    if not parts:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    plant = np.concatenate([p for p, _, _, _ in parts])
    group = np.concatenate([np.full(len(p), k) for p, k, _, _ in parts])
    code_all = np.concatenate([np.asarray(c, dtype=object) for _, _, c, _ in parts])
    message = np.concatenate([np.asarray(m, dtype=object) for _, _, _, m in parts])
    order = np.lexsort((group, plant))  # stable: each (plant, group) keeps its order
    order = order[ok[plant[order]]]
    return pd.DataFrame(
        {
            "plant": np.asarray(pf.plant_ids, dtype=object)[plant[order]],
            "code": code_all[order],
            "message": message[order],
        },
        columns=WARNING_COLUMNS,
    )


def _results_frame(
    pf: Portfolio,
    lab: _Labels,
    st: _States,
    present: np.ndarray,
    run_plant: np.ndarray,
    run_scen: np.ndarray,
    standalone: np.ndarray,
    ok: np.ndarray,
) -> Columns:
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
    b_rows = b_plant.copy()  # baseline rows, then each scenario run's end state
    b_rows[~is_base] = st.end[b_vals_src[~is_base]]
    # one block per state: its result rows, then the intensities (totals / production)
    R, K = st.S.shape[1], len(lab.tot_rows)
    W = R + K
    V = np.empty((len(b_rows), W))
    V[:, :R] = st.S[b_rows]
    prod = pf.production[b_plant]
    V[:, R:] = V[:, lab.tot_rows] / prod[:, None]
    shown = present[b_plant]
    M = np.empty(V.shape, dtype=bool)
    results_only = ~np.isin(np.asarray(lab.ind_names, dtype=object)[lab.ind_code], SAVINGS_ONLY)
    np.logical_and(shown, results_only, out=M[:, :R])
    np.logical_and(shown[:, lab.tot_rows], np.isfinite(prod)[:, None], out=M[:, R:])
    cell = np.flatnonzero(M)  # row-major: blocks in order, columns in order within one
    bi = cell // W
    ci = cell - bi * W
    # per column: indicator and component; its unit per (currency, production unit) of a plant
    i32 = np.int32
    col_ind = np.concatenate([lab.ind_code, lab.int_ind]).astype(i32)
    col_comp = np.concatenate([lab.comp_code, lab.int_comp]).astype(i32)
    combo, combos = pd.factorize(lab.cur_code * len(lab.punits) + lab.punit_code)
    cur, pu = np.divmod(np.asarray(combos, dtype=np.int64), len(lab.punits))
    units = np.concatenate([lab.unit_code[:, cur].T, lab.int_unit_code[:, pu].T], axis=1)
    scen_names = ["baseline", *pf.scen_names]
    return Columns(
        {
            "plant": Coded(b_plant.astype(i32)[bi], pf.plant_ids),
            "scenario": Coded((b_scen + 1).astype(i32)[bi], scen_names),
            "indicator": Coded(col_ind[ci], lab.ind_names),
            "component": Coded(col_comp[ci], lab.comp_names),
            "value": _finite(V.reshape(-1)[cell]),
            "unit": Coded(
                units.astype(i32).reshape(-1)[combo[b_plant][bi] * W + ci], lab.unit_names
            ),
        },
        RESULT_COLUMNS,
    )


def _savings_frame(
    pf: Portfolio,
    lab: _Labels,
    states: _States,
    present: np.ndarray,
    run_plant: np.ndarray,
    run_scen: np.ndarray,
    standalone: np.ndarray,
    s_run: np.ndarray,
    s_k: np.ndarray,
    s_iv: np.ndarray,
    ok: np.ndarray,
) -> Columns:
    """Savings rows as in the single-plant JSON, in the same order."""
    n_iv = len(pf.iv_ids)
    n_runs = len(run_plant)
    S = states.S
    seq = ~standalone[s_run] & ok[run_plant[s_run]]
    stand_run = np.full(n_iv, -1, dtype=np.int64)
    st = standalone[s_run]
    stand_run[s_iv[st]] = s_run[st]
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
    B_vals = np.empty((nb, S.shape[1]))
    B_plant = np.empty(nb, dtype=np.int64)
    B_scen = np.empty(nb, dtype=np.int64)
    B_iv = np.full(nb, -1, dtype=np.int64)
    B_basis = np.zeros(nb, dtype=np.int64)
    # positions are dense over kept runs: remap run starts to kept runs only
    pos_seq = step_pos[si]
    B_vals[pos_seq] = S[states.before[si]] - S[states.after[si]]
    sr = stand_run[s_iv[si]]
    B_vals[pos_seq + 1] = S[run_plant[sr]] - S[states.end[sr]]
    for pos, basis in ((pos_seq, 0), (pos_seq + 1, 1)):
        B_plant[pos] = run_plant[s_run[si]]
        B_scen[pos] = run_scen[s_run[si]]
        B_iv[pos] = s_iv[si]
        B_basis[pos] = basis
    tp = total_pos[ri]
    B_vals[tp] = S[run_plant[ri]] - S[states.end[ri]]
    B_plant[tp] = run_plant[ri]
    B_scen[tp] = run_scen[ri]
    M = present[B_plant]
    bi, ci = np.nonzero(M)
    iv_vocab, iv_code = _vocab(pf.iv_ids)
    code = np.where(B_iv[bi] >= 0, iv_code[np.maximum(B_iv[bi], 0)], -1)
    return Columns(
        {
            "plant": Coded(B_plant[bi], pf.plant_ids),
            "scenario": Coded(B_scen[bi], pf.scen_names),
            "intervention": Coded(code, iv_vocab),
            "basis": Coded(B_basis[bi], ["in_sequence", "standalone"]),
            "indicator": Coded(lab.ind_code[ci], lab.ind_names),
            "component": Coded(lab.comp_code[ci], lab.comp_names),
            "value": _finite(B_vals[bi, ci]),
            "unit": Coded(lab.unit_code[ci, lab.cur_code[B_plant[bi]]], lab.unit_names),
        },
        SAVING_COLUMNS,
    )


def _finite(x: np.ndarray) -> np.ndarray:
    """``x`` with every value that is not a finite number made NaN (no value), in place.

    The single-plant document has no infinities (JSON holds none: such a figure is absent);
    a cost per tonne over an abatement of 1e-309 t overflows to one, so the batch says "no
    value" too.
    """
    x[~np.isfinite(x)] = np.nan
    return x


def _vocab(values: list[str]) -> tuple[list[str], np.ndarray]:
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), sort=False)
    return [str(u) for u in uniq], np.asarray(codes, dtype=np.int64)


def _economics_frame(
    pf: Portfolio,
    lab: _Labels,
    rs: _RowView,
    st: _States,
    present: np.ndarray,
    run_plant: np.ndarray,
    run_scen: np.ndarray,
    standalone: np.ndarray,
    s_run: np.ndarray,
    s_k: np.ndarray,
    s_iv: np.ndarray,
    ok: np.ndarray,
) -> Columns:
    """Economics rows as in the single-plant JSON (:mod:`recp.models.finance` for both).

    Per run: the in-sequence rows, the standalone rows, then the scenario row. Only the
    result rows the economics read (cost, GHG, GHG reduction, release totals) are gathered.
    """
    n_iv = len(pf.iv_ids)
    n_runs = len(run_plant)
    col = _EconCols(rs, st.S, present)
    si = np.flatnonzero(~standalone[s_run] & ok[run_plant[s_run]])
    runs_of = s_run[si]
    plant_of = run_plant[runs_of]
    stand_run = np.full(n_iv, -1, dtype=np.int64)
    stand = standalone[s_run]
    stand_run[s_iv[stand]] = s_run[stand]
    iv = s_iv[si]
    capex, life = pf.capex[iv], pf.lifetime[iv]
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
    # in sequence: each step from the state before it; standalone: each intervention from its
    # plant's baseline. A case is appraised once per path (the same inputs give the same
    # figures): a standalone intervention and a scenario's first step, shared first steps.
    used = np.zeros(n_iv, dtype=bool)
    used[iv] = True
    u_iv = np.flatnonzero(used)
    u_of = np.cumsum(used) - 1  # intervention -> its standalone case among u_iv
    u_run = stand_run[u_iv]
    case, _ = pd.factorize(np.concatenate([st.path[si], u_iv]))  # standalone: path [iv]
    first = np.flatnonzero(case > np.maximum.accumulate(np.concatenate([[-1], case[:-1]])))
    cases = _appraise_steps(
        pf,
        col,
        np.concatenate([st.before[si], run_plant[u_run]])[first],
        np.concatenate([st.after[si], st.end[u_run]])[first],
        np.concatenate([plant_of, run_plant[u_run]])[first],
        np.concatenate([iv, u_iv])[first],
    )
    seq_case = case[: len(si)]
    for b, take in enumerate((seq_case, case[len(si) :][u_of[iv]])):
        pos = run_start[runs_of] + b * n_steps[runs_of] + s_k[si]
        e_plant[pos], e_scen[pos], e_iv[pos], e_basis[pos] = plant_of, run_scen[runs_of], iv, b
        _put(cols, pos, *cases, take)
    ap, av, credit = cases
    seq_saving, seq_ghg, seq_credit = (
        ap.annual_saving[seq_case],
        av["ghg"][seq_case],
        credit[seq_case],
    )
    # scenario rows: each kept run's in-sequence steps made together
    kr = np.flatnonzero(keep_run)
    if len(kr):
        mats = {"capex": capex, "saving": seq_saving, "life": life, "ghg": seq_ghg}
        mats["credit"] = seq_credit
        real, mats = _step_matrices(
            (len(kr), int(n_steps.max())), (np.searchsorted(kr, runs_of), s_k[si]), mats
        )
        ap, total, credit = _appraise_scenarios(pf, col, run_plant[kr], st.end[kr], real, mats)
        pos = run_start[kr] + 2 * n_steps[kr]
        e_plant[pos], e_scen[pos], e_iv[pos], e_basis[pos] = run_plant[kr], run_scen[kr], -1, 0
        _put(cols, pos, ap, total, credit)
    for x in cols.values():
        _finite(x)
    iv_vocab, iv_code = _vocab(pf.iv_ids)
    code = np.where(e_iv >= 0, iv_code[np.maximum(e_iv, 0)], -1)
    return Columns(
        {
            "plant": Coded(e_plant, pf.plant_ids),
            "scenario": Coded(e_scen, pf.scen_names),
            "intervention": Coded(code, iv_vocab),
            "basis": Coded(e_basis, ["in_sequence", "standalone"]),
            "currency": Coded(lab.cur_code[e_plant], lab.currencies),
            **cols,
        },
        ECON_COLUMNS,
    )


def _appraise_scenarios(
    pf: Portfolio,
    col: _EconCols,
    plant: np.ndarray,
    end: np.ndarray,
    real: np.ndarray,
    mats: dict[str, np.ndarray],
) -> tuple[finance.Appraisal, dict[str, np.ndarray], np.ndarray]:
    """The economics of scenarios: their in-sequence steps made together.

    ``mats`` are the steps' figures (scenario x step, ``real`` cells); each scenario goes from
    its ``plant``'s baseline to the state ``end``. Returns the appraisal, the quantities
    avoided and the credit revenue (NaN without price).
    """
    total = _avoided(col, col.present[plant], col.S[plant], col.S[end])
    total["ghg"] = np.where(real, mats["ghg"], 0.0).sum(axis=1)
    ap = finance.appraise_scenarios(
        mats["capex"], mats["saving"], pf.discount_rate[plant], mats["life"], total, real
    )
    price = np.asarray(pf.carbon_price)[plant]
    return ap, total, np.where(np.isnan(price), np.nan, mats["credit"].sum(axis=1))


def _appraise_steps(
    pf: Portfolio,
    col: _EconCols,
    before: np.ndarray,
    after: np.ndarray,
    plant: np.ndarray,
    iv: np.ndarray,
) -> tuple[finance.Appraisal, dict[str, np.ndarray], np.ndarray]:
    """The economics of interventions ``iv`` of ``plant`` taking states ``before`` to ``after``.

    Returns the appraisal, the quantities avoided and the credit revenue (NaN without price).
    """
    b, a, pres = col.S[before], col.S[after], col.present[plant]
    price = np.asarray(pf.carbon_price)[plant]
    flow_saving, credit = _saving_and_credit(col, b, a, pres, price)
    av = _avoided(col, pres, b, a)
    ap = finance.appraise(
        pf.capex[iv], pf.opex[iv], flow_saving, pf.discount_rate[plant], pf.lifetime[iv], av, credit
    )
    return ap, av, np.where(np.isnan(price), np.nan, credit)


class _EconCols:
    """The result rows the economics read, as the columns of narrow copies of the states.

    ``S`` and ``present`` hold, for every state and plant, the ``total`` rows of ``cost``
    (the plant's priced flows), ``ghg_reduction``, ``ghg`` and the release indicators
    (``mercury``, ``pcdd_f``...) that the portfolio has; ``at[name]`` is the column of one,
    None where the portfolio has no such row.
    """

    def __init__(self, rs: _RowView, S: np.ndarray, present: np.ndarray):
        names = ["cost", "ghg_reduction", "ghg", *(ind for ind, _, _ in RELEASE_ECONOMICS)]
        have = [n for n in names if (n, "total") in rs.index]
        rows = [rs.index[(n, "total")] for n in have]
        self.at: dict[str, int | None] = {n: have.index(n) if n in have else None for n in names}
        self.S = np.ascontiguousarray(S[:, rows])
        self.present = np.ascontiguousarray(present[:, rows])


def _saving_and_credit(
    col: _EconCols,
    before: np.ndarray,
    after: np.ndarray,
    present: np.ndarray,
    price: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each step's saving on priced flows and its credit revenue [currency/year].

    ``before``, ``after`` and ``present`` hold the columns of ``col``; ``cost/total`` and
    ``ghg_reduction/total`` may be absent.
    """
    cost, red = col.at["cost"], col.at["ghg_reduction"]
    n = len(before)
    flow = (
        np.where(present[:, cost], change(before[:, cost], after[:, cost]), 0.0)
        if cost is not None
        else np.zeros(n)
    )
    reduction = change(before[:, red], after[:, red]) if red is not None else np.zeros(n)
    return flow, finance.carbon_revenue(reduction, price)


def _step_matrices(
    shape: tuple[int, int], cell: tuple[np.ndarray, np.ndarray], values: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-step values laid out as (run, step) matrices, zero-padded, and the mask of real cells."""
    real = np.zeros(shape, dtype=bool)
    real[cell] = True
    mats = {}
    for name, x in values.items():
        mats[name] = np.zeros(shape)
        mats[name][cell] = x
    return real, mats


def _avoided(
    col: _EconCols, present: np.ndarray, before: np.ndarray, after: np.ndarray
) -> dict[str, np.ndarray]:
    """GHG [t CO2e/year], mercury [kg/year], PCDD/F [g TEQ/year] avoided; NaN where absent.

    ``before``, ``after`` and ``present`` hold the columns of ``col``.
    """
    ghg = col.at["ghg"]
    assert ghg is not None  # a contract row: every portfolio has it
    out = {"ghg": change(before[:, ghg], after[:, ghg])}
    for ind, _, _ in RELEASE_ECONOMICS:
        c = col.at[ind]
        if c is not None:
            out[ind] = np.where(present[:, c], change(before[:, c], after[:, c]), np.nan)
        else:
            out[ind] = np.full(len(before), np.nan)
    return out


def _put(
    cols: dict[str, np.ndarray],
    pos: np.ndarray,
    ap: finance.Appraisal,
    av: dict[str, np.ndarray],
    credit: np.ndarray,
    take: np.ndarray | None = None,
) -> None:
    """Write an appraisal (its elements ``take``, default all) into the economics rows ``pos``."""

    def put(name: str, x: np.ndarray) -> None:
        cols[name][pos] = x if take is None else x[take]

    put("capex", ap.capex)
    put("annual_saving", ap.annual_saving)
    put("carbon_revenue", credit)
    put("simple_payback_years", ap.simple_payback)
    put("lifetime_years", ap.lifetime)
    put("npv", ap.npv)
    put("irr", ap.irr)
    put("ghg_avoided_t_co2e_per_year", av["ghg"])
    put("cost_per_t_co2e", ap.cost_per_unit["ghg"])
    for ind, c_av, c_cost in RELEASE_ECONOMICS:
        put(c_av, av[ind])
        put(c_cost, ap.cost_per_unit[ind])


# -- public entry points ---------------------------------------------------------------------


def assess_many(
    scenarios: Iterable[Scenario | str | Path],
    lib: FactorLibrary | None = None,
    details: bool = True,
) -> BatchResult:
    """Assess many plants at once (validated :class:`Scenario` objects or file paths).

    Files that fail to load or validate are reported in ``errors``; the others complete. Each
    plant is compiled once (:func:`recp.engine.compile_scenario`), then all are evaluated
    together.

    Returns
    -------
    BatchResult
        ``results``, ``savings``, ``economics`` as tidy DataFrames with a ``plant`` column (the
        file stem, or the plant name for Scenario objects), ``errors``, and the per-plant
        ``warnings``, ``balances`` and ``benchmarks``.
    """
    lib = lib or library()
    scs: list[Scenario] = []
    comps: list[Compiled] = []
    ids: list[str] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for item in scenarios:
        loaded = _load(item, errors)
        if loaded is None:
            continue
        sc, pid = loaded
        if pid in seen:  # unique plant ids, deterministic
            seen[pid] += 1
            pid = f"{pid}#{seen[pid]}"
        else:
            seen[pid] = 1
        try:
            comp = engine.compile_scenario(sc, lib)
        except InputError as e:
            for p in sc.locate(e.problems):
                errors.append(
                    {"plant": pid, "file": sc.source_file, "place": p.located, "message": p.message}
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
        comps.append(comp)
        ids.append(pid)
    if scs:
        pf = portfolio_from_scenarios(scs, ids, lib, comps)
        res = evaluate(pf, lib, details=details)
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


def _load(item: Scenario | str | Path, errors: list[dict[str, Any]]) -> tuple[Scenario, str] | None:
    """A validated scenario and its plant id, or None with its problems added to ``errors``."""
    if isinstance(item, Scenario):
        return item, item.plant.name
    pid = Path(item).stem
    try:
        return load(item), pid
    except InputError as e:
        for p in e.with_file(str(item)).problems:
            errors.append(
                {
                    "plant": pid,
                    "file": p.file,
                    "place": p.located,
                    "message": p.message if p.line is None else f"line {p.line}: {p.message}",
                }
            )
    except Exception as e:  # noqa: BLE001 - a fault in one plant never stops the batch
        errors.append(
            {
                "plant": pid,
                "file": str(item),
                "place": "",
                "message": f"internal error: {type(e).__name__}: {e}",
            }
        )
    return None


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
        return combine(run_item(it, lib=lib) for it in work_items(Path(source), chunk_plants))
    return assess_many(source, lib)


def evaluate_tables_chunk(
    chunk: Any, lib: FactorLibrary | None = None, details: bool = True
) -> BatchResult:
    """Validate and assess one chunk of tidy tables (see :mod:`recp.tables`)."""
    pf, errors = portfolio_from_tables(chunk, lib or library())
    res = evaluate(pf, lib, details=details)
    if len(errors):
        res.errors = pd.concat([errors, res.errors], ignore_index=True)
    if chunk.rows is not None:  # a chunk's rows are named as in the whole input table
        res.errors = input_rows(res.errors, chunk.rows, ("place", "message"))
        if res.warnings is not None:
            res.warnings = input_rows(res.warnings, chunk.rows, ("message",))
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


def combine(parts: Iterable[BatchResult]) -> BatchResult:
    """Concatenate the results of chunks, in order, into one :class:`BatchResult`."""
    ps = list(parts)
    if len(ps) == 1:
        return ps[0]

    def cat(name: str, cols: list[str]) -> pd.DataFrame:
        frames = [f for p in ps if (f := getattr(p, name)) is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)

    return BatchResult(
        cat("results", RESULT_COLUMNS),
        cat("savings", SAVING_COLUMNS),
        cat("economics", ECON_COLUMNS),
        cat("errors", ERROR_COLUMNS),
        cat("plants", ["plant", "name", "country", "sector"]),
        *(cat(name, cols) for name, cols in DIAGNOSTIC_COLUMNS.items()),
    )


# -- running a batch: chunks, processes, Dask -------------------------------------------------


#: Plants per chunk by default: one worker peaks at about 0.8 GB for such a chunk of the
#: synthetic portfolio (1.2 GB at 20,000), which keeps two workers and the parent under 2 GB.
CHUNK_PLANTS = 10_000

#: Scenario files a folder batch assesses: YAML, JSON and fill-in workbooks (Excel's own
#: ``~$`` lock files beside an open workbook are not plants and are left out).
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm")


def work_items(src: Path, chunk_plants: int) -> list[tuple[str, Any]]:
    """Split an input into independent chunks: ("files", [paths]) or ("tables", Tables)."""
    if is_parquet_tables(src):  # paths and row ranges: each worker reads its own slice
        return [("slice", sl) for sl in plan_slices(src, chunk_plants)]
    if is_table_input(src):
        return [("tables", c) for c in read_tables_chunks(src, chunk_plants)]
    if src.is_dir():
        files = sorted(
            p
            for p in src.iterdir()
            if p.suffix.lower() in SCENARIO_SUFFIXES and not p.name.startswith("~$")
        )
        if not files:
            raise InputError(
                [
                    Problem(
                        "",
                        "no scenario files (.yaml, .yml, .json, .xlsx) or plants table in the "
                        "folder",
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
    if kind == "slice":
        return evaluate_tables_chunk(read_slice(payload), lib, details=details)
    if kind == "tables":
        return evaluate_tables_chunk(payload, lib, details=details)
    return assess_many(payload, lib, details=details)


def run(
    src: str | Path,
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_plants: int = CHUNK_PLANTS,
    progress: Any = None,
    details: bool = True,
) -> BatchResult:
    """Run a batch over chunks, in this process, in ``jobs`` processes, or on Dask.

    Results are combined in input order, so every engine gives the same tables.
    """
    return combine(
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
    chunk_plants: int = CHUNK_PLANTS,
    progress: Any = None,
    details: bool = True,
) -> Iterator[BatchResult]:
    """Like :func:`run`, but yield each chunk's result in input order (bounded memory)."""
    yield from execute(
        partial(run_item, details=details),
        plan(Path(src), chunk_plants),
        warm=partial(warm_worker, str(src)),
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        progress=progress,
    )


#: Work items, or a function that plans them (see :func:`plan`).
Items = Sequence[Any] | Callable[[], Sequence[Any]]


def plan(src: Path, chunk_plants: int) -> Items:
    """The work items of an input; for a Parquet input of several chunks, a function planning them.

    Planning a folder of Parquet tables reads every table's ``plant`` column (0.3-0.4 s for
    200,000 plants and 4 million flows): :func:`execute` calls that function once its worker
    processes have started, so they load what every chunk uses (:func:`warm_worker`) on the
    other cores meanwhile. Any other input is planned now, as :func:`work_items`.
    """
    if is_parquet_tables(src) and parquet_rows(src, "plants") > chunk_plants:
        return partial(work_items, src, chunk_plants)
    return work_items(src, chunk_plants)


#: glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> None:
    """Let this process and the workers it starts reuse the memory they free (glibc, pyarrow).

    Every chunk allocates and frees the same few hundred MB of arrays. By default glibc maps
    each block over 32 MB afresh and unmaps it when freed, and pyarrow's allocator returns its
    pages to the system, so every chunk faults all its memory in again: on this project's
    2-core VM, 0.5-0.8 s of system time for a worker's first chunk and up to 0.3 s for later
    ones. Here glibc serves blocks up to 1 GiB from its heap and keeps up to 2 GiB of it free,
    and pyarrow allocates through glibc (its system pool): from a worker's second chunk on,
    the pages are reused. Peak memory is unchanged; a process keeps its peak until it ends.
    Call it once, before the batch allocates (``recp batch`` does); elsewhere it does nothing
    but choose pyarrow's system pool.
    """
    import ctypes  # lazy: only for a batch

    import pyarrow as pa  # lazy: CLI start-up

    pa.set_memory_pool(pa.system_memory_pool())
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: its own defaults
        return
    mallopt(_M_MMAP_THRESHOLD, 1 << 30)
    mallopt(_M_TRIM_THRESHOLD, (1 << 31) - 1)


def warm_worker(src: str | None = None) -> None:
    """Load what assessing any chunk uses: unit registry, factor tables, first row groups.

    The first row group of each table of a folder of Parquet tables ``src`` is what the first
    chunks read (:func:`recp.tables.prefetch`). A worker process runs this as it starts, while
    the parent is still planning.
    """
    registry()
    library()
    if src is not None:
        prefetch(Path(src))


def execute(
    func: Any,
    items: Items,
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Any = None,
    dashboard: str | None = None,
    warm: Callable[[], None] = warm_worker,
) -> Iterator[Any]:
    """Apply ``func`` to every work item, yielding the results in input order.

    ``engine="local"`` runs in this process (``jobs=1``) or in ``jobs`` worker processes;
    ``engine="dask"`` submits one task per item to the scheduler at ``scheduler`` (used as
    given), or to a local cluster of ``jobs`` single-threaded worker processes bound to the
    loopback interface, without a dashboard unless ``dashboard`` names an address, and closed
    (no process left behind) when the run ends. Items carry file paths and row ranges, so the
    task graph stays small whatever the size of the input. ``items`` may be a function that
    plans them (:func:`plan`): it is called once the workers have started, each of which
    runs ``warm`` first.
    """

    def tick() -> None:
        if progress is not None:
            progress()

    if engine == "dask":
        yield from _dask(func, items, jobs, scheduler, dashboard, tick)
    elif engine == "local" and jobs > 1 and (callable(items) or len(items) > 1):
        yield from _processes(func, items, jobs, tick, warm)
    elif engine == "local":
        for it in _planned(items):
            yield func(it)
            tick()
    else:
        raise InputError(f"--engine: unknown engine {engine!r}; valid: local, dask")


def _processes(
    func: Any, items: Items, jobs: int, tick: Any, warm: Callable[[], None]
) -> Iterator[Any]:
    """:func:`execute` in worker processes: started first, then the items planned."""
    with ProcessPoolExecutor(max_workers=_workers(jobs, items), initializer=warm) as pool:
        pool.submit(int)  # start the workers now: they warm up while the items are planned
        for res in pool.map(func, _planned(items)):
            yield res
            tick()


def _planned(items: Items) -> Sequence[Any]:
    """The work items, planned now if they are a function that plans them."""
    return items() if callable(items) else items


def _workers(jobs: int, items: Items) -> int:
    """Workers to start: ``jobs``, or fewer when fewer items are already planned."""
    return jobs if callable(items) else min(jobs, len(items))


def _dask(
    func: Any,
    items: Items,
    jobs: int,
    scheduler: str | None,
    dashboard: str | None,
    tick: Any,
) -> Iterator[Any]:
    """:func:`execute` on Dask (see there)."""
    # lazy: dask is an optional dependency (the dask extra), needed only for --engine dask
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=max(_workers(jobs, items), 1),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=dashboard,
                    worker_dashboard_address=None,
                    # a task's memory is bounded by its chunk: no pausing or spilling to disk
                    memory_limit=0,
                )
            )
            client = stack.enter_context(Client(cluster))
        futures = client.map(func, _planned(items), pure=False)
        for fut in futures:
            yield fut.result()
            fut.release()
            tick()


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


__all__ = [
    "BatchResult",
    "Portfolio",
    "assess_many",
    "batch",
    "combine",
    "evaluate",
    "rollup",
    "run",
]
