"""The Excel report: a workbook a consultant can keep working in.

Sheets (names translated): Summary, Flows, Interventions, Scenarios, Flow changes, Cash flows,
Factors, Warnings. Every number is a number cell with a number format, units are in the column
headers (or in a unit column where they differ by row), header rows are frozen and filterable,
and two native charts show GHG by scenario and capex against annual saving per measure.

The workbook recalculates: the cost of each flow, and the flow-cost saving, annual saving,
payback, annuity factor, NPV, IRR and cost per t CO2e of every measure and scenario are live
formulas (:mod:`recp.report.formulas`) over the prices (Flows sheet), the amounts saved per
flow (Flow changes sheet), capex, opex, lifetime and the discount rate (Summary sheet). Every
formula cell also carries recp's own value, so that a viewer that does not calculate shows the
same numbers; Excel and LibreOffice recalculate on opening.

Text from the scenario file is always written as a text cell: a value starting with ``=``,
``+``, ``-`` or ``@`` gets Excel's quote prefix (the apostrophe) so that it is shown, never run,
even when the cell is edited; control characters that the format cannot hold are removed.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from recp.report import formulas as fx
from recp.report.lang import Translator, indicator_label, sector_name
from recp.report.model import ReportData

#: Excel's limit on the characters of one cell.
MAX_CELL = 32767
#: Characters that make a spreadsheet read text as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FMT_NUM = "#,##0.00"
FMT_INT = "#,##0"
FMT_PCT = "0.0%"
FMT_GEN = "General"

HEADER_FILL = "1D3557"
TOTAL_FILL = "EEF2F5"


@dataclass(frozen=True)
class Formula:
    """A formula cell: its text (without ``=``) and recp's value of it (cached in the file)."""

    text: str
    value: float | None


class _Sheet:
    """Writes rows into a worksheet with safe text and per-column number formats."""

    def __init__(self, ws: Worksheet, cache: dict[tuple[str, str], float | None] | None = None):
        self.ws = ws
        self.row = 1
        self.widths: dict[int, float] = {}
        self.cache = cache if cache is not None else {}

    def put(
        self,
        r: int,
        c: int,
        value: Any,
        fmt: str | None = None,
        bold: bool = False,
        text: bool = False,
    ) -> None:
        """Write one cell: text as text (never a formula), a number with its format."""
        cell = self.ws.cell(row=r, column=c)
        if value is None:
            return
        if isinstance(value, bool):
            value = str(value).lower()
        if isinstance(value, float) and not math.isfinite(value):
            return
        if isinstance(value, Formula):
            cell.value = "=" + value.text
            cell.number_format = fmt or FMT_NUM
            self.cache[(self.ws.title, cell.coordinate)] = value.value
            self.widths[c] = max(self.widths.get(c, 0), 12)
            if bold:
                cell.font = Font(bold=True)
            return
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
            cell.value = value
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True
            width = min(max((len(x) for x in value.split("\n")), default=0), 60)
        else:
            cell.value = value
            cell.number_format = fmt or FMT_NUM
            width = 12
        if bold or text:
            cell.font = Font(bold=bold)
        self.widths[c] = max(self.widths.get(c, 0), width)

    def header(self, values: list[str], r: int | None = None) -> int:
        """Write a header row (white on navy, wrapped); return its row number."""
        r = r or self.row
        for c, v in enumerate(values, start=1):
            v = v.replace("\u00a0", " ")  # a cell wraps where it likes; keep plain spaces
            self.put(r, c, v)
            cell = self.ws.cell(row=r, column=c)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
            self.widths[c] = max(min(self.widths.get(c, 0), 40), min(len(v), 28) * 0.9)
        self.row = r + 1
        return r

    def line(
        self,
        values: list[Any],
        fmts: list[str | None] | None = None,
        bold: bool = False,
        fill: str | None = None,
    ) -> int:
        """Write the next row with per-column formats; return its row number."""
        r = self.row
        for c, v in enumerate(values, start=1):
            f = fmts[c - 1] if fmts and c - 1 < len(fmts) else None
            self.put(r, c, v, f, bold=bold)
            if fill:
                self.ws.cell(row=r, column=c).fill = PatternFill("solid", fgColor=fill)
        self.row = r + 1
        return r

    def finish(
        self, freeze: str | None = None, filter_from: int | None = None, ncols: int | None = None
    ) -> None:
        """Set column widths, freeze panes and the auto-filter over the rows written."""
        for c, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(c)].width = max(8.0, w + 2)
        if freeze:
            self.ws.freeze_panes = freeze
        if filter_from and ncols and self.row - 1 > filter_from:
            self.ws.auto_filter.ref = f"A{filter_from}:{get_column_letter(ncols)}{self.row - 1}"


