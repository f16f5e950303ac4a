"""Tidy-table input for batch runs: plants, flows and interventions tables.

A national programme keeps its plants in tables rather than one file per plant. recp reads
three tables, from a folder (``plants``, ``flows``, ``interventions`` as ``.csv`` or
``.parquet``) or from one workbook with those sheets:

- **plants**: ``plant`` (id), ``country`` (ISO alpha-2), optional ``name``, ``sector``,
  ``production`` (``"12000 t"``), ``currency`` (default USD), ``gwp`` (default AR5),
  ``grid_factor`` (``"0.62 t CO2e/MWh"``), ``grid_cm``, ``discount_rate`` (``"8 %"``),
  ``carbon_price`` (``"10 USD/t CO2e"``), and any other column
  (region, programme...) kept for roll-ups;
- **flows**: ``plant``, ``id``, ``type``, ``amount`` (``"2.1e6 m3"``, or a number with a ``unit``
  column), optional ``carrier``, ``price``, ``ncv``, ``density``, ``emission_factor``,
  ``source``, ``hazardous``, ``route`` — the keys of a scenario file's flows;
- **interventions** (optional): one row per change: ``plant``, ``id``, ``category``, ``flow``,
  ``by`` or ``to``, optional ``name``, ``capex``, ``opex``, ``lifetime`` (given once per
  intervention) and ``scenario`` (names separated by ``;``; default: one scenario ``all`` with
  every intervention in table order).

Parsing and validation are vectorised: each distinct unit string is read by pint once and every
check is a column operation. A plant with any problem is reported (plant, table, row, column,
message) and left out; the others are assessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from recp import rules
from recp.engine import (
    GWP_CODES,
    POLLUTANT_COLUMNS,
    FlowTable,
    PlantTable,
    compile_scenario,
    waste_routes,
    water_sources,
)
from recp.errors import InputError, Problem, UnitError, did_you_mean
from recp.factors import FactorLibrary
from recp.models import effluent
from recp.models.changes import ABS, REL, SET
from recp.models.cost import P_GJ, P_M3, P_SAME, P_T
from recp.models.effluent import POLLUTANTS
from recp.portfolio import ERROR_COLUMNS, Portfolio, merge_portfolios, portfolio_from_scenarios
from recp.rules import (
    CATEGORIES,
    CURRENCIES,
    FLOW_TYPES,
    GWP_CHOICES,
    WASTE_ROUTES,
    WASTEWATER_KEYS,
    WATER_SOURCES,
    Text,
    convert,
    message,
    split_quantity,
)
from recp.scenario import Scenario, pollutant
from recp.units import B_GJ, B_M3, B_OTHER, B_T, BASES, fmt_unit, parse_quantity, parse_unit
from recp.workbook import TOP_KEYS

if TYPE_CHECKING:
    import pyarrow as pa

_BOOLS = ["true", "1", "yes", "false", "0", "no"]
TABLE_NAMES = ("plants", "flows", "interventions", "scenarios", "processes")
_SUFFIXES = (".parquet", ".csv", ".xlsx")


@dataclass
class Tables:
    """One chunk of the three tables (pandas DataFrames) and where they came from."""

    plants: pd.DataFrame
    flows: pd.DataFrame
    interventions: pd.DataFrame
    names: dict[str, str]  # table -> file name for messages
    scenarios: pd.DataFrame | None = None  # optional: plant, scenario, intervention (in order)
    processes: pd.DataFrame | None = None  # optional: plant, id, activity or flow, Toolkit keys
    #: For a chunk: table -> each row's position in the whole input table (problems name it).
    rows: dict[str, np.ndarray] | None = None
    #: Text columns as Parquet stores them (table -> column -> Arrow dictionary array): the
    #: checks read their codes and distinct values without decoding a string per row.
    text: dict[str, dict[str, Any]] | None = None


def _find(src: Path, name: str) -> Path | None:
    for suf in _SUFFIXES[:2]:
        p = src / f"{name}{suf}"
        if p.exists():
            return p
    return None


def is_table_input(src: Path) -> bool:
    """True for a workbook with a ``plants`` sheet or a folder with a plants table."""
    if src.is_file() and src.suffix.lower() == ".xlsx":
        return True
    return src.is_dir() and _find(src, "plants") is not None


def _read(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as e:  # noqa: BLE001 - any reader failure is an input problem
        raise InputError(
            [Problem("", f"cannot read table: {str(e).splitlines()[0]}", str(path))]
        ) from None


def read_tables(src: Path) -> Tables:
    """Read the three tables from a folder or a workbook."""
    if src.is_file():
        try:
            # "NA" is a value (the Toolkit's "not applicable"), never a missing cell
            sheets = pd.read_excel(
                src, sheet_name=None, dtype=str, keep_default_na=False, na_values=[""]
            )
        except Exception as e:  # noqa: BLE001
            raise InputError(
                [Problem("", f"cannot read workbook: {str(e).splitlines()[0]}", str(src))]
            ) from None
        low = {k.lower(): v for k, v in sheets.items()}
        missing = [t for t in TABLE_NAMES[:2] if t not in low]
        if missing:
            raise InputError(
                [
                    Problem(
                        "",
                        f"workbook needs sheets {', '.join(TABLE_NAMES[:2])}"
                        f" (missing {', '.join(missing)})",
                        str(src),
                    )
                ]
            )
        frames = {t: low.get(t, pd.DataFrame()) for t in TABLE_NAMES}
        names = {t: f"{src}[{t}]" for t in TABLE_NAMES}
    else:
        frames, names = {}, {}
        for t in TABLE_NAMES:
            p = _find(src, t)
            if p is None and t in ("plants", "flows"):
                raise InputError(
                    [Problem("", f"no {t}.csv or {t}.parquet in the folder", str(src))]
                )
            frames[t] = _read(p) if p is not None else pd.DataFrame()
            names[t] = str(p) if p is not None else f"{src}/{t}"
    for df in frames.values():
        df.columns = [str(c).strip() for c in df.columns]
    calc_cols = [c for c in frames["interventions"].columns if c == "calc" or c.startswith("calc.")]
    if calc_cols:
        raise InputError(
            [
                Problem(
                    f"column {calc_cols[0]!r}",
                    "tidy tables carry precomputed changes only: engineering calculators "
                    "('calc') are read from scenario files; give the change as 'by' or 'to' "
                    "(recp.tables.tables_from_scenarios writes a scenario's computed changes "
                    "as 'by' rows)",
                    names["interventions"],
                )
            ]
        )
    return Tables(
        frames["plants"],
        frames["flows"],
        frames["interventions"],
        names,
        frames["scenarios"],
        frames["processes"],
    )


def _need_plant_column(columns: Any, table: str, name: str) -> None:
    if "plant" not in [str(c).strip() for c in columns]:
        raise InputError([Problem("", f"the {table} table needs a 'plant' column", name)])


#: A table's plant column: as text, or as integer codes into distinct values (from Arrow).
PlantColumn: TypeAlias = "pd.Series | pa.Array | None"


def _text_array(col: pd.Series | pa.Array) -> pa.Array:
    """A column of plant ids as one Arrow text array ('' for a missing cell), stripped.

    Stripped as validation reads ids (:meth:`recp.rules.Text.column`), so a row goes to the
    chunk of the plant it is checked against.
    """
    import pyarrow as pa  # lazy: CLI start-up
    import pyarrow.compute as pc  # lazy: CLI start-up

    if isinstance(col, pd.Series):
        col = pa.array(col.astype("string[pyarrow]").fillna("").to_numpy(dtype=object))
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    text = [
        pc.cast(c.dictionary_decode() if pa.types.is_dictionary(c.type) else c, pa.string())
        for c in chunks
    ]
    ids = pc.fill_null(pa.concat_arrays(text) if text else pa.array([], pa.string()), "")
    return pc.utf8_trim_whitespace(ids)


class _IdLookup:
    """Texts to find among the plant ids, gathered first and joined in one hash lookup.

    Arrow's ``index_in`` hashes its value set at every call: one call for the dictionaries of
    every table hashes the 200,000 ids of a large portfolio once, not once per row group.
    """

    def __init__(self) -> None:
        self.parts: list[Any] = []
        self.size = 0

    def add(self, text: Any) -> slice:
        """Add texts; where their results will be in :meth:`chunks`."""
        self.parts.append(text)
        self.size += len(text)
        return slice(self.size - len(text), self.size)

    def chunks(self, plant_ids: Any, chunk_of: np.ndarray) -> np.ndarray:
        """``chunk_of`` the plant of every text added (``chunk_of[-1]`` for no plant)."""
        import pyarrow as pa  # lazy: CLI start-up
        import pyarrow.compute as pc  # lazy: CLI start-up

        if not self.parts:
            return np.zeros(0, dtype=np.int64)
        text = pa.concat_arrays(self.parts)
        where = pc.fill_null(pc.index_in(text, value_set=plant_ids), -1)
        return np.asarray(chunk_of[where.to_numpy(zero_copy_only=False)])


def _column_codes(col: pd.Series | pa.Array, look: _IdLookup) -> list[tuple[slice, np.ndarray]]:
    """A ``plant`` column as (its texts in ``look``, codes into them), part by part.

    A column read from Parquet as dictionaries (one per row group, shared by its batches)
    adds each dictionary once, so no string of its millions of rows is hashed; any other
    column is encoded here. Texts are stripped and a missing plant is '', as validation reads
    them (:func:`_text_array`).
    """
    import pyarrow as pa  # lazy: CLI start-up
    import pyarrow.compute as pc  # lazy: CLI start-up

    if not (isinstance(col, pa.ChunkedArray) and pa.types.is_dictionary(col.type)):
        enc = _text_array(col).dictionary_encode()
        return [(look.add(enc.dictionary), enc.indices.to_numpy(zero_copy_only=False))]
    seen: dict[tuple[Any, ...], slice] = {}
    out = []
    for c in col.chunks:
        d = c.dictionary
        key = (d.offset, len(d), *(b.address for b in d.buffers() if b is not None))
        if key not in seen:  # the dictionary's texts as validation reads them, then ''
            text = pc.utf8_trim_whitespace(pc.cast(d, pa.string()))
            seen[key] = look.add(pa.concat_arrays([text, pa.array([""])]))
        idx = c.indices if not c.indices.null_count else pc.fill_null(c.indices, len(d))
        out.append((seen[key], idx.to_numpy(zero_copy_only=False)))
    return out


def chunk_rows(
    plant_ids: pd.Series | pa.Array, plant_cols: dict[str, PlantColumn], chunk_plants: int
) -> list[dict[str, np.ndarray]]:
    """Rows of every table in each chunk of at most ``chunk_plants`` plants (hash join).

    A chunk holds consecutive plants of the plants table; a row of another table goes with its
    plant's chunk (chunk 0 for an unknown plant, which is reported there), in table order.
    The join runs in Arrow's hash kernels over the distinct ids: a row costs an integer, never
    a Python string.
    """
    ids = _text_array(plant_ids).dictionary_encode()  # distinct ids in order of appearance
    n = len(ids)
    n_chunks = max((n + chunk_plants - 1) // chunk_plants, 1)
    first = np.zeros(len(ids.dictionary), dtype=np.int64)  # the first row of each id
    rev = np.arange(n - 1, -1, -1)
    first[ids.indices.to_numpy(zero_copy_only=False)[rev]] = rev  # the last write wins
    chunk_of_id = np.append(first // chunk_plants, 0)  # [-1]: an unknown plant, chunk 0
    out: list[dict[str, np.ndarray]] = [
        {"plants": np.arange(k * chunk_plants, min((k + 1) * chunk_plants, n))}
        for k in range(n_chunks)
    ]
    if n_chunks == 1:
        out[0]["plants"] = np.arange(n)
    look = _IdLookup()
    codes = {t: _column_codes(c, look) for t, c in plant_cols.items() if c is not None and len(c)}
    chunk_of_text = look.chunks(ids.dictionary, chunk_of_id)
    for table in plant_cols:
        if table not in codes:  # an empty table
            for o in out:
                o[table] = np.zeros(0, dtype=np.int64)
            continue
        chunk = np.concatenate([chunk_of_text[at][c] for at, c in codes[table]])
        if len(chunk) > 1 and np.all(chunk[1:] >= chunk[:-1]):  # grouped in plant order
            bounds = np.searchsorted(chunk, np.arange(n_chunks + 1))
            for k in range(n_chunks):
                out[k][table] = np.arange(bounds[k], bounds[k + 1], dtype=np.int64)
            continue
        order = np.argsort(chunk, kind="stable")  # rows of an unknown plant go to chunk 0
        bounds = np.searchsorted(chunk[order], np.arange(n_chunks + 1))
        for k in range(n_chunks):
            out[k][table] = order[bounds[k] : bounds[k + 1]].astype(np.int64)
    return out


def read_tables_chunks(src: Path, chunk_plants: int) -> Iterator[Tables]:
    """Read the tables and yield them in chunks of at most ``chunk_plants`` plants."""
    t = read_tables(src)
    for table in ("plants", "flows"):
        _need_plant_column(getattr(t, table).columns, table, t.names[table])
    cols = {
        name: (df["plant"] if "plant" in df.columns else pd.Series([""] * len(df), dtype=object))
        for name in TABLE_NAMES[1:]
        if (df := getattr(t, name)) is not None and len(df)
    }
    parts = chunk_rows(t.plants["plant"], cols, chunk_plants)
    if len(parts) == 1:
        yield t
        return

    def take(df: pd.DataFrame | None, rows: np.ndarray | None) -> pd.DataFrame | None:
        if df is None or rows is None or not len(df):
            return df
        return df.iloc[rows].reset_index(drop=True)

    for part in parts:
        got = {name: take(getattr(t, name), part.get(name)) for name in TABLE_NAMES}
        yield Tables(
            got["plants"],
            got["flows"],
            got["interventions"],
            t.names,
            got["scenarios"],
            got["processes"],
            rows=part,
        )


@dataclass(frozen=True)
class TableSlice:
    """One chunk of Parquet tables as file paths and row runs, not data (a worker reads it).

    ``runs[table]`` is an ``(n, 2)`` array of ``[start, stop)`` row ranges of that table's file;
    inputs grouped by plant give one run per table.
    """

    names: dict[str, str]
    paths: dict[str, str]
    runs: dict[str, np.ndarray]

    def rows(self, table: str) -> np.ndarray:
        """The rows of ``table`` in this slice, ascending."""
        r = self.runs.get(table)
        if r is None or not len(r):
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(a, b) for a, b in r]).astype(np.int64)


def _runs(rows: np.ndarray) -> np.ndarray:
    """Sorted row positions as ``[start, stop)`` runs."""
    if not len(rows):
        return np.zeros((0, 2), dtype=np.int64)
    cut = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = rows[np.concatenate([[0], cut])]
    stops = rows[np.concatenate([cut - 1, [len(rows) - 1]])] + 1
    return np.stack([starts, stops], axis=1).astype(np.int64)


def is_parquet_tables(src: Path) -> bool:
    """True for a folder whose tables are all Parquet (workers then read their own slices)."""
    if not src.is_dir() or _find(src, "plants") is None:
        return False
    return all(p is None or p.suffix == ".parquet" for p in (_find(src, t) for t in TABLE_NAMES))


def parquet_rows(src: Path, table: str) -> int:
    """Rows of a table in a folder of Parquet tables, from its footer (0: missing, unreadable)."""
    import pyarrow.parquet as pq  # lazy: CLI start-up

    p = _find(src, table)
    try:
        return int(pq.ParquetFile(p).metadata.num_rows) if p is not None else 0
    except Exception:  # noqa: BLE001 - planning reports an unreadable table, with its place
        return 0


def plan_slices(src: Path, chunk_plants: int) -> list[TableSlice]:
    """Split a folder of Parquet tables into chunks, reading only the ``plant`` columns."""
    import pyarrow as pa  # lazy: CLI start-up
    import pyarrow.parquet as pq  # lazy: CLI start-up

    paths: dict[str, str] = {}
    names: dict[str, str] = {}
    cols: dict[str, PlantColumn] = {}
    plant_ids: pd.Series | pa.Array = pa.array([], pa.string())
    for t in TABLE_NAMES:
        p = _find(src, t)
        names[t] = str(p) if p is not None else f"{src}/{t}"
        if p is None:
            if t in ("plants", "flows"):
                raise InputError(
                    [Problem("", f"no {t}.csv or {t}.parquet in the folder", str(src))]
                )
            continue
        try:
            footer = pq.ParquetFile(p)
            schema, n_rows = footer.schema_arrow, footer.metadata.num_rows
            has = [n for n in schema.names if str(n).strip() == "plant"]
            text = [
                n
                for n in has[:1]
                if pa.types.is_string(ty := schema.field(n).type) or pa.types.is_large_string(ty)
            ]
            # the file's own reader, not read_table's dataset layer: 0.1-0.3 s instead of
            # 0.3-0.5 s for the four columns of 200,000 plants (a chunk per row group)
            reader = pq.ParquetFile(p, read_dictionary=text)
            col = reader.read(columns=has[:1]).column(0) if has else None
        except Exception as e:  # noqa: BLE001 - any reader failure is an input problem
            raise InputError(
                [Problem("", f"cannot read table: {str(e).splitlines()[0]}", str(p))]
            ) from None
        if t in ("plants", "flows"):
            _need_plant_column(schema.names, t, names[t])
        paths[t] = str(p)
        if t == "plants":
            assert col is not None
            plant_ids = col
        else:  # a table without a plant column goes to chunk 0, where it is reported
            cols[t] = col if col is not None else pa.nulls(n_rows, pa.string())
    parts = chunk_rows(plant_ids, cols, chunk_plants)
    plan = [TableSlice(names, paths, {t: _runs(part[t]) for t in part}) for part in parts]
    # the plant columns' buffers go back to the system, not to a pool the forked workers would
    # each inherit: the parent holds ~0.19 GB instead of ~0.34 GB at 200,000 plants
    del cols, plant_ids, parts
    pa.default_memory_pool().release_unused()
    return plan


def read_slice(sl: TableSlice) -> Tables:
    """Read a :class:`TableSlice`: only the row groups that hold its rows."""
    frames: dict[str, pd.DataFrame | None] = {}
    rows: dict[str, np.ndarray] = {}
    text: dict[str, dict[str, Any]] = {}
    for t in TABLE_NAMES:
        if t not in sl.paths:
            frames[t] = pd.DataFrame()
            continue
        want = sl.rows(t)
        rows[t] = want
        try:
            frames[t], text[t] = _read_rows(sl.paths[t], want)
        except Exception as e:  # noqa: BLE001 - any reader failure is an input problem
            raise InputError(
                [Problem("", f"cannot read table: {str(e).splitlines()[0]}", sl.paths[t])]
            ) from None
    return Tables(
        frames["plants"] if frames["plants"] is not None else pd.DataFrame(),
        frames["flows"] if frames["flows"] is not None else pd.DataFrame(),
        frames["interventions"] if frames["interventions"] is not None else pd.DataFrame(),
        sl.names,
        frames["scenarios"],
        frames["processes"],
        rows=rows,
        text=text,
    )


def _read_rows(path: str, want: np.ndarray) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows ``want`` of a Parquet file, and its text columns as dictionary arrays.

    Text is read as Parquet stores it (dictionary pages): the rows not wanted cost an integer
    each, not a string; the frame holds the text decoded, as :func:`pandas.read_parquet` would.
    """
    import pyarrow as pa  # lazy: CLI start-up
    import pyarrow.parquet as pq  # lazy: CLI start-up

    schema = pq.read_schema(path)
    texts = _text_fields(schema)
    f = pq.ParquetFile(path, read_dictionary=texts)  # other columns: as pandas would read
    sizes = [f.metadata.row_group(g).num_rows for g in range(f.num_row_groups)]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    if len(want):
        tab = _take_rows(f, path, starts, want).unify_dictionaries()
    else:
        tab = f.schema_arrow.empty_table()
    cols, text = [], {}
    for field, col in zip(schema, tab.columns, strict=True):
        if field.name in texts and pa.types.is_dictionary(col.type):
            arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
            text[str(field.name).strip()] = arr
            col = arr.dictionary_decode().cast(field.type)
        cols.append(col)
    df = pa.Table.from_arrays(cols, schema=schema).to_pandas().reset_index(drop=True)
    df.columns = [str(c).strip() for c in df.columns]
    return df, text


