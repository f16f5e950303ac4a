"""recp.models.combustion against IPCC 2006 Tier 1 hand calculations."""

import numpy as np
import pytest

from recp.models.combustion import combustion_emissions

AR5_CH4, AR5_N2O = 28.0, 265.0  # IPCC AR5 WG1 Table 8.A.1, GWP-100


def test_natural_gas_tier1():
    # 1,000 t natural gas = 48 TJ (Vol. 2 Table 1.2). Table 1.4: 56,100 kg CO2/TJ -> 2,692.8 t;
    # Table 2.3: CH4 1 kg/TJ -> 48 kg x 28 = 1.344 t CO2e; N2O 0.1 kg/TJ -> 4.8 kg x 265 = 1.272.
    e = combustion_emissions(48_000.0, 56_100.0, 1.0, 0.1, AR5_CH4, AR5_N2O, False)
    assert float(e.co2) == pytest.approx(2692.8)
    assert float(e.ch4) == pytest.approx(1.344)
    assert float(e.n2o) == pytest.approx(1.272)
    assert float(e.biogenic_co2) == 0.0
    assert float(e.scope1) == pytest.approx(2692.8 + 1.344 + 1.272)


def test_biomass_co2_is_biogenic_but_ch4_n2o_count():
    # Wood/wood waste (Table 1.4: 112,000 kg CO2/TJ; Table 2.3: CH4 30, N2O 4 kg/TJ), 1 TJ:
    # 112 t biogenic CO2 outside scope 1; CH4 30 kg x 28 = 0.84 t; N2O 4 kg x 265 = 1.06 t.
    e = combustion_emissions(1000.0, 112_000.0, 30.0, 4.0, AR5_CH4, AR5_N2O, True)
    assert float(e.co2) == 0.0
    assert float(e.biogenic_co2) == pytest.approx(112.0)
    assert float(e.scope1) == pytest.approx(0.84 + 1.06)


def test_linear_in_energy():
    one = combustion_emissions(1.0, 74_100.0, 3.0, 0.6, AR5_CH4, AR5_N2O, False)
    many = combustion_emissions(np.array([0.0, 2.0, 10.0]), 74_100.0, 3.0, 0.6, 28.0, 265.0, False)
    assert many.scope1 == pytest.approx(np.array([0.0, 2.0, 10.0]) * float(one.scope1))