def _per_year(unit: str | None) -> str:
    """Return a yearly amount's unit: ``GJ`` -> ``GJ/year`` (a cost is already per year)."""
    unit = unit or ""
    return unit if unit.endswith("/year") else f"{unit}/year"


def _state_name(t: Translator, s: str) -> str:
    """A state's name: the translated ``Baseline`` or the scenario's own name."""
    return t("states.baseline") if s == "baseline" else s


@dataclass
class _Book:
    """What the sheets share: the data, the language, cached values and cell references."""

    data: ReportData
    t: Translator
    cache: dict[tuple[str, str], float | None] = field(default_factory=dict)
    rate: str = '""'  # the discount-rate cell (absolute, with its sheet)
    carbon_price: str | None = None  # the carbon-price cell, when a carbon price is given
    prices: str = ""  # the price column of the Flows sheet
    changes: str = ""  # the Flow changes sheet (quoted)
    change_col: dict[tuple[str, str, str], int] = field(default_factory=dict)
    interventions: str = ""  # the Interventions sheet (quoted)
    interventions_ws: Worksheet | None = None
    cols: dict[str, int] = field(default_factory=dict)  # Interventions columns by key
    totals: dict[str, int] = field(default_factory=dict)  # scenario -> its total row

    def ref(self, key: str, row: int, sheet: bool = False) -> str:
        """Reference of the Interventions cell of column ``key`` in ``row``."""
        cell = f"{get_column_letter(self.cols[key])}{row}"
        return f"{self.interventions}!{cell}" if sheet else cell

    def span(self, key: str, r0: int, r1: int, absolute: bool = False) -> str:
        """Range of column ``key`` of the Interventions sheet, rows ``r0`` to ``r1``."""
        c = get_column_letter(self.cols[key])
        if absolute:
            return f"{self.interventions}!${c}${r0}:${c}${r1}"
        return f"{c}{r0}:{c}{r1}"


def render(data: ReportData, t: Translator, *, cache_values: bool = True) -> bytes:
    """Render the workbook as ``.xlsx`` bytes.

    ``cache_values=False`` leaves the formula cells without recp's values (a spreadsheet
    engine then has to calculate them: the tests check LibreOffice's results against recp's).
    """
    wb = Workbook()
    wb.properties.creator = f"recp {data.version}"
    wb.properties.title = f"{data.plant['name']} · {t('report.title')}"[:250]
    wb.calculation.fullCalcOnLoad = True
    bk = _Book(data, t)
    ws = wb.active
    assert ws is not None
    ws.title = t("excel.sheets.summary")
    bk.rate, bk.carbon_price = _summary_sheet(ws, data, t)
    names = ("flows", "interventions", "scenarios", "changes", "cashflows")
    sheets = {k: wb.create_sheet(t(f"excel.sheets.{k}")) for k in names}
    bk.changes = quote_sheetname(sheets["changes"].title)
    bk.interventions = quote_sheetname(sheets["interventions"].title)
    bk.interventions_ws = sheets["interventions"]
    _flows_sheet(sheets["flows"], bk)
    _changes_sheet(sheets["changes"], bk)
    inds = data.comparison_rows()
    _interventions_sheet(sheets["interventions"], bk, inds)
    _cashflow_sheet(sheets["cashflows"], bk)
    _scenarios_sheet(sheets["scenarios"], bk, inds)
    _factors_sheet(wb.create_sheet(t("excel.sheets.factors")), data, t)
    _warnings_sheet(wb.create_sheet(t("excel.sheets.warnings")), data, t)
    if data.doc.get("calculations"):
        _calculations_sheet(wb.create_sheet(t("excel.sheets.calculations")), data, t)
    for sheet in wb.worksheets:  # Arabic: columns run from the right, as the reader reads
        sheet.sheet_view.rightToLeft = t.rtl
    buf = io.BytesIO()
    wb.save(buf)
    if not cache_values:
        return buf.getvalue()
    order = {ws.title: k + 1 for k, ws in enumerate(wb.worksheets)}
    return _cache_formula_values(buf.getvalue(), bk.cache, order)


_FORMULA_CELL = re.compile(rb'(<c r="([A-Z]+[0-9]+)"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)')


