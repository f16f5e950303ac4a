"""Mercury and PCDD/F releases of processes (UNEP Toolkits): factors, engine, changes, errors."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recp
from recp.batch import assess_many
from recp.cli import main
from recp.errors import InputError
from recp.factors import library
from recp.models.finance import capital_recovery_factor
from recp.toolkits import HG_PATHWAYS, PCDDF_VECTORS, toolkit
from tests.strategies import FUZZ_EXAMPLES

BASE = {
    "plant": {"name": "Test recycler", "country": "EG"},
    "discount_rate": "8 %",
    "flows": [
        {"id": "elec", "type": "electricity", "amount": "100 MWh", "price": "60 USD/MWh"},
        {
            "id": "coal",
            "type": "fuel",
            "carrier": "bituminous_coal",
            "amount": "200 t",
            "price": "90 USD/t",
        },
        {"id": "mercury", "type": "material", "amount": "90 kg", "price": "150 USD/kg"},
    ],
    "processes": [
        {"id": "burning", "activity": "40 t", "pcdd_f": {"category": "2l", "class": 1}},
    ],
    "interventions": [],
}


def scenario(**parts) -> recp.Scenario:
    data = copy.deepcopy(BASE)
    for k, v in parts.items():
        data[k] = v
    return recp.loads(yaml.safe_dump(data, sort_keys=False))


def rows(a, indicator, scenario_name="baseline") -> dict[str, float]:
    t = a.table()
    t = t[(t.indicator == indicator) & (t.scenario == scenario_name)]
    return dict(zip(t.component, t.value, strict=True))


# -- factor tables -------------------------------------------------------------------------------


def test_pcddf_toolkit_values_pinned():
    # UNEP/Stockholm Convention Dioxin Toolkit, January 2013, Part III Annex 27 (source category
    # 2l, 'Derivation of emission factors - Release to Air'): new factors proposed for class 1
    # (open burning of cables) and class 2 (open burning of circuit boards): 12,000 and
    # 100 ug TEQ/t of material burned.
    lib = library()
    f1 = lib.get("pcddf-toolkit-2013:2l.1:air")
    f2 = lib.get("pcddf-toolkit-2013:2l.2:air")
    assert (f1.value, f1.unit) == (12000.0, "ug TEQ/t")
    assert (f2.value, f2.unit) == (100.0, "ug TEQ/t")
    assert "Annex 27" in f1.source and "2013" in f1.source
    t = lib.table("pcddf-toolkit-2013")
    for key, row in t.rows.items():
        assert row["edition"] and row["source_row"] and row["class_text"], key
        # the two rows carry the caution recorded when they were read
        assert "Part II" in row["caution"], key


def test_toolkit_tables_parse_and_mercury_distributions_sum_to_one():
    pc = toolkit("pcdd_f")
    for rid, row in pc.rows.items():
        assert set(row.values) == set(PCDDF_VECTORS)
        assert all(v is None or v >= 0 for v in row.values.values()), rid
    hg = toolkit("mercury")
    for rid, raw in hg.raw.items():
        shares = [raw.get(p) for p in HG_PATHWAYS]
        if any(str(s).strip().upper() == "ND" for s in shares):
            continue
        total = sum(float(s) for s in shares if s not in (None, "", "NA"))
        assert math.isclose(total, 1.0, abs_tol=1e-6), f"{rid}: distribution sums to {total}"


def test_factors_list_source_shows_both_toolkits(capsys):
    assert main(["factors", "list", "--source"]) == 0
    out = capsys.readouterr().out
    assert "pcddf-toolkit-2013" in out and "January 2013 edition" in out
    assert "hg-toolkit" in out and "Level 2, Version 1.5" in out


# -- the engine ------------------------------------------------------------------------------


def test_pcddf_release_is_activity_times_factor():
    a = recp.assess(scenario())
    r = rows(a, "pcdd_f")
    # 40 t x 12,000 ug TEQ/t = 480,000 ug = 0.48 g TEQ, all to air
    assert r["air"] == pytest.approx(0.48)
    assert r["total"] == pytest.approx(0.48)
    assert r["environment"] == pytest.approx(0.48)
    unit = set(a.table().query("indicator == 'pcdd_f'").unit)
    assert unit == {"g TEQ"}
    used = {f["id"] for f in a.to_dict()["factors"]}
    assert "pcddf-toolkit-2013:2l.1:air" in used
    # no process, no release rows
    plain = recp.assess(scenario(processes=[]))
    assert not set(plain.table().indicator) & {"mercury", "pcdd_f"}


def test_untranscribed_vectors_warn_and_are_not_zero_rows():
    a = recp.assess(scenario())
    msgs = [w["message"] for w in a.warnings() if w["code"] == "release_not_quantified"]
    assert any("water, land, product, residue" in m and "not zero" in m for m in msgs)
    assert "residue" not in rows(a, "pcdd_f")
    assert any(w["code"] == "factor_caution" for w in a.warnings())


def test_nd_vector_gives_a_warning_na_gives_zero():
    proc = [
        {
            "id": "kiln",
            "activity": "1000 t",
            "pcdd_f": {
                "emission_factors": {
                    "air": "5 ug TEQ/t",
                    "water": "ND",
                    "land": "NA",
                    "product": "NA",
                    "residue": "1 ug TEQ/t",
                },
                "source": "test values",
            },
        }
    ]
    a = recp.assess(scenario(processes=proc))
    r = rows(a, "pcdd_f")
    assert r["air"] == pytest.approx(0.005) and r["residue"] == pytest.approx(0.001)
    assert r["land"] == 0 and r["product"] == 0
    assert "water" not in r
    nd = [w["message"] for w in a.warnings() if w["code"] == "release_not_quantified"]
    assert len(nd) == 1 and "(ND) for water" in nd[0] and "kiln" in nd[0]
    assert r["total"] == pytest.approx(0.006) and r["environment"] == pytest.approx(0.005)


def test_class_change_moves_each_vector_by_the_factor_ratio():
    iv = [
        {
            "id": "up",
            "category": "technology change",
            "capex": "1000 USD",
            "lifetime": "5 year",
            "changes": [{"process": "burning", "pcdd_f": {"class": 2}}],
        }
    ]
    a = recp.assess(scenario(interventions=iv))
    before, after = rows(a, "pcdd_f"), rows(a, "pcdd_f", "all")
    # Toolkit 2l class 2 / class 1 = 100 / 12,000
    assert after["air"] / before["air"] == pytest.approx(100 / 12000, rel=1e-12)
    assert after["total"] / before["total"] == pytest.approx(100 / 12000, rel=1e-12)


def test_cross_media_shift_is_not_a_reduction():
    proc = [
        {
            "id": "inc",
            "activity": "100 t",
            "pcdd_f": {
                "emission_factors": {"air": "400 ug TEQ/t", "residue": "30 ug TEQ/t"},
                "source": "a",
            },
        }
    ]
    iv = [
        {
            "id": "apc",
            "category": "equipment modification",
            "capex": "50000 USD",
            "lifetime": "10 year",
            "changes": [
                {
                    "process": "inc",
                    "pcdd_f": {
                        "emission_factors": {"air": "20 ug TEQ/t", "residue": "400 ug TEQ/t"},
                        "source": "b",
                    },
                }
            ],
        }
    ]
    a = recp.assess(scenario(processes=proc, interventions=iv))
    sv = a.savings_table().query("indicator == 'pcdd_f' and basis == 'standalone'")
    s = dict(zip(sv.component, sv.value, strict=True))
    # air: 100 t x (400 - 20) ug = 0.038 g less; residue: 100 t x (30 - 400) = 0.037 g more
    assert s["air"] == pytest.approx(0.038)
    assert s["residue"] == pytest.approx(-0.037)
    assert s["environment"] == pytest.approx(0.038)
    # the reduction is the fall of the total: 0.043 - 0.042 = 0.001 g TEQ
    assert s["total"] == pytest.approx(0.001)
    eco = a.economics_table().query("intervention == 'apc' and basis == 'standalone'").iloc[0]
    assert eco["pcdd_f_avoided_g_teq_per_year"] == pytest.approx(0.001)
    # cost per g TEQ avoided = (capex x CRF(8 %, 10 y) - annual saving) / g TEQ avoided
    crf = float(capital_recovery_factor(0.08, 10))
    assert eco["cost_per_g_teq"] == pytest.approx(50000 * crf / 0.001)


def test_mercury_from_a_linked_flow_follows_its_changes():
    proc = [
        {
            "id": "amalgam",
            "flow": "mercury",
            "mercury": {
                "input_factor": "1 kg/kg",
                "distribution": {"air": 0.35, "land": 0.65},
                "source": "test split",
            },
        }
    ]
    iv = [
        {
            "id": "retorts",
            "category": "on-site recovery and reuse",
            "capex": "2000 USD",
            "lifetime": "5 year",
            "changes": [{"flow": "mercury", "by": "-30 %"}],
        },
        {
            "id": "less",
            "category": "good housekeeping",
            "changes": [{"flow": "mercury", "by": "-13 kg"}],
        },
    ]
    a = recp.assess(scenario(processes=proc, interventions=iv))
    b = rows(a, "mercury")
    assert b["total"] == pytest.approx(90.0)
    assert b["air"] == pytest.approx(31.5) and b["land"] == pytest.approx(58.5)
    end = rows(a, "mercury", "all")
    assert end["total"] == pytest.approx(90 * 0.7 - 13)  # -30 % then -13 kg: 50 kg
    eco = a.economics_table().query("intervention == 'retorts' and basis == 'in_sequence'")
    assert eco.iloc[0]["mercury_avoided_kg_per_year"] == pytest.approx(27.0)
    crf = float(capital_recovery_factor(0.08, 5))
    saving = 27 * 150.0  # mercury not bought
    assert eco.iloc[0]["cost_per_kg_hg"] == pytest.approx((2000 * crf - saving) / 27)


def test_coal_fuel_drives_ghg_and_mercury_together():
    proc = [
        {
            "id": "boiler",
            "fuel": "coal",
            "mercury": {
                "input_factor": "0.15 g/t",
                "distribution": {"air": 0.8, "general_waste": 0.2},
                "source": "test",
            },
        }
    ]
    iv = [
        {
            "id": "eff",
            "category": "better process control",
            "changes": [{"flow": "coal", "to": "150 t"}],
        }
    ]
    a = recp.assess(scenario(processes=proc, interventions=iv))
    assert rows(a, "mercury")["total"] == pytest.approx(200 * 0.15e-3)
    assert rows(a, "mercury", "all")["total"] == pytest.approx(150 * 0.15e-3)
    assert rows(a, "mercury")["environment"] == pytest.approx(200 * 0.15e-3 * 0.8)


def test_activity_change_after_class_change_applies_to_the_new_class():
    iv = [
        {
            "id": "up",
            "category": "technology change",
            "changes": [{"process": "burning", "pcdd_f": {"class": 2}}],
        },
        {
            "id": "seg",
            "category": "good housekeeping",
            "changes": [{"process": "burning", "to": "25 t"}],
        },
    ]
    a = recp.assess(scenario(interventions=iv, scenarios={"s": ["up", "seg"], "t": ["seg", "up"]}))
    for name in ("s", "t"):
        assert rows(a, "pcdd_f", name)["air"] == pytest.approx(25 * 100e-6)
    stand = a.savings_table().query(
        "intervention == 'seg' and basis == 'standalone' and "
        "indicator == 'pcdd_f' and component == 'air'"
    )
    assert stand.value.iloc[0] == pytest.approx(15 * 12000e-6)


def test_absolute_activity_change_after_another_is_refused():
    iv = [
        {
            "id": "up",
            "category": "technology change",
            "changes": [{"process": "burning", "pcdd_f": {"class": 2}}],
        },
        {
            "id": "a",
            "category": "good housekeeping",
            "changes": [{"process": "burning", "by": "-10 %"}],
        },
        {
            "id": "b",
            "category": "good housekeeping",
            "changes": [{"process": "burning", "to": "25 t"}],
        },
    ]
    with pytest.raises(InputError) as e:
        scenario(interventions=iv)
    msg = str(e.value)
    assert "interventions[2].changes[0]" in msg and "relative" in msg


def test_batch_equals_single_plant_with_processes(tmp_path):
    proc = [
        {"id": "burning", "activity": "40 t", "pcdd_f": {"category": "2l", "class": 1}},
        {
            "id": "amalgam",
            "flow": "mercury",
            "mercury": {
                "input_factor": "1 kg/kg",
                "distribution": {"air": 0.35, "land": 0.65},
                "source": "t",
            },
        },
    ]
    iv = [
        {
            "id": "up",
            "category": "technology change",
            "capex": "1000 USD",
            "lifetime": "5 year",
            "changes": [
                {"process": "burning", "pcdd_f": {"class": 2}},
                {"process": "burning", "by": "-20 %"},
            ],
        },
        {
            "id": "ret",
            "category": "on-site recovery and reuse",
            "capex": "500 USD",
            "lifetime": "3 year",
            "changes": [{"flow": "mercury", "by": "-30 %"}],
        },
    ]
    data = copy.deepcopy(BASE) | {
        "processes": proc,
        "interventions": iv,
        "scenarios": {"a": ["up", "ret"], "b": ["ret"]},
    }
    files = []
    for k in range(3):
        d = copy.deepcopy(data)
        d["flows"][2]["amount"] = f"{90 + 10 * k} kg"
        f = tmp_path / f"p{k}.yaml"
        f.write_text(yaml.safe_dump(d, sort_keys=False))
        files.append(f)
    res = assess_many(files)
    assert len(res.errors) == 0
    for k, f in enumerate(files):
        a = recp.assess(recp.load(f))
        single = pd.DataFrame(a.results())
        got = res.results[res.results.plant == f"p{k}"].reset_index(drop=True)
        np.testing.assert_allclose(
            got.value.to_numpy(float), single.value.to_numpy(float), rtol=1e-12, atol=1e-12
        )
        eco_s = pd.DataFrame(a.economics())
        eco_b = res.economics[res.economics.plant == f"p{k}"].reset_index(drop=True)
        for col in (
            "pcdd_f_avoided_g_teq_per_year",
            "cost_per_g_teq",
            "mercury_avoided_kg_per_year",
            "cost_per_kg_hg",
        ):
            np.testing.assert_allclose(
                eco_b[col].to_numpy(float),
                pd.to_numeric(eco_s[col]).to_numpy(float),
                rtol=1e-11,
                err_msg=col,
            )


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "proc, place, words",
    [
        (
            {"id": "b", "activity": "40 t", "pcdd_f": {"category": "2L1", "class": 1}},
            "processes[0].pcdd_f.category",
            "did you mean '2l'",
        ),
        (
            {"id": "b", "activity": "40 t", "pcdd_f": {"category": "2l", "class": 7}},
            "processes[0].pcdd_f.class",
            "valid: 1, 2",
        ),
        (
            {"id": "b", "activity": "40 m3", "pcdd_f": {"category": "2l", "class": 1}},
            "processes[0].activity",
            "m3' does not convert to t: the PCDD/F factor (2l",
        ),
        ({"id": "b", "activity": "40 t"}, "processes[0]", "needs 'mercury' and/or 'pcdd_f'"),
        (
            {"id": "b", "flow": "coals", "pcdd_f": {"category": "2l", "class": 1}},
            "processes[0].flow",
            "did you mean 'coal'",
        ),
        (
            {"id": "b", "activity": "3 kg", "mercury": {"category": "asgm"}},
            "processes[0].mercury.category",
            "has several technologies: give 'technology', one of 'telmer_veiga_2009'",
        ),
        (
            {
                "id": "b",
                "activity": "3 kg",
                "mercury": {"input_factor": "1 kg/kg", "distribution": {"air": 0.5, "soil": 0.5}},
            },
            "processes[0].mercury.distribution.soil",
            "valid: air, general_waste, land",
        ),
        (
            {
                "id": "b",
                "activity": "3 kg",
                "mercury": {"input_factor": "1 kg/kg", "distribution": {"air": 0.5, "land": 0.4}},
            },
            "processes[0].mercury.distribution",
            "sum to 0.9",
        ),
        (
            {
                "id": "b",
                "activity": "3 kg",
                "mercury": {"input_factor": "1 kg/m3", "distribution": {"air": 1}},
            },
            "processes[0].mercury.input_factor",
            "not a mass of mercury per t",
        ),
    ],
)
def test_bad_processes_name_the_place(proc, place, words):
    with pytest.raises(InputError) as e:
        scenario(processes=[proc])
    probs = e.value.problems
    assert any(p.place == place and words in p.message for p in probs), [
        (p.place, p.message) for p in probs
    ]


def class_change_file(folder, process: str):
    """A scenario file whose one intervention moves ``process`` to PCDD/F class 2."""
    iv = [
        {
            "id": "up",
            "category": "technology change",
            "changes": [{"process": process, "pcdd_f": {"class": 2}}],
        }
    ]
    f = folder / "s.yaml"
    f.write_text(yaml.safe_dump(copy.deepcopy(BASE) | {"interventions": iv}, sort_keys=False))
    return f


def test_change_of_unknown_process_and_cli_exit_code(tmp_path, capsys):
    f = class_change_file(tmp_path, "burnin")
    assert main(["assess", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "interventions[0].changes[0].process" in err[0]
    assert "did you mean 'burning'" in err[0]
    assert "Traceback" not in err[0]


def test_json_contract_rows_per_vector_and_intervention(tmp_path, capsys):
    f = class_change_file(tmp_path, "burning")
    assert main(["assess", str(f), "--format", "json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    comps = {r["component"] for r in doc["results"] if r["indicator"] == "pcdd_f"}
    assert comps == {"total", "environment", "air"}
    sav = [r for r in doc["savings"] if r["indicator"] == "pcdd_f" and r["intervention"] == "up"]
    assert {r["basis"] for r in sav} == {"in_sequence", "standalone"}
    assert all(r["unit"] == "g TEQ" for r in sav)


# -- fuzz: any process spec gives results or located input errors, nothing else -------------------


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "40 t",
            "-3 t",
            "12 kg",
            "1e400 t",
            "3 m3",
            "ND",
            "NA",
            "",
            "474 ug TEQ/t",
            "1 kg/kg",
            "0.1 g/t",
            "abc",
            "5 TEQ",
            "1 ug TEQ/m3",
            "2l",
            "1c",
            "asgm",
            "coal",
            "mercury",
        ]
    ),
    st.lists(st.integers(0, 3), max_size=2),
)
_SPEC = st.dictionaries(
    st.sampled_from(
        [
            "category",
            "class",
            "technology",
            "input_factor",
            "distribution",
            "emission_factors",
            "source",
            "x",
        ]
    ),
    st.one_of(
        _VALUES,
        st.dictionaries(
            st.sampled_from(["air", "water", "land", "residue", "soil", "general_waste"]),
            _VALUES,
            max_size=4,
        ),
    ),
    max_size=4,
)
_PROC = st.fixed_dictionaries(
    {"id": st.sampled_from(["p", "burning", " q"])},
    optional={
        "activity": _VALUES,
        "flow": _VALUES,
        "fuel": _VALUES,
        "mercury": _SPEC,
        "pcdd_f": _SPEC,
    },
)
_CHANGE = st.fixed_dictionaries(
    {"process": st.sampled_from(["p", "burning", "zz"])},
    optional={"by": _VALUES, "to": _VALUES, "mercury": _SPEC, "pcdd_f": _SPEC, "flow": _VALUES},
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(procs=st.lists(_PROC, max_size=3), changes=st.lists(_CHANGE, max_size=3))
def test_fuzz_processes_give_results_or_located_errors(procs, changes):
    data = copy.deepcopy(BASE) | {"processes": procs}
    if changes:
        data["interventions"] = [{"id": "i", "category": "technology change", "changes": changes}]
    try:
        text = yaml.safe_dump(data, sort_keys=False)
    except yaml.YAMLError:
        return
    try:
        a = recp.assess(recp.loads(text))
    except InputError as e:
        assert e.problems and all(p.message and "\n" not in p.message for p in e.problems)
        return
    vals = a.table().value.to_numpy(float)
    assert np.all(np.isfinite(vals[~np.isnan(vals)]))
