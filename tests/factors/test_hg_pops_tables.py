"""Mercury and unintentional-POPs factor tables: pinned published values and table invariants.

Guidebook rows: EMEP/EEA air pollutant emission inventory guidebook 2023, via the EEA emission
factor database export of 2026-02-07 (upstream file atmoschem/pega db/EMEP_20260207.csv; line
numbers in the comments). Toolkit rows: UNEP/Stockholm Convention Dioxin Toolkit, as quoted
(see the quality column of each row).
"""

from __future__ import annotations

import math

import pytest
import yaml

from recp.factors import factors_dir, library
from recp.units import parse_unit

EF = "emep-eea-2023-ef"
ABATE = "emep-eea-2023-abatement"
NEW_TABLES = [
    EF,
    ABATE,
    "dlpcb-toolkit-2013",
    "pcddf-toolkit-2003-quoted",
    "hg-asgm-literature",
    "hg-products-content",
    "pcddf-toolkit-2013",
]

# One row per guidebook chapter used: (row id, value, factor unit, lower, upper).
GUIDEBOOK = [
    # 1.A.1 Energy industries, Table 3-2 hard coal, Tier 1, US EPA (1998) ch. 1.1 (line 49)
    ("1.A.1.a/T3-2/hg", 1.4, "mg/GJ", 1.02, 2.38),
    # 1.A.1 Table 3-2 hard coal PCDD/F, UNEP (2005) coal-fired power boilers (line 41)
    ("1.A.1.a/T3-2/pcdd_f", 10, "ng TEQ/GJ", 5, 15),
    # 1.A.2 Table 3-25 cement manufacture, Hg per t clinker, European Commission (2010) (1422)
    ("1.A.2.g.viii/T3-25/hg", 0.049, "g/t", 0.01, 0.24),
    # 1.A.2 Table 3-2 solid fuels, PCDD/F, Guidebook (2006) chapter B316 (line 1373)
    ("1.A.2.g.viii/T3-2/pcdd_f", 203, "ng TEQ/GJ", 40, 500),
    # 1.A.3.d navigation, Table 3-1 bunker fuel oil, PCDD/F, Cooper (2005), no bounds (7609)
    ("1.A.3.d.i/T3-1/pcdd_f", 0.47, "ug TEQ/t", None, None),
    # 1.A.4 small combustion, Table 3-40 conventional wood stoves, PCDD/F (line 8557)
    ("1.A.4.b.i/T3-40/pcdd_f", 800, "ng TEQ/GJ", 20, 5000),
    # 1.A.4 Table 3-7 commercial coal, Tier 1, PCB (mass), Kakareka et al. (2004) (line 7728)
    ("1.A.4.a.i/T3-7/pcb", 170, "ug/GJ", 85, 260),
    # 1.B.1.b solid fuel transformation, Table 3-1, PCDD/F per t coke, UNEP (2005) (10934)
    ("1.B.1.b/T3-1/pcdd_f", 3, "ug TEQ/t", 0.3, 10),
    # 1.B.2.a.iv refining, Table 3-4 fluid coking units, Hg per m3 fresh feed (line 10948)
    ("1.B.2.a.iv/T3-4/hg", 0.03, "g/m3", 0.01, 0.1),
    # 1.B.2.c venting and flaring, Table 3-1, Hg per t throughput (line 11090)
    ("1.B.2.c/T3-1/hg", 4.7, "mg/t", 0.47, 47),
    # 1.B.2.d geothermal, Table 3-1, Hg per MWh electricity, ARPAT (2007) (line 11104)
    ("1.B.2.d/T3-1/hg", 0.44, "g/MWh", 0.26, 1.3),
    # 2.A.3 glass, Table 3-1, Hg per t glass (line 11200)
    ("2.A.3/T3-1/hg", 0.003, "g/t", 0.0003, 0.039),
    # 2.B.10.a chemical industry, Table 3-32 mercury cell, Theloke et al. (2008) (line 11386)
    ("2.B.10.a/T3-32/hg", 4.8, "g/t", 1.9, 7.7),
    # 2.C.1 iron and steel, Table 3-19 electric furnace, Hg (line 11575)
    ("2.C.1/T3-19/hg", 0.076, "g/t", 0.057, 0.086),
    # 2.C.1 Table 3-1, Tier 1, PCDD/F per t steel, European Commission (2012) (line 11646)
    ("2.C.1/T3-1/pcdd_f", 3, "ug TEQ/t", 0.04, 6),
    # 2.C.3 aluminium, Table 3-4 secondary aluminium, PCDD/F, UNEP (2005) (line 11810)
    ("2.C.3/T3-4/pcdd_f", 35, "ug TEQ/t", 0.5, 150),
    # 2.C.5 lead, Table 3-4 secondary lead, PCDD/F, UNEP (2005) (line 11899)
    ("2.C.5/T3-4/pcdd_f", 8, "ug TEQ/t", 0.5, 80),
    # 2.C.6 zinc, Table 3-4 secondary zinc, PCDD/F, UNEP (2005) (line 12052)
    ("2.C.6/T3-4/pcdd_f", 100, "ug TEQ/t", 0.3, 1000),
    # 2.C.7.a copper, Table 3-3 secondary copper, PCDD/F, UNEP (2005) (line 12132)
    ("2.C.7.a/T3-3/pcdd_f", 50, "ug TEQ/t", 0.03, 800),
    # 2.G other product use, Table 3-15 tobacco, PCDD/F, UNEP toolkit (2005) (line 12514)
    ("2.G/T3-15/pcdd_f", 0.1, "ug TEQ/t", 0.05, 0.2),
    # 2.K consumption of POPs and HMs, Table 3-1, Hg per capita (line 12607)
    ("2.K/T3-1/hg", 0.01, "g/piece", 0.001, 0.1),
    # 5.C.1.a municipal waste incineration, Table 3-2 Tier 2 unabated, UNEP (2005) (line 12633)
    ("5.C.1.a/T3-2/pcdd_f", 3.5, "mg TEQ/t", 2, 7),
    # 5.C.1.b.i industrial waste incineration, Table 3-1, UNEP (2013) (line 12717)
    ("5.C.1.b.i/T3-1/pcdd_f", 10, "ug TEQ/t", 0.5, 35000),
    # 5.C.1.b.iii clinical waste incineration, Table 3-2 controlled air, US EPA (1995) (12733)
    ("5.C.1.b.iii/T3-2/hg", 54, "g/t", 27, 100),
    # 5.C.1.b.iv sewage sludge incineration, Table 3-2, US EPA (1995) (line 12797)
    ("5.C.1.b.iv/T3-2/hg", 2.3, "g/t", 0.23, 23),
    # 5.C.1.b.v cremation, Table 3-1, Hg per body, WebFIRE (1992) (line 12816)
    ("5.C.1.b.v/T3-1/hg", 1.49, "g/piece", 0.149, 14.9),
    # 5.C.2 open burning of waste, Table 3-1, PCDD/F, Bremmer (1994), Thomas (1994) (12874)
    ("5.C.2/T3-1/pcdd_f", 10, "ug TEQ/t", 3.33, 30),
    # 5.E other waste, Table 3-2 detached house fire, Hg per fire, Aasestad (2007) (12918)
    ("5.E/T3-2/hg", 0.85, "g/piece", 0.4, 1.7),
]

