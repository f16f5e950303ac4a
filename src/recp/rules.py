"""The input rules: vocabularies, messages and vectorised column checks, written once.

Every reader of plant data (scenario files and fill-in workbooks through
:mod:`recp.scenario`, tidy tables through :mod:`recp.tables`) takes its domain rules from this
module, so a problem reads the same word for word whichever form the plant came in:

- **vocabularies**: flow types, water sources, waste routes, cleaner-production categories,
  GWP sets, with normalisers (:func:`country`, :func:`category`, :func:`gwp`);
- **messages**: one template per rule in :data:`MESSAGES`, filled by :func:`message` (the
  value shown, the valid choices or the closest match);
- **column checks**: :class:`Text` holds a text column as integer codes into its distinct
  values (from Arrow, or Parquet's own dictionary pages), so rules compare integers and call
  Python once per distinct value; :func:`split_quantity` and :func:`convert` read a quantity
  column into canonical floats, parsing each distinct unit string once; :func:`choice` checks a
  column against a vocabulary, with one closest-match hint per distinct bad value. Messages are
  built for problem rows only (``{row: message}``).

Pydantic (in :mod:`recp.scenario`) keeps what is structure: types, unknown keys, YAML lines.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pycountry

from recp.errors import UnitError, did_you_mean
from recp.units import CURRENCIES, is_dimension, parse_quantity, parse_unit, registry, to_float

if TYPE_CHECKING:
    import pandas as pd

# -- vocabularies ----------------------------------------------------------------------------

FLOW_TYPES = ("fuel", "electricity", "heat", "water", "wastewater", "waste", "material", "product")
WATER_SOURCES = (
    "groundwater",
    "surface_water",
    "municipal",
    "seawater",
    "rainwater",
    "recycled",
    "other",
)
WASTE_ROUTES = (
    "landfill",
    "incineration",
    "recycling",
    "composting",
    "reuse",
    "anaerobic_digestion",
    "open_burning",
    "other",
)
#: The eight cleaner-production option types (UNEP/UNIDO CP methodology).
CATEGORIES = (
    "good housekeeping",
    "input substitution",
    "better process control",
    "equipment modification",
    "technology change",
    "on-site recovery and reuse",
    "production of useful by-product",
    "product modification",
)
GWP_CHOICES = ("AR4", "AR5", "AR6")
#: Source categories of stationary combustion, each with its table of CH4 and N2O defaults
#: (IPCC 2006 Vol. 2 Ch. 2 Tables 2.2 energy industries, 2.3 manufacturing industries and
#: construction, 2.4 commercial/institutional, 2.5 residential).
COMBUSTION_SECTORS = ("energy", "manufacturing", "commercial", "residential")
#: A plant sector's combustion category when a flow does not give its own (else manufacturing).
SECTOR_COMBUSTION = {
    "hospital": "commercial",
    "school": "commercial",
    "district_heating": "energy",
}


def combustion_sector(plant_sector: str | None) -> str:
    """The IPCC combustion category of a plant's fuels, from its sector (default manufacturing)."""
    return SECTOR_COMBUSTION.get(str(plant_sector or ""), "manufacturing")


_CATEGORY_ALIASES = {
    "recovery and reuse": "on-site recovery and reuse",
    "on-site recycling": "on-site recovery and reuse",
    "useful by-product": "production of useful by-product",
    "process control": "better process control",
    "housekeeping": "good housekeeping",
}

