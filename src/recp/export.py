"""Writing tidy result tables: Parquet, CSV, Excel or JSON, atomically and deterministically.

The format follows the extension of the target. A results file ``out.parquet`` gets its
companions beside it: ``out.savings.parquet``, ``out.economics.parquet``, ``out.errors.csv``
(always written, so a stale errors file never survives a clean run). Excel and JSON keep every
table in the one file (sheets or keys). Floats are written with 12 significant digits, rows in a
fixed order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recp.errors import InputError
from recp.io import check_output, write_atomic

if TYPE_CHECKING:
    import pandas as pd

FORMATS = (".parquet", ".csv", ".xlsx", ".json")
FLOAT_FORMAT = "%.12g"


def _num(x: Any) -> Any:
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        return float(f"{x:.12g}")
    if hasattr(x, "item"):  # numpy scalars
        return _num(x.item())
    return x


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    out = []
    for row in df.itertuples(index=False, name=None):
        out.append({c: (None if v is None or (isinstance(v, float) and math.isnan(v)) else
                        _num(v)) for c, v in zip(cols, row, strict=True)})
    return out


def companion(path: Path, name: str, suffix: str | None = None) -> Path:
    """``out.parquet`` -> ``out.<name>.parquet`` (or the given suffix)."""
    return path.with_name(f"{path.stem}.{name}{suffix or path.suffix}")


def targets(path: Path, names: Iterable[str]) -> list[Path]:
    """Every file a write of ``names`` to ``path`` creates (for overwrite checks)."""
    suf = path.suffix.lower()
    if suf in (".xlsx", ".json"):
        return [path, companion(path, "errors", ".csv")]
    return [path] + [companion(path, n) for n in names if n != "results"] + [
        companion(path, "errors", ".csv")]


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with fixed float formatting and ``\\n`` line ends."""
    return df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n").encode()


def write_tables(path: str | Path, tables: dict[str, pd.DataFrame], *, inputs: Iterable[
        str | Path] = (), force: bool = False, errors: pd.DataFrame | None = None) -> list[Path]:
    """Write named tables (``results`` first) to ``path`` in the format of its extension.

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
    all_targets = targets(p, tables)
    for t in all_targets:  # check every target before writing any
        check_output(t, inputs, force)
    written: list[Path] = []
    if suf == ".xlsx":
        write_atomic(p, _xlsx(tables, errors), inputs, force)
        written.append(p)
    elif suf == ".json":
        doc = {name: _records(df) for name, df in tables.items()}
        if errors is not None:
            doc["errors"] = _records(errors)
        write_atomic(p, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n",
                     inputs, force)
        written.append(p)
    else:
        for name, df in tables.items():
            target = p if name == "results" else companion(p, name)
            if suf == ".parquet":
                buf = io.BytesIO()
                df.to_parquet(buf, index=False)
                data = buf.getvalue()
            else:
                data = csv_bytes(df)
            write_atomic(target, data, inputs, force)
            written.append(target)
    if errors is not None:
        e = companion(p, "errors", ".csv")
        write_atomic(e, csv_bytes(errors), inputs, force)
        written.append(e)
    return written


def _xlsx(tables: dict[str, pd.DataFrame], errors: pd.DataFrame | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    wb = Workbook()
    wb.remove(wb.active)
    all_tables = dict(tables)
    if errors is not None:
        all_tables["errors"] = errors
    for name, df in all_tables.items():
        ws = wb.create_sheet(name[:31])
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            cells = []
            for v in row:
                if v is None or (isinstance(v, float) and math.isnan(v)):
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
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                raw = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", raw)
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, raw)
    return out.getvalue()
