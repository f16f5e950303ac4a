"""Vectorised investment appraisal: payback, NPV, IRR and cost of abatement.

All functions take numpy arrays (or scalars) and broadcast; a result that does not exist
(no saving, no discount rate, no lifetime) is NaN, which the report layer shows as null.
Cash flows are yearly and at year end; the investment is at year 0.

Examples
--------
>>> round(float(npv(25000.0, 9100.0, 0.08, 10.0)), 2)
36061.74
>>> round(float(irr(25000.0, 9100.0, 10.0)), 4)
0.3452
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


def annuity_factor(rate: ArrayLike, years: ArrayLike) -> Array:
    """Present value of 1 per year for ``years`` years at ``rate``.

    Parameters
    ----------
    rate : numeric
        Discount rate [1/year], e.g. 0.08.
    years : numeric
        Number of yearly payments [year]; need not be whole.

    Returns
    -------
    numpy.ndarray
        ``(1 - (1 + rate) ** -years) / rate``, and ``years`` where ``rate`` is 0.
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        af = (1.0 - (1.0 + r) ** (-n)) / r
    return np.asarray(np.where(np.abs(r) < 1e-12, n, af), dtype=float)


def capital_recovery_factor(rate: ArrayLike, years: ArrayLike) -> Array:
    """Equivalent annual cost of 1 invested today over ``years`` at ``rate`` (1/annuity)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(1.0 / annuity_factor(rate, years), dtype=float)


def simple_payback(capex: ArrayLike, annual_saving: ArrayLike) -> Array:
    """Years to recover ``capex`` from ``annual_saving`` [year]; NaN when the saving is <= 0.

    Zero capex with a positive saving pays back at once (0 years).
    """
    c = np.asarray(capex, dtype=float)
    s = np.asarray(annual_saving, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(s > 0, c / s, np.nan)
    return np.asarray(out, dtype=float)


def npv(capex: ArrayLike, annual_saving: ArrayLike, rate: ArrayLike, years: ArrayLike) -> Array:
    """Net present value of ``-capex`` now and ``annual_saving`` for ``years`` years [currency]."""
    return np.asarray(-np.asarray(capex, dtype=float)
                      + np.asarray(annual_saving, dtype=float) * annuity_factor(rate, years),
                      dtype=float)


def irr(capex: ArrayLike, annual_saving: ArrayLike, years: ArrayLike,
        lo: float = -0.99, hi: float = 100.0, iterations: int = 200) -> Array:
    """Internal rate of return of ``-capex`` now and a constant saving for ``years`` [1/year].

    Solved by vectorised bisection on the NPV, which falls monotonically with the rate for this
    cash-flow shape. NaN where no rate in ``(lo, hi)`` zeroes the NPV (no capex, no saving, or
    a saving that never repays even at -99 %).
    """
    c, s, n = np.broadcast_arrays(np.asarray(capex, dtype=float),
                                  np.asarray(annual_saving, dtype=float),
                                  np.asarray(years, dtype=float))
    return _bisect(lambda r: -c + s * annuity_factor(r, n), c.shape, lo, hi, iterations)


def irr_portfolio(capex: Array, savings: Array, years: Array,
                  lo: float = -0.99, hi: float = 100.0, iterations: int = 200) -> Array:
    """IRR of several investments made together, each saving for its own lifetime.

    Parameters
    ----------
    capex, savings, years : numpy.ndarray
        Shape ``(..., k)``: the ``k`` interventions of each scenario (NaN-free; pad with 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``: the rate zeroing ``-sum(capex) + sum(savings * annuity(r, years))``.
    """
    c = np.asarray(capex, dtype=float).sum(axis=-1)

    def f(r: Array) -> Array:
        return np.asarray(-c + (savings * annuity_factor(r[..., None], years)).sum(axis=-1),
                          dtype=float)

    return _bisect(f, c.shape, lo, hi, iterations)


def _bisect(f: object, shape: tuple[int, ...], lo: float, hi: float, iterations: int) -> Array:
    fn = f  # type: ignore[assignment]
    a = np.full(shape, lo)
    b = np.full(shape, hi)
    fa = fn(a)  # type: ignore[operator]
    fb = fn(b)  # type: ignore[operator]
    ok = np.isfinite(fa) & np.isfinite(fb) & (np.sign(fa) != np.sign(fb)) & (fa != 0)
    for _ in range(iterations):
        m = 0.5 * (a + b)
        fm = fn(m)  # type: ignore[operator]
        left = np.sign(fm) == np.sign(fa)
        a = np.where(left, m, a)
        fa = np.where(left, fm, fa)
        b = np.where(left, b, m)
        if np.all(np.abs(b - a) < 1e-12):
            break
    return np.asarray(np.where(ok, 0.5 * (a + b), np.nan), dtype=float)


def cost_of_abatement(capex: ArrayLike, annual_saving: ArrayLike, rate: ArrayLike,
                      years: ArrayLike, abated: ArrayLike) -> Array:
    """Levelised cost per unit abated per year [currency / unit], as in a MAC curve.

    ``(capex * CRF(rate, years) - annual_saving) / abated``; negative means the measure saves
    money. NaN where nothing is abated (``abated <= 0``) or the rate or lifetime is missing.
    """
    a = np.asarray(abated, dtype=float)
    annual_cost = (np.asarray(capex, dtype=float) * capital_recovery_factor(rate, years)
                   - np.asarray(annual_saving, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(a > 0, annual_cost / a, np.nan), dtype=float)
