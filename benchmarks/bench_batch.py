"""Batch benchmark (run on demand: `make bench-batch`, or with --plants N).

Generates a synthetic national portfolio (benchmarks/portfolio.py: ~20 flows and 5
interventions per plant, 5 scenarios each, so 1 plant = 5 plant-scenarios) and prints, in one
run, every target of issue 18 with its figure and ratio:

1. `recp batch` end to end (read Parquet tables, validate, assess, write the Parquet dataset),
   `--jobs 2`, cold (first run) and warm (the same run again): wall time, with no sampling;
   then a third run for memory: the peak of the whole process tree, sampled from /proc every
   50 ms: the sum over the CLI and every descendant of the proportional set size (PSS: pages
   shared by forked workers counted once), beside the sum of resident sizes (shared pages
   counted in every process) and the largest single process (sampled the same way);
2. the same run against a floor: pyarrow alone reading the input tables and writing an output
   of the same size (the results and economics tables the run wrote, read back untimed);
3. the engine (`recp.batch.evaluate` on one parsed chunk) against a hand-written numpy kernel
   doing the same work on the same parsed arrays: the result rows (every present row of the
   baseline and of each scenario's end state, plus intensities) and the economics of every
   in-sequence step, every standalone intervention and every scenario total (capex, saving,
   payback, NPV, IRR, GHG avoided, cost per t CO2e), as tidy tables with the same columns;
4. scaling: end to end at a quarter, half and all of the plants (cost per plant-scenario), and
   at 1 and 2 workers (docs/scaling.md extrapolates from it).

Nothing here is asserted; docs/performance.md quotes the printed figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import portfolio  # noqa: E402


def _pss(pid: int) -> int:
    """Proportional set size of a process (shared pages split between their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident and proportional bytes of a process and all its descendants (from /proc).

    Worker processes forked from the CLI share its pages until they write them: the sum of
    resident sizes counts those twice, the sum of proportional sizes (PSS) once.
    """
    kids: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            ppid, pages = int(parts[1]), int(parts[21])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
        rss[int(d)] = pages * os.sysconf("SC_PAGE_SIZE")
    global LARGEST
    total, pss, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        LARGEST = max(LARGEST, rss.get(p, 0) / 1e9)
        pss += _pss(p)
        todo += kids.get(p, [])
    return total, pss


LARGEST = 0.0  # the largest single process seen by tree_rss (resident GB)


def run_cli(args: list[str], sample_memory: bool = False) -> tuple[float, float, str]:
    """Run a command; wall seconds and the peak memory (PSS) of its process tree (GB).

    Memory is sampled only when asked (0.0 otherwise): reading a large process's
    ``smaps_rollup`` walks its page tables under the process's memory-map lock, which stalls
    the workers' page faults; sampled every 50 ms it slowed a 13 s run to 17 s. So times come
    from unsampled runs and memory from a run of its own. Each run starts with the files of
    earlier runs (the generated input, the previous output) written to disk (``os.sync``): the
    kernel writing 0.3 GB back during the next run took CPU from it on this 2-core machine.
    """
    peak = [0, 0]
    os.sync()  # an earlier run's writes go to disk now, not during this run
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while sample_memory and not done.is_set():
            r, p = tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], r), max(peak[1], p)
            time.sleep(0.05)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    th.join()
    if proc.returncode not in (0,):
        print(err[-3000:])
        raise SystemExit(f"{args[1]} failed")
    global LAST_RSS
    LAST_RSS = peak[0] / 1e9
    return wall, peak[1] / 1e9, err


LAST_RSS = 0.0  # the peak sum of resident sizes of the last run_cli (counts shared pages twice)


def batch_args(src: Path, out: Path, jobs: int, engine: str = "local") -> list[str]:
    exe = str(Path(sys.executable).parent / "recp")
    return [exe, "batch", str(src), "-o", str(out), "--jobs", str(jobs), "--engine", engine]


def floor(src: Path, out: Path) -> float:
    """pyarrow alone: read the input tables, write output tables of the run's size."""
    import pyarrow.parquet as pq

    tables = {n: pq.read_table(out.with_name(f"{out.stem}{n}.parquet")) for n in ("", ".economics")}
    with tempfile.TemporaryDirectory() as tmp:
        os.sync()  # as before every timed run_cli
        t = time.perf_counter()
        for p in sorted(src.glob("*.parquet")):
            pq.read_table(p)
        for n, tab in tables.items():
            pq.write_table(tab, Path(tmp) / f"r{n}.parquet")
        return time.perf_counter() - t


def kernel(pf, lib):  # noqa: ANN001, ANN201 - benchmark helper
    """The engine's work for this portfolio's fixed layout, hand-written (see the docstring)."""
    import pandas as pd

    from recp.engine import SAVINGS_ONLY, coefficients
    from recp.models import finance

    co = coefficients(pf.ft, pf.pt, lib)
    used = co.rowset.always.copy()
    used[co.row] = True
    keep = np.flatnonzero(used)
    rows = [co.rowset.rows[k] for k in keep]
    remap = np.full(len(used), -1)
    remap[keep] = np.arange(len(keep))
    R = len(keep)
    at = {(r.indicator, r.component): i for i, r in enumerate(rows)}
    P = len(pf.plant_ids)
    F = len(pf.ft) // P
    W = np.zeros((P * F, R))
    np.add.at(W, (co.flow, remap[co.row]), co.value)
    W = W.reshape(P, F, R)
    present = np.zeros((P, R), dtype=bool)
    present[pf.ft.plant[co.flow], remap[co.row]] = True
    present |= co.rowset.always[keep][None, :]
    shown = ~np.isin([r.indicator for r in rows], list(SAVINGS_ONLY))  # rows results list
    A = pf.ft.amount.reshape(P, F)
    base = np.einsum("pf,pfr->pr", A, W)
    n_iv = len(pf.iv_ids) // P
    slot = (pf.ch_flow - np.repeat(np.arange(P) * F, n_iv)).reshape(P, n_iv)
    kind, val = pf.ch_kind.reshape(P, n_iv), pf.ch_value.reshape(P, n_iv)
    capex, life = pf.capex.reshape(P, n_iv), pf.lifetime.reshape(P, n_iv)
    rate = pf.discount_rate
    cost, ghg = at[("cost", "total")], at[("ghg", "total")]
    pr = np.arange(P)

    def step(a: np.ndarray, k: int) -> np.ndarray:
        a = a.copy()
        s = slot[:, k]
        a[pr, s] = np.where(kind[:, k] == 0, a[pr, s] * (1 + val[:, k]), a[pr, s] + val[:, k])
        return a

    def econ(before: np.ndarray, after: np.ndarray, k: int) -> finance.Appraisal:
        av = {"ghg": before[:, ghg] - after[:, ghg]}
        for ind in ("mercury", "pcdd_f"):
            av[ind] = np.full(P, np.nan)
        saving = np.where(present[:, cost], before[:, cost] - after[:, cost], 0.0)
        return finance.appraise(capex[:, k], 0.0, saving, rate, life[:, k], av)

    names = list(portfolio.SCENARIOS)
    ends, eco = [base], []
    for si, steps in enumerate(portfolio.SCENARIOS.values()):
        a, prev = A, base
        savings, ghgs = [], []
        for k in steps:
            a = step(a, k)
            res = np.einsum("pf,pfr->pr", a, W)
            ap = econ(prev, res, k)
            eco.append((si, k, 0, ap, prev[:, ghg] - res[:, ghg]))
            savings.append(ap.annual_saving)
            ghgs.append(prev[:, ghg] - res[:, ghg])
            prev = res
        ends.append(prev)
        ks = list(steps)
        tot = {"ghg": np.sum(ghgs, axis=0), "mercury": np.full(P, np.nan)}
        tot["pcdd_f"] = tot["mercury"]
        ap = finance.appraise_scenarios(
            capex[:, ks], np.stack(savings, 1), rate, life[:, ks], tot, np.ones((P, len(ks)), bool)
        )
        eco.append((si, -1, 0, ap, tot["ghg"]))
    for si, steps in enumerate(portfolio.SCENARIOS.values()):  # standalone, per scenario
        for k in steps:
            res = np.einsum("pf,pfr->pr", step(A, k), W)
            eco.append((si, k, 1, econ(base, res, k), base[:, ghg] - res[:, ghg]))
    # results: every present row of each state, then intensities (5 totals / production)
    V = np.stack(ends, 1)  # (P, S+1, R)
    tot_rows = [at[(i, "total")] for i in ("energy", "ghg", "water", "wastewater", "waste")]
    inten = V[:, :, tot_rows] / pf.production[:, None, None]
    vals = np.concatenate([V, inten], axis=2)
    mask = np.concatenate(
        [np.repeat((present & shown)[:, None, :], V.shape[1], 1), np.ones(inten.shape, bool)],
        axis=2,
    )
    p_i, s_i, r_i = np.nonzero(mask)
    results = pd.DataFrame(
        {
            "plant": pd.Categorical.from_codes(p_i, pf.plant_ids),
            "scenario": pd.Categorical.from_codes(s_i, ["baseline", *names]),
            "row": pd.Categorical.from_codes(r_i, [f"r{i}" for i in range(vals.shape[2])]),
            "value": vals[p_i, s_i, r_i],
        }
    )
    cols: dict[str, list[np.ndarray]] = {}
    for si, k, b, ap, av in eco:
        for name, x in (
            ("plant", pr),
            ("scenario", np.full(P, si)),
            ("intervention", np.full(P, k)),
            ("basis", np.full(P, b)),
            ("capex", ap.capex),
            ("annual_saving", ap.annual_saving),
            ("simple_payback_years", ap.simple_payback),
            ("npv", ap.npv),
            ("irr", ap.irr),
            ("ghg_avoided", av),
            ("cost_per_t_co2e", ap.cost_per_unit["ghg"]),
        ):
            cols.setdefault(name, []).append(np.broadcast_to(x, P))
    economics = pd.DataFrame({n: np.concatenate(v) for n, v in cols.items()})
    return results, economics


def engine_vs_kernel(m: int) -> tuple[float, float, float, int, int]:
    """Seconds for the engine and the kernel on one parsed chunk of ``m`` plants."""
    from recp.batch import evaluate
    from recp.factors import library
    from recp.tables import Tables, portfolio_from_tables

    sub = portfolio.make(m, seed=1)
    tb = Tables(
        sub["plants"], sub["flows"], sub["interventions"], {k: k for k in sub}, sub["scenarios"]
    )
    lib = library()
    t = time.perf_counter()
    pf, _ = portfolio_from_tables(tb, lib)
    t_parse = time.perf_counter() - t
    evaluate(pf, lib, details=False)  # warm-up (page faults, caches), then the best of 3
    t_eng = min(_timed(lambda: evaluate(pf, lib, details=False)) for _ in range(3))
    kernel(pf, lib)
    t_ker = min(_timed(lambda: kernel(pf, lib)) for _ in range(3))
    res = evaluate(pf, lib, details=False)
    kres, keco = kernel(pf, lib)
    if len(kres) != len(res.results) or len(keco) != len(res.economics):
        print(
            f"  note: kernel rows {len(kres)}/{len(keco)} vs engine {len(res.results)}/"
            f"{len(res.economics)}"
        )
    return t_parse, t_eng, t_ker, len(res.results), len(res.economics)


def _timed(f) -> float:  # noqa: ANN001
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def write_input(n: int, d: Path) -> None:
    d.mkdir(parents=True)
    for name, df in portfolio.make(n).items():
        df.to_parquet(d / f"{name}.parquet", index=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plants", type=int, default=200_000, help="plants (x5 plant-scenarios)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--chunk-plants", type=int, default=10_000, help="plants of the kernel chunk")
    ap.add_argument("--no-scaling", action="store_true", help="skip the scaling runs")
    args = ap.parse_args()
    n = args.plants
    with open("/proc/loadavg") as f:
        print(f"load average at start: {f.read().split()[:3]} on {os.cpu_count()} cores")
    print(f"synthetic portfolio: {n:,} plants x 5 scenarios = {5 * n:,} plant-scenarios")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        t = time.perf_counter()
        write_input(n, src)
        mb = sum(p.stat().st_size for p in src.iterdir()) / 1e6
        print(f"  generated, {mb:.0f} MB of Parquet, in {time.perf_counter() - t:.1f} s")
        out = Path(tmp) / "out" / "results.parquet"
        out.parent.mkdir()
        figures = {}
        for label in ("cold", "warm"):
            figures[label] = run_cli([*batch_args(src, out, args.jobs), "--force"])[0]
        t_mem, tree, _ = run_cli([*batch_args(src, out, args.jobs), "--force"], True)
        rss_sum = LAST_RSS
        largest = LARGEST  # sampled (getrusage would count the fork of this large process)
        manifest = json.loads((out.parent / "results.manifest.json").read_text())
        rows = manifest["tables"]["results"]["rows"]
        out_mb = sum(p.stat().st_size for p in out.parent.rglob("*.parquet") if p.is_file()) / 1e6
        for label, wall in figures.items():
            print(
                f"1. recp batch end to end, --jobs {args.jobs}, {label}: {wall:.1f} s "
                f"({5 * n / wall:,.0f} plant-scenarios per s; target 10 s: {wall / 10:.2f}x "
                f"of it)"
            )
        print(
            f"   memory (a third run, sampled every 50 ms, {t_mem:.1f} s): process tree peak "
            f"{tree:.2f} GB PSS (target 2 GB: {tree / 2:.2f}x; sum of RSS {rss_sum:.2f} GB)"
        )
        print(f"   largest single process {largest:.2f} GB; {rows:,} result rows, {out_mb:.0f} MB")
        t_floor = floor(src, out)
        best = min(figures.values())
        print(
            f"2. pyarrow floor (read the {mb:.0f} MB input, write {rows:,} result and the "
            f"economics rows): {t_floor:.2f} s; end to end / floor = {best / t_floor:.1f}x "
            f"(target 3x)"
        )
        m = min(n, args.chunk_plants)
        t_parse, t_eng, t_ker, n_res, n_eco = engine_vs_kernel(m)
        print(
            f"3. one {m:,}-plant chunk: read+validate {t_parse:.2f} s; engine {t_eng:.2f} s, "
            f"same-work numpy kernel {t_ker:.2f} s ({n_res:,} result rows, {n_eco:,} economics "
            f"rows): engine / kernel = {t_eng / t_ker:.1f}x (target 2x)"
        )
        if args.no_scaling:
            return
        per = {}
        for frac in (4, 2):
            k = n // frac
            d = Path(tmp) / f"in{k}"
            write_input(k, d)
            o = Path(tmp) / f"o{k}" / "r.parquet"
            o.parent.mkdir()
            per[k] = run_cli(batch_args(d, o, args.jobs))[0]
        per[n] = figures["warm"]
        line = ", ".join(
            f"{k:,} plants {w:.1f} s ({w / (5 * k) * 1e6:.1f} us each)" for k, w in per.items()
        )
        print(f"4. scaling with plants, --jobs {args.jobs}: {line}")
        k = n // 2
        d = Path(tmp) / f"in{k}"
        o = Path(tmp) / f"o{k}" / "r.parquet"
        w1 = run_cli([*batch_args(d, o, 1), "--force"])[0]
        w2 = per[k]
        wd = run_cli([*batch_args(d, o, 2, "dask"), "--force"])[0]
        print(
            f"   workers, {k:,} plants: 1 worker {w1:.1f} s, 2 workers {w2:.1f} s "
            f"(speed-up {w1 / w2:.2f}x), Dask local cluster with 2 workers {wd:.1f} s"
        )
    with open("/proc/loadavg") as f:
        print(f"load average at end: {f.read().split()[:3]}")


if __name__ == "__main__":
    main()
