"""The yearly cost of priced flows: a price given per the flow's unit or per GJ, t or m3."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: What a price is per: the flow's own canonical unit, or a GJ, a tonne or a cubic metre.
PRICE_BASES = ("same", "GJ", "t", "m3")
P_SAME, P_GJ, P_T, P_M3 = range(4)


def price_per_unit(
    price: npt.ArrayLike,
    price_basis: npt.ArrayLike,
    energy_per_unit: npt.ArrayLike,
    ncv_mass: npt.ArrayLike,
    energy_per_volume: npt.ArrayLike,
) -> Array:
    """Price per canonical unit of each flow, whatever unit the price was given per.

    A fuel bought by volume but priced per GJ costs ``price x GJ per m3``; priced per tonne,
    ``price x (GJ per unit) / (GJ per t)``; priced per m3, ``price x (GJ per unit) / (GJ per m3)``.

    Parameters
    ----------
    price : array_like
        Price [currency per price basis unit]; NaN where not given.
    price_basis : array_like of int
        :data:`P_SAME`, :data:`P_GJ`, :data:`P_T` or :data:`P_M3`.
    energy_per_unit : array_like
        Energy per canonical unit of the flow [GJ/unit] (see
        :func:`recp.models.energy.fuel_energy_per_unit`).
    ncv_mass : array_like
        [GJ/t].
    energy_per_volume : array_like
        [GJ/m3].

    Returns
    -------
    numpy.ndarray
        [currency/unit]; NaN where no price, inf or NaN where it cannot be converted.

    Examples
    --------
    Natural gas in m3 (0.0358 GJ/m3) priced at 8 USD/GJ:

    >>> round(float(price_per_unit(8.0, P_GJ, 0.0358, 48.0, 0.0358)), 6)
    0.2864
    """
    price = np.asarray(price, dtype=float)
    basis = np.asarray(price_basis)
    gj = np.asarray(energy_per_unit, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_basis = np.select(
            [basis == P_GJ, basis == P_T, basis == P_M3],
            [gj, gj / np.asarray(ncv_mass, dtype=float), gj / np.asarray(energy_per_volume)],
            default=1.0,
        )
        return np.asarray(np.where(basis == P_SAME, price, price * per_basis), dtype=float)


def yearly_cost(amount: npt.ArrayLike, unit_price: npt.ArrayLike) -> Array:
    """Yearly cost of a flow [currency/year]: amount [unit/year] x price [currency/unit].

    Examples
    --------
    >>> float(yearly_cost(2.1e6, 0.30))
    630000.0
    """
    return np.asarray(np.asarray(amount, dtype=float) * np.asarray(unit_price, dtype=float))
