"""Grid-factor tables: pinned values for the 40 countries the UN reports name, and table checks.

Tables: ``grid-ifi-2021`` (Harmonized IFI Default Grid Factors 2021 v3.x, combined margin,
electricity-consumption column, published in g CO2/kWh, shipped in t CO2/MWh) and
``grid-iges-2023`` (IGES List of Grid Emission Factors, CDM combined margins, as labelled
"IGES (2023)" in the UNHCR Geneva Technical Hub app). Both are read through the public API.
Provenance and what could be confirmed: ``factors/grid-*.meta.yaml`` and
``docs/research/grid-factors.md``.
"""

import math

import pycountry
import pytest

from recp.factors import library

IFI = "grid-ifi-2021"
IGES = "grid-iges-2023"

# Harmonized IFI Default Grid Factors 2021 v3.x, 'Dataset' sheet, CM 'Elec Consumption'
# [g CO2/kWh], as quoted in billybabis/cooking_fuel_data_tool
# data/elec_ems_intens_per_country.csv @5b51cdb (values copied as published there).
IFI_PUBLISHED = [
    ("UA", 434.6795191),  # Ukraine
    ("MD", 399.2586486),  # Moldova, Republic of
    ("ID", 674.5001133),  # Indonesia
    ("VN", 380.8079985),  # Viet Nam
    ("MX", 358.5044788),  # Mexico
    ("BF", 539.0972553),  # Burkina Faso
    ("ML", 623.3716755),  # Mali
    ("SN", 656.2445461),  # Senegal
    ("PH", 524.9866814),  # Philippines
    ("CN", 485.4116582),  # China (PRC and Hong Kong): one row for both
    ("EG", 405.8893714),  # Egypt
    ("BD", 411.7139398),  # Bangladesh; also quoted as 0.412 kg/kWh by a second source
    ("MA", 546.8271147),  # Morocco
    ("LB", 566.9850034),  # Lebanon
    ("DZ", 397.359966),  # Algeria
    ("TN", 347.802784),  # Tunisia
    ("IL", 258.3460133),  # Israel
    ("ZA", 785.7474548),  # South Africa
    ("NG", 357.595766),  # Nigeria
    ("GH", 275.9872002),  # Ghana
    ("IN", 607.6988217),  # India
    ("JO", 381.8627986),  # Jordan
    ("PE", 252.3102411),  # Peru
    ("RS", 677.7297478),  # Serbia
    ("UG", 115.85259),  # Uganda
    ("KE", 274.2580362),  # Kenya
    ("AL", 0),  # Albania: the source gives 0 (flag "zero")
    ("RW", 416.0092348),  # Rwanda
    ("CV", 505.0203608),  # Cape Verde
    ("MU", 542.7629563),  # Mauritius
    ("LK", 505.854735),  # Sri Lanka
    ("CR", 38.89054291),  # Costa Rica
    ("CU", 391.1642034),  # Cuba
    ("SV", 274.8500889),  # El Salvador
    ("TZ", 336.0498044),  # Tanzania, United Republic of
    ("BR", 150.0245552),  # Brazil
    ("CL", 235.2275941),  # Chile
    ("CO", 208.3405817),  # Colombia
    ("UY", 64.82854385),  # Uruguay
    ("TH", 350.7118149),  # Thailand
]

# IGES List of Grid Emission Factors, CDM combined margin [t CO2/MWh], as quoted in
# EPFL-ENAC/unhcr-geneva-tech-hub-app couchdb-setup/rawdata/iges_grid.csv @2da28c5
# ("IGES (2023)" label). UA, MD and DZ are not in the list.
IGES_CM = [
    ("ID", 0.778),
    ("VN", 0.603),
    ("MX", 0.529),
    ("BF", 0.471),
    ("ML", 0.614),
    ("SN", 0.648),
    ("PH", 0.512),
    ("CN", 0.85),
    ("EG", 0.533),
    ("BD", 0.641),
    ("MA", 0.647),
    ("LB", 0.65),
    ("TN", 0.554),
    ("IL", 0.701),
    ("ZA", 0.951),  # Spalding-Fecher (2011) computes a CDM CM of 0.957 for 2009/10
    ("NG", 0.573),  # written "NE" in the source, corrected
    ("GH", 0.479),
    ("IN", 0.905),  # CEA CO2 Baseline Database CM 0.907-0.918 (2020-22), as quoted
    ("JO", 0.575),
    ("PE", 0.58),
    ("RS", 1.099),
    ("UG", 0.487),
    ("KE", 0.583),
    ("AL", 0.312),
    ("RW", 0.654),
    ("CV", 0.655),
    ("MU", 0.969),  # written "MR" in the source, corrected
    ("LK", 0.724),
    ("CR", 0.281),
    ("CU", 0.874),
    ("SV", 0.678),
    ("TZ", 0.498),
    ("BR", 0.291),
    ("CL", 0.595),
    ("CO", 0.333),
    ("UY", 0.482),
    ("TH", 0.548),
]
IGES_ABSENT = ["UA", "MD", "DZ"]