#: Dimensions a flow's amount may have, per flow type (canonical units); products take any.
AMOUNT_UNITS: dict[str, tuple[str, ...]] = {
    "fuel": ("t", "m3", "GJ"),
    "electricity": ("GJ",),
    "heat": ("GJ",),
    "water": ("m3",),
    "wastewater": ("m3",),
    "waste": ("t",),
    "material": ("t", "m3"),
}
DIMENSION_NAMES = {"t": "mass", "m3": "volume", "GJ": "energy"}
#: An example amount per flow type, shown in messages.
EXAMPLES = {
    "fuel": "2.1e6 m3', '300 t' or '12 TJ",
    "electricity": "4.2 GWh",
    "heat": "800 GJ",
    "water": "850000 m3",
    "wastewater": "780000 m3",
    "waste": "300 t",
    "material": "180 t",
}
#: Wastewater-only and landfill-only keys of a flow (IPCC 2006 Vol. 5 Ch. 6 and Ch. 2-3).
WASTEWATER_KEYS = ("cod", "nitrogen", "treatment", "ch4_recovery")
LANDFILL_KEYS = ("doc_type", "landfill")
#: What a plant-level quantity must be, for messages: key -> (unit, description).
PLANT_QUANTITIES = {
    "grid_factor": ("t CO2e/MWh", "an emission factor like '0.62 t CO2e/MWh'"),
    "grid_cm": ("t CO2e/MWh", "a combined-margin factor like '0.41 t CO2e/MWh'"),
    "discount_rate": ("percent", "a rate like '8 %'"),
}


#: What a location-based grid factor covers (``grid_basis``): recp ships lifecycle factors only.
GRID_BASES = ("lifecycle", "combustion")


def carbon_price_unit(currency: str) -> tuple[str, str]:
    """Unit and description of a plant's ``carbon_price`` in its currency."""
    return f"{currency}/(t CO2e)", f"a price per t CO2e in {currency}, like '10 {currency}/t CO2e'"


def money_units(currency: str) -> dict[str, tuple[str, str]]:
    """Unit and example of an intervention's ``capex``, ``opex`` and ``lifetime``."""
    return {
        "capex": (currency, f"25000 {currency}"),
        "opex": (f"{currency}/year", f"-1000 {currency}/year"),
        "lifetime": ("year", "10 year"),
    }


# -- messages: each written once -------------------------------------------------------------

#: Rule id -> message template (``str.format`` fields; ``{q}`` is a quantity as pint prints it).
MESSAGES: dict[str, str] = {
    # plant
    "country": "unknown country {value!r}: {hint}",
    "currency": "unknown currency {value!r}: {hint} (ISO 4217 code)",
    "gwp": "unknown GWP set {value!r}: valid: {choices}",
    "grid_basis": "unknown grid basis {value!r}: {hint}",
    "positive": "must be positive, got '{q}'",
    "negative": "must not be negative, got '{q}'",
    "plant_quantity": "'{q}' is not {what}",
    "rate_range": "'{q}' is outside -99 % to 100 %",
    "grid_basis_combustion": (
        "grid_basis 'combustion' needs the plant's own 'grid_factor' (a combustion-based "
        "national factor, e.g. '0.55 t CO2e/MWh'): recp ships no combustion-based default"
    ),
    # flows
    "amount_missing": "no value: give the yearly amount (e.g. '{example}')",
    "amount_dimension": "'{q}' is not {want}, as a {type} flow needs (e.g. '{example}')",
    "carrier_missing": "a fuel flow needs a carrier: {hint}",
    "carrier": "unknown carrier {value!r}: {hint}",
    "carrier_not_fuel": "only fuel flows have a carrier (this is {type})",
    "ncv": "'{q}' is not a calorific value per mass ('48 GJ/t') or per volume ('35.8 MJ/m3')",
    "density": "'{q}' is not a density (kg/m3)",
    "fuel_volume": "{carrier} given by volume needs 'ncv' per volume (e.g. '35.8 MJ/m3', from "
    "the supplier's gas analysis) or 'density': recp ships no sourced default for it",
    "source": "unknown water source {value!r}: {hint}",
    "hazardous": "a waste flow says 'hazardous: true' or 'hazardous: false'",
    "route": "unknown route {value!r}: {hint}",
    "combustion_sector": "unknown combustion sector {value!r} (the IPCC table of CH4 and N2O "
    "factors: energy 2.2, manufacturing 2.3, commercial 2.4, residential 2.5): {hint}",
    "combustion_sector_type": "only fuel flows take a combustion_sector",
    "emission_factor_type": "only electricity and heat flows take an emission_factor (fuels use "
    "the IPCC factors of their carrier)",
    "emission_factor": "'{q}' is not an emission factor like '0.2 t CO2e/MWh'",
    "emission_factor_negative": "must not be negative",
    "market_factor_type": "only electricity and heat flows take a market_factor (the supplier's "
    "or a contractual instrument's factor, for market-based scope 2)",
    "on_site_type": "only waste and wastewater flows take on_site (true: treated at the plant, "
    "scope 1; false: treated by a third party, scope 3)",
    "on_site": "on_site is true or false",
    "price_currency": "'{q}' is not in {currency} per unit (the scenario's currency is {currency})",
    "price_unit": "'{q}' does not convert to {currency} per '{unit}'",
    "wastewater_only": "only wastewater flows take '{key}'",
    "landfill_only": "'{key}' applies to waste sent to landfill (type: waste, route: landfill)",
    "concentration": "'{q}' is not a concentration like '3.2 kg/m3' (or '3200 mg/L')",
    "treatment": "unknown treatment {value!r}: {hint}",
    "treatment_missing": "a wastewater flow with 'cod' or 'nitrogen' says how it is treated: "
    "one of {choices}",
    "share": "'{q}' is not a share from 0 to 100 %",
    "doc_type": "unknown waste type {value!r}: {hint}",
    "landfill": "unknown landfill type {value!r}: {hint}",
    "flow_duplicate": "duplicate flow id {value!r} (also {other})",
    # interventions and their changes
    "category": "unknown category {value!r}: {hint}",
    "intervention_duplicate": "duplicate intervention id {value!r}",
    "no_changes": "an intervention changes at least one flow",
    "flow_or_process": "give exactly one of 'flow' or 'process'",
    "by_or_to": "give exactly one of 'by' (e.g. '-8 %' or '-15000 m3') or 'to'",
    "no_flow": "no flow {value!r}: {hint}",
    "to_unit": "'{q}' does not convert to the flow's unit '{unit}'",
    "to_negative": "a flow cannot go below zero, got '{q}'",
    "by_below_zero": "'{q}' would take flow {flow!r} below zero",
    "by_unit": "'{q}' is neither a relative change ('-8 %') nor in the flow's unit '{unit}'",
    "money_unit": "'{q}' is not in {unit} (e.g. '{example}')",
    # scenarios
    "baseline": "'baseline' is reserved for the plant without interventions; choose another name",
    "no_intervention": "no intervention {value!r}: {hint}",
    "listed_twice": "intervention {value!r} is listed twice",
    # tables only (rows that a scenario file's structure rules out)
    "id_missing": "every {what} needs an id",
    "plant_duplicate": "duplicate plant id",
    "plant_unknown": "no such plant in the plants table",
    "flow_type": "unknown flow type {value!r}: {hint}",
}


