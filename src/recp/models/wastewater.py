"""Methane and nitrous oxide from on-site wastewater treatment (IPCC 2006 Vol. 5 Ch. 6)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Mass ratio of N2O to its nitrogen, 44/28.
N2O_PER_N2O_N = 44.0 / 28.0


def methane_per_volume(
    cod: npt.ArrayLike, b0: npt.ArrayLike, mcf: npt.ArrayLike, recovered: npt.ArrayLike
) -> Array:
    r"""CH4 emitted per cubic metre of industrial wastewater treated.

    .. math:: CH_4 = COD \cdot B_0 \cdot MCF \cdot (1 - R)

    IPCC 2006 Vol. 5 Ch. 6 Equations 6.4 and 6.5 (industrial wastewater: emission factor
    ``EF = B0 x MCF``; organics in kg COD; recovered methane ``R`` as a fraction of the methane
    generated; sludge removal not modelled).

    Parameters
    ----------
    cod : array_like
        Chemical oxygen demand of the wastewater [kg/m3] (= g/L).
    b0 : array_like
        Maximum CH4 producing capacity [kg CH4/kg COD] (Table 6.2 / Section 6.2.3.2: 0.25).
    mcf : array_like
        Methane correction factor of the treatment [1] (Table 6.8).
    recovered : array_like
        Fraction of the methane recovered (flared or used) [1].

    Returns
    -------
    numpy.ndarray
        [t CH4/m3].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5
       Waste, Ch. 6 Wastewater Treatment and Discharge, Equations 6.4-6.6, Tables 6.2 and 6.8.

    Examples
    --------
    4 kg COD/m3 in an anaerobic lagoon (MCF 0.8), no recovery:

    >>> float(methane_per_volume(4.0, 0.25, 0.8, 0.0))
    0.0008
    """
    return np.asarray(
        np.asarray(cod, dtype=float)
        * np.asarray(b0, dtype=float)
        * np.asarray(mcf, dtype=float)
        * (1.0 - np.asarray(recovered, dtype=float))
        / 1000.0,
        dtype=float,
    )


def nitrous_oxide_per_volume(nitrogen: npt.ArrayLike, ef: npt.ArrayLike) -> Array:
    r"""N2O emitted per cubic metre from the nitrogen of a wastewater.

    .. math:: N_2O = N \cdot EF \cdot 44/28

    The form of IPCC 2006 Vol. 5 Ch. 6 Equation 6.7 (effluent, EF 0.005 of Table 6.11, domestic
    wastewater) and of the 2019 Refinement's industrial treatment-plant equation (EF 0.016 kg
    N2O-N/kg N for centralised aerobic treatment, Table 6.8A), which recp applies to industrial
    wastewater treated aerobically.

    Parameters
    ----------
    nitrogen : array_like
        Total nitrogen of the wastewater [kg N/m3].
    ef : array_like
        Emission factor [kg N2O-N/kg N].

    Returns
    -------
    numpy.ndarray
        [t N2O/m3].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5
       Waste, Ch. 6, Equation 6.7 and Table 6.11.
    .. [2] IPCC (2019), 2019 Refinement to the 2006 IPCC Guidelines, Vol. 5 Waste, Ch. 6,
       Table 6.8A.

    Examples
    --------
    >>> round(float(nitrous_oxide_per_volume(0.1, 0.005)) * 1e6, 6)
    0.785714
    """
    return np.asarray(
        np.asarray(nitrogen, dtype=float) * np.asarray(ef, dtype=float) * 44.0 / 28.0 / 1000.0,
        dtype=float,
    )
