"""Mercury and PCDD/F release factors from the two UNEP Toolkits.

Two factor tables in ``factors/`` hold them, each row a Toolkit source category and class (or
technology), with its edition, section and class text:

- ``hg-toolkit``: the UNEP *Toolkit for Identification and Quantification of Mercury Releases*.
  A release is ``activity x input factor``, split by the category's *output distribution
  factors* into the pathways :data:`HG_PATHWAYS`.
- ``pcddf-toolkit-2013``: the UNEP/Stockholm Convention *Toolkit for Identification and
  Quantification of Releases of Dioxins, Furans and Other Unintentional POPs* (2013). A release
  is ``activity x class emission factor`` [ug TEQ per unit of activity] for each of the vectors
  :data:`PCDDF_VECTORS`.

A cell is a number, ``NA`` (the Toolkit says no release is expected: counted as zero) or ``ND``
(the Toolkit has no data: the release may exist but is not quantified). recp never reads ND as
zero: an ND vector is left out of the results and reported as a warning. An empty cell means the
value was not transcribed (status ``""``): also left out, with its own warning.

Results are the indicators ``mercury`` [kg] and ``pcdd_f`` [g TEQ]: a component per pathway or
vector, ``total``, and ``environment`` (air + water + land), so that a measure moving a release
from air to a residue shows as a shift, not as a reduction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from recp.errors import UnknownFactorError, did_you_mean
from recp.factors import Factor

if TYPE_CHECKING:
    from recp.factors import FactorLibrary, Table

HG_TABLE = "hg-toolkit"
PCDDF_TABLE = "pcddf-toolkit-2013"

#: Mercury output pathways of the Mercury Toolkit, in its order.
HG_PATHWAYS = ("air", "water", "land", "product", "general_waste", "sector_treatment")
#: PCDD/F release vectors of the Dioxin Toolkit, in its order.
PCDDF_VECTORS = ("air", "water", "land", "product", "residue")
#: Vectors that are a release to the environment (the rest stays in products and residues).
ENVIRONMENT = ("air", "water", "land")

#: Result indicators and their units.
HG_UNIT = "kg"
PCDDF_UNIT = "g TEQ"


@dataclass(frozen=True)
class ToolkitRow:
    """One Toolkit category and class (or technology), ready for the engine.

    ``values`` holds, per pathway or vector, the release per canonical unit of activity (kg Hg or
    g TEQ per t, GJ or piece), or None where the Toolkit gives no number (ND or not transcribed).
    ``status`` holds ``value``, ``NA`` or ``ND`` per pathway. ``per_canonical`` is the mercury
    input factor per canonical unit [kg] (for PCDD/F, the unit scale of the table).
    """

    table: str
    id: str
    category: str
    category_name: str
    variant: str  # PCDD/F class number or mercury technology key
    variant_text: str
    activity_unit: str  # as printed in the table (t, kg, TJ, piece)
    canonical: str  # the engine's unit for this activity (t, GJ or the unit itself)
    per_canonical: float  # kg Hg or g TEQ per canonical unit, before distribution
    values: dict[str, float | None]
    status: dict[str, str]
    factors: tuple[Factor, ...]  # the cited numbers behind this row
    kind: str = "pcdd_f"  # pcdd_f | mercury
    caution: str = ""  # a caution the table gives for this row (shown as a warning)

    @property
    def nd(self) -> list[str]:
        """Pathways or vectors with no factor (ND or not transcribed)."""
        return [k for k, s in self.status.items() if s not in ("value", "NA")]


def _cell(text: Any) -> tuple[float | None, str]:
    """Parse a Toolkit cell: a number, NA, ND, or empty (not transcribed)."""
    if text is None:
        return None, ""
    s = str(text).strip()
    if s == "":
        return None, ""
    up = s.upper()
    if up in ("NA", "N/A"):
        return 0.0, "NA"
    if up in ("ND", "?"):
        return None, "ND"
    return float(s.replace(",", "")), "value"


def _canonical(unit: str) -> tuple[str, float]:
    """The engine's canonical unit for an activity unit, and the factor per canonical unit."""
    from recp.units import is_dimension, parse_quantity, to_float

    q = parse_quantity(f"1 {unit}")
    for base in ("t", "m3", "GJ"):
        if is_dimension(q, base):
            return base, 1.0 / to_float(q, base)
    return f"{q.units:~}", 1.0


