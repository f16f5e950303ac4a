"""Cited factor tables: loading, look-up and provenance.

Each table in ``factors/`` is a CSV whose numeric columns carry their unit in the header
(``ncv [TJ/Gg]``) plus a sibling ``<table>.meta.yaml`` naming the source, edition, section, URL,
licence and retrieval date. A single factor is addressed as ``<table>:<row>:<column>``, for example
``ipcc2006-fuels:natural_gas:ncv``; every assessment lists the ids of the factors it used.

Global warming potentials are read from the CC0 ``globalwarmingpotentials`` package (a maintained
upstream table, not a hand copy) and addressed as ``gwp:AR5:CH4``.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from recp.errors import UnknownFactorError, did_you_mean
from recp.io import read_yaml

_HEADER = re.compile(r"^\s*([^\[\]]+?)\s*(?:\[(.*)\])?\s*$")

#: GWP sets recp offers, mapped to the column of the globalwarmingpotentials table.
GWP_SETS = {"AR4": "AR4GWP100", "AR5": "AR5GWP100", "AR6": "AR6GWP100"}

#: Where each GWP set was published (for provenance lines).
GWP_SOURCES = {
    "AR4": "IPCC AR4 WG1 (2007) Ch.2 Table 2.14, GWP-100",
    "AR5": "IPCC AR5 WG1 (2013) Ch.8 Table 8.A.1, GWP-100 (no climate-carbon feedback)",
    "AR6": "IPCC AR6 WG1 (2021) Ch.7 Table 7.SM.7, GWP-100",
}


@dataclass(frozen=True)
class Factor:
    """One cited number: its id, value, unit and source."""

    id: str
    value: float
    unit: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the factor as a JSON-ready mapping."""
        return {"id": self.id, "value": self.value, "unit": self.unit, "source": self.source}


@dataclass
class Table:
    """One factor table: rows keyed by id, column units and its provenance (meta)."""

    id: str
    meta: dict[str, Any]
    units: dict[str, str]
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Columns whose unit is given per row (Toolkit tables): column -> unit column, or "1".
    row_units: dict[str, str] = field(default_factory=dict)

    @property
    def citation(self) -> str:
        """A one-line citation: source, edition, section."""
        m = self.meta
        parts = [str(m.get("short") or m.get("title") or m.get("source") or self.id)]
        if m.get("edition"):
            parts.append(str(m["edition"]))
        return ", ".join(parts)

    def row(self, key: str) -> dict[str, Any]:
        """Return the row ``key`` or raise :class:`UnknownFactorError` with the closest id."""
        try:
            return self.rows[key]
        except KeyError:
            raise UnknownFactorError(
                f"'{key}' is not in factor table '{self.id}': {did_you_mean(key, self.rows)}"
            ) from None

    def factor(self, key: str, column: str) -> Factor | None:
        """Return the factor at row ``key``, column ``column``; None where the source gives none."""
        row = self.row(key)
        value: float | None
        if column in self.row_units:
            value, _ = parse_cell(row.get(column))
            if value is None:
                return None
            ucol = self.row_units[column]
            unit = "1" if ucol == "1" else str(row.get(ucol) or "1")
        elif column not in self.units:
            raise UnknownFactorError(
                f"table '{self.id}' has no numeric column '{column}': "
                f"{did_you_mean(column, [*self.units, *self.row_units])}"
            )
        else:
            value = row.get(column)
            if value is None:
                return None
            unit = self.units[column]
        where = row.get("source_row") or ""
        source = self.citation + (f"; {where}" if where else "")
        return Factor(f"{self.id}:{key}:{column}", float(value), unit, source)


def parse_cell(text: Any) -> tuple[float | None, str]:
    """Parse a Toolkit-style cell into ``(value, status)``.

    A number gives ``(x, "value")``; ``NA`` (no release expected) gives ``(0.0, "NA")``; ``ND``
    or ``?`` (no data) gives ``(None, "ND")``; an empty cell (not transcribed) ``(None, "")``.
    """
    s = "" if text is None else str(text).strip()
    up = s.upper()
    if up == "":
        return None, ""
    if up in ("NA", "N/A"):
        return 0.0, "NA"
    if up in ("ND", "?"):
        return None, "ND"
    return float(s.replace(",", "")), "value"


