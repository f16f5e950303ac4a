"""Compressed-air leaks against the DOE / Compressed Air Challenge leak table."""

from __future__ import annotations

import numpy as np
import pytest

from recp.models.calculators import compressed_air

PSI = 6894.757293168361
CFM = 0.028316846592 / 60  # m3/s per cfm


# US DOE Compressed Air Tip Sheet #3 "Minimize Compressed Air Leaks" (2004) and Improving
# Compressed Air System Performance, 3rd ed. (2016), Fact Sheet 7: leak rates [cfm of free
# air] by orifice diameter [in] and gauge pressure [psig], "based on 100 % coefficient of flow"
# (the table is the CAC/ Compressed Air and Gas Handbook "Discharge of air through an orifice").
@pytest.mark.parametrize(
    "d_in, psig, cfm",
    [(1 / 16, 100, 6.49), (1 / 8, 100, 26.0), (1 / 4, 100, 104), (1 / 4, 70, 76.7),
     (1 / 32, 90, 1.48), (3 / 8, 20, 70.7), (1, 125, 2023)],
)  # fmt: skip
def test_leak_rates_reproduce_doe_table(d_in, psig, cfm):
    r = compressed_air.air_leak(1, d_in * 0.0254, psig * PSI, 1.0, 1.0)
    assert r["free_air"] / CFM == pytest.approx(cfm, rel=0.01)


def test_electricity_is_free_air_times_specific_power_times_hours():
    # Hand calculation: 10 leaks of 2 mm at 7 bar(g), 6.5 kW per m3/min, 6000 h.
    r = compressed_air.air_leak(10, 2e-3, 7e5, 6000, 6.5e3 * 60)
    v = float(r["free_air"]) * 60  # m3/min
    assert float(r["electricity"]) / 3.6e9 == pytest.approx(v * 6.5 * 6000 / 1000, rel=1e-12)


def test_monotone_and_zero():
    assert compressed_air.air_leak(0, 2e-3, 7e5, 6000, 3.9e5)["electricity"] == 0
    d = compressed_air.air_leak(1, np.array([1e-3, 2e-3, 4e-3]), 7e5, 6000, 3.9e5)
    assert np.all(np.diff(d["electricity"]) > 0)
    # flow through a hole grows with the square of its diameter
    assert d["free_air"][2] / d["free_air"][1] == pytest.approx(4.0)
    p = compressed_air.air_leak(1, 2e-3, np.array([3e5, 6e5, 9e5]), 6000, 3.9e5)
    assert np.all(np.diff(p["electricity"]) > 0)
