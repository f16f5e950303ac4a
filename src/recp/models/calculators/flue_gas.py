r"""Flue-gas loss and combustion efficiency (indirect method): boiler tuning and economisers.

The flue-gas loss is Siegert's formula, the method of the German regulation on small and
medium firing installations for the annual chimney-sweep measurement:

.. math:: q_A = (t_A - t_L) \left(\frac{A_2}{21 - O_2} + B\right)
   \quad\text{or}\quad q_A = (t_A - t_L) \left(\frac{A_1}{CO_2} + B\right)

with :math:`q_A` in % of the fuel's net calorific value, temperatures in degC and the gas
concentrations in % by volume, dry. The combustion efficiency is ``1 - q_A``; a change of
efficiency from ``eta_1`` to ``eta_2`` at the same heat output changes the fuel by
``eta_1 / eta_2 - 1``.

References
----------
.. [1] Erste Verordnung zur Durchfuehrung des Bundes-Immissionsschutzgesetzes (Verordnung ueber
   kleine und mittlere Feuerungsanlagen, 1. BImSchV) of 26 January 2010, BGBl. I p. 38,
   Anlage 2 (zu Paragraph 10 Absatz 1): Berechnung des Abgasverlustes; fuel constants
   A1, A2, B.
.. [2] US DOE Steam Tip Sheet #3 "Use Feedwater Economizers for Waste Heat Recovery"
   (AMO, 2012): "boiler efficiency can be increased by 1 % for every 40 degF reduction in flue
   gas temperature".
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Oxygen content of dry air [% by volume].
O2_AIR = 21.0


def flue_gas_loss(
    flue_temperature: npt.ArrayLike,
    air_temperature: npt.ArrayLike,
    o2: npt.ArrayLike,
    a2: npt.ArrayLike,
    b: npt.ArrayLike,
) -> Array:
    """Flue-gas loss from the O2 reading, Siegert's formula [1]_.

    Parameters
    ----------
    flue_temperature, air_temperature : numeric
        Flue gas and combustion air temperatures [K] (only their difference is used).
    o2 : numeric
        Oxygen in the dry flue gas [1] (fraction, below 0.21).
    a2, b : numeric
        Siegert's fuel constants for O2 (table ``bimschv-2010-siegert``) [%/K, 1/K].

    Returns
    -------
    numpy.ndarray
        q_A [1], fraction of the fuel's net calorific value.
    """
    dt = np.asarray(flue_temperature, dtype=float) - np.asarray(air_temperature, dtype=float)
    o2_pct = 100.0 * np.asarray(o2, dtype=float)
    return np.asarray(dt * (np.asarray(a2) / (O2_AIR - o2_pct) + np.asarray(b)) / 100.0)


def flue_gas_loss_co2(
    flue_temperature: npt.ArrayLike,
    air_temperature: npt.ArrayLike,
    co2: npt.ArrayLike,
    a1: npt.ArrayLike,
    b: npt.ArrayLike,
) -> Array:
    """Flue-gas loss from the CO2 reading, Siegert's formula [1]_.

    Parameters
    ----------
    flue_temperature, air_temperature : numeric
        [K].
    co2 : numeric
        CO2 in the dry flue gas [1] (fraction).
    a1, b : numeric
        Siegert's fuel constants for CO2 (table ``bimschv-2010-siegert``).

    Returns
    -------
    numpy.ndarray
        q_A [1].
    """
    dt = np.asarray(flue_temperature, dtype=float) - np.asarray(air_temperature, dtype=float)
    co2_pct = 100.0 * np.asarray(co2, dtype=float)
    return np.asarray(dt * (np.asarray(a1) / co2_pct + np.asarray(b)) / 100.0)


def fuel_change(efficiency_before: npt.ArrayLike, efficiency_after: npt.ArrayLike) -> Array:
    """Relative change of fuel for the same useful heat: ``eta_before / eta_after - 1`` [1]."""
    return np.asarray(
        np.asarray(efficiency_before, dtype=float) / np.asarray(efficiency_after, dtype=float) - 1.0
    )


def retuning(loss_before: npt.ArrayLike, loss_after: npt.ArrayLike) -> dict[str, Array]:
    """Combustion efficiencies before and after and the relative fuel change.

    Parameters
    ----------
    loss_before, loss_after : numeric
        Flue-gas losses [1] (from :func:`flue_gas_loss` or :func:`flue_gas_loss_co2`).

    Returns
    -------
    dict of numpy.ndarray
        ``loss_before``, ``loss_after``, ``efficiency_before``, ``efficiency_after`` and
        ``fuel_change`` [1] (negative: less fuel).
    """
    lb, la = np.asarray(loss_before, dtype=float), np.asarray(loss_after, dtype=float)
    return {
        "loss_before": lb,
        "loss_after": la,
        "efficiency_before": 1.0 - lb,
        "efficiency_after": 1.0 - la,
        "fuel_change": fuel_change(1.0 - lb, 1.0 - la),
    }


__all__ = ["flue_gas_loss", "flue_gas_loss_co2", "fuel_change", "retuning"]
