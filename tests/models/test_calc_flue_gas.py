"""Flue-gas loss (Siegert), boiler tuning and economisers."""

from __future__ import annotations

import numpy as np
import pytest

from recp import calc
from recp.factors import library
from recp.models.calculators import flue_gas

_S = library().table("bimschv-2010-siegert").rows
A1, A2, B = (_S["natural_gas"][k] for k in ("a1", "a2", "b"))


def test_siegert_constants_of_the_regulation():
    # 1. BImSchV (2010) Anlage 2: heating oil EL A1 0.50, A2 0.68, B 0.007; natural gas
    # 0.37, 0.66, 0.009; LPG 0.42, 0.63, 0.008.
    for fuel, want in {
        "heating_oil": (0.50, 0.68, 0.007),
        "natural_gas": (0.37, 0.66, 0.009),
        "lpg": (0.42, 0.63, 0.008),
    }.items():
        assert tuple(_S[fuel][k] for k in ("a1", "a2", "b")) == want
    assert set(calc.SIEGERT_FUELS) == set(_S)  # the calculator offers exactly the table's fuels


def test_siegert_hand_calculations():
    # Natural gas, flue 180 degC, air 20 degC, 3 % O2: 160 x (0.66 / 18 + 0.009) = 7.3067 %.
    q = flue_gas.flue_gas_loss(453.15, 293.15, 0.03, A2, B)
    assert float(q) == pytest.approx(160 * (0.66 / 18 + 0.009) / 100, rel=1e-12)
    # Heating oil, flue 200 degC, air 20 degC, 12 % CO2: 180 x (0.50 / 12 + 0.007) = 8.76 %.
    a1, b = _S["heating_oil"]["a1"], _S["heating_oil"]["b"]
    q = flue_gas.flue_gas_loss_co2(473.15, 293.15, 0.12, a1, b)
    assert float(q) == pytest.approx(0.0876, rel=1e-12)


def test_economiser_rule_of_thumb_one_percent_per_40_degf():
    # US DOE Steam Tip Sheet #3 (2012): "boiler efficiency can be increased by 1 % for every
    # 40 degF reduction in flue gas temperature" (natural gas, about 15 % excess air, ~3 % O2).
    before = flue_gas.flue_gas_loss(533.15, 293.15, 0.03, A2, B)
    after = flue_gas.flue_gas_loss(533.15 - 40 / 1.8, 293.15, 0.03, A2, B)
    assert float(before - after) == pytest.approx(0.01, rel=0.1)


def test_tuning_saves_fuel_and_identical_readings_save_nothing():
    lb = flue_gas.flue_gas_loss(503.15, 293.15, 0.07, A2, B)
    la = flue_gas.flue_gas_loss(493.15, 293.15, 0.03, A2, B)
    r = flue_gas.retuning(lb, la)
    assert float(r["fuel_change"]) == pytest.approx(float((1 - lb) / (1 - la) - 1), rel=1e-12)
    assert float(r["fuel_change"]) < 0
    assert float(flue_gas.retuning(lb, lb)["fuel_change"]) == 0.0
    o2 = flue_gas.flue_gas_loss(503.15, 293.15, np.array([0.02, 0.05, 0.08]), A2, B)
    assert np.all(np.diff(o2) > 0)
