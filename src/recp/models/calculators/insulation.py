"""Heat loss of bare and insulated pipes and flat surfaces in still air.

The outer surface loses heat by natural convection (Churchill and Chu correlations, air
properties at the film temperature from CoolProp) and by radiation to surroundings at the
ambient temperature; through insulation heat is conducted (cylindrical or plane wall) and the
insulation's surface temperature is solved so that both flows are equal, as ISO 12241 and
VDI 2055 do.

References
----------
.. [1] ISO 12241:2022, Thermal insulation for building equipment and industrial installations
   - Calculation rules, sections 4-5 (heat flow through cylindrical and plane layers, surface
   coefficient = convection + radiation).
.. [2] Churchill, S.W. and Chu, H.H.S. (1975): Correlating equations for laminar and turbulent
   free convection from a horizontal cylinder, Int. J. Heat Mass Transfer 18, 1049-1053, and
   ... from a vertical plate, 18, 1323-1329; as given in Incropera et al., Fundamentals of Heat
   and Mass Transfer, 6th ed. (2007), eqs. 9.26 and 9.34.
.. [3] US DOE Steam Tip Sheet #2 "Insulate Steam Distribution and Condensate Return Lines"
   (AMO, 2012): heat loss per 100 ft of uninsulated steel line, 75 degF ambient, still air.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Stefan-Boltzmann constant [W/(m^2 K^4)] (CODATA 2018).
SIGMA = 5.670374419e-8
_G = 9.80665
_AIR_P = 101_325.0


def _air(prop: str, t: Array) -> Array:
    from CoolProp.CoolProp import PropsSI  # lazy: CoolProp takes seconds to import

    flat = PropsSI(prop, "T", np.ravel(t), "P", _AIR_P, "Air")
    return np.asarray(flat, dtype=float).reshape(t.shape)


def surface_coefficient(
    surface_temperature: npt.ArrayLike,
    ambient_temperature: npt.ArrayLike,
    length: npt.ArrayLike,
    emissivity: npt.ArrayLike,
    cylinder: npt.ArrayLike = True,
) -> Array:
    """Outer surface coefficient, natural convection plus radiation [1]_ [2]_.

    Parameters
    ----------
    surface_temperature, ambient_temperature : numeric
        [K]; the surroundings radiate at the ambient temperature.
    length : numeric
        Outer diameter of a horizontal cylinder, or height of a vertical plate [m].
    emissivity : numeric
        Of the surface [1].
    cylinder : bool or numeric
        True for a horizontal pipe, False for a vertical flat surface.

    Returns
    -------
    numpy.ndarray
        h = h_cv + h_r [W/(m^2 K)].
    """
    ts, ta, ell = np.broadcast_arrays(
        np.asarray(surface_temperature, dtype=float),
        np.asarray(ambient_temperature, dtype=float),
        np.asarray(length, dtype=float),
    )
    dt = np.maximum(np.abs(ts - ta), 1e-9)
    film = (ts + ta) / 2.0
    k, pr = _air("L", film), _air("PRANDTL", film)
    nu = _air("V", film) / _air("D", film)
    ra = _G / film * dt * ell**3 / nu**2 * pr
    nu_cyl = (0.60 + 0.387 * ra ** (1 / 6) / (1 + (0.559 / pr) ** (9 / 16)) ** (8 / 27)) ** 2
    nu_plate = (0.825 + 0.387 * ra ** (1 / 6) / (1 + (0.492 / pr) ** (9 / 16)) ** (8 / 27)) ** 2
    h_cv = np.where(np.asarray(cylinder, dtype=bool), nu_cyl, nu_plate) * k / ell
    h_r = np.asarray(emissivity) * SIGMA * (ts**4 - ta**4) / np.where(ts == ta, 1.0, ts - ta)
    h_r = np.where(ts == ta, 4 * np.asarray(emissivity) * SIGMA * ta**3, h_r)
    return np.asarray(h_cv + h_r)


def bare_loss(
    surface_temperature: npt.ArrayLike,
    ambient_temperature: npt.ArrayLike,
    diameter: npt.ArrayLike,
    emissivity: npt.ArrayLike,
) -> Array:
    """Heat loss of a bare horizontal pipe per metre [W/m] (``pi D h (T_s - T_a)``)."""
    d = np.asarray(diameter, dtype=float)
    dt = np.asarray(surface_temperature, dtype=float) - np.asarray(ambient_temperature)
    h = surface_coefficient(surface_temperature, ambient_temperature, d, emissivity, True)
    return np.asarray(np.pi * d * h * dt)


def insulated_loss(
    inner_temperature: npt.ArrayLike,
    ambient_temperature: npt.ArrayLike,
    diameter: npt.ArrayLike,
    thickness: npt.ArrayLike,
    conductivity: npt.ArrayLike,
    emissivity: npt.ArrayLike,
    cylinder: npt.ArrayLike = True,
    height: npt.ArrayLike = 1.0,
) -> tuple[Array, Array]:
    """Heat loss through insulation and the insulation's surface temperature [1]_.

    Solves ``q = (T_i - T_s) / R_ins = h(T_s) A_s (T_s - T_a)`` for the surface temperature by
    bisection (60 steps, vectorised), with ``R_ins = ln(D_o / D) / (2 pi k)`` per metre of a
    pipe or ``t / k`` per m^2 of a plane wall.

    Parameters
    ----------
    inner_temperature, ambient_temperature : numeric
        Temperature under the insulation (the pipe or wall) and of the air [K].
    diameter : numeric
        Outer diameter of the pipe [m] (ignored for a flat surface).
    thickness : numeric
        Insulation thickness [m].
    conductivity : numeric
        Insulation thermal conductivity at the mean temperature [W/(m K)].
    emissivity : numeric
        Of the insulation's cladding [1].
    cylinder : bool or numeric
        True for a pipe (result per m), False for a flat surface (result per m^2).
    height : numeric
        Height of a flat surface [m] (its convection length).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Heat loss [W/m for a pipe, W/m^2 for a surface] and surface temperature [K].
    """
    ti = np.asarray(inner_temperature, dtype=float)
    ta = np.asarray(ambient_temperature, dtype=float)
    d, t, k = (np.asarray(x, dtype=float) for x in (diameter, thickness, conductivity))
    cyl = np.asarray(cylinder, dtype=bool)
    d_out = d + 2 * t
    r_ins = np.where(cyl, np.log(d_out / d) / (2 * np.pi * k), t / k)
    a_out = np.where(cyl, np.pi * d_out, 1.0)
    ell = np.where(cyl, d_out, np.asarray(height, dtype=float))
    lo, hi = np.broadcast_arrays(ta + 0.0, ti + 0.0)
    lo, hi = lo.copy(), hi.copy()
    for _ in range(60):
        ts = (lo + hi) / 2
        inner = (ti - ts) / r_ins
        outer = surface_coefficient(ts, ta, ell, emissivity, cyl) * a_out * (ts - ta)
        hotter = inner > outer  # the surface can take more heat: it is warmer
        lo = np.where(hotter, ts, lo)
        hi = np.where(hotter, hi, ts)
    ts = (lo + hi) / 2
    return np.asarray((ti - ts) / r_ins), np.asarray(ts)


def insulation(
    inner_temperature: npt.ArrayLike,
    ambient_temperature: npt.ArrayLike,
    thickness: npt.ArrayLike,
    conductivity: npt.ArrayLike,
    size: npt.ArrayLike,
    hours: npt.ArrayLike,
    efficiency: npt.ArrayLike,
    emissivity_bare: npt.ArrayLike,
    emissivity_insulated: npt.ArrayLike,
    cylinder: npt.ArrayLike = True,
    diameter: npt.ArrayLike = 0.1,
    height: npt.ArrayLike = 1.0,
) -> dict[str, Array]:
    """Fuel saved by insulating a bare pipe (per metre) or surface (per m^2) [1]_ [3]_.

    ``fuel = (q_bare - q_insulated) x size x hours / efficiency``, the bare surface at the
    inner temperature (a steel wall's and the inner film's resistance neglected).

    Parameters
    ----------
    inner_temperature, ambient_temperature : numeric
        [K].
    thickness, conductivity : numeric
        Of the insulation [m], [W/(m K)].
    size : numeric
        Pipe length [m] or surface area [m^2].
    hours : numeric
        [h].
    efficiency : numeric
        Of the heat source, fuel to heat [1].
    emissivity_bare, emissivity_insulated : numeric
        [1].
    cylinder : bool or numeric
        Pipe (True) or flat surface (False).
    diameter : numeric
        Pipe outer diameter [m].
    height : numeric
        Surface height [m].

    Returns
    -------
    dict of numpy.ndarray
        ``bare_loss`` and ``insulated_loss`` [W/m or W/m^2], ``insulated_surface`` [K],
        ``heat`` [J/year], ``fuel`` [J/year].
    """
    cyl = np.asarray(cylinder, dtype=bool)
    ti = np.asarray(inner_temperature, dtype=float)
    ta = np.asarray(ambient_temperature, dtype=float)
    ell = np.where(cyl, np.asarray(diameter, dtype=float), np.asarray(height, dtype=float))
    h_bare = surface_coefficient(ti, ta, ell, emissivity_bare, cyl)
    q_bare = h_bare * (ti - ta) * np.where(cyl, np.pi * np.asarray(diameter, dtype=float), 1.0)
    q_ins, ts = insulated_loss(
        ti, ta, diameter, thickness, conductivity, emissivity_insulated, cyl, height
    )
    heat = (q_bare - q_ins) * np.asarray(size, dtype=float) * 3600.0 * np.asarray(hours)
    return {
        "bare_loss": np.asarray(q_bare),
        "insulated_loss": q_ins,
        "insulated_surface": ts,
        "heat": np.asarray(heat),
        "fuel": np.asarray(heat / np.asarray(efficiency, dtype=float)),
    }


__all__ = ["SIGMA", "bare_loss", "insulated_loss", "insulation", "surface_coefficient"]
