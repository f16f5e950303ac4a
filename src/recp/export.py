"""Writing tidy result tables: Parquet, CSV, Excel or JSON, atomically and deterministically.

The format follows the extension of the target. A results file ``out.parquet`` gets its
companions beside it: ``out.savings.parquet``, ``out.economics.parquet``, ``out.errors.csv``
(always written, so a stale errors file never survives a clean run), and from a batch the
per-plant ``out.warnings.parquet``, ``out.balances.parquet`` and ``out.benchmarks.parquet``
(:data:`DIAGNOSTICS`, always written by :func:`write_stream`). Excel and JSON keep every
table in the one file (sheets or keys). Floats are written with 12 significant digits, rows in a
fixed order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recp.batch import DIAGNOSTIC_COLUMNS, rollup
from recp.errors import InputError, OutputError
from recp.io import check_output, write_atomic
from recp.tolerance import ZERO_RTOL

FORMATS = (".parquet", ".csv", ".xlsx", ".json")
#: Per-plant tables of a batch written beside the results: warnings (plant, code, message),
#: water and mass balances, intensities against sector references.
DIAGNOSTICS = ("warnings", "balances", "benchmarks")
FLOAT_FORMAT = "%.12g"


def _num(x: Any) -> Any:
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        return float(f"{x:.12g}")
    if hasattr(x, "item"):  # numpy scalars
        return _num(x.item())
    return x


def _missing(v: Any) -> bool:
    """Whether a cell holds no value: None, NaN, or pandas' NA (a balance not checked)."""
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as JSON-ready mappings (NaN and NA as None, numpy numbers as Python)."""
    cols = list(df.columns)
    out = []
    for row in df.itertuples(index=False, name=None):
        out.append({c: (None if _missing(v) else _num(v)) for c, v in zip(cols, row, strict=True)})
    return out


def companion(path: Path, name: str, suffix: str | None = None) -> Path:
    """``out.parquet`` -> ``out.<name>.parquet`` (or the given suffix)."""
    return path.with_name(f"{path.stem}.{name}{suffix or path.suffix}")


def targets(path: Path, names: Iterable[str], diagnostics: bool = True) -> list[Path]:
    """Every file a write of ``names`` to ``path`` creates (for overwrite checks).

    With ``diagnostics``, a Parquet or CSV target also counts the :data:`DIAGNOSTICS` tables
    a batch writes beside it.
    """
    suf = path.suffix.lower()
    if suf in (".xlsx", ".json"):
        return [path, companion(path, "errors", ".csv")]
    extra = [n for n in DIAGNOSTICS if n not in names] if diagnostics else []
    return (
        [path]
        + [companion(path, n) for n in [*names, *extra] if n != "results"]
        + [companion(path, "errors", ".csv")]
    )


def clean_rollup(df: pd.DataFrame) -> pd.DataFrame:
    """A roll-up table with floating-point noise shown as 0 (:func:`recp.tolerance.clean`).

    The scale of a summed value is the largest absolute sum of its indicator in the same group
    (first column) over every state and component; JSON and Parquet keep the sums as computed.
    """
    if df.empty or not {"indicator", "value"} <= set(df.columns):
        return df
    keys = [df.columns[0], "indicator"]
    value = pd.to_numeric(df["value"], errors="coerce")
    scale = value.abs().groupby([df[k] for k in keys], dropna=False).transform("max")
    noise = (value.abs() <= ZERO_RTOL * scale) & (scale > 0) & (value != 0)
    if not noise.any():
        return df
    out = df.copy()
    out.loc[noise, "value"] = 0.0
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    r"""CSV with fixed float formatting and ``\n`` line ends."""
    text: str = df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return text.encode()


def write_tables(
    path: str | Path,
    tables: dict[str, pd.DataFrame],
    *,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
    errors: pd.DataFrame | None = None,
    diagnostics: dict[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write named tables (``results`` first) to ``path`` in the format of its extension.

    ``diagnostics`` (a batch's per-plant ``warnings``, ``balances``, ``benchmarks``) are
    written as further tables: companions, sheets or keys.

    Raises
    ------
    InputError
        For an unknown extension.
    OutputError
        If a target exists (without ``force``), is an input, or cannot be written.
    """
    p = Path(path)
    suf = p.suffix.lower()
    if suf not in FORMATS:
        raise InputError(f"--out: unknown format '{p.suffix}'; use one of {', '.join(FORMATS)}")
    inputs = list(inputs)
    tables = {**tables, **(diagnostics or {})}
    all_targets = targets(p, tables, diagnostics=False)
    for t in all_targets:  # check every target before writing any
        check_output(t, inputs, force)
    written: list[Path] = []
    shown = {k: clean_rollup(v) if k.startswith("rollup-") else v for k, v in tables.items()}
    if suf == ".xlsx":
        write_atomic(p, _xlsx(shown, errors), inputs, force)
        written.append(p)
    elif suf == ".json":
        doc = {name: records(df) for name, df in tables.items()}
        if errors is not None:
            doc["errors"] = records(errors)
        write_atomic(
            p, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n", inputs, force
        )
        written.append(p)
    else:
        for name, df in tables.items():
            target = p if name == "results" else companion(p, name)
            if suf == ".parquet":
                buf = io.BytesIO()
                df.to_parquet(buf, index=False)
                data = buf.getvalue()
            else:
                data = csv_bytes(shown[name])
            write_atomic(target, data, inputs, force)
            written.append(target)
    if errors is not None:
        e = companion(p, "errors", ".csv")
        write_atomic(e, csv_bytes(errors), inputs, force)
        written.append(e)
    return written


