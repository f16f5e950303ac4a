"""Bought electricity and heat: location-based scope 2."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: GJ in one MWh.
GJ_PER_MWH = 3.6


def per_gj(factor_per_mwh: npt.ArrayLike) -> Array:
    """Convert an emission factor per MWh into one per GJ.

    Parameters
    ----------
    factor_per_mwh : array_like
        [t CO2e/MWh] (= kg CO2e/kWh).

    Returns
    -------
    numpy.ndarray
        [t CO2e/GJ].

    Examples
    --------
    >>> round(float(per_gj(0.36)), 12)
    0.1
    """
    return np.asarray(np.asarray(factor_per_mwh, dtype=float) / GJ_PER_MWH, dtype=float)


def scope2(delivered: npt.ArrayLike, factor: npt.ArrayLike) -> Array:
    r"""Scope 2 emissions of bought electricity or heat, location-based.

    .. math:: E = \text{energy delivered} \cdot EF

    Parameters
    ----------
    delivered : array_like
        Energy delivered [GJ].
    factor : array_like
        Emission factor of the grid or the supplier [t CO2e/GJ].

    Returns
    -------
    numpy.ndarray
        [t CO2e].

    References
    ----------
    .. [1] WRI/WBCSD (2015), GHG Protocol Scope 2 Guidance, Ch. 6 (calculation: activity data
       x emission factor; location-based method).

    Examples
    --------
    >>> float(scope2(3600.0, per_gj(0.5)))
    500.0
    """
    return np.asarray(np.asarray(delivered, dtype=float) * np.asarray(factor, dtype=float))
