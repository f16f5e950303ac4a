"""Vectorised investment appraisal: payback, NPV, IRR and cost of abatement.

All functions take numpy arrays (or scalars) and broadcast; a result that does not exist
(no saving, no discount rate, no lifetime) is NaN, which the report layer shows as null.
Cash flows are yearly and at year end; the investment is at year 0.

:func:`appraise` gives the economics of each intervention and :func:`appraise_scenarios` those
of each scenario (its interventions made together); the single-plant assessment and the batch
engine both call them, so the economics are written once.

Examples
--------
>>> round(float(npv(25000.0, 9100.0, 0.08, 10.0)), 2)
36061.74
>>> round(float(irr(25000.0, 9100.0, 10.0)), 4)
0.3452
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
        af = np.asarray((1.0 - v) / r)
        d = np.asarray((n * v / (1.0 + r) - af) / r)
        small = np.abs(r) < 1e-8  # the limits at r -> 0 (rare: computed only where needed)
        if small.any():
            on = np.broadcast_to(small, af.shape)
            n_on = np.broadcast_to(n, af.shape)[on]
            af[on] = n_on
            d[on] = -n_on * (n_on + 1) / 2.0
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

    def f(r: Array, c: Array, s: Array, n: Array) -> tuple[Array, Array]:
        af, d = _annuity_and_slope(r, n)
        return -c + s * af, s * d

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r0 = s / c  # the perpetuity rate, then one fixed-point step of r = s/c (1 - (1+r)^-n)
        r0 = r0 * (1.0 - np.exp(-n * np.log1p(np.clip(r0, lo + 1e-9, hi))))
    return _solve(f, (c, s, n), lo, hi, iterations, r0).reshape(shape)


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
        With savings of both signs there may be several such rates: this is one of them.
    """
    cap = np.atleast_2d(np.asarray(capex, dtype=float))
    sav = np.atleast_2d(np.asarray(savings, dtype=float))
    yrs = np.atleast_2d(np.asarray(years, dtype=float))
    c = cap.sum(axis=-1)

    def f(r: Array, c: Array, sav: Array, yrs: Array) -> tuple[Array, Array]:
        af, d = _annuity_and_slope(r[:, None], yrs)
        return -c + (sav * af).sum(axis=-1), (sav * d).sum(axis=-1)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r0 = sav.sum(axis=-1) / c
    out = _solve(f, (c, *np.broadcast_arrays(sav, yrs)), lo, hi, iterations, r0)
    return out if np.ndim(capex) > 1 else out.reshape(())


def _newton_step(x: Array, fx: Array, dfx: Array, c: Array) -> Array:
    """The next rate after ``x`` by Newton's method for ``f(r) = V(r) - c``.

    ``V`` is the present value of the savings and ``c`` the capex. Where both are positive the
    step solves ``log V = log c`` in ``log(1 + r)``: ``V`` is then a sum of exponentials in
    ``log(1 + r)`` (log-convex, its log nearly linear), so a few steps reach the root from
    anywhere in the bracket, where Newton on ``f`` itself creeps towards a negative IRR by
    about ``(1 + r) / n`` a step (tens of steps for an investment that loses money). Elsewhere
    (a negative saving among several) the step is Newton's on ``f``. Both have the same root.
    """
    v = fx + c
    on = (v > 0) & (c > 0) & (dfx < 0)
    g = np.log1p(fx / c) * v / (dfx * (1.0 + x))  # log(V/c) over its slope in log(1 + r)
    return np.asarray(np.where(on, (1.0 + x) * np.exp(-g) - 1.0, x - fx / dfx))


