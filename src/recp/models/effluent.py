"""Effluent pollutant loads and effluent charges of wastewater flows.

A wastewater flow carries pollutants given as a concentration [kg/m3] (``4000 mg/L``) or as a
yearly load [t] (``840 t``). A load is turned into the flow's mean concentration once, when the
input is read (:func:`concentration`), so every load is ``concentration x volume``: a change to
the flow's volume changes its loads in proportion (the concentration stays). To cut a load more
than the volume, split the wastewater into its streams (a CIP stream, a process stream...) and
change the stream that carries it.

The same COD and total nitrogen feed the wastewater CH4 and N2O of :mod:`recp.models.wastewater`
(IPCC 2006 Vol. 5 Ch. 6), so the load and the emissions never disagree.

An effluent charge [currency per kg of a pollutant] (a pollution charge, a sewer surcharge on
COD) makes each cubic metre cost ``sum(concentration x tariff)`` (:func:`charge_per_volume`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Pollutants recp carries, in the order of every output: chemical and biochemical (5-day)
#: oxygen demand, total suspended solids, total nitrogen, total phosphorus.
POLLUTANTS = ("cod", "bod5", "tss", "total_n", "total_p")


def concentration(load: npt.ArrayLike, volume: npt.ArrayLike) -> Array:
    r"""Mean concentration of a pollutant given as a yearly load.

    .. math:: c = 1000 \cdot L / V

    Parameters
    ----------
    load : array_like
        Yearly load of the pollutant [t].
    volume : array_like
        Yearly volume of the wastewater flow [m3]; a load on a zero volume gives ``inf``
        (the caller refuses it).

    Returns
    -------
    numpy.ndarray
        [kg/m3] (= g/L).

    Examples
    --------
    840 t of COD in 210,000 m3 of effluent is 4 kg/m3 (4,000 mg/L):

    >>> float(concentration(840.0, 210000.0))
    4.0
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            1000.0 * np.asarray(load, dtype=float) / np.asarray(volume, dtype=float), dtype=float
        )


def load_per_volume(conc: npt.ArrayLike) -> Array:
    r"""Pollutant load per cubic metre of wastewater.

    .. math:: L/V = c / 1000

    Parameters
    ----------
    conc : array_like
        Concentration [kg/m3].

    Returns
    -------
    numpy.ndarray
        [t/m3].

    Examples
    --------
    >>> float(load_per_volume(4.0))
    0.004
    """
    return np.asarray(np.asarray(conc, dtype=float) / 1000.0, dtype=float)


def charge_per_volume(conc: npt.ArrayLike, tariff: npt.ArrayLike) -> Array:
    r"""Effluent charge per cubic metre, summed over pollutants (NaN entries count as none).

    .. math:: p = \sum_k c_k \cdot T_k

    Parameters
    ----------
    conc : array_like
        Concentrations, pollutants on the last axis [kg/m3]; NaN where not given.
    tariff : array_like
        Charge per kg of each pollutant, same shape [currency/kg]; NaN where none.

    Returns
    -------
    numpy.ndarray
        [currency/m3], the last axis summed; NaN where no pollutant has both a concentration
        and a tariff.

    Examples
    --------
    4 kg COD/m3 at 0.5 USD/kg and 0.1 kg N/m3 at 2 USD/kg:

    >>> float(charge_per_volume([4.0, 0.1], [0.5, 2.0]))
    2.2
    """
    c = np.asarray(conc, dtype=float)
    t = np.asarray(tariff, dtype=float)
    both = ~np.isnan(c) & ~np.isnan(t)
    total = np.where(both, c * t, 0.0).sum(axis=-1)
    return np.asarray(np.where(both.any(axis=-1), total, np.nan), dtype=float)


__all__ = ["POLLUTANTS", "charge_per_volume", "concentration", "load_per_volume"]
