"""Processes on cited defaults: guidebook categories, Toolkit classes, PCB and HCB, ASGM, products.

Hand calculations: release = activity x factor (x (1 - abatement efficiency)), per vector. The
guidebook values are those of the EMEP/EEA air pollutant emission inventory guidebook 2023 as
held in the EEA emission factor database export of 2026-02-07 (factors/emep-eea-2023-ef.csv; the
table and export line are in each comment); the Toolkit values are the quoted ones of
factors/pcddf-toolkit-2013.csv and dlpcb-toolkit-2013.csv.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

import recp
from recp.cli import main
from recp.errors import InputError
from recp.factors import library
from recp.toolkits import guidebook, read_own_tables

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "docs" / "examples" / "own-factors"

BASE = {
    "plant": {"name": "Test plant", "country": "MD"},
    "discount_rate": "8 %",
    "flows": [
        {"id": "elec", "type": "electricity", "amount": "100 MWh", "price": "60 USD/MWh"},
        {
            "id": "coal",
            "type": "fuel",
            "carrier": "bituminous_coal",
            "amount": "1000 t",
            "price": "90 USD/t",
        },
    ],
    "processes": [],
    "interventions": [],
}


def scenario(**parts) -> recp.Scenario:
    data = copy.deepcopy(BASE)
    data.update(parts)
    return recp.loads(yaml.safe_dump(data, sort_keys=False))


def rows(a, indicator, scenario_name="baseline") -> dict[str, float]:
    t = a.table()
    t = t[(t.indicator == indicator) & (t.scenario == scenario_name)]
    return dict(zip(t.component, t.value, strict=True))


def close(x, y):
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0)


# -- one default per guidebook chapter the category map uses ------------------------------------

# (category, technology, activity, indicator, expected release to air in the indicator's unit)
CHAPTERS = [
    # 1.A.1.a Table 3-2 hard coal, Tier 1, Hg 1.4 mg/GJ (US EPA 1998; export line 49)
    ("coal_utility_boiler", "hard_coal", "1000 GJ", "mercury", 1000 * 1.4e-6),
    # 1.A.1.a Table 3-2 hard coal, PCB 3.3 ng WHO-TEQ/GJ: dioxin-like PCB in TEQ (line 42)
    ("coal_utility_boiler", "hard_coal", "1000 GJ", "dl_pcb", 1000 * 3.3e-9),
    # 1.A.2 Table 3-25 cement, Hg 0.049 g/t clinker (European Commission 2010; line 1422)
    ("cement_kiln", "kiln", "1000 t", "mercury", 1000 * 0.049e-3),
    # 1.A.2 Table 3-25 cement, PCB 103 ug/t clinker (a mass of PCB)
    ("cement_kiln", "kiln", "1000 t", "pcb", 1000 * 103e-6),
    # 1.A.2 Table 3-25 cement, HCB 4.6 ug/t clinker
    ("cement_kiln", "kiln", "1000 t", "hcb", 1000 * 4.6e-6),
    # 1.B.1.b Table 3-1 coke, PCDD/F 3 ug I-TEQ/t coke, UNEP (2005) (line 10934)
    ("coke_oven", None, "100 t", "pcdd_f", 100 * 3e-6),
    # 1.B.2.a.iv Table 3-4 fluid coking, Hg 0.03 g/m3 fresh feed (line 10948)
    ("oil_refinery", "fluid_coking", "100 m3", "mercury", 100 * 0.03e-3),
    # 2.A.3 Table 3-1 glass, Hg 0.003 g/t (line 11200)
    ("glass", "tier1", "1000 t", "mercury", 1000 * 0.003e-3),
    # 2.B.10.a Table 3-32 mercury cell chlor-alkali, Hg 4.8 g/t, Theloke et al. 2008 (line 11386)
    ("chlor_alkali", None, "10 t", "mercury", 10 * 4.8e-3),
    # 2.C.1 Table 3-19 electric arc furnace, Hg 0.076 g/t steel (line 11575)
    ("eaf_steel", "table_3_19", "1000 t", "mercury", 1000 * 0.076e-3),
    # 2.C.3 Table 3-4 secondary aluminium, PCDD/F 35 ug I-TEQ/t, UNEP (2005) (line 11810)
    ("secondary_aluminium", None, "100 t", "pcdd_f", 100 * 35e-6),
    # 2.C.5 Table 3-4 secondary lead, PCDD/F 8 ug I-TEQ/t, UNEP (2005) (line 11899)
    ("lead", "secondary", "100 t", "pcdd_f", 100 * 8e-6),
    # 2.C.6 Table 3-4 secondary zinc, PCDD/F 100 ug I-TEQ/t, UNEP (2005) (line 12052)
    ("zinc", "secondary", "100 t", "pcdd_f", 100 * 100e-6),
    # 2.C.7.a Table 3-3 secondary copper, PCDD/F 50 ug I-TEQ/t, UNEP (2005) (line 12132)
    ("copper", "secondary", "100 t", "pcdd_f", 100 * 50e-6),
    # 5.C.1.a Table 3-2 MSW incineration, no abatement, PCDD/F 3.5 mg I-TEQ/t (line 12633)
    ("municipal_waste_incineration", "uncontrolled", "100 t", "pcdd_f", 100 * 3.5e-3),
    # 5.C.1.b.i Table 3-1 industrial waste incineration, PCDD/F 10 ug I-TEQ/t (line 12717)
    ("industrial_waste_incineration", None, "100 t", "pcdd_f", 100 * 10e-6),
    # 5.C.1.b.iii Table 3-2 clinical waste, controlled air, Hg 54 g/t, US EPA 1995 (line 12733)
    ("medical_waste_incineration", "controlled_air_us", "10 t", "mercury", 10 * 54e-3),
    # 5.C.1.b.iv Table 3-2 sewage sludge incineration, Hg 2.3 g/t (line 12797)
    ("sewage_sludge_incineration", None, "100 t", "mercury", 100 * 2.3e-3),
    # 5.C.1.b.v Table 3-1 cremation, Hg 1.49 g/body, WebFIRE 1992 (line 12816)
    ("crematoria", None, "500 piece", "mercury", 500 * 1.49e-3),
    # 5.C.2 Table 3-1 open burning of waste, PCDD/F 10 ug I-TEQ/t (line 12874)
    ("open_burning_waste", None, "20 t", "pcdd_f", 20 * 10e-6),
    # 5.E Table 3-2 detached house fire, Hg 0.85 g/fire, Aasestad 2007 (line 12918)
    ("accidental_fires", "detached_house", "4 piece", "mercury", 4 * 0.85e-3),
]


@pytest.mark.parametrize(("category", "tech", "activity", "indicator", "air"), CHAPTERS)
def test_guidebook_default_per_chapter(category, tech, activity, indicator, air):
    proc = {"id": "p", "activity": activity, "category": category}
    if tech:
        proc["technology"] = tech
    a = recp.assess(scenario(processes=[proc]))
    got = rows(a, indicator)
    assert close(got["air"], air)
    assert close(got["total"], air) and close(got["environment"], air)
    for vector in ("water", "land", "product", "residue"):  # air factors only: ND, not zero
        assert vector not in got
    warned = [w["message"] for w in a.to_dict()["warnings"]]
    assert any("the guidebook gives no factor (ND)" in m and "'p'" in m for m in warned)


def test_fuel_linked_process_converts_tonnes_with_the_ncv():
    # 1000 t bituminous coal x 25.8 GJ/t (IPCC 2006 Vol. 2 Table 1.2 default NCV) = 25,800 GJ;
    # 1.A.1.a Table 3-2 hard coal: Hg 1.4 mg/GJ, PCDD/F 10 ng I-TEQ/GJ, HCB 6.7 ug/GJ
    sc = scenario(processes=[{"id": "b", "fuel": "coal", "category": "coal_utility_boiler"}])
    a = recp.assess(sc)
    assert close(rows(a, "mercury")["air"], 25800 * 1.4e-6)
    assert close(rows(a, "pcdd_f")["air"], 25800 * 10e-9)
    assert close(rows(a, "hcb")["air"], 25800 * 6.7e-6)
    used = {f["id"] for f in a.to_dict()["factors"]}
    assert "ipcc2006-fuels:bituminous_coal:ncv" in used
    assert "emep-eea-2023-ef:1.A.1.a/T3-2/hg:air" in used


def test_fuel_change_moves_every_release():
    sc = scenario(
        processes=[{"id": "b", "fuel": "coal", "category": "coal_utility_boiler"}],
        interventions=[
            {
                "id": "less",
                "category": "good housekeeping",
                "changes": [{"flow": "coal", "by": "-20 %"}],
                "capex": "1000 USD",
                "lifetime": "5 year",
            }
        ],
    )
    a = recp.assess(sc)
    for ind in ("mercury", "pcdd_f", "dl_pcb", "hcb"):
        assert close(rows(a, ind, "all")["air"], 0.8 * rows(a, ind)["air"]), ind
    e = next(r for r in a.economics() if r["intervention"] == "less")
    assert close(e["hcb_avoided_g_per_year"], 0.2 * rows(a, "hcb")["air"])
    assert close(e["dl_pcb_avoided_g_teq_per_year"], 0.2 * rows(a, "dl_pcb")["air"])
    assert e["pcb_avoided_g_per_year"] is None  # no mass-PCB row for hard coal


def test_abatement_applies_the_guidebook_efficiency_and_keeps_bounds():
    # 5.C.1.a Table 3-2 (no abatement) PCDD/F 3.5 mg I-TEQ/t, bounds 2-7 (line 12633); Table 3-3
    # 'controlled combustion; good APC system' efficiency 0.99, bounds 0.97-0.997 (line 12674)
    rows_ = guidebook().rows(
        "municipal_waste_incineration", "uncontrolled", ["controlled_combustion_good_apc_system"]
    )
    r = rows_["pcdd_f"]
    assert close(r.values["air"], 3.5e-3 * (1 - 0.99))
    lo, hi = r.bounds["air"]
    assert close(lo, 2e-3 * (1 - 0.997)) and close(hi, 7e-3 * (1 - 0.97))
    assert {f.id for f in r.factors} == {
        "emep-eea-2023-ef:5.C.1.a/T3-2/pcdd_f:air",
        "emep-eea-2023-abatement:5.C.1.a/T3-3/pcdd_f/controlled_combustion_good_apc_system:efficiency",
    }
    # the other kinds keep their unabated factor (no efficiency for them under this name)
    assert close(
        rows_["mercury"].values["air"],
        guidebook().rows("municipal_waste_incineration", "uncontrolled")["mercury"].values["air"],
    )


def test_every_guidebook_row_keeps_its_bounds():
    gb = guidebook()
    for key, cat in gb.categories.items():
        for var in cat["variants"]:
            for kind, row in gb.rows(key, str(var["key"])).items():
                if row.status.get("air") != "value":
                    continue
                ef = gb.ef.rows[row.factors[0].id.split(":")[1]]
                if ef.get("air_lower") is None:
                    assert "air" not in row.bounds
                    continue
                lo, hi = row.bounds["air"]
                scale = row.values["air"] / row.factors[0].value
                assert close(lo, float(ef["air_lower"]) * scale), (key, var["key"], kind)
                assert close(hi, float(ef["air_upper"]) * scale), (key, var["key"], kind)


def test_abatement_change_cuts_the_release_to_air():
    sc = scenario(
        processes=[
            {
                "id": "mwi",
                "activity": "1000 t",
                "category": "municipal_waste_incineration",
                "technology": "uncontrolled",
            }
        ],
        interventions=[
            {
                "id": "apc",
                "category": "technology change",
                "changes": [
                    {
                        "process": "mwi",
                        "abatement": [
                            "controlled_combustion_good_apc_system",
                            "particle_and_acid_gas_abatement",
                        ],
                    }
                ],
                "capex": "1000000 USD",
                "lifetime": "15 year",
            }
        ],
    )
    a = recp.assess(sc)
    # 5.C.1.a Table 3-3: PCDD/F 0.99 (line 12674), Hg 0.607 (line 12647)
    assert close(rows(a, "pcdd_f", "all")["air"], rows(a, "pcdd_f")["air"] * (1 - 0.99))
    assert close(rows(a, "mercury", "all")["air"], rows(a, "mercury")["air"] * (1 - 0.607))
    assert close(rows(a, "hcb", "all")["air"], rows(a, "hcb")["air"])  # not abated by these
    e = next(r for r in a.economics() if r["intervention"] == "apc")
    assert e["cost_per_g_teq"] is not None and e["cost_per_g_teq"] > 0


def test_technology_change_moves_each_vector_by_the_factor_ratio():
    # 1.A.4 small combustion, coal boilers: medium 1-50 MWth vs advanced automatic < 1 MWth
    gb = guidebook()
    old = gb.rows("coal_small_boiler", "boiler_1_50mw")
    new = gb.rows("coal_small_boiler", "automatic_lt1mw")
    sc = scenario(
        processes=[
            {
                "id": "b",
                "activity": "1000 GJ",
                "category": "coal_small_boiler",
                "technology": "boiler_1_50mw",
            }
        ],
        interventions=[
            {
                "id": "stoker",
                "category": "technology change",
                "changes": [{"process": "b", "technology": "automatic_lt1mw"}],
                "capex": "1000 USD",
                "lifetime": "5 year",
            }
        ],
    )
    a = recp.assess(sc)
    for kind in ("mercury", "pcdd_f", "pcb", "hcb"):
        ratio = new[kind].values["air"] / old[kind].values["air"]
        assert close(rows(a, kind, "all")["air"], rows(a, kind)["air"] * ratio), kind


def test_toolkit_class_change_moves_each_vector_by_the_factor_ratio():
    # Toolkit 2013 Table II.1.5 (1c), as quoted: class 1 air 40,000 / residue 200; class 3 air
    # 525 / residue 920 ug TEQ/t. Mercury, PCB, HCB from the guidebook (5.C.1.b.iii Tier 1).
    sc = scenario(
        processes=[
            {
                "id": "inc",
                "activity": "110 t",
                "category": "medical_waste_incineration",
                "pcdd_f": {"category": "1c", "class": 1},
            }
        ],
        interventions=[
            {
                "id": "up",
                "category": "technology change",
                "changes": [{"process": "inc", "pcdd_f": {"class": 3}}],
                "capex": "1000 USD",
                "lifetime": "5 year",
            }
        ],
    )
    a = recp.assess(sc)
    base, after = rows(a, "pcdd_f"), rows(a, "pcdd_f", "all")
    assert close(base["air"], 110 * 40000e-6) and close(base["residue"], 110 * 200e-6)
    assert close(after["air"], base["air"] * 525 / 40000)
    assert close(after["residue"], base["residue"] * 920 / 200)
    # 5.C.1.b.iii Table 3-1 Tier 1: Hg 33 g/t, PCB 0.02 g/t, HCB 0.1 g/t (lines 12749, 12760,
    # 12762): unchanged by the class
    assert close(rows(a, "mercury")["air"], 110 * 33e-3)
    assert close(rows(a, "pcb")["air"], 110 * 0.02) and close(rows(a, "hcb")["air"], 110 * 0.1)
    assert close(rows(a, "hcb", "all")["air"], rows(a, "hcb")["air"])


def test_all_nd_kinds_warn_and_show_no_zero():
    # gas-fired heat plant: the guidebook has Hg only (1.A.1.a Table 3-4, 0.1 mg/GJ, line 5)
    a = recp.assess(
        scenario(processes=[{"id": "g", "activity": "1000 GJ", "category": "gas_utility"}])
    )
    assert close(rows(a, "mercury")["air"], 1000 * 0.1e-6)
    for kind in ("pcdd_f", "pcb", "hcb"):
        assert rows(a, kind) == {}, kind  # not quantified: no row, never a zero
    warned = " | ".join(w["message"] for w in a.to_dict()["warnings"])
    for label in ("PCDD/F", "PCB", "HCB"):
        assert f"gives no {label} factor for this category" in warned


def test_dioxin_like_pcb_toolkit_row_and_own_hcb_factor():
    # Toolkit 2013 Annex 27 Table III.27.1, 2l class 1: dioxin-like PCB 400 ug TEQ/t to air
    sc = scenario(
        processes=[
            {
                "id": "cable",
                "activity": "60 t",
                "pcdd_f": {"category": "2l", "class": 1},
                "dl_pcb": {"category": "2l", "class": 1},
                "hcb": {"emission_factors": {"air": "2 mg/t", "residue": "ND"}, "source": "own"},
            }
        ]
    )
    a = recp.assess(sc)
    assert close(rows(a, "dl_pcb")["air"], 60 * 400e-6)
    assert close(rows(a, "pcdd_f")["air"], 60 * 12000e-6)
    assert close(rows(a, "hcb")["air"], 60 * 2e-3)


def test_asgm_and_products_mercury():
    # Cheng et al. 2023 medians: 615/520 = 1.18 kg Hg emitted per kg Au; Telmer & Veiga 2009:
    # 0.35 of releases to air. Fever thermometer 1 g Hg (as quoted), split given by the process.
    sc = scenario(
        processes=[
            {
                "id": "asgm",
                "activity": "30 kg",
                "mercury": {"category": "asgm", "technology": "cheng_2023"},
            },
            {
                "id": "thermometers",
                "activity": "2000 piece",
                "mercury": {
                    "category": "products",
                    "technology": "typical.fever_thermometer",
                    "distribution": {"general_waste": 0.9, "air": 0.1},
                    "source": "own estimate",
                },
            },
        ]
    )
    a = recp.assess(sc)
    hg = rows(a, "mercury")
    assert close(hg["air"], 30 * 1.18 * 0.35 + 2000 * 1e-3 * 0.1)
    assert close(hg["general_waste"], 2000 * 1e-3 * 0.9)
    assert hg["water"] == 0.0  # the thermometers' own split gives water no share
    warned = " | ".join(w["message"] for w in a.to_dict()["warnings"])
    assert (
        "process 'asgm' (mercury, hg-asgm-literature asgm.cheng_2023): the source gives no "
        in warned
    )


@pytest.mark.parametrize(
    ("proc", "place", "words"),
    [
        (
            {"id": "p", "activity": "1 t", "category": "cement kil"},
            "processes[0].category",
            "did you mean 'cement_kiln'",
        ),
        (
            {
                "id": "p",
                "activity": "1 GJ",
                "category": "coal_utility_boiler",
                "technology": "hardcoal",
            },
            "processes[0].technology",
            "did you mean 'hard_coal'",
        ),
        (
            {
                "id": "p",
                "activity": "1 t",
                "category": "municipal_waste_incineration",
                "technology": "uncontrolled",
                "abatement": "good apc",
            },
            "processes[0].abatement",
            "has no abatement 'good apc'",
        ),
        (
            {
                "id": "p",
                "activity": "1 t",
                "category": "municipal_waste_incineration",
                "abatement": "particle_and_acid_gas_abatement",
            },
            "processes[0].abatement",
            "applies to the technologies uncontrolled, not 'tier1'",
        ),
        (
            {"id": "p", "activity": "1 t", "category": "lime"},
            "processes[0].category",
            "no guidebook factor",
        ),
        (
            {"id": "p", "activity": "1 GJ", "technology": "hard_coal"},
            "processes[0].technology",
            "needs the 'category'",
        ),
        (
            {"id": "p", "activity": "1 t", "category": "coal_utility_boiler"},
            "processes[0].activity",
            "does not convert to GJ",
        ),
    ],
)
def test_bad_defaults_name_the_closest_valid_one(proc, place, words):
    with pytest.raises(InputError) as e:
        scenario(processes=[proc])
    probs = [(p.place, p.message) for p in e.value.problems]
    assert any(pl == place and words in m for pl, m in probs), probs


# -- a consultant's own factor tables ------------------------------------------------------------


def test_scenario_factors_key_loads_own_tables(tmp_path):
    # the worked example of docs/scenario-format.md: Gao et al. 2009 474 ug I-TEQ/t to air,
    # Lee et al. 2003 20.1 ug I-TEQ/t to air (residues derived)
    sc = scenario(
        factors=[str(OWN)],
        processes=[
            {"id": "inc", "activity": "110 t", "pcdd_f": {"category": "1c", "class": "cn-batch"}}
        ],
        interventions=[
            {
                "id": "up",
                "category": "technology change",
                "changes": [{"process": "inc", "pcdd_f": {"class": "cn-controlled"}}],
                "capex": "1000 USD",
                "lifetime": "5 year",
            }
        ],
    )
    a = recp.assess(sc)
    assert close(rows(a, "pcdd_f")["air"], 110 * 474e-6)
    assert close(rows(a, "pcdd_f", "all")["air"], 110 * 20.1e-6)
    assert close(rows(a, "pcdd_f", "all")["residue"], 110 * 448e-6)
    used = {f["id"] for f in a.to_dict()["factors"]}
    assert "pcddf-hospital-incinerators-cn:cn.batch:air" in used


def _own(tmp_path, csv_text, meta):
    d = tmp_path / "own"
    d.mkdir(exist_ok=True)
    (d / "mine.csv").write_text(csv_text, encoding="utf-8")
    if meta is not None:
        (d / "mine.meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    return d


HG_HEAD = (
    "id,category,category_name,technology,technology_text,activity_unit,input_unit,"
    "input_default,air,water,land,product,general_waste,sector_treatment,edition,source_row\n"
)
META = {"indicator": "mercury", "source": "my measurements", "edition": "2026"}


@pytest.mark.parametrize(
    ("csv_text", "meta", "words"),
    [
        (HG_HEAD + "x.1,x,X,a,A,t,g/t,2,0.5,0.2,0.2,0,0,0,2026,stack test\n", META, "sum to 0.9"),
        (HG_HEAD + "x.1,x,X,a,A,t,g/m3,2,0.5,0.5,0,0,0,0,2026,stack test\n", META, "is not kg"),
        (HG_HEAD + "x.1,x,X,a,A,t,g/t,2,0.5,0.5,0,0,0,0,2026,\n", META, "'source_row' is empty"),
        (HG_HEAD + "x.1,x,X,a,A,t,g/t,2,-0.5,1.5,0,0,0,0,2026,s\n", META, "must not be negative"),
        (HG_HEAD + "x.1,x,X,a,A,t,g/t,2,0.5,0.5,0,0,0,0,2026,s\n", None, "no mine.meta.yaml"),
        (
            HG_HEAD + "x.1,x,X,a,A,t,g/t,2,0.5,0.5,0,0,0,0,2026,s\n",
            {**META, "indicator": "mercuri"},
            "did you mean 'mercury'",
        ),
        (
            HG_HEAD + "x.1,x,X,a,A,t,g/t,2,0.5,0.5,0,0,0,0,2026,s\n",
            {"indicator": "mercury"},
            "gives no source, edition",
        ),
    ],
)
def test_own_tables_are_validated_like_shipped_ones(tmp_path, csv_text, meta, words):
    d = _own(tmp_path, csv_text, meta)
    with pytest.raises(InputError) as e:
        read_own_tables([d], library())
    msgs = [f"{p.file}: {p.place} {p.message}" for p in e.value.problems]
    assert any(words in m and "mine.csv" in m for m in msgs), msgs


def test_own_mercury_table_through_batch_factors_option(tmp_path):
    d = _own(
        tmp_path,
        HG_HEAD + "x.1,kiln_own,Own kiln,measured,Stack test,t,g/t,2,0.25,0,0,0.75,0,0,2026,s\n",
        META,
    )
    src = tmp_path / "plants"
    src.mkdir()
    data = copy.deepcopy(BASE)
    data["processes"] = [{"id": "k", "activity": "100 t", "mercury": {"category": "kiln_own"}}]
    data["interventions"] = [  # (a batch plant without interventions fails: a separate bug)
        {
            "id": "less",
            "category": "good housekeeping",
            "changes": [{"process": "k", "by": "-10 %"}],
            "capex": "100 USD",
            "lifetime": "5 year",
        }
    ]
    (src / "p.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "r.csv"
    assert main(["batch", str(src), "--out", str(out), "--factors", str(d)]) == 0
    res = pd.read_csv(out)
    res = res[(res.scenario == "baseline") & (res.indicator == "mercury")]
    vals = dict(zip(res.component, res.value, strict=True))
    assert close(vals["air"], 100 * 2e-3 * 0.25)
    assert close(vals["product"], 100 * 2e-3 * 0.75)


def test_bad_own_table_on_batch_exits_2(tmp_path, capsys):
    d = _own(tmp_path, HG_HEAD + "x.1,x,X,a,A,t,g/t,2,0.5,0.2,0,0,0,0,2026,s\n", META)
    out = tmp_path / "r.csv"
    assert main(["batch", str(tmp_path), "--out", str(out), "--factors", str(d)]) == 2
    assert "sum to 0.7" in capsys.readouterr().err


# -- CLI ---------------------------------------------------------------------------------------


def test_factors_show_prints_bounds(capsys):
    # 1.A.1.a Table 3-2 hard coal Hg 1.4 mg/GJ, 95 % bounds 1.02-2.38 (line 49)
    assert main(["factors", "show", "emep-eea-2023-ef:1.A.1.a/T3-2/hg:air"]) == 0
    assert "1.4 mg/GJ (bounds 1.02-2.38 mg/GJ)" in capsys.readouterr().out
    assert main(["factors", "show", "emep-eea-2023-ef:1.A.1.a/T3-2/hg"]) == 0
    assert "(bounds 1.02-2.38 mg/GJ)" in capsys.readouterr().out


def test_factors_list_source_shows_guidebook_and_toolkit_editions(capsys):
    assert main(["factors", "list", "--source"]) == 0
    out = capsys.readouterr().out
    for table in (
        "emep-eea-2023-ef",
        "emep-eea-2023-abatement",
        "pcddf-toolkit-2013",
        "dlpcb-toolkit-2013",
        "hg-asgm-literature",
        "hg-pops-category-map",
    ):
        assert table in out
    assert "2023 edition, as held in the EEA emission factor database" in out
    assert "January 2013 edition" in out


def test_factors_show_category(capsys):
    assert main(["factors", "show", "hg-pops-category-map:municipal_waste_incineration"]) == 0
    out = capsys.readouterr().out
    assert "abatement controlled_combustion_good_apc_system (pcdd_f, for uncontrolled)" in out


@pytest.mark.parametrize(
    ("row", "air"),
    [
        # Toolkit 2013 Part III Annex 27 Table III.27.1 (2l), dioxin-like PCB [ug TEQ/t]
        ("2l.1", 400.0),
        ("2l.2", 3.0),
        # Toolkit 2013 Part III Annex 46 Table III.46.1 (6b), dioxin-like PCB [ug TEQ/t]
        ("6b.1", 30.0),
        ("6b.3", 2.0),
    ],
)
def test_dioxin_like_pcb_toolkit_values_pinned(row, air):
    f = library().get(f"dlpcb-toolkit-2013:{row}:air")
    assert (f.value, f.unit) == (air, "ug TEQ/t")


def test_own_input_factor_takes_the_split_of_a_literature_row():
    # own input 0.8 kg Hg lost per kg Hg bought, split by Telmer and Veiga 2009 (0.35 to air)
    sc = scenario(
        flows=[*BASE["flows"], {"id": "hg", "type": "material", "amount": "90 kg"}],
        processes=[
            {
                "id": "a",
                "flow": "hg",
                "mercury": {
                    "input_factor": "0.8 kg/kg",
                    "category": "asgm",
                    "technology": "telmer_veiga_2009",
                    "source": "own mass balance",
                },
            }
        ],
    )
    hg = rows(recp.assess(sc), "mercury")
    assert close(hg["air"], 90 * 0.8 * 0.35)
    assert "water" not in hg and "land" not in hg  # ND in the source: not counted
