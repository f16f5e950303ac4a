"""The one unit registry of recp, and parsing of user quantities at the boundary.

recp keeps pint at the edge: strings such as ``"2.1e6 m3"`` or ``{value: 4.2, unit: GWh}`` are
parsed and converted once, to plain floats in canonical units (GJ, t, m3, ...), and the engine
works on numpy arrays. Ambiguous spellings are refused with a message that says what to write.

Examples
--------
>>> from recp.units import parse_quantity, to_float
>>> to_float(parse_quantity("4.2 GWh"), "GJ")
15120.0
>>> to_float(parse_quantity("1 kt"), "t")
1000.0
"""

from __future__ import annotations

import math
import re
import sys
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from recp.errors import UnitError, did_you_mean

if TYPE_CHECKING:
    import pint

#: Canonical unit of each dimension the engine works in.
CANONICAL = {
    "energy": "GJ",
    "mass": "t",
    "volume": "m3",
    "time": "year",
    "dimensionless": "dimensionless",
}

#: Spellings that mean different things in different places: refused, with what to write.
AMBIGUOUS = {
    "ton": "write 't' for the metric tonne (or 'short_ton' / 'long_ton' if you mean those)",
    "tons": "write 't' for the metric tonne (or 'short_ton' / 'long_ton' if you mean those)",
    "cal": "write 'kcal_IT' or 'international_calorie' (or 'thermochemical_calorie')",
    "Cal": "write 'kcal_IT' (the food calorie is the international kilocalorie)",
    "calorie": "write 'international_calorie' or 'thermochemical_calorie'",
    "calories": "write 'international_calorie' or 'thermochemical_calorie'",
    "kcal": "write 'kcal_IT' (international) or 'kcal_th' (thermochemical)",
    "gallon": "write 'US_liquid_gallon' or 'imperial_gallon', or litres 'L'",
    "gallons": "write 'US_liquid_gallon' or 'imperial_gallon', or litres 'L'",
    "gal": "write 'US_liquid_gallon' or 'imperial_gallon', or litres 'L'",
    "bbl": "write 'oil_barrel' (159 L) or give the volume in m3",
    "barrel": "write 'oil_barrel' (159 L) or give the volume in m3",
    "therm": "write 'EC_therm' or 'US_therm'",
}

#: Spellings recp rewrites before pint sees them (pint reads 'kt' as knot).
_REWRITE = {
    "kt": "kilotonne",
    "Mt": "megatonne",
    "tCO2e": "(t CO2e)",
    "kgCO2e": "(kg CO2e)",
    "tCO2": "(t CO2e)",
    "kgCO2": "(kg CO2e)",
    "gCO2e": "(g CO2e)",
    "kcal_IT": "kilocalorie_IT",
    "kcal_th": "kilocalorie",
    "%": "percent",
    "‰": "permille",
}

_TOKEN = re.compile(r"[A-Za-z_µμ%‰][A-Za-z_0-9µμ]*|%|‰")

#: The ISO 4217 codes recp knows as currencies, read from the end of ``recp_units.txt`` (where
#: each becomes its own dimension).
CURRENCIES = re.findall(
    r"^([A-Z]{3}) = \[currency_\1\]$",
    resources.files("recp").joinpath("recp_units.txt").read_text(encoding="utf-8"),
    flags=re.M,
)


