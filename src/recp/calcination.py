"""Process CO2 of a process: IPCC 2006 Vol. 3 Ch. 2 defaults resolved into a release row.

A process with ``co2: {category: ...}`` releases CO2 per tonne of its activity, from the
carbonates it calcines (the equations are :mod:`recp.models.process_co2`):

- ``cement``: per t of clinker, ``EF_clc`` (Eq. 2.4: 0.52 t CO2/t, which is 65 % CaO and the
  cement kiln dust correction 1.02), or from the clinker's own ``cao`` x 44.01/56.08 x
  ``ckd_correction`` (default 1.02);
- ``lime``: per t of lime of a ``type`` (Table 2.4: high_calcium 0.75, dolomitic 0.86,
  hydraulic 0.59) x the lime kiln dust correction (``lkd_correction``; 1.02 as quoted in a
  secondary source, with a caution);
- ``glass``: per t of glass melted, 0.20 t CO2/t x (1 - ``cullet_ratio``), the plant's own
  cullet ratio being required;
- ``carbonates``: per t of a ``carbonate`` consumed (Table 2.1) x ``fraction_calcined``
  (default 1: fully calcined);
- ``ceramics``: per t of clay fired, ``carbonate_content`` x the carbonate's factor x
  ``fraction_calcined``.

``emission_factor`` (t CO2 per t of activity, with its ``source``) replaces the default in any
category. The result is a :class:`~recp.toolkits.ToolkitRow` of kind ``co2`` with the single
vector ``process`` [t CO2 per t], so process CO2 rides on the same release flows, changes and
stacking as the mercury and PCDD/F releases.
"""

from __future__ import annotations

from typing import Any

from recp.errors import Problem, did_you_mean
from recp.factors import Factor, FactorLibrary
from recp.models import process_co2
from recp.toolkits import ToolkitRow
from recp.units import is_dimension, to_float

CATEGORIES = ("cement", "lime", "glass", "carbonates", "ceramics")
#: What the activity of each category is (a tonne of it).
ACTIVITY = {
    "cement": "clinker produced",
    "lime": "lime produced",
    "glass": "glass melted",
    "carbonates": "carbonate consumed",
    "ceramics": "clay fired",
}
#: Lime types offered, with their row in ipcc2006-lime-types.
LIME_TYPES = {
    "high_calcium": "high_calcium",
    "dolomitic": "dolomitic_high",
    "dolomitic_low": "dolomitic_low",
    "hydraulic": "hydraulic",
}
DEFAULTS = "ipcc2006-mineral-defaults"
LIME = "ipcc2006-lime-types"
CARBONATES = "ipcc2006-carbonates"
#: Keys a change of a process's CO2 may set (the category stays the process's own).
CHANGEABLE = (
    "type",
    "cao",
    "ckd_correction",
    "lkd_correction",
    "cullet_ratio",
    "carbonate",
    "carbonate_content",
    "fraction_calcined",
    "emission_factor",
    "source",
)


class _Spec:
    """Read a ``co2`` spec's numbers, checking each; the first problem is kept."""

    def __init__(self, spec: Any, place: str):
        self.spec = spec
        self.place = place
        self.problem: Problem | None = None

    def fraction(self, key: str, low: float = 0.0, high: float = 1.0) -> float | None:
        q = getattr(self.spec, key)
        if q is None or self.problem is not None:
            return None
        if not is_dimension(q, "dimensionless"):
            self.problem = Problem(f"{self.place}.{key}", f"'{q:~}' is not a share like '64 %'")
            return None
        x = to_float(q, "dimensionless")
        if not low <= x <= high:
            self.problem = Problem(
                f"{self.place}.{key}", f"must be from {low:g} to {high:g}, got {x:g}"
            )
            return None
        return x


def _factor(lib: FactorLibrary, table: str, row: str, column: str) -> Factor:
    f = lib.table(table).factor(row, column)
    assert f is not None, f"{table}:{row}:{column}"
    return f


def _caution(lib: FactorLibrary, table: str, row: str) -> str:
    return str(lib.table(table).rows[row].get("caution") or "")


def _cement(s: _Spec, lib: FactorLibrary) -> tuple[float, list[Factor], str, str]:
    """Clinker factor: 0.52 (Eq. 2.4), or the plant's CaO content x 44.01/56.08 x CKD."""
    cao = s.fraction("cao")
    ckd = s.fraction("ckd_correction", 1.0, 2.0)
    if cao is None and ckd is None:
        f = _factor(lib, DEFAULTS, "cement_ef_clc", "value")
        return f.value, [f], "clinker, IPCC Tier 1 (65 % CaO, CKD 1.02)", ""
    used: list[Factor] = []
    if ckd is None:
        cf = _factor(lib, DEFAULTS, "cement_cf_ckd", "value")
        ckd = cf.value
        used.append(cf)
    if cao is None:
        base = _factor(lib, DEFAULTS, "cement_ef_clinker_cao", "value")
        used.append(base)
        ef = base.value
    else:
        ef = float(process_co2.clinker_emission_factor(cao))
    text = f"clinker, {cao:.0%} CaO" if cao is not None else "clinker, 65 % CaO"
    return ef * ckd, used, f"{text}, CKD correction {ckd:g}", ""