# The 40 countries of the UN reports that the reference comparison covers.
FORTY = [code for code, _ in IFI_PUBLISHED]


def test_forty_countries_listed_once():
    assert len(FORTY) == 40 == len(set(FORTY))
    assert sorted([c for c, _ in IGES_CM] + IGES_ABSENT) == sorted(FORTY)


@pytest.mark.parametrize(("code", "g_per_kwh"), IFI_PUBLISHED)
def test_ifi_2021_combined_margin(code, g_per_kwh):
    table = library().table(IFI)
    cm = table.factor(code, "cm")
    published = table.factor(code, "published")
    assert cm is not None and published is not None
    assert published.value == g_per_kwh
    assert cm.value == pytest.approx(g_per_kwh / 1000, rel=1e-12, abs=1e-15)
    assert cm.unit == "t CO2/MWh"
    assert cm.id == f"{IFI}:{code}:cm"
    assert "IFI" in cm.source and "as quoted in" in cm.source


@pytest.mark.parametrize(("code", "cm"), IGES_CM)
def test_iges_combined_margin(code, cm):
    f = library().table(IGES).factor(code, "cm")
    assert f is not None
    assert f.value == cm
    assert f.unit == "t CO2/MWh"
    assert "IGES" in f.source and "as quoted in" in f.source


@pytest.mark.parametrize("code", IGES_ABSENT)
def test_iges_has_no_row_for(code):
    assert code not in library().table(IGES).rows


def test_ifi_covers_every_source_row():
    rows = library().table(IFI).rows
    # 232 source rows; "Channel Islands" is given as GG and JE.
    assert len(rows) == 233
    assert rows["GG"]["published"] == rows["JE"]["published"]
    assert {"PT-20", "PT-30", "ES-CN", "XK", "TW"} <= set(rows)
    assert "HK" not in rows  # the CN row covers PRC and Hong Kong; no value is copied to HK


def test_ifi_flags_zeros_and_copies():
    rows = library().table(IFI).rows
    zeros = {k for k, r in rows.items() if r["cm"] == 0}
    assert zeros == {"AL", "BT", "SZ", "LS"}
    assert all("zero" in rows[k]["quality"].split(";") for k in zeros)
    assert rows["MC"]["cm"] == rows["FR"]["cm"] and "neighbour-copy" in rows["MC"]["quality"]
    assert rows["SM"]["cm"] == rows["IT"]["cm"] and "neighbour-copy" in rows["SM"]["quality"]
    assert "aggregate-row" in rows["CN"]["quality"]


@pytest.mark.parametrize(
    ("table_id", "units"),
    [
        (IFI, {"cm": "t CO2/MWh", "published": "g CO2/kWh"}),
        (IGES, {"cm": "t CO2/MWh", "cm_2021_label": "t CO2/MWh"}),
    ],
)
def test_units_as_stated(table_id, units):
    assert library().table(table_id).units == units


@pytest.mark.parametrize("table_id", [IFI, IGES])
def test_values_finite_and_non_negative(table_id):
    table = library().table(table_id)
    for key, row in table.rows.items():
        for column in table.units:
            value = row[column]
            if value is None:  # IGES: the 2021 label lacks some countries
                continue
            assert math.isfinite(value) and value >= 0, f"{table_id}:{key}:{column} = {value}"
        assert row["cm"] is not None, f"{table_id}:{key} has no cm"
        assert row["cm"] < 1.5, f"{table_id}:{key}: cm {row['cm']} t CO2/MWh is implausible"


def _valid_code(code: str) -> bool:
    if code == "XK":  # Kosovo: user-assigned code, used the same way in grid-ember-2023
        return True
    if "-" in code:
        return pycountry.subdivisions.get(code=code) is not None
    return pycountry.countries.get(alpha_2=code) is not None


@pytest.mark.parametrize("table_id", [IFI, IGES])
def test_row_ids_are_iso_codes(table_id):
    bad = [k for k in library().table(table_id).rows if not _valid_code(k)]
    assert bad == []


@pytest.mark.parametrize("table_id", [IFI, IGES])
def test_every_row_cites_a_source(table_id):
    table = library().table(table_id)
    assert table.meta.get("id") == table_id
    keys = "source publisher edition section url licence retrieved vintage notes columns"
    for key in keys.split():
        assert table.meta.get(key), f"{table_id}.meta.yaml lacks '{key}'"
    for key, row in table.rows.items():
        assert str(row.get("source_row", "")).startswith("as quoted in "), key
        assert row.get("quality"), f"{table_id}:{key} has no quality flag"
        f = table.factor(key, "cm")
        assert f is not None and table.citation in f.source