def pint_module() -> Any:
    """pint, imported without its optional Dask support.

    pint probes for Dask when it is imported and, when Dask is installed (the ``dask`` extra),
    imports ``dask.base``: 0.1-0.3 s of every ``recp`` start on a 2-core machine. recp never
    hands pint a Dask array, so Dask is hidden from that probe (``find_spec`` sees no module)
    and made visible again straight after; ``import dask`` later works as usual.
    """
    if "pint" in sys.modules:
        return sys.modules["pint"]
    hide = "dask" not in sys.modules
    if hide:
        sys.modules["dask"] = None  # type: ignore[assignment]
    try:
        import pint  # lazy: CLI start-up (see above)
    finally:
        if hide and "dask" in sys.modules and sys.modules["dask"] is None:
            del sys.modules["dask"]
    return pint


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry[Any]:
    """Return recp's unit registry (built once per process).

    Returns
    -------
    pint.UnitRegistry
        pint's defaults plus ``recp_units.txt`` (with one dimension per ISO 4217 currency).
    """
    pint_ = pint_module()

    # pint's on-disk cache of its parsed default definitions makes start-up ~10x faster;
    # without a writable cache folder recp simply parses them again.
    ureg: pint.UnitRegistry[Any]
    try:
        ureg = pint_.UnitRegistry(on_redefinition="raise", cache_folder=":auto:")
    except Exception:  # noqa: BLE001 - any cache problem: fall back to no cache
        ureg = pint_.UnitRegistry(on_redefinition="raise")
    # loaded as a file, pint caches its parse beside the defaults' (a define() per currency
    # cost ~60 ms of every start-up)
    with resources.as_file(resources.files("recp").joinpath("recp_units.txt")) as path:
        ureg.load_definitions(str(path))
    ureg.formatter.default_format = "~"
    return ureg


def _prepare(unit: str) -> str:
    """Check a unit expression for ambiguous spellings and apply recp's rewrites."""

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok in AMBIGUOUS:
            raise UnitError(f"ambiguous unit '{tok}': {AMBIGUOUS[tok]}")
        return _REWRITE.get(tok, tok)

    unit = unit.replace("·", "*").replace("μ", "u").replace("µ", "u")
    # 'USD/t CO2e' is a price per tonne of CO2e, never (USD/t) x CO2e.
    unit = _PER_CO2E.sub(r"/(\1 \2)", unit)
    return _TOKEN.sub(repl, unit)


#: A mass unit and CO2e after a slash: one denominator (``/t CO2e`` -> ``/(t CO2e)``).
_PER_CO2E = re.compile(r"/\s*([A-Za-z]+)\s+(CO2e|CO2eq)\b")


_NUM = re.compile(r"^\s*([-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")

_BAD_CHAR = re.compile(r"[#\"'\\;\[\]{},=!@$&|<>?`~\x00-\x1f]")
#: Longest unit expression read (a scenario's units are short; this bounds pint's parser).
MAX_UNIT_CHARS = 200
#: Largest magnitude of a quantity in SI base units, so that no sum or product the engine
#: forms can overflow to inf (and inf - inf or 0 * inf to NaN).
MAX_MAGNITUDE = 1e30
#: Smallest nonzero magnitude, in SI base units, of a quantity recp divides by (calorific
#: value, density, production, lifetime): see :func:`too_small`.
MIN_MAGNITUDE = 1e-30

# An exponent in a unit is a short number ('m**3', 'm^-1', 's**-0.5'); pint evaluates powers
# with Python numbers, so 't**9**9**9' would run for ever and must be refused before it.
_POWER = re.compile(r"\*\*|\^")
_SHORT_EXP = re.compile(r"\s*\(?\s*[-+]?\d{1,2}(?:\.\d{1,3})?\s*\)?")
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]{3,}")


def _check_powers(unit: str, original: str) -> None:
    for m in _POWER.finditer(unit):
        exp = _SHORT_EXP.match(unit, m.end())
        rest = unit[exp.end() :] if exp else ""
        if (
            exp is None
            or not exp.group(0).strip()
            or _POWER.match(rest.lstrip())
            or rest[:1].isdigit()
            or rest[:1] == "."
        ):
            raise UnitError(
                f"cannot read unit '{original}': an exponent is a small number, "
                "as in 'm**3' or 'm^-1'"
            )
    if _SUPERSCRIPTS.search(unit):
        raise UnitError(
            f"cannot read unit '{original}': an exponent is a small number, as in 'm³' or 'm**3'"
        )


