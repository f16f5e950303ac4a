"""Tidy tables: processes included, and the same rules (word for word) as scenario files."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import recp
from recp.batch import assess_many, evaluate_tables_chunk, run
from recp.errors import InputError
from recp.rules import MESSAGES
from recp.tables import TableSlice, plan_slices, read_slice, tables_from_scenarios
from tests.conftest import DATA, SCENARIOS
from tests.test_batch import NUM, assert_frames_equal

# the last: own factors of every kind beside guidebook defaults with abatement lists
FILES = [*SCENARIOS, DATA / "issue_example.yaml", DATA / "processes_own_and_defaults.yaml"]
WITH_PROCESSES = [f for f in FILES if "processes:" in Path(f).read_text(encoding="utf-8")]
NAMES = ("plants", "flows", "interventions", "scenarios", "processes")


def _write(t, folder: Path) -> Path:
    folder.mkdir()
    for name in NAMES:
        getattr(t, name).to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_tables_with_processes_equal_scenario_files(tmp_path):
    assert WITH_PROCESSES, "the worked plants should include mercury/PCDD/F processes"
    t = tables_from_scenarios([recp.load(f) for f in FILES], [Path(f).stem for f in FILES])
    assert len(t.processes) and "pcdd_f.emission_factors.air" in t.processes.columns
    for col in ("category", "technology", "abatement", "hcb.emission_factors.air", "dl_pcb.class"):
        assert col in t.processes.columns, col
    res = run(_write(t, tmp_path / "tables"))
    ref = assess_many(FILES)
    assert len(res.errors) == 0
    for name in ("results", "savings", "economics"):
        key = [c for c in getattr(ref, name).columns if c not in NUM]
        a = getattr(ref, name).sort_values(key, kind="stable").reset_index(drop=True)
        b = getattr(res, name).sort_values(key, kind="stable").reset_index(drop=True)
        assert_frames_equal(a, b)
    # plants keep their input order, with and without processes
    assert list(dict.fromkeys(res.results["plant"])) == [Path(f).stem for f in FILES]


BASE = DATA / "issue_example.yaml"
# rule -> (text replaced in the scenario file, by what, table, row filter, column, new cell)
CASES = {
    "country": ("country: BD", "country: Bangldesh", "plants", None, "country", "Bangldesh"),
    "currency": ("currency: USD", "currency: USX", "plants", None, "currency", "USX"),
    "gwp": ("gwp: AR5", "gwp: AR9", "plants", None, "gwp", "AR9"),
    "amount_dimension": ("4.2 GWh", "4.2 t", "flows", "grid", "amount", "4.2 t"),
    "carrier": ("natural_gas", "natural_gaz", "flows", "gas", "carrier", "natural_gaz"),
    "ncv": ("35.8 MJ/m3", "35.8 MJ", "flows", "gas", "ncv", "35.8 MJ"),
    "by_below_zero": ("by: -8 %", "by: -180 %", "interventions", "gas", "by", "-180 %"),
    "by_unit": ("by: -15000 m3", "by: -15000 t", "interventions", "well", "by", "-15000 t"),
    "category": (
        "category: on-site",
        "category: onsite stuff",
        "interventions",
        "gas",
        "category",
        "onsite stuff recovery and reuse",
    ),
}


def _yaml_messages(old: str, new: str) -> list[str]:
    text = BASE.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(InputError) as e:
        recp.loads(text.replace(old, new, 1))
    return [p.message for p in e.value.problems]


@pytest.mark.parametrize("rule", list(CASES))
def test_each_rule_reads_the_same_from_yaml_and_tables(rule):
    assert rule in MESSAGES
    old, new, table, flow, column, cell = CASES[rule]
    yaml_msgs = _yaml_messages(old, new)
    t = tables_from_scenarios([recp.load(BASE), recp.load(BASE)], ["p", "ok"])
    df = getattr(t, table)
    key = df["flow" if table == "interventions" else "id"] if flow is not None else df["plant"]
    rows = df.index[(df["plant"] == "p") & (key == (flow or "p"))][:1]
    df.loc[rows, column] = cell
    res = evaluate_tables_chunk(t)
    assert list(res.errors["message"]) == yaml_msgs
    assert res.errors["place"].iloc[0].startswith(f"{table} row ")
    assert res.errors["place"].iloc[0].endswith(f".{column}")


def test_bad_process_rows_give_one_located_line():
    scs = [recp.load(f) for f in WITH_PROCESSES]
    t = tables_from_scenarios(scs, [Path(f).stem for f in WITH_PROCESSES])
    pr = t.processes
    col = "pcdd_f.emission_factors.air"
    i = int(pr.index[pr[col].notna()][0])
    plant = pr.loc[i, "plant"]
    pr.loc[i, col] = "474 ug TEQ/m3"  # per volume: the activity is in t
    res = evaluate_tables_chunk(t)
    bad = res.errors[res.errors["plant"] == plant]
    assert len(bad) == 1
    assert bad["place"].iloc[0] == f"processes row {i + 2}.{col}"
    assert "is not a release per t of activity" in bad["message"].iloc[0]
    assert set(res.errors["plant"]) == {plant}
    assert isinstance(res.results, pd.DataFrame)


def test_parquet_slices_read_as_dictionary_pages_give_the_csv_problems(tmp_path):
    """Parquet text read as dictionary codes (chunks across row groups) reads like CSV text.

    Padded and upper-case cells, empty cells and bad values give the same problems, in the
    same places (rows of the whole file), and the same results as the CSV tables.
    """
    t = tables_from_scenarios([recp.load(BASE)] * 5, [f"p{k}" for k in range(5)])
    fl, iv, pl = t.flows, t.interventions, t.plants

    def cell(df, plant, key, col, value):
        rows = df.index[(df["plant"] == plant) & (key(df) if callable(key) else True)][:1]
        df.loc[rows, col] = value

    gas = lambda df: df["id"] == "gas"  # noqa: E731
    cell(fl, "p0", gas, "carrier", "  natural_gas ")  # padded: valid
    cell(fl, "p1", gas, "carrier", "natural_gaz")
    cell(fl, "p2", gas, "amount", "2.1e6 furlongs")
    cell(fl, "p3", lambda df: df["type"] == "waste", "hazardous", " TRUE ")
    cell(fl, "p4", gas, "price", "0.3 EUR/m3")
    cell(iv, "p2", None, "category", "  housekeeping ")
    cell(iv, "p3", None, "by", "-180 %")
    cell(pl, "p4", None, "country", "Bangldesh")
    cell(pl, "p0", None, "currency", None)  # empty: USD
    out = {}
    for kind in ("csv", "parquet"):
        folder = tmp_path / kind
        folder.mkdir()
        for name in NAMES:
            df = getattr(t, name)
            if kind == "csv":
                df.to_csv(folder / f"{name}.csv", index=False)
            elif len(df.columns):
                df.to_parquet(folder / f"{name}.parquet", index=False, row_group_size=3)
        out[kind] = run(folder, chunk_plants=2)
    a, b = out["csv"], out["parquet"]
    assert len(a.errors) >= 5
    assert a.errors["message"].str.contains("natural_gaz").any()
    a_err, b_err = a.errors, b.errors
    for name in ("plants", "flows", "interventions"):
        b_err = b_err.replace({str(tmp_path / "parquet" / f"{name}.parquet"): name})
        a_err = a_err.replace({str(tmp_path / "csv" / f"{name}.csv"): name})
    pd.testing.assert_frame_equal(a_err, b_err)
    assert_frames_equal(a.results, b.results)


def test_read_slice_frames_are_what_pandas_reads(tmp_path):
    """Text read as dictionary pages is decoded back: each chunk's frame is its rows as pandas
    reads them (categorical and other columns untouched)."""
    plants = pd.DataFrame(
        {
            "plant": ["a", "b", None, " c", "d"],
            "region": pd.Categorical(["x", "y", "x", "z", "x"]),
            "production": [1.0, 2, 3, 4, 5],
            "listed": [True, False, True, None, True],
        }
    )
    flows = pd.DataFrame({"plant": ["d", "a", "b", "a"], "id": ["f", "f", "f", " g "]})
    plants.to_parquet(tmp_path / "plants.parquet", row_group_size=2)
    flows.to_parquet(tmp_path / "flows.parquet", row_group_size=3)
    for sl in plan_slices(tmp_path, 2):
        t = read_slice(sl)
        assert t.rows is not None
        for name in ("plants", "flows"):
            whole = pq.read_table(tmp_path / f"{name}.parquet")
            want = whole.take(pa.array(t.rows[name])).to_pandas()
            pd.testing.assert_frame_equal(getattr(t, name), want)


def test_plants_without_an_id_are_one_line_each(tmp_path):
    """Several plants without an id: a located line each, and the other plants assessed."""
    (tmp_path / "plants.csv").write_text("plant,country\n,BD\n ,BD\nP1,BD\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "plant,id,type,amount\nP1,e,electricity,5 MWh\n,x,electricity,5 MWh\n", encoding="utf-8"
    )
    res = run(tmp_path)
    assert list(res.errors["place"]) == ["plants row 2.plant", "plants row 3.plant"]
    assert set(res.errors["message"]) == {MESSAGES["id_missing"].format(what="plant")}
    assert list(dict.fromkeys(res.results["plant"])) == ["P1"]


def test_rows_are_the_files_when_a_scenarios_row_drops_a_plant(tmp_path):
    """A plant dropped for its scenarios row: the other plants' problems keep their file rows."""
    t = tables_from_scenarios([recp.load(BASE)] * 3, ["p0", "p1", "p2"])
    st = t.scenarios
    st.loc[st.index[st["plant"] == "p0"][0], "intervention"] = "nope"
    fl = t.flows
    bad = int(fl.index[(fl["plant"] == "p2") & (fl["id"] == "gas")][0])
    fl.loc[bad, "carrier"] = "natural_gaz"
    res = run(_write(t, tmp_path / "tables"))
    places = dict(zip(res.errors["plant"], res.errors["place"], strict=True))
    assert places["p0"].startswith("scenarios row ")
    assert places["p2"] == f"flows row {bad + 2} (gas).carrier"
    assert set(res.results["plant"]) == {"p1"}


