"""Fill-in workbooks (``.xlsx``): the scenario file as spreadsheet sheets.

``recp new --sector KEY --out plant.xlsx`` writes a sector template as a workbook that a plant
can fill in without editing YAML; ``recp assess plant.xlsx`` reads it back through
:func:`read_workbook`, which returns the same mapping a YAML scenario file parses to.

Sheets
------
Plant
    ``key | value | unit | help``: ``plant.name``, ``plant.country``, ``plant.sector``,
    ``plant.production``, ``currency``, ``gwp``, ``discount_rate``, ``grid_factor``, notes.
Flows
    One row per flow. Quantities are a number column plus a unit column (``amount`` and
    ``amount unit``); lists of valid types, carriers, routes and keys are offered in the cells.
Interventions
    One row per change: the intervention's columns are given on its first row (later rows with
    the same ``id`` add changes to it); ``by``/``to`` and costs are a number column plus a unit
    column (``-8`` and ``%``, ``25000`` and ``USD``), or written as in YAML (``-8 %``); a
    computed change is a ``calc`` cell holding its inline mapping (``{method: steam_leak,
    holes: 6, diameter: 2 mm, ...}``; the column is there when a plant has one).
Scenarios, Balances
    Optional: scenario name and comma-separated intervention ids; balance kind, item, amount.

Reading is strict (:func:`read_located`): an unknown sheet or column, a column of values without
a header, a row that would be dropped and a ``TODO`` placeholder are problems naming their cell
(``Flows!D1``), so nothing in a sheet is lost silently. Quantity cells take their unit from the
cell's text, the unit column or the header (``capex [USD]``).
"""

from __future__ import annotations

import copy
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import yaml

from recp.errors import InputError, Problem, closest, did_you_mean
from recp.factors import library
from recp.io import write_atomic
from recp.rules import CATEGORIES, COMBUSTION_SECTORS, FLOW_TYPES, WASTE_ROUTES, WATER_SOURCES

#: Flow keys that are quantities: written as a number column plus a unit column.
FLOW_QTY = (
    "amount",
    "price",
    "ncv",
    "density",
    "emission_factor",
    "market_factor",
    "cod",
    "nitrogen",
    "bod5",
    "tss",
    "total_n",
    "total_p",
    "ch4_recovery",
)
#: Keys holding a mapping, written as inline YAML in one cell (``{cod: 0.1 USD/kg}``).
INLINE = ("effluent_tariff",)
#: Flow columns in sheet order (quantities expand to two columns).
FLOW_KEYS = (
    "id",
    "type",
    "name",
    "amount",
    "carrier",
    "source",
    "hazardous",
    "route",
    "price",
    "ncv",
    "density",
    "combustion_sector",
    "emission_factor",
    "market_factor",
    "cod",
    "nitrogen",
    "bod5",
    "tss",
    "total_n",
    "total_p",
    "effluent_tariff",
    "treatment",
    "ch4_recovery",
    "doc_type",
    "landfill",
    "on_site",
    "notes",
)
INTERVENTION_KEYS = (
    "id",
    "name",
    "measure",
    "category",
    "capex",
    "opex",
    "lifetime",
    "source",
    "notes",
)
CHANGE_KEYS = ("flow", "by", "to")
#: Process changes (only in workbooks of plants with processes): Toolkit specs as inline YAML.
#: The nested specs of a process: each cell holds an inline mapping such as
#: ``{category: 2l, class: 1}``.
SPECS = ("mercury", "pcdd_f", "pcb", "dl_pcb", "hcb", "co2")
#: Guidebook defaults of a process (plain cells; several abatements separated by ';').
DEFAULTS = ("technology", "abatement")
PROCESS_CHANGE_KEYS = ("process", *DEFAULTS, *SPECS)
#: Process columns.
PROCESS_KEYS = (
    "id",
    "name",
    "activity",
    "activity unit",
    "flow",
    "fuel",
    "category",
    *DEFAULTS,
    *SPECS,
    "source",
    "notes",
)
PLANT_KEYS = ("name", "country", "sector", "production", "notes", "source")
TOP_KEYS = (
    "currency",
    "gwp",
    "grid_factor",
    "grid_cm",
    "grid_basis",
    "discount_rate",
    "carbon_price",
    "effluent_tariff",
    "notes",
)
QTY_TOP = ("grid_factor", "grid_cm", "discount_rate", "carbon_price")

