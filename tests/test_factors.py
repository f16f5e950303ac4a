"""Factor tables: pinned published values, provenance on every table and row."""

import pytest
import yaml

from recp.factors import FactorLibrary, factors_dir, library

# IPCC 2006 Guidelines Vol. 2 Ch. 1 Table 1.2 (NCV, TJ/Gg), Table 1.4 (CO2, kg/TJ) and
# Ch. 2 Table 2.3 (CH4, N2O, kg/TJ; manufacturing industries and construction).
IPCC = [
    ("natural_gas", 48.0, 56100, 1, 0.1),
    ("diesel", 43.0, 74100, 3, 0.6),
    ("residual_fuel_oil", 40.4, 77400, 3, 0.6),
    ("lpg", 47.3, 63100, 1, 0.1),
    ("motor_gasoline", 44.3, 69300, 3, 0.6),
    ("kerosene", 43.8, 71900, 3, 0.6),
    ("anthracite", 26.7, 98300, 10, 1.5),
    ("bituminous_coal", 25.8, 94600, 10, 1.5),
    ("sub_bituminous_coal", 18.9, 96100, 10, 1.5),
    ("lignite", 11.9, 101000, 10, 1.5),
    ("coke", 28.2, 107000, 10, 1.5),
    ("wood", 15.6, 112000, 30, 4),
    ("biomass", 11.6, 100000, 30, 4),
    ("charcoal", 29.5, 112000, 200, 4),
    ("biogas", 50.4, 54600, 1, 0.1),
]


@pytest.mark.parametrize(("carrier", "ncv", "co2", "ch4", "n2o"), IPCC)
def test_ipcc_2006_defaults(carrier, ncv, co2, ch4, n2o):
    lib = library()
    assert lib.get(f"ipcc2006-fuels:{carrier}:ncv").value == ncv
    assert lib.get(f"ipcc2006-fuels:{carrier}:co2").value == co2
    assert lib.get(f"ipcc2006-fuels:{carrier}:ch4").value == ch4
    assert lib.get(f"ipcc2006-fuels:{carrier}:n2o").value == n2o


@pytest.mark.parametrize(
    ("gwp_set", "gas", "value"),
    [
        ("AR4", "CH4", 25),
        ("AR4", "N2O", 298),  # AR4 WG1 Table 2.14
        ("AR5", "CH4", 28),
        ("AR5", "N2O", 265),  # AR5 WG1 Table 8.A.1
        ("AR6", "CH4", 27.9),
        ("AR6", "N2O", 273),  # AR6 WG1 Table 7.SM.7
        ("AR5", "CO2", 1),
    ],
)
def test_gwp_sets(gwp_set, gas, value):
    assert library().gwp(gwp_set, gas).value == value


def test_biogenic_flag():
    t = library().table("ipcc2006-fuels")
    assert {k for k, r in t.rows.items() if r["biogenic"]} >= {
        "wood",
        "biomass",
        "charcoal",
        "biogas",
    }
    assert not t.rows["natural_gas"]["biogenic"]


def test_every_table_cites_its_source():
    lib = FactorLibrary(factors_dir())
    assert lib.tables, "no factor tables found"
    for tid, t in lib.tables.items():
        meta_path = factors_dir() / f"{tid}.meta.yaml"
        assert meta_path.exists(), f"{tid} has no meta file"
        meta = yaml.safe_load(meta_path.read_text())
        for key in ("source", "edition", "url", "licence", "retrieved"):
            assert meta.get(key), f"{tid}.meta.yaml lacks '{key}'"
        assert meta.get("id") in (None, tid)
        # Toolkit tables carry a unit column per row (their activity units differ by row);
        # every other table has its units in the column headers.
        unit_col = {"pcddf-toolkit-2013": "factor_unit", "hg-toolkit": "input_unit"}.get(tid)
        if unit_col is None:
            assert t.units, f"{tid}: no column has a unit"
        for key, row in t.rows.items():
            assert row.get("source_row"), f"{tid}:{key} has no source_row"
            if unit_col is not None:
                assert row.get(unit_col) and row.get("activity_unit"), f"{tid}:{key} has no unit"
                assert row.get("edition"), f"{tid}:{key} has no edition"


# Countries that the source reports name (seeds/reports.yaml), which need a grid factor.
REPORT_COUNTRIES = [
    "UA",
    "MD",
    "VN",
    "PH",
    "CN",
    "EG",
    "BD",
    "MA",
    "IL",
    "ZA",
    "NG",
    "GH",
    "TN",
    "LB",
    "IN",
    "BF",
    "ML",
    "SN",
    "BR",
    "MX",
    "AR",
    "CO",
    "PE",
    "CL",
]


@pytest.mark.parametrize("code", REPORT_COUNTRIES)
def test_grid_factor_for_report_countries(code):
    f = library().get(f"grid-ember-2023:{code}:factor")
    assert 0 < f.value < 1.6
    assert "Ember" in f.source


def test_every_seed_country_with_industry_has_grid_factor():
    from recp.factors import factors_dir

    seeds = factors_dir().parent / "seeds" / "reports.yaml"
    if not seeds.exists():  # installed wheel: seeds are not shipped
        pytest.skip("seeds/ not present")
    doc = yaml.safe_load(seeds.read_text())
    grid = library().table("grid-ember-2023").rows
    missing = [c["iso2"] for c in doc["countries"] if c["iso2"] not in grid]
    # Kosovo-style user codes aside, every named country has a factor.
    assert missing == [], f"no grid factor for {missing}"


def test_unknown_factor_names_closest():
    from recp.errors import UnknownFactorError

    with pytest.raises(UnknownFactorError, match="did you mean 'natural_gas'"):
        library().get("ipcc2006-fuels:natural_gaz:ncv")
    with pytest.raises(KeyError):  # also a KeyError, for callers
        library().get("ipcc2006-fuels:natural_gaz:ncv")