def _solve(
    f: Callable[..., tuple[Array, Array]],
    params: tuple[Array, ...],
    lo: float,
    hi: float,
    iterations: int,
    start: Array,
) -> Array:
    """Vectorised safeguarded Newton for ``m`` functions decreasing in the rate.

    ``f(r, *p)`` returns the values and slopes at rates ``r`` of the functions whose
    parameters are ``p`` (``params`` hold those of all ``m`` functions along their first
    axis; ``p[0]`` is the capex: ``f = V - p[0]``, see :func:`_newton_step`). Each iteration
    works on the functions not yet converged only, kept packed.
    """
    m = len(params[0])
    fa, _ = f(np.full(m, lo), *params)
    fb, _ = f(np.full(m, hi), *params)
    ok = np.isfinite(fa) & np.isfinite(fb) & (np.sign(fa) != np.sign(fb)) & (fa != 0)
    x = np.clip(np.where(np.isfinite(start), start, 0.1), lo + 1e-6, hi - 1e-6)
    act = np.flatnonzero(ok)
    # The active functions, packed: rate, bracket [a, b], parameters. The bracket keeps the
    # sign of f at a (the sign of f(lo)) and the other sign at b. A converged function is
    # marked dead and repacked away once half the packed ones are (repacking every iteration
    # costs more than iterating a few finished ones, whose iterates are never used).
    xa, a, b = x[act], np.full(act.size, lo), np.full(act.size, hi)
    pos = fa[act] > 0
    neg = ~pos
    p = tuple(q[act] for q in params)
    live = np.ones(act.size, dtype=bool)
    n_live = act.size
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(iterations):
            if n_live == 0:
                break
            fx, dfx = f(xa, *p)
            same = ((fx > 0) & pos) | ((fx < 0) & neg)  # same sign as at a: a moves up
            np.copyto(a, xa, where=same)
            np.copyto(b, xa, where=~same)
            root = fx == 0  # an exact root stays where it is
            newton = _newton_step(xa, fx, dfx, p[0])
            xn = a + b
            xn *= 0.5  # bisection, where the Newton step leaves the bracket
            inside = (newton > a) & (newton < b)  # never a NaN step
            np.copyto(xn, newton, where=inside)
            tol = 1e-13 * (1.0 + np.abs(xa))
            # a step below the tolerance is convergence, even one that rounding puts on the
            # bracket's edge (the rate there is the last iterate: converging from one side,
            # the edge is the iterate itself)
            np.copyto(xn, xa, where=root | ((np.abs(newton - xa) <= tol) & ~inside))
            done = np.abs(xn - xa) <= tol
            done |= root
            done &= live
            d = np.flatnonzero(done)
            if d.size:
                x[act[d]] = xn[d]
                live[d] = False
                n_live -= d.size
                if n_live < live.size // 2:
                    k = np.flatnonzero(live)
                    act, xn, a, b = act[k], xn[k], a[k], b[k]
                    pos, neg, live = pos[k], neg[k], live[k]
                    p = tuple(q.take(k, axis=0) for q in p)
            xa = xn
        x[act[live]] = xa[live]  # not converged within ``iterations``: the last iterate
    return np.asarray(np.where(ok, x, np.nan), dtype=float)


def cost_of_abatement(
    capex: ArrayLike, annual_saving: ArrayLike, rate: ArrayLike, years: ArrayLike, abated: ArrayLike
) -> Array:
    """Levelised cost per unit abated per year [currency / unit], as in a MAC curve.

    ``(capex * CRF(rate, years) - annual_saving) / abated``; negative means the measure saves
    money. NaN where nothing is abated (``abated <= 0``) or the rate or lifetime is missing.
    """
    annual_cost = np.asarray(capex, dtype=float) * capital_recovery_factor(
        rate, years
    ) - np.asarray(annual_saving, dtype=float)
    return _per_unit(annual_cost, abated)


def _per_unit(annual_cost: Array, abated: ArrayLike) -> Array:
    """Equivalent annual cost per unit abated; NaN where nothing is abated."""
    a = np.asarray(abated, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(a > 0, annual_cost / a, np.nan), dtype=float)


