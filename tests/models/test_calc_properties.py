"""Invariants of the calculators over random inputs (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recp.factors import library
from recp.models.calculators import compressed_air, flue_gas, insulation, lighting, motors, steam

_S = library().table("bimschv-2010-siegert").rows
A1, A2, B = (_S["natural_gas"][k] for k in ("a1", "a2", "b"))
pos = st.floats(min_value=0.1, max_value=10.0)


@settings(max_examples=40, deadline=None)
@given(d=st.floats(0.5e-3, 10e-3), p=st.floats(1e5, 15e5), h=st.floats(1, 8760), k=pos)
def test_leaks_scale_with_hours_and_count(d, p, h, k):
    a = steam.steam_leak(1, d, p, h, 0.85, 333.15)["fuel"]
    b = steam.steam_leak(2, d, p, h * k, 0.85, 333.15)["fuel"]
    assert np.isclose(b, 2 * k * a, rtol=1e-9)
    c = compressed_air.air_leak(1, d, p, h, 4e5)["electricity"]
    e = compressed_air.air_leak(2, d, p, h * k, 4e5)["electricity"]
    assert np.isclose(e, 2 * k * c, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(t=st.floats(400, 600), air=st.floats(273.15, 313.15), o2=st.floats(0.0, 0.15))
def test_same_readings_same_fuel(t, air, o2):
    q = flue_gas.flue_gas_loss(t, air, o2, A2, B)
    assert float(flue_gas.retuning(q, q)["fuel_change"]) == 0.0
    lower = flue_gas.flue_gas_loss(t - 10, air, o2, A2, B)
    assert float(flue_gas.retuning(q, lower)["fuel_change"]) < 0


@settings(max_examples=25, deadline=None)
@given(ti=st.floats(330, 570), d=st.floats(0.02, 0.3), t=st.floats(0.02, 0.15))
def test_insulation_never_loses_more_than_bare_on_real_pipes(ti, d, t):
    r = insulation.insulation(ti, 293.15, t, 0.04, 1.0, 1.0, 1.0, 0.9, 0.9, diameter=d)
    assert r["insulated_loss"] < r["bare_loss"]
    assert 293.15 < r["insulated_surface"] < ti


@settings(max_examples=40, deadline=None)
@given(p=st.floats(1e3, 1e6), e=st.floats(0.5, 0.99), n=st.floats(1, 500), w=st.floats(1, 500))
def test_same_equipment_saves_nothing(p, e, n, w):
    assert float(motors.motor_upgrade(p, 0.8, 4000, e, e)["electricity"]) == 0.0
    assert float(lighting.lighting(n, w, w, 4000)["electricity"]) == 0.0