def _cache_formula_values(
    xlsx: bytes, cache: dict[tuple[str, str], float | None], order: dict[str, int]
) -> bytes:
    """Write recp's value of every formula cell into the file (``<v>``), where it has one."""
    by_file: dict[str, dict[bytes, float]] = {}
    for (title, coord), v in cache.items():
        if v is not None and math.isfinite(v):
            name = f"xl/worksheets/sheet{order[title]}.xml"
            by_file.setdefault(name, {})[coord.encode()] = v

    zin = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            values = by_file.get(info.filename)
            if values:

                def fill(m: re.Match[bytes], values: dict[bytes, float] = values) -> bytes:
                    if m.group(2) not in values:
                        return m.group(0)
                    return (
                        m.group(1)
                        + m.group(3)
                        + b"<v>"
                        + repr(values[m.group(2)]).encode()
                        + b"</v>"
                    )

                body = _FORMULA_CELL.sub(fill, body)
            zout.writestr(info, body)
    return out.getvalue()


def _summary_sheet(ws: Worksheet, data: ReportData, t: Translator) -> tuple[str, str | None]:
    """Title, plant facts and settings, every result row in every state.

    Returns the cells of the discount rate and of the carbon price (None without one).
    """
    states = data.states
    sh = _Sheet(ws)
    sh.put(1, 1, t("report.title"))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    sh.put(2, 1, data.plant["name"])
    ws.cell(row=2, column=1).font = Font(bold=True, size=12)
    sh.put(3, 1, t("report.generated", date=data.date, version=data.version))
    sh.row = 5
    prod = data.plant.get("production") or {}
    kv: list[tuple[str, Any, str | None]] = [
        (t("plant.country"), data.plant.get("country"), None),
        (t("plant.sector"), sector_name(t, data.plant.get("sector")) or None, None),
        (
            t.header("plant.production", f"{prod['unit']}/year") if prod else t("plant.production"),
            prod.get("value"),
            FMT_NUM,
        ),
        (t("plant.currency"), data.currency, None),
        (t("plant.gwp"), data.settings.get("gwp"), None),
        (t("plant.discount_rate"), data.settings.get("discount_rate"), FMT_PCT),
        (t("plant.grid_factor"), data.settings.get("grid_factor_source"), None),
    ]
    price = data.settings.get("carbon_price")
    if isinstance(price, (int, float)):
        kv.append((t.header("ghg.carbon_price", f"{data.currency}/t CO2e"), price, FMT_NUM))
    for f in data.cm_factors():
        label = t.with_unit(t("ghg.cm_factor"), f.get("unit"))
        kv.append((label, f.get("value"), "0.######"))
        kv.append((t("ghg.cm_source"), f"{f['id']}: {f.get('source') or ''}", None))
    rate_row, price_row = 0, 0
    for label, val, nfmt in kv:
        at = sh.line([label, val], [None, nfmt])
        if label.startswith(t("ghg.carbon_price")):
            price_row = at
        if label == t("plant.discount_rate"):
            rate_row = at
    sh.row += 1
    head = [t("indicators.indicator"), t("excel.component"), t("indicators.unit")]
    head += [_state_name(t, s) for s in states] + [t("excel.key"), t("ghg.note")]
    first = sh.header(head)
    for r in data.results:
        if r["scenario"] != "baseline":
            continue
        ind, comp = r["indicator"], r["component"]
        row: list[Any] = [
            t.name("indicator_names", ind),
            t.name("components", comp),
            t.unit(r["unit"]),
        ]
        row += [data.value(s, ind, comp) for s in states]
        row.append(f"{ind}/{comp}")
        row.append(t(f"ghg_notes.{comp}") if ind == "ghg" and t.has(f"ghg_notes.{comp}") else None)
        sh.line(row, [None, None, None] + [FMT_NUM] * len(states))
    sh.finish(freeze=f"D{first + 1}", filter_from=first, ncols=len(head))
    ws.column_dimensions["A"].width = 26
    own = quote_sheetname(ws.title)
    return f"{own}!$B${rate_row}", f"{own}!$B${price_row}" if price_row else None