_HELP = {
    "plant.name": "plant name",
    "plant.country": "ISO 3166-1 alpha-2 code, e.g. BD",
    "plant.sector": "sector key (recp sectors)",
    "plant.production": "reference output per year: number and unit (t, m3, hl, ...)",
    "plant.notes": "free text",
    "plant.source": "where the data come from",
    "currency": "ISO 4217 code; every price and cost is in it",
    "gwp": "AR4, AR5 or AR6",
    "grid_factor": "optional scope 2 factor, e.g. 0.62 t CO2e/MWh",
    "grid_cm": "optional combined-margin grid factor for emission reductions, e.g. 0.41 t CO2e/MWh",
    "discount_rate": "e.g. 8 %",
    "effluent_tariff": "effluent charge per kg of pollutant, e.g. {cod: 0.1 USD/kg}",
    "grid_basis": "optional: what the grid factor covers, lifecycle or combustion",
    "carbon_price": "optional price of an emission-reduction credit, e.g. 12 USD/t CO2e",
    "notes": "free text",
}

_NUM = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _split(q: Any) -> tuple[Any, str]:
    """Split a quantity into (number, unit); text that is not '<number> <unit>' stays whole."""
    if q is None:
        return None, ""
    if isinstance(q, dict) and "value" in q:
        return q["value"], str(q.get("unit") or "")
    if isinstance(q, bool):
        return q, ""
    if isinstance(q, int | float):
        return q, ""
    m = _NUM.match(str(q))
    if m:
        num = float(m.group(1))
        return (int(num) if num.is_integer() and abs(num) < 1e15 else num), m.group(2)
    return str(q), ""


def _join(value: Any, unit: Any) -> Any:
    """Inverse of :func:`_split`: a cell pair back to a quantity string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    unit = "" if unit is None else str(unit).strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = repr(value)
        return f"{text} {unit}" if unit else text
    text = str(value).strip()
    return f"{text} {unit}" if unit else text


def _lists() -> dict[str, list[str]]:
    """The vocabularies offered as drop-down lists, from recp's rules and factor tables."""
    lib = library()
    out = {
        "type": list(FLOW_TYPES),
        "carrier": list(lib.carriers),
        "source": list(WATER_SOURCES),
        "route": list(WASTE_ROUTES),
        "hazardous": ["TRUE", "FALSE"],
        "on_site": ["TRUE", "FALSE"],
        "combustion_sector": list(COMBUSTION_SECTORS),
        "category": list(CATEGORIES),
    }
    for key, table in (
        ("treatment", "ipcc2006-wastewater"),
        ("doc_type", "ipcc2006-landfill-doc"),
        ("landfill", "ipcc2006-landfill-mcf"),
    ):
        if table in lib.ids:
            out[key] = list(lib.table(table).rows)
    return out


#: Flow columns that offer their vocabulary as a drop-down list.
FLOW_LISTS = (
    "type",
    "carrier",
    "source",
    "route",
    "hazardous",
    "treatment",
    "doc_type",
    "landfill",
    "on_site",
    "combustion_sector",
)


def _flow_header() -> list[str]:
    cols: list[str] = []
    for k in FLOW_KEYS:
        cols.append(k)
        if k in FLOW_QTY:
            cols.append(f"{k} unit")
    return cols


