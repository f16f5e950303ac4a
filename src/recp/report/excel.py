"""The Excel report: a workbook a consultant can keep working in.

Sheets (names translated): Summary, Flows, Interventions, Scenarios, Factors, Warnings. Every
number is a number cell with a number format, units are in the column headers (or in a unit
column where they differ by row), header rows are frozen and filterable, and two native charts
show GHG by scenario and capex against annual saving per measure.

Text from the scenario file is always written as a text cell: a value starting with ``=``,
``+``, ``-`` or ``@`` gets Excel's quote prefix (the apostrophe) so that it is shown, never run,
even when the cell is edited; control characters that the format cannot hold are removed.
"""

from __future__ import annotations

import io
import math
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from recp.assessment import ECONOMICS_FIELDS
from recp.report.lang import Translator, indicator_label
from recp.report.model import SCENARIO_ECONOMICS, ReportData, round12

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

#: Economics columns of the Interventions sheet (keys of an economics row) and their formats.
ECONOMICS_KEYS = tuple(k for k in ECONOMICS_FIELDS if k != "carbon_revenue")
ECONOMICS_FORMATS: list[str | None] = [
    FMT_INT,
    FMT_INT,
    FMT_NUM,
    FMT_NUM,
    FMT_INT,
    FMT_PCT,
    FMT_NUM,
    FMT_NUM,
]