def _flows_sheet(ws: Worksheet, bk: _Book) -> None:
    """Every flow with its amount (as entered) and cost in every state; cost = price x amount."""
    data, t = bk.data, bk.t
    cur = data.currency
    states = data.states
    sh = _Sheet(ws, bk.cache)
    head = [
        t("flows.id"),
        t("flows.name"),
        t("flows.type"),
        t("flows.detail"),
        t("excel.hazardous"),
        t("flows.unit"),
        t.header("flows.price", f"{cur}/unit"),
    ]
    head += [t("excel.amount_in", state=_state_name(t, s)) for s in states]
    head += [t.header("excel.cost_in", f"{cur}/year", state=_state_name(t, s)) for s in states]
    head += [t("excel.canonical_unit"), t("excel.canonical_amount")]
    sh.header(head)
    n = len(states)
    for fl in data.flows:
        r = sh.row
        row: list[Any] = [
            fl.id,
            fl.name,
            t.name("flow_types", fl.type),
            t.name("components", fl.detail) if fl.detail else None,
            None
            if fl.hazardous is None
            else (t("excel.answer_yes") if fl.hazardous else t("excel.answer_no")),
            t.unit(fl.shown_unit),
            fl.shown_price,
        ]
        row += [fl.shown(s) for s in states]
        for k, s in enumerate(states):
            amount = f"{get_column_letter(8 + k)}{r}"
            cost = None if fl.price is None else fl.price * fl.amounts.get(s, 0.0)
            row.append(Formula(f'IF(ISNUMBER($G{r}),$G{r}*{amount},"")', cost))
        row += [t.unit(fl.unit), fl.amounts.get("baseline", 0.0)]
        sh.line(row, [None] * 6 + [FMT_NUM] + [FMT_NUM] * n + [FMT_INT] * n + [None, FMT_NUM])
    bk.prices = f"{quote_sheetname(ws.title)}!$G$2:$G${max(len(data.flows) + 1, 2)}"
    sh.finish(freeze="B2", filter_from=1, ncols=len(head))


def _changes_sheet(ws: Worksheet, bk: _Book) -> None:
    """The amount of every flow each measure saves (one column per measure and basis)."""
    data, t = bk.data, bk.t
    sh = _Sheet(ws)
    head = [t("flows.id"), t("flows.unit")]
    keys: list[tuple[str, str, str]] = []
    for s, ids in data.scenarios.items():
        for basis in ("in_sequence", "standalone"):
            for iid in ids:
                keys.append((s, iid, basis))
                head.append(f"{s} · {iid} · {t(f'basis.{basis}')}")
    sh.header(head)
    for i, fl in enumerate(data.flows):
        row: list[Any] = [fl.id, t.unit(fl.shown_unit)]
        row += [data.flow_changes[k][i] for k in keys]
        sh.line(row, [None, None] + [FMT_NUM] * len(keys))
    bk.change_col = {k: 3 + j for j, k in enumerate(keys)}
    sh.finish(freeze="C2", filter_from=1, ncols=len(head))
    if data.flows:
        ws.cell(row=len(data.flows) + 3, column=1, value=t("excel.changes_note"))


#: Columns of the Interventions sheet after the savings, in order (keys of :class:`_Book`).
_IV_COLUMNS = (
    "opex",
    "flow_saving",
    "carbon_revenue",
    "capex",
    "annual_saving",
    "payback",
    "lifetime",
    "npv",
    "irr",
    "ghg_avoided",
    "cost_per_t",
    "annuity",
    "annual_capex",
    "source",
    "notes",
)


def _iv_headers(bk: _Book, inds: list[tuple[str, str]]) -> list[str]:
    """Column headers of the Interventions sheet; sets ``bk.cols``."""
    data, t = bk.data, bk.t
    cur = data.currency
    head = [
        t("excel.scenario"),
        t("excel.order"),
        t("excel.intervention"),
        t("flows.name"),
        t("interventions.category"),
        t("excel.basis"),
    ]
    for ind, comp in inds:
        head.append(
            t.with_unit(
                t("excel.saved", what=indicator_label(t, ind, comp)),
                _per_year(data.saving_unit(ind, comp)),
            )
        )
    labels = {
        "opex": t.header("excel.opex", f"{cur}/year"),
        "flow_saving": t.header("excel.flow_saving", f"{cur}/year"),
        "carbon_revenue": t.header("ghg.carbon_revenue", f"{cur}/year"),
        "capex": t.header("interventions.capex", cur),
        "annual_saving": t.header("interventions.saving", f"{cur}/year"),
        "payback": t.header("interventions.payback", "year"),
        "lifetime": t.header("excel.lifetime", "year"),
        "npv": t.header("interventions.npv", cur),
        "irr": t.header("interventions.irr", "percent"),
        "ghg_avoided": t.header("excel.ghg_avoided", "t CO2e/year"),
        "cost_per_t": t.header("interventions.cost_per_t", f"{cur}/t CO2e"),
        "annuity": t("excel.annuity"),
        "annual_capex": t.header("excel.annual_capex", f"{cur}/year"),
        "source": t("details.source"),
        "notes": t("details.notes"),
    }
    for key in _IV_COLUMNS:
        if key == "carbon_revenue" and not data.has_carbon_revenue():
            continue
        bk.cols[key] = len(head) + 1
        head.append(labels[key])
    return head