#: The rows of its last row group after the last rows this process read of each file, by
#: path: the next chunk of a file grouped by plant starts there, so a worker decodes a row group
#: once, not once per chunk (and holds no more of it than the chunks to come). Kept with the
#: file's size, modification time and footer: a changed file is read again.
_REST: dict[str, tuple[tuple[int, int, int], Any, int, Any]] = {}


def _text_fields(schema: Any) -> list[str]:
    """The text columns of an Arrow schema (read as dictionaries: Parquet's own pages)."""
    import pyarrow as pa  # lazy: CLI start-up

    return [
        f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]


def prefetch(src: Path) -> None:
    """Decode the first row group of every table of a folder of Parquet tables, for later.

    A worker's first chunk reads them (:func:`read_slice` takes them from here): a worker
    process does it while the parent is still planning. Nothing happens for other inputs, or
    if a table cannot be read (its chunk reports that).
    """
    import pyarrow.parquet as pq  # lazy: CLI start-up

    if not is_parquet_tables(src):
        return
    for t in TABLE_NAMES:
        p = _find(src, t)
        try:
            if p is None or str(p) in _REST:
                continue
            f = pq.ParquetFile(p, read_dictionary=_text_fields(pq.read_schema(p)))
            if f.num_row_groups:
                _keep(str(p), p.stat(), 0, f.metadata, 0, f.read_row_group(0))
        except Exception:  # noqa: BLE001, S112 - the chunk that reads it reports the problem
            continue


def _take_rows(f: Any, path: str, starts: np.ndarray, want: np.ndarray) -> Any:
    """Rows ``want`` (ascending positions) of the open Parquet file ``f`` as a table.

    ``starts`` holds the first row of each row group (and the row count last).
    """
    import pyarrow as pa  # lazy: CLI start-up

    st = Path(path).stat()
    g0 = int(np.searchsorted(starts, want[0], side="right") - 1)
    g1 = int(np.searchsorted(starts, want[-1], side="right") - 1)
    rest = _REST.pop(path, None)
    tabs, first = [], int(starts[g0])  # ``first``: the file row of the tables' first row
    for g in range(g0, g1 + 1):
        if (
            rest is not None
            and rest[0] == _rest_key(st, g)
            and rest[1].equals(f.metadata)
            and rest[2] <= (want[0] if g == g0 else starts[g])
        ):
            tabs.append(rest[3])  # this group's rows from rest[2] on, read for an earlier chunk
            first = rest[2] if g == g0 else first
        else:
            tabs.append(f.read_row_group(g))
    whole = pa.concat_tables(tabs) if len(tabs) > 1 else tabs[0]
    if int(want[-1]) - int(want[0]) + 1 == len(want):  # one run of rows (grouped by plant)
        out = whole.slice(int(want[0]) - first, len(want))  # a view, no copy
    else:
        out = whole.take(pa.array(want - first))
    last_first = first if g1 == g0 else int(starts[g1])
    after = tabs[-1].slice(int(want[-1]) + 1 - last_first)
    if after.num_rows:  # a view: the row group is held until its last rows are read
        _keep(path, st, g1, f.metadata, int(want[-1]) + 1, after)
    return out