# Guidebook Tier 2 abatement efficiencies: (row id, efficiency, lower, upper).
ABATEMENT = [
    # 5.C.1.a Table 3-3, controlled combustion, good APC system, UNEP (2005) (line 12674)
    ("5.C.1.a/T3-3/pcdd_f/controlled_combustion_good_apc_system", 0.99, 0.97, 0.997),
    # 5.C.1.a Table 3-3, particle and acid gas abatement, Hg (line 12647)
    ("5.C.1.a/T3-3/hg/particle_and_acid_gas_abatement", 0.607, 0, 0.869),
    # 2.C.1 Table 3-23, injection of adsorbents / fabric filters, PCDD/F (line 11597)
    ("2.C.1/T3-23/pcdd_f/injection_of_adsorbents_fabric_filters", 0.917, 0.75, 0.972),
]

# Every Toolkit value quoted by secondary sources (../shared/reference/toolkits/
# toolkit-values-quoted-in-public-pages.csv): (table, row, vector, value [ug TEQ/t]).
QUOTED = [
    # Toolkit 2013 Table II.1.5, 1c medical waste incineration, as quoted in training slides
    ("pcddf-toolkit-2013", "1c.1", "air", 40000),
    ("pcddf-toolkit-2013", "1c.1", "residue", 200),
    ("pcddf-toolkit-2013", "1c.2", "air", 3000),
    ("pcddf-toolkit-2013", "1c.2", "residue", 20),
    ("pcddf-toolkit-2013", "1c.3", "air", 525),
    ("pcddf-toolkit-2013", "1c.3", "residue", 920),
    ("pcddf-toolkit-2013", "1c.4", "air", 1),
    ("pcddf-toolkit-2013", "1c.4", "residue", 150),
    # Toolkit 6b as built into UNIDO WaPla v1.5 (2021), quoted by a third-party description
    ("pcddf-toolkit-2013", "6b.1", "air", 300),
    ("pcddf-toolkit-2013", "6b.1", "land", 10),
    ("pcddf-toolkit-2013", "6b.3", "air", 40),
    ("pcddf-toolkit-2013", "6b.3", "land", 1),
    # Toolkit 2013 Annex 46 Table III.46.1, dioxin-like PCB (official Toolkit HTML)
    ("dlpcb-toolkit-2013", "6b.1", "air", 30),
    ("dlpcb-toolkit-2013", "6b.3", "air", 2),
    # Toolkit 2013 Annex 35 prose, cement class 4 (BAT kilns), per t of cement
    ("pcddf-toolkit-2013", "4a.4", "air", 0.05),
    # Toolkit 1st edition May 2003, section 6.3.4, household biomass, as quoted on a web page
    ("pcddf-toolkit-2003-quoted", "biomass.clean_wood", "air", 1.5),
    ("pcddf-toolkit-2003-quoted", "biomass.contaminated_wood", "air", 25),
]

