"""recp.models.electricity: scope 2 location-based, by hand."""

import pytest

from recp.models.electricity import GJ_PER_MWH, per_gj, scope2


def test_per_gj():
    # 1 MWh = 3.6 GJ: 0.72 t CO2e/MWh = 0.2 t CO2e/GJ.
    assert GJ_PER_MWH == 3.6
    assert float(per_gj(0.72)) == pytest.approx(0.2)


def test_scope2_one_gwh():
    # 4.2 GWh = 15,120 GJ at 0.62 t CO2e/MWh = 2,604 t CO2e (4,200 MWh x 0.62).
    assert float(scope2(4.2e3 * GJ_PER_MWH, per_gj(0.62))) == pytest.approx(2604.0)