def test_a_duplicated_flow_id_fails_its_plant_only(tmp_path):
    """A duplicated flow id is its plant's problem: the other plants' changes still find flows."""
    t = tables_from_scenarios([recp.load(BASE)] * 3, ["p0", "p1", "p2"])
    fl = t.flows
    rows = fl.index[fl["plant"] == "p1"]
    fl.loc[rows[1], "id"] = fl.loc[rows[0], "id"]
    res = run(_write(t, tmp_path / "tables"))
    assert set(res.errors["plant"]) == {"p1"}
    assert res.errors["message"].str.startswith("duplicate flow id").any()
    assert set(res.results["plant"]) == {"p0", "p2"}


def test_parquet_chunk_without_rows_of_a_table(tmp_path):
    """A chunk whose plants have no interventions (nor scenarios rows) in Parquet tables."""
    t = tables_from_scenarios([recp.load(BASE)] * 4, [f"p{k}" for k in range(4)])
    t.interventions = t.interventions[t.interventions["plant"] == "p0"]
    t.scenarios = t.scenarios[t.scenarios["plant"] == "p0"]
    for name in NAMES:
        df = getattr(t, name)
        if len(df.columns):
            df.to_parquet(tmp_path / f"{name}.parquet", index=False)
    res = run(tmp_path, chunk_plants=2)
    assert len(res.errors) == 0
    assert list(dict.fromkeys(res.results["plant"])) == ["p0", "p1", "p2", "p3"]


