"""Lighting retrofits and controls.

References
----------
.. [1] Carbon Trust, Lighting: Bright ideas for more efficient illumination, CTG076 (2012),
   section "How much could you save?": energy = number of fittings x power per fitting x
   hours of use; controls cut the hours lights are on.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def lighting(
    count: npt.ArrayLike,
    power_before: npt.ArrayLike,
    power_after: npt.ArrayLike,
    hours: npt.ArrayLike,
    control_saving: npt.ArrayLike = 0.0,
) -> dict[str, Array]:
    """Electricity saved by new fittings and controls [1]_.

    ``E = n hours (P_before - P_after (1 - c))``, ``c`` the share of hours the controls
    (occupancy, daylight) switch the new fittings off.

    Parameters
    ----------
    count : numeric
        Number of fittings [1].
    power_before, power_after : numeric
        Input power of one fitting, ballast or driver included [W].
    hours : numeric
        Hours a year the lights are on today [h].
    control_saving : numeric
        Share of those hours the controls save [1].

    Returns
    -------
    dict of numpy.ndarray
        ``energy_before``, ``energy_after`` and ``electricity`` saved [J/year].
    """
    n, h = np.asarray(count, dtype=float), np.asarray(hours, dtype=float)
    before = n * np.asarray(power_before, dtype=float) * h * 3600.0
    after = (
        n * np.asarray(power_after, dtype=float) * h * 3600.0 * (1.0 - np.asarray(control_saving))
    )
    return {"energy_before": before, "energy_after": after, "electricity": before - after}


__all__ = ["lighting"]