def _interventions_sheet(ws: Worksheet, bk: _Book, inds: list[tuple[str, str]]) -> None:
    """Every intervention in sequence and standalone, scenario totals, and the saving chart."""
    data, t = bk.data, bk.t
    inds = inds + [("ghg_reduction", c) for c in data.reductions()]
    sh = _Sheet(ws, bk.cache)
    head = _iv_headers(bk, inds)
    if ("ghg_reduction", "total") in inds:  # the reduction the carbon revenue is paid on
        bk.cols["reduction"] = 7 + inds.index(("ghg_reduction", "total"))
    first = sh.header(head)
    chart_rows = _intervention_rows(sh, bk, inds)
    sh.finish(freeze=f"D{first + 1}", filter_from=first, ncols=len(head))
    ws.column_dimensions["D"].width = 40
    if chart_rows:
        _saving_chart(ws, data, t, bk.cols["capex"], first, chart_rows, sh.row + 2)


def _biggest_scenario(data: ReportData) -> str | None:
    """The scenario with the most interventions (the first of those), else None."""
    return max(data.scenarios, key=lambda s: len(data.scenarios[s]), default=None)


def _formats(bk: _Book, n_inds: int) -> list[str | None]:
    """Number formats of an Interventions row."""
    fmts: list[str | None] = [None, FMT_INT, None, None, None, None] + [FMT_NUM] * n_inds
    by_key: dict[str, str | None] = {"payback": FMT_NUM, "lifetime": FMT_NUM, "irr": FMT_PCT}
    by_key["ghg_avoided"] = FMT_NUM
    by_key |= {"cost_per_t": FMT_NUM, "annuity": "0.000000", "source": None, "notes": None}
    for key, col in sorted(bk.cols.items(), key=lambda kv: kv[1]):
        if key == "reduction":  # a savings column, formatted with them
            continue
        fmts += [None] * (col - 1 - len(fmts))
        fmts.append(by_key.get(key, FMT_INT))
    return fmts


def _measure_cells(bk: _Book, s: str, iid: str, basis: str, r: int) -> dict[str, Any]:
    """The economics cells of one measure in row ``r``: inputs and live formulas."""
    data = bk.data
    iv = data.interventions[iid]
    ec = data.econ(s, iid, basis)
    col = get_column_letter(bk.change_col[(s, iid, basis)])
    saved = f"{bk.changes}!${col}$2:${col}${max(len(data.flows) + 1, 2)}"
    c = {k: bk.ref(k, r) for k in bk.cols}
    carbon = ec.get("carbon_revenue")
    saving = ec.get("annual_saving")
    flow = None if saving is None else saving + iv.opex - (carbon or 0.0)
    out: dict[str, Any] = {
        "opex": iv.opex,
        "flow_saving": Formula(fx.flow_saving(bk.prices, saved), flow),
        "carbon_revenue": _carbon_cell(bk, c, carbon),
        "capex": iv.capex,
        "annual_saving": Formula(
            fx.annual_saving(c["flow_saving"], c["opex"], c.get("carbon_revenue")), saving
        ),
        "payback": Formula(
            fx.payback(c["capex"], c["annual_saving"]), ec.get("simple_payback_years")
        ),
        "lifetime": iv.lifetime,
        "annuity": Formula(fx.annuity(bk.rate, c["lifetime"]), None),
        "npv": Formula(fx.npv(c["capex"], c["annual_saving"], c["annuity"]), ec.get("npv")),
        "irr": Formula(fx.irr(c["capex"], c["annual_saving"], c["lifetime"]), ec.get("irr")),
        "ghg_avoided": ec.get("ghg_avoided_t_co2e_per_year"),
        "annual_capex": Formula(fx.annualised_capex(c["capex"], c["annuity"]), None),
        "source": iv.source,
        "notes": iv.notes,
    }
    out["cost_per_t"] = Formula(
        fx.cost_per_t(c["annual_capex"], c["annual_saving"], c["ghg_avoided"]),
        ec.get("cost_per_t_co2e"),
    )
    return out


def _carbon_cell(bk: _Book, c: dict[str, str], carbon: float | None) -> Any:
    """Carbon revenue: carbon price x emission reduction (0 where either is missing).

    As :func:`recp.models.finance.carbon_revenue`; recp's number where the sheet lacks either.
    """
    if bk.carbon_price is None or "reduction" not in c:
        return carbon
    p, red = bk.carbon_price, c["reduction"]
    return Formula(f"IF(AND(ISNUMBER({p}),ISNUMBER({red})),{p}*{red},0)", carbon)