def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit expression such as ``"t CO2e/MWh"``.

    Raises
    ------
    UnitError
        If the unit is unknown or ambiguous; the message names the closest known unit.
    """
    pint = pint_module()

    ureg = registry()
    if len(str(unit)) > MAX_UNIT_CHARS:
        raise UnitError(
            f"unit is {len(str(unit))} characters long; at most {MAX_UNIT_CHARS} "
            f"are read (it starts '{str(unit)[:30]}...')"
        )
    junk = _BAD_CHAR.search(str(unit))
    if junk:  # pint's tokenizer would drop a comment or a quote without a word
        raise UnitError(f"unexpected character {junk.group(0)!r} in unit '{unit}'")
    text = _prepare(str(unit).strip())
    if not text:
        return ureg.dimensionless
    _check_powers(text, str(unit))
    try:
        return ureg.parse_units(text)
    except pint.UndefinedUnitError as e:
        bad = str(e.unit_names[0] if isinstance(e.unit_names, (list, tuple)) else e.unit_names)
        hint = _unit_hint(bad)
        raise UnitError(f"unknown unit '{bad}' in '{unit}'{hint}") from None
    except Exception as e:  # noqa: BLE001 - pint's parser raises many kinds (TokenError...)
        raise UnitError(f"cannot read unit '{unit}' ({_first_line(e)})") from None


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _unit_hint(bad: str) -> str:
    common = [
        "t",
        "kg",
        "g",
        "m3",
        "L",
        "GJ",
        "MJ",
        "TJ",
        "kWh",
        "MWh",
        "GWh",
        "Nm3",
        "toe",
        "tce",
        "year",
        "USD",
        "EUR",
        "CO2e",
        "TEQ",
        "percent",
        "ug",
        "ng",
        "mg",
    ]
    if bad.upper() == bad and len(bad) == 3 and bad.isalpha():
        return f": {did_you_mean(bad, CURRENCIES, show=0)} (currencies are ISO 4217 codes)"
    return f": {did_you_mean(bad, common)}"


def parse_quantity(text: Any) -> pint.Quantity[Any]:
    """Parse ``"<number> <unit>"``, ``{value:, unit:}`` or a bare number into a pint Quantity.

    Parameters
    ----------
    text : str, dict, int or float
        The user's quantity. A bare number is dimensionless.

    Raises
    ------
    UnitError
        For an unreadable number, a NaN or infinite value, or an unknown/ambiguous unit.

    Examples
    --------
    >>> str(parse_quantity("2.1e6 m3"))
    '2100000.0 m3'
    >>> parse_quantity({"value": 8, "unit": "%"}).to("dimensionless").magnitude
    0.08
    """
    ureg = registry()
    if isinstance(text, bool):
        raise UnitError(f"expected a quantity like '12 MWh', got {text!r}")
    if isinstance(text, (int, float)):
        value, unit = _float(text), ""
    elif isinstance(text, dict):
        if set(text) - {"value", "unit"} or "value" not in text:
            raise UnitError(f"a quantity mapping has keys 'value' and 'unit', got {sorted(text)}")
        raw = text["value"]
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise UnitError(f"quantity value must be a number, got {raw!r}")
        try:
            value = _float(raw)
        except ValueError:
            raise UnitError(f"quantity value must be a number, got {_short(raw)}") from None
        unit = str(text.get("unit") or "")
    elif isinstance(text, str):
        m = _NUM.match(text)
        if not m:
            raise UnitError(f"expected '<number> <unit>' such as '12 MWh', got {text!r}")
        value, unit = _float(m.group(1).replace("_", "")), m.group(2)
    else:
        raise UnitError(f"expected a quantity like '12 MWh', got {_short(text)}")
    if not math.isfinite(value):
        raise UnitError(f"quantity must be a finite number, got {_short(text)}")
    q = ureg.Quantity(value, parse_unit(unit))
    _check_magnitude(q, text)
    return q


def _float(x: Any) -> float:
    """``float(x)``, with an integer too large for a float read as infinite (then refused)."""
    try:
        return float(x)
    except OverflowError:
        return math.copysign(math.inf, 1 if not str(x).lstrip().startswith("-") else -1)


def _short(x: Any, width: int = 60) -> str:
    shown = repr(x)
    return shown if len(shown) <= width else shown[: width - 3] + "..."


def _base_magnitude(q: Any) -> float:
    try:
        return abs(float(q.to_base_units().magnitude))
    except (ArithmeticError, ValueError, TypeError):
        return math.inf


def _check_magnitude(q: Any, text: Any) -> None:
    """Refuse a quantity so large that the engine's arithmetic could overflow."""
    if q.magnitude == 0:
        return
    if not _base_magnitude(q) <= MAX_MAGNITUDE:
        raise UnitError(
            f"{_short(text)} is too large: recp reads quantities up to "
            f"{MAX_MAGNITUDE:.0e} in SI base units"
        )


