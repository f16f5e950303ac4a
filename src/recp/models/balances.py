"""Water and mass balances and intensity benchmarks: closure and comparison with a range.

A balance compares what enters a plant with what leaves it over a year: water withdrawn against
wastewater and the other water outputs; materials in [t] against products, waste and the other
mass outputs [t]. It *closes* when the difference is within a tolerance of the inputs (10 % by
default). An intensity is compared with a published sector reference range (below, within or
above). Both work on arrays, one element per plant.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Default relative tolerance of a balance [1].
TOLERANCE = 0.10
BELOW, WITHIN, ABOVE = 0, 1, 2
FLAGS = ("below", "within", "above")


def closure(
    inputs: npt.ArrayLike, outputs: npt.ArrayLike, tolerance: npt.ArrayLike = TOLERANCE
) -> tuple[Array, Array, npt.NDArray[np.bool_]]:
    """Difference, relative difference and verdict of balances.

    Parameters
    ----------
    inputs, outputs : numeric
        Total in and total out of each balance [m3] or [t].
    tolerance : numeric
        Largest relative difference that counts as closing [1].

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray of bool)
        ``inputs - outputs``; that divided by ``inputs`` (NaN where there are no inputs: the
        balance cannot be checked); whether ``|relative| <= tolerance`` (False where NaN).

    Examples
    --------
    >>> d, r, ok = closure([850000.0], [790000.0], 0.10)
    >>> float(d[0]), round(float(r[0]), 4), bool(ok[0])
    (60000.0, 0.0706, True)
    """
    tin = np.atleast_1d(np.asarray(inputs, dtype=float))
    tout = np.atleast_1d(np.asarray(outputs, dtype=float))
    diff = tin - tout
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(tin > 0, diff / tin, np.nan)
    closes = np.abs(np.nan_to_num(rel)) <= np.asarray(tolerance, dtype=float)
    return diff, rel, np.asarray(closes & (tin > 0))


def compare_range(
    value: npt.ArrayLike, low: npt.ArrayLike, high: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """Where values lie against reference ranges: :data:`BELOW`, :data:`WITHIN`, :data:`ABOVE`.

    Parameters
    ----------
    value : numeric
        The plant's intensity [unit of the reference].
    low, high : numeric
        The reference range [unit of the reference]; NaN for an open end.

    Returns
    -------
    numpy.ndarray of int
        Codes into :data:`FLAGS`; a value equal to an end is within.

    Examples
    --------
    >>> [FLAGS[i] for i in compare_range([1.0, 2.0, 5.0], 1.5, 4.0)]
    ['below', 'within', 'above']
    """
    v = np.asarray(value, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    return np.asarray(
        np.where(
            ~np.isnan(lo) & (v < lo), BELOW, np.where(~np.isnan(hi) & (v > hi), ABOVE, WITHIN)
        ),
        dtype=np.int64,
    )


__all__ = ["ABOVE", "BELOW", "FLAGS", "TOLERANCE", "WITHIN", "closure", "compare_range"]