class _Sheet:
    """Writes rows into a worksheet with safe text and per-column number formats."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1
        self.widths: dict[int, float] = {}

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


def render(data: ReportData, t: Translator) -> bytes:
    """Render the workbook as ``.xlsx`` bytes."""
    wb = Workbook()
    wb.properties.creator = f"recp {data.version}"
    wb.properties.title = f"{data.plant['name']} · {t('report.title')}"[:250]
    ws = wb.active
    assert ws is not None
    ws.title = t("excel.sheets.summary")
    _summary_sheet(ws, data, t)
    _flows_sheet(wb.create_sheet(t("excel.sheets.flows")), data, t)
    inds = data.comparison_rows()
    _interventions_sheet(wb.create_sheet(t("excel.sheets.interventions")), data, t, inds)
    _scenarios_sheet(wb.create_sheet(t("excel.sheets.scenarios")), data, t, inds)
    _factors_sheet(wb.create_sheet(t("excel.sheets.factors")), data, t)
    _warnings_sheet(wb.create_sheet(t("excel.sheets.warnings")), data, t)
    if data.doc.get("calculations"):
        _calculations_sheet(wb.create_sheet(t("excel.sheets.calculations")), data, t)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _summary_sheet(ws: Worksheet, data: ReportData, t: Translator) -> None:
    """Title, plant facts and settings, then every baseline result row in every state."""
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
        (t("plant.sector"), data.plant.get("sector"), None),
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
    for label, val, nfmt in kv:
        sh.line([label, val], [None, nfmt])
    sh.row += 1
    head = [t("indicators.indicator"), t("excel.component"), t("indicators.unit")]
    head += [_state_name(t, s) for s in states] + [t("excel.key")]
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
        sh.line(row, [None, None, None] + [FMT_NUM] * len(states))
    sh.finish(freeze=f"D{first + 1}", filter_from=first, ncols=len(head))
    ws.column_dimensions["A"].width = 26


def _flows_sheet(ws: Worksheet, data: ReportData, t: Translator) -> None:
    """Every flow with its amount and cost in every state."""
    cur = data.currency
    states = data.states
    sh = _Sheet(ws)
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
    sh.header(head)
    for fl in data.flows:
        row = [
            fl.id,
            fl.name,
            t.name("flow_types", fl.type),
            t.name("components", fl.detail) if fl.detail else None,
            None
            if fl.hazardous is None
            else (t("excel.answer_yes") if fl.hazardous else t("excel.answer_no")),
            t.unit(fl.unit),
            fl.price,
        ]
        row += [fl.amounts.get(s) for s in states]
        row += [
            round12(fl.price * fl.amounts.get(s, 0.0)) if fl.price is not None else None
            for s in states
        ]
        sh.line(row, [None] * 6 + [FMT_NUM] + [FMT_NUM] * len(states) + [FMT_INT] * len(states))
    sh.finish(freeze="B2", filter_from=1, ncols=len(head))


def _interventions_sheet(
    ws: Worksheet, data: ReportData, t: Translator, inds: list[tuple[str, str]]
) -> None:
    """Every intervention in sequence and standalone, scenario totals, and the saving chart."""
    cur = data.currency
    sh = _Sheet(ws)
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
                _per_year(data.unit(ind, comp)),
            )
        )
    head += [
        t.header("interventions.capex", cur),
        t.header("interventions.saving", f"{cur}/year"),
        t.header("interventions.payback", "year"),
        t.header("excel.lifetime", "year"),
        t.header("interventions.npv", cur),
        t.header("interventions.irr", "percent"),
        t.header("excel.ghg_avoided", "t CO2e/year"),
        t.header("interventions.cost_per_t", f"{cur}/t CO2e"),
        t("details.source"),
        t("details.notes"),
    ]
    first = sh.header(head)
    chart_rows = _intervention_rows(sh, data, t, inds)
    sh.finish(freeze=f"D{first + 1}", filter_from=first, ncols=len(head))
    ws.column_dimensions["D"].width = 40
    if chart_rows:
        _saving_chart(ws, data, t, 7 + len(inds), first, chart_rows, sh.row + 2)


def _biggest_scenario(data: ReportData) -> str | None:
    """The scenario with the most interventions (the first of those), else None."""
    return max(data.scenarios, key=lambda s: len(data.scenarios[s]), default=None)


def _intervention_rows(
    sh: _Sheet, data: ReportData, t: Translator, inds: list[tuple[str, str]]
) -> tuple[int, int] | None:
    """Write the intervention rows; return the in-sequence rows of the biggest scenario."""
    fmts: list[str | None] = [None, FMT_INT, None, None, None, None]
    fmts += [FMT_NUM] * len(inds) + ECONOMICS_FORMATS
    chart_rows: tuple[int, int] | None = None
    biggest = _biggest_scenario(data)
    for s, ids in data.scenarios.items():
        for basis in ("in_sequence", "standalone"):
            r0 = sh.row
            for k, iid in enumerate(ids, start=1):
                iv = data.interventions.get(iid)
                ec = data.econ(s, iid, basis)
                row = [
                    s,
                    k,
                    iid,
                    iv.name if iv else None,
                    t.name("categories", iv.category) if iv else None,
                    t(f"basis.{basis}"),
                ]
                row += [data.saving(s, iid, ind, comp, basis) for ind, comp in inds]
                row += [ec.get(key) for key in ECONOMICS_KEYS]
                row += [iv.source if iv else None, iv.notes if iv else None]
                sh.line(row, fmts)
            if basis == "in_sequence" and s == biggest and ids:
                chart_rows = (r0, sh.row - 1)
            if basis == "in_sequence":
                ec = data.econ(s, None)
                row = [s, None, t("interventions.total"), None, None, t("basis.in_sequence")]
                row += [data.saving(s, None, ind, comp) for ind, comp in inds]
                row += [ec.get(key) for key in ECONOMICS_KEYS]
                sh.line(row, fmts, bold=True, fill=TOTAL_FILL)
    return chart_rows


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


def _scenarios_sheet(
    ws: Worksheet, data: ReportData, t: Translator, cols: list[tuple[str, str]]
) -> None:
    """Every state's indicators and each scenario's economics, and the GHG chart."""
    cur = data.currency
    sh = _Sheet(ws)
    head = [t("excel.scenario"), t("scenarios.measures")]
    for ind, comp in cols:
        head.append(t.with_unit(indicator_label(t, ind, comp), _per_year(data.unit(ind, comp))))
    head += [
        t.header("interventions.capex", cur),
        t.header("interventions.saving", f"{cur}/year"),
        t.header("interventions.payback", "year"),
        t.header("interventions.npv", cur),
        t.header("interventions.irr", "percent"),
        t.header("excel.ghg_avoided", "t CO2e/year"),
        t.header("interventions.cost_per_t", f"{cur}/t CO2e"),
    ]
    first = sh.header(head)
    for s in data.states:
        ec = data.econ(s, None) if s != "baseline" else {}
        row = [_state_name(t, s), len(data.scenarios.get(s, []))]
        row += [data.value(s, ind, comp) for ind, comp in cols]
        row += [ec.get(key) for key, _ in SCENARIO_ECONOMICS]
        sh.line(
            row,
            [None, FMT_INT]
            + [FMT_NUM] * len(cols)
            + [FMT_INT, FMT_INT, FMT_NUM, FMT_INT, FMT_PCT, FMT_NUM, FMT_NUM],
        )
    sh.finish(freeze=f"B{first + 1}", filter_from=first, ncols=len(head))
    if ("ghg", "scope1") in cols and ("ghg", "scope2") in cols:
        _ghg_chart(ws, t, 3 + cols.index(("ghg", "scope1")), first, sh.row)


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
        sh.line([code, t.warning(code), w.get("message")])
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