def too_small(q: Any) -> bool:
    """Return True when ``q`` is not above :data:`MIN_MAGNITUDE` in SI base units.

    For quantities recp divides by (a calorific value, a density, production, a lifetime),
    where a tiny positive value would make a result overflow.

    >>> too_small(parse_quantity("1e-300 MJ/m3")), too_small(parse_quantity("35.8 MJ/m3"))
    (True, False)
    """
    return not _base_magnitude(q) > MIN_MAGNITUDE


def dimension_name(q: pint.Quantity[Any] | pint.Unit) -> str:
    """Name the dimension of a quantity among recp's canonical ones, or describe it."""
    ureg = registry()
    for name, unit in CANONICAL.items():
        if q.dimensionality == ureg.Unit(unit).dimensionality:
            return name
    return str(q.dimensionality)


def to_float(q: pint.Quantity[Any], unit: str) -> float:
    """Convert ``q`` to ``unit`` and return the magnitude as a float.

    Raises
    ------
    UnitError
        If the dimensions differ; the message names both units.
    """
    pint = pint_module()

    try:
        return float(q.to(parse_unit(unit)).magnitude)
    except pint.DimensionalityError:
        raise UnitError(f"'{q}' is {dimension_name(q)}, cannot be converted to '{unit}'") from None


def is_dimension(q: pint.Quantity[Any], unit: str) -> bool:
    """Return True when ``q`` converts to ``unit``."""
    return bool(q.dimensionality == parse_unit(unit).dimensionality)


#: The canonical units of a flow amount, in the order of their codes; any other unit (products
#: counted in pieces, say) keeps its own unit and has code ``B_OTHER``.
BASES = ("t", "m3", "GJ")
B_T, B_M3, B_GJ, B_OTHER = range(4)


def canonical_amount(q: pint.Quantity[Any]) -> tuple[float, int, str]:
    """Convert an amount to t, m3 or GJ, or keep a product's own unit.

    Returns
    -------
    (float, int, str)
        The magnitude in the canonical unit, its code (:data:`B_T`, :data:`B_M3`, :data:`B_GJ`
        or :data:`B_OTHER`) and the unit as text.

    Examples
    --------
    >>> canonical_amount(parse_quantity("2.5 kt"))
    (2500.0, 0, 't')
    """
    for code, unit in enumerate(BASES):
        if is_dimension(q, unit):
            return to_float(q, unit), code, unit
    return float(q.magnitude), B_OTHER, f"{q.units:~}"


def unit_text(q: Any) -> str:
    """A quantity's unit as users write it: ``m2`` and ``t/m3``, not ``m ** 2``."""
    return _compact(f"{q.units:~}")


def _compact(text: str) -> str:
    return text.replace(" ** ", "").replace("**", "").replace(" / ", "/").replace(" * ", " ")


def fmt_unit(unit: str) -> str:
    """Return ``unit`` normalised to recp's short spelling (``"t CO2e/MWh"``)."""
    return _compact(f"{parse_unit(unit):~}")
