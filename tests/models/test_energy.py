"""recp.models.energy against IPCC 2006 defaults and hand calculations."""

import numpy as np
import pytest

from recp.models.energy import B_GJ, B_M3, B_OTHER, B_T, energy_per_volume, fuel_energy_per_unit


def test_mass_at_ipcc_default_ncv():
    # IPCC 2006 Vol. 2 Ch. 1 Table 1.2: natural gas NCV 48.0 TJ/Gg = 48.0 GJ/t;
    # 1,000 t -> 48,000 GJ (48 TJ).
    gj = fuel_energy_per_unit(B_T, 48.0, np.nan, np.nan)
    assert 1000.0 * gj == pytest.approx(48_000.0, rel=1e-15)


def test_volume_by_density_times_ncv():
    # Diesel: UNSD 2004 density 870.3 kg/m3 x IPCC NCV 43.0 GJ/t = 37.4229 GJ/m3 (hand).
    assert fuel_energy_per_unit(B_M3, 43.0, np.nan, 0.8703) == pytest.approx(37.4229)


def test_volume_by_volumetric_ncv_wins_over_density():
    # A supplier's 35.8 MJ/m3 for natural gas is 0.0358 GJ/m3 whatever the density says.
    assert fuel_energy_per_unit(B_M3, 48.0, 0.0358, 0.8) == pytest.approx(0.0358)


def test_energy_and_other_bases():
    got = fuel_energy_per_unit([B_GJ, B_OTHER], [48.0, 48.0], [np.nan] * 2, [np.nan] * 2)
    assert got.tolist() == [1.0, 0.0]


def test_volume_without_ncv_or_density_is_not_a_number():
    assert np.isnan(fuel_energy_per_unit(B_M3, 48.0, np.nan, np.nan))


def test_energy_per_volume():
    assert energy_per_volume([np.nan, 0.0358], [0.8703, np.nan], [43.0, 48.0]).tolist() == [
        pytest.approx(37.4229),
        0.0358,
    ]


def test_vectorised_equals_elementwise():
    basis = np.array([B_T, B_M3, B_M3, B_GJ, B_OTHER])
    ncv = np.array([48.0, 43.0, 48.0, 1.0, 1.0])
    vol = np.array([np.nan, np.nan, 0.0358, np.nan, np.nan])
    dens = np.array([np.nan, 0.8703, np.nan, np.nan, np.nan])
    whole = fuel_energy_per_unit(basis, ncv, vol, dens)
    one_by_one = [fuel_energy_per_unit(*a) for a in zip(basis, ncv, vol, dens, strict=True)]
    assert whole.tolist() == [float(x) for x in one_by_one]