def message(rule: str, **fields: Any) -> str:
    """The message of ``rule`` (a key of :data:`MESSAGES`) filled with ``fields``.

    >>> message("carrier", value="natural_gaz", hint="did you mean 'natural_gas'?")
    "unknown carrier 'natural_gaz': did you mean 'natural_gas'?"
    """
    return MESSAGES[rule].format(**fields)


def qty(q: Any) -> str:
    """A quantity as messages show it (pint's short form, e.g. ``165000 MWh``)."""
    return f"{q:~}"


def quantity_text(value: float, unit: str) -> str:
    """:func:`qty` of ``value`` in ``unit``, as a scenario file's ``"<value> <unit>"`` reads."""
    return qty(registry().Quantity(float(value), parse_unit(unit)))


def unit_text_of(unit: str) -> str:
    """A unit string as messages show it (pint's short form)."""
    return f"{parse_unit(unit):~}"


# -- normalisers -----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def country(text: str) -> tuple[str | None, str]:
    """Return (alpha-2, '') for a valid code or name, else (None, a hint with the closest).

    >>> country("BGD"), country("Moldova")[0]
    (('BD', ''), 'MD')
    """
    t = str(text).strip()
    rec = None
    if len(t) == 2:
        rec = pycountry.countries.get(alpha_2=t.upper())
    elif len(t) == 3:
        rec = pycountry.countries.get(alpha_3=t.upper())
    if rec is None and t.upper() == "XK":
        return "XK", ""
    if rec is not None:
        return str(rec.alpha_2), ""
    names = {c.name: c.alpha_2 for c in pycountry.countries}
    for c in pycountry.countries:
        for attr in ("common_name", "official_name"):
            if hasattr(c, attr):
                names[getattr(c, attr)] = c.alpha_2
    exact = {k.lower(): v for k, v in names.items()}.get(t.lower())
    if exact:
        return exact, ""
    hit = did_you_mean(t, names)
    if hit.startswith("did you mean"):
        name = hit.split("'")[1]
        return None, f"did you mean '{names[name]}' ({name})? Use an ISO 3166-1 alpha-2 code"
    return None, "use an ISO 3166-1 alpha-2 code such as 'BD', 'MD' or 'UA'"


