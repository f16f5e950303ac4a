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
from recp.factors import Factor, library, parse_cell
from recp.units import canonical_amount, parse_quantity, to_float

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

#: Economics columns of the releases: (indicator, avoided per year, cost per unit avoided).
RELEASE_ECONOMICS = (
    ("mercury", "mercury_avoided_kg_per_year", "cost_per_kg_hg"),
    ("pcdd_f", "pcdd_f_avoided_g_teq_per_year", "cost_per_g_teq"),
)


@dataclass(frozen=True)
class ToolkitRow:
    """One Toolkit category and class (or technology), or a process's own factors, for the engine.

    ``values`` holds, per pathway or vector, the release per canonical unit of activity (kg Hg or
    g TEQ per t, GJ or piece), or None where there is no number (ND or not transcribed).
    ``status`` holds ``value``, ``NA``, ``ND`` or ``""`` (not transcribed) per pathway.
    """

    table: str  # factor table id, or "user" for a process's own factors
    id: str
    kind: str  # pcdd_f | mercury
    category: str
    category_name: str
    variant: str  # PCDD/F class number or mercury technology key
    variant_text: str
    activity_unit: str  # the unit the factors are per (t, kg, TJ, piece)
    values: dict[str, float | None]
    status: dict[str, str]
    factors: tuple[Factor, ...]  # the cited numbers behind this row
    caution: str = ""  # a caution the table gives for this row (shown as a warning)


def canonical_unit(unit: str) -> tuple[str, float]:
    """The engine's canonical unit for an activity unit, and how many of the unit make one."""
    value, _, base = canonical_amount(parse_quantity(f"1 {unit}"))
    return base, 1.0 / value


def _citation(t: Table, row: dict[str, Any]) -> str:
    where = row.get("source_row") or ""
    ed = row.get("edition")
    cite = t.citation + (f" ({ed})" if ed and str(ed) not in t.citation else "")
    return cite + (f"; {where}" if where else "")


def table_row(t: Table, key: str, kind: str) -> ToolkitRow | None:
    """A Toolkit table row ready for the engine; None for a mercury row with no default input.

    PCDD/F factors are read in the table's unit (ug TEQ per activity unit); a mercury row's
    release per pathway is its default input factor times the pathway's distribution factor.
    """
    row = t.rows[key]
    act = str(row.get("activity_unit") or "t")
    _, per = canonical_unit(act)
    used: list[Factor] = []
    vectors: tuple[str, ...]
    if kind == "pcdd_f":
        vectors = PCDDF_VECTORS
        unit = str(row.get("factor_unit") or "ug TEQ/t")
        scale = to_float(parse_quantity(f"1 {unit}") * parse_quantity(f"1 {act}"), "g TEQ") * per
        variant, text = "class", "class_text"
    else:
        vectors = HG_PATHWAYS
        inp = t.factor(key, "input_default")
        if inp is None:
            return None  # no single input factor: the process must give its own
        used.append(inp)
        scale = (
            inp.value
            * to_float(parse_quantity(f"1 {inp.unit}") * parse_quantity(f"1 {act}"), "kg")
            * per
        )
        variant, text = "technology", "technology_text"
    values: dict[str, float | None] = {}
    status: dict[str, str] = {}
    for v in vectors:
        status[v] = parse_cell(row.get(v))[1]
        f = t.factor(key, v)
        values[v] = None if f is None else f.value * scale
        if status[v] == "value" and f is not None:
            used.append(f)
    return ToolkitRow(
        table=t.id,
        id=key,
        kind=kind,
        category=str(row.get("category") or ""),
        category_name=str(row.get("category_name") or ""),
        variant=str(row.get(variant) or ""),
        variant_text=str(row.get(text) or ""),
        activity_unit=act,
        values=values,
        status=status,
        factors=tuple(used),
        caution=str(row.get("caution") or ""),
    )


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
        return [
            str(r.get(key) or "") for r in self.raw.values() if str(r.get("category")) == category
        ]

    def find_category(self, text: str) -> str:
        """Resolve a category given by code (``1c``) or name; raise naming the closest."""
        cats = self.categories
        t = str(text).strip()
        if not cats:
            own = (
                "'input_factor' and 'distribution'"
                if self.name == "mercury"
                else "'emission_factors'"
            )
            raise UnknownFactorError(
                f"{self.label} category {text!r}: recp's table '{self.table_id}' has no "
                f"verified rows yet (see docs/research/); give the process's own {own} with "
                "their 'source'"
            )
        if t in cats:
            return t
        norm = _norm(t)
        for code, name in cats.items():
            if norm in (_norm(code), _norm(name)):
                return code
        choices = {**{c: c for c in cats}, **{n: c for c, n in cats.items() if n}}
        raise UnknownFactorError(
            f"unknown {self.label} category {text!r}: {did_you_mean(t, choices, show=6)}"
        )

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
                f"{', '.join(repr(str(r.get(key))) for r in rows.values())}"
            )
        want = _norm(str(variant))
        for rid, r in rows.items():
            if want in (
                _norm(str(r.get(key) or "")),
                _norm(rid),
                _norm(str(r.get(f"{key}_text") or "")),
            ):
                return rid
        choices = [str(r.get(key)) for r in rows.values()]
        raise UnknownFactorError(
            f"{self.label} category {code} has no {key} {variant!r}: "
            f"{did_you_mean(str(variant), choices, show=8)}"
        )

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
                f"'{self.table_id}': give 'input_factor' (with its source) in the process"
            )
        raise UnknownFactorError(
            f"no {self.label} factor row {rid!r}: {did_you_mean(rid, self.raw)}"
        )


def _norm(s: str) -> str:
    return " ".join(s.replace("_", " ").replace("-", " ").replace(".", " ").lower().split())


@lru_cache(maxsize=8)
def _load(name: str, lib: FactorLibrary) -> Toolkit:
    table_id = HG_TABLE if name == "mercury" else PCDDF_TABLE
    try:
        t = lib.table(table_id)
    except UnknownFactorError:
        return Toolkit(name, table_id, {}, {})
    rows = {key: r for key in t.rows if (r := table_row(t, key, name)) is not None}
    return Toolkit(name, table_id, rows, dict(t.rows))


def toolkit(name: str, lib: FactorLibrary | None = None) -> Toolkit:
    """The ``mercury`` or ``pcdd_f`` Toolkit table of a factor library."""
    return _load(name, lib or library())
