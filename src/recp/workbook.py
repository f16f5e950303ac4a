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

import math
import re
from pathlib import Path
from typing import Any

from recp.errors import InputError, Problem

#: Flow keys that are quantities: written as a number column plus a unit column.
FLOW_QTY = (
    "amount",
    "price",
    "ncv",
    "density",
    "emission_factor",
    "cod",
    "nitrogen",
    "ch4_recovery",
)
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
    "emission_factor",
    "cod",
    "nitrogen",
    "treatment",
    "ch4_recovery",
    "doc_type",
    "landfill",
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
PROCESS_CHANGE_KEYS = ("process", "mercury", "pcdd_f")
#: Process columns; ``mercury`` and ``pcdd_f`` hold an inline mapping such as
#: ``{category: 2l, class: 1}``.
PROCESS_KEYS = (
    "id",
    "name",
    "activity",
    "activity unit",
    "flow",
    "fuel",
    "mercury",
    "pcdd_f",
    "source",
    "notes",
)
PLANT_KEYS = ("name", "country", "sector", "production", "notes", "source")
TOP_KEYS = ("currency", "gwp", "grid_factor", "discount_rate", "notes")
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
    from recp.factors import library
    from recp.scenario import CATEGORIES, FLOW_TYPES, WASTE_ROUTES, WATER_SOURCES

    lib = library()
    out = {
        "type": list(FLOW_TYPES),
        "carrier": list(lib.carriers),
        "source": list(WATER_SOURCES),
        "route": list(WASTE_ROUTES),
        "hazardous": ["TRUE", "FALSE"],
        "category": list(CATEGORIES),
    }
    for key, table in (
        ("treatment", "ipcc2006-wastewater"),
        ("doc_type", "ipcc2006-landfill-doc"),
        ("landfill", "ipcc2006-landfill-mcf"),
    ):
        if table in lib.tables:
            out[key] = list(lib.table(table).rows)
    return out


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
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from recp.io import write_atomic

    wb = Workbook()
    bold = Font(bold=True)
    lists = _lists()

    ws = wb.active
    ws.title = "Plant"
    ws.append(["key", "value", "unit", "help"])
    plant = dict(data.get("plant") or {})
    for k in PLANT_KEYS:
        v, u = _split(plant.get(k)) if k == "production" else (plant.get(k), "")
        ws.append([f"plant.{k}", v, u, _HELP[f"plant.{k}"]])
    for k in TOP_KEYS:
        v, u = _split(data.get(k)) if k in QTY_TOP else (data.get(k), "")
        ws.append([k, v, u, _HELP[k]])

    lst = wb.create_sheet("Lists")
    for j, (name, values) in enumerate(lists.items(), start=1):
        lst.cell(row=1, column=j, value=name).font = bold
        for i, v in enumerate(values, start=2):
            lst.cell(row=i, column=j, value=v)

    fs = wb.create_sheet("Flows", 1)
    header = _flow_header()
    fs.append(header)
    for fl in data.get("flows") or []:
        row: list[Any] = []
        for k in FLOW_KEYS:
            if k in FLOW_QTY:
                v, u = _split(fl.get(k))
                row += [v, u]
            else:
                v = fl.get(k)
                row.append(v)
        fs.append(row)
    from openpyxl.utils import get_column_letter

    last = max(fs.max_row, 2) + 200
    list_cols = list(lists)
    for key in (
        "type",
        "carrier",
        "source",
        "route",
        "hazardous",
        "treatment",
        "doc_type",
        "landfill",
    ):
        if key not in lists:
            continue
        col = get_column_letter(header.index(key) + 1)
        lcol = get_column_letter(list_cols.index(key) + 1)
        dv = DataValidation(
            type="list", allow_blank=True, formula1=f"Lists!${lcol}$2:${lcol}${len(lists[key]) + 1}"
        )
        dv.add(f"{col}2:{col}{last}")
        fs.add_data_validation(dv)

    procs = data.get("processes") or []
    iv = wb.create_sheet("Interventions", 2)
    iheader = (
        list(INTERVENTION_KEYS) + list(CHANGE_KEYS) + (list(PROCESS_CHANGE_KEYS) if procs else [])
    )
    iv.append(iheader)
    for it in data.get("interventions") or []:
        changes = list(it.get("changes") or []) or [{}]
        for j, ch in enumerate(changes):
            head = [it.get(k) if j == 0 or k == "id" else None for k in INTERVENTION_KEYS]
            head = [
                _join(*_split(v)) if k in ("capex", "opex", "lifetime") and v is not None else v
                for k, v in zip(INTERVENTION_KEYS, head, strict=True)
            ]
            tail = (
                [ch.get("process"), _inline(ch.get("mercury")), _inline(ch.get("pcdd_f"))]
                if procs
                else []
            )
            iv.append(
                head
                + [ch.get("flow"), _join(*_split(ch.get("by"))), _join(*_split(ch.get("to")))]
                + tail
            )
    col = get_column_letter(iheader.index("category") + 1)
    lcol = get_column_letter(list_cols.index("category") + 1)
    dv = DataValidation(
        type="list",
        allow_blank=True,
        formula1=f"Lists!${lcol}$2:${lcol}${len(lists['category']) + 1}",
    )
    dv.add(f"{col}2:{col}{max(iv.max_row, 2) + 200}")
    iv.add_data_validation(dv)

    if procs:
        ps = wb.create_sheet("Processes", 3)
        ps.append(list(PROCESS_KEYS))
        for pr in procs:
            v, unit = _split(pr.get("activity"))
            ps.append(
                [
                    pr.get("id"),
                    pr.get("name"),
                    v,
                    unit or None,
                    pr.get("flow"),
                    pr.get("fuel"),
                    _inline(pr.get("mercury")),
                    _inline(pr.get("pcdd_f")),
                    pr.get("source"),
                    pr.get("notes"),
                ]
            )
    if data.get("scenarios"):
        sc = wb.create_sheet("Scenarios")
        sc.append(["scenario", "interventions"])
        for name, ids in data["scenarios"].items():
            sc.append([name, ", ".join(ids)])
    if data.get("balances"):
        bal = data["balances"]
        bs = wb.create_sheet("Balances")
        bs.append(["kind", "item", "amount", "unit"])
        if bal.get("tolerance") is not None:
            bs.append(["tolerance", None, *_split(bal["tolerance"])])
        for kind in ("water", "mass"):
            for item, q in (bal.get(kind) or {}).items():
                bs.append([kind, item, *_split(q)])

    for sheet in wb.worksheets:
        for c in sheet[1]:
            c.font = bold
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    wb["Lists"].sheet_state = "hidden"

    buf = io.BytesIO()
    wb.save(buf)
    return write_atomic(path, buf.getvalue(), force=force)


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
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    name = str(path)
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except (BadZipFile, OSError, KeyError, ValueError) as e:
        raise InputError(
            [Problem("", f"not a readable .xlsx workbook ({type(e).__name__})", name)]
        ) from None
    problems: list[Problem] = []
    for sheet in ("Plant", "Flows"):
        if sheet not in wb.sheetnames:
            problems.append(
                Problem("", f"no sheet '{sheet}' (sheets: {', '.join(wb.sheetnames)})", name)
            )
    if problems:
        raise InputError(problems)

    data: dict[str, Any] = {"plant": {}}
    _, prow = _rows(wb["Plant"])
    for _i, rec in prow:
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
        else:
            data[key] = value
    # Text fields typed as numbers (e.g. a plant called 2020) stay text.
    for k in ("name", "country", "sector", "notes", "source"):
        if k in data["plant"] and not isinstance(data["plant"][k], str):
            data["plant"][k] = str(data["plant"][k])

    flows: list[dict[str, Any]] = []
    _, frows = _rows(wb["Flows"])
    for _i, rec in frows:
        fl: dict[str, Any] = {}
        for k in FLOW_KEYS:
            if k in FLOW_QTY:
                v = _join(rec.get(k), rec.get(f"{k} unit"))
            else:
                v = rec.get(k)
                if k == "hazardous" and isinstance(v, str):
                    v = {"true": True, "false": False}.get(v.lower(), v)
                elif k == "id" and isinstance(v, int | float) and not isinstance(v, bool):
                    v = _join(v, "")
            if v is not None:
                fl[k] = v
        if fl:
            flows.append(fl)
    data["flows"] = flows

    if "Interventions" in wb.sheetnames:
        ivs: list[dict[str, Any]] = []
        by_id: dict[str, dict[str, Any]] = {}
        _, irows = _rows(wb["Interventions"])
        for _i, rec in irows:
            iid = rec.get("id")
            if iid is None:
                continue
            iid = str(iid)
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
                for k in ("mercury", "pcdd_f"):
                    if rec.get(k) is not None:
                        ch[k] = _mapping(rec[k], f"Interventions row {_i} {k}", name)
                it["changes"].append(ch)
        for it in ivs:
            if not it["changes"]:
                del it["changes"]
        if ivs:
            data["interventions"] = ivs

    if "Processes" in wb.sheetnames:
        procs: list[dict[str, Any]] = []
        _, prows = _rows(wb["Processes"])
        for i, rec in prows:
            pr: dict[str, Any] = {}
            for k in PROCESS_KEYS:
                if k == "activity unit":
                    continue
                v = (
                    _join(rec.get(k), rec.get("activity unit"))
                    if k == "activity"
                    else _mapping(rec[k], f"Processes row {i} {k}", name)
                    if k in ("mercury", "pcdd_f") and rec.get(k) is not None
                    else rec.get(k)
                )
                if v is not None:
                    pr[k] = str(v) if k in ("id", "name", "flow", "fuel") else v
            if pr:
                procs.append(pr)
        if procs:
            data["processes"] = procs

    if "Scenarios" in wb.sheetnames:
        scen: dict[str, list[str]] = {}
        _, srows = _rows(wb["Scenarios"])
        for _i, rec in srows:
            if rec.get("scenario") is None:
                continue
            ids = str(rec.get("interventions") or "")
            scen[str(rec["scenario"])] = [s.strip() for s in ids.split(",") if s.strip()]
        if scen:
            data["scenarios"] = scen

    if "Balances" in wb.sheetnames:
        bal: dict[str, Any] = {}
        _, brows = _rows(wb["Balances"])
        for _i, rec in brows:
            kind = str(rec.get("kind") or "")
            q = _join(rec.get("amount"), rec.get("unit"))
            if kind == "tolerance":
                bal["tolerance"] = q
            elif kind in ("water", "mass") and rec.get("item") is not None:
                bal.setdefault(kind, {})[str(rec["item"])] = q
        if bal:
            data["balances"] = bal
    return data


def _inline(spec: Any) -> str | None:
    """A Toolkit spec mapping as one line of YAML, for a cell (``{category: 2l, class: 1}``)."""
    if spec is None:
        return None
    import yaml

    return str(
        yaml.safe_dump(
            spec, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000
        )
    ).strip()


def _mapping(cell: Any, place: str, file: str) -> Any:
    """Parse a cell holding an inline mapping (safe YAML); a problem names the cell."""
    import yaml

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