def category(text: str) -> str:
    """A cleaner-production category as written in :data:`CATEGORIES` (aliases accepted).

    An unknown category is returned normalised; check it with ``in CATEGORIES``.
    """
    norm = " ".join(str(text).replace("_", " ").replace("-", " ").lower().split())
    norm = norm.replace("on site", "on-site").replace("by product", "by-product")
    return _CATEGORY_ALIASES.get(norm, norm)


def gwp(text: str) -> str:
    """A GWP set as written in :data:`GWP_CHOICES` (``ar5``, ``AR5-GWP100`` accepted)."""
    return str(text).upper().replace("GWP100", "").replace("-", "").strip()


def choice_message(rule: str, value: str, vocab: Any, show: int = 12) -> str:
    """The message of a vocabulary rule for a value not in ``vocab`` (closest match or list)."""
    if rule == "country":
        return message(rule, value=value, hint=country(value)[1])
    if rule == "gwp":
        return message(rule, value=value, choices=", ".join(GWP_CHOICES))
    return message(rule, value=value, hint=did_you_mean(value, vocab, show=show))


#: Vocabulary rules and how many choices their message lists when nothing is close.
SHOW = {"carrier": 30, "carrier_missing": 30, "category": 8}


# -- column checks (vectorised: per distinct value, never per row) -----------------------------

