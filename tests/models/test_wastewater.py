"""recp.models.wastewater against IPCC 2006 Vol. 5 Ch. 6 hand calculations."""

import numpy as np
import pytest

from recp.models.wastewater import methane_per_volume, nitrous_oxide_per_volume

B0 = 0.25  # kg CH4/kg COD, Vol. 5 Ch. 6 Table 6.2 / Section 6.2.3.2 (industrial, COD basis)


def test_anaerobic_lagoon_methane():
    # 850,000 m3 at 4 kg COD/m3 = 3,400 t COD; deep anaerobic lagoon MCF 0.8 (Table 6.8):
    # CH4 = 3,400 x 0.25 x 0.8 = 680 t (Eq. 6.4-6.5, no sludge removal, no recovery).
    assert 850_000 * float(methane_per_volume(4.0, B0, 0.8, 0.0)) == pytest.approx(680.0)


def test_recovery_and_aerobic_plant():
    # Half the methane flared: 340 t; a well-managed aerobic plant (MCF 0): none.
    assert 850_000 * float(methane_per_volume(4.0, B0, 0.8, 0.5)) == pytest.approx(340.0)
    assert float(methane_per_volume(4.0, B0, 0.0, 0.0)) == 0.0


def test_effluent_n2o():
    # 850,000 m3 at 0.05 kg N/m3 = 42.5 t N; Table 6.11 EF 0.005 kg N2O-N/kg N:
    # N2O = 42.5 x 0.005 x 44/28 = 0.33393 t (Eq. 6.7).
    assert 850_000 * float(nitrous_oxide_per_volume(0.05, 0.005)) == pytest.approx(
        42.5 * 0.005 * 44 / 28
    )


def test_monotone_in_cod():
    cod = np.array([0.0, 1.0, 2.0, 8.0])
    assert np.all(np.diff(methane_per_volume(cod, B0, 0.8, 0.0)) > 0)