def _citation(t: Table, row: dict[str, Any]) -> str:
    where = row.get("source_row") or ""
    ed = row.get("edition")
    cite = t.citation + (f" ({ed})" if ed and str(ed) not in t.citation else "")
    return cite + (f"; {where}" if where else "")


def _pcddf_row(t: Table, key: str, row: dict[str, Any]) -> ToolkitRow:
    from recp.units import parse_quantity, to_float

    unit = str(row.get("factor_unit") or "ug TEQ/t")
    act = str(row.get("activity_unit") or "t")
    canonical, per = _canonical(act)
    # g TEQ per activity unit, from the table's factor unit (ug TEQ/t as printed).
    scale = to_float(parse_quantity(f"1 {unit}") * parse_quantity(f"1 {act}"), "g TEQ")
    values: dict[str, float | None] = {}
    status: dict[str, str] = {}
    factors: list[Factor] = []
    src = _citation(t, row)
    for v in PCDDF_VECTORS:
        x, s = _cell(row.get(v))
        status[v] = s
        values[v] = None if x is None else x * scale * per
        if s == "value":
            factors.append(Factor(f"{t.id}:{key}:{v}", float(x), unit, src))  # type: ignore[arg-type]
    return ToolkitRow(t.id, key, str(row.get("category") or ""),
                      str(row.get("category_name") or ""), str(row.get("class") or ""),
                      str(row.get("class_text") or ""), act, canonical, scale * per, values,
                      status, tuple(factors), "pcdd_f", str(row.get("caution") or ""))


def _hg_row(t: Table, key: str, row: dict[str, Any]) -> ToolkitRow | None:
    from recp.units import parse_quantity, to_float

    act = str(row.get("activity_unit") or "t")
    unit = str(row.get("input_unit") or "g/t")
    x, s = _cell(row.get("input_default"))
    if s != "value":
        return None  # no single input factor: the process must give its own (input_factor)
    canonical, per = _canonical(act)
    scale = to_float(parse_quantity(f"1 {unit}") * parse_quantity(f"1 {act}"), "kg")
    src = _citation(t, row)
    factors = [Factor(f"{t.id}:{key}:input_default", float(x), unit, src)]  # type: ignore[arg-type]
    values: dict[str, float | None] = {}
    status: dict[str, str] = {}
    per_unit = float(x) * scale * per  # type: ignore[arg-type]
    for p in HG_PATHWAYS:
        d, ds = _cell(row.get(p))
        status[p] = ds
        values[p] = None if d is None else d * per_unit
        if ds == "value":
            factors.append(Factor(f"{t.id}:{key}:{p}", float(d), "1", src))  # type: ignore[arg-type]
    return ToolkitRow(t.id, key, str(row.get("category") or ""),
                      str(row.get("category_name") or ""), str(row.get("technology") or ""),
                      str(row.get("technology_text") or ""), act, canonical, per_unit, values,
                      status, tuple(factors), "mercury", str(row.get("caution") or ""))