def write_workbook(
    data: dict[str, Any],
    path: str | Path,
    *,
    force: bool = False,
    help: dict[str, str] | None = None,
    measures: list[str] | None = None,
) -> Path:
    """Write a scenario mapping as a fill-in workbook (atomically).

    Parameters
    ----------
    data : dict
        A scenario mapping (parsed YAML), e.g. :func:`recp.sectors.template_data`.
    path : path
        The ``.xlsx`` file.
    force : bool
        Replace an existing file.
    help : dict, optional
        Help texts of Plant sheet keys (``plant.production``) replacing the general ones.
    measures : list of str, optional
        Catalogue measure ids offered as a drop-down list in the ``measure`` column.

    Returns
    -------
    Path
        The file written.
    """
    from openpyxl import Workbook  # lazy: CLI start-up (openpyxl only when a workbook is written)

    wb = Workbook()
    lists = _lists()
    if measures:
        lists["measure"] = list(measures)
    _write_plant(wb.active, data, help or {})
    _write_lists(wb.create_sheet("Lists"), lists)
    _write_flows(wb.create_sheet("Flows", 1), data, lists)
    procs = data.get("processes") or []
    _write_interventions(wb.create_sheet("Interventions", 2), data, lists, bool(procs))
    if procs:
        _write_processes(wb.create_sheet("Processes", 3), procs)
    if data.get("scenarios"):
        sc = wb.create_sheet("Scenarios")
        sc.append(["scenario", "interventions"])
        for name, ids in data["scenarios"].items():
            sc.append([name, ", ".join(ids)])
    if data.get("balances"):
        _write_balances(wb.create_sheet("Balances"), data["balances"])
    _style(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return write_atomic(path, buf.getvalue(), force=force)


def _write_plant(ws: Any, data: dict[str, Any], help: dict[str, str]) -> None:
    """The Plant sheet: key, value, unit, help."""
    ws.title = "Plant"
    ws.append(["key", "value", "unit", "help"])
    plant = dict(data.get("plant") or {})
    for k in PLANT_KEYS:
        v, u = _split(plant.get(k)) if k == "production" else (plant.get(k), "")
        ws.append([f"plant.{k}", v, u, help.get(f"plant.{k}", _HELP[f"plant.{k}"])])
    for k in TOP_KEYS:
        v, u = _split(data.get(k)) if k in QTY_TOP else (data.get(k), "")
        if k in INLINE:
            v = _inline(v)
        ws.append([k, v, u, help.get(k, _HELP[k])])


#: A flow line of a sector template and its placeholder comment.
_TEMPLATE_FLOW = re.compile(r"\bid:\s*([^,}\s]+).*#\s*TODO:\s*fill\s*-?\s*(.*)$")
#: The placeholder of a cell the user must fill in (refused by ``recp validate`` until then).
TODO = "TODO"


def write_template(
    data: dict[str, Any],
    text: str,
    measures: list[dict[str, Any]],
    path: str | Path,
    *,
    force: bool = False,
) -> Path:
    """Write a sector template as a fill-in workbook whose placeholders must be filled in.

    The plant's name, country, production and discount rate and every flow's amount are
    ``TODO`` cells (their units kept), which :func:`read_located` refuses until filled; the
    template's typical figure and its comment go to the flow's ``notes`` and the Plant sheet's
    help. No country is pre-filled. The Interventions sheet gets one example row: the sector's
    first catalogue measure whose flows are in the template, with its capex ``TODO`` (the
    consultant's quote).

    Parameters
    ----------
    data : dict
        The template mapping (:func:`recp.sectors.template_data`).
    text : str
        The template's YAML text (its ``# TODO: fill - ...`` comments become notes).
    measures : list of dict
        The sector's catalogue measures (:func:`recp.sectors.catalogue`).
    path : path
        The ``.xlsx`` file.
    force : bool
        Replace an existing file.
    """
    data = copy.deepcopy(data)
    comments = {
        m.group(1): m.group(2).strip()
        for line in text.splitlines()
        if (m := _TEMPLATE_FLOW.search(line))
    }
    help: dict[str, str] = {}
    plant = data.setdefault("plant", {})
    plant["name"] = f"{TODO}: your plant's name"
    plant["country"] = f"{TODO}: the plant's country (ISO 3166 code, e.g. EG)"
    if plant.get("production") is not None:
        v, u = _split(plant["production"])
        plant["production"] = {"value": f"{TODO}: fill", "unit": u}
        help["plant.production"] = f"{_HELP['plant.production']}; typical plant: {v} {u}"
    if data.get("discount_rate") is not None:
        data["discount_rate"] = {"value": f"{TODO}: your cost of capital", "unit": "%"}
    for fl in data.get("flows") or []:
        v, u = _split(fl.get("amount"))
        fl["amount"] = {"value": f"{TODO}: fill", "unit": u}
        note = comments.get(str(fl.get("id")), "")
        fl["notes"] = f"typical plant: {_join(v, u)}" + (f"; {note}" if note else "")
    flows = {str(fl.get("id")) for fl in data.get("flows") or []}
    example = next(
        (m for m in measures if {c.get("flow") for c in m.get("changes") or []} <= flows), None
    )
    if example is not None and not data.get("interventions"):
        data["interventions"] = [
            {
                "id": str(example["id"]).rsplit(".", 1)[-1],
                "name": example.get("name"),
                "measure": example["id"],
                "category": example.get("category"),
                "changes": [
                    {"flow": c["flow"], "by": c["by"]} for c in example.get("changes") or []
                ],
                "capex": {"value": f"{TODO}: your quote", "unit": data.get("currency", "USD")},
                "lifetime": example.get("lifetime"),
            }
        ]
    ids = [str(m["id"]) for m in measures]
    return write_workbook(data, path, force=force, help=help, measures=ids)


def _write_lists(ws: Any, lists: dict[str, list[str]]) -> None:
    """The hidden Lists sheet: one column per vocabulary, for the cells' drop-down lists."""
    from openpyxl.styles import Font  # lazy: CLI start-up

    for j, (name, values) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=j, value=name).font = Font(bold=True)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=v)


def _list_validation(
    ws: Any, header: list[str], key: str, lists: dict[str, list[str]], last: int
) -> None:
    """Offer the vocabulary ``key`` as a drop-down list in its column, rows 2 to ``last``."""
    from openpyxl.utils import get_column_letter  # lazy: CLI start-up
    from openpyxl.worksheet.datavalidation import DataValidation  # lazy: CLI start-up

    col = get_column_letter(header.index(key) + 1)
    lcol = get_column_letter(list(lists).index(key) + 1)
    dv = DataValidation(
        type="list", allow_blank=True, formula1=f"Lists!${lcol}$2:${lcol}${len(lists[key]) + 1}"
    )
    dv.add(f"{col}2:{col}{last}")
    ws.add_data_validation(dv)


