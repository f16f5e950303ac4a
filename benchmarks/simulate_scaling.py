"""Simulate a large batch spread over a Dask cluster (docs/scaling.md).

A discrete-event model of `recp batch --engine dask`: one task per chunk of plants, each task
reading its slice, assessing it and writing its parts. Inputs are figures measured on this
machine by bench_batch.py (seconds per chunk on one worker, bytes in and out per chunk); the
model adds the scheduler's cost per task, a shared store's bandwidth, and run-to-run jitter
of the task times, and reports the expected wall time for N workers.

    python benchmarks/simulate_scaling.py --chunk-seconds 2.6 --workers 1 2 8 64 256
"""

from __future__ import annotations

import argparse
import heapq

import numpy as np


def simulate(
    n_tasks: int,
    workers: int,
    chunk_s: float,
    bytes_per_task: float,
    bandwidth: float,
    per_task_s: float = 0.002,
    jitter: float = 0.2,
    seed: int = 0,
) -> float:
    """Wall seconds for ``n_tasks`` tasks on ``workers`` single-threaded workers.

    Each task's compute time is ``chunk_s`` times a log-normal jitter; its I/O shares the
    store's ``bandwidth`` (bytes per second) with the tasks running at the same time; the
    scheduler hands out tasks one by one at ``per_task_s`` each.
    """
    rng = np.random.default_rng(seed)
    compute = chunk_s * rng.lognormal(0.0, jitter, n_tasks)
    free = [(0.0, w) for w in range(workers)]
    heapq.heapify(free)
    sched = 0.0
    end = 0.0
    for k in range(n_tasks):
        t_free, w = heapq.heappop(free)
        sched = max(sched, t_free) + per_task_s  # the scheduler's queue, one task at a time
        # while all workers run, each gets bandwidth / workers of the store
        io = bytes_per_task / (bandwidth / min(workers, n_tasks))
        done = sched + compute[k] + io
        end = max(end, done)
        heapq.heappush(free, (done, w))
    return end


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plant-scenarios", type=float, default=1e8)
    ap.add_argument("--chunk-plants", type=int, default=10_000)
    ap.add_argument("--scenarios-per-plant", type=int, default=5)
    ap.add_argument("--chunk-seconds", type=float, required=True, help="measured, one worker")
    ap.add_argument("--mb-in", type=float, default=4.2, help="input MB per chunk (measured)")
    ap.add_argument("--mb-out", type=float, default=20.0, help="output MB per chunk (measured)")
    ap.add_argument("--bandwidth-mb", type=float, default=1000.0, help="shared store, MB/s")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 8, 32, 128, 512])
    args = ap.parse_args()
    plants = args.plant_scenarios / args.scenarios_per_plant
    n_tasks = int(np.ceil(plants / args.chunk_plants))
    per = (args.mb_in + args.mb_out) * 1e6
    print(
        f"{args.plant_scenarios:,.0f} plant-scenarios = {plants:,.0f} plants = {n_tasks:,} tasks "
        f"of {args.chunk_plants:,} plants; {args.chunk_seconds:.2f} s and "
        f"{args.mb_in + args.mb_out:.0f} MB of I/O per task; store {args.bandwidth_mb:,.0f} MB/s"
    )
    for w in args.workers:
        t = simulate(n_tasks, w, args.chunk_seconds, per, args.bandwidth_mb * 1e6)
        ideal = n_tasks * args.chunk_seconds / w
        print(f"  {w:4d} workers: {t:9.1f} s ({t / 60:6.1f} min); ideal {ideal:9.1f} s")


if __name__ == "__main__":
    main()
