"""A batch written as Parquet datasets: each worker writes its own part, the parent a manifest.

``recp batch ... --out results.parquet`` makes ``results.parquet`` a folder (a Parquet dataset
that ``pandas.read_parquet``, ``pyarrow.dataset`` and DuckDB read as one table) holding
``part-00000.parquet``, ``part-00001.parquet``, ... one file per chunk of plants, in input
order; so are the companions (``results.economics.parquet``, ``results.warnings.parquet``, ...).
A worker (a process, or a Dask task) reads its own slice of the input (paths and row ranges,
:func:`recp.batch.work_items`), assesses it and writes its parts; it hands back only small
things: row counts, the plants that failed, partial roll-ups. The parent holds neither the
input nor the results. ``results.manifest.json`` lists every table's parts with their rows and
bytes; it and every part depend only on the input and the chunk size, so a re-run, or a run on
another engine or number of workers, writes the same bytes.

Parts are written into a staging folder beside the output and moved into place at the end, so
a failed run leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recp.batch import (
    CHUNK_PLANTS,
    DIAGNOSTIC_COLUMNS,
    ECON_COLUMNS,
    RESULT_COLUMNS,
    SAVING_COLUMNS,
    Coded,
    Columns,
    Items,
    execute,
    plan,
    rollup,
    run_item,
    warm_worker,
)
from recp.errors import InputError, OutputError
from recp.export import DIAGNOSTICS, companion, csv_bytes, sum_rollups
from recp.io import write_atomic
from recp.portfolio import ERROR_COLUMNS

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class PartSpec:
    """Where and what a worker writes: ``<staging>/<table>/part-<k>.parquet``."""

    staging: str
    names: tuple[str, ...]
    details: bool
    by: tuple[str, ...] = ()


@dataclass
class PartSummary:
    """What a worker hands back for one part: small, whatever the size of the part."""

    index: int
    rows: dict[str, int]
    sizes: dict[str, int]
    n_ok: int
    errors: pd.DataFrame
    rollups: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing_by: str | None = None  # a --by column the plants table lacks
    have: list[str] = field(default_factory=list)


def part_name(k: int) -> str:
    """File name of part ``k``."""
    return f"part-{k:05d}.parquet"


def arrow_table(df: pd.DataFrame | Columns) -> pa.Table:
    """A table as an Arrow table with one schema for every part of a table.

    Categories stay dictionary-encoded (int32 codes into text), so Parquet writes their
    dictionary pages from the codes instead of hashing every string; empty columns are text.
    The pandas metadata is dropped: parts of a table differ only in their rows. The batch
    engine's :class:`~recp.batch.Columns` become the same table straight from their codes.
    """
    if isinstance(df, Columns):
        return _arrow_columns(df)
    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_dictionary(t):
            text = pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
            t = pa.dictionary(pa.int32(), pa.string() if text else t.value_type)
        elif pa.types.is_null(t) or pa.types.is_large_string(t):
            t = pa.string()
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields)).replace_schema_metadata(None)


def _arrow_columns(cols: Columns) -> pa.Table:
    """:func:`arrow_table` of :class:`~recp.batch.Columns`, without pandas."""
    arrays = []
    for v in cols.data.values():
        if isinstance(v, Coded):
            codes = np.asarray(v.codes)
            missing = codes < 0
            arrays.append(
                pa.DictionaryArray.from_arrays(
                    pa.array(codes, type=pa.int32(), mask=missing if missing.any() else None),
                    pa.array(list(v.labels), type=pa.string()),
                )
            )
        else:
            # NaN (no value) as null, as pyarrow converts a DataFrame
            arrays.append(pa.array(np.asarray(v, dtype=float), type=pa.float64(), from_pandas=True))
    return pa.Table.from_arrays(arrays, names=list(cols.data))


def write_parquet(table: pa.Table, where: Any) -> None:
    """Write one part (or a roll-up) with writer options chosen for these tables.

    Text columns are dictionary-encoded (a part repeats a few hundred plant ids and a few
    dozen indicators, components, units, codes millions of times); numbers are not (their
    values rarely repeat: trying a dictionary first and falling back costs time and space).
    Min/max statistics are kept for numbers and for ``plant`` (a reader skips the parts that
    cannot hold a plant), not for the other text columns, whose values every part holds (they
    would prune nothing, and are the slowest statistics to compute). Snappy compression, the
    Parquet default. The options depend on the schema only, so a part's bytes depend only on
    its rows.
    """
    text = [
        f.name for f in table.schema if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)
    ]
    stats = [f.name for f in table.schema if f.name not in text or f.name == "plant"]
    pq.write_table(table, where, compression="snappy", use_dictionary=text, write_statistics=stats)


def write_part(job: tuple[int, Any], spec: PartSpec) -> PartSummary:
    """Assess one work item and write its parts (top-level: processes and Dask call it)."""
    k, item = job
    res = run_item(item, details=spec.details)
    rows: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for name in spec.names:
        df = res.table(name)
        if df is None or not len(df):
            continue
        path = Path(spec.staging) / name / part_name(k)
        write_parquet(arrow_table(df), path)
        rows[name], sizes[name] = len(df), path.stat().st_size
    summary = PartSummary(k, rows, sizes, 0 if res.plants is None else len(res.plants), res.errors)
    if res.plants is not None:
        for b in spec.by:
            if b not in res.plants.columns:
                summary.missing_by = b
                summary.have = [c for c in res.plants.columns if c != "plant"]
                break
            summary.rollups[b] = rollup(res.results, res.plants, b)
    return summary


def _numbered(items: Items) -> Items:
    """``(k, item)`` pairs of the work items, planned when they are (:func:`recp.batch.plan`)."""
    if callable(items):
        return lambda: list(enumerate(items()))
    return list(enumerate(items))


def check_targets(out: Path, names: Sequence[str], by: Sequence[str], force: bool) -> None:
    """Refuse before computing: an existing output without ``force``, or a folder not ours."""
    for p in [dataset_path(out, n) for n in names] + _files(out, by):
        if p.is_dir() and not _is_dataset(p):
            raise OutputError(f"{p}: is a folder that is not a recp dataset; give another name")
        if p.exists() and not force:
            raise OutputError(f"{p}: exists; use --force to replace it")


def dataset_path(out: Path, name: str) -> Path:
    """The folder of table ``name`` (``results`` is ``out`` itself)."""
    return out if name == "results" else companion(out, name)


def _files(out: Path, by: Sequence[str]) -> list[Path]:
    return [
        companion(out, "manifest", ".json"),
        companion(out, "errors", ".csv"),
        *(companion(out, f"rollup-{b}") for b in by),
    ]


def _is_dataset(p: Path) -> bool:
    return all(c.suffix == ".parquet" and c.name.startswith("part-") for c in p.iterdir())


def write_dataset(
    src: str | Path,
    out: str | Path,
    *,
    names: Sequence[str] = ("results", "economics"),
    by: Sequence[str] = (),
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_plants: int = CHUNK_PLANTS,
    progress: Any = None,
    force: bool = False,
) -> tuple[list[Path], int, pd.DataFrame]:
    """Run a batch and write it as Parquet datasets (see the module docstring).

    Returns
    -------
    (written paths, plants assessed, errors DataFrame)
    """
    out = Path(out)
    tables = [*names, *(n for n in DIAGNOSTICS if n not in names)]
    check_targets(out, tables, by, force)
    items = plan(Path(src), chunk_plants)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as e:
        raise OutputError(f"{out}: cannot write in {parent}: {e.strerror or e}") from None
    try:
        for n in tables:
            (staging / n).mkdir()
        spec = PartSpec(str(staging), tuple(tables), "savings" in names, tuple(by))
        summaries = list(
            execute(
                partial(write_part, spec=spec),
                _numbered(items),
                warm=partial(warm_worker, str(src)),
                jobs=jobs,
                engine=engine,
                scheduler=scheduler,
                progress=progress,
            )
        )
        for s in summaries:
            if s.missing_by is not None:
                raise InputError(
                    f"--by: no plant column {s.missing_by!r}; valid: {', '.join(s.have)}"
                )
        manifest = _finish(staging, tables, summaries, chunk_plants)
        written = _move(staging, out, tables)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    n_ok = sum(s.n_ok for s in summaries)
    errs = [s.errors for s in summaries if len(s.errors)]
    err = pd.concat(errs, ignore_index=True) if errs else pd.DataFrame(columns=ERROR_COLUMNS)
    for b in by:
        roll = sum_rollups([s.rollups[b] for s in summaries if b in s.rollups], b)
        buf = pa.BufferOutputStream()
        write_parquet(arrow_table(roll), buf)
        written.append(
            write_atomic(companion(out, f"rollup-{b}"), buf.getvalue().to_pybytes(), [src], force)
        )
    written.append(write_atomic(companion(out, "errors", ".csv"), csv_bytes(err), [src], force))
    manifest["plants_assessed"], manifest["plants_failed"] = n_ok, int(err["plant"].nunique())
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    written.append(write_atomic(companion(out, "manifest", ".json"), text, [src], force))
    return written, n_ok, err


def _finish(
    staging: Path, tables: Sequence[str], summaries: Sequence[PartSummary], chunk_plants: int
) -> dict[str, Any]:
    """Write an empty part for a table no chunk produced; the manifest's table entries."""
    columns = {**DIAGNOSTIC_COLUMNS, **_columns()}
    entries: dict[str, Any] = {}
    for n in tables:
        parts: list[dict[str, Any]] = [
            {"file": part_name(s.index), "rows": s.rows[n], "bytes": s.sizes[n]}
            for s in summaries
            if n in s.rows
        ]
        if not parts:  # an empty table still reads back, with its columns
            path = staging / n / part_name(0)
            empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns[n]})
            write_parquet(arrow_table(empty), path)
            parts = [{"file": part_name(0), "rows": 0, "bytes": path.stat().st_size}]
        entries[n] = {"parts": parts, "rows": sum(p["rows"] for p in parts)}
    return {
        "format": "recp batch dataset",
        "version": MANIFEST_VERSION,
        "chunk_plants": chunk_plants,
        "tables": entries,
    }


def _columns() -> dict[str, list[str]]:
    return {"results": RESULT_COLUMNS, "economics": ECON_COLUMNS, "savings": SAVING_COLUMNS}


def _move(staging: Path, out: Path, tables: Sequence[str]) -> list[Path]:
    """Move every table's folder of parts into place, replacing an earlier output."""
    written = []
    mask = os.umask(0)
    os.umask(mask)
    for n in tables:
        src, dst = staging / n, dataset_path(out, n)
        os.chmod(src, 0o777 & ~mask)
        for f in src.iterdir():
            os.chmod(f, 0o666 & ~mask)
        if dst.is_dir():
            old = staging / f".old-{n}"
            os.replace(dst, old)
        elif dst.exists():
            with contextlib.suppress(OSError):
                dst.unlink()
        os.replace(src, dst)
        written.append(dst)
    return written
