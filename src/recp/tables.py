"""Tidy-table input for batch runs: plants, flows and interventions tables.

A national programme keeps its plants in tables rather than one file per plant. recp reads
three tables, from a folder (``plants``, ``flows``, ``interventions`` as ``.csv`` or
``.parquet``) or from one workbook with those sheets:

- **plants**: ``plant`` (id), ``country`` (ISO alpha-2), optional ``name``, ``sector``,
  ``production`` (``"12000 t"``), ``currency`` (default USD), ``gwp`` (default AR5),
  ``grid_factor`` (``"0.62 t CO2e/MWh"``), ``discount_rate`` (``"8 %"``), and any other column
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

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recp.engine import (
    ABS,
    B_GJ,
    B_M3,
    B_OTHER,
    B_T,
    FLOW_TYPES,
    GWP_CODES,
    P_GJ,
    P_M3,
    P_SAME,
    P_T,
    REL,
    SET,
    FlowTable,
    PlantTable,
    waste_routes,
    water_sources,
)
from recp.errors import InputError, Problem, did_you_mean
from recp.factors import FactorLibrary

if TYPE_CHECKING:
    import pandas as pd

    from recp.batch import Portfolio

TABLE_NAMES = ("plants", "flows", "interventions", "scenarios")
_SUFFIXES = (".parquet", ".csv", ".xlsx")
_QTY = r"^\s*([-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$"


@dataclass
class Tables:
    """One chunk of the three tables (pandas DataFrames) and where they came from."""

    plants: pd.DataFrame
    flows: pd.DataFrame
    interventions: pd.DataFrame
    names: dict[str, str]  # table -> file name for messages
    scenarios: pd.DataFrame | None = None  # optional: plant, scenario, intervention (in order)


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
    import pandas as pd

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
    import pandas as pd

    if src.is_file():
        try:
            sheets = pd.read_excel(src, sheet_name=None, dtype=str)
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
    return Tables(
        frames["plants"], frames["flows"], frames["interventions"], names, frames["scenarios"]
    )


def read_tables_chunks(src: Path, chunk_plants: int) -> Iterator[Tables]:
    """Read the tables and yield them in chunks of at most ``chunk_plants`` plants."""
    import pandas as pd

    t = read_tables(src)
    for col, table in (("plant", "plants"), ("plant", "flows")):
        if col not in getattr(t, table).columns:
            raise InputError(
                [Problem("", f"the {table} table needs a '{col}' column", t.names[table])]
            )
    ids = t.plants["plant"].astype("string[pyarrow]").fillna("")
    n_chunks = max((len(ids) + chunk_plants - 1) // chunk_plants, 1)
    if n_chunks == 1:
        yield t
        return
    # every row's chunk, from its plant's position in the plants table (hash join, no loop)
    index = pd.Index(ids).drop_duplicates()
    chunk_of_plant = np.arange(len(ids)) // chunk_plants

    def split(df: pd.DataFrame | None) -> list[np.ndarray]:
        if df is None or not len(df) or "plant" not in df.columns:
            return [np.zeros(0, dtype=np.int64)] * n_chunks
        pos = index.get_indexer(df["plant"].astype("string[pyarrow]").fillna(""))
        first = ids.drop_duplicates().index.to_numpy()
        chunk = np.where(pos >= 0, chunk_of_plant[first[np.maximum(pos, 0)]], 0)
        order = np.argsort(chunk, kind="stable")  # rows of an unknown plant go to chunk 0
        bounds = np.searchsorted(chunk[order], np.arange(n_chunks + 1))
        return [order[bounds[k] : bounds[k + 1]] for k in range(n_chunks)]

    rows_f, rows_i, rows_s = split(t.flows), split(t.interventions), split(t.scenarios)
    for k in range(n_chunks):
        sc = t.scenarios
        yield Tables(
            t.plants.iloc[k * chunk_plants : (k + 1) * chunk_plants].reset_index(drop=True),
            t.flows.iloc[rows_f[k]].reset_index(drop=True),
            t.interventions.iloc[rows_i[k]].reset_index(drop=True)
            if len(t.interventions)
            else t.interventions,
            t.names,
            sc.iloc[rows_s[k]].reset_index(drop=True) if sc is not None and len(sc) else sc,
        )


# -- vectorised quantity parsing -------------------------------------------------------------


@lru_cache(maxsize=4096)
def _unit_factor(unit: str, target: str) -> float | None:
    """Factor converting ``unit`` to ``target``; None when the dimensions differ."""
    from recp.units import is_dimension, parse_quantity, to_float

    q = parse_quantity(f"1 {unit}" if unit else 1.0)
    if not is_dimension(q, target):
        return None
    return to_float(q, target)


def _unit_error(unit: str) -> str | None:
    from recp.errors import UnitError
    from recp.units import parse_unit

    try:
        parse_unit(unit)
    except UnitError as e:
        return e.problems[0].message
    return None


def split_quantity(df: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split a quantity column into (value, unit string, given) arrays.

    Strings ``"2.1e6 m3"`` are split; numbers take their unit from ``<col>_unit`` (or ``unit``
    for ``amount``). ``given`` is False where the cell is empty.
    """
    import pandas as pd

    n = len(df)
    if col not in df.columns:
        return np.full(n, np.nan), np.full(n, "", dtype=object), np.zeros(n, dtype=bool)
    s = df[col]
    unit_col = (
        f"{col}_unit"
        if f"{col}_unit" in df.columns
        else ("unit" if col == "amount" and "unit" in df.columns else None)
    )
    given = s.notna().to_numpy().copy()
    if not pd.api.types.is_numeric_dtype(s):
        given &= (s.astype("string[pyarrow]").str.strip() != "").fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        units = np.full(n, "", dtype=object)
    else:
        ext = s.astype("string[pyarrow]").str.extract(_QTY)  # vectorised regex (Arrow)
        number = pd.to_numeric(ext[0].str.replace("_", "", regex=False), errors="coerce")
        values = number.to_numpy(dtype=float, na_value=np.nan)
        units = ext[1].fillna("").to_numpy(dtype=object)
    if unit_col is not None:
        uc = df[unit_col].fillna("").astype(str).to_numpy(dtype=object)
        units = np.where(units == "", uc, units)
    return values, units, given


