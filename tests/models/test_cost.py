"""recp.models.cost: prices per the flow's unit, per GJ, per t or per m3 (hand values)."""

import numpy as np
import pytest

from recp.models.cost import P_GJ, P_M3, P_SAME, P_T, price_per_unit, yearly_cost


def test_same_unit():
    assert float(price_per_unit(0.30, P_SAME, 0.0358, 48.0, 0.0358)) == pytest.approx(0.30)


def test_gas_in_m3_priced_per_gj():
    # 2.1e6 m3 at 35.8 MJ/m3 priced 8 USD/GJ: 8 x 0.0358 = 0.2864 USD/m3 -> 601,440 USD/year.
    p = price_per_unit(8.0, P_GJ, 0.0358, 48.0, 0.0358)
    assert float(yearly_cost(2.1e6, p)) == pytest.approx(601_440.0)


def test_fuel_in_m3_priced_per_tonne_and_per_m3():
    # Diesel in m3 (37.4229 GJ/m3 = 0.8703 t x 43 GJ/t) at 1,000 USD/t: 870.3 USD/m3.
    gj = 0.8703 * 43.0
    assert float(price_per_unit(1000.0, P_T, gj, 43.0, gj)) == pytest.approx(870.3)
    # A fuel in t priced per m3: 1,000 USD/m3 / 0.8703 t/m3 = 1,149.03 USD/t.
    assert float(price_per_unit(1000.0, P_M3, 43.0, 43.0, gj)) == pytest.approx(1000 / 0.8703)


def test_unconvertible_is_not_finite():
    # Priced per m3 but nothing says how much energy a m3 holds.
    assert not np.isfinite(price_per_unit(1.0, P_M3, 43.0, 43.0, np.nan))