def _write_flows(ws: Any, data: dict[str, Any], lists: dict[str, list[str]]) -> None:
    """The Flows sheet: a row per flow, quantities as a number and a unit column."""
    header = _flow_header()
    ws.append(header)
    for fl in data.get("flows") or []:
        row: list[Any] = []
        for k in FLOW_KEYS:
            if k in FLOW_QTY:
                v, u = _split(fl.get(k))
                row += [v, u]
            elif k in INLINE:
                row.append(_inline(fl.get(k)))
            else:
                row.append(fl.get(k))
        ws.append(row)
    last = max(ws.max_row, 2) + 200
    for key in FLOW_LISTS:
        if key in lists:
            _list_validation(ws, header, key, lists, last)


def _intervention_header(procs: bool, calcs: bool = False) -> list[str]:
    cols: list[str] = []
    for k in (*INTERVENTION_KEYS, *CHANGE_KEYS):
        cols.append(k)
        if k in INTERVENTION_QTY:
            cols.append(f"{k} unit")
    return cols + (["calc"] if calcs else []) + (list(PROCESS_CHANGE_KEYS) if procs else [])


def _write_interventions(
    ws: Any, data: dict[str, Any], lists: dict[str, list[str]], procs: bool
) -> None:
    """The Interventions sheet: a row per change, the intervention's columns on its first."""
    # computed changes (engineering calculators) as an inline mapping, only when there are any
    calcs = any(
        ch.get("calc") for it in data.get("interventions") or [] for ch in it.get("changes") or []
    )
    header = _intervention_header(procs, calcs)
    ws.append(header)
    for it in data.get("interventions") or []:
        changes = list(it.get("changes") or []) or [{}]
        for j, ch in enumerate(changes):
            rec: dict[str, Any] = {"id": it.get("id")}
            if j == 0:
                rec.update({k: it.get(k) for k in INTERVENTION_KEYS[1:]})
            rec.update({k: ch.get(k) for k in ("flow", "by", "to", "process")})
            rec.update({k: _plain(ch.get(k)) for k in DEFAULTS})
            rec.update({k: _inline(ch.get(k)) for k in (*SPECS, "calc")})
            for k in INTERVENTION_QTY:
                rec[k], rec[f"{k} unit"] = _split(rec.get(k))
            ws.append([rec.get(k) if rec.get(k) != "" else None for k in header])
    _list_validation(ws, header, "category", lists, max(ws.max_row, 2) + 200)
    if "measure" in lists:
        _list_validation(ws, header, "measure", lists, max(ws.max_row, 2) + 200)


def _plain(v: Any) -> Any:
    """A technology or abatement cell: several abatements as 'a;b'."""
    return ";".join(str(x) for x in v) if isinstance(v, list) else v


def _write_processes(ws: Any, procs: list[dict[str, Any]]) -> None:
    """The Processes sheet: a row per process, Toolkit specs as inline YAML."""
    ws.append(list(PROCESS_KEYS))
    for pr in procs:
        v, unit = _split(pr.get("activity"))
        ws.append(
            [
                pr.get("id"),
                pr.get("name"),
                v,
                unit or None,
                pr.get("flow"),
                pr.get("fuel"),
                pr.get("category"),
                *(_plain(pr.get(k)) for k in DEFAULTS),
                *(_inline(pr.get(k)) for k in SPECS),
                pr.get("source"),
                pr.get("notes"),
            ]
        )


def _write_balances(ws: Any, bal: dict[str, Any]) -> None:
    """The Balances sheet: kind, item, amount, unit."""
    ws.append(["kind", "item", "amount", "unit"])
    if bal.get("tolerance") is not None:
        ws.append(["tolerance", None, *_split(bal["tolerance"])])
    for kind in ("water", "mass"):
        for item, q in (bal.get(kind) or {}).items():
            ws.append([kind, item, *_split(q)])


def _style(wb: Any) -> None:
    """Bold frozen headers, columns wide enough for their text, the Lists sheet hidden."""
    from openpyxl.styles import Font  # lazy: CLI start-up

    bold = Font(bold=True)
    for sheet in wb.worksheets:
        for c in sheet[1]:
            c.font = bold
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    wb["Lists"].sheet_state = "hidden"


