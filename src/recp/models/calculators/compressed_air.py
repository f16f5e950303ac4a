"""Compressed-air leaks: free air lost through round orifices, and the electricity it costs.

References
----------
.. [1] US DOE, Improving Compressed Air System Performance: A Sourcebook for Industry, 3rd ed.
   (2016), Fact Sheet 7 "Compressed Air System Leaks", and Compressed Air Tip Sheet #3
   "Minimize Compressed Air Leaks" (2004): leak rates (cfm of free air) by orifice diameter and
   supply pressure, "based on 100 % coefficient of flow"; sharp-edged orifices about 0.61-0.65
   of those values.
.. [2] Choked (critical) flow of an ideal gas through an orifice, e.g. White, Fluid Mechanics,
   7th ed. (2011), eq. 9.46: m = C_d A p0 sqrt(k / (R T0)) (2 / (k + 1))^((k + 1) / (2 (k - 1))).
.. [3] ISO 1217:2009, Displacement compressors - Acceptance tests, Annex C: free air delivery
   at the standard inlet conditions 1 bar absolute, 20 degC.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Specific gas constant of dry air [J/(kg K)] and its ratio of specific heats [1].
R_AIR = 287.05
GAMMA = 1.4
#: Critical pressure ratio of air: below it (downstream/upstream) the flow is choked.
CRITICAL_RATIO = (2.0 / (GAMMA + 1.0)) ** (GAMMA / (GAMMA - 1.0))


def orifice_mass_flow(
    diameter: npt.ArrayLike,
    pressure: npt.ArrayLike,
    temperature: npt.ArrayLike,
    discharge_coefficient: npt.ArrayLike = 1.0,
) -> Array:
    """Mass flow of air through a round orifice at choked flow [2]_.

    Parameters
    ----------
    diameter : numeric
        Orifice diameter [m].
    pressure : numeric
        Absolute upstream pressure [Pa], at least 1/0.528 of the downstream pressure.
    temperature : numeric
        Upstream air temperature [K].
    discharge_coefficient : numeric
        C_d [1].

    Returns
    -------
    numpy.ndarray
        [kg/s].
    """
    area = np.pi * np.asarray(diameter, dtype=float) ** 2 / 4.0
    choke = (2.0 / (GAMMA + 1.0)) ** ((GAMMA + 1.0) / (2.0 * (GAMMA - 1.0)))
    t = np.asarray(temperature, dtype=float)
    return np.asarray(
        np.asarray(discharge_coefficient)
        * area
        * np.asarray(pressure, dtype=float)
        * np.sqrt(GAMMA / (R_AIR * t))
        * choke
    )


def air_leak(
    holes: npt.ArrayLike,
    diameter: npt.ArrayLike,
    gauge_pressure: npt.ArrayLike,
    hours: npt.ArrayLike,
    specific_power: npt.ArrayLike,
    discharge_coefficient: npt.ArrayLike = 1.0,
    temperature: npt.ArrayLike = 293.15,
    ambient_pressure: npt.ArrayLike = 101_325.0,
) -> dict[str, Array]:
    """Free air lost through leaks and the compressor electricity that makes it [1]_.

    Free air ``V = n m R T / p_a`` (the leaked mass at ambient pressure and the line
    temperature); electricity ``V [m^3/min] x specific power [kW per m^3/min] x hours``.

    Parameters
    ----------
    holes : numeric
        Number of leaks [1].
    diameter : numeric
        Equivalent orifice diameter [m].
    gauge_pressure : numeric
        Line gauge pressure [Pa].
    hours : numeric
        Hours a year the system is pressurised [h].
    specific_power : numeric
        Compressor input power per free air delivered [W per m^3/s].
    discharge_coefficient : numeric
        C_d [1]; 1 is the basis of the DOE table.
    temperature : numeric
        Air temperature [K] (ISO 1217 standard inlet 20 degC [3]_).
    ambient_pressure : numeric
        [Pa].

    Returns
    -------
    dict of numpy.ndarray
        ``free_air`` [m^3/s] of all leaks, ``power`` [W], ``electricity`` [J/year].
    """
    pa = np.asarray(ambient_pressure, dtype=float)
    p = np.asarray(gauge_pressure, dtype=float) + pa
    t = np.asarray(temperature, dtype=float)
    m = np.asarray(holes, dtype=float) * orifice_mass_flow(diameter, p, t, discharge_coefficient)
    free = m * R_AIR * t / pa
    power = free * np.asarray(specific_power, dtype=float)
    return {
        "free_air": free,
        "power": power,
        "electricity": power * 3600.0 * np.asarray(hours, dtype=float),
    }


__all__ = ["CRITICAL_RATIO", "air_leak", "orifice_mass_flow"]