def _xlsx(tables: dict[str, pd.DataFrame], errors: pd.DataFrame | None) -> bytes:
    # lazy: CLI start-up (openpyxl takes ~0.2 s to import and is needed only for .xlsx output)
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING  # lazy: CLI start-up

    wb = Workbook()
    wb.remove(wb.active)
    all_tables = dict(tables)
    if errors is not None:
        all_tables["errors"] = errors
    for name, df in all_tables.items():
        ws = wb.create_sheet(name[:31])
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            cells: list[Any] = []
            for v in row:
                if _missing(v):
                    cells.append(None)
                elif hasattr(v, "item"):
                    cells.append(v.item())
                else:
                    cells.append(v)
            ws.append(cells)
            for c in ws[ws.max_row]:  # user text never becomes a formula
                if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@"):
                    c.data_type = TYPE_STRING
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx (zip) with fixed timestamps so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                raw = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", raw)
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, raw)
    return out.getvalue()


class _Stream:
    """An output written chunk by chunk to a temporary file, renamed into place at the end."""

    def __init__(self, target: Path):
        self.target = target
        folder = target.parent if str(target.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        except OSError as e:
            raise OutputError(f"{target}: cannot write in {folder}: {e.strerror or e}") from None
        os.close(fd)
        self.tmp = Path(tmp)
        self.writer: Any = None
        self.fh: Any = None

    def write(self, df: pd.DataFrame) -> None:
        plain = df.copy()
        for c in plain.columns:  # categories differ between chunks: write plain strings
            if isinstance(plain[c].dtype, pd.CategoricalDtype):
                plain[c] = plain[c].astype(object)
        if self.target.suffix.lower() == ".parquet":
            table = pa.Table.from_pandas(plain, preserve_index=False)
            if self.writer is None:
                self.schema = pa.schema(
                    [
                        pa.field(
                            f.name,
                            pa.string()
                            if pa.types.is_null(f.type)
                            or pa.types.is_string(f.type)
                            or pa.types.is_large_string(f.type)
                            else f.type,
                        )
                        for f in table.schema
                    ]
                )
                self.writer = pq.ParquetWriter(self.tmp, self.schema)
            self.writer.write_table(table.cast(self.schema))
        else:
            if self.fh is None:
                self.fh = self.tmp.open("wb")
                self.fh.write(csv_bytes(plain.iloc[:0]))
            self.fh.write(csv_bytes(plain).split(b"\n", 1)[1])

    def commit(self, empty_columns: list[str]) -> Path:
        if self.writer is None and self.fh is None:  # nothing came: an empty table
            self.write(pd.DataFrame(columns=empty_columns))
        if self.writer is not None:
            self.writer.close()
        if self.fh is not None:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
        os.chmod(self.tmp, 0o666 & ~_umask())
        os.replace(self.tmp, self.target)
        return self.target

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            if self.writer is not None:
                self.writer.close()
            if self.fh is not None:
                self.fh.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_stream(
    path: str | Path,
    chunks: Iterable[Any],
    *,
    columns: dict[str, list[str]],
    by: list[str] | None = None,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
) -> tuple[list[Path], int, pd.DataFrame]:
    """Write batch results chunk by chunk (Parquet or CSV), so memory stays bounded.

    Parameters
    ----------
    path : path
        The results file; companions are written beside it (see :func:`targets`).
    chunks : iterable of BatchResult
        In input order. Their :data:`DIAGNOSTICS` tables are always written too.
    columns : dict
        Table name -> columns, for tables that may come out empty.
    by : list of str
        Plant columns to roll up by (partial sums per chunk, summed at the end).

    Returns
    -------
    (written files, plants assessed, errors DataFrame)
    """
    p = Path(path)
    if p.suffix.lower() not in (".parquet", ".csv"):
        raise InputError("streaming output needs .parquet or .csv")
    inputs = list(inputs)
    names = list(columns)
    for t in targets(p, names + [f"rollup-{b}" for b in by or []]):
        check_output(t, inputs, force)
    names += [n for n in DIAGNOSTICS if n not in names]
    columns = {**DIAGNOSTIC_COLUMNS, **columns}
    streams = {n: _Stream(p if n == "results" else companion(p, n)) for n in names}
    partial: dict[str, list[pd.DataFrame]] = {b: [] for b in by or []}
    errors: list[pd.DataFrame] = []
    n_ok = 0
    try:
        for res in chunks:
            for n in names:
                df = getattr(res, n, None)
                if df is not None and len(df):
                    streams[n].write(df)
            if len(res.errors):
                errors.append(res.errors)
            if res.plants is not None:
                n_ok += len(res.plants)
                for b in by or []:
                    if b not in res.plants.columns:
                        have = [c for c in res.plants.columns if c != "plant"]
                        raise InputError(f"--by: no plant column {b!r}; valid: {', '.join(have)}")
                    partial[b].append(rollup(res.results, res.plants, b))
        written = [streams[n].commit(columns[n]) for n in names]
    except BaseException:
        for s in streams.values():
            s.abort()
        raise
    err = (
        pd.concat(errors, ignore_index=True)
        if errors
        else pd.DataFrame(columns=["plant", "file", "place", "message"])
    )
    for b, parts in partial.items():
        roll = sum_rollups(parts, b)
        target = companion(p, f"rollup-{b}")
        csv = p.suffix.lower() == ".csv"
        data = csv_bytes(clean_rollup(roll)) if csv else _parquet_bytes(roll)
        written.append(write_atomic(target, data, inputs, force))
    written.append(write_atomic(companion(p, "errors", ".csv"), csv_bytes(err), inputs, force))
    return written, n_ok, err


def sum_rollups(parts: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """Sum the partial roll-ups of chunks (:func:`recp.batch.rollup`) into one."""
    keys = [by, "scenario", "indicator", "component", "unit"]
    if not parts:
        return pd.DataFrame(columns=[*keys, "value", "plants"])
    return (
        pd.concat(parts, ignore_index=True)
        .astype({k: object for k in keys})
        .groupby(keys, dropna=False, sort=True, observed=True)[["value", "plants"]]
        .sum()
        .reset_index()
    )


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()