#: The sheets a workbook may have (Lists holds the drop-down vocabularies).
SHEETS = ("Plant", "Flows", "Interventions", "Processes", "Scenarios", "Balances", "Lists")
#: Other names a consultant may give a sheet, and the sheet meant.
SHEET_ALIASES = {
    "measures": "Interventions",
    "options": "Interventions",
    "cp options": "Interventions",
    "actions": "Interventions",
    "changes": "Interventions",
    "site": "Plant",
    "company": "Plant",
    "inputs": "Flows",
    "outputs": "Flows",
    "inputs and outputs": "Flows",
    "balance": "Balances",
}
#: Intervention columns that are quantities (a number plus a unit column or a header unit).
INTERVENTION_QTY = ("capex", "opex", "lifetime", "by", "to")
#: A header that carries the unit of its column: ``capex [USD]``.
_HEADER_UNIT = re.compile(r"^(.*?)\s*\[(.*)\]\s*$")
#: Quantities that are never a bare number: a plain number in their cell needs a unit.
NEEDS_UNIT = frozenset(
    {
        *("amount", "price", "ncv", "density", "emission_factor", "market_factor", "cod"),
        *("nitrogen", "production", "grid_factor", "grid_cm", "activity"),
        *("capex", "opex", "lifetime", "by", "to"),
    }
)
#: A cell still holding a template's placeholder.
_TODO = re.compile(r"^\s*TODO\b", re.IGNORECASE)


@dataclass
class _Table:
    """One sheet read strictly: its rows as key -> value, and where each key's column is."""

    sheet: str
    letters: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def cell(self, key: str, row: int) -> str:
        return f"{self.sheet}!{self.letters.get(key, 'A')}{row}"


@dataclass
class _Reading:
    """What reading a workbook gathers: problems, and the cell of every place."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)

    def problem(self, cell: str, message: str, subject: str | None = None) -> None:
        self.problems.append(Problem("", message, self.file, subject=subject, cell=cell))


def _text(v: Any) -> str:
    """A cell's value as text (an integral float without its '.0')."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v).strip()


def _quantity_cell(c: Any, unit: str) -> Any:
    """A quantity cell: a number gets the unit of its row or header; a '%'-formatted number is %.

    Text that is a bare number is a number; other text (``40000 USD``) is kept as typed.
    """
    v = c.value
    m = _NUM.match(v) if isinstance(v, str) else None
    if m is not None and not m.group(2):
        v = float(m.group(1))
    if isinstance(v, int | float) and not isinstance(v, bool):
        if not unit and "%" in str(c.number_format or ""):
            return f"{_text(v * 100)} %"
        return _join(v, unit)
    return v


def _unit_columns(qty: tuple[str, ...], sheet: str) -> dict[str, str]:
    """Unit column -> its quantity column (``amount unit`` -> ``amount``; Plant: ``unit``)."""
    if sheet in ("Plant", "Balances"):
        return {"unit": qty[0]}
    return {f"{q} unit": q for q in qty}


def _header(ws: Any, allowed: tuple[str, ...], qty: tuple[str, ...], rd: _Reading) -> Any:
    """Check a sheet's header row; return (key per column index, unit per key) and the letters."""
    from openpyxl.utils import get_column_letter  # lazy: CLI start-up

    keys: dict[int, str] = {}
    units: dict[str, str] = {}
    letters: dict[str, str] = {}
    valid = list(allowed) + list(_unit_columns(qty, ws.title))
    for c in next(ws.iter_rows(min_row=1, max_row=1), ()):
        letter = get_column_letter(c.column)
        if c.value is None or not str(c.value).strip():
            if any(
                r[0].value is not None and str(r[0].value).strip()
                for r in ws.iter_rows(min_row=2, min_col=c.column, max_col=c.column)
            ):
                rd.problem(f"{ws.title}!{letter}1", "a column with values has no header: name it")
            continue
        head = str(c.value).strip()
        m = _HEADER_UNIT.match(head)
        key, unit = (m.group(1).strip(), m.group(2).strip()) if m else (head, "")
        if key not in valid or (unit and key not in qty):
            hint = did_you_mean(key, valid, show=30)
            why = f"column {head!r} is not read" if key in valid else f"unknown column {head!r}"
            if key in valid:
                hint = f"only quantities take a unit in the header ({', '.join(qty)})"
            elif key.lower() in (v.lower() for v in valid):
                hint += " (column names are case-sensitive)"
            rd.problem(f"{ws.title}!{letter}1", f"{why}: {hint}")
            continue
        if key in letters:
            rd.problem(
                f"{ws.title}!{letter}1", f"column {key!r} is given twice (also {letters[key]}1)"
            )
            continue
        keys[c.column] = key
        letters[key] = letter
        if unit:
            units[key] = unit
    return keys, units, letters


_KINDS = {"Flows": "flow", "Interventions": "intervention", "Processes": "process"}