def _lime(s: _Spec, lib: FactorLibrary) -> tuple[float, list[Factor], str, str] | Problem:
    kind = s.spec.type
    if kind not in LIME_TYPES:
        what = f"lime type {kind!r}" if kind else "the lime 'type'"
        return Problem(
            f"{s.place}.type", f"give {what} as one of: {did_you_mean(str(kind), LIME_TYPES)}"
        )
    row = LIME_TYPES[kind]
    ef = _factor(lib, LIME, row, "ef")
    lkd = s.fraction("lkd_correction", 1.0, 2.0)
    used, caution = [ef], _caution(lib, LIME, row)
    if lkd is None:
        cf = _factor(lib, DEFAULTS, "lime_cf_lkd", "value")
        lkd = cf.value
        used.append(cf)
        caution = "; ".join(c for c in (caution, _caution(lib, DEFAULTS, "lime_cf_lkd")) if c)
    return ef.value * lkd, used, f"{kind} lime, LKD correction {lkd:g}", caution


def _glass(s: _Spec, lib: FactorLibrary) -> tuple[float, list[Factor], str, str] | Problem:
    cr = s.fraction("cullet_ratio")
    if cr is None:
        return s.problem or Problem(
            f"{s.place}.cullet_ratio",
            "give the plant's cullet ratio (the share of cullet in the melt, e.g. '40 %')",
        )
    ef = _factor(lib, DEFAULTS, "glass_tier1_ef", "value")
    return float(process_co2.glass_co2(1.0, ef.value, cr)), [ef], f"glass, cullet {cr:.0%}", ""


def _carbonate(s: _Spec, lib: FactorLibrary) -> Factor | Problem:
    name = s.spec.carbonate
    rows = lib.table(CARBONATES).rows
    if name not in rows:
        what = f"carbonate {name!r}" if name else "the 'carbonate'"
        return Problem(
            f"{s.place}.carbonate", f"give {what} as one of: {did_you_mean(str(name), rows)}"
        )
    f = lib.table(CARBONATES).factor(name, "ef")
    if f is None:
        return Problem(
            f"{s.place}.carbonate",
            f"{name} has no single factor in IPCC Table 2.1 (its composition varies): give "
            "'emission_factor' with its source",
        )
    return f


def _carbonates(
    s: _Spec, lib: FactorLibrary, in_clay: bool
) -> tuple[float, list[Factor], str, str] | Problem:
    f = _carbonate(s, lib)
    if isinstance(f, Problem):
        return f
    calcined = s.fraction("fraction_calcined")
    calcined = 1.0 if calcined is None else calcined
    if not in_clay:
        value = float(process_co2.carbonate_co2(1.0, f.value, calcined))
        return value, [f], f"{s.spec.carbonate}, {calcined:.0%} calcined", ""
    content = s.fraction("carbonate_content")
    if content is None:
        return s.problem or Problem(
            f"{s.place}.carbonate_content",
            "give the carbonate share of the clay (e.g. '5 %', from the clay's analysis)",
        )
    value = float(process_co2.ceramics_co2(1.0, content, f.value, calcined))
    return value, [f], f"clay with {content:.1%} {s.spec.carbonate}, {calcined:.0%} calcined", ""


def _own(s: _Spec, pid: str, rid: str) -> tuple[float, list[Factor], str, str] | Problem:
    q = s.spec.emission_factor
    if not is_dimension(q, "dimensionless") or to_float(q, "dimensionless") < 0:
        return Problem(
            f"{s.place}.emission_factor",
            f"'{q:~}' is not t CO2 per t of activity (e.g. '0.53 t/t' or '530 kg/t')",
        )
    src = f"scenario file (process '{pid}' co2)" + (f"; {s.spec.source}" if s.spec.source else "")
    value = to_float(q, "dimensionless")
    return value, [Factor(f"{rid}:emission_factor", value, "t CO2/t", src)], "own factor", ""


def co2_row(spec: Any, pid: str, place: str, lib: FactorLibrary, rid: str) -> ToolkitRow | Problem:
    """The release row of a process's ``co2`` spec, or the first problem with it."""
    category = spec.category
    if category not in CATEGORIES:
        what = f"category {category!r}" if category else "the 'category'"
        return Problem(
            f"{place}.category",
            f"give the process CO2 {what} as one of: {did_you_mean(str(category), CATEGORIES)}",
        )
    s = _Spec(spec, place)
    got: tuple[float, list[Factor], str, str] | Problem
    if spec.emission_factor is not None:
        got = _own(s, pid, rid)
    elif category == "cement":
        got = _cement(s, lib)
    elif category == "lime":
        got = _lime(s, lib)
    elif category == "glass":
        got = _glass(s, lib)
    else:
        got = _carbonates(s, lib, in_clay=category == "ceramics")
    if s.problem is not None:
        return s.problem
    if isinstance(got, Problem):
        return got
    value, factors, text, caution = got
    own = spec.emission_factor is not None
    return ToolkitRow(
        table="user" if own else DEFAULTS,
        id=rid if own else f"{category}:{text}",
        kind="co2",
        category=category,
        category_name=f"{category} ({ACTIVITY[category]})",
        variant=text,
        variant_text=text,
        activity_unit="t",
        values={"process": value},
        status={"process": "value"},
        factors=tuple(factors),
        caution=caution,
    )


def merged(base: Any, change: Any) -> Any:
    """A process's ``co2`` spec with what a change sets (its category stays the process's)."""
    update = {k: getattr(change, k) for k in CHANGEABLE if getattr(change, k) is not None}
    return base.model_copy(update=update)
