"""The HTML report: content, self-containment, printing, and rendering in a real Chromium.

The browser tests drive Debian's ``chromium`` from the command line (no extra Python package):
``--dump-dom`` returns the DOM after the report's inline self-check ran (it writes
``data-selfcheck="ok"`` on ``<body>`` when no error was raised and every chart drew marks), and
``--enable-logging=stderr`` shows any console message. They run in CI; without chromium they
are skipped with the reason, except under ``CI`` where a missing browser fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

import recp
from recp.cli import main
from recp.report import render, write_report
from recp.report.model import build
from tests.conftest import ROOT, SCENARIOS

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--disable-extensions",
    "--mute-audio",
]


def chromium() -> str:
    """Path of the Chromium binary, or skip (fail under CI) when there is none."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None and Path("/usr/bin/chromium").exists():
        exe = "/usr/bin/chromium"
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed; CI must run the browser tests "
                "(make test installs Debian's chromium)"
            )
        pytest.skip("chromium is not installed (apt-get install chromium, or run make test)")
    return exe


def run_chromium(html: Path, tmp: Path, *args: str, dump: bool = True) -> tuple[str, str]:
    """Open ``html`` in headless Chromium; return (DOM after scripts ran, stderr log)."""
    cmd = [
        chromium(),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp / 'chromium-profile'}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    if dump:
        cmd.append("--dump-dom")
    cmd.append(html.resolve().as_uri())
    r = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "LANG": "C.UTF-8"}
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout, r.stderr


def console_lines(log: str) -> list[str]:
    """Console messages and uncaught errors in Chromium's log."""
    return [ln for ln in log.splitlines() if ":CONSOLE" in ln or "Uncaught" in ln]


def body_attrs(dom: str) -> dict[str, str]:
    m = re.search(r"<body([^>]*)>", dom)
    assert m, dom[:500]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))


@cache
def assessment(path: Path) -> recp.Assessment:
    return recp.assess(recp.load(path))


def chart_names(html: str) -> list[str]:
    return re.findall(r'<svg class="chart" data-chart="([^"]+)"', html)


def check_in_browser(html_path: Path, tmp: Path, screenshot: Path | None = None) -> str:
    """Render in Chromium; assert no console error and every chart drew; return the DOM."""
    args = ["--window-size=1280,4000"]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    dom, log = run_chromium(html_path, tmp, *args)
    attrs = body_attrs(dom)
    assert attrs.get("data-selfcheck") == "ok", attrs
    assert not console_lines(log), console_lines(log)
    source = html_path.read_text("utf-8")
    names = chart_names(source)
    assert attrs["data-charts"] == str(len(names))
    marks = dict(re.findall(r'data-chart="([^"]+)"[^>]*data-marks="(\d+)"', dom))
    assert set(marks) == set(names), (marks, names)
    assert all(int(n) > 0 for n in marks.values()), marks
    if screenshot is not None:
        png = screenshot.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    return dom


# -- in the browser ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_example_plant_renders_in_chromium(path, tmp_path):
    html = tmp_path / f"{path.stem}.html"
    write_report(assessment(path), html)
    names = chart_names(html.read_text("utf-8"))
    assert "ghg-scope-gas" in names and "sankey-0" in names
    if any(assessment(path).scenario.scenario_map.values()):
        assert "waterfall-0" in names and "compare" in names
    check_in_browser(html, tmp_path, screenshot=tmp_path / f"{path.stem}.png")


@pytest.mark.slow
def test_chinese_report_renders_in_chromium(tmp_path):
    html = tmp_path / "dairy-zh.html"
    write_report(assessment(ROOT / "scenarios" / "dairy-md.yaml"), html, lang="zh")
    dom = check_in_browser(html, tmp_path, screenshot=tmp_path / "dairy-zh.png")
    assert '<html lang="zh-CN">' in dom
    assert "清洁生产评估报告" in dom


def test_cjk_font_is_installed_for_chromium():
    """Chinese reports need a CJK font on the machine (Debian: fonts-noto-cjk)."""
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    r = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30
    )
    if not r.stdout.strip():
        pytest.skip(
            "no CJK font installed: Chinese text renders as boxes in the screenshots "
            "(apt-get install fonts-noto-cjk)"
        )
    from recp.report.lang import labels

    stack = re.findall(r'"([^"]+)"', labels("zh")["meta.fonts"])
    assert any(f in r.stdout for f in stack), (stack, r.stdout[:500])  # one the report names