_QTY = re.compile(r"^\s*([-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@lru_cache(maxsize=4096)
def unit_factor(unit: str, target: str) -> float | None:
    """Factor converting ``unit`` to ``target``; None when the dimensions differ."""
    q = parse_quantity(f"1 {unit}" if unit else 1.0)
    if not is_dimension(q, target):
        return None
    return to_float(q, target)


@lru_cache(maxsize=4096)
def unit_error(unit: str) -> str | None:
    """The message for a unit that recp does not read (unknown, ambiguous), else None."""
    try:
        parse_unit(unit)
    except UnitError as e:
        return e.problems[0].message
    return None


#: Problem messages of a column check: row -> message (problem rows only, nothing elsewhere).
Messages: TypeAlias = "dict[int, str]"


class Text:
    """A text column as integer codes into its distinct values (no Python string per row).

    Checks compare codes and look up each distinct value once; :attr:`values` (an object array
    of Python strings, one per row) is built only when a caller asks for it.

    >>> t = Text.of(np.array(["fuel", "water", "fuel"], dtype=object))
    >>> t.uniq, t.codes.tolist(), t.eq("fuel").tolist(), t[2]
    (['fuel', 'water'], [0, 1, 0], [True, False, True], 'fuel')
    """

    __slots__ = ("_values", "codes", "uniq")

    def __init__(self, codes: np.ndarray, uniq: list[str]):
        self.codes = np.asarray(codes, dtype=np.int64)
        self.uniq = uniq  # distinct
        self._values: np.ndarray | None = None

    @classmethod
    def full(cls, n: int, value: str) -> Text:
        """``n`` rows of ``value``."""
        return cls(np.zeros(n, dtype=np.int64), [value])

    @classmethod
    def of(cls, values: Any) -> Text:
        """The codes of an array of strings (or of a :class:`Text`)."""
        if isinstance(values, Text):
            return values
        return cls(*factorize(values))

    @classmethod
    def column(cls, s: pd.Series, default: str = "", strip: bool = True) -> Text:
        """A table column as text: empty cells are ``default``, cells stripped (Arrow kernels)."""
        import pyarrow.compute as pc  # lazy: CLI start-up

        arr = _arrow_strings(s)
        if arr is None:  # numbers, booleans...: as pandas writes them
            arr = _arrow_strings(s.astype("string[pyarrow]"))
        if arr is None:  # pragma: no cover - pandas' strings are always Arrow strings
            raise TypeError(f"column {s.name!r} is not text")
        arr = pc.fill_null(arr, default)
        if strip:
            arr = pc.utf8_trim_whitespace(arr)
        enc = arr.dictionary_encode()
        return cls(enc.indices.to_numpy(zero_copy_only=False), enc.dictionary.to_pylist())

    @classmethod
    def dictionary(cls, arr: Any, default: str = "", strip: bool = True) -> Text:
        """A dictionary-encoded Arrow column (as Parquet stores text) without decoding its rows.

        The same text as :meth:`column` of the decoded column: nulls are ``default``, values
        stripped; only the dictionary's values are looked at, once each.
        """
        import pyarrow as pa  # lazy: CLI start-up
        import pyarrow.compute as pc  # lazy: CLI start-up

        n = len(arr.dictionary)
        idx = pc.fill_null(arr.indices, n).to_numpy(zero_copy_only=False)
        idx = np.asarray(idx, dtype=np.int64)
        used = np.flatnonzero(np.bincount(idx, minlength=n + 1))  # values of these rows only
        new = np.zeros(n + 1, dtype=np.int64)
        new[used] = np.arange(len(used))
        values = pc.fill_null(pc.cast(arr.dictionary.take(used[used < n]), pa.string()), default)
        if strip:
            values = pc.utf8_trim_whitespace(values)
        if len(used) > 0 and used[-1] == n:  # some rows are empty
            empty = pa.array([default.strip() if strip else default], pa.string())
            values = pa.concat_arrays([values, empty])
        # texts equal once stripped (or an empty row's beside a value) share one code, in
        # order of first appearance: Arrow's hash, not a Python call per value
        enc = values.dictionary_encode()
        codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        return cls(codes[new[idx]], enc.dictionary.to_pylist())

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def values(self) -> np.ndarray:
        """One Python string per row (built once, on first use)."""
        if self._values is None:
            self._values = np.asarray(self.uniq + [""], dtype=object)[self.codes]
        return self._values

    def __getitem__(self, key: Any) -> Any:
        """A row's string (integer key), or the rows of a mask or index array as Text."""
        if isinstance(key, (int, np.integer)):
            return self.uniq[int(self.codes[key])]
        return Text(self.codes[key], self.uniq)

    def index(self, value: str) -> int:
        """The code of ``value`` (-1 when no row has it)."""
        try:
            return self.uniq.index(value)
        except ValueError:
            return -1

    def eq(self, value: str) -> np.ndarray:
        """Rows equal to ``value``."""
        k = self.index(value)
        return self.codes == k if k >= 0 else np.zeros(len(self), dtype=bool)

    def ne(self, value: str) -> np.ndarray:
        """Rows not equal to ``value``."""
        return ~self.eq(value)

    def map(
        self, f: Any, dtype: Any = object, where: np.ndarray | None = None, fill: Any = None
    ) -> np.ndarray:
        """``f`` of each row's string, calling ``f`` once per distinct value.

        With ``where``: only the values of those rows are mapped, other rows get ``fill``.
        """
        out = np.full(len(self.uniq) + 1, fill, dtype=dtype)
        mapped = range(len(self.uniq)) if where is None else np.unique(self.codes[where]).tolist()
        for k in mapped:
            out[k] = f(self.uniq[k])
        if where is None:
            return np.asarray(out[self.codes])
        return np.where(where, out[self.codes], out[len(self.uniq)])

    def distinct(self, mask: np.ndarray | None = None) -> list[str]:
        """The distinct strings of the rows in ``mask`` (all rows when None)."""
        used = np.unique(self.codes if mask is None else self.codes[mask])
        return [self.uniq[int(k)] for k in used]

    def remap(self, f: Any) -> Text:
        """The text ``f(value)`` of each row, calling ``f`` once per distinct value."""
        new = [f(u) for u in self.uniq]
        uniq = list(dict.fromkeys(new))
        pos = {u: k for k, u in enumerate(uniq)}
        return Text(np.asarray([pos[u] for u in new] or [0], dtype=np.int64)[self.codes], uniq)

    def lower(self) -> Text:
        """Each row in lower case."""
        return self.remap(str.lower)

    def where(self, mask: np.ndarray, other: Text) -> Text:
        """The rows of this text where ``mask``, else of ``other`` (``np.where`` on codes)."""
        uniq = list(dict.fromkeys(self.uniq + other.uniq))
        pos = {u: k for k, u in enumerate(uniq)}
        mine = np.asarray([pos[u] for u in self.uniq] or [0], dtype=np.int64)
        theirs = np.asarray([pos[u] for u in other.uniq] or [0], dtype=np.int64)
        return Text(np.where(mask, mine[self.codes], theirs[other.codes]), uniq)

    def tolist(self) -> list[str]:
        """One string per row."""
        return list(self.values.tolist())


def _arrow_strings(s: Any) -> Any:
    """A column as an Arrow string array (nulls kept), or None when its cells are not text."""
    import pyarrow as pa  # lazy: CLI start-up

    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    return None


def factorize(values: Any) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the distinct values (hash-based, no per-row Python)."""
    import pandas as pd  # lazy: CLI start-up
    import pyarrow as pa  # lazy: CLI start-up
    import pyarrow.compute as pc  # lazy: CLI start-up

    if isinstance(values, Text):
        return values.codes, values.uniq
    try:  # Arrow's hash kernel: text cells without Python objects per row
        arr = pc.fill_null(pa.array(values, type=pa.string(), from_pandas=True), "")
        enc = arr.dictionary_encode()
        return (
            enc.indices.to_numpy(zero_copy_only=False).astype(np.int64),
            enc.dictionary.to_pylist(),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a cell that is not text: pandas' path
        pass
    codes, uniq = pd.factorize(pd.Series(values, dtype=object).fillna(""), sort=False)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniq]


def codes(values: Any, vocab: tuple[str, ...] | list[str]) -> np.ndarray:
    """Index of each value in ``vocab`` (-1 when absent)."""
    lookup = {v: i for i, v in enumerate(vocab)}
    inv, uniq = factorize(values)
    known = np.array([lookup.get(u, -1) for u in uniq] or [-1], dtype=np.int64)
    return np.asarray(known[inv])


def choice(
    values: Any, vocab: tuple[str, ...] | list[str], rule: str, given: np.ndarray
) -> tuple[np.ndarray, Messages]:
    """Rows of ``values`` (where ``given``) not in ``vocab``, with the rule's message per row."""
    text = Text.of(values)
    bad = given & (codes(text, vocab) < 0)
    msgs: Messages = {}
    if bad.any():
        for k in np.unique(text.codes[bad]):  # distinct bad values only
            msg = choice_message(rule, text.uniq[k], vocab, SHOW.get(rule, 12))
            msgs |= dict.fromkeys(np.flatnonzero(bad & (text.codes == k)).tolist(), msg)
    return bad, msgs


def split_quantity(
    df: pd.DataFrame, col: str, text: Any = None
) -> tuple[np.ndarray, Text, np.ndarray]:
    """Split a quantity column into (value, unit, given) arrays.

    Strings ``"2.1e6 m3"`` are split; numbers take their unit from ``<col>_unit`` (or ``unit``
    for ``amount``). ``given`` is False where the cell is empty. Units are :class:`Text`;
    ``text(column)``, when given, reads a unit column (unstripped, '' where empty).
    """
    import pandas as pd  # lazy: CLI start-up

    n = len(df)
    if col not in df.columns:
        return np.full(n, np.nan), Text.full(n, ""), np.zeros(n, dtype=bool)
    s = df[col]
    unit_col = (
        f"{col}_unit"
        if f"{col}_unit" in df.columns
        else ("unit" if col == "amount" and "unit" in df.columns else None)
    )
    if pd.api.types.is_numeric_dtype(s):
        given = s.notna().to_numpy().copy()
        values = s.to_numpy(dtype=float, na_value=np.nan)
        units = Text.full(n, "")
    else:
        split = _split_arrow(s)
        if split is None:
            given = s.notna().to_numpy().copy()
            given &= (
                (s.astype("string[pyarrow]").str.strip() != "").fillna(False).to_numpy(dtype=bool)
            )
            values, unit_values = _split_pandas(s)
            units = Text.of(unit_values)
        else:
            values, units, given = split
    if unit_col is not None:
        given_units = text(unit_col) if text is not None else Text.column(df[unit_col], "", False)
        units = units.where(units.ne(""), given_units)
    return values, units, given


#: :data:`_QTY` for Arrow's RE2 engine (Unicode digits and spaces as Python's ``re`` has them).
_QTY_RE2 = (
    r"^[\s\pZ]*(?P<num>[-+]?(?:\p{Nd}[\p{Nd}_]*\.?\p{Nd}*|\.\p{Nd}+)(?:[eE][-+]?\p{Nd}+)?)"
    r"[\s\pZ]*(?P<unit>.*?)[\s\pZ]*$"
)


def _split_arrow(s: pd.Series) -> tuple[np.ndarray, Text, np.ndarray] | None:
    """Number, unit and given of each text cell with Arrow's compute kernels (no Python per row).

    None when Arrow cannot read the column exactly as :func:`_split_pandas` would (a cell
    that is not text, a number in non-ASCII digits): the caller then takes that path.
    """
    import pyarrow as pa  # lazy: CLI start-up
    import pyarrow.compute as pc  # lazy: CLI start-up

    arr = _arrow_strings(s)
    if arr is None:
        return None
    try:
        parts = pc.extract_regex(arr, _QTY_RE2)
        number = pc.replace_substring(pc.struct_field(parts, "num"), "_", "")
        values = pc.cast(number, pa.float64()).to_numpy(zero_copy_only=False)
        enc = pc.fill_null(pc.struct_field(parts, "unit"), "").dictionary_encode()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    given = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(arr), ""), False)
    return (
        np.asarray(values, dtype=float),
        Text(enc.indices.to_numpy(zero_copy_only=False), enc.dictionary.to_pylist()),
        given.to_numpy(zero_copy_only=False).astype(bool),
    )