def _subject(sheet: str, raw: dict[str, Any]) -> str | None:
    """The flow, intervention or process a row is about (``flow 'gas'``), for messages."""
    if sheet in _KINDS and raw.get("id") is not None:
        return f"{_KINDS[sheet]} {_text(raw['id'])!r}"
    return None


def _table(ws: Any, allowed: tuple[str, ...], qty: tuple[str, ...], rd: _Reading) -> _Table:
    """Read a sheet strictly: known columns only, quantities joined with their unit."""
    keys, head_units, letters = _header(ws, allowed, qty, rd)
    unit_of = {q: u for u, q in _unit_columns(qty, ws.title).items()}
    table = _Table(ws.title, letters)
    for row in ws.iter_rows(min_row=2):
        cells = {keys[c.column]: c for c in row if c.column in keys}
        raw = {k: c.value for k, c in cells.items()}
        raw = {
            k: (None if isinstance(v, str) and not v.strip() else v)
            for k, v in raw.items()
            if not (isinstance(v, float) and math.isnan(v))
        }
        if all(v is None for v in raw.values()):
            continue
        r = row[0].row
        subject = _subject(ws.title, raw)
        for k, v in raw.items():
            if isinstance(v, str) and _TODO.match(v):
                what = _text(raw.get("key")) if ws.title == "Plant" else k
                rd.problem(
                    table.cell(k, r),
                    f"{what}: still a template placeholder ({v[:60]!r}): fill it in",
                    subject,
                )
        rec: dict[str, Any] = {}
        for k, v in raw.items():
            if v is None or k in unit_of.values():
                continue
            if k in qty:
                unit = raw.get(unit_of[k])
                unit = _text(unit) if unit is not None else head_units.get(k, "")
                v = _quantity_cell(cells[k], unit)
                what = _text(raw.get("key")) if ws.title == "Plant" else k
                bare = _NUM.match(str(v))
                if what.removeprefix("plant.") in NEEDS_UNIT and bare and not bare.group(2):
                    col = unit_of[k]
                    rd.problem(
                        table.cell(k, r),
                        f"{what}: the number {v} has no unit: give it in the column "
                        f"'{col}'"
                        + ("" if ws.title == "Plant" else f" or the header '{k} [unit]'"),
                        subject,
                    )
            elif isinstance(v, str):
                v = v.strip()
            rec[k] = v
        table.rows.append((r, rec))
    return table