@pytest.mark.slow
def test_mercury_and_pcddf_chart_drawn_in_chromium(tmp_path):
    data = _with_releases(build(assessment(ROOT / "scenarios" / "dairy-md.yaml")))
    from recp.report.html import render as render_html
    from recp.report.lang import translator

    html = tmp_path / "releases.html"
    html.write_text(render_html(data, translator("en")), "utf-8")
    source = html.read_text("utf-8")
    assert {"releases-0", "releases-1"} <= set(chart_names(source))
    check_in_browser(html, tmp_path)


@pytest.mark.slow
def test_report_prints_to_a4_pdf(tmp_path):
    html = tmp_path / "dairy.html"
    write_report(assessment(ROOT / "scenarios" / "dairy-md.yaml"), html)
    pdf = tmp_path / "dairy.pdf"
    run_chromium(html, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", dump=False)
    raw = pdf.read_bytes()
    assert raw.startswith(b"%PDF")
    boxes = {
        tuple(round(float(x)) for x in m.split())
        for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+ [\d.]+)\s*\]", raw)
    }
    # A4 portrait (595 x 842 pt) and, for the wide intervention tables, A4 landscape.
    assert boxes == {(595, 842), (842, 595)}, boxes
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", raw))
    assert 6 <= pages <= 40, pages


# -- the document ------------------------------------------------------------------------------


