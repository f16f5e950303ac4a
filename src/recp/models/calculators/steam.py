"""Steam and hot water: leaks, failed traps, condensate return and blowdown heat recovery.

Water and steam properties are IAPWS-IF97 (the IAPWS Industrial Formulation 1997, revised
2007) as implemented by CoolProp's ``IF97`` backend, never a transcribed steam table.

References
----------
.. [1] IAPWS R7-97(2012), Revised Release on the IAPWS Industrial Formulation 1997 for the
   Thermodynamic Properties of Water and Steam; CoolProp ``IF97::Water`` backend (Bell et al.,
   Ind. Eng. Chem. Res. 53(6), 2014, doi:10.1021/ie4033999).
.. [2] Napier's equation for steam through an orifice, choked flow: w [lb/s] = P [psia] x
   A [in^2] / 70; US DOE, Improving Steam System Performance: A Sourcebook for Industry,
   2nd ed. (2012), and Steam Tip Sheet #1 "Inspect and Repair Steam Traps" (2012), table
   "Leaking steam trap discharge rate".
.. [3] US DOE Steam Tip Sheet #8 "Return Condensate to the Boiler" (AMO, 2012).
.. [4] US DOE Steam Tip Sheet #10 "Recover Heat from Boiler Blowdown" (AMO, 2012).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Standard atmosphere [Pa].
ATMOSPHERE = 101_325.0
#: Napier's constant in SI: 1 lb/s per (psia x in^2) / 70, as [kg/s per Pa per m^2].
NAPIER = 0.45359237 / (70.0 * 6894.757293168361 * 0.0254**2)
#: Lowest gauge pressure [Pa] at which steam flow through an orifice is choked (critical
#: pressure ratio about 0.58 for steam), the condition of Napier's equation.
NAPIER_MIN_GAUGE = 0.75e5
_FLUID = "IF97::Water"


def _props(out: str, a: str, av: npt.ArrayLike, b: str, bv: npt.ArrayLike) -> Array:
    """CoolProp's PropsSI on broadcast arrays (it takes 1-D arrays of equal length)."""
    from CoolProp.CoolProp import PropsSI  # lazy: CoolProp takes seconds to import

    x, y = np.broadcast_arrays(np.asarray(av, dtype=float), np.asarray(bv, dtype=float))
    if x.size == 0:
        return np.zeros(x.shape)
    flat = PropsSI(out, a, np.ravel(x), b, np.ravel(y), _FLUID)
    return np.asarray(flat, dtype=float).reshape(x.shape)


def saturated_steam_enthalpy(pressure: npt.ArrayLike) -> Array:
    """Specific enthalpy of dry saturated steam, IAPWS-IF97 [1]_.

    Parameters
    ----------
    pressure : numeric
        Absolute pressure [Pa].

    Returns
    -------
    numpy.ndarray
        h'' [J/kg].
    """
    return _props("H", "P", pressure, "Q", 1.0)


def saturated_liquid_enthalpy(pressure: npt.ArrayLike) -> Array:
    """Specific enthalpy of saturated water at a pressure, IAPWS-IF97 [1]_.

    Parameters
    ----------
    pressure : numeric
        Absolute pressure [Pa].

    Returns
    -------
    numpy.ndarray
        h' [J/kg].
    """
    return _props("H", "P", pressure, "Q", 0.0)


def water_enthalpy(temperature: npt.ArrayLike) -> Array:
    """Specific enthalpy of liquid water at a temperature (saturated liquid), IAPWS-IF97 [1]_.

    The pressure effect on liquid enthalpy below 20 bar is under 0.3 % of the enthalpies used
    here, so the saturated liquid stands for feedwater, make-up water and condensate.

    Parameters
    ----------
    temperature : numeric
        Temperature [K], 273.16 K to 647 K.

    Returns
    -------
    numpy.ndarray
        h [J/kg].
    """
    return _props("H", "T", temperature, "Q", 0.0)


def water_density(temperature: npt.ArrayLike) -> Array:
    """Density of liquid water (saturated liquid) at a temperature, IAPWS-IF97 [1]_ [kg/m^3]."""
    return _props("D", "T", temperature, "Q", 0.0)


def napier_flow(
    diameter: npt.ArrayLike, pressure: npt.ArrayLike, discharge_coefficient: npt.ArrayLike = 1.0
) -> Array:
    r"""Steam mass flow through a round orifice, Napier's equation (choked flow) [2]_.

    .. math:: \dot m = C_d \, A \, p / 70 \quad [\mathrm{lb/s};\ p\ \mathrm{psia},\
       A\ \mathrm{in^2}]

    Parameters
    ----------
    diameter : numeric
        Orifice diameter [m].
    pressure : numeric
        Absolute upstream pressure [Pa]; the flow must be choked (gauge pressure above about
        0.75 bar).
    discharge_coefficient : numeric
        C_d [1]: 1 for the ideal orifice of the equation.

    Returns
    -------
    numpy.ndarray
        Mass flow [kg/s].
    """
    d = np.asarray(diameter, dtype=float)
    area = np.pi * d**2 / 4.0
    return np.asarray(NAPIER * np.asarray(discharge_coefficient) * area * np.asarray(pressure))