def factors_dir() -> Path:
    """Return the folder holding the factor tables.

    Installed from a wheel, the tables live inside the package (``recp/factors``); in a source
    checkout they are the top-level ``factors/``. ``RECP_FACTORS_DIR`` overrides both.
    """
    env = os.environ.get("RECP_FACTORS_DIR")
    if env:
        return Path(env)
    packaged = Path(str(resources.files("recp"))) / "factors"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "factors"


def _convert(text: str, numeric: bool) -> Any:
    text = text.strip()
    if text == "":
        return None
    if numeric:
        return float(text)
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    return text


def read_table(csv_path: Path) -> Table:
    """Read one factor table and its ``.meta.yaml``.

    Raises
    ------
    ValueError
        If the header, a number or the meta file is malformed (a packaging bug, not user input).
    """
    meta_path = csv_path.with_suffix(".meta.yaml")
    meta = read_yaml(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        names: list[str] = []
        units: dict[str, str] = {}
        for col in header:
            m = _HEADER.match(col)
            if not m:
                raise ValueError(f"{csv_path.name}: bad column header {col!r}")
            names.append(m.group(1))
            if m.group(2) is not None:
                units[m.group(1)] = m.group(2).strip() or "1"
        if names[0] != "id":
            raise ValueError(f"{csv_path.name}: first column must be 'id', got {names[0]!r}")
        row_units: dict[str, str] = {}
        if "factor_unit" in names:  # Dioxin Toolkit: ug TEQ per activity unit, per row
            row_units |= {
                c: "factor_unit"
                for c in ("air", "water", "land", "product", "residue")
                if c in names
            }
        if "input_unit" in names:  # Mercury Toolkit: input factor per row, shares of 1
            row_units |= {
                c: "input_unit" for c in ("input_low", "input_default", "input_high") if c in names
            }
            row_units |= {
                c: "1"
                for c in ("air", "water", "land", "product", "general_waste", "sector_treatment")
                if c in names
            }
        table = Table(csv_path.stem, meta or {}, units, row_units=row_units)
        for lineno, rec in enumerate(reader, start=2):
            if not rec or not any(c.strip() for c in rec):
                continue
            if len(rec) != len(names):
                raise ValueError(
                    f"{csv_path.name}:{lineno}: {len(rec)} cells, header has {len(names)}"
                )
            try:
                row = {n: _convert(v, n in units) for n, v in zip(names, rec, strict=True)}
            except ValueError as e:
                raise ValueError(f"{csv_path.name}:{lineno}: {e}") from None
            key = str(row["id"])
            if key in table.rows:
                raise ValueError(f"{csv_path.name}:{lineno}: duplicate id {key!r}")
            table.rows[key] = row
    return table


class FactorLibrary:
    """All factor tables of a folder, loaded on first use.

    Parameters
    ----------
    folder : path, optional
        Folder of ``*.csv`` + ``*.meta.yaml`` pairs; default :func:`factors_dir`.
    """

    #: Which table serves each role (the vintage is in the table id).
    FUELS = "ipcc2006-fuels"
    DENSITIES = "fuel-densities-unsd-2004"
    GRID = "grid-ember-2023"
    AR6_CH4 = "ipcc-ar6-ch4-gwp-2021"
    #: Combined-margin grid factors for emission reductions (UNFCCC/IFI harmonised dataset).
    GRID_CM = "grid-ifi-2021"
    #: CH4 and N2O of stationary combustion by source category (IPCC 2006 Vol. 2 Tables 2.2-2.5).
    STATIONARY = {
        "energy": "ipcc2006-stationary-energy",
        "manufacturing": "ipcc2006-stationary-manufacturing",
        "commercial": "ipcc2006-stationary-commercial",
        "residential": "ipcc2006-stationary-residential",
    }
    WASTEWATER = "ipcc2006-wastewater"
    WASTEWATER_CONSTANTS = "ipcc2006-wastewater-constants"
    #: N2O of (industrial) wastewater treatment plants (2019 Refinement Table 6.8A).
    WASTEWATER_N2O = "ipcc2019-wastewater-n2o"
    LANDFILL_DOC = "ipcc2006-landfill-doc"
    LANDFILL_MCF = "ipcc2006-landfill-mcf"
    LANDFILL_CONSTANTS = "ipcc2006-landfill-constants"
    REFERENCES = "sector-references"

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else factors_dir()
        self._cache: dict[str, Table] = {}

    @property
    def tables(self) -> dict[str, Table]:
        """Every table, keyed by id (the CSV file stem); reads those not read yet."""
        return {tid: self.table(tid) for tid in self.ids}

    @property
    def ids(self) -> list[str]:
        """The ids of the tables of the folder, without reading them."""
        return sorted(p.stem for p in self.folder.glob("*.csv"))

    def table(self, table_id: str) -> Table:
        """Return one table (read on first use) or raise naming the closest id."""
        if table_id not in self._cache:
            path = self.folder / f"{table_id}.csv"
            if "/" in table_id or not path.is_file():
                raise UnknownFactorError(
                    f"no factor table '{table_id}': {did_you_mean(table_id, self.ids)}"
                )
            self._cache[table_id] = read_table(path)
        return self._cache[table_id]

    def get(self, factor_id: str) -> Factor:
        """Return the factor ``<table>:<row>:<column>`` (or ``gwp:<set>:<gas>``)."""
        parts = factor_id.split(":")
        if len(parts) != 3:
            raise UnknownFactorError(
                f"factor id '{factor_id}' must look like 'table:row:column', "
                "e.g. 'ipcc2006-fuels:natural_gas:ncv'"
            )
        if parts[0] == "gwp":
            return self.gwp(parts[1], parts[2])
        f = self.table(parts[0]).factor(parts[1], parts[2])
        if f is None:
            raise UnknownFactorError(f"'{factor_id}': the source gives no value")
        return f

    # -- roles -------------------------------------------------------------------------------

    @property
    def carriers(self) -> list[str]:
        """Fuel carrier keys (rows of the fuel table)."""
        return list(self.table(self.FUELS).rows)

    def gwp(self, gwp_set: str, gas: str) -> Factor:
        """Return the GWP-100 of ``gas`` in set ``gwp_set`` (AR4, AR5 or AR6).

        ``CH4_fossil`` and ``CH4_non_fossil`` are methane by origin: AR6 gives them apart
        (WG1 Ch. 7 Table 7.15: 29.8 and 27.0, table ``ipcc-ar6-ch4-gwp-2021``); AR4 and AR5
        give one value for all methane.

        Examples
        --------
        >>> library().gwp("AR5", "CH4").value
        28.0
        >>> library().gwp("AR6", "CH4_fossil").value, library().gwp("AR6", "CH4_non_fossil").value
        (29.8, 27.0)
        """
        if gas in ("CH4_fossil", "CH4_non_fossil"):
            if gwp_set != "AR6":
                return _gwp(gwp_set, "CH4")
            f = self.table(self.AR6_CH4).factor(gas.lower(), "gwp100")
            assert f is not None
            return f
        return _gwp(gwp_set, gas)


@lru_cache(maxsize=64)
def _gwp(gwp_set: str, gas: str) -> Factor:
    # lazy: CLI start-up (globalwarmingpotentials reads its data tables when imported)
    import globalwarmingpotentials as gwps

    if gwp_set not in GWP_SETS:
        raise UnknownFactorError(f"unknown GWP set '{gwp_set}': {did_you_mean(gwp_set, GWP_SETS)}")
    if gas == "CO2":
        value = 1.0
    else:
        data = gwps.data[GWP_SETS[gwp_set]]
        if gas not in data:
            raise UnknownFactorError(f"no GWP for '{gas}' in {gwp_set}: {did_you_mean(gas, data)}")
        value = float(data[gas])
    source = (
        f"{GWP_SOURCES[gwp_set]}; via globalwarmingpotentials {gwps.__version__} (CC0), "
        f"column {GWP_SETS[gwp_set]}"
    )
    return Factor(f"gwp:{gwp_set}:{gas}", value, "1", source)


@lru_cache(maxsize=4)
def library(folder: str | None = None) -> FactorLibrary:
    """Return the shared :class:`FactorLibrary` (one per folder per process)."""
    return FactorLibrary(folder)
