"""The editing forms: a scenario document shown as fields, and posted fields back to a document.

Every field is named by its place in the document (``plant.country``, ``flows[2].amount``,
``interventions[0].changes[1].by``), the same place the validator names in its problems, so
each problem is shown beside its field. Keys the forms do not show (a flow's ``ncv``, the
processes, the balances) are kept as they were; the YAML editor shows everything.
Vocabularies come from :mod:`recp.rules`, the measures from the sector catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry

from recp import rules
from recp.errors import Problem
from recp.factors import library
from recp.sectors import SECTORS, catalogue
from recp.units import CURRENCIES


@dataclass
class Field:
    """One input: its form name (the document place), kind, value, choices and problems."""

    name: str
    key: str
    kind: str  # text, select, qty, bool, list
    value: str = ""
    unit: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    datalist: str = ""
    hint: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class Row:
    """A flow, intervention or scenario: its fields, changes and row-level problems."""

    place: str
    fields: list[Field]
    changes: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    note: str = ""
    new: bool = False
    prefix: str = ""  # the form names' prefix when it differs from the place

    @property
    def delete_name(self) -> str:
        """Name of the row's delete box."""
        return f"{self.prefix or self.place}._delete"


#: Plant-level fields: (place, kind, hint).
PLANT_FIELDS = (
    ("plant.name", "text", ""),
    ("plant.country", "text", "ISO code, e.g. MD"),
    ("plant.sector", "select", ""),
    ("plant.production", "qty", "yearly output, e.g. 45500 t"),
    ("currency", "select", ""),
    ("gwp", "select", ""),
    ("grid_factor", "qty", "t CO2e/MWh"),
    ("grid_cm", "qty", "t CO2e/MWh"),
    ("discount_rate", "qty", "%"),
)
FLOW_FIELDS = (
    ("id", "text", ""),
    ("type", "select", ""),
    ("name", "text", ""),
    ("amount", "qty", ""),
    ("carrier", "text", "fuels"),
    ("price", "qty", ""),
    ("source", "text", "water"),
    ("route", "select", ""),
    ("hazardous", "bool", ""),
)
IV_FIELDS = (
    ("id", "text", ""),
    ("name", "text", ""),
    ("measure", "select", ""),
    ("category", "select", ""),
    ("capex", "qty", ""),
    ("opex", "qty", ""),
    ("lifetime", "qty", "year"),
)
_QTY = re.compile(r"^\s*([-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_ROW = re.compile(r"^(flows|interventions|scenarios)\[(\d+)\]\.(.+)$")
_CHANGE = re.compile(r"^changes\[(\d+)\]\.(\w+)(\|unit)?$")


def split_quantity(v: Any) -> tuple[str, str]:
    """A quantity as typed, split for a number box and a unit box.

    >>> split_quantity("1.25e6 m3"), split_quantity({"value": 8, "unit": "%"})
    (('1.25e6', 'm3'), ('8', '%'))
    """
    if v is None:
        return "", ""
    if isinstance(v, Mapping):
        return str(v.get("value", "")), str(v.get("unit", ""))
    if isinstance(v, bool):
        return str(v), ""
    if isinstance(v, int | float):
        return repr(v) if isinstance(v, float) else str(v), ""
    m = _QTY.match(str(v))
    return (m.group(1), m.group(2)) if m else (str(v), "")


def join_quantity(value: str, unit: str) -> str | None:
    """The document value of a number box and a unit box (None when the number is empty)."""
    value, unit = value.strip(), unit.strip()
    if not value:
        return None
    return f"{value} {unit}".strip()


# -- choices ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def countries() -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes with names, for the country list."""
    return sorted((c.alpha_2, c.name) for c in pycountry.countries)


@lru_cache(maxsize=1)
def fuels() -> list[str]:
    """Fuel carriers of the IPCC 2006 fuel table."""
    return list(library().table("ipcc2006-fuels").rows)


def measures(sector: str | None) -> list[dict[str, Any]]:
    """Catalogue measures of the plant's sector (every sector's when it has none)."""
    keys = [sector] if sector in SECTORS else list(SECTORS)
    out: list[dict[str, Any]] = []
    for k in keys:
        out.extend(catalogue(str(k)))
    return out


def _choices(key: str, doc: dict[str, Any]) -> list[tuple[str, str]]:
    blank = [("", "")]
    plant = doc.get("plant") if isinstance(doc.get("plant"), dict) else {}
    options: dict[str, list[tuple[str, str]]] = {
        "plant.sector": blank + [(k, s.name) for k, s in SECTORS.items()],
        "currency": [(c, c) for c in sorted(CURRENCIES)],
        "gwp": [(g, g) for g in rules.GWP_CHOICES],
        "type": [(t, t) for t in rules.FLOW_TYPES],
        "route": blank + [(r, r) for r in rules.WASTE_ROUTES],
        "category": blank + [(c, c) for c in rules.CATEGORIES],
        "op": [("by", "by"), ("to", "to")],
    }
    if key == "measure":
        sector = plant.get("sector") if isinstance(plant, dict) else None
        return blank + [(str(m["id"]), f"{m['id']}: {m['name']}") for m in measures(sector)]
    if key == "flow":
        ids = [str(f.get("id")) for f in doc.get("flows") or [] if isinstance(f, dict)]
        return blank + [(i, i) for i in ids]
    return options.get(key, [])


# -- document -> fields ----------------------------------------------------------------------


def _get(doc: Any, place: str) -> Any:
    cur = doc
    for part in place.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _field(name: str, key: str, kind: str, value: Any, doc: dict[str, Any], hint: str) -> Field:
    f = Field(name=name, key=key, kind=kind, hint=hint)
    if kind == "qty":
        f.value, f.unit = split_quantity(value)
    elif kind == "bool":
        f.value = "" if value is None else ("yes" if value else "no")
        f.choices = [("", ""), ("yes", "yes"), ("no", "no")]
    else:
        f.value = "" if value is None else str(value)
    if kind == "select":
        f.choices = _choices(key, doc)
        if f.value and f.value not in [c[0] for c in f.choices]:
            f.choices.append((f.value, f.value))  # keep what the file says; the check reports it
    if hint in ("fuels", "water"):
        f.datalist, f.hint = hint, ""
    if key == "plant.country":
        f.datalist = "countries"
    return f


def plant_fields(doc: dict[str, Any]) -> list[Field]:
    """The plant-level fields of a document."""
    return [_field(p, p, k, _get(doc, p), doc, h) for p, k, h in PLANT_FIELDS]


def _rows(doc: dict[str, Any], section: str, spec: tuple[tuple[str, str, str], ...]) -> list[Row]:
    items = [x for x in (doc.get(section) or []) if isinstance(x, dict)]
    rows = []
    for i, item in enumerate([*items, {}]):
        place = f"{section}[{i}]"
        fs = [_field(f"{place}.{k}", k, kind, item.get(k), doc, h) for k, kind, h in spec]
        rows.append(Row(place=place, fields=fs, new=i == len(items)))
    return rows


def flow_rows(doc: dict[str, Any]) -> list[Row]:
    """One row per flow, and an empty one to add a flow."""
    return _rows(doc, "flows", FLOW_FIELDS)


def intervention_rows(doc: dict[str, Any]) -> list[Row]:
    """One row per intervention with its flow changes (and an empty change to add)."""
    rows = _rows(doc, "interventions", IV_FIELDS)
    items = [x for x in (doc.get("interventions") or []) if isinstance(x, dict)]
    for row, item in zip(rows, [*items, {}], strict=True):
        got = item.get("changes")
        changes: list[Any] = got if isinstance(got, list) else []
        others = 0
        for j, ch in enumerate([*changes, {}]):
            if not isinstance(ch, dict) or (ch and "flow" not in ch):
                others += 1  # a process change: kept as is, edited in YAML
                continue
            op = "to" if ch.get("to") is not None else "by"
            place = f"{row.place}.changes[{j}]"
            fs = [
                _field(f"{place}.flow", "flow", "select", ch.get("flow"), doc, ""),
                _field(f"{place}.op", "op", "select", op, doc, ""),
                _field(f"{place}.amount", "amount", "qty", ch.get(op), doc, "% or a unit"),
            ]
            row.changes.append(Row(place=place, fields=fs, new=not ch))
        if others:
            row.note = f"{others} process change(s): edit them in YAML"
    return rows


def scenario_rows(doc: dict[str, Any]) -> list[Row]:
    """One row per named scenario: its name and its intervention ids in order."""
    got = doc.get("scenarios")
    sc: dict[str, Any] = got if isinstance(got, dict) else {}
    rows = []
    for i, (name, steps) in enumerate([*sc.items(), ("", [])]):
        place = f"scenarios[{i}]"
        ids = ", ".join(str(s) for s in steps) if isinstance(steps, list) else str(steps)
        fs = [
            Field(name=f"{place}.name", key="name", kind="text", value=str(name)),
            Field(name=f"{place}.steps", key="steps", kind="text", value=ids, hint="ids, in order"),
        ]
        rows.append(
            Row(place=f"scenarios.{name}" if name else place, fields=fs, new=not name, prefix=place)
        )
    return rows


def attach(problems: list[Problem], plant: list[Field], rows: list[Row]) -> list[Problem]:
    """Put each problem beside its field (or row); return those that have no place shown."""
    fields: dict[str, Field] = {f.name: f for f in plant}
    row_at: dict[str, Row] = {}
    for r in rows:
        row_at[r.place] = r
        for f in r.fields:
            fields[f.name] = f
        for c in r.changes:
            row_at[c.place] = c
            for f in c.fields:
                fields[f.name] = f
                if f.key == "amount":  # the validator names 'by' or 'to'
                    fields[f"{c.place}.by"] = fields[f"{c.place}.to"] = f
    left = []
    for p in problems:
        target = _target(p.place, fields, row_at)
        if target is None:
            left.append(p)
        else:
            target.problems.append(p.message)
    return left


def _target(place: str, fields: dict[str, Field], rows: dict[str, Row]) -> Field | Row | None:
    """The most specific field or row a place points into."""
    cur = place
    while cur:
        if cur in fields:
            return fields[cur]
        if cur in rows:
            return rows[cur]
        cut = max(cur.rfind("."), cur.rfind("["))
        cur = cur[:cut] if cut > 0 else ""
    return None


# -- posted fields -> document ---------------------------------------------------------------


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def _posted(kind: str, form: Mapping[str, str], name: str) -> Any:
    raw = form.get(name, "")
    if kind == "qty":
        return join_quantity(raw, form.get(f"{name}|unit", ""))
    if kind == "bool":
        return {"yes": True, "no": False}.get(raw.strip())
    return raw.strip()


def apply_form(doc: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """The document with the posted plant, flows, interventions and scenarios applied."""
    out = dict(doc)
    plant = dict(out.get("plant") or {}) if isinstance(out.get("plant"), dict) else {}
    for place, kind, _ in PLANT_FIELDS:
        if place not in form:
            continue
        value = _posted(kind, form, place)
        if place.startswith("plant."):
            _put(plant, place.removeprefix("plant."), value)
        else:
            _put(out, place, value)
    out["plant"] = plant
    for section, spec in (("flows", FLOW_FIELDS), ("interventions", IV_FIELDS)):
        out[section] = _apply_rows(out.get(section), section, spec, form)
    if not out["interventions"]:
        out.pop("interventions")
    scenarios = _apply_scenarios(form)
    if scenarios is not None:
        _put(out, "scenarios", scenarios or None)
    return out


def _apply_rows(
    items: Any, section: str, spec: tuple[tuple[str, str, str], ...], form: Mapping[str, str]
) -> list[Any]:
    old = list(items) if isinstance(items, list) else []
    indices = sorted(
        {int(m.group(2)) for k in form if (m := _ROW.match(k)) and m.group(1) == section}
    )
    out: list[Any] = []
    for i in range(max([len(old) - 1, *indices]) + 1):
        place = f"{section}[{i}]"
        item = dict(old[i]) if i < len(old) and isinstance(old[i], dict) else None
        typed = [k for k, kind, _ in spec if kind in ("text", "qty")]  # lists have defaults
        if i >= len(old) and not any(form.get(f"{place}.{k}", "").strip() for k in typed):
            continue  # the empty row to add one, left empty
        if form.get(f"{place}._delete"):
            continue
        if item is None:
            if i < len(old):
                out.append(old[i])  # not a mapping: kept, the check reports it
                continue
            item = {}
        for key, kind, _ in spec:
            if f"{place}.{key}" in form:
                _put(item, key, _posted(kind, form, f"{place}.{key}"))
        if section == "interventions":
            _apply_changes(item, place, form)
        out.append(item)
    return out


def _apply_changes(item: dict[str, Any], place: str, form: Mapping[str, str]) -> None:
    got = item.get("changes")
    old: list[Any] = got if isinstance(got, list) else []
    posted: dict[int, dict[str, str]] = {}
    for k, v in form.items():
        if k.startswith(f"{place}.") and (m := _CHANGE.match(k.removeprefix(f"{place}."))):
            posted.setdefault(int(m.group(1)), {})[m.group(2) + (m.group(3) or "")] = v
    if not posted:
        return
    changes: list[Any] = []
    for j in range(max([len(old) - 1, *posted]) + 1):
        p = posted.get(j)
        if p is None:
            if j < len(old):
                changes.append(old[j])  # a process change, not in the form
            continue
        flow = p.get("flow", "").strip()
        amount = join_quantity(p.get("amount", ""), p.get("amount|unit", ""))
        if not flow and amount is None:
            continue  # removed, or the empty one left empty
        ch = {k: v for k, v in (old[j] if j < len(old) and isinstance(old[j], dict) else {}).items()
              if k not in ("flow", "by", "to")}  # fmt: skip
        ch["flow"] = flow
        ch[p.get("op") if p.get("op") in ("by", "to") else "by"] = amount
        changes.append(ch)
    if changes or not item.get("measure"):
        item["changes"] = changes
    else:
        item.pop("changes", None)  # the catalogue measure brings its changes


def _apply_scenarios(form: Mapping[str, str]) -> dict[str, list[str]] | None:
    names = sorted(
        {int(m.group(2)) for k in form if (m := _ROW.match(k)) and m.group(1) == "scenarios"}
    )
    if not names:
        return None
    out: dict[str, list[str]] = {}
    for i in names:
        name = form.get(f"scenarios[{i}].name", "").strip()
        if not name or form.get(f"scenarios[{i}]._delete"):
            continue
        steps = form.get(f"scenarios[{i}].steps", "")
        out[name] = [s.strip() for s in re.split(r"[,\s]+", steps) if s.strip()]
    return out
