"""When a computed number is zero: floating-point noise shown as 0 in what people read.

Savings, changes and scenario states are differences of sums (an indicator before and after a
change, the cost of every flow before and after). Where the two sides are equal in exact
arithmetic, binary floating point leaves a residue of a few units in the last place of the
operands, e.g. ``-7.28e-12 GJ`` for an energy flow of 42,500 GJ that a measure does not touch
(about 1.7e-16 of it). Reports must show that as ``0``, not as a red increase.

:func:`clean` snaps a value to 0.0 when it is within :data:`ZERO_RTOL` of the magnitude of
the quantities it is a difference of (its ``scale``: the largest absolute value of the same
indicator in the baseline and the scenarios, the plant's total cost, a flow's own baseline
amount). 1e-9 is far above the rounding error of sums of thousands of flows (each addition
loses at most 1.1e-16 of the running total, so 1e4 additions stay below 1e-12) and far below
anything a report shows (three significant digits, or whole currency units on amounts below
1e9 times the scale): nothing real is ever hidden, and no noise is ever shown.

The JSON document and the data tables keep every float as computed; only formatted outputs
(HTML, Markdown, Excel display, the terminal summary, batch roll-ups) are cleaned. The report
layer uses this function through :mod:`recp.report.fmt`.

>>> clean(-7.28e-12, 42500.0), clean(-0.5, 42500.0), clean(None, 1.0), clean(1e-12, 0.0)
(0.0, -0.5, None, 1e-12)
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

#: Relative tolerance: |value| <= ZERO_RTOL x scale is zero (see the module docstring).
ZERO_RTOL = 1e-9


def clean(v: float | None, scale: float | None) -> float | None:
    """Return 0.0 when ``v`` is noise relative to ``scale``, else ``v`` unchanged.

    Parameters
    ----------
    v : float or None
        The value (None and non-finite values are returned as they are).
    scale : float or None
        Magnitude of the quantities ``v`` is a difference of, in the same unit. None, zero or
        non-finite: nothing to compare with, ``v`` is returned unchanged.
    """
    if v is None or not isinstance(v, (int, float)) or not math.isfinite(v):
        return v
    if scale is None or not math.isfinite(scale) or scale == 0:
        return v
    return 0.0 if abs(v) <= ZERO_RTOL * abs(scale) else v


def clean_array(values: npt.ArrayLike, scale: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Vectorised :func:`clean`: zero where ``|values| <= ZERO_RTOL * |scale|`` (NaN kept)."""
    v = np.asarray(values, dtype=float)
    s = np.abs(np.asarray(scale, dtype=float))
    with np.errstate(invalid="ignore"):
        noise = np.isfinite(s) & (s > 0) & (np.abs(v) <= ZERO_RTOL * s)
    return np.asarray(np.where(noise, 0.0, v), dtype=float)
