"""Sectors: templates, measure catalogues and the link to the source reports.

recp ships, per sector key, a *template* (``factors/templates/<key>.yaml``: a complete scenario
file with the sector's usual flows, units and placeholder amounts) and a *catalogue* of typical
cleaner-production measures (``factors/measures/<key>.yaml``: CP option type, the template
flows each measure changes, a typical saving with its range, and a cited source). Group keys
(``food_beverage``, ``metallurgy``, ``building_materials``, ``municipal_services``) stand for
their sub-sectors; keys follow ``seeds/reports.yaml`` where the reports name the sector.

The CLI commands ``recp sectors``, ``recp measures --sector KEY`` and ``recp new --sector KEY``
call :func:`render_sectors`, :func:`render_measures` and :func:`new_scenario`.

Examples
--------
>>> resolve("dairy")
'dairy'
>>> resolve("food_beverage")
'dairy'
>>> find_measure("textiles.low_liquor_ratio")["category"]
'technology change'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from recp.errors import InputError, Problem, UnknownFactorError, did_you_mean
from recp.factors import factors_dir
from recp.io import check_output, read_yaml, write_atomic


@dataclass(frozen=True)
class Sector:
    """One sector key recp supports with a template and a measure catalogue."""

    key: str
    name: str
    #: Key of the sector in ``seeds/reports.yaml`` that names it (a group for sub-sectors).
    seeds: str
    #: True when the reports name this exact key; False for a sub-sector of a named group.
    named: bool = True


#: Every sector key with a template and a catalogue, in display order.
SECTORS: dict[str, Sector] = {
    s.key: s
    for s in (
        Sector("textiles", "Textile wet processing (dyeing and finishing)", "textiles"),
        Sector("dairy", "Dairy processing", "food_beverage", named=False),
        Sector("brewery", "Brewery", "food_beverage", named=False),
        Sector("fruit_vegetable", "Fruit and vegetable processing", "food_beverage", named=False),
        Sector(
            "agro_processing",
            "Agro-processing: oilseed crushing and vegetable oil",
            "agro_processing",
        ),
        Sector("seafood", "Seafood processing (canning, filleting)", "seafood"),
        Sector(
            "chemicals",
            "Chemicals: batch formulation and synthesis (incl. chemical leasing)",
            "chemicals",
        ),
        Sector("chlor_alkali", "Chlor-alkali (brine electrolysis)", "chemicals", named=False),
        Sector("foundry", "Iron foundry", "metallurgy", named=False),
        Sector("electroplating", "Electroplating and metal finishing", "metallurgy", named=False),
        Sector("secondary_metals", "Secondary aluminium (scrap remelting)", "secondary_metals"),
        Sector("cement", "Cement (clinker and grinding)", "building_materials", named=False),
        Sector("lime", "Lime burning", "building_materials", named=False),
        Sector("bricks", "Fired clay bricks", "building_materials", named=False),
        Sector("hospital", "Hospital", "hospital"),
        Sector("school", "School", "school"),
        Sector(
            "district_heating", "District heating (boiler plant and network)", "district_heating"
        ),
        Sector("electronics_ewaste", "E-waste dismantling and recycling", "electronics_ewaste"),
        Sector("plastics", "Plastics conversion (injection moulding, extrusion)", "plastics"),
        Sector(
            "artisanal_gold_mining",
            "Artisanal and small-scale gold mining (ASGM)",
            "artisanal_gold_mining",
        ),
    )
}

#: Group keys (as in ``seeds/reports.yaml``) and their sub-sectors; the first is the default.
GROUPS: dict[str, tuple[str, ...]] = {
    "food_beverage": ("dairy", "brewery", "fruit_vegetable"),
    "metallurgy": ("foundry", "electroplating", "secondary_metals"),
    "building_materials": ("cement", "lime", "bricks"),
    "municipal_services": ("hospital", "school", "district_heating"),
}

#: Other spellings users (and older scenario files) use.
ALIASES: dict[str, str] = {
    "metal_finishing": "electroplating",
    "chemical_leasing": "chemicals",
    "asgm": "artisanal_gold_mining",
    "ewaste": "electronics_ewaste",
    "e_waste": "electronics_ewaste",
    "textile": "textiles",
    "vegetable_oil": "agro_processing",
    "fish_processing": "seafood",
    "fruit_and_vegetable": "fruit_vegetable",
}


def _norm(key: str) -> str:
    return "_".join(str(key).strip().lower().replace("-", " ").split())


def keys() -> list[str]:
    """Return every accepted sector key: sectors, groups and aliases."""
    return list(SECTORS) + list(GROUPS) + list(ALIASES)


def resolve(key: str) -> str:
    """Return the sector key whose template serves ``key`` (groups give their first member).

    Raises
    ------
    InputError
        For an unknown key, naming the closest valid one.
    """
    k = _norm(key)
    k = ALIASES.get(k, k)
    if k in GROUPS:
        return GROUPS[k][0]
    if k in SECTORS:
        return k
    raise InputError(
        [
            Problem(
                "--sector",
                f"unknown sector {key!r}: {did_you_mean(k, keys(), show=40)} (see 'recp sectors')",
            )
        ]
    )


def members(key: str) -> tuple[str, ...]:
    """Return the sector keys a key stands for: a group's sub-sectors, or the key itself."""
    k = ALIASES.get(_norm(key), _norm(key))
    if k in GROUPS:
        return GROUPS[k]
    return (resolve(key),)