def _total_cells(bk: _Book, s: str, r0: int, r1: int, r: int) -> dict[str, Any]:
    """The economics cells of a scenario's total row ``r`` over its measures' rows."""
    ec = bk.data.econ(s, None)
    k = r1 - r0 + 1
    c = {key: bk.ref(key, r) for key in bk.cols}

    def span(key: str) -> str:
        return bk.span(key, r0, r1)

    def whole(key: str, then: str) -> str:  # only when every measure has a value
        return f'IF(COUNT({span(key)})={k},{then},"")'

    opex = sum(bk.data.interventions[i].opex for i in bk.data.scenarios[s])
    saving, carbon = ec.get("annual_saving"), ec.get("carbon_revenue")
    sums = {
        "opex": opex,
        "flow_saving": None if saving is None else saving + opex - (carbon or 0.0),
        "carbon_revenue": carbon,
        "capex": ec.get("capex"),
        "annual_saving": saving,
    }
    out: dict[str, Any] = {
        key: Formula(f"SUM({span(key)})", v) for key, v in sums.items() if key in bk.cols
    }
    out["payback"] = Formula(
        fx.payback(c["capex"], c["annual_saving"]), ec.get("simple_payback_years")
    )
    out["lifetime"] = Formula(
        whole("lifetime", f"MAX({span('lifetime')})"), ec.get("lifetime_years")
    )
    out["npv"] = Formula(whole("npv", f"SUM({span('npv')})"), ec.get("npv"))
    out["annual_capex"] = Formula(whole("annual_capex", f"SUM({span('annual_capex')})"), None)
    out["ghg_avoided"] = ec.get("ghg_avoided_t_co2e_per_year")
    out["cost_per_t"] = Formula(
        fx.cost_per_t(c["annual_capex"], c["annual_saving"], c["ghg_avoided"]),
        ec.get("cost_per_t_co2e"),
    )
    # a formula over the Cash flows sheet where the lifetimes are whole years (set there)
    out["irr"] = None if _total_cells_irr_is_live(bk, s) else ec.get("irr")
    return out


def _intervention_rows(
    sh: _Sheet, bk: _Book, inds: list[tuple[str, str]]
) -> tuple[int, int] | None:
    """Write the intervention rows; return the in-sequence rows of the biggest scenario."""
    data, t = bk.data, bk.t
    fmts = _formats(bk, len(inds))
    chart_rows: tuple[int, int] | None = None
    biggest = _biggest_scenario(data)
    width = max(bk.cols.values())
    for s, ids in data.scenarios.items():
        for basis in ("in_sequence", "standalone"):
            r0 = sh.row
            for k, iid in enumerate(ids, start=1):
                iv = data.interventions.get(iid)
                row: list[Any] = [
                    s,
                    k,
                    iid,
                    iv.name if iv else None,
                    t.name("categories", iv.category) if iv else None,
                    t(f"basis.{basis}"),
                ]
                row += [data.saving(s, iid, ind, comp, basis) for ind, comp in inds]
                row += [None] * (width - len(row))
                for key, v in _measure_cells(bk, s, iid, basis, sh.row).items():
                    if key in bk.cols:
                        row[bk.cols[key] - 1] = v
                sh.line(row, fmts)
            if basis == "in_sequence" and s == biggest and ids:
                chart_rows = (r0, sh.row - 1)
            if basis == "in_sequence" and ids:
                row = [s, None, t("interventions.total"), None, None, t("basis.in_sequence")]
                row += [data.saving(s, None, ind, comp) for ind, comp in inds]
                row += [None] * (width - len(row))
                for key, v in _total_cells(bk, s, r0, sh.row - 1, sh.row).items():
                    row[bk.cols[key] - 1] = v
                bk.totals[s] = sh.row
                sh.line(row, fmts, bold=True, fill=TOTAL_FILL)
    return chart_rows