# Upstream rows whose printed value lies outside its printed bounds (checked in the upstream
# file, line 12795): kept as printed, with a caution.
KNOWN_OUT_OF_BOUNDS = {"5.C.1.b.iv/T3-2/pcdd_f"}


def _num(x):
    return None if x in (None, "") else float(x)


@pytest.mark.parametrize(("row", "value", "unit", "lower", "upper"), GUIDEBOOK)
def test_guidebook_rows_pinned(row, value, unit, lower, upper):
    t = library().table(EF)
    f = t.factor(row, "air")
    assert f is not None
    assert (f.value, f.unit) == (value, unit)
    assert "guidebook 2023" in f.source and "2026-02-07" in f.source
    r = t.rows[row]
    assert (_num(r["air_lower"]), _num(r["air_upper"])) == (lower, upper)
    for vector in ("water", "land", "product", "residue"):  # air factors only: ND, never zero
        assert r[vector] == "ND" and t.factor(row, vector) is None


def test_one_pinned_row_per_guidebook_chapter():
    # every top-level chapter group in the table has at least one pinned row
    def chapter(nfr):
        return (
            ".".join(nfr.split(".")[:3])
            if nfr.startswith("1.")
            else nfr.split(".")[0] + "." + nfr.split(".")[1]
        )

    used = {chapter(r["nfr"]) for r in library().table(EF).rows.values()}
    pinned = {chapter(row.split("/")[0]) for row, *_ in GUIDEBOOK}
    assert used - pinned <= {"1.A.5"}, used - pinned  # 1.A.5 repeats 1.A.3.d and 1.A.4 tables


@pytest.mark.parametrize(("row", "eff", "lower", "upper"), ABATEMENT)
def test_guidebook_abatement_pinned(row, eff, lower, upper):
    t = library().table(ABATE)
    assert t.factor(row, "efficiency").value == eff
    assert t.factor(row, "efficiency_lower").value == lower
    assert t.factor(row, "efficiency_upper").value == upper


