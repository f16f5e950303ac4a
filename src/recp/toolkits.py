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

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recp.errors import InputError, Problem, RecpError, UnknownFactorError, did_you_mean, one_line
from recp.factors import Factor, FactorLibrary, library, parse_cell, read_table
from recp.io import read_yaml
from recp.units import canonical_amount, is_dimension, parse_quantity, to_float

if TYPE_CHECKING:
    from recp.factors import Table

HG_TABLE = "hg-toolkit"
PCDDF_TABLE = "pcddf-toolkit-2013"
#: Dioxin-like PCB factors of the Dioxin Toolkit 2013 (Annexes 27 and 46).
DLPCB_TABLE = "dlpcb-toolkit-2013"
#: Mercury use per gold produced in artisanal gold mining, and its pathway split (literature).
ASGM_TABLE = "hg-asgm-literature"
#: Mercury content of mercury-added products (legal maxima and quoted typical contents).
PRODUCTS_TABLE = "hg-products-content"
#: Toolkit tables by the kind of release they serve.
TOOLKIT_TABLES = {"mercury": HG_TABLE, "pcdd_f": PCDDF_TABLE, "dl_pcb": DLPCB_TABLE}

#: Mercury output pathways of the Mercury Toolkit, in its order.
HG_PATHWAYS = ("air", "water", "land", "product", "general_waste", "sector_treatment")
#: PCDD/F release vectors of the Dioxin Toolkit, in its order.
PCDDF_VECTORS = ("air", "water", "land", "product", "residue")
#: Vectors that are a release to the environment (the rest stays in products and residues).
ENVIRONMENT = ("air", "water", "land")
#: Released substances: mercury and the Stockholm Convention's Annex C unintentional POPs.
RELEASE_KINDS = ("mercury", "pcdd_f", "pcb", "dl_pcb", "hcb")
#: Pathways (mercury) or vectors (the POPs) of each kind.
VECTORS = {
    "mercury": HG_PATHWAYS,
    "pcdd_f": PCDDF_VECTORS,
    "pcb": PCDDF_VECTORS,
    "dl_pcb": PCDDF_VECTORS,
    "hcb": PCDDF_VECTORS,
}
#: How messages name each kind.
KIND_LABELS = {
    "mercury": "mercury",
    "pcdd_f": "PCDD/F",
    "pcb": "PCB",
    "dl_pcb": "dioxin-like PCB",
    "hcb": "HCB",
}
#: Canonical unit of each kind's results (dioxin-like PCB as a toxic equivalent, PCB as mass).
KIND_UNITS = {"mercury": "kg", "pcdd_f": "g TEQ", "pcb": "g", "dl_pcb": "g TEQ", "hcb": "g"}

