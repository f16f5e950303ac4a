import pytest

from recp.errors import UnitError
from recp.units import parse_quantity, parse_unit, registry, to_float


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("2.1e6 m3", "m3", 2.1e6),
        ("4.2 GWh", "GJ", 15120.0),  # 1 kWh = 3.6 MJ (SI)
        ("300 t", "kg", 300000.0),
        ("1 kt", "t", 1000.0),  # recp reads kt as kilotonne, never knot
        ("1 Mt", "t", 1e6),
        ("1 toe", "GJ", 41.868),  # IEA definition
        ("1 tce", "GJ", 29.3076),  # GB/T 2589-2020: 1 kgce = 29.3076 MJ
        ("8 %", "dimensionless", 0.08),
        ("1000 L", "m3", 1.0),
        ("1 Nm3", "m3", 1.0),
        ("0.62 t CO2e/MWh", "kg CO2e/kWh", 0.62),
        ("5 µg TEQ/t", "ng TEQ/kg", 5.0),
        ({"value": 3, "unit": "GJ"}, "MJ", 3000.0),
        ("-1000 USD/year", "USD/year", -1000.0),
        ("1_000 t", "t", 1000.0),
    ],
)
def test_parse_and_convert(text, unit, expected):
    assert to_float(parse_quantity(text), unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("word", ["ton", "tons", "cal", "gallon", "gal", "bbl", "therm", "kcal"])
def test_ambiguous_units_are_refused_with_advice(word):
    with pytest.raises(UnitError, match=f"ambiguous unit '{word}': write"):
        parse_quantity(f"5 {word}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12 MWhh", "did you mean 'MWh'"),
        ("abc", "expected '<number> <unit>'"),
        ("nan GJ", "expected '<number> <unit>'"),
        ("1e400 t", "finite"),
        ("3 EUROS", "did you mean 'EUR'"),
    ],
)
def test_bad_quantities(text, message):
    with pytest.raises(UnitError, match=message):
        parse_quantity(text)


def test_wrong_dimension_names_both_units():
    with pytest.raises(UnitError, match="'5.0 MWh' is energy, cannot be converted to 'm3'"):
        to_float(parse_quantity("5 MWh"), "m3")


def test_currencies_never_convert_into_each_other():
    with pytest.raises(UnitError):
        to_float(parse_quantity("5 USD"), "EUR")


def test_one_registry_per_process():
    assert registry() is registry()
    assert parse_unit("t").dimensionality == registry().Unit("kg").dimensionality