def convert(
    values: np.ndarray, units: np.ndarray, targets: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert to the first matching target; return (canonical value, target code, unit ok).

    Target code is the index in ``targets`` (-1 when no target matches).
    """
    out = np.full(values.shape, np.nan)
    code = np.full(values.shape, -1, dtype=np.int64)
    known = np.ones(values.shape, dtype=bool)
    inv, uniq = _factorize(units)
    for k, u in enumerate(uniq):  # per distinct unit string, not per row
        rows = inv == k
        if _unit_error(u) is not None:
            known[rows] = False
            continue
        for t_code, target in enumerate(targets):
            f = _unit_factor(u, target)
            if f is not None:
                out[rows] = values[rows] * f
                code[rows] = t_code
                break
    return out, code, known


# -- validation and portfolio ------------------------------------------------------------------


class _Errors:
    def __init__(self, names: dict[str, str]):
        self.rows: list[dict[str, Any]] = []
        self.names = names

    def add(
        self,
        mask: np.ndarray,
        plants: np.ndarray,
        table: str,
        ids: np.ndarray | None,
        column: str,
        message: Any,
    ) -> None:
        """Record a problem for every row in ``mask`` (message: str or per-row array)."""
        for i in np.flatnonzero(mask):  # error rows only
            msg = message if isinstance(message, str) else str(message[i])
            what = f" ({ids[i]})" if ids is not None and ids[i] not in (None, "") else ""
            self.rows.append(
                {
                    "plant": str(plants[i]),
                    "file": self.names[table],
                    "place": f"{table} row {i + 2}{what}.{column}",
                    "message": msg,
                }
            )

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        from recp.batch import ERROR_COLUMNS

        return pd.DataFrame(self.rows, columns=ERROR_COLUMNS)


def _text(df: pd.DataFrame, col: str, default: str = "") -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), default, dtype=object)
    s = df[col].astype("string[pyarrow]").fillna(default).str.strip()
    return np.asarray(s.to_numpy(dtype=object))


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the distinct values (hash-based, no per-row Python)."""
    import pandas as pd

    codes, uniq = pd.factorize(pd.Series(values, dtype=object).fillna(""), sort=False)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniq]


def _codes(values: np.ndarray, vocab: tuple[str, ...] | list[str]) -> np.ndarray:
    lookup = {v: i for i, v in enumerate(vocab)}
    inv, uniq = _factorize(values)
    known = np.array([lookup.get(u, -1) for u in uniq] or [-1], dtype=np.int64)
    return np.asarray(known[inv])


