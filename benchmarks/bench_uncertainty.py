"""Monte Carlo benchmark (run on demand: `python benchmarks/bench_uncertainty.py [--samples N]`).

A synthetic plant of 50 flows (fuels, electricity, water, wastewater, waste, materials) with
10 interventions in one scenario; 80 uncertain inputs: every flow amount (normal), 10 prices
(triangular), the 10 change sizes (uniform) and the 10 capex (lognormal). Printed, measured
side by side in one run on this machine:

(a) recp: ``monte_carlo`` (linearise, sample, every result, saving and economics figure, the
    tornado and the rank correlations) and ``annotate`` (mean, p5, p50, p95 of every row);
(b) a hand-written numpy kernel doing the same sampling and arithmetic on the same compiled
    matrix: amounts, per-sample prices, the ten changes in sequence and alone, results,
    savings, NPV, payback, IRR, and the same percentiles; no tornado, no JSON rows.

The machine's load average is printed with the figures: other jobs slow both sides alike,
so the ratio is the figure to read. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

FLOWS = 50
INTERVENTIONS = 10


def plant() -> dict[str, Any]:
    """The synthetic plant as a scenario document, with its distributions."""
    flows: list[dict[str, Any]] = []
    kinds = [
        ("fuel", {"carrier": "diesel"}, "t", 400.0, "USD/t", 900.0),
        ("electricity", {}, "MWh", 2000.0, "USD/MWh", 95.0),
        ("water", {"source": "groundwater"}, "m3", 50000.0, "USD/m3", 0.5),
        ("wastewater", {}, "m3", 45000.0, "USD/m3", 0.8),
        ("waste", {"hazardous": False, "route": "landfill"}, "t", 300.0, "USD/t", 40.0),
        ("material", {}, "t", 1000.0, "USD/t", 300.0),
    ]
    for i in range(FLOWS):
        typ, extra, unit, amount, punit, price = kinds[i % len(kinds)]
        fl: dict[str, Any] = {"id": f"f{i}", "type": typ, **extra}
        fl["amount"] = {"mean": f"{amount} {unit}", "sd": f"{amount * 0.05} {unit}"}
        if i < 10:
            fl["price"] = {"low": price * 0.8, "mode": price, "high": price * 1.3, "unit": punit}
        else:
            fl["price"] = f"{price} {punit}"
        flows.append(fl)
    ivs = []
    for k in range(INTERVENTIONS):
        ivs.append(
            {
                "id": f"m{k}",
                "category": "good housekeeping",
                "changes": [
                    {"flow": f"f{k}", "by": {"low": "-12 %", "high": "-4 %"}},
                    {"flow": f"f{k + 10}", "by": "-5 %"},
                ],
                "capex": {"p5": f"{20000 + 1000 * k} USD", "p95": f"{40000 + 1000 * k} USD"},
                "opex": "500 USD/year",
                "lifetime": "10 year",
            }
        )
    return {
        "plant": {"name": "bench", "country": "DE", "production": "10000 t"},
        "currency": "USD",
        "discount_rate": "8 %",
        "flows": flows,
        "interventions": ivs,
        "scenarios": {"all": [f"m{k}" for k in range(INTERVENTIONS)]},
    }


def kernel(a: Any, mc: Any, n: int, seed: int) -> dict[str, np.ndarray]:
    """The same sampling and arithmetic, hand-written for this plant's fixed layout."""
    from recp.models import distributions, finance
    from recp.uncertainty import linearise

    lin = linearise(a, mc.inputs)  # the same slopes (setup, as the engine's)
    c = a.compiled
    rng = np.random.default_rng(seed)
    x = np.stack([distributions.sample(u.dist, n, rng) for u in mc.inputs], axis=1)
    d = (x - lin.x0) / lin.step
    amount = c.amount + d @ lin.amount
    moving = np.flatnonzero(np.any(lin.W != 0, axis=(0, 2)))
    w0 = c.W[moving]
    rel = np.divide(lin.W[:, moving], w0, out=np.zeros_like(lin.W[:, moving]), where=w0 != 0)
    dw = w0 * (np.einsum("nk,kar->nar", d, rel))  # one input per price entry here

    def res(amt: np.ndarray) -> np.ndarray:
        return amt @ c.W + np.einsum("n...a,nar->n...r", amt[..., moving], dw)

    ids = list(c.interventions)
    states = [amount]
    alone = []
    for i in ids:
        ch = c.interventions[i]
        v = ch.value + d @ lin.change[i]
        s, b = states[-1].copy(), amount.copy()
        for j, f in enumerate(ch.flow.tolist()):
            s[:, f] *= 1.0 + v[:, j]
            b[:, f] *= 1.0 + v[:, j]
        states.append(s)
        alone.append(b)
    seq = res(np.stack(states, axis=1))
    base = seq[:, 0]
    st = base[:, None] - res(np.stack(alone, axis=1))
    steps = seq[:, :-1] - seq[:, 1:]
    cost = c.row_index("cost")
    capex = np.array([c.capex[i] for i in ids]) + d @ lin.capex
    opex = np.array([c.opex[i] for i in ids])
    life = np.array([c.lifetime[i] for i in ids])
    out = {"results": seq[:, -1], "savings": np.concatenate([steps, st], axis=2)}
    for name, sav in (("seq", steps[..., cost]), ("alone", st[..., cost])):
        saving = sav - opex
        out[f"npv_{name}"] = finance.npv(capex, saving, 0.08, life)
        out[f"payback_{name}"] = finance.simple_payback(capex, saving)
        out[f"irr_{name}"] = finance.irr(capex, saving, life)
    out["npv_all"] = out["npv_seq"].sum(axis=1)
    out["irr_all"] = finance.irr_portfolio(
        capex, steps[..., cost] - opex, np.broadcast_to(life, capex.shape)
    )
    for k, v in list(out.items()):
        flat = v.reshape(n, -1)
        out[k] = np.percentile(flat, [5, 50, 95], axis=0)
    return out


