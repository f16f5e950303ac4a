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
    the same ``id`` add changes to it); ``by``/``to`` and costs are written as in YAML
    (``-8 %``, ``25000 USD``).
Scenarios, Balances
    Optional: scenario name and comma-separated intervention ids; balance kind, item, amount.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import yaml

from recp.errors import InputError, Problem
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
SPECS = ("mercury", "pcdd_f", "co2")
PROCESS_CHANGE_KEYS = ("process", *SPECS)
#: Process columns.
PROCESS_KEYS = (
    "id",
    "name",
    "activity",
    "activity unit",
    "flow",
    "fuel",
    *SPECS,
    "source",
    "notes",
)
PLANT_KEYS = ("name", "country", "sector", "production", "notes", "source")
TOP_KEYS = ("currency", "gwp", "grid_factor", "discount_rate", "effluent_tariff", "notes")
QTY_TOP = ("grid_factor", "discount_rate")

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
    "discount_rate": "e.g. 8 %",
    "effluent_tariff": "effluent charge per kg of pollutant, e.g. {cod: 0.1 USD/kg}",
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


def write_workbook(data: dict[str, Any], path: str | Path, *, force: bool = False) -> Path:
    """Write a scenario mapping as a fill-in workbook (atomically).

    Parameters
    ----------
    data : dict
        A scenario mapping (parsed YAML), e.g. :func:`recp.sectors.template_data`.
    path : path
        The ``.xlsx`` file.
    force : bool
        Replace an existing file.

    Returns
    -------
    Path
        The file written.
    """
    from openpyxl import Workbook  # lazy: CLI start-up (openpyxl only when a workbook is written)

    wb = Workbook()
    lists = _lists()
    _write_plant(wb.active, data)
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


def _write_plant(ws: Any, data: dict[str, Any]) -> None:
    """The Plant sheet: key, value, unit, help."""
    ws.title = "Plant"
    ws.append(["key", "value", "unit", "help"])
    plant = dict(data.get("plant") or {})
    for k in PLANT_KEYS:
        v, u = _split(plant.get(k)) if k == "production" else (plant.get(k), "")
        ws.append([f"plant.{k}", v, u, _HELP[f"plant.{k}"]])
    for k in TOP_KEYS:
        v, u = _split(data.get(k)) if k in QTY_TOP else (data.get(k), "")
        if k in INLINE:
            v = _inline(v)
        ws.append([k, v, u, _HELP[k]])


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


def _write_interventions(
    ws: Any, data: dict[str, Any], lists: dict[str, list[str]], procs: bool
) -> None:
    """The Interventions sheet: a row per change, the intervention's columns on its first."""
    header = (
        list(INTERVENTION_KEYS) + list(CHANGE_KEYS) + (list(PROCESS_CHANGE_KEYS) if procs else [])
    )
    ws.append(header)
    for it in data.get("interventions") or []:
        changes = list(it.get("changes") or []) or [{}]
        for j, ch in enumerate(changes):
            head = [it.get(k) if j == 0 or k == "id" else None for k in INTERVENTION_KEYS]
            head = [
                _join(*_split(v)) if k in ("capex", "opex", "lifetime") and v is not None else v
                for k, v in zip(INTERVENTION_KEYS, head, strict=True)
            ]
            tail = [ch.get("process"), *(_inline(ch.get(k)) for k in SPECS)] if procs else []
            ws.append(
                head
                + [ch.get("flow"), _join(*_split(ch.get("by"))), _join(*_split(ch.get("to")))]
                + tail
            )
    _list_validation(ws, header, "category", lists, max(ws.max_row, 2) + 200)


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


def _rows(ws: Any) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if r is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue
        rec = {}
        for h, v in zip(header, r, strict=False):
            if not h:
                continue
            if isinstance(v, str):
                v = v.strip()
                if v == "":
                    v = None
            if isinstance(v, float) and math.isnan(v):
                v = None
            rec[h] = v
        out.append((i, rec))
    return header, out


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
        :meth:`recp.scenario.Scenario.from_dict`.

    Raises
    ------
    InputError
        If the file is not a readable workbook or lacks the Plant or Flows sheet.
    """
    from openpyxl import load_workbook  # lazy: CLI start-up (openpyxl only for workbooks)

    name = str(path)
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except (BadZipFile, OSError, KeyError, ValueError) as e:
        raise InputError(
            [Problem("", f"not a readable .xlsx workbook ({type(e).__name__})", name)]
        ) from None
    problems = [
        Problem("", f"no sheet '{sheet}' (sheets: {', '.join(wb.sheetnames)})", name)
        for sheet in ("Plant", "Flows")
        if sheet not in wb.sheetnames
    ]
    if problems:
        raise InputError(problems)
    data = _read_plant(wb["Plant"])
    data["flows"] = _read_flows(wb["Flows"])
    readers = (
        ("Interventions", "interventions", lambda ws: _read_interventions(ws, name)),
        ("Processes", "processes", lambda ws: _read_processes(ws, name)),
        ("Scenarios", "scenarios", _read_scenarios),
        ("Balances", "balances", _read_balances),
    )
    for sheet, key, read in readers:
        if sheet in wb.sheetnames:
            got = read(wb[sheet])
            if got:
                data[key] = got
    return data


def _read_plant(ws: Any) -> dict[str, Any]:
    """The Plant sheet as the scenario's ``plant`` mapping and top-level keys."""
    data: dict[str, Any] = {"plant": {}}
    for _i, rec in _rows(ws)[1]:
        key = str(rec.get("key") or "")
        if not key:
            continue
        value = _join(rec.get("value"), rec.get("unit"))
        if value is None:
            continue
        if key.startswith("plant."):
            k = key.removeprefix("plant.")
            data["plant"][k] = (
                value if k in ("production",) or not isinstance(value, str) else str(value)
            )
        elif key in INLINE:
            data[key] = _mapping(value, f"Plant {key}", "")
        else:
            data[key] = value
    # Text fields typed as numbers (e.g. a plant called 2020) stay text.
    for k in ("name", "country", "sector", "notes", "source"):
        if k in data["plant"] and not isinstance(data["plant"][k], str):
            data["plant"][k] = str(data["plant"][k])
    return data