def test_guidebook_tables_keep_every_row():
    # 568 Hg, PCDD/F, PCB and HCB rows in the export: 543 factors + 25 abatement efficiencies
    lib = library()
    ef, ab = lib.table(EF).rows, lib.table(ABATE).rows
    assert (len(ef), len(ab)) == (543, 25)
    assert len({r["source_line"] for r in [*ef.values(), *ab.values()]}) == 568
    tiers = {(r["tier"]) for r in ef.values()}
    assert tiers == {"1", "2"}


def test_toolkit_citations_flagged():
    rows = library().table(EF).rows.values()
    unep = [r for r in rows if r["cites_unep_toolkit"]]
    assert unep and all("UNEP" in r["reference"] and "Toolkit" in r["caution"] for r in unep)
    assert all(r["pollutant"] == "PCDD/F" for r in unep)


def test_guidebook_units_parse_and_teq_is_explicit():
    for key, r in library().table(EF).rows.items():
        parse_unit(r["factor_unit"])
        parse_unit(r["activity_unit"])
        assert r["factor_unit"].endswith("/" + r["activity_unit"]), key
        teq = r["teq"] or ""
        assert ("TEQ" in r["factor_unit"]) == (
            teq in ("I-TEQ", "WHO-TEQ") or teq.startswith("TEQ")
        ), key
        if teq == "not stated":
            assert "without TEQ" in r["caution"], key


@pytest.mark.parametrize(("table", "row", "vector", "value"), QUOTED)
def test_quoted_toolkit_values_pinned(table, row, vector, value):
    t = library().table(table)
    f = t.factor(row, vector)
    assert f is not None and f.value == value
    assert f.unit == "ug TEQ/t"
    r = t.rows[row]
    assert r["caution"], row
    if table != "dlpcb-toolkit-2013":  # the dl-PCB values were read in the Toolkit annexes
        assert r["quality"].startswith("secondary: as "), row


def test_medical_waste_class_change_moves_air_and_residue_by_the_factor_ratio():
    # Toolkit 2013 Table II.1.5 (as quoted): class 1 -> class 4 cuts air 40000-fold and
    # residue from 200 to 150 ug TEQ/t; the ratio is what a class change applies.
    t = library().table("pcddf-toolkit-2013")
    air = [t.factor(f"1c.{c}", "air").value for c in (1, 2, 3, 4)]
    res = [t.factor(f"1c.{c}", "residue").value for c in (1, 2, 3, 4)]
    assert air == sorted(air, reverse=True) and air[0] / air[3] == 40000
    assert res[0] / res[3] == pytest.approx(200 / 150)
    for c in (1, 2, 3, 4):  # not quoted: empty (not transcribed), never zero
        assert t.factor(f"1c.{c}", "water") is None and t.rows[f"1c.{c}"]["water"] is None


def test_category_2l_cable_above_circuit_boards():
    # Toolkit 2013 Annex 27: proposed PCDD/F factors (cable 12000, boards 100 ug TEQ/t) and
    # Table III.27.1 dl-PCB (cable 400, boards 3) both put open cable burning higher; the
    # verdict in docs/research/hg-pops-defaults.md keeps that assignment.
    lib = library()
    assert lib.get("pcddf-toolkit-2013:2l.1:air").value == 12000
    assert lib.get("pcddf-toolkit-2013:2l.2:air").value == 100
    assert lib.get("dlpcb-toolkit-2013:2l.1:air").value == 400
    assert lib.get("dlpcb-toolkit-2013:2l.2:air").value == 3


@pytest.mark.parametrize("table", NEW_TABLES)
def test_every_row_cites_a_source(table):
    t = library().table(table)
    assert t.rows, table
    for key, r in t.rows.items():
        assert r.get("source_row"), f"{table}:{key}"
        q = str(r.get("quality") or "")
        if "secondary" in q or "as quoted" in q:
            assert "as " in q and r.get("caution"), f"{table}:{key} needs 'as quoted' + caution"


def _bounds(t, key, value_col, lo_col, hi_col):
    r = t.rows[key]
    return _num(r.get(value_col)), _num(r.get(lo_col)), _num(r.get(hi_col))