def _cashflow_sheet(ws: Worksheet, bk: _Book) -> None:
    """Yearly cash flows of each scenario (its measures' in-sequence savings), and its IRR."""
    data, t = bk.data, bk.t
    sh = _Sheet(ws, bk.cache)
    scen = [s for s in bk.totals]
    sh.header([t("excel.year")] + [t.with_unit(s, data.currency) for s in scen])
    lives = [iv.lifetime for iv in data.interventions.values() if iv.lifetime is not None]
    n = max(50, math.ceil(max(lives, default=0.0)))
    for y in range(n + 1):
        row: list[Any] = [y]
        for s in scen:
            r1 = bk.totals[s] - 1
            r0 = r1 - len(data.scenarios[s]) + 1
            row.append(
                Formula(
                    fx.cash_flow(
                        y,
                        bk.span("capex", r0, r1, absolute=True),
                        bk.span("annual_saving", r0, r1, absolute=True),
                        bk.span("lifetime", r0, r1, absolute=True),
                    ),
                    None,
                )
            )
        sh.line(row, [FMT_INT] * (len(scen) + 1))
    sh.finish(freeze="B2", filter_from=None, ncols=len(scen) + 1)
    irr_col = bk.cols["irr"]
    for j, s in enumerate(scen):
        if bk.data.econ(s, None) and _total_cells_irr_is_live(bk, s):
            c = get_column_letter(2 + j)
            own = quote_sheetname(ws.title)
            flows = f"{own}!${c}$2:${c}${n + 2}"
            first, second = f"{own}!${c}$2", f"{own}!${c}$3"
            rest = f"{own}!${c}$3:${c}${n + 2}"
            k = len(data.scenarios[s])
            r1 = bk.totals[s] - 1
            lifespan = bk.span("lifetime", r1 - k + 1, r1)
            value = data.econ(s, None).get("irr")
            text = f'IF(COUNT({lifespan})={k},{fx.irr_flows(flows, first, second, rest)},"")'
            assert bk.interventions_ws is not None
            cell = bk.interventions_ws.cell(row=bk.totals[s], column=irr_col)
            cell.value = "=" + text
            cell.number_format = FMT_PCT
            cell.font = Font(bold=True)
            bk.cache[(bk.interventions_ws.title, cell.coordinate)] = value


def _total_cells_irr_is_live(bk: _Book, s: str) -> bool:
    """A scenario's IRR is a formula when every measure's lifetime is a whole number of years."""
    lives = [bk.data.interventions[i].lifetime for i in bk.data.scenarios[s]]
    return all(x is not None and float(x).is_integer() for x in lives)


def _scenarios_sheet(ws: Worksheet, bk: _Book, cols: list[tuple[str, str]]) -> None:
    """Every state's indicators and each scenario's economics (from the Interventions sheet)."""
    data, t = bk.data, bk.t
    cur = data.currency
    sh = _Sheet(ws, bk.cache)
    head = [t("excel.scenario"), t("scenarios.measures")]
    for ind, comp in cols:
        head.append(t.with_unit(indicator_label(t, ind, comp), _per_year(data.unit(ind, comp))))
    econ = [
        ("capex", "capex", t.header("interventions.capex", cur), FMT_INT),
        (
            "annual_saving",
            "annual_saving",
            t.header("interventions.saving", f"{cur}/year"),
            FMT_INT,
        ),
        ("payback", "simple_payback_years", t.header("interventions.payback", "year"), FMT_NUM),
        ("npv", "npv", t.header("interventions.npv", cur), FMT_INT),
        ("irr", "irr", t.header("interventions.irr", "percent"), FMT_PCT),
        (
            "ghg_avoided",
            "ghg_avoided_t_co2e_per_year",
            t.header("excel.ghg_avoided", "t CO2e/year"),
            FMT_NUM,
        ),
        (
            "cost_per_t",
            "cost_per_t_co2e",
            t.header("interventions.cost_per_t", f"{cur}/t CO2e"),
            FMT_NUM,
        ),
    ]
    if "carbon_revenue" in bk.cols:
        label = t.header("ghg.carbon_revenue", f"{cur}/year")
        econ.insert(2, ("carbon_revenue", "carbon_revenue", label, FMT_INT))
    head += [label for _, _, label, _ in econ]
    first = sh.header(head)
    for s in data.states:
        ec = data.econ(s, None) if s != "baseline" else {}
        row: list[Any] = [_state_name(t, s), len(data.scenarios.get(s, []))]
        row += [data.value(s, ind, comp) for ind, comp in cols]
        for key, field_, _, _ in econ:
            if s not in bk.totals:
                row.append(ec.get(field_))
                continue
            ref = bk.ref(key, bk.totals[s], sheet=True)
            row.append(Formula(f'IF(ISNUMBER({ref}),{ref},"")', ec.get(field_)))
        sh.line(row, [None, FMT_INT] + [FMT_NUM] * len(cols) + [f for *_, f in econ])
    sh.finish(freeze=f"B{first + 1}", filter_from=first, ncols=len(head))
    if ("ghg", "scope1") in cols and ("ghg", "scope2") in cols:
        _ghg_chart(ws, t, 3 + cols.index(("ghg", "scope1")), first, sh.row)