def main() -> None:
    import recp
    from recp.scenario import Scenario
    from recp.uncertainty import monte_carlo

    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.samples
    a = recp.assess(Scenario.from_dict(plant()))
    print(f"plant: {len(a.compiled.flow_ids)} flows, {len(a.compiled.interventions)} "
          f"interventions, {len(a.compiled.rows)} result rows; {n} samples")  # fmt: skip
    doc = a.to_dict()
    mc = monte_carlo(a, 10, seed=1)  # warm-up
    print(f"uncertain inputs: {len(mc.inputs)}")
    best = {k: [np.inf, np.inf] for k in ("recp", "annotate", "kernel")}  # wall, CPU

    def timed(key: str, fn: Any) -> None:
        t, p = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - t, time.process_time() - p
        best[key] = [min(best[key][0], wall), min(best[key][1], cpu)]

    runs = [mc]

    def run() -> None:
        runs[0] = monte_carlo(a, n, seed=1)

    def annotate() -> None:
        runs[0].annotate({**doc, "results": [dict(r) for r in doc["results"]],
                     "savings": [dict(r) for r in doc["savings"]],
                     "economics": [dict(r) for r in doc["economics"]]})  # fmt: skip

    for _ in range(args.repeat):
        timed("recp", run)
        timed("annotate", annotate)
        timed("kernel", lambda: kernel(a, mc, n, 1))
    load = os.getloadavg()
    print(
        f"load average (1, 5, 15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
        f"on {os.cpu_count()} cores; best of {args.repeat}, wall time and this process's CPU time"
    )
    rows = [
        ("recp monte_carlo (sampling, results, savings, economics, tornado)", best["recp"]),
        ("recp annotate (mean, p5, p50, p95 of every JSON row)", best["annotate"]),
        ("recp total", [best["recp"][i] + best["annotate"][i] for i in (0, 1)]),
        ("hand-written numpy kernel (same sampling and arithmetic)", best["kernel"]),
    ]
    for label, (wall, cpu) in rows:
        print(f"{label:<68} wall {wall:6.3f} s  CPU {cpu:6.3f} s")
    tot = rows[2][1]
    print(
        f"ratio recp / kernel: wall {tot[0] / best['kernel'][0]:.2f}x, "
        f"CPU {tot[1] / best['kernel'][1]:.2f}x"
    )


if __name__ == "__main__":
    main()
