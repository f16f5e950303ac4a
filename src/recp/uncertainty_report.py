"""The uncertainty section of reports: ranges, P(NPV > 0) and the tornado chart.

Written after the report itself (``recp assess --uncertainty N --report FILE``): an HTML
report gains a section before ``</main>`` with an inline SVG tornado chart, an Excel report
two sheets (``Uncertainty``, ``Sensitivity``), a Markdown report a section at its end, and the
text table a block at its end. The section is in English in every report language.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recp.io import write_atomic

if TYPE_CHECKING:
    from recp.assessment import Assessment
    from recp.uncertainty import MonteCarlo

#: Inputs shown in a tornado chart, largest swing first.
TORNADO_BARS = 8


def scenario_rows(a: Assessment, mc: MonteCarlo) -> list[dict[str, Any]]:
    """One row per scenario: NPV and GHG reduction as mean, p5, p50, p95; P(NPV > 0)."""
    doc = mc.annotate(a.to_dict())
    ghg = {
        r["scenario"]: r
        for r in doc["savings"]
        if r["intervention"] is None and r["indicator"] == "ghg" and r["component"] == "total"
    }
    out = []
    for r in doc["economics"]:
        if r["intervention"] is not None:
            continue
        g = ghg.get(r["scenario"], {})
        out.append(
            {
                "scenario": r["scenario"],
                "currency": r["currency"],
                "npv": {k: r[k]["npv"] for k in ("mean", "p5", "p50", "p95")},
                "p_npv_positive": r["p_npv_positive"],
                "p_payback_within_lifetime": r["p_payback_within_lifetime"],
                "ghg": {k: g.get(k) for k in ("mean", "p5", "p50", "p95")},
                "ghg_unit": g.get("unit", "t CO2e"),
            }
        )
    return out


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and abs(x) < 1 and x != 0:
        return f"{x:.2f}"
    return f"{x:,.0f}"


def _pct(x: Any) -> str:
    return "-" if x is None else f"{x:.0%}"


def render_text(a: Assessment, mc: MonteCarlo) -> str:
    """The uncertainty block of the text table."""
    lines = [
        "",
        f"Uncertainty: {mc.n} samples, seed {mc.seed}, {len(mc.inputs)} uncertain inputs",
    ]
    for r in scenario_rows(a, mc):
        n, g = r["npv"], r["ghg"]
        lines.append(
            f"  {r['scenario']}: NPV {_fmt(n['p50'])} {r['currency']} "
            f"(p5 {_fmt(n['p5'])}, p95 {_fmt(n['p95'])}), "
            f"P(NPV > 0) {_pct(r['p_npv_positive'])}; "
            f"GHG reduction {_fmt(g['p50'])} {r['ghg_unit']} "
            f"(p5 {_fmt(g['p5'])}, p95 {_fmt(g['p95'])})"
        )
    return "\n".join(lines) + "\n"


def tornado_svg(rows: list[dict[str, Any]], title: str) -> str:
    """A tornado chart of sensitivity rows of one scenario and output (inline SVG)."""
    rows = [r for r in rows if r["at_low"] is not None and r["at_high"] is not None]
    rows = rows[:TORNADO_BARS]
    if not rows:
        return ""
    base = rows[0]["base"] or 0.0
    ends = [v for r in rows for v in (r["at_low"], r["at_high"])] + [base]
    lo, hi = min(ends), max(ends)
    span = (hi - lo) or 1.0
    left, width, bar = 260, 360, 22
    height = 40 + bar * len(rows)

    def x(v: float) -> float:
        return float(left + (v - lo) / span * width)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{left + width + 20}" '
        f'height="{height}" viewBox="0 0 {left + width + 20} {height}">',
        f"<title>{html.escape(title)}</title>",
    ]
    for i, r in enumerate(rows):
        y = 24 + i * bar
        for v, colour in ((r["at_low"], "#4e79a7"), (r["at_high"], "#e15759")):
            x0, x1 = sorted((x(base), x(v)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 0.5):.1f}" '
                f'height="{bar - 6}" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-size="11">'
            f"{html.escape(str(r['label']))[:40]}</text>"
        )
    xb = x(base)
    parts.append(f'<line x1="{xb:.1f}" y1="18" x2="{xb:.1f}" y2="{height - 8}" stroke="#333"/>')
    parts.append(
        f'<text x="{left}" y="12" font-size="11">{html.escape(title)} '
        "(blue: input at its low end, red: at its high end)</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def html_section(a: Assessment, mc: MonteCarlo) -> str:
    """The HTML section: a table of ranges and a tornado chart per scenario and output."""
    e = html.escape
    out = [
        '<section id="uncertainty"><h2>Uncertainty</h2>',
        f"<p>{mc.n} Monte Carlo samples (seed {mc.seed}) of {len(mc.inputs)} uncertain "
        "inputs; ranges are the 5th to 95th percentiles.</p>",
        "<table><thead><tr><th>scenario</th><th>NPV p5</th><th>NPV p50</th><th>NPV p95</th>"
        "<th>P(NPV &gt; 0)</th><th>GHG reduction p5</th><th>p50</th><th>p95</th></tr></thead>"
        "<tbody>",
    ]
    for r in scenario_rows(a, mc):
        n, g = r["npv"], r["ghg"]
        cells = [e(r["scenario"]), *(_fmt(n[k]) for k in ("p5", "p50", "p95"))]
        cells += [_pct(r["p_npv_positive"]), *(_fmt(g[k]) for k in ("p5", "p50", "p95"))]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in mc.tornado:
        groups.setdefault((row["scenario"], row["output"]), []).append(row)
    for (scen, what), rows in groups.items():
        name = "NPV" if what == "npv" else "GHG reduction"
        svg = tornado_svg(rows, f"{scen}: {name}")
        if svg:
            out.append(f'<figure class="chart">{svg}</figure>')
    out.append("</section>")
    return "\n".join(out)


def markdown_section(a: Assessment, mc: MonteCarlo) -> str:
    """The Markdown section: ranges and the largest swings."""
    lines = [
        "",
        "## Uncertainty",
        "",
        f"{mc.n} Monte Carlo samples (seed {mc.seed}); ranges are p5 to p95.",
        "",
        "| scenario | NPV p5 | NPV p50 | NPV p95 | P(NPV > 0) | GHG p5 | GHG p50 | GHG p95 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in scenario_rows(a, mc):
        n, g = r["npv"], r["ghg"]
        cells = [r["scenario"], *(_fmt(n[k]) for k in ("p5", "p50", "p95"))]
        cells += [_pct(r["p_npv_positive"]), *(_fmt(g[k]) for k in ("p5", "p50", "p95"))]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def add_sheets(data: bytes, a: Assessment, mc: MonteCarlo) -> bytes:
    """An Excel workbook with the sheets ``Uncertainty`` and ``Sensitivity`` added."""
    from openpyxl import load_workbook  # lazy: CLI start-up

    wb = load_workbook(io.BytesIO(data))
    ws = wb.create_sheet("Uncertainty")
    ws.append(["scenario", "currency", "npv_mean", "npv_p5", "npv_p50", "npv_p95",
               "p_npv_positive", "p_payback_within_lifetime", "ghg_reduction_p5",
               "ghg_reduction_p50", "ghg_reduction_p95", "unit"])  # fmt: skip
    for r in scenario_rows(a, mc):
        n, g = r["npv"], r["ghg"]
        ws.append([r["scenario"], r["currency"], n["mean"], n["p5"], n["p50"], n["p95"],
                   r["p_npv_positive"], r["p_payback_within_lifetime"], g["p5"], g["p50"],
                   g["p95"], r["ghg_unit"]])  # fmt: skip
    ws2 = wb.create_sheet("Sensitivity")
    keys = ["scenario", "output", "input", "input_low", "input_high", "base", "at_low",
            "at_high", "swing", "rank_correlation"]  # fmt: skip
    ws2.append(keys)
    for row in mc.tornado:
        ws2.append([row[k] for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def add_cash_flow_sheet(path: str | Path, a: Assessment) -> None:
    """Add a ``Finance cash flows`` sheet (the ``finance:`` yearly table) to an Excel report."""
    from openpyxl import load_workbook  # lazy: CLI start-up

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        return
    rows = a.to_dict().get("cash_flows") or []
    if not rows:
        return
    wb = load_workbook(io.BytesIO(p.read_bytes()))
    ws = wb.create_sheet("Finance cash flows")  # "Cash flows" holds the IRR formulas
    keys = list(rows[0])
    ws.append(keys)
    for r in rows:
        ws.append([r[k] for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(p, buf.getvalue(), force=True)


def add_uncertainty(path: str | Path, a: Assessment, mc: MonteCarlo, *, lang: str = "en") -> None:
    """Add the uncertainty section to a report just written (by its extension)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm"):
        text = p.read_text(encoding="utf-8")
        section = html_section(a, mc)
        for end in ("</main>", "</body>"):  # the report's last section, wherever it ends
            at = text.rfind(end)
            if at >= 0:
                text = text[:at] + section + "\n" + text[at:]
                break
        else:
            text += section
        write_atomic(p, text, force=True)
    elif suffix in (".md", ".markdown"):
        write_atomic(p, p.read_text(encoding="utf-8") + markdown_section(a, mc), force=True)
    elif suffix == ".xlsx":
        write_atomic(p, add_sheets(p.read_bytes(), a, mc), force=True)
