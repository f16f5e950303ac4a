"""Lighting retrofits and controls."""

from __future__ import annotations

import pytest

from recp.models.calculators import lighting


def test_lighting_hand_calculation():
    # Carbon Trust CTG076: energy = fittings x power x hours. 120 fittings, 72 W -> 30 W LED,
    # 4,000 h, occupancy sensors saving 25 % of the hours: 120 x 4000 x (72 - 30 x 0.75) Wh.
    r = lighting.lighting(120, 72.0, 30.0, 4000, 0.25)
    assert float(r["electricity"]) / 3.6e9 == pytest.approx(120 * 4000 * (72 - 22.5) / 1e6)
    assert float(lighting.lighting(120, 72.0, 72.0, 4000)["electricity"]) == 0
    more = lighting.lighting(120, 72.0, 30.0, 8000, 0.25)["electricity"]
    assert float(more) == pytest.approx(2 * float(r["electricity"]))
