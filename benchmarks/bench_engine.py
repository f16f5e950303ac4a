"""First benchmark of the recp engine (run on demand: `make bench`).

Prints, measured side by side in one run:
1. the engine's indicator evaluation (states @ W) vs a per-flow Python loop doing the same
   arithmetic, over many states of a 20-flow plant;
2. end-to-end `recp.assess` of each worked plant (parse, validate, compile, assess);
3. CLI wall time of `recp --help` and `recp assess` on an example plant.
No timing is asserted anywhere; the numbers go into docs/performance.md by hand.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def synthetic_plant(n_fuel=8, n_elec=3, n_water=4, n_waste=5, n_iv=5):
    import recp
    from recp.scenario import Scenario

    carriers = [
        "natural_gas",
        "diesel",
        "lpg",
        "bituminous_coal",
        "wood",
        "lignite",
        "residual_fuel_oil",
        "biogas",
    ]
    rng = np.random.default_rng(1)
    flows = []
    for i in range(n_fuel):
        flows.append(
            {
                "id": f"fuel{i}",
                "type": "fuel",
                "carrier": carriers[i % len(carriers)],
                "amount": f"{rng.uniform(10, 1000):.3f} t",
                "price": "300 USD/t",
            }
        )
    for i in range(n_elec):
        flows.append(
            {
                "id": f"el{i}",
                "type": "electricity",
                "amount": f"{rng.uniform(1, 9):.3f} GWh",
                "price": "0.1 USD/kWh",
            }
        )
    for i in range(n_water):
        flows.append(
            {
                "id": f"w{i}",
                "type": "water",
                "source": "groundwater",
                "amount": f"{rng.uniform(1e3, 1e5):.1f} m3",
                "price": "0.5 USD/m3",
            }
        )
    for i in range(n_waste):
        flows.append(
            {
                "id": f"s{i}",
                "type": "waste",
                "hazardous": bool(i % 2),
                "amount": f"{rng.uniform(1, 500):.2f} t",
                "price": "50 USD/t",
            }
        )
    ivs = []
    for k in range(n_iv):
        targets = rng.choice(len(flows), size=3, replace=False)
        ivs.append(
            {
                "id": f"iv{k}",
                "category": "good housekeeping",
                "capex": "10000 USD",
                "lifetime": "10 year",
                "changes": [
                    {"flow": flows[t]["id"], "by": f"{-rng.uniform(1, 20):.2f} %"} for t in targets
                ],
            }
        )
    doc = {
        "plant": {"name": "Synthetic", "country": "BD"},
        "discount_rate": "8 %",
        "flows": flows,
        "interventions": ivs,
    }
    return recp.assess(Scenario.from_dict(doc))


def main() -> None:
    import recp

    a = synthetic_plant()
    c = a.compiled
    F, R = c.W.shape
    n_states = 100_000
    rng = np.random.default_rng(2)
    states = c.amount * rng.uniform(0.5, 1.0, size=(n_states, F))

    def engine():
        return a.indicators(states)

    W = c.W.copy()

    def kernel():  # the practical limit: one BLAS call on plain arrays
        return states @ W

    rows = [(i, j, W[i, j]) for i in range(F) for j in range(R) if W[i, j] != 0.0]
    sub = states[:2_000]

    def loop():  # per-state, per-flow Python loop doing the same arithmetic
        out = []
        for s in sub:
            acc = [0.0] * R
            for i, j, w in rows:
                acc[j] += s[i] * w
            out.append(acc)
        return out

    np.testing.assert_allclose(engine(), kernel())
    np.testing.assert_allclose(np.array(loop()), kernel()[:2_000], rtol=1e-12)
    t_engine = best(engine)
    t_kernel = best(kernel)
    t_loop = best(loop, repeat=3) * (n_states / len(sub))
    print(f"indicator evaluation, {n_states:,} states x {F} flows x {R} result rows")
    print(f"  engine (Assessment.indicators): {t_engine * 1e3:8.2f} ms")
    print(
        f"  hand numpy kernel (states @ W): {t_kernel * 1e3:8.2f} ms   "
        f"engine/kernel = {t_engine / t_kernel:.2f}x"
    )
    print(
        f"  per-flow Python loop (scaled): {t_loop * 1e3:9.1f} ms   "
        f"loop/engine = {t_loop / t_engine:,.0f}x"
    )

    print("\nend-to-end recp.assess (parse + validate + compile + assess), best of 5")
    for p in sorted((ROOT / "scenarios").glob("*.yaml")):
        recp.assess(recp.load(p))
        t = best(lambda p=p: recp.assess(recp.load(p)).to_dict())
        print(f"  {p.name:28s} {t * 1e3:7.1f} ms")

    cli_times()


def cli_times(runs: int = 9) -> None:
    """Wall and CPU time of CLI commands, as an installed package runs them.

    An installed wheel carries compiled bytecode (pip and uv compile it at install); a source
    checkout run with PYTHONDONTWRITEBYTECODE (set on this project's machine) would compile
    every recp module at every start, ~0.1 s that no user pays. So recp's bytecode is compiled
    first, as an install does.
    """
    import compileall
    import os

    import recp

    compileall.compile_dir(str(Path(recp.__file__).parent), quiet=1)
    exe = str(Path(sys.executable).parent / "recp")
    plant = str(ROOT / "scenarios" / "textile-dyeing-bd.yaml")
    with open("/proc/loadavg") as f:
        print(
            f"CLI, median of {runs} (load average {f.read().split()[0]} on {os.cpu_count()} cores)"
        )
    for label, args in (
        ("recp --help", [exe, "--help"]),
        ("recp assess textile-dyeing-bd", [exe, "assess", plant]),
        ("recp assess -o x.json", [exe, "assess", plant, "-o", os.devnull, "--force"]),
    ):
        ts, cpu = [], []
        for _ in range(runs):
            before = os.times()
            t = time.perf_counter()
            subprocess.run(args, capture_output=True, check=True)
            ts.append(time.perf_counter() - t)
            after = os.times()
            cpu.append(
                after.children_user
                + after.children_system
                - before.children_user
                - before.children_system
            )
        print(
            f"  {label:32s} wall median {statistics.median(ts):.3f} s (min {min(ts):.3f} s), "
            f"CPU median {statistics.median(cpu):.3f} s (target wall <= 0.5 s)"
        )


if __name__ == "__main__":
    main()
