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

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]
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
    return np.asarray(
        -np.asarray(capex, dtype=float)
        + np.asarray(annual_saving, dtype=float) * annuity_factor(rate, years),
        dtype=float,
    )


def _annuity_and_slope(rate: Array, years: Array) -> tuple[Array, Array]:
    """Annuity factor and its derivative with respect to the rate."""
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v = np.exp(-n * np.log1p(r))  # (1 + r) ** -n
        small = np.abs(r) < 1e-8
        af = np.where(small, n, (1.0 - v) / np.where(small, 1.0, r))
        d = np.where(small, -n * (n + 1) / 2.0, (n * v / (1.0 + r) - af) / np.where(small, 1.0, r))
    return af, d


def irr(
    capex: ArrayLike,
    annual_saving: ArrayLike,
    years: ArrayLike,
    lo: float = -0.99,
    hi: float = 100.0,
    iterations: int = 200,
) -> Array:
    """Internal rate of return of ``-capex`` now and a constant saving for ``years`` [1/year].

    The NPV falls monotonically with the rate for this cash-flow shape; the root is found by
    Newton's method kept inside a shrinking bracket (bisection where Newton would leave it),
    iterating only on the elements not yet converged. NaN where no rate in ``(lo, hi)`` zeroes
    the NPV: no capex, no saving, a saving that never repays even at -99 %, or an IRR above
    ``hi`` (10 000 % a year by default).
    """
    c, s, n = (
        np.ravel(x).astype(float)
        for x in np.broadcast_arrays(
            np.asarray(capex, dtype=float),
            np.asarray(annual_saving, dtype=float),
            np.asarray(years, dtype=float),
        )
    )
    shape = np.broadcast(np.asarray(capex), np.asarray(annual_saving), np.asarray(years)).shape

    def f(r: Array, i: Index) -> tuple[Array, Array]:
        af, d = _annuity_and_slope(r, n[i])
        return -c[i] + s[i] * af, s[i] * d

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r0 = s / c  # the perpetuity rate, then one fixed-point step of r = s/c (1 - (1+r)^-n)
        r0 = r0 * (1.0 - np.exp(-n * np.log1p(np.clip(r0, lo + 1e-9, hi))))
    return _solve(f, c.size, lo, hi, iterations, r0).reshape(shape)


def irr_portfolio(
    capex: Array,
    savings: Array,
    years: Array,
    lo: float = -0.99,
    hi: float = 100.0,
    iterations: int = 200,
) -> Array:
    """IRR of several investments made together, each saving for its own lifetime.

    Parameters
    ----------
    capex, savings, years : numpy.ndarray
        Shape ``(m, k)``: the ``k`` interventions of each of ``m`` scenarios (pad with 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)``: the rate zeroing ``-sum(capex) + sum(savings * annuity(r, years))``.
    """
    cap = np.atleast_2d(np.asarray(capex, dtype=float))
    sav = np.atleast_2d(np.asarray(savings, dtype=float))
    yrs = np.atleast_2d(np.asarray(years, dtype=float))
    c = cap.sum(axis=-1)

    def f(r: Array, i: Index) -> tuple[Array, Array]:
        af, d = _annuity_and_slope(r[:, None], yrs[i])
        return -c[i] + (sav[i] * af).sum(axis=-1), (sav[i] * d).sum(axis=-1)

    with np.errstate(divide="ignore", invalid="ignore"):
        r0 = sav.sum(axis=-1) / c
    out = _solve(f, c.size, lo, hi, iterations, r0)
    return out if np.ndim(capex) > 1 else out.reshape(())


def _solve(
    f: Callable[[Array, Index], tuple[Array, Array]],
    m: int,
    lo: float,
    hi: float,
    iterations: int,
    start: Array,
) -> Array:
    """Vectorised safeguarded Newton for ``m`` functions decreasing in the rate.

    ``f(r, idx)`` returns the values and slopes of the functions ``idx`` at rates ``r``.
    """
    allidx = np.arange(m)
    fa, _ = f(np.full(m, lo), allidx)
    fb, _ = f(np.full(m, hi), allidx)
    ok = np.isfinite(fa) & np.isfinite(fb) & (np.sign(fa) != np.sign(fb)) & (fa != 0)
    x = np.clip(np.where(np.isfinite(start), start, 0.1), lo + 1e-6, hi - 1e-6)
    a = np.full(m, lo)
    b = np.full(m, hi)
    act = np.flatnonzero(ok)
    for _ in range(iterations):
        if act.size == 0:
            break
        xa = x[act]
        fx, dfx = f(xa, act)
        same = np.sign(fx) == np.sign(fa[act])
        a[act] = np.where(same, xa, a[act])
        fa[act] = np.where(same, fx, fa[act])
        b[act] = np.where(same, b[act], xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - fx / dfx
        inside = np.isfinite(newton) & (newton > a[act]) & (newton < b[act])
        root = fx == 0  # an exact root stays where it is
        xn = np.where(root, xa, np.where(inside, newton, 0.5 * (a[act] + b[act])))
        x[act] = xn
        done = (np.abs(xn - xa) <= 1e-13 * (1.0 + np.abs(xa))) | root
        act = act[~done]
    return np.asarray(np.where(ok, x, np.nan), dtype=float)


def cost_of_abatement(
    capex: ArrayLike, annual_saving: ArrayLike, rate: ArrayLike, years: ArrayLike, abated: ArrayLike
) -> Array:
    """Levelised cost per unit abated per year [currency / unit], as in a MAC curve.

    ``(capex * CRF(rate, years) - annual_saving) / abated``; negative means the measure saves
    money. NaN where nothing is abated (``abated <= 0``) or the rate or lifetime is missing.
    """
    a = np.asarray(abated, dtype=float)
    annual_cost = np.asarray(capex, dtype=float) * capital_recovery_factor(
        rate, years
    ) - np.asarray(annual_saving, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(a > 0, annual_cost / a, np.nan), dtype=float)