# -- data files -------------------------------------------------------------------------------


def _folder(name: str) -> Path:
    return factors_dir() / name


@lru_cache(maxsize=64)
def _catalogue_file(sector: str) -> dict[str, Any]:
    path = _folder("measures") / f"{sector}.yaml"
    if not path.exists():
        return {"sector": sector, "measures": []}
    doc = read_yaml(path.read_text(encoding="utf-8")) or {}
    doc.setdefault("measures", [])
    return dict(doc)


def catalogue(key: str) -> list[dict[str, Any]]:
    """Return the catalogue measures of a sector (of every sub-sector for a group key).

    Each measure is a mapping with ``id``, ``name``, ``category``, ``changes`` (``flow``,
    ``by`` and ``range``), optional ``capex`` and ``lifetime``, ``source`` and ``notes``.
    """
    out: list[dict[str, Any]] = []
    for s in members(key):
        out.extend(dict(m) for m in _catalogue_file(s)["measures"])
    return out


@lru_cache(maxsize=1)
def _all_measures() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for s in SECTORS:
        for m in _catalogue_file(s)["measures"]:
            found[str(m["id"])] = {**m, "sector": s}
    return found


def find_measure(measure_id: str) -> dict[str, Any]:
    """Return the catalogue entry ``<sector>.<measure>`` (for ``measure:`` in a scenario).

    Raises
    ------
    UnknownFactorError
        If no catalogue has that id; the message names the closest id.
    """
    found = _all_measures()
    try:
        return dict(found[measure_id])
    except KeyError:
        raise UnknownFactorError(
            f"no measure '{measure_id}' in the catalogue: "
            f"{did_you_mean(measure_id, found, show=10)} "
            "(see 'recp measures --sector KEY')"
        ) from None


def template_path(key: str) -> Path:
    """Return the template file serving sector ``key``."""
    return _folder("templates") / f"{resolve(key)}.yaml"


def template(key: str) -> str:
    """Return the YAML text of the sector template serving ``key``.

    A group key returns its first sub-sector's template with a header naming the others.
    """
    sector = resolve(key)
    path = template_path(key)
    if not path.exists():  # pragma: no cover - packaging bug, caught by the tests
        raise InputError(f"--sector: recp has no template for {sector!r} ({path} missing)")
    text = path.read_text(encoding="utf-8")
    k = ALIASES.get(_norm(key), _norm(key))
    if k in GROUPS:
        others = ", ".join(g for g in GROUPS[k] if g != sector)
        text = (
            f"# '{k}' groups {', '.join(GROUPS[k])}; this is the {sector} template.\n"
            f"# For the others: recp new --sector KEY with KEY one of {others}.\n"
        ) + text
    return text


def template_data(key: str) -> dict[str, Any]:
    """Return the sector template as a mapping (parsed YAML)."""
    data = read_yaml(template(key))
    return dict(data)


def new_scenario(sector: str, out: str | Path | None = None, *, force: bool = False) -> str | None:
    """Start a scenario from the template of ``sector``.

    Parameters
    ----------
    sector : str
        A sector, group or alias key (see :func:`keys`).
    out : path, optional
        File to write: ``.yaml``/``.yml`` gets the template text, ``.xlsx`` a fill-in workbook
        (:func:`recp.workbook.write_workbook`). Without it the YAML text is returned.
    force : bool
        Replace an existing ``out``.

    Returns
    -------
    str or None
        The YAML text when ``out`` is None, else None (the file was written atomically).

    Raises
    ------
    InputError
        For an unknown sector or an unsupported output extension.
    OutputError
        If ``out`` exists and ``force`` is false.
    """
    text = template(sector)
    if out is None:
        return text
    p = Path(out)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        # recp.workbook pulls numpy and pycountry through recp.rules (~0.3 s), which
        # `recp sectors` and `recp measures` do not need.
        from recp.workbook import write_template  # lazy: CLI start-up

        check_output(p, force=force)
        write_template(template_data(sector), text, catalogue(sector), p, force=force)
        return None
    if suffix not in (".yaml", ".yml", ".json", ""):
        raise InputError(
            [Problem("--out", f"unknown extension {p.suffix!r}: write .yaml or .xlsx")]
        )
    write_atomic(p, text, force=force)
    return None


# -- the source reports -------------------------------------------------------------------------


def _seeds_path() -> Path | None:
    for cand in (
        factors_dir().parent / "seeds" / "reports.yaml",
        Path(__file__).resolve().parent / "seeds" / "reports.yaml",
        Path(__file__).resolve().parents[2] / "seeds" / "reports.yaml",
    ):
        if cand.exists():
            return cand
    return None