def _rest_key(st: Any, group: int) -> tuple[int, int, int]:
    """What a kept row group is checked against: its file's size and time, and its number."""
    return (st.st_size, st.st_mtime_ns, group)


def _keep(path: str, st: Any, group: int, footer: Any, start: int, rows: Any) -> None:
    """Keep the rows of row group ``group`` of a file from file row ``start`` on (``_REST``)."""
    _REST[path] = (_rest_key(st, group), footer, start, rows)


# -- validation: the rules of recp.rules over whole columns ----------------------------------


class _Errors:
    def __init__(self, names: dict[str, str]):
        self.rows: list[dict[str, Any]] = []
        self.names = names

    def add(
        self,
        mask: np.ndarray,
        plants: Any,
        table: str,
        ids: Any,
        column: str,
        message: Any,
    ) -> None:
        """Record a problem for every row in ``mask`` (message: str, or one per problem row)."""
        for i in np.flatnonzero(mask).tolist():  # error rows only
            msg = message if isinstance(message, str) else str(message[i])
            what = f" ({ids[i]})" if ids is not None and ids[i] not in (None, "") else ""
            self.rows.append(
                {
                    "plant": str(plants[i]),
                    "file": self.names.get(table, table),
                    "place": f"{table} row {i + 2}{what}.{column}",
                    "message": msg,
                }
            )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=ERROR_COLUMNS)