@dataclass(frozen=True)
class Appraisal:
    """Economics of interventions or scenarios, one element per case.

    Attributes
    ----------
    capex : numpy.ndarray
        Investment [currency].
    annual_saving : numpy.ndarray
        Yearly saving net of added operating cost [currency/year].
    simple_payback : numpy.ndarray
        [year]; NaN when the saving is not positive.
    lifetime : numpy.ndarray
        [year]; NaN when not given.
    npv : numpy.ndarray
        Net present value [currency].
    irr : numpy.ndarray
        Internal rate of return [1/year].
    cost_per_unit : dict of numpy.ndarray
        For each abated quantity (``ghg`` [t CO2e/year], ``mercury`` [kg/year]...), the
        levelised cost per unit abated [currency/unit]; NaN where nothing is abated.
    """

    capex: Array
    annual_saving: Array
    simple_payback: Array
    lifetime: Array
    npv: Array
    irr: Array
    cost_per_unit: dict[str, Array]


def carbon_revenue(reduction: ArrayLike, price: ArrayLike) -> Array:
    """Yearly revenue from emission-reduction credits [currency/year].

    One credit is one t CO2e reduced (the CDM's certified emission reduction, UNFCCC decision
    3/CMP.1, annex, paragraph 1(b)); the revenue is the reduction times the price.

    Parameters
    ----------
    reduction : numeric
        Emission reduction [t CO2e/year]; NaN counts as none.
    price : numeric
        Credit price [currency/(t CO2e)]; NaN when no price is given (no revenue).

    Returns
    -------
    numpy.ndarray
        ``reduction * price``; 0 where either is NaN. A measure that adds emissions has a
        negative figure: credits are earned on a project's net reduction (baseline minus
        project emissions, as in every CDM methodology), so it lowers what the others earn.

    Examples
    --------
    >>> float(carbon_revenue(120.0, 8.5))
    1020.0
    """
    r = np.nan_to_num(np.asarray(reduction, dtype=float))
    p = np.nan_to_num(np.asarray(price, dtype=float))
    return np.asarray(r * p)


def appraise(
    capex: ArrayLike,
    opex: ArrayLike,
    flow_saving: ArrayLike,
    rate: ArrayLike,
    years: ArrayLike,
    abated: Mapping[str, ArrayLike],
    credit: ArrayLike = 0.0,
) -> Appraisal:
    """Economics of each intervention on its own cash flow.

    Parameters
    ----------
    capex : numeric
        Investment [currency].
    opex : numeric
        Added operating cost [currency/year].
    flow_saving : numeric
        Saving on the plant's priced flows [currency/year].
    rate : numeric
        Discount rate [1/year]; NaN when not given.
    years : numeric
        Lifetime [year]; NaN when not given.
    abated : mapping of str to numeric
        Quantities abated per year (``ghg`` [t CO2e/year], ``mercury`` [kg/year],
        ``pcdd_f`` [g TEQ/year]); NaN counts as nothing abated.
    credit : numeric, optional
        Revenue from emission-reduction credits [currency/year]
        (:func:`carbon_revenue`); default none.

    Returns
    -------
    Appraisal
        ``annual_saving = flow_saving - opex + credit``, then payback, NPV, IRR and the cost
        per unit abated of each quantity (:func:`cost_of_abatement`).

    Examples
    --------
    >>> a = appraise(25000.0, 0.0, 9100.0, 0.08, 10.0, {"ghg": 50.0})
    >>> round(float(a.npv), 2), round(float(a.cost_per_unit["ghg"]), 2)
    (36061.74, -107.49)
    """
    c = np.asarray(capex, dtype=float)
    n = np.asarray(years, dtype=float)
    saving = np.asarray(
        np.asarray(flow_saving, dtype=float)
        - np.asarray(opex, dtype=float)
        + np.asarray(credit, dtype=float)
    )
    af = annuity_factor(rate, n)  # once: the NPV and the capital recovery factor share it
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = np.asarray(1.0 / af, dtype=float)  # capital_recovery_factor(rate, n)
        annual_cost = c * crf - saving  # as in cost_of_abatement, for every abated quantity
    return Appraisal(
        capex=c,
        annual_saving=saving,
        simple_payback=simple_payback(c, saving),
        lifetime=n,
        npv=np.asarray(-c + saving * af, dtype=float),  # npv(c, saving, rate, n)
        irr=irr(c, saving, n),
        cost_per_unit={
            k: _per_unit(annual_cost, np.nan_to_num(np.asarray(a, dtype=float)))
            for k, a in abated.items()
        },
    )