def steam_leak(
    holes: npt.ArrayLike,
    diameter: npt.ArrayLike,
    gauge_pressure: npt.ArrayLike,
    hours: npt.ArrayLike,
    boiler_efficiency: npt.ArrayLike,
    feedwater_temperature: npt.ArrayLike,
    discharge_coefficient: npt.ArrayLike = 1.0,
) -> dict[str, Array]:
    """Fuel and water lost through steam leaks or failed-open traps [2]_.

    Steam lost ``m = n x napier_flow(d, p_g + p_atm, C_d)``; the boiler makes it up from
    feedwater, so the fuel is ``m x hours x (h''(p) - h(T_fw)) / eta``, and the make-up water
    is the mass of steam lost.

    Parameters
    ----------
    holes : numeric
        Number of leaks or failed traps [1].
    diameter : numeric
        Orifice diameter [m].
    gauge_pressure : numeric
        Steam gauge pressure [Pa].
    hours : numeric
        Hours a year the steam is on [h].
    boiler_efficiency : numeric
        Boiler efficiency, fuel to steam [1].
    feedwater_temperature : numeric
        Feedwater temperature [K].
    discharge_coefficient : numeric
        C_d [1].

    Returns
    -------
    dict of numpy.ndarray
        ``steam_loss`` [kg/h], ``enthalpy_rise`` [J/kg], ``heat`` [J/year], ``fuel`` [J/year],
        ``water`` [kg/year].
    """
    p = np.asarray(gauge_pressure, dtype=float) + ATMOSPHERE
    per_hole = napier_flow(diameter, p, discharge_coefficient) * 3600.0  # kg/h
    steam = np.asarray(holes, dtype=float) * per_hole
    dh = saturated_steam_enthalpy(p) - water_enthalpy(feedwater_temperature)
    mass = steam * np.asarray(hours, dtype=float)
    heat = mass * dh
    return {
        "steam_loss": steam,
        "enthalpy_rise": dh,
        "heat": heat,
        "fuel": heat / np.asarray(boiler_efficiency, dtype=float),
        "water": mass,
    }


def condensate_return(
    condensate: npt.ArrayLike,
    hours: npt.ArrayLike,
    condensate_temperature: npt.ArrayLike,
    makeup_temperature: npt.ArrayLike,
    boiler_efficiency: npt.ArrayLike,
    flash_fraction: npt.ArrayLike = 0.0,
) -> dict[str, Array]:
    """Fuel and make-up water saved by returning condensate to the boiler [3]_.

    Of the condensate ``m``, the part ``(1 - f)`` that does not flash off replaces make-up
    water: fuel ``(1 - f) m hours (h(T_c) - h(T_m)) / eta``, water ``(1 - f) m hours``.

    Parameters
    ----------
    condensate : numeric
        Condensate returned [kg/h].
    hours : numeric
        Hours a year [h].
    condensate_temperature, makeup_temperature : numeric
        Temperatures of the returned condensate and of the make-up water [K].
    boiler_efficiency : numeric
        [1].
    flash_fraction : numeric
        Share of the condensate lost as flash steam before it is returned [1].

    Returns
    -------
    dict of numpy.ndarray
        ``returned`` [kg/year], ``enthalpy_gain`` [J/kg], ``heat`` [J/year], ``fuel``
        [J/year], ``water`` [m^3/year] (at the make-up temperature).
    """
    kept = (1.0 - np.asarray(flash_fraction, dtype=float)) * np.asarray(condensate, dtype=float)
    mass = kept * np.asarray(hours, dtype=float)
    dh = water_enthalpy(condensate_temperature) - water_enthalpy(makeup_temperature)
    heat = mass * dh
    return {
        "returned": mass,
        "enthalpy_gain": dh,
        "heat": heat,
        "fuel": heat / np.asarray(boiler_efficiency, dtype=float),
        "water": mass / water_density(makeup_temperature),
    }


def blowdown_recovery(
    blowdown: npt.ArrayLike,
    gauge_pressure: npt.ArrayLike,
    hours: npt.ArrayLike,
    makeup_temperature: npt.ArrayLike,
    recovery: npt.ArrayLike,
    boiler_efficiency: npt.ArrayLike,
) -> dict[str, Array]:
    """Fuel saved by recovering heat from continuous blowdown into the make-up water [4]_.

    Blowdown leaves the boiler as saturated water at the boiler pressure; a flash vessel and
    heat exchanger return the share ``r`` of its heat above the make-up temperature:
    ``Q = r m hours (h'(p) - h(T_m))``, fuel ``Q / eta``.

    Parameters
    ----------
    blowdown : numeric
        Continuous blowdown [kg/h].
    gauge_pressure : numeric
        Boiler gauge pressure [Pa].
    hours : numeric
        [h].
    makeup_temperature : numeric
        [K].
    recovery : numeric
        Share of the blowdown heat recovered [1].
    boiler_efficiency : numeric
        [1].

    Returns
    -------
    dict of numpy.ndarray
        ``blowdown_enthalpy`` [J/kg] above make-up, ``recovered_rate`` [W], ``heat``
        [J/year], ``fuel`` [J/year].
    """
    p = np.asarray(gauge_pressure, dtype=float) + ATMOSPHERE
    dh = saturated_liquid_enthalpy(p) - water_enthalpy(makeup_temperature)
    rate = np.asarray(recovery, dtype=float) * np.asarray(blowdown, dtype=float) / 3600.0 * dh
    heat = rate * 3600.0 * np.asarray(hours, dtype=float)
    return {
        "blowdown_enthalpy": dh,
        "recovered_rate": rate,
        "heat": heat,
        "fuel": heat / np.asarray(boiler_efficiency, dtype=float),
    }


__all__ = [
    "blowdown_recovery",
    "condensate_return",
    "napier_flow",
    "saturated_liquid_enthalpy",
    "saturated_steam_enthalpy",
    "steam_leak",
    "water_density",
    "water_enthalpy",
]