def test_bounds_bracket_the_value():
    lib = library()
    checks = [
        (EF, "air", "air_lower", "air_upper"),
        (ABATE, "efficiency", "efficiency_lower", "efficiency_upper"),
        ("hg-products-content", "hg_per_item", "hg_per_item_low", "hg_per_item_high"),
        ("hg-asgm-literature", "hg_lost_per_au", "hg_lost_per_au_low", "hg_lost_per_au_high"),
    ]
    for table, v, lo, hi in checks:
        t = lib.table(table)
        for key in t.rows:
            value, lower, upper = _bounds(t, key, v, lo, hi)
            if value is None:
                continue
            if key in KNOWN_OUT_OF_BOUNDS:
                assert "outside the printed 95 % bounds" in t.rows[key]["caution"]
                continue
            assert lower is None or lower <= value, f"{table}:{key}"
            assert upper is None or value <= upper, f"{table}:{key}"


def test_bound_ratios_match_the_printed_bounds():
    t = library().table(EF)
    for key, r in t.rows.items():
        v = float(r["air"])
        if r["air_lower"] and v:
            assert math.isclose(r["lower_ratio"], float(r["air_lower"]) / v, rel_tol=1e-5), key
        if r["air_upper"] and v:
            assert math.isclose(r["upper_ratio"], float(r["air_upper"]) / v, rel_tol=1e-5), key


def test_efficiencies_are_fractions():
    for key, r in library().table(ABATE).rows.items():
        assert 0 <= r["efficiency"] <= 1, key


def test_asgm_shares_sum_to_one():
    # Telmer & Veiga (2009), ch. 6 summary: 350 of 1000 Mg/yr to air, 650 to water and land
    t = library().table("hg-asgm-literature")
    assert t.factor("global.all_practices", "air").value == 0.35
    for key, r in t.rows.items():
        shares = [r.get("air"), r.get("water_land")]
        if any(s is not None for s in shares):
            assert math.isclose(sum(s or 0 for s in shares), 1.0, abs_tol=1e-9), key


def test_product_limits_pinned():
    t = library().table("hg-products-content")
    # Minamata Convention (2013) Annex A Part I: CFL <= 30 W above 5 mg per lamp burner banned
    assert t.factor("minamata.cfl_le30w", "hg_per_item").value == 5
    # Minamata Annex A Part I: exempted button cells below 2 % mercury
    assert t.factor("minamata.button_cell", "hg_mass_fraction").value == 0.02
    # Arrete du 25 novembre 2005 (RoHS exemption 1 a): CFL < 30 W, 2.5 mg per burner after 2012
    assert t.factor("eu_rohs_fr.cfl_lt30w", "hg_per_item").value == 2.5
    # Arrete du 25 novembre 2005 (RoHS exemption 2 a 3): T8 triband, 3.5 mg per lamp
    assert t.factor("eu_rohs_fr.lfl_triband_t8", "hg_per_item").value == 3.5
    for key, r in t.rows.items():
        if r["basis"] == "legal maximum":
            assert "MAXIMUM" in r["caution"], key


def test_category_map_points_at_existing_rows():
    doc = yaml.safe_load((factors_dir() / "hg-pops-category-map.yaml").read_text())
    lib = library()
    ef, ab = lib.table(doc["factor_table"]), lib.table(doc["abatement_table"])
    keys = [c["key"] for c in doc["categories"]]
    assert len(keys) == len(set(keys))
    for c in doc["categories"]:
        variants = {v["key"]: v for v in c["variants"]}
        assert c["default_variant"] in variants
        have = set()
        for v in c["variants"]:
            assert v["rows"], (c["key"], v["key"])
            for indicator, rid in v["rows"].items():
                r = ef.row(rid)
                assert r["indicator"] == indicator and r["activity_unit"] == v["activity_unit"]
                have.add(indicator)
        assert set(c["missing"]) == {"mercury", "pcdd_f", "pcb", "hcb"} - have, c["key"]
        for a in c.get("abatement", []):
            r = ab.row(a["row"])
            assert r["indicator"] == a["indicator"]
            assert set(a["applies_to"]) <= set(variants), (c["key"], a["key"])
    for must in (
        "coal_utility_boiler",
        "cement_kiln",
        "medical_waste_incineration",
        "municipal_waste_incineration",
        "eaf_steel",
        "chlor_alkali",
        "crematoria",
    ):
        assert must in keys
