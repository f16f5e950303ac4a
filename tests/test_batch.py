"""Batch runs: equal to per-plant assessments, nothing lost, every engine and format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import recp
from recp.batch import assess_many, run
from recp.cli import main
from recp.export import write_tables
from recp.tables import tables_from_scenarios
from tests.conftest import DATA, SCENARIOS

FILES = [*SCENARIOS, DATA / "issue_example.yaml"]
NUM = (
    "value",
    "capex",
    "annual_saving",
    "simple_payback_years",
    "lifetime_years",
    "npv",
    "irr",
    "ghg_avoided_t_co2e_per_year",
    "cost_per_t_co2e",
    "mercury_avoided_kg_per_year",
    "cost_per_kg_hg",
    "pcdd_f_avoided_g_teq_per_year",
    "cost_per_g_teq",
    "pcb_avoided_g_per_year",
    "cost_per_g_pcb",
    "dl_pcb_avoided_g_teq_per_year",
    "cost_per_g_teq_dl_pcb",
    "hcb_avoided_g_per_year",
    "cost_per_g_hcb",
)
# The tidy tables carry everything a scenario file holds, processes (mercury, PCDD/F) included.
TABLE_FILES = FILES


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        if c in NUM:
            x = pd.to_numeric(a[c]).to_numpy(dtype=float)
            y = pd.to_numeric(b[c]).to_numpy(dtype=float)
            np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-9, err_msg=c)
        else:
            xa = [None if pd.isna(v) else v for v in a[c]]
            xb = [None if pd.isna(v) else v for v in b[c]]
            assert xa == xb, c


def per_plant(files) -> dict[str, pd.DataFrame]:
    out: dict[str, list[pd.DataFrame]] = {"results": [], "savings": [], "economics": []}
    for f in files:
        a = recp.assess(recp.load(f))
        for name, rows in (
            ("results", a.results()),
            ("savings", a.savings()),
            ("economics", a.economics()),
        ):
            df = pd.DataFrame(rows)
            df.insert(0, "plant", Path(f).stem)
            out[name].append(df)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def test_batch_of_files_equals_per_plant_row_for_row():
    res = assess_many(FILES)
    ref = per_plant(FILES)
    assert len(res.errors) == 0
    for name in ("results", "savings", "economics"):
        got = getattr(res, name)
        assert_frames_equal(got.reset_index(drop=True), ref[name])


def test_tables_equal_files(tmp_path):
    scs = [recp.load(f) for f in TABLE_FILES]
    ids = [Path(f).stem for f in TABLE_FILES]
    t = tables_from_scenarios(scs, ids)
    folder = tmp_path / "tables"
    folder.mkdir()
    for name in ("plants", "flows", "interventions", "scenarios", "processes"):
        if getattr(t, name, None) is not None:
            getattr(t, name).to_csv(folder / f"{name}.csv", index=False)
    res = run(folder)
    ref = assess_many(TABLE_FILES)
    for name in ("results", "savings", "economics"):
        key = [c for c in getattr(ref, name).columns if c not in NUM]
        a = getattr(ref, name).sort_values(key, kind="stable").reset_index(drop=True)
        b = getattr(res, name).sort_values(key, kind="stable").reset_index(drop=True)
        assert_frames_equal(a, b)
    # the same tables as one workbook
    book = tmp_path / "portfolio.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name in ("plants", "flows", "interventions", "scenarios", "processes"):
            if getattr(t, name, None) is not None:
                getattr(t, name).to_excel(xw, sheet_name=name, index=False)
    res_x = run(book)
    assert_frames_equal(res.results, res_x.results)


def _portfolio_with_bad_plants(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for f in FILES:
        shutil.copy(f, folder / Path(f).name)
    (folder / "syntax.yaml").write_text("plant: {name: x, country: BD\nflows: [\n")
    (folder / "junk.yaml").write_bytes(b"\x00\xff\xfe binary junk")
    text = (DATA / "issue_example.yaml").read_text()
    (folder / "badunit.yaml").write_text(text.replace("4.2 GWh", "4.2 GWhr"))
    (folder / "belowzero.yaml").write_text(text.replace("by: -15000 m3", "by: -900000 m3"))
    (folder / "nogrid.yaml").write_text(
        text.replace("grid_factor: 0.62 t CO2e/MWh\n", "").replace("country: BD", "country: AQ")
    )
    return folder


def test_bad_plants_are_reported_and_the_rest_complete(tmp_path):
    folder = _portfolio_with_bad_plants(tmp_path)
    res = run(folder)
    failed = set(res.errors["plant"])
    assert failed == {"syntax", "junk", "badunit", "belowzero", "nogrid"}
    assert set(res.plants["plant"]) == {Path(f).stem for f in FILES}
    msgs = res.errors.set_index("plant")["message"].to_dict()
    assert "YAML syntax error" in msgs["syntax"]
    assert "not UTF-8" in msgs["junk"] or "NUL" in msgs["junk"]
    assert "unknown unit 'GWhr'" in msgs["badunit"]
    assert "below zero" in msgs["belowzero"]
    assert "no grid emission factor for AQ" in msgs["nogrid"]
    # the valid plants' rows are exactly the per-plant ones (folder order: by file name)
    ref = per_plant(sorted(FILES, key=lambda f: Path(f).name))
    assert_frames_equal(res.results, ref["results"])


def test_bad_rows_in_tables(tmp_path):
    scs = [recp.load(f) for f in TABLE_FILES]
    t = tables_from_scenarios(scs, [Path(f).stem for f in TABLE_FILES])
    fl = t.flows
    fl.loc[(fl.plant == "dairy-md") & (fl.id == "water"), "amount"] = "165000 MWh"
    fl.loc[(fl.plant == "metal-finishing-ua") & (fl.id == "gas"), "carrier"] = "natural_gaz"
    from recp.batch import evaluate_tables_chunk

    res = evaluate_tables_chunk(t)
    assert set(res.errors["plant"]) == {"dairy-md", "metal-finishing-ua"}
    e = res.errors.set_index("plant")
    assert "not volume, as a water flow needs" in e.loc["dairy-md", "message"]
    assert "did you mean 'natural_gas'" in e.loc["metal-finishing-ua", "message"]
    assert e.loc["dairy-md", "place"].startswith("flows row ")
    assert set(res.plants["plant"]) == {Path(f).stem for f in TABLE_FILES} - {
        "dairy-md",
        "metal-finishing-ua",
    }


def test_jobs_and_dask_engine_equal_in_process(tmp_path):
    folder = _portfolio_with_bad_plants(tmp_path)
    one = run(folder, chunk_plants=3)
    two = run(folder, chunk_plants=3, jobs=2)
    dsk = run(folder, chunk_plants=3, engine="dask", jobs=2)
    for other in (two, dsk):
        for name in ("results", "savings", "economics", "errors"):
            pd.testing.assert_frame_equal(getattr(one, name), getattr(other, name))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx", ".json"])
def test_outputs_round_trip_and_are_deterministic(tmp_path, suffix):
    res = assess_many(FILES)
    tables = {"results": res.results, "savings": res.savings, "economics": res.economics}
    out = tmp_path / f"r{suffix}"
    write_tables(out, tables, errors=res.errors)
    first = out.read_bytes()
    write_tables(out, tables, errors=res.errors, force=True)
    assert out.read_bytes() == first  # same inputs, same bytes
    if suffix == ".parquet":
        back = pd.read_parquet(out)
    elif suffix == ".csv":
        back = pd.read_csv(out, keep_default_na=False, na_values=[""])
    elif suffix == ".xlsx":
        back = pd.read_excel(out, sheet_name="results")
    else:
        back = pd.DataFrame(json.loads(out.read_text())["results"])
    assert_frames_equal(back, res.results)


def test_cli_batch_exit_code_and_errors_file(tmp_path, capsys):
    folder = _portfolio_with_bad_plants(tmp_path)
    out = tmp_path / "out" / "res.parquet"
    out.parent.mkdir()
    code = main(["batch", str(folder), "--out", str(out), "--by", "country"])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"{len(FILES)} plants assessed, 5 failed" in err
    assert err.count("error: plant ") == 5
    errors = pd.read_csv(out.parent / "res.errors.csv")
    assert set(errors["plant"]) == {"syntax", "junk", "badunit", "belowzero", "nogrid"}
    roll = pd.read_parquet(out.parent / "res.rollup-country.parquet")
    res = pd.read_parquet(out)
    bd = res[
        (res.plant.isin(["textile-dyeing-bd", "issue_example"]))
        & (res.scenario == "baseline")
        & (res.indicator == "ghg")
        & (res.component == "total")
    ]["value"].sum()
    got = roll[
        (roll.country == "BD")
        & (roll.scenario == "baseline")
        & (roll.indicator == "ghg")
        & (roll.component == "total")
    ]["value"].item()
    assert got == pytest.approx(bd)
    # refuses to overwrite without --force, never writes over its input
    assert main(["batch", str(folder), "--out", str(out)]) == 2
    assert "exists; use --force" in capsys.readouterr().err


def test_library_batch_api():
    df = recp.batch.batch(FILES).results  # type: ignore[attr-defined]
    assert {"plant", "scenario", "indicator", "component", "value", "unit"} == set(df.columns)


def test_a_plant_whose_assessment_raises_is_isolated(tmp_path, monkeypatch):
    """A fault (not an input error) in one plant is reported; the others complete."""
    import recp.engine

    real = recp.engine.compile_scenario

    def faulty(sc, lib=None):
        if sc.plant.name == "Sample Dyeing Mill":
            raise RuntimeError("disk on fire")
        return real(sc, lib)

    monkeypatch.setattr(recp.engine, "compile_scenario", faulty)
    res = assess_many(FILES)
    assert list(res.errors["plant"]) == ["issue_example"]
    assert "internal error: RuntimeError: disk on fire" in res.errors["message"].iloc[0]
    assert set(res.plants["plant"]) == {Path(f).stem for f in FILES} - {"issue_example"}


def test_streamed_chunks_equal_one_pass(tmp_path, capsys):
    """Chunked tables streamed to CSV give the rows of a single in-memory pass."""
    scs = [recp.load(f) for f in TABLE_FILES]
    t = tables_from_scenarios(scs, [Path(f).stem for f in TABLE_FILES])
    folder = tmp_path / "tables"
    folder.mkdir()
    for name in ("plants", "flows", "interventions", "scenarios", "processes"):
        if getattr(t, name, None) is not None:
            getattr(t, name).to_csv(folder / f"{name}.csv", index=False)
    out = tmp_path / "o" / "r.csv"
    out.parent.mkdir()
    assert (
        main(
            [
                "batch",
                str(folder),
                "--out",
                str(out),
                "--chunk",
                "2",
                "--jobs",
                "2",
                "--savings",
                "--by",
                "sector",
            ]
        )
        == 0
    )
    one = run(folder)
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert_frames_equal(got, one.results.astype(object).reset_index(drop=True))
    sav = pd.read_csv(out.parent / "r.savings.csv", keep_default_na=False, na_values=[""])
    assert len(sav) == len(one.savings)
    eco = pd.read_csv(out.parent / "r.economics.csv", keep_default_na=False, na_values=[""])
    assert len(eco) == len(one.economics)
    roll = pd.read_csv(out.parent / "r.rollup-sector.csv")
    assert roll["plants"].max() >= 1


PROCESS_PLANTS = ("hospital-incinerator-cn", "asgm-bf", "ewaste-eg", "cement-md")


def test_batch_equals_per_plant_for_plants_with_processes():
    files = [f for f in FILES if Path(f).stem in PROCESS_PLANTS]
    assert len(files) == len(PROCESS_PLANTS)
    res = assess_many(files)
    ref = per_plant(files)
    assert len(res.errors) == 0
    for name in ("results", "savings", "economics"):
        assert_frames_equal(getattr(res, name).reset_index(drop=True), ref[name])
    r = res.results
    released = r[r.indicator.isin(["mercury", "pcdd_f"]) & (r.component == "total")]
    assert set(released["plant"]) == set(PROCESS_PLANTS)  # the release rows are really there


def per_plant_diagnostics(files) -> dict[str, pd.DataFrame]:
    out: dict[str, list[pd.DataFrame]] = {"warnings": [], "balances": [], "benchmarks": []}
    for f in files:
        a = recp.assess(recp.load(f))
        for name, rows in (
            ("warnings", a.warnings()),
            ("balances", a.balances()),
            ("benchmarks", a.benchmarks()),
        ):
            df = pd.DataFrame(rows)
            df.insert(0, "plant", Path(f).stem)
            out[name].append(df)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def test_batch_warnings_balances_benchmarks_equal_per_plant():
    res = assess_many(FILES)
    ref = per_plant_diagnostics(FILES)
    assert list(res.warnings.columns) == ["plant", "code", "message"]
    assert res.warnings.to_dict("records") == ref["warnings"].to_dict("records")
    num = ("in", "out", "difference", "relative", "tolerance", "value", "low", "high")
    for name in ("balances", "benchmarks"):
        got = getattr(res, name).reset_index(drop=True)
        want = ref[name][[c for c in got.columns]]
        assert len(got) == len(want) > 0, name
        for c in got.columns:
            if c in num:
                x = pd.to_numeric(got[c]).to_numpy(dtype=float)
                y = pd.to_numeric(want[c]).to_numpy(dtype=float)
                np.testing.assert_allclose(x, y, rtol=1e-11, equal_nan=True, err_msg=c)
            else:
                xa = [None if pd.isna(v) else v for v in got[c]]
                xb = [None if pd.isna(v) else v for v in want[c]]
                assert xa == xb, (name, c)


def test_warnings_table_has_balance_and_no_effect_warnings(tmp_path):
    text = (DATA / "issue_example.yaml").read_text()
    noop = tmp_path / "noop.yaml"
    noop.write_text(
        text.replace("by: -15000 m3", "by: 0 m3")
        .replace("by: -8 %", "by: 0 %")
        .replace("to: 3.9 GWh", "to: 4.2 GWh")
    )
    res = assess_many([noop])
    w = res.warnings
    assert set(w["plant"]) == {"noop"}
    ref = recp.assess(recp.load(noop)).warnings()
    assert w[["code", "message"]].to_dict("records") == ref
    assert {"no_effect", "mass_balance_unchecked"} <= set(w["code"])


def test_cli_batch_writes_warnings_balances_benchmarks_beside_results(tmp_path):
    out = tmp_path / "o" / "res.csv"
    out.parent.mkdir()
    assert main(["batch", str(SCENARIOS[0]), "--out", str(out)]) == 0
    for name, col in (("warnings", "code"), ("balances", "closes"), ("benchmarks", "flag")):
        df = pd.read_csv(out.parent / f"res.{name}.csv")
        assert col in df.columns
    bal = pd.read_csv(out.parent / "res.balances.csv")
    assert list(bal["balance"]) == ["water", "mass"]


def test_folder_batch_assesses_xlsx_plants(tmp_path):
    """A folder batch skipped .xlsx plants without a word."""
    import yaml

    from recp.workbook import write_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    dairy = next(p for p in SCENARIOS if p.stem == "dairy-md")
    school = next(p for p in SCENARIOS if p.stem == "school-md")
    shutil.copy(school, folder / school.name)
    write_workbook(yaml.safe_load(dairy.read_text()), folder / "dairy.xlsx")
    write_workbook(yaml.safe_load(dairy.read_text()), folder / "broken.xlsx")
    (folder / "~$dairy.xlsx").write_bytes(b"Excel's lock file of an open workbook")
    from openpyxl import load_workbook

    wb = load_workbook(folder / "broken.xlsx")
    wb["Interventions"].title = "Measures"
    wb.save(folder / "broken.xlsx")
    res = run(folder)
    assert set(res.plants["plant"]) == {"dairy", "school-md"}
    ref = assess_many([dairy]).results.assign(plant="dairy")
    got = res.results[res.results["plant"] == "dairy"].reset_index(drop=True)
    as_text = {c: str for c in ("plant", "scenario", "indicator", "component", "unit")}
    pd.testing.assert_frame_equal(
        got.astype(as_text), ref.reset_index(drop=True).astype(as_text), check_dtype=False
    )
    err = res.errors.set_index("plant")
    assert list(err.index) == ["broken"]
    assert err.loc["broken", "place"] == "Measures!A1"
    assert "did you mean 'Interventions'?" in err.loc["broken", "message"]


@pytest.mark.parametrize("suffix", [".json", ".xlsx", ".csv"])
def test_unchecked_balance_writes_to_json_xlsx_csv(tmp_path, suffix):
    """A balance that cannot be checked (``closes`` is NA) crashed the JSON and Excel writers:
    ``TypeError: Object of type NAType is not JSON serializable``."""
    out = tmp_path / f"res{suffix}"
    assert main(["batch", str(DATA / "issue_example.yaml"), "--out", str(out)]) == 0
    if suffix == ".json":
        bal = pd.DataFrame(json.loads(out.read_text())["balances"])
    elif suffix == ".xlsx":
        bal = pd.read_excel(out, sheet_name="balances")
    else:
        bal = pd.read_csv(out.parent / "res.balances.csv")
    mass = bal[bal["balance"] == "mass"].iloc[0]
    assert pd.isna(mass["closes"])  # not checked: empty, not False
    assert "cannot be checked" in mass["note"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".json"])
def test_batch_into_a_missing_folder_is_one_clear_line(tmp_path, capsys, suffix):
    """``--out`` in a folder that does not exist was an internal error for .parquet and .csv."""
    out = tmp_path / "missing" / f"res{suffix}"
    assert main(["batch", str(DATA / "issue_example.yaml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write in {out.parent}" in err
    assert "internal error" not in err


def test_batch_warnings_for_open_balances_and_intensities_equal_per_plant():
    """The batch builds balance and benchmark messages column-wise: same text as one plant's."""
    from recp.scenario import Scenario
    from tests.conftest import minimal

    flows = [
        {"id": "w", "type": "water", "amount": "1000 m3"},
        {"id": "ww", "type": "wastewater", "amount": "700 m3"},
        {"id": "m", "type": "material", "amount": "100 t"},
        {"id": "p", "type": "product", "amount": "60.123456789 t"},
        {"id": "s", "type": "waste", "hazardous": False, "amount": "5 t"},
    ]
    scs = []
    for k, (water, production) in enumerate(
        [("150000 m3", "100000 hL"), ("1000 m3", "10 hL"), ("0.1 m3", "1e6 hL"), ("1 m3", None)]
    ):
        doc = minimal(flows=[dict(f) for f in flows])
        doc["plant"].update({"name": f"P{k}", "sector": "brewery"})
        doc["flows"][0]["amount"] = water
        if production:
            doc["plant"]["production"] = production
        scs.append(Scenario.from_dict(doc))
    res = assess_many(scs)
    want = [{"plant": sc.plant.name, **w} for sc in scs for w in recp.assess(sc).warnings()]
    assert res.warnings.to_dict("records") == want
    codes = {w["code"] for w in want}
    assert {"water_balance", "mass_balance", "intensity_outside_reference"} <= codes
