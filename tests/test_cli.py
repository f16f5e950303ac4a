"""The CLI: outputs, and every bad-input case of the Core issue (exit 2, one located line)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from recp.cli import main
from tests.conftest import DATA, ROOT

EXAMPLE = DATA / "issue_example.yaml"


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_assess_json_contract(capsys):
    code, out, err = cli(capsys, "assess", EXAMPLE, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {
        "recp_version",
        "plant",
        "settings",
        "results",
        "savings",
        "economics",
        "balances",
        "benchmarks",
        "factors",
        "warnings",
    }
    assert doc["settings"]["gwp"] == "AR5"
    assert set(doc["results"][0]) == {"scenario", "indicator", "component", "value", "unit"}
    assert set(doc["savings"][0]) == {
        "scenario",
        "intervention",
        "basis",
        "indicator",
        "component",
        "value",
        "unit",
    }
    e = doc["economics"][0]
    assert {
        "scenario",
        "intervention",
        "currency",
        "capex",
        "annual_saving",
        "simple_payback_years",
        "npv",
        "irr",
    } <= set(e)
    assert any(r["intervention"] is None for r in doc["economics"])
    assert {r["basis"] for r in doc["savings"]} == {"in_sequence", "standalone"}
    comps = {(r["indicator"], r["component"]) for r in doc["results"]}
    for c in [
        ("ghg", "scope1"),
        ("ghg", "scope2"),
        ("ghg", "co2"),
        ("ghg", "ch4"),
        ("ghg", "n2o"),
        ("ghg", "biogenic_co2"),
        ("energy", "natural_gas"),
        ("energy", "electricity"),
        ("water", "groundwater"),
        ("waste", "hazardous"),
        ("waste", "non_hazardous"),
        ("energy_intensity", "total"),
    ]:
        assert c in comps


def test_assess_table_and_csv(capsys):
    code, out, _ = cli(capsys, "assess", EXAMPLE)
    assert code == 0 and "Sample Dyeing Mill" in out and "condensate" in out
    code, out, _ = cli(capsys, "assess", EXAMPLE, "-f", "csv")
    assert code == 0 and out.startswith("plant,scenario,indicator,component,value,unit\n")


def test_json_output_is_deterministic(capsys):
    first = cli(capsys, "assess", EXAMPLE, "-f", "json")[1]
    assert cli(capsys, "assess", EXAMPLE, "-f", "json")[1] == first


def test_out_file_atomic_refuses_input_and_existing(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert cli(capsys, "assess", EXAMPLE, "-f", "json", "-o", out)[0] == 0
    assert json.loads(out.read_text())["plant"]["name"] == "Sample Dyeing Mill"
    code, _, err = cli(capsys, "assess", EXAMPLE, "-f", "json", "-o", out)
    assert code == 2 and "exists; use --force" in err
    assert cli(capsys, "assess", EXAMPLE, "-f", "json", "-o", out, "--force")[0] == 0
    src = tmp_path / "in.yaml"
    src.write_text(EXAMPLE.read_text())
    code, _, err = cli(capsys, "assess", src, "-o", src, "--force")
    assert code == 2 and "refusing to write over an input file" in err
    assert src.read_text() == EXAMPLE.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_validate_ok_and_factors_commands(capsys):
    code, out, _ = cli(capsys, "validate", EXAMPLE, *sorted((ROOT / "scenarios").glob("*.yaml")))
    assert code == 0 and out.count(": ok") == 1 + len(list((ROOT / "scenarios").glob("*.yaml")))
    code, out, _ = cli(capsys, "factors", "list", "--source")
    assert code == 0 and "ipcc2006-fuels" in out and "2006 IPCC Guidelines" in out
    code, out, _ = cli(capsys, "factors", "show", "ipcc2006-fuels:natural_gas:ncv")
    assert code == 0 and "= 48 TJ/Gg" in out and "Table 1.2" in out
    code, out, _ = cli(capsys, "factors", "show", "gwp:AR6:N2O")
    assert code == 0 and "= 273" in out
    code, _, err = cli(capsys, "factors", "show", "ipcc2006-fuels:natral_gas:ncv")
    assert code == 2 and "did you mean 'natural_gas'" in err


def _write(tmp_path: Path, doc_or_text, name="plant.yaml") -> Path:
    p = tmp_path / name
    p.write_text(
        doc_or_text
        if isinstance(doc_or_text, str)
        else yaml.safe_dump(doc_or_text, sort_keys=False)
    )
    return p


def _mutate(doc, path, value):
    obj = doc
    for key in path[:-1]:
        obj = obj[key]
    if value is KeyError:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value
    return doc


BAD = [
    # (name, mutation path, new value, expected place, expected message fragment)
    (
        "unknown key",
        ("flows", 0, "amout"),
        "5 t",
        "flows[0].amout",
        "unknown key 'amout': did you mean 'amount'?",
    ),
    ("unknown unit", ("flows", 1, "amount"), "4.2 GWhr", "flows[1].amount", "unknown unit 'GWhr'"),
    (
        "wrong dimension",
        ("flows", 2, "amount"),
        "850 MWh",
        "flows[2].amount",
        "'850.0 MWh' is not volume, as a water flow needs",
    ),
    (
        "unknown carrier",
        ("flows", 0, "carrier"),
        "natural_gaz",
        "flows[0].carrier",
        "unknown carrier 'natural_gaz': did you mean 'natural_gas'?",
    ),
    (
        "unknown country",
        ("plant", "country"),
        "Bangladsh",
        "plant.country",
        "did you mean 'BD' (Bangladesh)?",
    ),
    (
        "unknown country code",
        ("plant", "country"),
        "XQ",
        "plant.country",
        "use an ISO 3166-1 alpha-2 code",
    ),
    (
        "missing flow",
        ("interventions", 0, "changes", 0, "flow"),
        "gass",
        "interventions[0].changes[0].flow",
        "no flow 'gass': did you mean 'gas'?",
    ),
    (
        "below zero",
        ("interventions", 0, "changes", 1, "by"),
        "-900000 m3",
        "interventions[0].changes[1]",
        "takes flow 'well' from 850000 to -50000 m3, below zero",
    ),
    (
        "negative amount",
        ("flows", 4, "amount"),
        "-300 t",
        "flows[4].amount",
        "must not be negative, got '-300.0 t'",
    ),
    (
        "ambiguous unit",
        ("flows", 4, "amount"),
        "300 ton",
        "flows[4].amount",
        "ambiguous unit 'ton'",
    ),
    (
        "missing key",
        ("flows", 3, "amount"),
        KeyError,
        "flows[3].amount",
        "missing required key 'amount'",
    ),
    (
        "bad category",
        ("interventions", 0, "category"),
        "recovery & reuse",
        "interventions[0].category",
        "unknown category",
    ),
    ("bad gwp", ("gwp",), "AR9", "gwp", "valid: AR4, AR5, AR6"),
    (
        "price currency",
        ("flows", 1, "price"),
        "0.09 EUR/kWh",
        "flows[1].price",
        "is not in USD per unit",
    ),
    (
        "scenario names missing intervention",
        ("scenarios", "quick wins"),
        ["condensat"],
        "scenarios.quick wins[0]",
        "no intervention 'condensat': did you mean 'condensate'?",
    ),
]


@pytest.mark.parametrize(
    ("name", "path", "value", "place", "message"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_input_exit_2_one_located_line(
    capsys, tmp_path, example_doc, name, path, value, place, message
):
    f = _write(tmp_path, _mutate(example_doc, path, value))
    code, out, err = cli(capsys, "assess", f)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith(f"error: {f}:"), line
    # the place, then the flow or intervention it names by id: 'flows[1].price (flow 'grid'): '
    assert re.search(rf": {re.escape(place)}( \((flow|intervention) '[^']+'[^)]*\))?: ", line), line
    if place.startswith(("flows[", "interventions[")):
        assert " (flow '" in line or " (intervention '" in line, line
    assert message in line, line
    assert "Traceback" not in err and out == ""


def test_yaml_syntax_error_has_line(capsys, tmp_path):
    f = _write(tmp_path, "plant:\n  name: x\n  country: BD\nflows: [\n  {id: a, type: water\n")
    code, _, err = cli(capsys, "assess", f)
    assert code == 2
    assert err.startswith(f"error: {f}:") and "YAML syntax error" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file(capsys, tmp_path):
    code, _, err = cli(capsys, "assess", tmp_path / "nope.yaml")
    assert code == 2 and err.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file"


def test_several_problems_one_line_each(capsys, tmp_path, example_doc):
    example_doc["flows"][0]["carrier"] = "coal"
    example_doc["flows"][2]["amount"] = "1 GWh"
    example_doc["plant"]["country"] = "ZZ"
    code, _, err = cli(capsys, "validate", _write(tmp_path, example_doc))
    assert code == 2
    assert len(err.strip().splitlines()) == 3


def test_lines_point_into_the_file(capsys, tmp_path):
    text = EXAMPLE.read_text().replace("amount: 300 t", "amount: 300 MWh")
    f = _write(tmp_path, text)
    code, _, err = cli(capsys, "assess", f)
    lineno = next(i for i, s in enumerate(text.splitlines(), 1) if "300 MWh" in s)
    assert code == 2 and f"{f}:{lineno}: flows[4].amount" in err


def test_debug_shows_traceback(capsys, tmp_path):
    code, _, err = cli(capsys, "--debug", "assess", tmp_path / "nope.yaml")
    assert code == 2 and "Traceback" in err


def test_usage_error_is_exit_2(capsys):
    code, _, err = cli(capsys, "assess", EXAMPLE, "--bogus")
    assert code == 2 and "No such option" in err


@pytest.mark.slow
def test_console_script_and_lazy_imports():
    exe = Path(sys.executable).parent / "recp"
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "assess" in r.stdout
    # --help must not import the heavy stack.
    probe = (
        "import sys; from recp.cli import app; "
        "heavy = [m for m in ('pint', 'pandas', 'numpy', 'pydantic') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "", f"heavy modules imported at start-up: {r.stdout}"
    r = subprocess.run(
        [str(exe), "assess", str(ROOT / "scenarios" / "dairy-md.yaml"), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["plant"]["country"] == "MD"


def test_validate_shows_the_assessments_warnings(capsys):
    """validate never showed warnings: a missing price on a changed flow said only 'ok'."""
    code, out, err = cli(capsys, "validate", EXAMPLE)
    assert code == 0
    assert out == f"{EXAMPLE}: ok (4 warnings)\n"
    assert (
        f"{EXAMPLE}: warning [flows_without_price]: no price for flow 'well', changed by "
        "intervention(s) 'condensate': that change is not counted in the annual cost saving"
    ) in err.splitlines()
    import recp

    shown = [ln.split("]: ", 1)[1] for ln in err.splitlines()]
    assert shown == [w["message"] for w in recp.assess(recp.load(EXAMPLE)).warnings()]


def test_validate_strict_fails_on_warnings(capsys, tmp_path, example_doc):
    code, out, err = cli(capsys, "validate", "--strict", EXAMPLE)
    assert code == 2 and out == ""
    assert f"error: {EXAMPLE}: 4 warning(s) and --strict: not ok" in err
    assert "no price for flow 'well'" in err


def test_validate_strict_passes_without_warnings(capsys, tmp_path):
    doc = {
        "plant": {"name": "Clean", "country": "BD"},
        "grid_factor": "0.5 t CO2e/MWh",
        "grid_cm": "0.5 t CO2e/MWh",
        "flows": [
            {"id": "grid", "type": "electricity", "amount": "1 GWh", "price": "0.1 USD/kWh"},
            {"id": "w", "type": "water", "source": "municipal", "amount": "100 m3"},
            {"id": "ww", "type": "wastewater", "amount": "95 m3"},
            {"id": "m", "type": "material", "amount": "10 t"},
            {"id": "p", "type": "product", "amount": "9.5 t"},
        ],
    }
    f = _write(tmp_path, doc)
    code, out, err = cli(capsys, "validate", "--strict", f)
    assert code == 0 and out == f"{f}: ok\n" and err == ""


@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [
        (("flows", 2, "amount"), "lots", "flows[2].amount (flow 'well'): "),
        (
            ("interventions", 0, "changes", 1, "by"),
            "-15000 kWh",
            "interventions[0].changes[1].by (intervention 'condensate', flow 'well'): ",
        ),
        (
            ("interventions", 0, "capex"),
            "25000",
            "interventions[0].capex (intervention 'condensate'): ",
        ),
    ],
)
def test_yaml_errors_name_the_flow_or_intervention(
    capsys, tmp_path, example_doc, path, value, shown
):
    """Errors said flows[0].amount, never which flow: the id is named beside the place."""
    f = _write(tmp_path, _mutate(example_doc, path, value))
    code, _, err = cli(capsys, "validate", f)
    assert code == 2
    assert re.search(rf"^error: {re.escape(str(f))}:\d+: {re.escape(shown)}", err, flags=re.M), err


def test_recp_schema_writes_a_file(capsys, tmp_path):
    out = tmp_path / "s.json"
    code, _, err = cli(capsys, "schema", "--out", out)
    assert code == 0 and json.loads(out.read_text())["title"] == "recp scenario file"
    code, _, err = cli(capsys, "schema", "--out", out)
    assert code == 2 and "exists" in err


def test_unfilled_yaml_template_warns_and_strict_refuses(capsys, tmp_path):
    """An unfilled template validated as ok: its TODO marks warn, and fail with --strict."""
    out = tmp_path / "plant.yaml"
    assert main(["new", "--sector", "dairy", "--out", str(out)]) == 0
    code, _, err = cli(capsys, "validate", out)
    assert code == 0
    assert f"{out}: warning [todo_left]: 13 line(s) still marked TODO" in err
    code, _, err = cli(capsys, "validate", "--strict", out)
    assert code == 2 and "--strict: not ok" in err
    filled = "\n".join(line.split("# TODO")[0] for line in out.read_text().splitlines())
    out.write_text(filled)
    code, _, err = cli(capsys, "validate", out)
    assert code == 0 and "todo_left" not in err


def test_version_is_the_installed_metadata(capsys):
    # recp.version is a plain string (no importlib.metadata at start-up); the build reads the
    # package version from it ([tool.hatch.version]), so the installed metadata must agree
    from importlib.metadata import version

    from recp import __version__

    assert __version__ == version("recp")
    code, out, _ = cli(capsys, "--version")
    assert code == 0 and out.strip() == f"recp {__version__}"