def appraise_scenarios(
    capex: ArrayLike,
    annual_saving: ArrayLike,
    rate: ArrayLike,
    years: ArrayLike,
    abated: Mapping[str, ArrayLike],
    real: npt.ArrayLike | None = None,
) -> Appraisal:
    """Economics of scenarios: each one's interventions made together, each for its lifetime.

    Parameters
    ----------
    capex, annual_saving, years : numpy.ndarray
        Shape ``(m, k)``: the ``k`` in-sequence interventions of each of ``m`` scenarios
        [currency], [currency/year] (net of operating cost), [year].
    rate : numpy.ndarray
        Shape ``(m,)``: discount rate [1/year]; NaN when not given.
    abated : mapping of str to numpy.ndarray
        Shape ``(m,)``: each quantity abated per year by the whole scenario [unit/year].
    real : numpy.ndarray of bool, optional
        Shape ``(m, k)``: which cells hold an intervention (the others are padding); default
        all.

    Returns
    -------
    Appraisal
        Sums of capex, savings and NPVs; the IRR of the combined cash flows
        (:func:`irr_portfolio`); the longest lifetime; the cost per unit abated from the sum of
        the equivalent annual costs. Lifetime, NPV, IRR and costs per unit are NaN for a
        scenario with an intervention without lifetime.

    Examples
    --------
    >>> a = appraise_scenarios([[25000.0, 10000.0]], [[9100.0, 1000.0]], [0.08],
    ...                        [[10.0, 10.0]], {"ghg": [50.0]})
    >>> round(float(a.npv[0]), 2), float(a.lifetime[0])
    (32771.82, 10.0)
    """
    cap = np.atleast_2d(np.asarray(capex, dtype=float))
    sav = np.atleast_2d(np.asarray(annual_saving, dtype=float))
    yrs = np.atleast_2d(np.asarray(years, dtype=float))
    r = np.atleast_1d(np.asarray(rate, dtype=float))
    mask = np.ones(cap.shape, dtype=bool) if real is None else np.asarray(real, dtype=bool)
    total_capex = np.where(mask, cap, 0.0).sum(axis=-1)
    total_saving = np.where(mask, sav, 0.0).sum(axis=-1)
    has_life = np.all(np.isfinite(yrs) | ~mask, axis=-1)
    out_irr = np.full(len(cap), np.nan)
    h = np.flatnonzero(has_life)
    # solved in groups of scenarios of equal width (up to their last intervention): padding
    # adds exact zeros to the sums, so leaving it out changes no figure and saves the work
    k = mask.shape[-1]
    width = np.where(mask[h].any(axis=-1), k - np.argmax(mask[h][:, ::-1], axis=-1), 0)
    for w in np.unique(width[width > 0]).tolist():
        g = h[width == w]
        out_irr[g] = irr_portfolio(
            np.where(mask[g, :w], cap[g, :w], 0.0),
            np.where(mask[g, :w], sav[g, :w], 0.0),
            np.where(mask[g, :w], yrs[g, :w], 1.0),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        af = annuity_factor(r[:, None], yrs)  # once for the NPVs and the recovery factors
        npv_sum = np.where(mask, -cap + sav * af, 0.0).sum(axis=-1)
        crf = np.asarray(1.0 / af, dtype=float)
        annual_cost = np.where(mask, cap * crf, 0.0).sum(axis=-1) - total_saving
        cost_per_unit = {}
        for k, a in abated.items():
            ab = np.asarray(a, dtype=float)
            cost_per_unit[k] = np.where(has_life & (ab > 0), annual_cost / ab, np.nan)
    return Appraisal(
        capex=total_capex,
        annual_saving=total_saving,
        simple_payback=simple_payback(total_capex, total_saving),
        lifetime=np.where(has_life, np.where(mask, yrs, -np.inf).max(axis=-1), np.nan),
        npv=np.where(has_life, npv_sum, np.nan),
        irr=out_irr,
        cost_per_unit=cost_per_unit,
    )
