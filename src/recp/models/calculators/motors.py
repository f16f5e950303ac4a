"""Electric motors and drives: efficient motors and variable speed drives.

References
----------
.. [1] McCoy, G.A., Litman, T., Douglass, J.G., Energy-Efficient Electric Motor Selection
   Handbook, US DOE / Bonneville Power Administration, DOE/CE-0384 Revision 3 (1993),
   section "Determining annual energy savings": kWh saved = hp x 0.746 x L x hours x
   (100/E_std - 100/E_HE).
.. [3] Commission Regulation (EU) 2019/1781, Annex I: minimum efficiencies of the IEC
   60034-30-1 classes as ``eta = A x^3 + B x^2 + C x + D`` [%], ``x = log10(P [kW])``,
   0.75-200 kW (factor table ``eu-motor-classes-2019``).
.. [2] Affinity laws (flow ~ speed, head ~ speed^2, power ~ speed^3) with a static head: US
   DOE, Improving Pumping System Performance: A Sourcebook for Industry, 2nd ed. (2006),
   Fact Sheet "Adjustable Speed Pumping Applications"; Carbon Trust CTG070 "Variable speed
   drives" (2011): "a 20 % reduction in speed ... can save up to 50 % of the energy".
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def motor_upgrade(
    power: npt.ArrayLike,
    load: npt.ArrayLike,
    hours: npt.ArrayLike,
    efficiency_before: npt.ArrayLike,
    efficiency_after: npt.ArrayLike,
    count: npt.ArrayLike = 1.0,
) -> dict[str, Array]:
    """Electricity saved by a more efficient motor doing the same shaft work [1]_.

    ``E = n P L hours (1/eta_before - 1/eta_after)``.

    Parameters
    ----------
    power : numeric
        Rated (shaft output) power of one motor [W].
    load : numeric
        Average load, share of rated power [1].
    hours : numeric
        [h].
    efficiency_before, efficiency_after : numeric
        Motor efficiencies at that load [1].
    count : numeric
        Number of motors [1].

    Returns
    -------
    dict of numpy.ndarray
        ``input_before`` and ``input_after`` [W] of all motors, ``electricity`` [J/year] saved.
    """
    shaft = np.asarray(count, dtype=float) * np.asarray(power, dtype=float) * np.asarray(load)
    before = shaft / np.asarray(efficiency_before, dtype=float)
    after = shaft / np.asarray(efficiency_after, dtype=float)
    return {
        "input_before": before,
        "input_after": after,
        "electricity": (before - after) * 3600.0 * np.asarray(hours, dtype=float),
    }


def class_efficiency(
    power: npt.ArrayLike,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: npt.ArrayLike,
    d: npt.ArrayLike,
    p_max: npt.ArrayLike = 200e3,
) -> Array:
    """Minimum efficiency of an efficiency class at a rated output [3]_.

    Parameters
    ----------
    power : numeric
        Rated output [W]; above ``p_max`` the efficiency at ``p_max``.
    a, b, c, d : numeric
        Coefficients of the class and number of poles [%].
    p_max : numeric
        Highest output the coefficients cover [W].

    Returns
    -------
    numpy.ndarray
        Efficiency [1].
    """
    x = np.log10(np.minimum(np.asarray(power, dtype=float), np.asarray(p_max)) / 1e3)
    pct = np.asarray(a) * x**3 + np.asarray(b) * x**2 + np.asarray(c) * x + np.asarray(d)
    return np.asarray(pct / 100.0)


def vsd_power(
    flow: npt.ArrayLike, static_head: npt.ArrayLike = 0.0, min_speed: npt.ArrayLike = 0.0
) -> Array:
    """Power of a fan or pump on a variable speed drive at part flow, share of full-flow power.

    On a system curve ``H = H_s + (H_0 - H_s) Q^2`` the fluid power at flow ``Q`` (share of
    full flow) is ``Q (h_s + (1 - h_s) Q^2)`` of the full-flow power (pump efficiency taken as
    constant) [2]_; below the minimum speed ``n_min`` the machine runs at it and takes at
    least ``n_min^3`` of the full-flow power.

    Parameters
    ----------
    flow : numeric
        Flow, share of full flow [1].
    static_head : numeric
        Static head, share of the full-flow head [1].
    min_speed : numeric
        Minimum speed, share of full speed [1].

    Returns
    -------
    numpy.ndarray
        Shaft power, share of the full-flow power [1].
    """
    q = np.asarray(flow, dtype=float)
    hs = np.asarray(static_head, dtype=float)
    return np.asarray(np.maximum(q * (hs + (1.0 - hs) * q**2), np.asarray(min_speed) ** 3))


def vsd(
    power: npt.ArrayLike,
    flow: npt.ArrayLike,
    hours: npt.ArrayLike,
    power_before: npt.ArrayLike,
    drive_efficiency: npt.ArrayLike,
    static_head: npt.ArrayLike = 0.0,
    min_speed: npt.ArrayLike = 0.0,
) -> dict[str, Array]:
    """Electricity saved by a variable speed drive over a flow profile [2]_.

    Parameters
    ----------
    power : numeric
        Electrical input power at full flow [W].
    flow : array_like
        Flow at each step of the profile, share of full flow [1] (last axis: the steps).
    hours : array_like
        Hours a year at each step [h].
    power_before : array_like
        Input power at each step with the present control [W] (measured for throttling or
        dampers; ``power x flow`` for on/off cycling).
    drive_efficiency : numeric
        Efficiency of the drive [1].
    static_head, min_speed : numeric
        See :func:`vsd_power`.

    Returns
    -------
    dict of numpy.ndarray
        ``power_after`` [W] at each step, ``energy_before`` and ``energy_after`` [J/year],
        ``electricity`` [J/year] saved.
    """
    p = np.asarray(power, dtype=float)
    h = np.asarray(hours, dtype=float)
    after = (
        p[..., None]
        * vsd_power(flow, static_head, min_speed)
        / np.asarray(drive_efficiency, dtype=float)[..., None]
    )
    e_before = (np.asarray(power_before, dtype=float) * h).sum(axis=-1) * 3600.0
    e_after = (after * h).sum(axis=-1) * 3600.0
    return {
        "power_after": np.asarray(after),
        "energy_before": np.asarray(e_before),
        "energy_after": np.asarray(e_after),
        "electricity": np.asarray(e_before - e_after),
    }


__all__ = ["class_efficiency", "motor_upgrade", "vsd", "vsd_power"]