def read_located(path: str | Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a fill-in workbook strictly: the scenario mapping and the cell of every place.

    Every sheet and column must be one recp reads (nothing is ignored silently): an unknown
    sheet or column, a column of values without a header and a template placeholder (``TODO``)
    are problems naming their cell (``Flows!D1``) and the closest valid name. Quantity cells
    take their unit from the cell's text (``40000 USD``), from the unit column
    (``capex unit``) or from the header (``capex [USD]``); a number formatted as a percentage
    in Excel is read as one.

    Returns
    -------
    data : dict
        The scenario mapping, as a YAML file would parse.
    cells : dict
        Place (``flows[0].amount``) -> cell (``Flows!D2``), for the scenario's messages.

    Raises
    ------
    InputError
        If the file is not a readable workbook, lacks the Plant or Flows sheet, or has any of
        the problems above (all of them, one per cell).
    """
    from openpyxl import load_workbook  # lazy: CLI start-up (openpyxl only for workbooks)

    name = str(path)
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except (BadZipFile, OSError, KeyError, ValueError) as e:
        raise InputError(
            [Problem("", f"not a readable .xlsx workbook ({type(e).__name__})", name)]
        ) from None
    rd = _Reading(name)
    for sheet in wb.sheetnames:
        if sheet not in SHEETS:
            near = SHEET_ALIASES.get(sheet.strip().lower()) or next(
                iter(closest(sheet, SHEETS)), ""
            )
            hint = f"did you mean '{near}'?" if near else "valid: " + ", ".join(SHEETS[:-1])
            rd.problem(f"{sheet}!A1", f"unknown sheet {sheet!r}: {hint} (nothing in it is read)")
    for sheet in ("Plant", "Flows"):
        if sheet not in wb.sheetnames:
            rd.problems.append(
                Problem("", f"no sheet '{sheet}' (sheets: {', '.join(wb.sheetnames)})", name)
            )
    if "Plant" not in wb.sheetnames or "Flows" not in wb.sheetnames:
        raise InputError(rd.problems)
    data = _read_plant(wb["Plant"], rd)
    data["flows"] = _read_flows(wb["Flows"], rd)
    readers = (
        ("Interventions", "interventions", _read_interventions),
        ("Processes", "processes", _read_processes),
        ("Scenarios", "scenarios", _read_scenarios),
        ("Balances", "balances", _read_balances),
    )
    for sheet, key, read in readers:
        if sheet in wb.sheetnames:
            got = read(wb[sheet], rd)
            if got:
                data[key] = got
    if rd.problems:
        raise InputError(rd.problems)
    return data, rd.cells


def read_workbook(path: str | Path) -> dict[str, Any]:
    """Read a fill-in workbook back into a scenario mapping.

    Parameters
    ----------
    path : path
        An ``.xlsx`` written by :func:`write_workbook` (and filled in).

    Returns
    -------
    dict
        The scenario mapping, as a YAML scenario file would parse; validate it with
        :meth:`recp.scenario.Scenario.from_dict` (or use :func:`read_located`, whose cells
        let the messages name ``Sheet!Cell``).

    Raises
    ------
    InputError
        See :func:`read_located`.
    """
    return read_located(path)[0]


def _read_plant(ws: Any, rd: _Reading) -> dict[str, Any]:
    """The Plant sheet as the scenario's ``plant`` mapping and top-level keys."""
    data: dict[str, Any] = {"plant": {}}
    allowed = [f"plant.{k}" for k in PLANT_KEYS] + list(TOP_KEYS)
    table = _table(ws, ("key", "value", "help"), ("value",), rd)
    for r, rec in table.rows:
        key = _text(rec["key"]) if rec.get("key") is not None else ""
        if key not in allowed:
            what = (
                f"unknown key {key!r}: {did_you_mean(key, allowed, show=20)}"
                if key
                else ("a row with a value has no key")
            )
            rd.problem(table.cell("key", r), what)
            continue
        value = rec.get("value")
        if value is None:
            continue
        rd.cells[key] = table.cell("value", r)
        if key.startswith("plant."):
            k = key.removeprefix("plant.")
            # Text fields typed as numbers (e.g. a plant called 2020) stay text.
            data["plant"][k] = value if k == "production" else _text(value)
        elif key in INLINE:
            data[key] = _mapping(value, table.cell("value", r), rd)
        else:
            data[key] = _text(value) if key in ("currency", "gwp", "grid_basis", "notes") else value
    return data


def _read_flows(ws: Any, rd: _Reading) -> list[dict[str, Any]]:
    """The Flows sheet as the scenario's ``flows`` list."""
    flows: list[dict[str, Any]] = []
    table = _table(ws, FLOW_KEYS, FLOW_QTY, rd)
    for r, rec in table.rows:
        fl: dict[str, Any] = {}
        for k, v in rec.items():
            if k in ("hazardous", "on_site") and isinstance(v, str):
                v = {"true": True, "false": False}.get(v.lower(), v)
            elif k == "id" and isinstance(v, int | float) and not isinstance(v, bool):
                v = _text(v)
            elif k in INLINE:
                v = _mapping(v, table.cell(k, r), rd)
            fl[k] = v
        place = f"flows[{len(flows)}]"
        rd.cells[place] = table.cell("id", r)
        for k in fl:
            rd.cells[f"{place}.{k}"] = table.cell(k, r)
        flows.append(fl)
    return flows


def _read_interventions(ws: Any, rd: _Reading) -> list[dict[str, Any]]:
    """The Interventions sheet: rows with the same id are the changes of one intervention."""
    ivs: list[dict[str, Any]] = []
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    table = _table(
        ws, (*INTERVENTION_KEYS, *CHANGE_KEYS, "calc", *PROCESS_CHANGE_KEYS), INTERVENTION_QTY, rd
    )
    for r, rec in table.rows:
        if rec.get("id") is None:
            rd.problem(table.cell("id", r), "a row with values has no intervention id")
            continue
        iid = _text(rec["id"])
        if iid not in by_id:
            it: dict[str, Any] = {"id": iid}
            it.update({k: rec[k] for k in INTERVENTION_KEYS[1:] if rec.get(k) is not None})
            it["changes"] = []
            place = f"interventions[{len(ivs)}]"
            by_id[iid] = (len(ivs), it)
            ivs.append(it)
            rd.cells[place] = table.cell("id", r)
            rd.cells[f"{place}.changes"] = table.cell("flow", r)
            for k in it:
                rd.cells[f"{place}.{k}"] = table.cell(k, r)
        k_iv, it = by_id[iid]
        for k in INTERVENTION_KEYS[1:]:
            if rec.get(k) is not None and it.get(k) != rec[k]:
                rd.problem(
                    table.cell(k, r),
                    f"{k}: an intervention's {k} is given on its first row only "
                    f"(this row repeats it with another value, {_text(rec[k])!r})",
                    f"intervention {iid!r}",
                )
        ch = _change(rec, table, r, rd)
        if ch is not None:
            place = f"interventions[{k_iv}].changes[{len(it['changes'])}]"
            rd.cells[place] = table.cell("flow" if "flow" in ch else "process", r)
            for k in ch:
                rd.cells[f"{place}.{k}"] = table.cell(k, r)
            it["changes"].append(ch)
    for it in ivs:
        if not it["changes"]:
            del it["changes"]
    return ivs


def _change(rec: dict[str, Any], table: _Table, r: int, rd: _Reading) -> dict[str, Any] | None:
    """The change on one Interventions row (None if the row has none)."""
    if rec.get("flow") is None and rec.get("process") is None:
        for k in ("by", "to", "calc", *DEFAULTS, *SPECS):
            if rec.get(k) is not None:
                rd.problem(table.cell(k, r), f"{k}: a change names its 'flow' (or 'process')")
        return None
    ch: dict[str, Any] = {}
    for key in ("flow", "process"):
        if rec.get(key) is not None:
            ch[key] = _text(rec[key])
    for k in ("by", "to"):
        if rec.get(k) is not None:
            ch[k] = rec[k] if not isinstance(rec[k], int | float) else _join(rec[k], "")
    for k in DEFAULTS:
        if rec.get(k) is not None:
            ch[k] = _text(rec[k])
    for k in (*SPECS, "calc"):
        if rec.get(k) is not None:
            ch[k] = _mapping(rec[k], table.cell(k, r), rd)
    return ch


def _read_processes(ws: Any, rd: _Reading) -> list[dict[str, Any]]:
    """The Processes sheet as the scenario's ``processes`` list."""
    procs: list[dict[str, Any]] = []
    keys = tuple(k for k in PROCESS_KEYS if k != "activity unit")
    table = _table(ws, keys, ("activity",), rd)
    for r, rec in table.rows:
        pr: dict[str, Any] = {}
        for k, v in rec.items():
            if k in SPECS:
                v = _mapping(v, table.cell(k, r), rd)
            pr[k] = _text(v) if k in ("id", "name", "flow", "fuel", "category", *DEFAULTS) else v
        place = f"processes[{len(procs)}]"
        rd.cells[place] = table.cell("id", r)
        for k in pr:
            rd.cells[f"{place}.{k}"] = table.cell(k, r)
        procs.append(pr)
    return procs


def _read_scenarios(ws: Any, rd: _Reading) -> dict[str, list[str]]:
    """The Scenarios sheet: name and comma-separated intervention ids."""
    scen: dict[str, list[str]] = {}
    table = _table(ws, ("scenario", "interventions"), (), rd)
    for r, rec in table.rows:
        if rec.get("scenario") is None:
            rd.problem(table.cell("scenario", r), "a row with interventions has no scenario name")
            continue
        name = _text(rec["scenario"])
        ids = _text(rec.get("interventions") or "")
        scen[name] = [s.strip() for s in ids.split(",") if s.strip()]
        rd.cells[f"scenarios.{name}"] = table.cell("scenario", r)
        for j in range(len(scen[name])):
            rd.cells[f"scenarios.{name}[{j}]"] = table.cell("interventions", r)
    return scen


def _read_balances(ws: Any, rd: _Reading) -> dict[str, Any]:
    """The Balances sheet: tolerance and the water and mass items."""
    bal: dict[str, Any] = {}
    table = _table(ws, ("kind", "item", "amount"), ("amount",), rd)
    kinds = ("tolerance", "water", "mass")
    for r, rec in table.rows:
        kind = _text(rec.get("kind") or "")
        q = rec.get("amount")
        if kind not in kinds:
            rd.problem(table.cell("kind", r), f"kind {kind!r}: {did_you_mean(kind, kinds)}")
        elif kind == "tolerance":
            bal["tolerance"] = q
            rd.cells["balances.tolerance"] = table.cell("amount", r)
        elif rec.get("item") is None:
            rd.problem(table.cell("item", r), f"a {kind} balance row names its item")
        else:
            item = _text(rec["item"])
            bal.setdefault(kind, {})[item] = q
            rd.cells[f"balances.{kind}.{item}"] = table.cell("amount", r)
    return bal


def _inline(spec: Any) -> str | None:
    """A Toolkit spec mapping as one line of YAML, for a cell (``{category: 2l, class: 1}``)."""
    if spec is None:
        return None
    return str(
        yaml.safe_dump(
            spec, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000
        )
    ).strip()


def _mapping(cell: Any, place: str, rd: _Reading) -> Any:
    """Parse a cell holding an inline mapping (safe YAML); a problem names the cell."""
    try:
        value = yaml.safe_load(str(cell))
    except yaml.YAMLError:
        value = None
    if not isinstance(value, dict):
        rd.problem(
            place, f"{str(cell)[:60]!r} is not a mapping such as '{{category: 2l, class: 1}}'"
        )
        return str(cell)
    return value