def _split_pandas(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Number and unit of each text cell with pandas' regex (Python's ``re``, per row)."""
    import pandas as pd  # lazy: CLI start-up

    ext = s.astype("string[pyarrow]").str.extract(_QTY.pattern)
    number = pd.to_numeric(ext[0].str.replace("_", "", regex=False), errors="coerce")
    return number.to_numpy(dtype=float, na_value=np.nan), ext[1].fillna("").to_numpy(dtype=object)


def convert(
    values: np.ndarray, units: Any, targets: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert to the first matching target; return (canonical value, target code, unit ok).

    Target code is the index in ``targets`` (-1 when no target matches).
    """
    inv, uniq = factorize(units)
    factor = np.full(len(uniq) + 1, np.nan)
    code = np.full(len(uniq) + 1, -1, dtype=np.int64)
    known = np.ones(len(uniq) + 1, dtype=bool)
    for k, u in enumerate(uniq):  # per distinct unit string, not per row
        if unit_error(u) is not None:
            known[k] = False
            continue
        for t_code, target in enumerate(targets):
            f = unit_factor(u, target)
            if f is not None:
                factor[k], code[k] = f, t_code
                break
    return values * factor[inv], code[inv], known[inv]


def quantity_messages(
    rule: str, mask: np.ndarray, values: np.ndarray, units: Any, **fields: Any
) -> Messages:
    """The message of a quantity rule (``{q}`` in its text) for the rows in ``mask``.

    Formatting is per problem row only. ``fields`` may hold per-row arrays or mappings.
    """
    out: Messages = {}
    for i in np.flatnonzero(mask).tolist():  # problem rows only
        kw = {
            k: (v[i] if isinstance(v, (np.ndarray, dict, Text)) else v) for k, v in fields.items()
        }
        try:
            q = quantity_text(values[i], str(units[i]))
        except UnitError:
            q = f"{values[i]!r} {units[i]}".strip()
        out[i] = message(rule, q=q, **kw)
    return out


__all__ = [
    "AMOUNT_UNITS",
    "CATEGORIES",
    "CURRENCIES",
    "FLOW_TYPES",
    "GWP_CHOICES",
    "MESSAGES",
    "WASTE_ROUTES",
    "WATER_SOURCES",
]