def _read_flows(ws: Any) -> list[dict[str, Any]]:
    """The Flows sheet as the scenario's ``flows`` list."""
    flows: list[dict[str, Any]] = []
    for _i, rec in _rows(ws)[1]:
        fl: dict[str, Any] = {}
        for k in FLOW_KEYS:
            if k in FLOW_QTY:
                v = _join(rec.get(k), rec.get(f"{k} unit"))
            elif k in INLINE:
                v = rec.get(k)
                v = None if v is None else _mapping(v, f"Flows {k}", "")
            else:
                v = rec.get(k)
                if k in ("hazardous", "on_site") and isinstance(v, str):
                    v = {"true": True, "false": False}.get(v.lower(), v)
                elif k == "id" and isinstance(v, int | float) and not isinstance(v, bool):
                    v = _join(v, "")
            if v is not None:
                fl[k] = v
        if fl:
            flows.append(fl)
    return flows


def _read_interventions(ws: Any, name: str) -> list[dict[str, Any]]:
    """The Interventions sheet: rows with the same id are the changes of one intervention."""
    ivs: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for i, rec in _rows(ws)[1]:
        if rec.get("id") is None:
            continue
        iid = str(rec["id"])
        it = by_id.get(iid)
        if it is None:
            it = {"id": iid}
            for k in INTERVENTION_KEYS[1:]:
                v = rec.get(k)
                if v is not None:
                    it[k] = _join(v, "") if k in ("capex", "opex", "lifetime") else v
            it["changes"] = []
            by_id[iid] = it
            ivs.append(it)
        if rec.get("flow") is not None or rec.get("process") is not None:
            ch: dict[str, Any] = (
                {"flow": str(rec["flow"])}
                if rec.get("flow") is not None
                else {"process": str(rec["process"])}
            )
            for k in ("by", "to"):
                v = _join(rec.get(k), "")
                if v is not None:
                    ch[k] = v
            for k in SPECS:
                if rec.get(k) is not None:
                    ch[k] = _mapping(rec[k], f"Interventions row {i} {k}", name)
            it["changes"].append(ch)
    for it in ivs:
        if not it["changes"]:
            del it["changes"]
    return ivs


def _read_processes(ws: Any, name: str) -> list[dict[str, Any]]:
    """The Processes sheet as the scenario's ``processes`` list."""
    procs: list[dict[str, Any]] = []
    for i, rec in _rows(ws)[1]:
        pr: dict[str, Any] = {}
        for k in PROCESS_KEYS:
            if k == "activity unit":
                continue
            v = (
                _join(rec.get(k), rec.get("activity unit"))
                if k == "activity"
                else _mapping(rec[k], f"Processes row {i} {k}", name)
                if k in SPECS and rec.get(k) is not None
                else rec.get(k)
            )
            if v is not None:
                pr[k] = str(v) if k in ("id", "name", "flow", "fuel") else v
        if pr:
            procs.append(pr)
    return procs


def _read_scenarios(ws: Any) -> dict[str, list[str]]:
    """The Scenarios sheet: name and comma-separated intervention ids."""
    scen: dict[str, list[str]] = {}
    for _i, rec in _rows(ws)[1]:
        if rec.get("scenario") is None:
            continue
        ids = str(rec.get("interventions") or "")
        scen[str(rec["scenario"])] = [s.strip() for s in ids.split(",") if s.strip()]
    return scen


def _read_balances(ws: Any) -> dict[str, Any]:
    """The Balances sheet: tolerance and the water and mass items."""
    bal: dict[str, Any] = {}
    for _i, rec in _rows(ws)[1]:
        kind = str(rec.get("kind") or "")
        q = _join(rec.get("amount"), rec.get("unit"))
        if kind == "tolerance":
            bal["tolerance"] = q
        elif kind in ("water", "mass") and rec.get("item") is not None:
            bal.setdefault(kind, {})[str(rec["item"])] = q
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


def _mapping(cell: Any, place: str, file: str) -> Any:
    """Parse a cell holding an inline mapping (safe YAML); a problem names the cell."""
    try:
        value = yaml.safe_load(str(cell))
    except yaml.YAMLError:
        value = None
    if not isinstance(value, dict):
        raise InputError(
            [
                Problem(
                    place,
                    f"{str(cell)[:60]!r} is not a mapping such as '{{category: 2l, class: 1}}'",
                    file,
                )
            ]
        )
    return value
