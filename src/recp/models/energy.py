"""Energy content of fuels at the site boundary.

Final energy [GJ] of a fuel flow given by mass, by volume or by energy, at net calorific value
(NCV). Electricity and heat count as delivered (1 GJ per GJ).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from recp.units import B_GJ, B_M3, B_OTHER, B_T, BASES

Array = npt.NDArray[np.float64]

__all__ = [
    "BASES",
    "B_GJ",
    "B_M3",
    "B_OTHER",
    "B_T",
    "energy_per_volume",
    "fuel_energy_per_unit",
]


def fuel_energy_per_unit(
    basis: npt.ArrayLike,
    ncv_mass: npt.ArrayLike,
    ncv_volume: npt.ArrayLike,
    density: npt.ArrayLike,
) -> Array:
    r"""Energy per canonical unit of a fuel flow.

    .. math:: e = \begin{cases} 1 & \text{GJ} \\ NCV_m & \text{t} \\
              NCV_v \text{ if given, else } \rho \cdot NCV_m & \text{m}^3 \end{cases}

    Parameters
    ----------
    basis : array_like of int
        Canonical unit of each amount: :data:`B_T`, :data:`B_M3`, :data:`B_GJ` or
        :data:`B_OTHER`.
    ncv_mass : array_like
        Net calorific value by mass [GJ/t] (= TJ/Gg, IPCC 2006 Vol. 2 Ch. 1 Table 1.2).
    ncv_volume : array_like
        Net calorific value by volume [GJ/m3]; NaN where not given.
    density : array_like
        Density [t/m3]; used for volumes without ``ncv_volume``.

    Returns
    -------
    numpy.ndarray
        Energy per unit [GJ/t, GJ/m3 or GJ/GJ]; 0 for other bases; NaN (or inf) where the
        inputs do not allow it (a volume with neither a volumetric NCV nor a density).

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2
       Energy, Ch. 1, Section 1.4.1.2 (conversion to energy units at NCV) and Table 1.2.

    Examples
    --------
    >>> fuel_energy_per_unit([B_T, B_M3, B_M3, B_GJ], [48.0, 43.0, 43.0, 1.0],
    ...                      [np.nan, 0.0358, np.nan, np.nan], [np.nan, np.nan, 0.84, np.nan]
    ...                      ).round(9).tolist()
    [48.0, 0.0358, 36.12, 1.0]
    """
    basis = np.asarray(basis)
    ncv_mass = np.asarray(ncv_mass, dtype=float)
    ncv_volume = np.asarray(ncv_volume, dtype=float)
    density = np.asarray(density, dtype=float)
    m3 = basis == B_M3
    has_vol = ~np.isnan(ncv_volume)
    gj = np.zeros(np.broadcast(basis, ncv_mass, ncv_volume, density).shape)
    gj = np.where(basis == B_GJ, 1.0, gj)
    gj = np.where(basis == B_T, ncv_mass, gj)
    gj = np.where(m3 & has_vol, ncv_volume, gj)
    return np.asarray(np.where(m3 & ~has_vol, density * ncv_mass, gj), dtype=float)


def energy_per_volume(
    ncv_volume: npt.ArrayLike, density: npt.ArrayLike, ncv_mass: npt.ArrayLike
) -> Array:
    """Energy of one cubic metre of a fuel [GJ/m3]: the volumetric NCV, else density x NCV.

    Parameters
    ----------
    ncv_volume : array_like
        Net calorific value by volume [GJ/m3]; NaN where not given.
    density : array_like
        Density [t/m3].
    ncv_mass : array_like
        Net calorific value by mass [GJ/t].

    Returns
    -------
    numpy.ndarray
        [GJ/m3]; NaN where neither is known.

    Examples
    --------
    >>> energy_per_volume([np.nan, 0.0358], [0.84, np.nan], [43.0, 48.0]).round(9).tolist()
    [36.12, 0.0358]
    """
    ncv_volume = np.asarray(ncv_volume, dtype=float)
    density = np.asarray(density, dtype=float)
    ncv_mass = np.asarray(ncv_mass, dtype=float)
    return np.asarray(np.where(~np.isnan(ncv_volume), ncv_volume, density * ncv_mass), dtype=float)