@pytest.mark.parametrize("group", [1, 7, 40, 1000])
def test_consecutive_slices_are_the_rows_of_the_file(tmp_path, group):
    """Slices in order (a worker keeps the rest of a row group for the next) and a rewritten
    file at the same path read the rows of the file as it is now."""
    n = 300
    path = tmp_path / "flows.parquet"
    for version in range(2):
        flows = pa.table(
            {
                "plant": [f"p{i // 7}" for i in range(n)],
                "amount": np.arange(n, dtype=float) + version,
                "carrier": [None if i % 5 else f" c{(i + version) % 3} " for i in range(n)],
            }
        )
        pq.write_table(flows, path, row_group_size=group)
        bounds = [0, 1, 40, 41, 90, 200, 299, n]
        for a, b in itertools.pairwise(bounds):
            sl = TableSlice(
                {"flows": str(path)}, {"flows": str(path)}, {"flows": np.array([[a, b]])}
            )
            got = read_slice(sl).flows
            pd.testing.assert_frame_equal(got, flows.take(pa.array(range(a, b))).to_pandas())


_CELLS = [None, "", " ", "a", " a", "a ", "b", "B", "zz", "  zz", "c d"]


@pytest.mark.parametrize("strip", [True, False])
@pytest.mark.parametrize("default", ["", "none"])
def test_text_from_parquet_dictionaries_equals_text_from_strings(strip: bool, default: str) -> None:
    """Text.dictionary (Parquet's own dictionary pages) reads every row as Text.column of the
    decoded strings: nulls are the default, values stripped, texts equal once stripped share
    one code; its distinct values in dictionary order (then the default), unused ones absent."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from recp.rules import Text

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.sampled_from(_CELLS), max_size=30), st.lists(st.sampled_from(_CELLS[1:])))
    def check(rows: list[str | None], extra: list[str]) -> None:
        # a dictionary with values no row uses, as a row group's dictionary seen from a chunk
        values = list(dict.fromkeys([*extra, *(r for r in rows if r is not None)]))
        codes = [None if r is None else values.index(r) for r in rows]
        arr = pa.DictionaryArray.from_arrays(
            pa.array(codes, pa.int32()), pa.array(values, pa.string())
        )
        got = Text.dictionary(arr, default, strip)
        want = Text.column(pd.Series(rows, dtype=object), default, strip)
        assert [got.uniq[c] for c in got.codes] == [want.uniq[c] for c in want.codes]
        used = [values[k] for k in sorted({c for c in codes if c is not None})]
        if None in codes:
            used.append(default)
        norm = [u.strip() if strip else u for u in used]
        assert got.uniq == list(dict.fromkeys(norm))

    check()