def _bad_choice(
    values: np.ndarray, vocab: tuple[str, ...] | list[str], what: str, given: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    codes = _codes(values, vocab)
    bad = given & (codes < 0)
    msgs = np.full(len(values), "", dtype=object)
    if bad.any():
        for u in set(values[bad].tolist()):  # distinct bad values only
            msgs[bad & (values == u)] = f"unknown {what} {u!r}: {did_you_mean(str(u), vocab)}"
    return bad, msgs


def portfolio_from_tables(t: Tables, lib: FactorLibrary) -> tuple[Portfolio, pd.DataFrame]:
    """Validate a chunk of tables and build a :class:`~recp.batch.Portfolio` of valid plants."""
    import pandas as pd

    from recp.batch import Portfolio
    from recp.scenario import CATEGORIES, GWP_CHOICES, _country
    from recp.units import CURRENCIES

    err = _Errors(t.names)
    pl = t.plants
    P = len(pl)
    pid = _text(pl, "plant")
    # -- plants
    err.add(pid == "", pid, "plants", None, "plant", "every plant needs an id")
    dup = pd.Series(pid).duplicated(keep="first").to_numpy() & (pid != "")
    err.add(dup, pid, "plants", pid, "plant", "duplicate plant id")
    country_raw = _text(pl, "country")
    country = np.empty(P, dtype=object)
    cmsg = np.full(P, "", dtype=object)
    for u in np.unique(country_raw.astype(str)):
        iso, hint = _country(u)
        m = country_raw == u
        country[m] = iso
        if iso is None:
            cmsg[m] = f"unknown country {u!r}: {hint}"
    err.add(cmsg != "", pid, "plants", pid, "country", cmsg)
    currency = _text(pl, "currency", "USD")
    currency = np.where(currency == "", "USD", currency)
    bad, msg = _bad_choice(currency, CURRENCIES, "currency", np.ones(P, bool))
    err.add(bad, pid, "plants", pid, "currency", msg)
    gwp = np.char.upper(_text(pl, "gwp", "AR5").astype(str)).astype(object)
    gwp = np.where(gwp == "", "AR5", gwp)
    bad, msg = _bad_choice(gwp, GWP_CHOICES, "GWP set", np.ones(P, bool))
    err.add(bad, pid, "plants", pid, "gwp", msg)
    v, u, g = split_quantity(pl, "grid_factor")
    grid, code, known = convert(v, u, ("t CO2e/GJ",))
    err.add(
        g & ((code < 0) | ~np.isfinite(grid) | (grid < 0)),
        pid,
        "plants",
        pid,
        "grid_factor",
        "not an emission factor like '0.62 t CO2e/MWh'",
    )
    grid = np.where(g, grid, np.nan)
    v, u, g = split_quantity(pl, "discount_rate")
    rate, code, _ = convert(v, u, ("dimensionless",))
    err.add(
        g & ((code < 0) | ~(rate > -0.99) | ~(rate < 1)),
        pid,
        "plants",
        pid,
        "discount_rate",
        "not a rate between -99 % and 100 % (e.g. '8 %')",
    )
    rate = np.where(g, rate, np.nan)
    pv, pu, pg = split_quantity(pl, "production")
    err.add(
        pg & ~(pv > 0),
        pid,
        "plants",
        pid,
        "production",
        "must be a positive quantity (e.g. '12000 t')",
    )
    bad_unit = np.zeros(P, dtype=bool)
    for uu in np.unique(pu[pg].astype(str)):
        e = _unit_error(uu)
        if e:
            bad_unit |= pg & (pu == uu)
            err.add(pg & (pu == uu), pid, "plants", pid, "production", e)
    production = np.where(pg & ~bad_unit, pv, np.nan)
    from recp.units import fmt_unit

    punit = np.array([""] * P, dtype=object)
    for uu in np.unique(pu[pg & ~bad_unit].astype(str)):
        punit[pg & (pu == uu)] = fmt_unit(uu) if uu else ""
    import pandas as pd

    first_pos = np.flatnonzero(~dup)
    plant_index = pd.Index(pid[first_pos])

    def plant_lookup(values: np.ndarray) -> np.ndarray:
        if len(values) == 0:
            return np.zeros(0, dtype=np.int64)
        hit = plant_index.get_indexer(values)
        return np.where(hit >= 0, first_pos[np.maximum(hit, 0)], -1).astype(np.int64)

    # -- flows
    fl = t.flows
    N = len(fl)
    fpl = _text(fl, "plant")
    fid = _text(fl, "id")
    fpos = plant_lookup(fpl)
    err.add(fpos < 0, fpl, "flows", fid, "plant", "no such plant in the plants table")
    err.add(fid == "", fpl, "flows", None, "id", "every flow needs an id")
    fdup = pd.DataFrame({"plant": fpl, "id": fid}).duplicated().to_numpy()
    err.add(fdup, fpl, "flows", fid, "id", "duplicate flow id in this plant")
    ftype_s = _text(fl, "type")
    bad, msg = _bad_choice(ftype_s, FLOW_TYPES, "flow type", np.ones(N, bool))
    err.add(bad, fpl, "flows", fid, "type", msg)
    ftype = _codes(ftype_s, FLOW_TYPES)
    av, au, ag = split_quantity(fl, "amount")
    err.add(
        ~ag | np.isnan(av),
        fpl,
        "flows",
        fid,
        "amount",
        "missing or unreadable amount (e.g. '2.1e6 m3')",
    )
    amount, basis, known = convert(av, au, ("t", "m3", "GJ"))
    for uu in np.unique(au[~known].astype(str)):
        err.add(~known & (au == uu), fpl, "flows", fid, "amount", _unit_error(uu) or "")
    basis = np.where(basis < 0, B_OTHER, basis)
    amount = np.where(basis == B_OTHER, av, amount)
    allowed = {
        0: (B_T, B_M3, B_GJ),
        1: (B_GJ,),
        2: (B_GJ,),
        3: (B_M3,),
        4: (B_M3,),
        5: (B_T,),
        6: (B_T, B_M3),
    }
    need = {
        0: "mass, volume or energy",
        1: "energy",
        2: "energy",
        3: "volume",
        4: "volume",
        5: "mass",
        6: "mass or volume",
    }
    dim_bad = np.zeros(N, bool)
    for tc, ok in allowed.items():
        m = (ftype == tc) & known & ag & ~np.isin(basis, ok)
        dim_bad |= m
        err.add(m, fpl, "flows", fid, "amount", f"not {need[tc]}, as a {FLOW_TYPES[tc]} flow needs")
    amount_bad = dim_bad | ~known | ~ag | np.isnan(av)  # no follow-on errors for these flows
    err.add(ag & (av < 0), fpl, "flows", fid, "amount", "must not be negative")
    err.add(ag & ~np.isfinite(av) & ~np.isnan(av), fpl, "flows", fid, "amount", "must be finite")
    carrier_s = _text(fl, "carrier")
    is_fuel = ftype == 0
    bad, msg = _bad_choice(carrier_s, lib.carriers, "carrier", is_fuel)
    err.add(bad, fpl, "flows", fid, "carrier", msg)
    carrier = np.where(is_fuel, _codes(carrier_s, lib.carriers), -1)
    err.add(
        ~is_fuel & (carrier_s != ""), fpl, "flows", fid, "carrier", "only fuel flows have a carrier"
    )
    nv, nu, ng = split_quantity(fl, "ncv")
    ncv, ncode, _ = convert(nv, nu, ("GJ/t", "GJ/m3"))
    err.add(
        ng & (ncode < 0),
        fpl,
        "flows",
        fid,
        "ncv",
        "not a calorific value per mass ('48 GJ/t') or per volume ('35.8 MJ/m3')",
    )
    dv, du, dg = split_quantity(fl, "density")
    dens, dcode, _ = convert(dv, du, ("t/m3",))
    err.add(dg & (dcode < 0), fpl, "flows", fid, "density", "not a density (kg/m3)")
    ev, eu, eg = split_quantity(fl, "emission_factor")
    ef, ecode, _ = convert(ev, eu, ("t CO2e/GJ",))
    err.add(
        eg & ((ecode < 0) | ~((ftype == 1) | (ftype == 2))),
        fpl,
        "flows",
        fid,
        "emission_factor",
        "only electricity and heat flows take an emission factor like '0.2 t CO2e/MWh'",
    )
    src_s = _text(fl, "source")
    sources = water_sources()
    bad, msg = _bad_choice(src_s, sources[:-1], "water source", (ftype == 3) & (src_s != ""))
    err.add(bad, fpl, "flows", fid, "source", msg)
    source = np.where((ftype == 3) & (src_s != ""), _codes(src_s, sources), len(sources) - 1)
    haz_s = np.char.lower(_text(fl, "hazardous").astype(str)).astype(object)
    is_waste = ftype == 5
    haz_ok = np.isin(haz_s, ["true", "false", "1", "0", "yes", "no"])
    err.add(
        is_waste & ~haz_ok,
        fpl,
        "flows",
        fid,
        "hazardous",
        "a waste flow says 'hazardous' true or false",
    )
    hazardous = np.isin(haz_s, ["true", "1", "yes"])
    route_s = _text(fl, "route")
    routes = waste_routes()
    bad, msg = _bad_choice(route_s, routes, "route", is_waste & (route_s != ""))
    err.add(bad, fpl, "flows", fid, "route", msg)
    route = np.where(is_waste & (route_s != ""), _codes(route_s, routes), -1)
    # wastewater load and treatment; organic waste to landfill (IPCC 2006 Vol. 5)
    is_ww = ftype == 4
    conc = {}
    for col in ("cod", "nitrogen"):
        v, u, g = split_quantity(fl, col)
        val, code, _ = convert(v, u, ("kg/m3",))
        err.add(
            g & ((code < 0) | ~(val >= 0)),
            fpl,
            "flows",
            fid,
            col,
            "not a concentration like '3.2 kg/m3'",
        )
        err.add(g & ~is_ww, fpl, "flows", fid, col, f"only wastewater flows take '{col}'")
        conc[col] = np.where(g & is_ww, val, np.nan)
    ww_keys = list(lib.table(lib.WASTEWATER).rows)
    treat_s = _text(fl, "treatment")
    bad, msg = _bad_choice(treat_s, ww_keys, "treatment", treat_s != "")
    err.add(bad, fpl, "flows", fid, "treatment", msg)
    err.add(
        is_ww & (treat_s == "") & (~np.isnan(conc["cod"]) | ~np.isnan(conc["nitrogen"])),
        fpl,
        "flows",
        fid,
        "treatment",
        "a wastewater flow with cod or nitrogen says how it is treated",
    )
    treatment = np.where(is_ww & (treat_s != ""), _codes(treat_s, ww_keys), -1)
    rv, ru, rg = split_quantity(fl, "ch4_recovery")
    rec, rcode, _ = convert(rv, ru, ("dimensionless",))
    err.add(
        rg & ((rcode < 0) | ~((rec >= 0) & (rec <= 1))),
        fpl,
        "flows",
        fid,
        "ch4_recovery",
        "not a share from 0 to 100 %",
    )
    recovery = np.where(rg & (rcode >= 0), rec, 0.0)
    to_landfill = is_waste & (route_s == "landfill")
    codes_lf = {}
    for col, table in (("doc_type", lib.LANDFILL_DOC), ("landfill", lib.LANDFILL_MCF)):
        keys = list(lib.table(table).rows)
        txt = _text(fl, col)
        bad, msg = _bad_choice(txt, keys, col.replace("_", " "), txt != "")
        err.add(bad, fpl, "flows", fid, col, msg)
        err.add(
            (txt != "") & ~to_landfill,
            fpl,
            "flows",
            fid,
            col,
            f"'{col}' applies to waste sent to landfill",
        )
        codes_lf[col] = np.where(to_landfill & (txt != ""), _codes(txt, keys), -1)
    # prices: currency of the plant; per the flow's own unit, or per GJ/t/m3 for fuels
    pv_, pu_, pg_ = split_quantity(fl, "price")
    price = np.full(N, np.nan)
    pbasis = np.zeros(N, dtype=np.int64)
    pcur = (
        np.array([currency[p] if p >= 0 else "USD" for p in fpos], dtype=object)
        if N
        else np.zeros(0, dtype=object)
    )
    canon = np.array(["t", "m3", "GJ", ""], dtype=object)
    pg_ = pg_ & ~amount_bad
    for key in {(c, b, u) for c, b, u in zip(pcur[pg_], basis[pg_], pu_[pg_], strict=True)}:
        c, b, u = key
        rows = pg_ & (pcur == c) & (basis == b) & (pu_ == u)
        if _unit_error(u):
            err.add(rows, fpl, "flows", fid, "price", _unit_error(u))
            continue
        own = f"{c}/{canon[b]}" if b != B_OTHER else None
        options = [(P_SAME, own)] if own else []
        options += [(P_GJ, f"{c}/GJ"), (P_T, f"{c}/t"), (P_M3, f"{c}/m3")]
        for pcode, per in options:
            f = _unit_factor(u, per)
            if f is not None:
                price[rows] = pv_[rows] * f
                pbasis[rows] = pcode
                break
        else:
            err.add(rows, fpl, "flows", fid, "price", f"not in {c} per unit of the flow")
    # a non-fuel price must be per the flow's own unit
    err.add(
        pg_ & ~is_fuel & (pbasis != P_SAME) & ~np.isnan(price),
        fpl,
        "flows",
        fid,
        "price",
        "does not convert to the currency per the flow's unit",
    )

    # -- interventions
    iv = t.interventions
    M = len(iv)
    ipl = _text(iv, "plant")
    iid = _text(iv, "id")
    ipos = plant_lookup(ipl)
    err.add(ipos < 0, ipl, "interventions", iid, "plant", "no such plant in the plants table")
    err.add(iid == "", ipl, "interventions", None, "id", "every intervention needs an id")
    iflow = _text(iv, "flow")
    sep = "\x1f"
    flow_keys = pd.Index(pd.Series(fpl, dtype=object) + sep + pd.Series(fid, dtype=object))
    gflow = (
        flow_keys.get_indexer(
            pd.Series(ipl, dtype=object) + sep + pd.Series(iflow, dtype=object)
        ).astype(np.int64)
        if M
        else np.zeros(0, dtype=np.int64)
    )
    if N and flow_keys.has_duplicates:  # duplicate flow ids are reported above
        gflow = np.array([-1] * M, dtype=np.int64) if M else gflow
    fmsg = np.full(M, "", dtype=object)
    for i in np.flatnonzero(gflow < 0):
        choices = fid[fpl == ipl[i]].tolist()
        fmsg[i] = f"no flow {iflow[i]!r} in plant {ipl[i]!r}: {did_you_mean(iflow[i], choices)}"
    err.add((gflow < 0) & (ipos >= 0), ipl, "interventions", iid, "flow", fmsg)
    cat_s = np.char.lower(_text(iv, "category").astype(str)).astype(object)
    bad, msg = _bad_choice(cat_s, CATEGORIES, "category", np.ones(M, bool))
    err.add(bad, ipl, "interventions", iid, "category", msg)
    bv, bu, bg = split_quantity(iv, "by")
    tv, tu, tg = split_quantity(iv, "to")
    err.add(bg == tg, ipl, "interventions", iid, "by", "give exactly one of 'by' or 'to'")
    kind = np.where(tg, SET, np.where(bu == "", ABS, ABS))
    rel_f = np.full(M, np.nan)
    for uu in np.unique(bu[bg].astype(str)):
        f = _unit_factor(uu, "dimensionless") if not _unit_error(uu) else None
        if f is not None:
            m = bg & (bu == uu)
            rel_f[m] = bv[m] * f
    is_rel = bg & ~np.isnan(rel_f)
    kind = np.where(is_rel, REL, kind)
    err.add(is_rel & (rel_f < -1), ipl, "interventions", iid, "by", "takes the flow below zero")
    value = np.where(is_rel, rel_f, np.nan)
    cv = np.where(tg, tv, bv)
    cu = np.where(tg, tu, bu)
    fb = np.where(gflow >= 0, basis[np.maximum(gflow, 0)] if N else 0, -1)
    if N:
        fb = np.where((gflow >= 0) & amount_bad[np.maximum(gflow, 0)], -1, fb)
    for b, target in ((B_T, "t"), (B_M3, "m3"), (B_GJ, "GJ")):
        m = ~is_rel & (fb == b) & (bg | tg)
        if m.any():
            conv, code, _ = convert(cv[m], cu[m], (target,))
            converted = code >= 0
            vals = value[m]
            vals[converted] = conv[converted]
            value[m] = vals
            bad_rows = np.zeros(M, bool)
            bad_rows[np.flatnonzero(m)[~converted]] = True
            err.add(
                bad_rows,
                ipl,
                "interventions",
                iid,
                "to" if tg[bad_rows].all() else "by",
                f"neither a relative change ('-8 %') nor in {target}",
            )
    m = ~is_rel & (fb == B_OTHER) & (bg | tg)
    value[m] = cv[m]
    err.add(tg & (tv < 0), ipl, "interventions", iid, "to", "a flow cannot go below zero")
    icur = (
        np.array([currency[p] if p >= 0 else "USD" for p in ipos], dtype=object)
        if M
        else np.zeros(0, dtype=object)
    )
    money: dict[str, np.ndarray] = {}
    for col, per in (("capex", ""), ("opex", "/year")):
        v, u, g = split_quantity(iv, col)
        out = np.zeros(M)
        for c, uu in {(c, uu) for c, uu in zip(icur[g], u[g], strict=True)}:
            rows = g & (icur == c) & (u == uu)
            target = f"{c}{per}"
            f = _unit_factor(uu if uu else c, target) if not _unit_error(uu or c) else None
            if f is None:
                err.add(rows, ipl, "interventions", iid, col, f"not in {target}")
            else:
                out[rows] = v[rows] * f
        money[col] = np.where(g, out, np.nan)
    lv, lu, lg = split_quantity(iv, "lifetime")
    lu = np.where(lu == "", "year", lu)
    life, lcode, _ = convert(lv, lu, ("year",))
    err.add(
        lg & ((lcode < 0) | ~(life > 0)),
        ipl,
        "interventions",
        iid,
        "lifetime",
        "must be a positive time (e.g. '10 year')",
    )
    life = np.where(lg, life, np.nan)
    err.add((money["capex"] < 0), ipl, "interventions", iid, "capex", "must not be negative")

    errors = err.frame()
    bad_ids = set(errors["plant"].tolist())
    ok = ~np.isin(pid.astype(str), np.array(sorted(bad_ids), dtype=str)) & (pid != "") & ~dup
    # -- keep valid plants; flows sorted by plant (stable: table order within a plant)
    new_pos = np.full(P, -1, dtype=np.int64)
    new_pos[ok] = np.arange(int(ok.sum()))
    fkeep = fpos >= 0
    fkeep[fkeep] = ok[fpos[fkeep]]
    forder = np.flatnonzero(fkeep)
    forder = forder[np.argsort(new_pos[fpos[forder]], kind="stable")]
    ft = FlowTable.empty(len(forder))
    ft.plant = new_pos[fpos[forder]]
    ft.flow_id = fid[forder]
    ft.type = ftype[forder]
    ft.amount = amount[forder]
    ft.basis = basis[forder]
    ft.carrier = carrier[forder]
    ft.ncv_mass = np.where(ncode == 0, ncv, np.nan)[forder]
    ft.ncv_vol = np.where(ncode == 1, ncv, np.nan)[forder]
    ft.density = np.where(dcode == 0, dens, np.nan)[forder]
    ft.ef = np.where(ecode == 0, ef, np.nan)[forder]
    ft.price = price[forder]
    ft.price_basis = pbasis[forder]
    ft.source = source[forder]
    ft.hazardous = hazardous[forder]
    ft.route = route[forder]
    ft.cod = conc["cod"][forder]
    ft.nitrogen = conc["nitrogen"][forder]
    ft.treatment = treatment[forder]
    ft.ch4_recovery = recovery[forder]
    ft.doc_type = codes_lf["doc_type"][forder]
    ft.landfill = codes_lf["landfill"][forder]
    ft.row = forder + 2  # table row number (header is row 1)
    ft.place_fmt = "flows row {}"
    local_idx = np.full(N, -1, dtype=np.int64)
    local_idx[forder] = np.arange(len(forder))

    # interventions of valid plants, numbered in order of first appearance
    ikeep = ipos >= 0
    ikeep[ikeep] = ok[ipos[ikeep]]
    rows = np.flatnonzero(ikeep)
    ikey = pd.Series(ipl[rows], dtype=object) + sep + pd.Series(iid[rows], dtype=object)
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

    capex = per_iv(money["capex"], 0.0)
    opex = per_iv(money["opex"], 0.0)
    lifetime = per_iv(life, np.nan)
    iv_plant = new_pos[ipos[first]] if n_iv else np.zeros(0, dtype=np.int64)
    iv_index = pd.Index(iv_keys)

    # scenarios: an explicit table (one row per step), else the `scenario` column, else "all"
    st = t.scenarios
    st_plant = np.zeros(0, dtype=np.int64)
    st_name = np.zeros(0, dtype=object)
    st_iv = np.zeros(0, dtype=np.int64)
    if st is not None and len(st):
        spl, sname, siv = _text(st, "plant"), _text(st, "scenario"), _text(st, "intervention")
        sp = plant_lookup(spl)
        use = sp >= 0
        use[use] = ok[sp[use]]
        g = iv_index.get_indexer(pd.Series(spl, dtype=object) + sep + pd.Series(siv, dtype=object))
        missing = use & (g < 0)
        for i in np.flatnonzero(missing):  # error rows only
            errors = pd.concat(
                [
                    errors,
                    pd.DataFrame(
                        [
                            {
                                "plant": spl[i],
                                "file": t.names.get("scenarios", "scenarios"),
                                "place": f"scenarios row {i + 2} ({sname[i]}).intervention",
                                "message": f"no intervention {siv[i]!r} in plant {spl[i]!r}",
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
        reserved = use & (sname == "baseline")
        for i in np.flatnonzero(reserved):
            errors = pd.concat(
                [
                    errors,
                    pd.DataFrame(
                        [
                            {
                                "plant": spl[i],
                                "file": t.names.get("scenarios", "scenarios"),
                                "place": f"scenarios row {i + 2}.scenario",
                                "message": "'baseline' is reserved for the plant without "
                                "interventions",
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
        use &= (g >= 0) & (sname != "baseline")
        st_plant, st_name, st_iv = new_pos[sp[use]], sname[use], g[use].astype(np.int64)
    has_table = np.zeros(int(ok.sum()), dtype=bool)
    has_table[st_plant] = True
    dflt = ~has_table[iv_plant] if n_iv else np.zeros(0, dtype=bool)
    scen_col = _text(iv, "scenario")[first] if n_iv else np.zeros(0, dtype=object)
    names = pd.Series(np.where(scen_col == "", "all", scen_col)[dflt], dtype=object)
    exploded = names.str.split(";").explode()
    exploded = exploded.str.strip()
    exploded = exploded[exploded != ""]
    d_g = np.flatnonzero(dflt)[exploded.index.to_numpy()]
    d_plant = iv_plant[d_g]
    d_name = exploded.to_numpy(dtype=object)
    all_plant = np.concatenate([st_plant, d_plant]).astype(np.int64)
    all_name = np.concatenate([st_name, d_name]).astype(object)
    all_iv = np.concatenate([st_iv, d_g]).astype(np.int64)
    # plant-major, keeping table order within a plant
    o = np.argsort(all_plant, kind="stable")
    all_plant, all_name, all_iv = all_plant[o], all_name[o], all_iv[o]
    scen_code, scen_names = pd.factorize(pd.Series(all_name, dtype=object), sort=False)
    scen_code = np.asarray(scen_code, dtype=np.int64)
    S = max(len(scen_names), 1)
    all_k = _rank(all_plant * S + scen_code)

    # a plant with an error in the scenarios table is dropped too: rebuild without it
    if len(errors):
        late_bad = set(errors["plant"]) - bad_ids
        if late_bad:

            def without(df: pd.DataFrame | None) -> pd.DataFrame | None:
                if df is None or not len(df) or "plant" not in df.columns:
                    return df
                return df[~df["plant"].astype(str).isin(late_bad)].reset_index(drop=True)

            pf2, err2 = portfolio_from_tables(
                Tables(
                    without(t.plants),
                    without(t.flows),
                    without(t.interventions),
                    t.names,
                    without(t.scenarios),
                ),
                lib,
            )
            late = errors[errors["plant"].isin(late_bad)]
            return pf2, pd.concat([err2, late], ignore_index=True)

    pf = Portfolio(
        plant_ids=[str(x) for x in pid[ok]],
        names=[str(n) or str(i) for n, i in zip(_text(pl, "name")[ok], pid[ok], strict=True)],
        sectors=[str(x) or None for x in _text(pl, "sector")[ok]],
        countries=[str(x) for x in country[ok]],
        currency=[str(x) for x in currency[ok]],
        production=production[ok],
        production_unit=[str(x) for x in punit[ok]],
        discount_rate=rate[ok],
        ft=ft,
        pt=PlantTable(
            country=country[ok].astype(object), gwp=_codes(gwp[ok], GWP_CODES), grid=grid[ok]
        ),
        iv_plant=iv_plant,
        iv_ids=[str(x) for x in iid[first]],
        capex=capex,
        opex=opex,
        lifetime=lifetime,
        ch_iv=g_of_row,
        ch_order=_rank(g_of_row),
        ch_flow=local_idx[gflow[rows]],
        ch_kind=kind[rows].astype(np.int64),
        ch_value=value[rows],
        ch_place=None,
        ch_row=rows + 2,
        scen_names=[str(x) for x in scen_names],
        st_plant=all_plant,
        st_scen=scen_code,
        st_k=all_k,
        st_iv=all_iv,
        files=[t.names["plants"]] * int(ok.sum()),
    )
    return pf, errors


def _rank(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements with the same value."""
    import pandas as pd

    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(pd.Series(groups).groupby(groups).cumcount().to_numpy(dtype=np.int64))


def tables_from_scenarios(scs: list[Any], ids: list[str] | None = None) -> Tables:
    """Write validated scenarios as the three tidy tables (quantities as ``"<n> <unit>"``).

    Only the default scenario layout is kept exactly: named scenarios become the ``scenario``
    column (names joined with ``;``).
    """
    import pandas as pd

    ids = ids or [s.plant.name for s in scs]
    with_proc = [pid for pid, sc in zip(ids, scs, strict=True) if sc.processes]
    if with_proc:
        raise ValueError(
            f"plant(s) {', '.join(with_proc)} have processes (mercury, PCDD/F), "
            "which the tidy tables do not carry yet: batch them as scenario files"
        )

    def q(x: Any) -> str | None:
        return None if x is None else f"{x.magnitude!r} {x.units:~}"

    plants, flows, ivs, scen = [], [], [], []
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
                "discount_rate": q(sc.discount_rate),
            }
        )
        for f in sc.flows:
            flows.append(
                {
                    "plant": pid,
                    "id": f.id,
                    "type": f.type,
                    "amount": q(f.amount),
                    "carrier": f.carrier,
                    "price": q(f.price),
                    "ncv": q(f.ncv),
                    "density": q(f.density),
                    "emission_factor": q(f.emission_factor),
                    "source": f.source if f.type == "water" else None,
                    "hazardous": None if f.hazardous is None else str(f.hazardous).lower(),
                    "route": f.route,
                    "cod": q(f.cod),
                    "nitrogen": q(f.nitrogen),
                    "treatment": f.treatment,
                    "ch4_recovery": q(f.ch4_recovery),
                    "doc_type": f.doc_type,
                    "landfill": f.landfill,
                }
            )
        smap = sc.scenario_map
        if sc.scenarios:
            for name, steps in smap.items():
                scen += [{"plant": pid, "scenario": name, "intervention": i} for i in steps]
        for iv in sc.interventions:
            names = ";".join(k for k, v in smap.items() if iv.id in v)
            for j, ch in enumerate(iv.changes):
                row = {
                    "plant": pid,
                    "id": iv.id,
                    "name": iv.name,
                    "category": iv.category,
                    "flow": ch.flow,
                    "by": q(ch.by),
                    "to": q(ch.to),
                    "scenario": names,
                }
                if j == 0:
                    row |= {"capex": q(iv.capex), "opex": q(iv.opex), "lifetime": q(iv.lifetime)}
                ivs.append(row)
    return Tables(
        pd.DataFrame(plants),
        pd.DataFrame(flows),
        pd.DataFrame(ivs),
        {t: f"<{t}>" for t in TABLE_NAMES},
        pd.DataFrame(scen, columns=["plant", "scenario", "intervention"]),
    )
