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
from typing import Any

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


def change(before: Any, after: Any) -> Any:
    """``before - after`` (arrays), with noise set to exactly 0.

    A difference within :data:`ZERO_RTOL` of the larger of the two magnitudes is rounding
    noise of sums over many flows; the economics (payback, cost per t abated) read its sign,
    so one plant and a batch, which sum in different orders, must both see 0 there.
    """
    import numpy as np  # lazy: this module sits below every other

    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    d = b - a
    return np.where(np.abs(d) <= ZERO_RTOL * np.maximum(np.abs(b), np.abs(a)), 0.0, d)


#: Savings-only indicators and the result indicator that gives their scale.
SCALE_OF = {"ghg_reduction": "ghg"}
#: Economics fields that are differences of money or of an indicator, and the indicator whose
#: magnitude is their scale (``cost``: the plant's yearly cost).
ECONOMICS_SCALE = {
    "annual_saving": "cost",
    "npv": "cost",
    "carbon_revenue": "cost",
    "ghg_avoided_t_co2e_per_year": "ghg",
    "mercury_avoided_kg_per_year": "mercury",
    "pcdd_f_avoided_g_teq_per_year": "pcdd_f",
}


def clean_rows(
    results: list[dict[str, Any]], savings: list[dict[str, Any]], economics: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Copies of the result, savings and economics rows with floating-point noise set to 0.

    The scale of a value (:func:`recp.report.fmt.clean`) is the largest absolute value of its
    indicator over every state and component (a saving's: of the indicator it saves); an
    economics figure's is the plant's yearly cost (or the avoided quantity's indicator), or
    its capex where that is larger. The JSON document keeps the values as computed.
    """
    scale: dict[str, float] = {}
    for r in results:
        v = r["value"]
        if v is not None:
            scale[r["indicator"]] = max(scale.get(r["indicator"], 0.0), abs(v))
    for r in savings:
        ind = SCALE_OF.get(r["indicator"], r["indicator"])
        if ind not in scale and r["value"] is not None:
            scale[ind] = max(scale.get(ind, 0.0), abs(r["value"]))

    def row(r: dict[str, Any]) -> dict[str, Any]:
        ind = SCALE_OF.get(r["indicator"], r["indicator"])
        return {**r, "value": clean(r["value"], scale.get(ind))}

    def econ(e: dict[str, Any]) -> dict[str, Any]:
        out = dict(e)
        capex = abs(e.get("capex") or 0.0)
        for key, ind in ECONOMICS_SCALE.items():
            if out.get(key) is not None:
                sc = scale.get(ind, 0.0)
                out[key] = clean(out[key], max(sc, capex) if ind == "cost" else sc)
        return out

    return [row(r) for r in results], [row(r) for r in savings], [econ(e) for e in economics]
