"""Batch runs in the background: a programme's zip or tidy tables, with progress.

A job runs :func:`recp.batch.iter_run` (the engine of ``recp batch``) in a worker thread, one
job at a time per server, and writes the results workbook (results, economics, roll-ups by
sector and country, warnings, balances, benchmarks, errors) and the errors CSV with
:func:`recp.export.write_tables`, as ``recp batch --out results.xlsx --by sector`` does. Its
state lives in the session, so the page can be reloaded while it runs.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from recp.batch import combine, iter_run, rollup, work_items
from recp.errors import InputError, RecpError
from recp.export import DIAGNOSTICS, write_tables
from recp.serve.store import Job

#: Plants per chunk: small enough that the progress moves on a programme of a few hundred.
CHUNK = 50
ROLLUPS = ("sector", "country")


class Stopped(Exception):
    """The server is stopping: a running batch ends after its current chunk."""


def run_job(job: Job, src: Path, stop: threading.Event | None = None) -> None:
    """Assess ``src`` (a folder of scenario files or tidy tables, or a workbook) into ``job``."""
    stop = stop or threading.Event()
    if stop.is_set():
        job.state, job.message = "failed", "the server stopped before the run started"
        return
    job.state = "running"
    try:
        job.total = len(work_items(src, CHUNK))

        def tick() -> None:
            job.done += 1
            if stop.is_set():
                raise Stopped

        res = combine(iter_run(src, jobs=1, chunk_plants=CHUNK, progress=tick, details=False))
        tables: dict[str, Any] = {"results": res.results, "economics": res.economics}
        for by in ROLLUPS:
            if res.plants is not None and by in res.plants.columns and len(res.results):
                tables[f"rollup-{by}"] = rollup(res.results, res.plants, by)
        out = job.folder / "out"
        out.mkdir()
        written = write_tables(
            out / "results.xlsx",
            tables,
            errors=res.errors,
            diagnostics={n: getattr(res, n) for n in DIAGNOSTICS},
        )
        job.outputs = {p.name: p for p in written}
        job.n_ok = 0 if res.plants is None else len(res.plants)
        job.n_failed = int(res.errors["plant"].nunique()) if len(res.errors) else 0
        job.errors = [
            {k: "" if v is None else str(v) for k, v in row.items()}
            for row in res.errors.head(200).to_dict("records")
        ]
        job.state = "done"
    except Stopped:
        job.state, job.message = "failed", "the server stopped during the run"
    except InputError as e:
        job.state, job.message = "failed", "; ".join(str(p) for p in e.problems[:20])
    except RecpError as e:
        job.state, job.message = "failed", str(e)
    except Exception as e:  # noqa: BLE001 - a job's fault is shown on its page, never lost
        job.state, job.message = "failed", f"internal error: {type(e).__name__}: {e}"


class Runner:
    """One worker thread for every session's batch jobs (the server stays responsive)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recp-batch")
        self.stop = threading.Event()

    def submit(self, job: Job, src: Path) -> None:
        """Queue ``job``."""
        self.pool.submit(run_job, job, src, self.stop)

    def close(self) -> None:
        """Stop taking jobs; the running one ends after its current chunk."""
        self.stop.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