class _Refs(HTMLParser):
    """Collects tags and every attribute that could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "srcset", "poster", "data") or (k == "href" and tag != "a"):
                self.loads.append(f"{tag}.{k}={v}")
            if k == "href" and tag == "a" and not (v or "").startswith("#"):
                self.loads.append(f"a.href={v}")


def test_html_is_self_contained_and_offline():
    html = render(assessment(ROOT / "scenarios" / "dairy-md.yaml"), "html").decode()
    p = _Refs()
    p.feed(html)
    assert p.loads == []
    assert "link" not in p.tags and "iframe" not in p.tags and "img" not in p.tags
    assert p.tags.count("script") == 1  # the self-check only
    assert "@import" not in html and "url(" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert "unsafe-inline" not in csp
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html


def test_csp_hashes_match_the_inline_style_and_script():
    import base64
    import hashlib

    html = render(assessment(ROOT / "scenarios" / "dairy-md.yaml"), "html").decode()
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    for body in (style, script):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in html


def test_html_has_every_section_and_print_css():
    html = render(assessment(ROOT / "scenarios" / "dairy-md.yaml"), "html").decode()
    for sid in (
        "plant",
        "baseline",
        "energy",
        "interventions",
        "scenarios",
        "warnings",
        "factors",
        "details",
    ):
        assert f'<section id="{sid}"' in html
    assert "@page" in html and "size: A4" in html and "break-before: page" in html
    assert "A4 landscape" in html
    # every factor the assessment used is in the appendix, with its source
    a = assessment(ROOT / "scenarios" / "dairy-md.yaml")
    for f in a.factors():
        assert f'translate="no">{f["id"]}</span>' in html
    assert "Ember Yearly Electricity Data" in html
    # a mercury/PCDD/F section only when the results have such rows
    assert 'id="releases"' not in html


def test_interventions_table_matches_economics():
    a = assessment(ROOT / "scenarios" / "dairy-md.yaml")
    html = render(a, "html").decode()
    from recp.report.fmt import money, num

    for e in a.economics():
        if e["basis"] != "in_sequence":
            continue
        assert f">{money(e['capex'])}<" in html
        assert f">{money(e['npv'])}<" in html
        if e["cost_per_t_co2e"] is not None:
            assert f">{num(e['cost_per_t_co2e'])}<" in html


def test_macc_bars_sorted_by_cost_with_in_sequence_widths():
    from recp.report.charts import MaccBar, macc

    bars = [
        MaccBar("b", 200.0, 50.0, "technology change", "T"),
        MaccBar("a", 100.0, -300.0, "good housekeeping", "G"),
        MaccBar("c", 50.0, 10.0, "technology change", "T"),
    ]
    svg = macc("m", bars, title="t", x_label="x", y_label="y")
    rects = re.findall(
        r'<rect class="mark" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*>'
        r"<title[^>]*>([^<]*)</title>",
        svg,
    )
    assert [r[2].split(":")[0] for r in rects] == ["a", "c", "b"]  # cheapest first
    xs = [float(r[0]) for r in rects]
    ws = [float(r[1]) + 1 for r in rects]  # one pixel gap between bars
    assert xs == sorted(xs)
    assert ws[0] / ws[1] == pytest.approx(2.0, rel=0.05)  # widths proportional to t CO2e
    assert ws[2] / ws[1] == pytest.approx(4.0, rel=0.05)


def test_macc_leaves_out_measures_without_ghg_saving_and_says_so():
    html = render(assessment(ROOT / "scenarios" / "dairy-md.yaml"), "html").decode()
    # housekeeping saves no GHG; whey valorisation increases it (in sequence)
    assert re.search(r"Not on the curve: .*housekeeping.*no GHG avoided", html)
    assert re.search(r"whey_valorisation</span> \(no GHG avoided\)", html)


def test_waterfall_steps_add_up_to_the_scenario():
    a = assessment(ROOT / "scenarios" / "dairy-md.yaml")
    data = build(a)
    for s, ids in data.scenarios.items():
        steps = sum(data.saving(s, i, "ghg") or 0.0 for i in ids)
        assert data.value("baseline", "ghg") - steps == pytest.approx(data.value(s, "ghg"))


def test_sankeys_share_one_scale():
    from recp.report.charts import SankeyFlow, sankey

    flows = [
        SankeyFlow("gas", "natural_gas", "Natural gas", 300.0),
        SankeyFlow("grid", "electricity", "Electricity", 100.0),
    ]
    base = sankey("s0", flows, scale_total=400.0, title="t", total_label="T", unit="GJ")
    half = sankey(
        "s1",
        [SankeyFlow(f.label, f.carrier, f.carrier_label, f.value / 2) for f in flows],
        scale_total=400.0,
        title="t",
        total_label="T",
        unit="GJ",
        saved=200.0,
        saved_label="saved",
    )

    def total_height(svg: str) -> float:
        return float(
            re.findall(
                r'<rect class="mark" x="650" y="[\d.]+" width="14" '
                r'height="([\d.]+)"',
                svg,
            )[0]
        )

    assert total_height(base) == pytest.approx(240.0)
    assert total_height(half) == pytest.approx(120.0)
    assert "saved" in half


def test_releases_only_when_rows_exist():
    from recp.report.html import render as render_html
    from recp.report.lang import translator

    data = build(assessment(ROOT / "scenarios" / "dairy-md.yaml"))
    assert 'data-chart="releases-' not in render_html(data, translator("en"))
    html = render_html(_with_releases(data), translator("en"))
    assert 'data-chart="releases-0"' in html and 'id="releases"' in html
    assert "Mercury by release vector" in html and "PCDD/F by release vector" in html


def _with_releases(data):
    """Add mercury and PCDD/F rows by vector (as a later capability will) to a ReportData."""
    rows = []
    for k, s in enumerate(data.states):
        f = 1.0 - 0.3 * k
        for ind, unit, vals in (
            ("mercury", "kg", {"air": 1.2, "water": 0.4, "residue": 2.0}),
            ("pcdd_f", "g TEQ", {"air": 0.05, "residue": 0.3}),
        ):
            rows.append(
                {
                    "scenario": s,
                    "indicator": ind,
                    "component": "total",
                    "value": f * sum(vals.values()),
                    "unit": unit,
                }
            )
            rows += [
                {"scenario": s, "indicator": ind, "component": c, "value": f * v, "unit": unit}
                for c, v in vals.items()
            ]
    data.results = data.results + rows
    data.__dict__.pop("_idx", None)
    return data


# -- writing files -----------------------------------------------------------------------------


def test_cli_writes_every_format(tmp_path, capsys):
    src = ROOT / "scenarios" / "dairy-md.yaml"
    outs = [tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.md"]
    args = ["assess", str(src)]
    for o in outs:
        args += ["--report", str(o)]
    assert main(args) == 0, capsys.readouterr().err
    assert outs[0].read_text("utf-8").startswith("<!DOCTYPE html>")
    assert outs[1].read_bytes()[:2] == b"PK"
    assert outs[2].read_text("utf-8").startswith("# Sample Dairy")
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary file


def test_cli_refuses_existing_report_unless_forced(tmp_path, capsys):
    src = ROOT / "scenarios" / "dairy-md.yaml"
    out = tmp_path / "r.html"
    out.write_text("keep me")
    assert main(["assess", str(src), "--report", str(out)]) == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["assess", str(src), "--report", str(out), "--force"]) == 0
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_cli_refuses_to_write_over_its_input(tmp_path, capsys):
    src = tmp_path / "plant.md"  # a scenario file whose name looks like a report
    src.write_text((ROOT / "scenarios" / "dairy-md.yaml").read_text("utf-8"), "utf-8")
    before = src.read_bytes()
    assert main(["assess", str(src), "--report", str(src), "--force"]) == 2
    assert "refusing to write over an input file" in capsys.readouterr().err
    assert src.read_bytes() == before


def test_cli_unknown_report_format_and_language(tmp_path, capsys):
    src = ROOT / "scenarios" / "dairy-md.yaml"
    assert main(["assess", str(src), "--report", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert "unknown report format '.pdf'" in err and ".html" in err and ".xlsx" in err
    assert main(["assess", str(src), "--report", str(tmp_path / "r.html"), "--lang", "pt"]) == 2
    err = capsys.readouterr().err
    assert "unknown report language 'pt'" in err and "ar, en, es, fr, ru, zh" in err
    assert not (tmp_path / "r.html").exists()


def test_report_package_import_is_light():
    code = (
        "import sys, recp.report; "
        "heavy = [m for m in ('openpyxl', 'numpy', 'pandas', 'pint', 'yaml') "
        "if m in sys.modules]; print(heavy)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


EDGE_PLANTS = {
    "baseline only": (
        {
            "plant": {"name": "Only baseline", "country": "BD"},
            "grid_factor": "0.5 t CO2e/MWh",
            "flows": [{"id": "grid", "type": "electricity", "amount": "1 GWh"}],
        },
        {"ghg-scope-gas", "sankey-0"},
    ),
    "no energy, no GHG": (
        {
            "plant": {"name": "Water", "country": "BD", "production": "10 pcs"},
            "flows": [
                {
                    "id": "w",
                    "type": "water",
                    "source": "groundwater",
                    "amount": "100 m3",
                    "price": "1 USD/m3",
                }
            ],
            "interventions": [
                {
                    "id": "x",
                    "category": "good housekeeping",
                    "changes": [{"flow": "w", "by": "-10 %"}],
                }
            ],
        },
        {"compare"},
    ),
    "measure that raises GHG": (
        {
            "plant": {"name": "Heat", "country": "MD", "production": "5 t"},
            "discount_rate": "5 %",
            "flows": [
                {"id": "h", "type": "heat", "amount": "100 GJ", "price": "10 USD/GJ"},
                {
                    "id": "wood",
                    "type": "fuel",
                    "carrier": "wood",
                    "amount": "10 t",
                    "price": "50 USD/t",
                },
                {"id": "g", "type": "electricity", "amount": "10 MWh", "price": "0.1 USD/kWh"},
            ],
            "interventions": [
                {
                    "id": "more",
                    "category": "input substitution",
                    "capex": "10 USD",
                    "lifetime": "3 year",
                    "changes": [{"flow": "g", "by": "50 %"}, {"flow": "wood", "to": "0 t"}],
                }
            ],
        },
        {"compare", "ghg-scope-gas", "sankey-0", "sankey-1", "waterfall-0"},
    ),
}


@pytest.mark.parametrize("name", list(EDGE_PLANTS))
def test_reports_of_unusual_plants(name):
    doc, charts = EDGE_PLANTS[name]
    a = recp.assess(recp.Scenario.from_dict(doc))
    for lang in ("en", "zh"):
        html = render(a, "html", lang).decode()
        assert set(chart_names(html)) == charts
        assert render(a, "md", lang) and render(a, "xlsx", lang)[:2] == b"PK"
