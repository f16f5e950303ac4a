"""Motor upgrades and variable speed drives."""

from __future__ import annotations

import numpy as np
import pytest

from recp.models.calculators import motors


def test_motor_upgrade_doe_handbook_formula():
    # DOE/CE-0384 Rev. 3 (1993): kWh saved = hp x 0.746 x L x hours x (100/E_std - 100/E_HE).
    # Hand calculation: 75 hp at 75 % load, 8,000 h, 91.0 % -> 94.1 %.
    kw = 75 * 0.745699872
    r = motors.motor_upgrade(kw * 1e3, 0.75, 8000, 0.910, 0.941)
    want = 75 * 0.746 * 0.75 * 8000 * (100 / 91.0 - 100 / 94.1)
    assert float(r["electricity"]) / 3.6e6 == pytest.approx(want, rel=1e-3)
    assert float(motors.motor_upgrade(kw * 1e3, 0.75, 8000, 0.93, 0.93)["electricity"]) == 0


def test_affinity_laws():
    # Cube law without static head: 80 % flow takes 51.2 % of full power (Carbon Trust CTG070:
    # "a 20 % reduction in speed ... up to 50 % of the energy").
    assert float(motors.vsd_power(0.8)) == pytest.approx(0.512)
    # With a static head of 30 % of the full-flow head, 50 % flow: 0.5 (0.3 + 0.7 x 0.25).
    assert float(motors.vsd_power(0.5, 0.3)) == pytest.approx(0.2375)
    # At a minimum speed of 60 %, the power does not fall below 0.6^3.
    assert float(motors.vsd_power(0.3, 0.0, 0.6)) == pytest.approx(0.216)
    q = np.array([0.4, 0.6, 0.8, 1.0])
    assert np.all(np.diff(motors.vsd_power(q, 0.2)) > 0)


def test_vsd_against_on_off_hand_calculation():
    # 30 kW at full flow, on/off control runs at full power for the share of time: 30 x Q.
    q, h = np.array([1.0, 0.8, 0.6]), np.array([2000.0, 3000.0, 1000.0])
    r = motors.vsd(30e3, q, h, 30e3 * q, 0.97)
    before = (30 * q * h).sum()
    after = (30 * q**3 / 0.97 * h).sum()
    assert float(r["electricity"]) / 3.6e6 == pytest.approx(before - after, rel=1e-12)
    # more hours at part load, more saving
    r2 = motors.vsd(30e3, q, h * 2, 30e3 * q, 0.97)
    assert float(r2["electricity"]) > float(r["electricity"])


# IEC 60034-30:2008 minimum efficiencies at 50 Hz [%] (as reproduced in Siemens, "General
# information regarding efficiency in accordance with International Efficiency", catalogue
# D 81.1): the EU 2019/1781 interpolation formula (factor table eu-motor-classes-2019) gives
# them to the table's 0.1 %.
@pytest.mark.parametrize(
    "cls, poles, kw, pct",
    [("IE2", 4, 0.75, 79.6), ("IE3", 4, 0.75, 82.5), ("IE3", 4, 1.1, 84.1),
     ("IE3", 4, 7.5, 90.4), ("IE3", 2, 0.75, 80.7), ("IE3", 6, 0.75, 78.9),
     ("IE2", 2, 1.5, 81.3), ("IE2", 6, 4.0, 84.6), ("IE3", 4, 22.0, 93.0)],
)  # fmt: skip
def test_class_efficiencies_reproduce_the_iec_table(cls, poles, kw, pct):
    from recp.factors import library

    row = library().table("eu-motor-classes-2019").rows[f"{cls}_{poles}"]
    eff = motors.class_efficiency(kw * 1e3, row["a"], row["b"], row["c"], row["d"])
    assert 100 * float(eff) == pytest.approx(pct, abs=0.06)
    # above 200 kW the value at 200 kW
    big = motors.class_efficiency(500e3, row["a"], row["b"], row["c"], row["d"])
    at200 = motors.class_efficiency(200e3, row["a"], row["b"], row["c"], row["d"])
    assert float(big) == float(at200)