def _saving_chart(
    ws: Worksheet,
    data: ReportData,
    t: Translator,
    capex_col: int,
    first: int,
    rows: tuple[int, int],
    anchor_row: int,
) -> None:
    """Bar chart of capex and annual saving per measure of the biggest scenario."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = t("excel.saving_chart", scenario=_biggest_scenario(data))
    chart.y_axis.title = data.currency
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    r0, r1 = rows
    for col in (capex_col, capex_col + 1):  # values and labels of the same rows: that scenario's
        values = Reference(ws, min_col=col, min_row=r0, max_row=r1)
        chart.series.append(Series(values, title=str(ws.cell(row=first, column=col).value)))
    chart.set_categories(Reference(ws, min_col=3, min_row=r0, max_row=r1))
    chart.height = 9
    chart.width = 18
    ws.add_chart(chart, f"A{anchor_row}")


def _ghg_chart(ws: Worksheet, t: Translator, c1: int, first: int, end: int) -> None:
    """Stacked columns of scope 1 and scope 2 emissions per state (rows ``first`` to ``end``)."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.style = 10
    chart.title = t("excel.ghg_chart", unit=t.unit("t CO2e/year"))
    chart.y_axis.title = t.unit("t CO2e/year")
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    vals = Reference(ws, min_col=c1, max_col=c1 + 1, min_row=first, max_row=end - 1)
    cats = Reference(ws, min_col=1, min_row=first + 1, max_row=end - 1)
    chart.add_data(vals, titles_from_data=True)
    chart.set_categories(cats)
    chart.height = 8
    chart.width = 16
    ws.add_chart(chart, f"A{end + 2}")


def _factors_sheet(ws: Worksheet, data: ReportData, t: Translator) -> None:
    """Every factor used, with its value, unit, source and flows."""
    sh = _Sheet(ws)
    head = [
        t("factors.id"),
        t("factors.value"),
        t("factors.unit"),
        t("factors.source"),
        t("factors.flows"),
    ]
    sh.header(head)
    for fac in data.factors:
        unit = fac.get("unit")
        sh.line(
            [
                fac["id"],
                fac.get("value"),
                None if unit == "1" else unit,
                fac.get("source"),
                ", ".join(fac.get("flows", [])),
            ],
            [None, "0.######"],
        )
    sh.finish(freeze="B2", filter_from=1, ncols=len(head))
    ws.column_dimensions["D"].width = 90


def _warnings_sheet(ws: Worksheet, data: ReportData, t: Translator) -> None:
    """Every warning: code, title and message (a line saying there are none)."""
    sh = _Sheet(ws)
    head = [t("excel.code"), t("excel.warning"), t("excel.details")]
    sh.header(head)
    for w in data.warnings:
        code = str(w.get("code") or "")
        sh.line([code, t.warning(code), t.warning_message(w)])
    if not data.warnings:
        sh.line([None, t("warnings.none")])
    sh.finish(freeze="A2", filter_from=1, ncols=len(head))
    ws.column_dimensions["C"].width = 110


def _calculations_sheet(ws: Worksheet, data: ReportData, t: Translator) -> None:
    """How each computed change was computed: one row per input, value, change and source."""
    sh = _Sheet(ws)
    head = [
        t("excel.sheets.interventions"), t("details.calc_method"), "", t("factors.id"),
        t("factors.value"), t("factors.unit"),
    ]  # fmt: skip
    sh.header(head)
    for rec in data.doc.get("calculations", []):
        key = [rec["intervention"], rec["method"]]
        for i in rec["inputs"]:
            value, unit = _number_and_unit(str(i["value"]))
            if i.get("default"):
                unit = f"{unit} ({t('details.calc_default')})".strip()
            sh.line([*key, t("details.calc_inputs"), i["name"], value, unit])
        for v in rec["values"]:
            sh.line([*key, t("details.calc_values"), v["name"], v["value"], v["unit"]])
        for c in rec["changes"]:
            rel = c["kind"] == "relative"
            value, unit = (100 * c["value"], "%") if rel else (c["value"], c["unit"])
            sh.line([*key, t("details.calc_changes"), c["flow"], value, unit])
        sh.line([*key, t("details.calc_equation"), None, rec["equation"]])
        sh.line([*key, t("details.source"), None, rec["source"]])
    sh.finish(freeze="A2", filter_from=1, ncols=len(head))


def _number_and_unit(text: str) -> tuple[Any, str]:
    """``"3 mm"`` as (3.0, "mm"); text that is not one number and a unit stays text."""
    head, _, rest = text.strip().partition(" ")
    try:
        value = float(head)
    except ValueError:
        return text, ""
    if "," in rest or not math.isfinite(value):
        return text, ""
    return value, rest.strip()
