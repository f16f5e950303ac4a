"""recp.models.releases: totals per vector, ND never zero, shifts are not reductions."""

import pytest

from recp.models.releases import ENVIRONMENT, distribute, vector_totals


def test_totals_leave_out_vectors_without_a_number():
    # A PCDD/F class with air 12,000 ug TEQ/t = 0.012 g TEQ/t and residue ND (hand values).
    total, env = vector_totals({"air": 0.012, "water": None, "residue": None})
    assert (total, env) == (0.012, 0.012)


def test_environment_is_air_water_land():
    assert ENVIRONMENT == ("air", "water", "land")
    total, env = vector_totals({"air": 1.0, "water": 2.0, "land": 3.0, "residue": 4.0})
    assert (total, env) == (10.0, 6.0)


def test_a_shift_from_air_to_residue_keeps_the_total():
    # Medical-waste incinerator class change: air falls, residue rises (a shift, not avoided).
    before = vector_totals({"air": 0.040, "residue": 0.0})
    after = vector_totals({"air": 0.002, "residue": 0.038})
    assert after[0] == pytest.approx(before[0])
    assert after[1] < before[1]


def test_mercury_distribution():
    # ASGM whole-ore amalgamation, hand shares: 1.3 kg Hg lost per kg Au, 35 % to air.
    out = distribute(1.3, {"air": 0.35, "water": None, "land": 0.65})
    assert out["air"] == pytest.approx(0.455)
    assert out["water"] is None
    assert out["land"] == pytest.approx(0.845)