@dataclass
class Toolkit:
    """The rows of one Toolkit table, by id, with look-up by category and class."""

    name: str  # "mercury" or "pcdd_f"
    table_id: str
    rows: dict[str, ToolkitRow]
    raw: dict[str, dict[str, Any]]  # every table row, including ones without a default

    @property
    def categories(self) -> dict[str, str]:
        """Category code -> name."""
        out: dict[str, str] = {}
        for r in self.raw.values():
            out.setdefault(str(r.get("category")), str(r.get("category_name") or ""))
        return out

    def variants(self, category: str) -> list[str]:
        """The classes (PCDD/F) or technologies (mercury) of a category."""
        key = "class" if self.name == "pcdd_f" else "technology"
        return [str(r.get(key) or "") for r in self.raw.values()
                if str(r.get("category")) == category]

    def find_category(self, text: str) -> str:
        """Resolve a category given by code (``1c``) or name; raise naming the closest."""
        cats = self.categories
        t = str(text).strip()
        if not cats:
            own = ("'input_factor' and 'distribution'" if self.name == "mercury"
                   else "'emission_factors'")
            raise UnknownFactorError(
                f"{self.label} category {text!r}: recp's table '{self.table_id}' has no "
                f"verified rows yet (see docs/research/); give the process's own {own} with "
                "their 'source'")
        if t in cats:
            return t
        norm = _norm(t)
        for code, name in cats.items():
            if norm in (_norm(code), _norm(name)):
                return code
        choices = {**{c: c for c in cats}, **{n: c for c, n in cats.items() if n}}
        raise UnknownFactorError(f"unknown {self.label} category {text!r}: "
                                 f"{did_you_mean(t, choices, show=6)}")

    def find(self, category: str, variant: Any = None) -> str:
        """Row id for a category and class/technology; raise naming the closest valid one."""
        code = self.find_category(category)
        key = "class" if self.name == "pcdd_f" else "technology"
        rows = {rid: r for rid, r in self.raw.items() if str(r.get("category")) == code}
        if variant is None or str(variant).strip() == "":
            if len(rows) == 1:
                return next(iter(rows))
            raise UnknownFactorError(
                f"{self.label} category {code} ({self.categories[code]}) has several "
                f"{'classes' if key == 'class' else 'technologies'}: give '{key}', one of "
                f"{', '.join(repr(str(r.get(key))) for r in rows.values())}")
        want = _norm(str(variant))
        for rid, r in rows.items():
            if want in (_norm(str(r.get(key) or "")), _norm(rid),
                        _norm(str(r.get(f"{key}_text") or ""))):
                return rid
        choices = [str(r.get(key)) for r in rows.values()]
        raise UnknownFactorError(f"{self.label} category {code} has no {key} {variant!r}: "
                                 f"{did_you_mean(str(variant), choices, show=8)}")

    @property
    def label(self) -> str:
        """How messages name this Toolkit."""
        return "mercury" if self.name == "mercury" else "PCDD/F"

    def row(self, rid: str) -> ToolkitRow:
        """A resolved row (raises if the table gives no usable factor for it)."""
        if rid in self.rows:
            return self.rows[rid]
        if rid in self.raw:
            raise UnknownFactorError(
                f"{self.label} factor row {rid!r} has no default input factor in "
                f"'{self.table_id}': give 'input_factor' (with its source) in the process")
        raise UnknownFactorError(f"no {self.label} factor row {rid!r}: "
                                 f"{did_you_mean(rid, self.raw)}")


def _norm(s: str) -> str:
    return " ".join(s.replace("_", " ").replace("-", " ").replace(".", " ").lower().split())


@lru_cache(maxsize=8)
def _load(lib_id: int, name: str, lib: FactorLibrary) -> Toolkit:
    table_id = HG_TABLE if name == "mercury" else PCDDF_TABLE
    try:
        t = lib.table(table_id)
    except UnknownFactorError:
        return Toolkit(name, table_id, {}, {})
    rows: dict[str, ToolkitRow] = {}
    for key, row in t.rows.items():
        r = _pcddf_row(t, key, row) if name == "pcdd_f" else _hg_row(t, key, row)
        if r is not None:
            rows[key] = r
    return Toolkit(name, table_id, rows, dict(t.rows))


def toolkit(name: str, lib: FactorLibrary | None = None) -> Toolkit:
    """The ``mercury`` or ``pcdd_f`` Toolkit table of a factor library."""
    from recp.factors import library

    lib = lib or library()
    return _load(id(lib), name, lib)