@lru_cache(maxsize=1)
def seeds_sectors() -> list[dict[str, Any]]:
    """Return the ``sectors`` list of ``seeds/reports.yaml`` ([] when it is not installed)."""
    path = _seeds_path()
    if path is None:
        return []
    doc = read_yaml(path.read_text(encoding="utf-8")) or {}
    return list(doc.get("sectors") or [])


def _worked() -> dict[str, list[str]]:
    """Map sector key -> worked scenario files in ``scenarios/`` (source checkout only)."""
    import yaml  # lazy: CLI start-up

    out: dict[str, list[str]] = {}
    for folder in {
        factors_dir().parent / "scenarios",
        Path(__file__).resolve().parents[2] / "scenarios",
    }:
        for path in sorted(folder.glob("*.yaml")):
            try:
                doc = read_yaml(path.read_text(encoding="utf-8")) or {}
                raw = str((doc.get("plant") or {}).get("sector") or "")
                key = resolve(raw) if raw else ""
            except (InputError, OSError, yaml.YAMLError):
                continue
            if key and path.name not in out.get(key, []):
                out.setdefault(key, []).append(path.name)
    return out


def _mentions(sector: dict[str, Any]) -> str:
    by_doc: dict[str, list[str]] = {}
    for m in sector.get("mentions") or []:
        where = str(m.get("para"))
        c = m.get("country")
        if c:
            where += f" ({', '.join(c) if isinstance(c, list) else c})"
        by_doc.setdefault(str(m.get("doc")), []).append(where)
    return "; ".join(f"{d} para {', '.join(ps)}" for d, ps in by_doc.items())


def _offer(key: str, worked: dict[str, list[str]]) -> str:
    n = len(_catalogue_file(key)["measures"])
    has_t = (_folder("templates") / f"{key}.yaml").exists()
    parts = [
        f"template {'yes' if has_t else 'no'}",
        f"{n} measures",
        "worked: " + (", ".join(worked.get(key, [])) or "none"),
    ]
    flag = "" if SECTORS[key].named else " *"
    return f"{key}{flag}: " + ", ".join(parts)


def render_sectors() -> str:
    """Text listing of the report sectors and what recp offers for each (``recp sectors``)."""
    worked = _worked()
    lines = [
        "Sectors named in the five UN reports (seeds/reports.yaml) and what recp offers.",
        "recp: key, template, catalogue size, worked scenarios; "
        "* = sub-sector not named separately in the reports.",
        "",
    ]
    covered: set[str] = set()
    seeds = seeds_sectors()
    for s in seeds:
        key = str(s.get("key"))
        lines.append(f"{key}  {s.get('name', '')}")
        lines.append(f"  reports: {_mentions(s)}")
        mine = [k for k, v in SECTORS.items() if v.seeds == key]
        if mine:
            for i, k in enumerate(mine):
                lines.append(("  recp:    " if i == 0 else "           ") + _offer(k, worked))
            covered.update(mine)
        else:
            lines.append(
                "  recp:    no template (use the closest sector or start from "
                "'recp new --sector KEY' and edit)"
            )
    rest = [k for k in SECTORS if k not in covered]
    if rest or not seeds:
        lines.append("")
        lines.append(
            "Sector templates not matched to a report entry"
            + (" (seeds/reports.yaml not installed):" if not seeds else ":")
        )
        for k in rest:
            lines.append(f"  {SECTORS[k].name}: " + _offer(k, worked))
    lines.append("")
    lines.append("Groups: " + "; ".join(f"{g} = {', '.join(m)}" for g, m in GROUPS.items()))
    lines.append(
        "Start a plant with: recp new --sector KEY [--out plant.yaml|plant.xlsx]; "
        "list measures with: recp measures --sector KEY"
    )
    return "\n".join(lines) + "\n"


def _fmt_change(ch: dict[str, Any]) -> str:
    text = f"{ch['flow']} {ch['by']}"
    rng = ch.get("range")
    if rng:
        text += f" [{rng[0]} to {rng[1]}]"
    return text


def render_measures(key: str) -> str:
    """Text listing of a sector's measure catalogue (``recp measures --sector KEY``)."""
    lines: list[str] = []
    for s in members(key):
        ms = _catalogue_file(s)["measures"]
        lines.append(
            f"{s}: {SECTORS[s].name} - {len(ms)} measures (flows refer to 'recp new --sector {s}')"
        )
        lines.append("")
        for m in ms:
            lines.append(f"{m['id']}  {m['name']}")
            lines.append(f"  category: {m['category']}")
            lines.append("  changes:  " + "; ".join(_fmt_change(c) for c in m["changes"]))
            extra = [f"{k} {m[k]}" for k in ("capex", "lifetime") if m.get(k)]
            if extra:
                lines.append("  typical:  " + ", ".join(extra))
            lines.append(f"  source:   {m['source']}")
            if m.get("notes"):  # says how far the figures were checked against the source
                lines.append(f"  notes:    {m['notes']}")
            lines.append("")
    lines.append(
        "Ranges are typical values to start from, not measurements: check them against "
        "the plant and the source before use."
    )
    lines.append(
        "Use one in a scenario: interventions: [{id: my_id, measure: MEASURE_ID, ...}]; "
        "give your own 'changes' where the plant differs."
    )
    return "\n".join(lines) + "\n"