#: Economics columns of the releases: (indicator, avoided per year, cost per unit avoided).
RELEASE_ECONOMICS = (
    ("mercury", "mercury_avoided_kg_per_year", "cost_per_kg_hg"),
    ("pcdd_f", "pcdd_f_avoided_g_teq_per_year", "cost_per_g_teq"),
    ("pcb", "pcb_avoided_g_per_year", "cost_per_g_pcb"),
    ("dl_pcb", "dl_pcb_avoided_g_teq_per_year", "cost_per_g_teq_dl_pcb"),
    ("hcb", "hcb_avoided_g_per_year", "cost_per_g_hcb"),
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
    #: Per vector, the source's (lower, upper) bounds in the units of ``values`` (95 % for the
    #: guidebook), kept for the uncertainty analysis; vectors without bounds are absent.
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Mercury: the input per canonical unit of activity [kg], which a process's own
    #: ``distribution`` splits over the pathways; None where the row has no single input.
    input: float | None = None


def canonical_unit(unit: str) -> tuple[str, float]:
    """The engine's canonical unit for an activity unit, and how many of the unit make one."""
    value, _, base = canonical_amount(parse_quantity(f"1 {unit}"))
    return base, 1.0 / value


def _citation(t: Table, row: dict[str, Any]) -> str:
    where = row.get("source_row") or ""
    ed = row.get("edition")
    cite = t.citation + (f" ({ed})" if ed and str(ed) not in t.citation else "")
    return cite + (f"; {where}" if where else "")


def per_activity(unit: str, act: str, kind: str) -> float:
    """How many result units (kg Hg, g TEQ, g) one ``unit`` factor gives per canonical activity.

    A PCDD/F factor printed as a plain mass (the guidebook's 'TEQ not stated' rows) is read as
    TEQ; those rows carry a caution saying so.
    """
    _, per = canonical_unit(act)
    q = parse_quantity(f"1 {unit}") * parse_quantity(f"1 {act}")
    target = KIND_UNITS[kind]
    if target == "g TEQ" and is_dimension(q, "g"):
        q = q * parse_quantity("1 TEQ")
    return to_float(q, target) * per


def _cell(t: Table, key: str, column: str) -> tuple[Factor | None, str]:
    """A vector's factor and status; a column the table lacks is 'not transcribed'."""
    if column not in t.units and column not in t.row_units:
        return None, ""
    row = t.rows[key]
    status = (
        parse_cell(row.get(column))[1]
        if column in t.row_units
        else ("value" if row.get(column) is not None else "")
    )
    return t.factor(key, column), status


def _bounds(t: Table, key: str, v: str, scale: float) -> tuple[float, float] | None:
    row = t.rows[key]
    lo, hi = row.get(f"{v}_lower"), row.get(f"{v}_upper")
    if lo in (None, "") or hi in (None, ""):
        return None
    return float(lo) * scale, float(hi) * scale


def table_row(t: Table, key: str, kind: str) -> ToolkitRow | None:
    """A Toolkit table row ready for the engine; None for a mercury row with no default input.

    POP factors (PCDD/F, PCB, dioxin-like PCB, HCB) are read in the row's ``factor_unit`` or the
    column's unit; a mercury row's release per pathway is its default input factor times the
    pathway's distribution factor.
    """
    row = t.rows[key]
    act = str(row.get("activity_unit") or "t")
    used: list[Factor] = []
    vectors = VECTORS[kind]
    if kind != "mercury":
        header = next((t.units[v] for v in vectors if v in t.units), None)
        unit = str(row.get("factor_unit") or header or "ug TEQ/t")
        scale = per_activity(unit, act, kind)
        variant, text = "class", "class_text"
    else:
        inp = t.factor(key, "input_default")
        if inp is None:
            return None  # no single input factor: the process must give its own
        used.append(inp)
        scale = per_activity(inp.unit, act, "mercury") * inp.value
        variant, text = "technology", "technology_text"
    values: dict[str, float | None] = {}
    status: dict[str, str] = {}
    bounds: dict[str, tuple[float, float]] = {}
    for v in vectors:
        f, status[v] = _cell(t, key, v)
        values[v] = None if f is None else f.value * scale
        if status[v] == "value" and f is not None:
            used.append(f)
            b = _bounds(t, key, v, scale)
            if b is not None:
                bounds[v] = b
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
        bounds=bounds,
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
        key = "technology" if self.name == "mercury" else "class"
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
        key = "technology" if self.name == "mercury" else "class"
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
        return KIND_LABELS[self.name]

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


@lru_cache(maxsize=16)
def _load(name: str, lib: FactorLibrary) -> Toolkit:
    table_id = TOOLKIT_TABLES.get(name, "")
    # own tables first: a row of theirs with the id, or the category and class, of a shipped
    # row takes its place (a consultant who holds the Toolkit's own tables enters them once)
    tables = [t for t in user_tables(lib) if t.meta.get("indicator") == name]
    try:
        tables.append(lib.table(table_id))
    except UnknownFactorError:
        pass
    rows: dict[str, ToolkitRow] = {}
    raw: dict[str, dict[str, Any]] = {}
    if name == "mercury":
        own_rows, own_raw = _hg_literature_rows(lib)
    else:
        own_rows, own_raw = {}, {}
    for t in tables:
        for key in t.rows:
            if key in raw:
                continue
            raw[key] = t.rows[key]
            r = table_row(t, key, name)
            if r is not None:
                rows[key] = r
    rows |= {k: v for k, v in own_rows.items() if k not in rows}
    raw |= {k: v for k, v in own_raw.items() if k not in raw}
    return Toolkit(name, table_id or f"{name} (own tables)", rows, raw)


def toolkit(name: str, lib: FactorLibrary | None = None) -> Toolkit:
    """The Toolkit table of a kind (``mercury``, ``pcdd_f``, ``dl_pcb``...) with own tables."""
    return _load(name, lib or library())


# -- guidebook defaults by process category ----------------------------------------------------

#: The EMEP/EEA guidebook factor tables and recp's map of process categories onto them.
GUIDEBOOK_TABLE = "emep-eea-2023-ef"
ABATEMENT_TABLE = "emep-eea-2023-abatement"
CATEGORY_MAP = "hg-pops-category-map"
#: The kinds a guidebook category gives (PCB is a mass or, where the factor is TEQ, dl_pcb).
GUIDEBOOK_KINDS = ("mercury", "pcdd_f", "pcb", "hcb")


@dataclass
class Guidebook:
    """recp's process categories (``hg-pops-category-map``) on the EMEP/EEA guidebook 2023.

    A category has variants (technology or fuel, Tier 1 or 2) and, for some, abatement
    techniques; the release to air is ``activity x factor x (1 - abatement efficiency)``.
    The guidebook gives air factors only: every other vector is ND (a warning, never zero).
    """

    categories: dict[str, dict[str, Any]]
    ef: Table
    abatement: Table
    missing: dict[str, str]

    def category(self, text: str) -> dict[str, Any]:
        """A category by key or name; raise naming the closest one."""
        norm = _norm(str(text))
        for key, c in self.categories.items():
            if norm in (_norm(key), _norm(str(c.get("name") or ""))):
                return c
        if norm.replace(" ", "_") in self.missing:
            raise UnknownFactorError(
                f"process category {text!r} has no guidebook factor: "
                f"{self.missing[norm.replace(' ', '_')]}"
            )
        raise UnknownFactorError(
            f"unknown process category {text!r}: {did_you_mean(str(text), self.categories)}"
        )

    def variant(self, cat: dict[str, Any], text: str | None) -> dict[str, Any]:
        """A category's variant (technology or fuel) by key or text; default its first."""
        variants: dict[str, dict[str, Any]] = {str(v["key"]): v for v in cat["variants"]}
        if text is None or str(text).strip() == "":
            return variants[str(cat["default_variant"])]
        norm = _norm(str(text))
        for key, v in variants.items():
            if norm in (_norm(key), _norm(str(v.get("text") or ""))):
                return v
        raise UnknownFactorError(
            f"process category {cat['key']} has no technology {text!r}: "
            f"{did_you_mean(str(text), variants)}"
        )

    def abatements(
        self, cat: dict[str, Any], variant: dict[str, Any], names: list[str]
    ) -> dict[str, dict[str, Any]]:
        """The abatement rows chosen, by kind; raise for an unknown or inapplicable name."""
        offered = cat.get("abatement") or []
        keys = sorted({str(a["key"]) for a in offered})
        out: dict[str, dict[str, Any]] = {}
        for name in names:
            norm = _norm(str(name))
            hits = [a for a in offered if norm in (_norm(str(a["key"])), _norm(str(a["text"])))]
            if not hits:
                what = did_you_mean(str(name), keys) if keys else "the guidebook gives none"
                raise UnknownFactorError(
                    f"process category {cat['key']} has no abatement {name!r}: {what}"
                )
            for a in hits:
                if variant["key"] not in a.get("applies_to", []):
                    raise UnknownFactorError(
                        f"abatement {a['key']!r} of {cat['key']} applies to the "
                        f"technologies {', '.join(a['applies_to'])}, not {variant['key']!r}"
                    )
                if a["indicator"] in out:
                    raise UnknownFactorError(
                        f"two abatements for {KIND_LABELS[a['indicator']]} "
                        f"({out[a['indicator']]['key']!r}, {a['key']!r}): give one"
                    )
                out[str(a["indicator"])] = a
        return out

    def rows(
        self,
        category: str,
        technology: str | None = None,
        abatement: list[str] | None = None,
        also: tuple[str, ...] = (),
    ) -> dict[str, ToolkitRow]:
        """One row per kind (mercury, pcdd_f, pcb or dl_pcb, hcb, and ``also``) for the engine.

        A kind the variant has no factor for is an all-ND row (a warning, never zero).
        """
        cat = self.category(category)
        var = self.variant(cat, technology)
        abate = self.abatements(cat, var, list(abatement or []))
        rid = f"{cat['key']}/{var['key']}" + "".join(f"+{a}" for a in sorted(abatement or []))
        out: dict[str, ToolkitRow] = {}
        for kind in GUIDEBOOK_KINDS:
            ef_id = (var.get("rows") or {}).get(kind)
            if ef_id is None:
                out[kind] = self._nd_row(cat, var, kind, rid)
                continue
            row = self._row(cat, var, kind, str(ef_id), abate.get(kind), rid)
            out[row.kind] = row
        for kind in also:
            if kind not in out:
                out[kind] = self._nd_row(cat, var, kind, rid)
        return out

    def _nd_row(self, cat: dict[str, Any], var: dict[str, Any], kind: str, rid: str) -> ToolkitRow:
        vectors = VECTORS[kind]
        return ToolkitRow(
            table=GUIDEBOOK_TABLE,
            id=rid,
            kind=kind,
            category=str(cat["key"]),
            category_name=str(cat["name"]),
            variant=str(var["key"]),
            variant_text=str(var["text"]),
            activity_unit=str(var["activity_unit"]),
            values=dict.fromkeys(vectors),
            status=dict.fromkeys(vectors, "ND"),
            factors=(),
            caution=(
                f"the guidebook (NFR {cat['nfr']}) gives no {KIND_LABELS[kind]} factor for this "
                "category and technology"
            ),
        )

    def _row(
        self,
        cat: dict[str, Any],
        var: dict[str, Any],
        kind: str,
        ef_id: str,
        abate: dict[str, Any] | None,
        rid: str,
    ) -> ToolkitRow:
        r = self.ef.rows[ef_id]
        if kind == "pcb" and r.get("teq"):
            kind = "dl_pcb"  # a PCB factor in TEQ is dioxin-like PCB
        f = self.ef.factor(ef_id, "air")
        assert f is not None
        scale = per_activity(str(r["factor_unit"]), str(r["activity_unit"]), kind)
        keep, keep_lo, keep_hi = 1.0, 1.0, 1.0
        used = [f]
        cautions = [str(r.get("caution") or "")]
        if abate is not None:
            e = self.abatement.factor(str(abate["row"]), "efficiency")
            assert e is not None
            a = self.abatement.rows[str(abate["row"])]
            used.append(e)
            keep = 1.0 - e.value
            up, low = a.get("efficiency_upper"), a.get("efficiency_lower")
            keep_lo = 1.0 - float(e.value if up is None else up)
            keep_hi = 1.0 - float(e.value if low is None else low)
            cautions += [str(a.get("caution") or ""), str(abate.get("note") or "")]
        vectors = VECTORS[kind]
        values: dict[str, float | None] = dict.fromkeys(vectors)
        values["air"] = f.value * scale * keep
        status = dict.fromkeys(vectors, "ND")
        status["air"] = "value"
        bounds: dict[str, tuple[float, float]] = {}
        lo, hi = r.get("air_lower"), r.get("air_upper")
        if lo is not None and hi is not None:
            bounds["air"] = (float(lo) * scale * keep_lo, float(hi) * scale * keep_hi)
        return ToolkitRow(
            table=GUIDEBOOK_TABLE,
            id=rid,
            kind=kind,
            category=str(cat["key"]),
            category_name=str(cat["name"]),
            variant=str(var["key"]),
            variant_text=str(var["text"]),
            activity_unit=str(r["activity_unit"]),
            values=values,
            status=status,
            factors=tuple(used),
            caution="; ".join(c for c in cautions if c),
            bounds=bounds,
        )


@lru_cache(maxsize=4)
def _guidebook(lib: FactorLibrary) -> Guidebook:
    doc = read_yaml((lib.folder / f"{CATEGORY_MAP}.yaml").read_text(encoding="utf-8"))
    return Guidebook(
        categories={str(c["key"]): c for c in doc["categories"]},
        ef=lib.table(GUIDEBOOK_TABLE),
        abatement=lib.table(ABATEMENT_TABLE),
        missing={str(k): str(v) for k, v in (doc.get("missing_categories") or {}).items()},
    )


def guidebook(lib: FactorLibrary | None = None) -> Guidebook:
    """The guidebook process categories of a factor library."""
    return _guidebook(lib or library())


# -- mercury without a guidebook factor: ASGM and mercury-added products -----------------------

#: ASGM rows: recp technology key -> (table row, activity unit, input column or None).
ASGM_PRACTICES = {
    "telmer_veiga_2009": ("global.all_practices", "kg", None),
    "cheng_2023": ("global.medians_cheng_2023", "kg", "hg_lost_per_au"),
    "bf_baseline": ("bf.national_baseline", "kg", "hg_used_per_au"),
}
ASGM_TEXT = {
    "telmer_veiga_2009": (
        "activity = mercury lost (used and not recovered) [kg Hg]; split of Telmer and Veiga (2009)"
    ),
    "cheng_2023": "activity = gold produced [kg Au]; mercury emitted per gold, global medians",
    "bf_baseline": (
        "activity = gold produced [kg Au]; mercury used per gold, Burkina Faso baseline, taken "
        "as released"
    ),
}


def _hg_row(
    tid: str,
    key: str,
    category: str,
    name: str,
    tech: str,
    text: str,
    act: str,
    inp: float,
    shares: dict[str, float],
    factors: list[Factor],
    caution: str,
    bounds: tuple[float, float] | None = None,
) -> ToolkitRow:
    """A mercury row: ``inp`` [kg per canonical activity] split by the cited ``shares``."""
    values = {p: (inp * shares[p] if p in shares else None) for p in HG_PATHWAYS}
    status = {p: ("value" if p in shares else "ND") for p in HG_PATHWAYS}
    b = {p: (bounds[0] * shares[p], bounds[1] * shares[p]) for p in shares} if bounds else {}
    if bounds:
        b["input"] = bounds  # the input's own bounds, for a process's own distribution
    return ToolkitRow(
        table=tid,
        id=key,
        kind="mercury",
        category=category,
        category_name=name,
        variant=tech,
        variant_text=text,
        activity_unit=act,
        values=values,
        status=status,
        factors=tuple(factors),
        caution=caution,
        bounds=b,
        input=inp,
    )


def _hg_literature_rows(
    lib: FactorLibrary,
) -> tuple[dict[str, ToolkitRow], dict[str, dict[str, Any]]]:
    """Mercury rows for ASGM (by literature ratio) and mercury-added products (by content)."""
    rows: dict[str, ToolkitRow] = {}
    raw: dict[str, dict[str, Any]] = {}
    try:
        asgm, prod = lib.table(ASGM_TABLE), lib.table(PRODUCTS_TABLE)
    except UnknownFactorError:
        return rows, raw
    air = asgm.factor("global.all_practices", "air")
    assert air is not None
    split_note = (
        "Telmer and Veiga (2009) put the other 0.65 of the release into water, soils and "
        "tailings together, without a split: water and land are ND (not counted, not zero)"
    )
    for tech, (rid, act, col) in ASGM_PRACTICES.items():
        used = [air]
        # the activity is the mercury lost itself (1 kg per kg), or gold times a cited ratio
        inp = per_activity("kg/kg", act, "mercury")
        caution = str(asgm.rows[rid].get("caution") or "")
        if col is not None:
            f = asgm.factor(rid, col)
            assert f is not None
            used.append(f)
            inp = f.value * per_activity(f.unit, act, "mercury")
        key = f"asgm.{tech}"
        raw[key] = {"category": "asgm", "technology": tech, "technology_text": ASGM_TEXT[tech]}
        raw[key] |= {p: "ND" for p in HG_PATHWAYS} | {"air": air.value}
        rows[key] = _hg_row(
            ASGM_TABLE,
            key,
            "asgm",
            "Artisanal and small-scale gold mining",
            tech,
            ASGM_TEXT[tech],
            act,
            inp,
            {"air": air.value},
            used,
            "; ".join(c for c in (caution, split_note) if c),
        )
    for rid, r in prod.rows.items():
        f = prod.factor(rid, "hg_per_item")
        if f is None:
            continue
        scale = per_activity(f.unit + "/piece", "piece", "mercury")
        lo, hi = r.get("hg_per_item_low"), r.get("hg_per_item_high")
        key = f"products.{rid}"
        text = f"{r.get('product_text')} ({r.get('basis')}, per {r.get('item')})"
        raw[key] = {"category": "products", "technology": rid, "technology_text": text}
        raw[key] |= {p: "ND" for p in HG_PATHWAYS}
        rows[key] = _hg_row(
            PRODUCTS_TABLE,
            key,
            "products",
            "Mercury-added products in waste (count x mercury content)",
            rid,
            text,
            "piece",
            f.value * scale,
            {},
            [f],
            "; ".join(
                c
                for c in (
                    str(r.get("caution") or ""),
                    "no cited pathway split: give the process's 'distribution' (e.g. "
                    "{general_waste: 1}), or every pathway stays ND",
                )
                if c
            ),
            None if lo is None or hi is None else (float(lo) * scale, float(hi) * scale),
        )
    return rows, raw


# -- a consultant's own factor tables ----------------------------------------------------------

#: Meta keys an own table must give (as the shipped tables do).
OWN_META = ("indicator", "source", "edition")


class OwnLibrary(FactorLibrary):
    """A factor library plus a consultant's own Toolkit-format tables (``factors:``)."""

    def __init__(self, base: FactorLibrary, tables: list[Table]):
        super().__init__(base.folder)
        self.own_tables = tuple(tables)
        for t in tables:
            self._cache[t.id] = t

    @property
    def ids(self) -> list[str]:
        """The shipped table ids and the own ones."""
        return sorted({*super().ids, *(t.id for t in self.own_tables)})


def user_tables(lib: FactorLibrary) -> tuple[Table, ...]:
    """The own tables a library carries (none for the shipped library)."""
    return tuple(getattr(lib, "own_tables", ()))


def _csv_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.csv"))
    return [path]


def _own_row_problems(t: Table, name: str, kind: str, key: str) -> list[str]:
    """What is wrong with one row of an own table (empty if nothing)."""
    row = t.rows[key]
    out: list[str] = []
    for col in ("category", "activity_unit", "source_row"):
        if not row.get(col):
            out.append(f"row {key!r}: '{col}' is empty: every row needs it")
    if out:
        return out
    try:
        if kind == "mercury":
            per_activity(str(row.get("input_unit") or ""), str(row["activity_unit"]), kind)
        else:
            per_activity(str(row.get("factor_unit") or ""), str(row["activity_unit"]), kind)
    except (RecpError, ValueError) as e:
        unit = "input_unit" if kind == "mercury" else "factor_unit"
        want = KIND_UNITS[kind]
        return [
            f"row {key!r}: {unit} {row.get(unit)!r} x activity_unit {row['activity_unit']!r} "
            f"is not {want} ({one_line(str(e))})"
        ]
    for v in VECTORS[kind]:
        try:
            value, _ = parse_cell(row.get(v))
        except ValueError:
            out.append(f"row {key!r}: {v} = {row.get(v)!r} is not a number, NA or ND")
            continue
        if value is not None and value < 0:
            out.append(f"row {key!r}: {v} = {value:g} must not be negative")
    if kind == "mercury":
        shares = [parse_cell(row.get(p))[0] for p in HG_PATHWAYS]
        if any(x is not None and x > 1 for x in shares):
            out.append(f"row {key!r}: each pathway share is a fraction from 0 to 1")
        total = sum(x for x in shares if x is not None)
        if all(x is not None for x in shares) and abs(total - 1.0) > 1e-6:
            out.append(f"row {key!r}: the pathway shares sum to {total:g}, not 1")
        elif total > 1.0 + 1e-6:
            out.append(f"row {key!r}: the pathway shares sum to {total:g}, more than 1")
    return out


def read_own_tables(paths: list[str | Path], base: FactorLibrary) -> list[Table]:
    """Read and check a consultant's own factor tables (files or folders of ``*.csv``).

    Each CSV is in recp's Toolkit format (``pcddf-toolkit-2013`` for the POPs, ``hg-toolkit``
    for mercury) with a ``.meta.yaml`` beside it naming ``indicator`` (mercury, pcdd_f, pcb,
    dl_pcb or hcb), ``source`` and ``edition``. Every problem is collected.

    Raises
    ------
    InputError
        One problem per bad file or row, naming the file.
    """
    problems: list[Problem] = []
    tables: list[Table] = []
    ids = set(base.ids)
    files = [f for p in paths for f in _csv_files(Path(p))]
    for p in paths:
        if not Path(p).exists():
            problems.append(Problem("", "no such factor table or folder", str(p)))
    for f in files:
        if not f.is_file():
            continue
        meta = f.with_suffix(".meta.yaml")
        if not meta.is_file():
            problems.append(Problem("", f"no {meta.name} beside it: give its source", str(f)))
            continue
        try:
            t = read_table(f)
        except (ValueError, OSError, UnicodeDecodeError) as e:
            problems.append(Problem("", one_line(str(e)), str(f)))
            continue
        bad = [k for k in OWN_META if not t.meta.get(k)]
        kind = str(t.meta.get("indicator") or "")
        if bad:
            problems.append(Problem(meta.name, f"gives no {', '.join(bad)}", str(f)))
            continue
        if kind not in RELEASE_KINDS:
            problems.append(
                Problem(
                    f"{meta.name}: indicator",
                    f"{kind!r} is not one of {', '.join(RELEASE_KINDS)}: "
                    f"{did_you_mean(kind, RELEASE_KINDS)}",
                    str(f),
                )
            )
            continue
        if t.id in ids:
            problems.append(Problem("", f"table id {t.id!r} is taken: rename the file", str(f)))
            continue
        ids.add(t.id)
        rp = [m for key in t.rows for m in _own_row_problems(t, f.name, kind, key)]
        problems += [Problem("", m, str(f)) for m in rp]
        if not rp:
            tables.append(t)
    if problems:
        raise InputError(problems)
    return tables


def with_own_tables(lib: FactorLibrary, paths: list[str | Path]) -> FactorLibrary:
    """``lib`` plus the own tables at ``paths`` (``lib`` itself when there are none).

    The result is cached per library, paths and file times, so that a batch reads each own
    table once.
    """
    if not paths:
        return lib
    files = tuple(f for p in paths for f in _csv_files(Path(p)) if f.is_file())
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    return _own_library(lib, tuple(str(p) for p in paths), stamp)


@lru_cache(maxsize=16)
def _own_library(
    lib: FactorLibrary, paths: tuple[str, ...], stamp: tuple[tuple[str, int], ...]
) -> FactorLibrary:
    return OwnLibrary(lib, read_own_tables(list(paths), lib))
