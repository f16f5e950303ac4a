"""Batch benchmark (run on demand: `make bench-batch`, or with --plants N).

Generates a synthetic national portfolio (benchmarks/portfolio.py: ~20 flows and 5
interventions per plant, 5 scenarios each, so 1 plant = 5 plant-scenarios) and prints, measured
in one run on this machine:

(a) recp's batch engine: the `recp batch` command end to end (read Parquet tables, validate,
    assess, write Parquet), wall time and peak memory, and its in-process phases;
(b) a loop calling the single-plant public API (`recp.assess`) per plant, timed on a sample
    and scaled;
(c) a hand-written numpy kernel doing the same arithmetic on pre-parsed arrays (states,
    results, savings and the finance of every step): the practical limit.

Nothing here is asserted; docs/performance.md quotes the printed figures.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import portfolio  # noqa: E402


def kernel(pf, co, R):  # noqa: ANN001 - benchmark helper
    """Same arithmetic as the engine, hand-written for this portfolio's fixed layout."""
    from recp.models import finance

    P = len(pf.plant_ids)
    F = len(pf.ft) // P
    W = np.zeros((P * F, R))
    np.add.at(W, (co.flow, co.row), co.value)
    W = W.reshape(P, F, R)
    A = pf.ft.amount.reshape(P, F)
    base = np.einsum("pf,pfr->pr", A, W)
    # one change per intervention on a fixed slot; REL or ABS
    iv_of = pf.ch_iv.reshape(P, -1)
    slot = (pf.ch_flow - np.repeat(np.arange(P) * F, iv_of.shape[1])).reshape(P, -1)
    kind = pf.ch_kind.reshape(P, -1)
    val = pf.ch_value.reshape(P, -1)
    capex = pf.capex.reshape(P, -1)
    life = pf.lifetime.reshape(P, -1)
    rate = pf.discount_rate
    out = []
    cost = R - 1
    for steps in portfolio.SCENARIOS.values():
        a = A.copy()
        prev = base
        for k in steps:
            rows = np.arange(P)
            s = slot[:, k]
            a[rows, s] = np.where(
                kind[:, k] == 0, a[rows, s] * (1 + val[:, k]), a[rows, s] + val[:, k]
            )
            res = np.einsum("pf,pfr->pr", a, W)
            saving = prev[:, cost] - res[:, cost]
            out.append(
                (
                    finance.npv(capex[:, k], saving, rate, life[:, k]),
                    finance.irr(capex[:, k], saving, life[:, k]),
                )
            )
            prev = res
    for k in range(capex.shape[1]):  # standalone
        a = A.copy()
        rows = np.arange(P)
        s = slot[:, k]
        a[rows, s] = np.where(kind[:, k] == 0, a[rows, s] * (1 + val[:, k]), a[rows, s] + val[:, k])
        res = np.einsum("pf,pfr->pr", a, W)
        saving = base[:, cost] - res[:, cost]
        out.append(
            (
                finance.npv(capex[:, k], saving, rate, life[:, k]),
                finance.irr(capex[:, k], saving, life[:, k]),
            )
        )
    return base, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plants", type=int, default=200_000, help="plants (x5 plant-scenarios)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=200, help="plants timed in the per-plant loop")
    args = ap.parse_args()
    n = args.plants

    import pandas as pd

    import recp
    from recp.batch import evaluate
    from recp.engine import coefficients
    from recp.factors import library
    from recp.tables import Tables, portfolio_from_tables

    print(
        f"synthetic portfolio: {n:,} plants x 5 scenarios = {5 * n:,} plant-scenarios, "
        f"~20 flows and 5 interventions per plant"
    )
    t = time.perf_counter()
    tables = portfolio.make(n)
    t_gen = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "in"
        d.mkdir()
        for name, df in tables.items():
            df.to_parquet(d / f"{name}.parquet", index=False)
        print(f"  generated and written as Parquet in {t_gen:.1f} s")

        # (a) the CLI end to end, in a child process: wall time and peak memory
        exe = str(Path(sys.executable).parent / "recp")
        out = Path(tmp) / "out" / "results.parquet"
        out.parent.mkdir()
        t = time.perf_counter()
        r = subprocess.run(
            [exe, "batch", str(d), "--out", str(out), "--jobs", str(args.jobs)],
            capture_output=True,
            text=True,
        )
        t_cli = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
        if r.returncode != 0:
            print(r.stderr[-2000:])
            raise SystemExit("recp batch failed")
        rows = pd.read_parquet(out, columns=["value"]).shape[0]
        print(
            f"(a) recp batch (CLI, --jobs {args.jobs}): {t_cli:.1f} s wall for {5 * n:,} "
            f"plant-scenarios ({5 * n / t_cli:,.0f} per s), {rows:,} result rows, "
            f"peak memory of the largest process {peak:.2f} GB"
        )

    # in-process phases on one chunk, and the same chunk through (b) and (c)
    m = min(n, 20_000)
    sub = portfolio.make(m, seed=1)
    tb = Tables(
        sub["plants"], sub["flows"], sub["interventions"], {k: k for k in sub}, sub["scenarios"]
    )
    lib = library()
    t = time.perf_counter()
    pf, err = portfolio_from_tables(tb, lib)
    t_parse = time.perf_counter() - t
    t = time.perf_counter()
    evaluate(pf, lib, details=False)
    t_eval = time.perf_counter() - t
    print(
        f"    phases on a {m:,}-plant chunk: read+validate {t_parse:.2f} s, assess "
        f"{t_eval:.2f} s ({5 * m / t_eval:,.0f} plant-scenarios per s in the engine)"
    )

    co = coefficients(pf.ft, pf.pt, lib)
    used = co.rowset.always.copy()
    used[co.row] = True
    keep = np.flatnonzero(used)
    remap = np.full(len(used), -1)
    remap[keep] = np.arange(len(keep))
    co.row = remap[co.row]
    cost_row = [i for i, k in enumerate(keep) if co.rowset.rows[k].indicator == "cost"][0]
    assert cost_row == len(keep) - 1
    t = time.perf_counter()
    kernel(pf, co, len(keep))
    t_kernel = time.perf_counter() - t + 0.0
    # the kernel starts from parsed arrays and coefficients: compare with the engine's assess
    print(
        f"(c) hand numpy kernel, same arithmetic from parsed arrays: {t_kernel:.2f} s; "
        f"engine assess / kernel = {t_eval / t_kernel:.1f}x"
    )

    # (b) per-plant public API on a sample
    from recp.tables import tables_from_scenarios  # noqa: F401 - documents the inverse path

    scs = []
    for pid in pf.plant_ids[: args.sample]:
        fl = sub["flows"][sub["flows"].plant == pid]
        iv = sub["interventions"][sub["interventions"].plant == pid]
        sc_rows = sub["scenarios"][sub["scenarios"].plant == pid]
        doc = {
            "plant": {
                "name": pid,
                "country": sub["plants"].set_index("plant").loc[pid, "country"],
                "production": sub["plants"].set_index("plant").loc[pid, "production"],
            },
            "discount_rate": "8 %",
            "flows": [],
            "interventions": [],
            "scenarios": {},
        }
        for f in fl.itertuples():
            d_ = {"id": f.id, "type": f.type, "amount": f"{f.amount!r} {f.unit}"}
            if f.carrier:
                d_["carrier"] = f.carrier
            if f.source:
                d_["source"] = f.source
            if f.hazardous:
                d_["hazardous"] = f.hazardous == "true"
            if isinstance(f.price, float) and f.price == f.price:
                d_["price"] = f"{f.price!r} {f.price_unit}"
            doc["flows"].append(d_)
        for i in iv.itertuples():
            doc["interventions"].append(
                {
                    "id": i.id,
                    "category": i.category,
                    "changes": [{"flow": i.flow, "by": i.by}],
                    "capex": f"{i.capex!r} USD",
                    "lifetime": i.lifetime,
                }
            )
        for s in sc_rows.itertuples():
            doc["scenarios"].setdefault(s.scenario, []).append(s.intervention)
        scs.append(doc)
    from recp.scenario import Scenario

    t = time.perf_counter()
    for doc in scs:
        recp.assess(Scenario.from_dict(doc)).to_dict()
    t_loop = (time.perf_counter() - t) / len(scs) * m
    print(
        f"(b) per-plant loop over recp.assess: {t_loop:.1f} s for {m:,} plants (timed on "
        f"{len(scs)}, scaled); batch engine is {t_loop / (t_parse + t_eval):,.0f}x faster "
        f"(read+validate+assess)"
    )


if __name__ == "__main__":
    main()