class _Frame:
    """A table's columns, each read once per chunk: text as codes, quantities split.

    Every check of the table asks this object, so a column that several rules look at is
    converted once (Arrow kernels), and the rules compare integer codes, not Python strings.
    """

    def __init__(self, df: pd.DataFrame | None, arrow: dict[str, Any] | None = None):
        self.df = df if df is not None else pd.DataFrame()
        self.arrow = arrow or {}  # column -> Arrow dictionary array (Parquet's own codes)
        self._text: dict[tuple[str, str, bool], Text] = {}
        self._qty: dict[str, tuple[np.ndarray, Text, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.df)

    @property
    def columns(self) -> pd.Index:
        return self.df.columns

    def text(self, col: str, default: str = "", strip: bool = True) -> Text:
        """A text column, stripped (``default`` where empty or absent)."""
        key = (col, default, strip)
        if key not in self._text:
            if col not in self.df.columns:
                self._text[key] = Text.full(len(self.df), default)
            elif col in self.arrow and self.df.columns.tolist().count(col) == 1:
                self._text[key] = Text.dictionary(self.arrow[col], default, strip)
            else:
                self._text[key] = Text.column(self.df[col], default, strip)
        return self._text[key]

    def qty(self, col: str) -> tuple[np.ndarray, Text, np.ndarray]:
        """:func:`rules.split_quantity` of a column: (value, unit, given; a copy to change)."""
        if col not in self._qty:
            self._qty[col] = split_quantity(self.df, col, lambda c: self.text(c, "", strip=False))
        v, u, g = self._qty[col]
        return v, u, g.copy()


def _rows_msg(mask: np.ndarray, msg: str, out: dict[int, str] | None = None) -> dict[int, str]:
    """``msg`` for every row of ``mask`` (added to ``out``)."""
    out = {} if out is None else out
    out |= dict.fromkeys(np.flatnonzero(mask).tolist(), msg)
    return out


def _text(df: pd.DataFrame, col: str, default: str = "") -> np.ndarray:
    return _Frame(df).text(col, default).values


def _cell(df: pd.DataFrame, col: str, i: int) -> Any:
    """A quantity cell as a scenario file would hold it (for parse messages; error rows only)."""
    v = df[col].iloc[i]
    unit_col = f"{col}_unit" if f"{col}_unit" in df.columns else "unit"
    if (
        not isinstance(v, str)
        and unit_col in df.columns
        and (col == "amount" or unit_col != "unit")
    ):
        u = df[unit_col].iloc[i]
        return {"value": v, "unit": "" if u is None or u != u else str(u)}
    return v.item() if isinstance(v, np.generic) else v


def _per_row(mask: np.ndarray, make: Any) -> dict[int, str]:
    """A message per row of ``mask`` (problem rows only)."""
    return {i: make(i) for i in np.flatnonzero(mask).tolist()}  # problem rows only


def _unreadable(
    fr: _Frame, col: str, values: np.ndarray, units: Text, given: np.ndarray
) -> tuple[np.ndarray, dict[int, str]]:
    """Given cells that are no quantity (bad number, unknown unit): rows and parse messages."""
    bad = given & ~np.isfinite(values)
    for k in np.unique(units.codes[given & ~bad]).tolist():  # distinct units only
        if rules.unit_error(units.uniq[k]):
            bad |= given & (units.codes == k)
    msgs: dict[int, str] = {}
    for i in np.flatnonzero(bad).tolist():  # error rows only
        try:
            parse_quantity(_cell(fr.df, col, i))
            msgs[i] = rules.unit_error(str(units[i])) or ""
        except UnitError as e:
            msgs[i] = e.problems[0].message
    return bad, msgs


@dataclass
class _Plants:
    """The plants table's columns, validated (canonical units)."""

    pid: Text
    dup: np.ndarray
    country: np.ndarray
    currency: Text
    gwp: np.ndarray
    grid: np.ndarray
    grid_cm: np.ndarray
    rate: np.ndarray
    production: np.ndarray
    punit: np.ndarray
    index: pd.Index
    first_pos: np.ndarray
    combustion: np.ndarray  # code into COMBUSTION_SECTORS of the plant's fuels, from its sector
    carbon_price: np.ndarray  # plant currency/(t CO2e), NaN when not given
    tariff: np.ndarray | None = None  # (P, pollutants) effluent charge [currency/kg], NaN

    def lookup(self, values: Text) -> np.ndarray:
        """Position in the plants table of each plant id (-1 when unknown)."""
        if len(values) == 0:
            return np.zeros(0, dtype=np.int64)
        hit = self.index.get_indexer(pd.Index(values.uniq, dtype=object))
        pos = np.where(hit >= 0, self.first_pos[np.maximum(hit, 0)], -1).astype(np.int64)
        return np.asarray(pos[values.codes])

    def currency_of(self, pos: np.ndarray) -> Text:
        """The currency of each row's plant (USD for an unknown plant)."""
        cur = self.currency
        mine = Text(cur.codes[np.maximum(pos, 0)] if len(cur) else np.zeros(len(pos)), cur.uniq)
        return mine.where((pos >= 0) & (len(cur) > 0), Text.full(len(pos), "USD"))


def _check_plants(pl: _Frame, err: _Errors) -> _Plants:
    P = len(pl)
    pid = pl.text("plant")
    add = partial(err.add, plants=pid, table="plants", ids=pid)
    err.add(pid.eq(""), pid, "plants", None, "plant", message("id_missing", what="plant"))
    dup = pd.Series(pid.codes).duplicated(keep="first").to_numpy() & pid.ne("")
    add(dup, column="plant", message=message("plant_duplicate"))
    country_raw = pl.text("country")
    country = country_raw.map(lambda u: rules.country(u)[0])  # distinct values only
    bad, msg = rules.choice(country_raw, [], "country", country == None)  # noqa: E711
    add(bad, column="country", message=msg)
    currency = pl.text("currency", "USD")
    currency = currency.where(currency.ne(""), Text.full(P, "USD"))
    bad, msg = rules.choice(currency, CURRENCIES, "currency", np.ones(P, bool))
    add(bad, column="currency", message=msg)
    gwp_raw = pl.text("gwp", "AR5")
    gwp_raw = gwp_raw.where(gwp_raw.ne(""), Text.full(P, "AR5"))
    gwp = gwp_raw.map(rules.gwp)  # distinct values only
    bad, _ = rules.choice(gwp, GWP_CHOICES, "gwp", np.ones(P, bool))
    msg = {}
    for u in gwp_raw.distinct(bad):  # distinct bad values only
        _rows_msg(bad & gwp_raw.eq(u), rules.choice_message("gwp", u, GWP_CHOICES), msg)
    add(bad, column="gwp", message=msg)
    grid = _plant_quantity(pl, "grid_factor", "t CO2e/GJ", add)
    add(
        ~np.isnan(grid) & (grid < 0),
        column="grid_factor",
        message=_q_msgs(pl, "grid_factor", "negative", grid < 0),
    )
    basis = pl.text("grid_basis")
    bad, msg = rules.choice(basis, rules.GRID_BASES, "grid_basis", basis.ne(""))
    add(bad, column="grid_basis", message=msg)
    own = basis.eq("combustion") & np.isnan(grid)
    add(own, column="grid_basis", message=message("grid_basis_combustion"))
    grid_cm = _plant_quantity(pl, "grid_cm", "t CO2e/GJ", add)
    add(
        ~np.isnan(grid_cm) & (grid_cm < 0),
        column="grid_cm",
        message=_q_msgs(pl, "grid_cm", "negative", grid_cm < 0),
    )
    rate = _plant_quantity(pl, "discount_rate", "dimensionless", add)
    out = ~np.isnan(rate) & ~((rate > -0.99) & (rate < 1))
    add(out, column="discount_rate", message=_q_msgs(pl, "discount_rate", "rate_range", out))
    pv, pu, pg = pl.qty("production")
    bad, msg = _unreadable(pl, "production", pv, pu, pg)
    add(bad, column="production", message=msg)
    notpos = pg & ~bad & ~(pv > 0)
    add(notpos, column="production", message=rules.quantity_messages("positive", notpos, pv, pu))
    ok = pg & ~bad
    production = np.where(ok, pv, np.nan)
    punit = pu.map(lambda uu: fmt_unit(uu) if uu else "", where=ok, fill="")  # distinct units
    # the first row of each id (several plants without an id are reported, not looked up)
    first_pos = np.flatnonzero(~pd.Series(pid.codes).duplicated(keep="first").to_numpy())
    return _Plants(
        pid,
        dup,
        country,
        currency,
        gwp,
        grid,
        grid_cm,
        rate,
        production,
        punit,
        pd.Index(pid.values[first_pos]),
        first_pos,
        _combustion_defaults(pl.text("sector")),
        _carbon_price(pl, currency, add),
        _tariffs(pl, currency, add),
    )


def _carbon_price(pl: _Frame, currency: Text, add: Any) -> np.ndarray:
    """Each plant's credit price in its currency per t CO2e (a bare number is in it)."""
    v, u, g = pl.qty("carbon_price")
    bad, msg = _unreadable(pl, "carbon_price", v, u, g)
    add(bad, column="carbon_price", message=msg)
    g &= ~bad & (rules.codes(currency, CURRENCIES) >= 0)  # a bad currency is reported once
    out = np.full(len(pl), np.nan)
    for c in currency.distinct(g):  # distinct currencies and units only
        unit, what = rules.carbon_price_unit(c)
        in_c = g & currency.eq(c)
        for uu in u.distinct(in_c):
            rows = in_c & u.eq(uu)
            f = rules.unit_factor(uu or unit, unit)
            if f is None:
                add(
                    rows,
                    column="carbon_price",
                    message=rules.quantity_messages("plant_quantity", rows, v, u, what=what),
                )
            else:
                out[rows] = v[rows] * f
    neg = out < 0
    add(neg, column="carbon_price", message=_q_msgs(pl, "carbon_price", "negative", neg))
    return out


def _tariffs(df: _Frame, currency: Text, add: Any) -> np.ndarray:
    """Columns ``effluent_tariff.<pollutant>``: charges [currency of the row per kg], NaN."""
    N = len(df)
    rate = np.full((N, len(POLLUTANTS)), np.nan)
    for k, name in enumerate(POLLUTANTS):
        col = f"effluent_tariff.{name}"
        if col not in df.columns:
            continue
        tv, tu, tg = df.qty(col)
        for c in currency.distinct(tg):  # distinct currencies only
            rows = np.flatnonzero(tg & currency.eq(c))
            tval, tcode, _ = convert(tv[rows], tu[rows], (f"{c}/kg",))
            bad = (tcode < 0) | ~(tval >= 0)
            mask = np.zeros(N, dtype=bool)
            mask[rows[bad]] = True
            add(mask, column=col, message=f"not a charge per kg in {c} (e.g. '0.5 {c}/kg')")
            rate[rows[~bad], k] = tval[~bad]
    return rate


def _combustion_defaults(sector: Text) -> np.ndarray:
    """Each plant's combustion category code, from its sector (a loop over distinct sectors)."""
    code = sector.map(
        lambda s: rules.COMBUSTION_SECTORS.index(rules.combustion_sector(s)), np.int64, fill=0
    )
    return np.asarray(code, dtype=np.int64)


def _q_msgs(df: _Frame, col: str, rule: str, mask: np.ndarray, **fields: Any) -> dict[int, str]:
    v, u, _ = df.qty(col)
    return rules.quantity_messages(rule, mask, v, u, **fields)


def _plant_quantity(pl: _Frame, col: str, target: str, add: Any) -> np.ndarray:
    """A plant-level quantity in ``target`` (NaN when not given or wrong)."""
    v, u, g = pl.qty(col)
    bad, msg = _unreadable(pl, col, v, u, g)
    add(bad, column=col, message=msg)
    val, code, _ = convert(v, u, (target,))
    wrong = g & ~bad & (code < 0)
    what = rules.PLANT_QUANTITIES[col][1]
    add(
        wrong, column=col, message=rules.quantity_messages("plant_quantity", wrong, v, u, what=what)
    )
    return np.where(g & ~bad & ~wrong, val, np.nan)


@dataclass
class _Flows:
    """The flows table's columns, validated (canonical units, integer codes)."""

    plant: Text  # plant id per row
    pos: np.ndarray  # position in the plants table
    fid: Text
    ftype: np.ndarray
    amount: np.ndarray
    basis: np.ndarray
    unit: Text  # the amount's unit as given
    amount_bad: np.ndarray
    cols: dict[str, np.ndarray]  # FlowTable columns by name


def _check_flows(fl: _Frame, plants: _Plants, err: _Errors, lib: FactorLibrary) -> _Flows:
    N = len(fl)
    fpl, fid = fl.text("plant"), fl.text("id")
    add = partial(err.add, plants=fpl, table="flows", ids=fid)
    fpos = plants.lookup(fpl)
    add(fpos < 0, column="plant", message=message("plant_unknown"))
    err.add(fid.eq(""), fpl, "flows", None, "id", message("id_missing", what="flow"))
    key = fpl.codes * max(len(fid.uniq), 1) + fid.codes  # (plant, id) as one integer
    fdup = pd.Series(key).duplicated().to_numpy()
    dmsg: dict[int, str] = {}
    if fdup.any():  # problem rows only
        group = np.asarray(pd.factorize(key, sort=False)[0], dtype=np.int64)
        first_row = np.zeros(int(group.max()) + 1, dtype=np.int64)
        first_row[group[::-1]] = np.arange(N)[::-1]
        for i in np.flatnonzero(fdup).tolist():
            other = f"flows row {first_row[group[i]] + 2}"
            dmsg[i] = message("flow_duplicate", value=fid[i], other=other)
    add(fdup, column="id", message=dmsg)
    ftype_s = fl.text("type")
    bad, msg = rules.choice(ftype_s, FLOW_TYPES, "flow_type", np.ones(N, bool))
    add(bad, column="type", message=msg)
    ftype = rules.codes(ftype_s, FLOW_TYPES)
    av, au, ag = fl.qty("amount")
    missing = ~ag
    msg = {}
    for tname in ftype_s.distinct(missing):  # distinct flow types only
        example = rules.EXAMPLES.get(tname, "12 t").split("'")[0]
        _rows_msg(missing & ftype_s.eq(tname), message("amount_missing", example=example), msg)
    add(missing, column="amount", message=msg)
    unread, msg = _unreadable(fl, "amount", av, au, ag)
    add(unread, column="amount", message=msg)
    amount, basis, _ = convert(av, au, BASES)
    basis = np.where(basis < 0, B_OTHER, basis)
    amount = np.where(basis == B_OTHER, av, amount)
    dim_bad = np.zeros(N, bool)
    for tc, tname in enumerate(FLOW_TYPES):
        allowed = rules.AMOUNT_UNITS.get(tname)
        if allowed is None:
            continue
        m = (ftype == tc) & ag & ~unread & ~np.isin(basis, [BASES.index(u) for u in allowed])
        dim_bad |= m
        want = " or ".join(rules.DIMENSION_NAMES[u] for u in allowed)
        add(
            m,
            column="amount",
            message=rules.quantity_messages(
                "amount_dimension", m, av, au, want=want, type=tname, example=rules.EXAMPLES[tname]
            ),
        )
    amount_bad = dim_bad | unread | missing
    neg = ~amount_bad & (av < 0)
    add(neg, column="amount", message=rules.quantity_messages("negative", neg, av, au))
    cols: dict[str, np.ndarray] = {}
    _check_fuels(fl, ftype, basis, amount_bad, add, lib, cols)
    _check_flow_keys(fl, ftype, add, cols)
    _check_emission_sources(fl, ftype, add, lib, cols)
    _check_prices(fl, ftype, basis, au, amount_bad, plants.currency_of(fpos), add, cols)
    _check_effluent(fl, ftype, amount, plants, fpos, add, cols)
    _check_combustion(fl, ftype, plants.combustion, fpos, add, cols)
    return _Flows(fpl, fpos, fid, ftype, amount, basis, au, amount_bad, cols)


def _check_combustion(
    fl: _Frame,
    ftype: np.ndarray,
    default: np.ndarray,
    fpos: np.ndarray,
    add: Any,
    cols: dict[str, np.ndarray],
) -> None:
    """Each fuel's IPCC combustion category: its own, or its plant's (from the sector)."""
    cs = fl.text("combustion_sector")
    is_fuel = ftype == FLOW_TYPES.index("fuel")
    given = cs.ne("")
    add(given & ~is_fuel, column="combustion_sector", message=message("combustion_sector_type"))
    bad, msg = rules.choice(cs, rules.COMBUSTION_SECTORS, "combustion_sector", is_fuel & given)
    add(bad, column="combustion_sector", message=msg)
    own = rules.codes(cs, rules.COMBUSTION_SECTORS)
    plant = default[np.maximum(fpos, 0)] if len(default) else np.ones(len(fl), dtype=np.int64)
    cols["comb"] = np.where(own >= 0, own, np.where(fpos >= 0, plant, 1))


def _check_fuels(
    fl: _Frame,
    ftype: np.ndarray,
    basis: np.ndarray,
    amount_bad: np.ndarray,
    add: Any,
    lib: FactorLibrary,
    cols: dict[str, np.ndarray],
) -> None:
    """Carrier, calorific value and density (fuels), and carriers on other flows."""
    carrier = fl.text("carrier")
    is_fuel = (ftype == FLOW_TYPES.index("fuel")) & ~amount_bad
    has = carrier.ne("")
    nocar = is_fuel & ~has
    hint = did_you_mean("", lib.carriers, show=rules.SHOW["carrier"])
    add(nocar, column="carrier", message=message("carrier_missing", hint=hint))
    bad, msg = rules.choice(carrier, lib.carriers, "carrier", is_fuel & has)
    add(bad, column="carrier", message=msg)
    fuel_ok = is_fuel & ~bad & ~nocar
    cols["carrier"] = np.where(fuel_ok, rules.codes(carrier, lib.carriers), -1)
    other = (ftype != FLOW_TYPES.index("fuel")) & (ftype >= 0) & has
    msg = {}
    for tc in np.unique(ftype[other]).tolist():  # distinct flow types only
        _rows_msg(other & (ftype == tc), message("carrier_not_fuel", type=FLOW_TYPES[tc]), msg)
    add(other, column="carrier", message=msg)
    nv, nu, ng = fl.qty("ncv")
    ncv, ncode, _ = convert(nv, nu, ("GJ/t", "GJ/m3"))
    m = fuel_ok & ng & (ncode < 0)
    add(m, column="ncv", message=rules.quantity_messages("ncv", m, nv, nu))
    dv, du, dg = fl.qty("density")
    dens, dcode, _ = convert(dv, du, ("t/m3",))
    m = fuel_ok & dg & (dcode < 0)
    add(m, column="density", message=rules.quantity_messages("density", m, dv, du))
    for col, v, u, g in (("ncv", nv, nu, ng), ("density", dv, du, dg)):
        m = fuel_ok & g & ~(v > 0)
        add(m, column=col, message=rules.quantity_messages("positive", m, v, u))
    by_volume = fuel_ok & (basis == BASES.index("m3")) & ~(ng & (ncode == 1)) & ~dg
    no_default = rules.codes(carrier, list(lib.table(lib.DENSITIES).rows)) < 0
    m = by_volume & no_default
    msg = {}
    for c in carrier.distinct(m):  # distinct carriers only
        _rows_msg(m & carrier.eq(c), message("fuel_volume", carrier=c), msg)
    add(m, column="amount", message=msg)
    cols["ncv_mass"] = np.where(ncode == 0, ncv, np.nan)
    cols["ncv_vol"] = np.where(ncode == 1, ncv, np.nan)
    cols["density"] = np.where(dcode == 0, dens, np.nan)


def _check_flow_keys(fl: _Frame, ftype: np.ndarray, add: Any, cols: dict[str, np.ndarray]) -> None:
    """Water source, waste keys and an electricity or heat flow's own emission factor."""
    src = fl.text("source")
    sources = water_sources()
    is_water = ftype == FLOW_TYPES.index("water")
    bad, msg = rules.choice(src, WATER_SOURCES, "source", is_water & src.ne(""))
    add(bad, column="source", message=msg)
    cols["source"] = np.where(
        is_water & src.ne("") & ~bad, rules.codes(src, sources), len(sources) - 1
    )
    haz = fl.text("hazardous").lower()
    is_waste = ftype == FLOW_TYPES.index("waste")
    haz_code = rules.codes(haz, _BOOLS)
    add(is_waste & (haz_code < 0), column="hazardous", message=message("hazardous"))
    cols["hazardous"] = np.isin(haz_code, [0, 1, 2])
    route = fl.text("route")
    bad, msg = rules.choice(route, WASTE_ROUTES, "route", is_waste & route.ne(""))
    add(bad, column="route", message=msg)
    cols["route"] = np.where(is_waste & route.ne(""), rules.codes(route, waste_routes()), -1)
    own = (ftype == FLOW_TYPES.index("electricity")) | (ftype == FLOW_TYPES.index("heat"))
    for key, col, wrong_type in (
        ("emission_factor", "ef", "emission_factor_type"),
        ("market_factor", "market_ef", "market_factor_type"),
    ):
        ev, eu, eg = fl.qty(key)
        ef, ecode, _ = convert(ev, eu, ("t CO2e/GJ",))
        add(eg & ~own, column=key, message=message(wrong_type))
        m = eg & own & (ecode < 0)
        add(m, column=key, message=rules.quantity_messages("emission_factor", m, ev, eu))
        add(
            eg & own & (ecode == 0) & (ef < 0),
            column=key,
            message=message("emission_factor_negative"),
        )
        cols[col] = np.where(ecode == 0, ef, np.nan)
    site_s = fl.text("on_site").lower()
    site = rules.codes(site_s, _BOOLS)
    treated = is_waste | (ftype == FLOW_TYPES.index("wastewater"))
    add(site_s.ne("") & ~treated, column="on_site", message=message("on_site_type"))
    add(site_s.ne("") & treated & (site < 0), column="on_site", message=message("on_site"))
    cols["on_site"] = np.where(site < 0, -1, np.where(site < 3, 1, 0))


def _check_emission_sources(
    fl: _Frame, ftype: np.ndarray, add: Any, lib: FactorLibrary, cols: dict[str, np.ndarray]
) -> None:
    """Wastewater load and treatment; organic waste to landfill (IPCC 2006 Vol. 5)."""
    is_ww = ftype == FLOW_TYPES.index("wastewater")
    for key in WASTEWATER_KEYS:
        given = (
            fl.qty(key)[2] if key in ("cod", "nitrogen", "ch4_recovery") else fl.text(key).ne("")
        )
        add(given & ~is_ww, column=key, message=message("wastewater_only", key=key))
    # read as concentrations or loads in _check_effluent; here: given or not
    cols["cod"] = np.where(is_ww & fl.qty("cod")[2], 0.0, np.nan)
    n_given = fl.qty("nitrogen")[2] | fl.qty("total_n")[2]
    cols["nitrogen"] = np.where(is_ww & n_given, 0.0, np.nan)
    ww_keys = list(lib.table(lib.WASTEWATER).rows)
    treat = fl.text("treatment")
    bad, msg = rules.choice(treat, ww_keys, "treatment", is_ww & treat.ne(""))
    add(bad, column="treatment", message=msg)
    loaded = ~np.isnan(cols["cod"]) | ~np.isnan(cols["nitrogen"])
    add(
        is_ww & treat.eq("") & loaded,
        column="treatment",
        message=message("treatment_missing", choices=", ".join(ww_keys)),
    )
    cols["treatment"] = np.where(is_ww & treat.ne(""), rules.codes(treat, ww_keys), -1)
    rv, ru, rg = fl.qty("ch4_recovery")
    rec, rcode, _ = convert(rv, ru, ("dimensionless",))
    m = is_ww & rg & ((rcode < 0) | ~((rec >= 0) & (rec <= 1)))
    add(m, column="ch4_recovery", message=rules.quantity_messages("share", m, rv, ru))
    cols["ch4_recovery"] = np.where(rg & (rcode >= 0) & ~m, rec, 0.0)
    to_landfill = (ftype == FLOW_TYPES.index("waste")) & fl.text("route").eq("landfill")
    for col, table in (("doc_type", lib.LANDFILL_DOC), ("landfill", lib.LANDFILL_MCF)):
        keys = list(lib.table(table).rows)
        txt = fl.text(col)
        add(txt.ne("") & ~to_landfill, column=col, message=message("landfill_only", key=col))
        bad, msg = rules.choice(txt, keys, col, txt.ne(""))
        add(bad, column=col, message=msg)
        cols[col] = np.where(to_landfill & txt.ne(""), rules.codes(txt, keys), -1)


def _check_effluent(
    fl: _Frame,
    ftype: np.ndarray,
    amount: np.ndarray,
    plants: _Plants,
    fpos: np.ndarray,
    add: Any,
    cols: dict[str, np.ndarray],
) -> None:
    """Pollutants as concentrations [kg/m3] (loads divided by the volume) and effluent charges.

    A flow's own ``effluent_tariff.<pollutant>`` overrides its plant's.
    """
    N = len(fl)
    is_ww = ftype == FLOW_TYPES.index("wastewater")
    conc = np.full((N, len(POLLUTANTS)), np.nan)
    rate = _tariffs(fl, plants.currency_of(fpos), add)
    both = fl.qty("nitrogen")[2] & fl.qty("total_n")[2]
    add(both, column="total_n", message="give total nitrogen once: 'total_n' or 'nitrogen'")
    for k, name in enumerate(POLLUTANTS):
        col = name
        v, u, g = fl.qty(col)
        if name == "total_n":  # 'nitrogen' is the same key
            nv, nu, ng = fl.qty("nitrogen")
            v, u, g = np.where(g, v, nv), u.where(g, nu), g | ng
        if name != "cod":  # cod and nitrogen: with the wastewater keys
            given = fl.qty(name)[2]
            add(given & ~is_ww, column=name, message=message("wastewater_only", key=name))
        m = np.zeros(N, dtype=bool)
        if g.any():  # else: no concentration, no problem
            val, code, _ = convert(v, u, ("kg/m3", "t", "t/year"))
            m = is_ww & g & ((code < 0) | ~(val >= 0))
            add(m, column=col, message=rules.quantity_messages("concentration", m, v, u))
            loaded = is_ww & g & ~m & (code > 0)
            zero = loaded & ~(amount > 0)
            add(zero, column=col, message="a yearly load needs a wastewater volume above 0 m3")
            conc[:, k] = np.where(
                loaded & ~zero,
                effluent.concentration(val, np.where(zero, 1.0, amount)),
                np.where(is_ww & g & ~m & (code == 0), val, np.nan),
            )
        if f"effluent_tariff.{name}" in fl.columns:
            tg = fl.qty(f"effluent_tariff.{name}")[2]
            need = f"a charge on {name} needs the flow's {name} (a concentration or a load)"
            add(tg & np.isnan(conc[:, k]) & ~m, column=f"effluent_tariff.{name}", message=need)
    for k, col in enumerate(POLLUTANT_COLUMNS):
        cols[col] = conc[:, k]
    # the charge of the flows with a pollutant given (NaN elsewhere: no pollutant, no charge)
    has = ~np.isnan(conc).all(axis=1)
    cols["effluent_charge"] = np.full(N, np.nan)
    if has.any():
        rate = rate[has]
        if plants.tariff is not None and len(plants.tariff):
            own = plants.tariff[np.maximum(fpos[has], 0)]
            rate = np.where(np.isnan(rate) & (fpos[has] >= 0)[:, None], own, rate)
        cols["effluent_charge"][has] = effluent.charge_per_volume(conc[has], rate)


def _check_prices(
    fl: _Frame,
    ftype: np.ndarray,
    basis: np.ndarray,
    au: Text,
    amount_bad: np.ndarray,
    pcur: Text,
    add: Any,
    cols: dict[str, np.ndarray],
) -> None:
    """Prices in the plant's currency, per the flow's own unit (fuels: or per GJ, t, m3)."""
    N = len(fl)
    pv, pu, pg = fl.qty("price")
    price = np.full(N, np.nan)
    pbasis = np.zeros(N, dtype=np.int64)
    pg = pg & ~amount_bad & (rules.codes(pcur, CURRENCIES) >= 0)  # a bad currency is reported once
    bad, msg = _unreadable(fl, "price", pv, pu, pg)
    add(bad, column="price", message=msg)
    pg &= ~bad
    is_fuel = ftype == FLOW_TYPES.index("fuel")
    canon = (*BASES, "")
    rows_all = np.flatnonzero(pg)
    # (currency, basis, unit, fuel) of each priced row as one integer: distinct groups only
    key = ((pcur.codes * (len(canon) + 1) + basis) * max(len(pu.uniq), 1) + pu.codes) * 2
    key = key[rows_all] + is_fuel[rows_all]
    groups, first, inv = np.unique(key, return_index=True, return_inverse=True)
    for j, r in enumerate(rows_all[first].tolist()):  # distinct groups only
        c, b, u, fuel = pcur[r], int(basis[r]), pu[r], bool(is_fuel[r])
        sel = rows_all[inv.reshape(-1) == j]
        options = [(P_SAME, f"{c}/{canon[b]}")] if b != B_OTHER else []
        if fuel:
            options += [(P_GJ, f"{c}/GJ"), (P_T, f"{c}/t"), (P_M3, f"{c}/m3")]
        for pcode, per in options:
            f = rules.unit_factor(u, per)
            if f is not None:
                price[sel] = pv[sel] * f
                pbasis[sel] = pcode
                break
        else:
            rule = (
                "price_unit"
                if f"currency_{c}" in str(parse_unit(u).dimensionality)
                else "price_currency"
            )
            rows = np.zeros(N, dtype=bool)
            rows[sel] = True
            unit = {i: rules.unit_text_of(au[i]) for i in sel.tolist()}  # error rows only
            add(
                rows,
                column="price",
                message=rules.quantity_messages(rule, rows, pv, pu, currency=c, unit=unit),
            )
    cols["price"] = price
    cols["price_basis"] = pbasis


@dataclass
class _Changes:
    """The interventions table's rows (one per change), validated."""

    plant: Text
    pos: np.ndarray
    iid: Text
    gflow: np.ndarray  # row of the changed flow in the flows table, -1
    kind: np.ndarray
    value: np.ndarray
    capex: np.ndarray
    opex: np.ndarray
    lifetime: np.ndarray


def _pair_keys(a: Text, b: Text, a_in: Text, b_in: Text) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``(a, b)`` and of ``(a_in, b_in)`` as integer keys in one space (-1: no match).

    Equal keys are equal pairs of strings: a row of ``(a_in, b_in)`` whose strings do not
    occur in ``a`` or ``b`` gets -1.
    """
    nb = max(len(b.uniq), 1)
    pos_a = {u: k for k, u in enumerate(a.uniq)}
    pos_b = {u: k for k, u in enumerate(b.uniq)}
    ma = np.asarray([pos_a.get(u, -1) for u in a_in.uniq] or [-1], dtype=np.int64)[a_in.codes]
    mb = np.asarray([pos_b.get(u, -1) for u in b_in.uniq] or [-1], dtype=np.int64)[b_in.codes]
    return a.codes * nb + b.codes, np.where((ma >= 0) & (mb >= 0), ma * nb + mb, -1)


def _lister(key: Text, values: Text) -> Any:
    """``f(k)``: the values of the rows whose key is ``k``, in table order (for messages).

    One sort, then a slice per call: a message per problem row costs its own rows only.
    """
    pos = {u: k for k, u in enumerate(key.uniq)}
    order = np.argsort(key.codes, kind="stable")
    bounds = np.searchsorted(key.codes[order], np.arange(len(key.uniq) + 1))

    def values_of(k: str) -> list[str]:
        c = pos.get(k)
        rows = order[bounds[c] : bounds[c + 1]] if c is not None else order[:0]
        return [values[i] for i in rows.tolist()]

    return values_of


def _check_changes(iv: _Frame, plants: _Plants, flows: _Flows, err: _Errors) -> _Changes:
    M = len(iv)
    ipl, iid = iv.text("plant"), iv.text("id")
    add = partial(err.add, plants=ipl, table="interventions", ids=iid)
    ipos = plants.lookup(ipl)
    add(ipos < 0, column="plant", message=message("plant_unknown"))
    err.add(
        iid.eq(""), ipl, "interventions", None, "id", message("id_missing", what="intervention")
    )
    iflow = iv.text("flow")
    gflow = np.zeros(0, dtype=np.int64)
    if M:
        fkey, ikey = _pair_keys(flows.plant, flows.fid, ipl, iflow)
        # a duplicated flow id (reported) names its last row, as in a scenario file; the
        # changes of other plants are found whatever the rest of the chunk holds
        keep = np.flatnonzero(~pd.Series(fkey).duplicated(keep="last").to_numpy())
        hit = pd.Index(fkey[keep]).get_indexer(ikey)
        found = np.append(keep, -1)[hit]  # hit -1 (not found) takes the -1 at the end
        gflow = np.where(ikey >= 0, found, -1).astype(np.int64)
    add(iflow.eq(""), column="flow", message=message("flow_or_process"))
    nof = (gflow < 0) & (ipos >= 0) & iflow.ne("")
    ids_of = _lister(flows.plant, flows.fid) if nof.any() else None
    fmsg = {
        i: rules.choice_message("no_flow", iflow[i], ids_of(ipl[i]))
        for i in np.flatnonzero(nof).tolist()  # error rows only
        if ids_of is not None
    }
    add(nof, column="flow", message=fmsg)
    cat = iv.text("category")
    bad = cat.map(lambda u: rules.category(u) not in CATEGORIES, bool)  # distinct values only
    cmsg: dict[int, str] = {}
    for u in cat.distinct(bad):
        msg = rules.choice_message("category", u, CATEGORIES, rules.SHOW["category"])
        _rows_msg(bad & cat.eq(u), msg, cmsg)
    add(bad, column="category", message=cmsg)
    kind, value = _change_values(iv, iflow, gflow, flows, add)
    return _Changes(
        ipl, ipos, iid, gflow, kind, value, *_check_costs(iv, plants.currency_of(ipos), add)
    )


def _change_values(
    iv: _Frame, iflow: Text, gflow: np.ndarray, flows: _Flows, add: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Kind (REL/ABS/SET) and canonical value of every flow change."""
    M = len(iv)
    bv, bu, bg = iv.qty("by")
    tv, tu, tg = iv.qty("to")
    add((bg == tg) & iflow.ne(""), column="by", message=message("by_or_to"))
    rel = np.full(len(bu.uniq) + 1, np.nan)
    for k in np.unique(bu.codes[bg]).tolist():  # distinct units only
        uu = bu.uniq[k]
        f = rules.unit_factor(uu, "dimensionless") if not rules.unit_error(uu) else None
        if f is not None:
            rel[k] = f
    rel_f = np.where(bg, bv * rel[bu.codes], np.nan)
    is_rel = bg & ~tg & ~np.isnan(rel_f)
    below = is_rel & (rel_f < -1)
    add(
        below,
        column="by",
        message=rules.quantity_messages("by_below_zero", below, bv, bu, flow=iflow),
    )
    kind = np.where(is_rel, REL, np.where(tg, SET, ABS))
    value = np.where(is_rel, rel_f, np.nan)
    have = gflow >= 0
    fb = np.where(have, flows.basis[np.maximum(gflow, 0)] if len(flows.basis) else B_OTHER, -1)
    fb = np.where(
        have & (flows.amount_bad[np.maximum(gflow, 0)] if len(flows.basis) else False), -1, fb
    )
    for col, v, u, g, rule in (("to", tv, tu, tg, "to_unit"), ("by", bv, bu, bg & ~tg, "by_unit")):
        m = ~is_rel & g & (fb >= 0)
        conv = np.full(M, np.nan)
        for b in (B_T, B_M3, B_GJ):
            mb = m & (fb == b)
            if mb.any():
                c, code, _ = convert(v[mb], u[mb], (BASES[b],))
                conv[np.flatnonzero(mb)[code >= 0]] = c[code >= 0]
        mo = m & (fb == B_OTHER)
        conv[mo] = v[mo]
        wrong = m & np.isnan(conv)
        funit = {
            i: rules.unit_text_of(flows.unit[gflow[i]]) for i in np.flatnonzero(wrong).tolist()
        }
        add(wrong, column=col, message=rules.quantity_messages(rule, wrong, v, u, unit=funit))
        value = np.where(m & ~wrong, conv, value)
    neg = tg & ~np.isnan(value) & (tv < 0)
    add(neg, column="to", message=rules.quantity_messages("to_negative", neg, tv, tu))
    return kind, value


def _check_costs(iv: _Frame, icur: Text, add: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capex and opex in the plant's currency (a bare number is in it), lifetime in years."""
    M = len(iv)
    out: list[np.ndarray] = []
    cur_ok = rules.codes(icur, CURRENCIES) >= 0  # a bad currency is reported once, in plants
    for col in ("capex", "opex", "lifetime"):
        v, u, g = iv.qty(col)
        bad, msg = _unreadable(iv, col, v, u, g)
        add(bad, column=col, message=msg)
        g &= ~bad & cur_ok
        val = np.full(M, np.nan)
        for c in icur.distinct(g):  # distinct currencies and units only
            unit, example = rules.money_units(c)[col]
            in_c = g & icur.eq(c)
            for uu in u.distinct(in_c):
                rows = in_c & u.eq(uu)
                f = rules.unit_factor(uu or unit.split("/")[0], unit)
                if f is None:
                    add(
                        rows,
                        column=col,
                        message=rules.quantity_messages(
                            "money_unit", rows, v, u, unit=unit, example=example
                        ),
                    )
                else:
                    val[rows] = v[rows] * f
        out.append(val)
    capex, opex, life = out
    lv, lu, _ = iv.qty("lifetime")
    m = ~np.isnan(life) & ~(life > 0)
    add(
        m,
        column="lifetime",
        message=rules.quantity_messages(
            "positive", m, lv, lu.where(lu.ne(""), Text.full(M, "year"))
        ),
    )
    m = ~np.isnan(capex) & (capex < 0)
    add(
        m,
        column="capex",
        message=rules.quantity_messages("negative", m, *iv.qty("capex")[:2]),
    )
    return capex, opex, life


def _flow_table(flows: _Flows, ok: np.ndarray, new_pos: np.ndarray) -> tuple[FlowTable, np.ndarray]:
    """The valid plants' flows, sorted by plant (table order within a plant)."""
    fkeep = flows.pos >= 0
    fkeep[fkeep] = ok[flows.pos[fkeep]]
    forder = np.flatnonzero(fkeep)
    forder = forder[np.argsort(new_pos[flows.pos[forder]], kind="stable")]
    ft = FlowTable.empty(len(forder))
    ft.plant = new_pos[flows.pos[forder]]
    ft.flow_id = flows.fid[forder].values
    ft.type = flows.ftype[forder]
    ft.amount = flows.amount[forder]
    ft.basis = flows.basis[forder]
    for name, col in flows.cols.items():
        setattr(ft, name, col[forder])
    ft.row = forder + 2  # table row number (header is row 1)
    ft.place_fmt = "flows row {}"
    local_idx = np.full(len(flows.fid), -1, dtype=np.int64)
    local_idx[forder] = np.arange(len(forder))
    return ft, local_idx


def _scenario_steps(
    t: Tables,
    plants: _Plants,
    ok: np.ndarray,
    new_pos: np.ndarray,
    ch: _Changes,
    iv_keys: pd.Index,
    iv_plant: np.ndarray,
    first: np.ndarray,
    err: _Errors,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Steps (plant, scenario code, intervention) from the scenarios table or ``scenario``.

    ``iv_keys`` holds each intervention's (plant, id) as the integer of :func:`_pair_keys`
    over ``ch.plant`` and ``ch.iid``; ``first`` its first row in the interventions table.
    """
    st = _Frame(t.scenarios, (t.text or {}).get("scenarios"))
    st_plant, st_name, st_iv = (
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=object),
        np.zeros(0, dtype=np.int64),
    )
    if len(st):
        spl, sname, siv = st.text("plant"), st.text("scenario"), st.text("intervention")
        sp = plants.lookup(spl)
        use = sp >= 0
        use[use] = ok[sp[use]]
        skey = _pair_keys(ch.plant, ch.iid, spl, siv)[1]
        g = np.where(skey >= 0, iv_keys.get_indexer(skey), -1)
        missing = use & (g < 0)
        ids_of = _lister(ch.plant[first], ch.iid[first]) if missing.any() else None
        msg = {
            i: rules.choice_message("no_intervention", siv[i], ids_of(spl[i]))
            for i in np.flatnonzero(missing).tolist()  # error rows only
            if ids_of is not None
        }
        err.add(missing, spl, "scenarios", sname, "intervention", msg)
        codes = pd.DataFrame({"p": spl.codes, "s": sname.codes, "i": siv.codes})
        twice = use & codes.duplicated().to_numpy()
        err.add(
            twice,
            spl,
            "scenarios",
            sname,
            "intervention",
            _per_row(twice, lambda i: message("listed_twice", value=siv[i])),
        )
        reserved = use & sname.eq("baseline")
        err.add(reserved, spl, "scenarios", None, "scenario", message("baseline"))
        use &= (g >= 0) & sname.ne("baseline") & ~twice
        st_plant, st_name, st_iv = new_pos[sp[use]], sname[use].values, g[use].astype(np.int64)
    has_table = np.zeros(int(ok.sum()), dtype=bool)
    has_table[st_plant] = True
    n_iv = len(iv_plant)
    dflt = ~has_table[iv_plant] if n_iv else np.zeros(0, dtype=bool)
    exploded = pd.Series([], dtype=object)
    if dflt.any():
        ivf = _Frame(t.interventions, (t.text or {}).get("interventions"))
        scen_col = ivf.text("scenario")[first][dflt]
        all_ = Text.full(len(scen_col), "all")
        names = pd.Series(scen_col.where(scen_col.ne(""), all_).values, dtype=object)
        exploded = names.str.split(";").explode().str.strip()
        exploded = exploded[exploded != ""]
    d_g = np.flatnonzero(dflt)[exploded.index.to_numpy(dtype=np.int64)]
    all_plant = np.concatenate([st_plant, iv_plant[d_g]]).astype(np.int64)
    all_name = np.concatenate([st_name, exploded.to_numpy(dtype=object)]).astype(object)
    all_iv = np.concatenate([st_iv, d_g]).astype(np.int64)
    o = np.argsort(all_plant, kind="stable")  # plant-major, table order within a plant
    code, scen_names = pd.factorize(pd.Series(all_name[o], dtype=object), sort=False)
    return all_plant[o], np.asarray(code, dtype=np.int64), all_iv[o], [str(x) for x in scen_names]


def _without(t: Tables, bad: set[str]) -> Tables:
    """The tables without the plants ``bad``."""
    rows: dict[str, np.ndarray] = {}

    def drop(name: str, df: pd.DataFrame | None) -> pd.DataFrame | None:
        if df is None or not len(df) or "plant" not in df.columns:
            return df
        keep = ~df["plant"].astype(str).isin(bad).to_numpy(dtype=bool)
        rows[name] = np.flatnonzero(keep)
        return df[keep].reset_index(drop=True)

    return Tables(
        drop("plants", t.plants),
        drop("flows", t.flows),
        drop("interventions", t.interventions),
        t.names,
        drop("scenarios", t.scenarios),
        drop("processes", t.processes),
        rows=rows,
    )


_ROW = re.compile(rf"\b({'|'.join(TABLE_NAMES)}) row (\d+)")
_ROW_ANY = rf"\b(?:{'|'.join(TABLE_NAMES)}) row \d"


def input_rows(
    df: pd.DataFrame, rows: dict[str, np.ndarray], cols: tuple[str, ...]
) -> pd.DataFrame:
    """Rewrite "flows row N" counted in a part of a table as the row of the whole table.

    ``rows[table]`` holds the position in the whole table of each row of the part.
    """

    def sub(m: re.Match[str]) -> str:
        r, n = rows.get(m[1]), int(m[2]) - 2
        return m[0] if r is None or not 0 <= n < len(r) else f"{m[1]} row {int(r[n]) + 2}"

    if not len(df):
        return df
    df = df.copy()
    for c in cols:
        text = df[c].astype(object)
        hit = text.astype("string[pyarrow]").str.contains(_ROW_ANY, regex=True)
        hit = hit.fillna(False).to_numpy(dtype=bool)
        if hit.any():  # problem rows only
            text = text.to_numpy(dtype=object).copy()
            text[hit] = [_ROW.sub(sub, x) for x in text[hit]]
            df[c] = text
    return df


def _renumber(pf: Portfolio, rows: dict[str, np.ndarray]) -> None:
    """Table row numbers of a portfolio built from part of the tables, as in the whole tables."""
    for name, arr, attr in (("flows", pf.ft, "row"), ("interventions", pf, "ch_row")):
        r, n = rows.get(name), getattr(arr, attr)
        if r is not None and len(n) and isinstance(n, np.ndarray) and len(r):
            inside = (n >= 2) & (n - 2 < len(r))
            setattr(arr, attr, np.where(inside, r[np.clip(n - 2, 0, len(r) - 1)] + 2, n))


def _vector_portfolio(t: Tables, lib: FactorLibrary) -> tuple[Portfolio, pd.DataFrame]:
    """Validate and build the plants without processes, column by column."""
    err = _Errors(t.names)
    text = t.text or {}
    pl = _Frame(t.plants, text.get("plants"))
    plants = _check_plants(pl, err)
    flows = _check_flows(_Frame(t.flows, text.get("flows")), plants, err, lib)
    ch = _check_changes(_Frame(t.interventions, text.get("interventions")), plants, flows, err)
    errors = err.frame()
    bad_ids = set(errors["plant"].tolist())
    pid = plants.pid
    ok = (rules.codes(pid, sorted(bad_ids)) < 0) & pid.ne("") & ~plants.dup
    new_pos = np.full(len(pid), -1, dtype=np.int64)
    new_pos[ok] = np.arange(int(ok.sum()))
    ft, local_idx = _flow_table(flows, ok, new_pos)
    # interventions of valid plants, numbered in order of first appearance
    ikeep = ch.pos >= 0
    ikeep[ikeep] = ok[ch.pos[ikeep]]
    rows = np.flatnonzero(ikeep)
    ikey = _pair_keys(ch.plant, ch.iid, ch.plant, ch.iid)[0][rows]
    g_of_row, iv_keys = pd.factorize(ikey, sort=False)
    g_of_row = np.asarray(g_of_row, dtype=np.int64)
    n_iv = len(iv_keys)
    first = rows[np.unique(g_of_row, return_index=True)[1]] if n_iv else rows[:0]

    def per_iv(arr: np.ndarray, default: float) -> np.ndarray:
        """The first non-empty value of each intervention's rows."""
        out = np.full(n_iv, default)
        vals = arr[rows]
        have = ~np.isnan(vals)
        out[g_of_row[have][::-1]] = vals[have][::-1]  # reversed: the first given value wins
        return out

    iv_plant = new_pos[ch.pos[first]] if n_iv else np.zeros(0, dtype=np.int64)
    serr = _Errors(t.names)
    st_plant, st_scen, st_iv, scen_names = _scenario_steps(
        t, plants, ok, new_pos, ch, pd.Index(iv_keys), iv_plant, first, serr
    )
    late_bad = set(serr.frame()["plant"]) - bad_ids
    if late_bad:  # a plant with an error in the scenarios table is dropped too: rebuild
        rest = _without(t, late_bad)
        pf2, err2 = _vector_portfolio(rest, lib)
        assert rest.rows is not None  # rows of the tables without those plants, as in ``t``
        err2 = input_rows(err2, rest.rows, ("place", "message"))
        _renumber(pf2, rest.rows)
        late = serr.frame()
        return pf2, pd.concat([err2, late[late["plant"].isin(late_bad)]], ignore_index=True)
    S = max(len(scen_names), 1)
    ids = pid[ok].tolist()
    pf = Portfolio(
        plant_ids=ids,
        names=[n or i for n, i in zip(pl.text("name")[ok].tolist(), ids, strict=True)],
        sectors=[x or None for x in pl.text("sector")[ok].tolist()],
        countries=[str(x) for x in plants.country[ok]],
        currency=plants.currency[ok].tolist(),
        production=plants.production[ok],
        production_unit=[str(x) for x in plants.punit[ok]],
        discount_rate=plants.rate[ok],
        carbon_price=plants.carbon_price[ok],
        ft=ft,
        pt=PlantTable(
            country=plants.country[ok].astype(object),
            gwp=rules.codes(plants.gwp[ok], GWP_CODES),
            grid=plants.grid[ok],
            grid_cm=plants.grid_cm[ok],
        ),
        iv_plant=iv_plant,
        iv_ids=ch.iid[first].tolist(),
        capex=per_iv(ch.capex, 0.0),
        opex=per_iv(ch.opex, 0.0),
        lifetime=per_iv(ch.lifetime, np.nan),
        ch_iv=g_of_row,
        ch_order=_rank(g_of_row),
        ch_flow=local_idx[ch.gflow[rows]],
        ch_kind=ch.kind[rows].astype(np.int64),
        ch_value=ch.value[rows],
        ch_place=None,
        ch_row=rows + 2,
        scen_names=scen_names,
        st_plant=st_plant,
        st_scen=st_scen,
        st_k=_rank(st_plant * S + st_scen),
        st_iv=st_iv,
        files=[t.names["plants"]] * int(ok.sum()),
    )
    return pf, errors


# -- plants with processes: one scenario mapping per plant, the scenario file's path ------------

#: Columns of the processes table and of process changes that are not plain keys: dotted
#: names are the scenario file's nested keys (``mercury.category`` is ``mercury: {category:}``).
PROCESS_KEYS = (
    "id",
    "name",
    "activity",
    "flow",
    "fuel",
    "category",
    "technology",
    "abatement",
    "source",
    "notes",
)
#: The nested specs of a process or process change, given as dotted columns.
NESTED = ("mercury", "pcdd_f", "pcb", "dl_pcb", "hcb", "co2")
_PLANT_KEYS = ("name", "country", "sector", "production")
_TOP_KEYS = tuple(k for k in TOP_KEYS if k != "notes")
_FLOW_KEYS = (
    "id",
    "type",
    "amount",
    "name",
    "carrier",
    "price",
    "ncv",
    "density",
    "emission_factor",
    "source",
    "hazardous",
    "route",
    "cod",
    "nitrogen",
    "bod5",
    "tss",
    "total_n",
    "total_p",
    "effluent_tariff",
    "treatment",
    "ch4_recovery",
    "doc_type",
    "landfill",
    "notes",
)
#: The columns of a fuel switch in the interventions table.
SWITCH_KEYS = ("switch_to", "share", "efficiency", "new_efficiency")
_CHANGE_KEYS = ("flow", "process", "by", "to", "technology", "abatement", *SWITCH_KEYS)
_IV_KEYS = ("name", "measure", "category", "capex", "opex", "lifetime", "source", "notes")


def _value(df: pd.DataFrame, col: str, i: int) -> Any:
    """A cell as a scenario file holds it (None when empty)."""
    v = df[col].iloc[i]
    if (
        v is None
        or (isinstance(v, float) and np.isnan(v))
        or (isinstance(v, str) and not v.strip())
    ):
        return None
    if isinstance(v, str):
        return v.strip()
    return _cell(df, col, i)


def _row_dict(df: pd.DataFrame, i: int, keys: tuple[str, ...]) -> dict[str, Any]:
    """The keys of row ``i`` (plain and dotted columns) as a nested scenario mapping."""
    out: dict[str, Any] = {}
    for col in df.columns:
        head = col.split(".", 1)[0]
        if col == "plant" or (head not in keys and head not in NESTED):
            continue
        v = _value(df, col, i)
        if v is None:
            continue
        if col.endswith(".class") and re.fullmatch(r"\d+(\.0*)?", str(v)):
            v = int(float(v))
        node = out
        parts = col.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = v
    return out


def _scenario_data(
    t: Tables, plant: str, rows: dict[str, np.ndarray]
) -> tuple[dict[str, Any], dict[str, int]]:
    """One plant's rows as a scenario mapping, and where each of its places is in the tables."""
    p = int(rows["plants"][0])
    data: dict[str, Any] = {}
    where: dict[str, int] = {"plant": p, "": p}
    plant_keys: dict[str, Any] = {"name": plant}
    for k, v in _row_dict(t.plants, p, _PLANT_KEYS + _TOP_KEYS).items():
        (plant_keys if k in _PLANT_KEYS else data)[k] = v
    data["plant"] = plant_keys
    data["flows"] = [_row_dict(t.flows, int(i), _FLOW_KEYS) for i in rows["flows"]]
    where |= {f"flows[{n}]": int(i) for n, i in enumerate(rows["flows"])}
    procs = t.processes
    data["processes"] = (
        [_row_dict(procs, int(i), PROCESS_KEYS) for i in rows["processes"]]
        if procs is not None
        else []
    )
    where |= {f"processes[{n}]": int(i) for n, i in enumerate(rows["processes"])}
    ivs: dict[str, dict[str, Any]] = {}
    names: dict[str, list[str]] = {}
    for i in rows["interventions"]:
        r = _row_dict(t.interventions, int(i), _IV_KEYS + _CHANGE_KEYS + ("id",))
        iid = str(r.pop("id", ""))
        new = iid not in ivs
        iv = ivs.setdefault(iid, {"id": iid, "changes": []})
        n = list(ivs).index(iid)
        if new:
            where[f"interventions[{n}]"] = int(i)
            for s in (
                str(_value(t.interventions, "scenario", int(i)) or "all").split(";")
                if "scenario" in t.interventions.columns
                else ["all"]
            ):
                if s.strip():
                    names.setdefault(s.strip(), []).append(iid)
        where[f"interventions[{n}].changes[{len(iv['changes'])}]"] = int(i)
        iv["changes"].append({c: r.pop(c) for c in list(r) if c in _CHANGE_KEYS or c in NESTED})
        iv |= {c: v for c, v in r.items() if iv.get(c) is None}
    data["interventions"] = list(ivs.values())
    if len(rows["scenarios"]):
        st = t.scenarios
        assert st is not None
        names = {}
        for i in rows["scenarios"]:
            name = str(_value(st, "scenario", int(i)))
            where[f"scenarios.{name}[{len(names.get(name, []))}]"] = int(i)
            names.setdefault(name, []).append(str(_value(st, "intervention", int(i))))
    if names and list(names) != ["all"] or len(rows["scenarios"]):
        data["scenarios"] = names
    return data, where


def _table_place(place: str, where: dict[str, int]) -> str:
    """``flows[2].amount`` -> ``flows row 7.amount`` (the row in the plant's table)."""
    m = re.match(
        r"^(flows\[\d+\]|processes\[\d+\]|interventions\[\d+\](?:\.changes\[\d+\])?|scenarios\.[^.\[]+\[\d+\]|plant)\.?(.*)$",
        place,
    )
    if m is None:
        return f"plants row {where[''] + 2}.{place}".rstrip(".")
    head, rest = m.group(1), m.group(2)
    table = {
        "flows": "flows",
        "proce": "processes",
        "inter": "interventions",
        "scena": "scenarios",
        "plant": "plants",
    }[head[:5]]
    if head not in where and table == "interventions":
        head = head.split(".")[0]
    if table == "scenarios":
        rest = rest or "intervention"
    return f"{table} row {where.get(head, where['']) + 2}.{rest}".rstrip(".")


def _scenario_portfolio(
    t: Tables, ids: list[str], lib: FactorLibrary
) -> tuple[Portfolio, pd.DataFrame, list[str]]:
    """Validate and build the plants with processes one by one, as scenario files are."""
    rows_of = {
        name: _rows_by_plant(getattr(t, name))
        for name in ("plants", "flows", "interventions", "scenarios", "processes")
    }
    empty = np.zeros(0, dtype=np.int64)
    scs, kept, errors = [], [], []
    wheres: dict[str, dict[str, int]] = {}
    for plant in ids:  # plants with processes only: Toolkit resolution is per plant
        rows = {name: r.get(plant, empty) for name, r in rows_of.items()}
        data, where = _scenario_data(t, plant, rows)
        wheres[plant] = where
        try:
            scs.append(Scenario.from_dict(data, file=t.names["plants"]))
            kept.append(plant)
        except InputError as e:
            for pr in e.problems:
                place = _table_place(pr.place, where)
                errors.append(
                    {
                        "plant": plant,
                        "file": t.names.get(place.split(" ")[0], t.names["plants"]),
                        "place": place,
                        "message": pr.message,
                    }
                )
    pf = portfolio_from_scenarios(scs, kept, lib)
    pf.files = [t.names["plants"]] * len(kept)
    # places in the tables, not in a scenario file: per change and flow of these few plants
    plant_of = pf.iv_plant[pf.ch_iv]
    pf.ch_place = [
        _table_place(pf.change_place(g), wheres[kept[plant_of[g]]]) for g in range(len(plant_of))
    ]
    for i in range(len(pf.ft)):
        key = f"flows[{pf.ft.row[i]}]"
        where = wheres[kept[pf.ft.plant[i]]]
        if pf.ft.release is None or pf.ft.release[i] < 0:
            pf.ft.row[i] = where.get(key, -2) + 2
    return pf, pd.DataFrame(errors, columns=ERROR_COLUMNS), kept


def _rows_by_plant(df: pd.DataFrame | None) -> dict[str, np.ndarray]:
    if df is None or not len(df) or "plant" not in df.columns:
        return {}
    pl = pd.Series(_text(df, "plant"))
    return {
        str(k): np.asarray(v, dtype=np.int64) for k, v in pl.groupby(pl, sort=False).indices.items()
    }


def _process_plants(t: Tables) -> set[str]:
    """Plants that have processes, process changes or fuel switches (built one by one)."""
    out: set[str] = set()
    if t.processes is not None and len(t.processes) and "plant" in t.processes.columns:
        out |= set(_text(t.processes, "plant").tolist())
    iv = t.interventions
    for col in ("process", *SWITCH_KEYS):
        if len(iv) and col in iv.columns:
            out |= set(_text(iv, "plant")[_text(iv, col) != ""].tolist())
    return out - {""}


def portfolio_from_tables(t: Tables, lib: FactorLibrary) -> tuple[Portfolio, pd.DataFrame]:
    """Validate a chunk of tables and build a :class:`~recp.portfolio.Portfolio` of valid plants.

    Plants without processes are validated and built column by column (no per-plant Python);
    plants with processes (few, in practice) as scenario mappings, one by one, since each
    process resolves its own Toolkit rows. Both use the rules of :mod:`recp.rules`.
    """
    special = _process_plants(t)
    if not special:
        return _vector_portfolio(t, lib)
    pid = _text(t.plants, "plant")
    ids = list(dict.fromkeys(x for x in pid.tolist() if x in special))
    rest = _without(t, special)
    pf_v, err_v = _vector_portfolio(rest, lib)
    assert rest.rows is not None
    err_v = input_rows(err_v, rest.rows, ("place", "message"))
    _renumber(pf_v, rest.rows)
    pf_s, err_s, kept = _scenario_portfolio(t, ids, lib)
    unknown = special - set(pid.tolist())
    err_u = _Errors(t.names)
    if t.processes is not None and len(t.processes):
        ppl = _text(t.processes, "plant")
        err_u.add(
            np.isin(ppl, list(unknown)),
            ppl,
            "processes",
            _text(t.processes, "id"),
            "plant",
            message("plant_unknown"),
        )
    order = {p: k for k, p in enumerate(dict.fromkeys(pid.tolist()))}
    pf = merge_portfolios([pf_v, pf_s], order)
    return pf, pd.concat([err_v, err_s, err_u.frame()], ignore_index=True)


def _rank(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements with the same value."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(pd.Series(groups).groupby(groups).cumcount().to_numpy(dtype=np.int64))


def _computed_changes(sc: Any) -> dict[str, list[tuple[str, str]]]:
    """The changes each ``calc:`` of a scenario computes, as (flow, ``by`` text), by place."""
    if not any(ch.calc is not None for iv in sc.interventions for ch in iv.changes):
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    for rec in compile_scenario(sc).calculations:
        for c in rec["changes"]:
            by = (
                f"{100 * c['value']!r} %"
                if c["kind"] == "relative"
                else f"{c['amount']!r} {c['amount_unit']}"
            )
            out.setdefault(rec["change"], []).append((c["flow"], by))
    return out


def _intervention_rows(
    pid: str, sc: Any, smap: dict[str, list[str]], q: Any
) -> list[dict[str, Any]]:
    """The interventions table's rows of one plant (computed changes precomputed)."""
    computed = _computed_changes(sc)
    ivs: list[dict[str, Any]] = []
    for k, iv in enumerate(sc.interventions):
        names = ";".join(name for name, v in smap.items() if iv.id in v)
        rows_iv: list[dict[str, Any]] = []
        for j, ch in enumerate(iv.changes):
            for flow, by in computed.get(f"interventions[{k}].changes[{j}]", []):
                rows_iv.append(
                    {"plant": pid, "id": iv.id, "name": iv.name, "category": iv.category,
                     "flow": flow, "by": by, "scenario": names}
                )  # fmt: skip
            if ch.calc is not None:
                continue
            rows_iv.append(
                {
                    "plant": pid,
                    "id": iv.id,
                    "name": iv.name,
                    "category": iv.category,
                    "flow": ch.flow,
                    "process": ch.process,
                    "by": q(ch.by),
                    "to": q(ch.to),
                    "switch_to": ch.switch_to,
                    "share": q(ch.share),
                    "efficiency": q(ch.efficiency),
                    "new_efficiency": q(ch.new_efficiency),
                    "scenario": names,
                    **_toolkit_columns(ch),
                }
            )
        if rows_iv:
            rows_iv[0] |= {"capex": q(iv.capex), "opex": q(iv.opex), "lifetime": q(iv.lifetime)}
        ivs += rows_iv
    return ivs


def tables_from_scenarios(scs: list[Any], ids: list[str] | None = None) -> Tables:
    """Write validated scenarios as the three tidy tables (quantities as ``"<n> <unit>"``).

    Only the default scenario layout is kept exactly: named scenarios become the ``scenario``
    column (names joined with ``;``). A computed change (``calc:``) is written as the changes
    its calculator gives, precomputed (``by`` in the flow's canonical unit, or ``%``): the tidy
    tables carry the numbers, not the calculation.
    """
    ids = ids or [s.plant.name for s in scs]

    def q(x: Any) -> str | None:
        return None if x is None else f"{x.magnitude!r} {x.units:~}"

    plants: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    ivs: list[dict[str, Any]] = []
    scen: list[dict[str, Any]] = []
    procs: list[dict[str, Any]] = []
    for pid, sc in zip(ids, scs, strict=True):
        plants.append(
            {
                "plant": pid,
                "name": sc.plant.name,
                "country": sc.country_code,
                "sector": sc.plant.sector,
                "production": q(sc.plant.production),
                "currency": sc.currency,
                "gwp": sc.gwp,
                "grid_factor": q(sc.grid_factor),
                "grid_cm": q(sc.grid_cm),
                "discount_rate": q(sc.discount_rate),
                "carbon_price": q(sc.carbon_price),
                "grid_basis": sc.grid_basis,
            }
        )
        flows += [_flow_row(pid, sc, f, q) for f in sc.flows]
        smap = sc.scenario_map
        if sc.scenarios:
            for name, steps in smap.items():
                scen += [{"plant": pid, "scenario": name, "intervention": i} for i in steps]
        ivs += _intervention_rows(pid, sc, smap, q)
        for pr in sc.processes:
            procs.append(
                {
                    "plant": pid,
                    "id": pr.id,
                    "name": pr.name,
                    "activity": q(pr.activity),
                    "flow": pr.flow,
                    "fuel": pr.fuel,
                    "source": pr.source,
                    **_toolkit_columns(pr),
                }
            )
    return Tables(
        pd.DataFrame(plants),
        pd.DataFrame(flows),
        pd.DataFrame(ivs),
        {t: f"<{t}>" for t in TABLE_NAMES},
        pd.DataFrame(scen, columns=["plant", "scenario", "intervention"]),
        pd.DataFrame(procs, columns=_process_columns(procs)),
    )


def _flow_row(pid: str, sc: Any, f: Any, q: Any) -> dict[str, Any]:
    """One flow of a scenario as a row of the flows table."""
    return {
        "plant": pid,
        "id": f.id,
        "type": f.type,
        "amount": q(f.amount),
        "carrier": f.carrier,
        "price": q(f.price),
        "ncv": q(f.ncv),
        "density": q(f.density),
        "emission_factor": q(f.emission_factor),
        "market_factor": q(f.market_factor),
        "combustion_sector": f.combustion_sector,
        "on_site": None if f.on_site is None else str(f.on_site).lower(),
        "source": f.source if f.type == "water" else None,
        "hazardous": None if f.hazardous is None else str(f.hazardous).lower(),
        "route": f.route,
        "cod": q(f.cod),
        "nitrogen": q(f.nitrogen),
        "bod5": q(f.bod5),
        "tss": q(f.tss),
        "total_n": q(f.total_n),
        "total_p": q(f.total_p),
        **_tariff_columns(sc, f, q),
        "treatment": f.treatment,
        "ch4_recovery": q(f.ch4_recovery),
        "doc_type": f.doc_type,
        "landfill": f.landfill,
    }


def _tariff_columns(sc: Any, f: Any, q: Any) -> dict[str, Any]:
    """A wastewater flow's effluent charges (the plant's, overridden by its own) as columns."""
    if f.type != "wastewater":
        return {}
    tariff = {**(sc.effluent_tariff or {}), **(f.effluent_tariff or {})}
    return {f"effluent_tariff.{k}": q(v) for k, v in tariff.items() if pollutant(f, k) is not None}


def _toolkit_columns(obj: Any) -> dict[str, Any]:
    """A process's (or process change's) ``mercury``, ``pcdd_f`` and ``co2`` keys as columns."""

    def text(x: Any) -> Any:
        return None if x is None else (x if isinstance(x, str) else f"{x.magnitude!r} {x.units:~}")

    out: dict[str, Any] = {}
    ab = obj.abatement
    out["technology"] = obj.technology
    out["abatement"] = ";".join(ab) if isinstance(ab, list) else ab
    out["category"] = getattr(obj, "category", None)  # a process's guidebook category
    hg = obj.mercury
    if hg is not None:
        out |= {
            "mercury.category": hg.category,
            "mercury.technology": hg.technology,
            "mercury.input_factor": text(hg.input_factor),
            "mercury.source": hg.source,
        }
        for k, v in (hg.distribution or {}).items():
            out[f"mercury.distribution.{k}"] = v
    for kind in ("pcdd_f", "pcb", "dl_pcb", "hcb"):
        pc = getattr(obj, kind)
        if pc is None:
            continue
        out |= {
            f"{kind}.category": pc.category,
            f"{kind}.class": pc.class_,
            f"{kind}.source": pc.source,
        }
        for k, v in (pc.emission_factors or {}).items():
            out[f"{kind}.emission_factors.{k}"] = v if isinstance(v, str) else text(v)
    if obj.co2 is not None:
        for k, v in obj.co2.model_dump(exclude_none=True).items():
            out[f"co2.{k}"] = v if isinstance(v, str) else text(v)
    return {k: v for k, v in out.items() if v is not None}


def _process_columns(rows: list[dict[str, Any]]) -> list[str]:
    cols = ["plant", "id", "name", "activity", "flow", "fuel", "source"]
    return cols + sorted({k for r in rows for k in r} - set(cols))
