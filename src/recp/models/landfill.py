"""Methane from organic waste sent to a landfill (IPCC 2006 Vol. 5 Ch. 2-3, mass balance)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Mass ratio of CH4 to its carbon, 16/12.
CH4_PER_C = 16.0 / 12.0


def methane_per_tonne(
    doc: npt.ArrayLike,
    docf: npt.ArrayLike,
    mcf: npt.ArrayLike,
    f: npt.ArrayLike,
    ox: npt.ArrayLike,
) -> Array:
    r"""CH4 eventually released per tonne of waste landfilled (the mass-balance method).

    .. math:: CH_4 = DOC \cdot DOC_f \cdot MCF \cdot F \cdot 16/12 \cdot (1 - OX)

    This attributes all the methane a year's waste will release to that year (no first-order
    decay), which is what the saving of a measure needs.

    Parameters
    ----------
    doc : array_like
        Degradable organic carbon [t C/t waste, wet weight] (Vol. 5 Ch. 2 Table 2.4).
    docf : array_like
        Fraction of DOC that decomposes [1] (Ch. 3 Section 3.2.3: 0.5).
    mcf : array_like
        Methane correction factor of the site [1] (Ch. 3 Table 3.1).
    f : array_like
        Fraction of CH4 in landfill gas [1] (Ch. 3 Section 3.2.3: 0.5).
    ox : array_like
        Oxidation factor [1] (Ch. 3 Table 3.2: 0 by default).

    Returns
    -------
    numpy.ndarray
        [t CH4/t waste].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5
       Waste, Ch. 3 Solid Waste Disposal, Equations 3.2-3.3 (DDOCm and CH4 generated) with the
       defaults of Section 3.2.3 and Tables 3.1-3.2; Ch. 2 Table 2.4.

    Examples
    --------
    Food waste (DOC 0.15) on an unmanaged deep site (MCF 0.8):

    >>> float(methane_per_tonne(0.15, 0.5, 0.8, 0.5, 0.0))
    0.04
    """
    return np.asarray(
        np.asarray(doc, dtype=float)
        * np.asarray(docf, dtype=float)
        * np.asarray(mcf, dtype=float)
        * np.asarray(f, dtype=float)
        * 16.0
        / 12.0
        * (1.0 - np.asarray(ox, dtype=float)),
        dtype=float,
    )
