"""Yearly cash flows of an investment, as banks and RETScreen lay them out.

One function, :func:`cash_flows`, builds the table year by year (0 to the horizon) for many
cases at once (arrays broadcast over a leading case axis; the loop runs over the few years,
never over cases):

- the saving of each year escalates from today's prices: ``S_t = S * (1 + e) ** t``
  (RETScreen's "energy cost escalation rate": the year-``t`` value of a year-0 cost); the
  operating cost escalates at ``e_om`` (default the inflation rate);
- a discount rate given in *real* terms becomes nominal by Fisher's relation
  ``(1 + r_nom) = (1 + r_real) (1 + i)``, because the escalated cash flows are nominal;
- debt: a share ``d`` of the investment is borrowed at ``r_d`` over ``n_d`` years and repaid
  as an annuity ``D * r_d / (1 - (1 + r_d) ** -n_d)``; interest is the rate times the
  balance outstanding at the start of the year, the rest of the payment is principal;
- income tax at ``tax`` on saving - operating cost - depreciation (- interest for the
  equity cash flow); a negative tax is a credit (the loss offsets the plant's other
  taxable income); straight-line depreciation of the investment over ``dep_years``;
- reinvestment of the (inflated) investment at each whole multiple of the lifetime before
  the horizon, and a salvage value at the end of the horizon (a share of the investment,
  inflated);
- every money figure converts to the reporting currency at ``fx`` (reporting per local).

With no escalation, inflation, debt, tax, salvage or reinvestment and a horizon equal to the
lifetime, the project NPV is :func:`recp.models.finance.npv` exactly.

References
----------
RETScreen International, *Clean Energy Project Analysis: RETScreen Engineering & Cases
Textbook*, 3rd ed., Natural Resources Canada (2005), chapter "Financial Analysis" (escalation
of costs from year 0, debt payments, income tax and depreciation, yearly cash flows).
I. Fisher, *The Theory of Interest*, Macmillan (1930), ch. II (real and nominal rates).

Examples
--------
>>> t = cash_flows(25000.0, 9100.0, 0.08, 10)
>>> round(float(t.npv), 2)
36061.74
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from recp.models.finance import capital_recovery_factor

Array = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

#: The yearly columns of a cash-flow table, in the order tables show them.
COLUMNS = (
    "investment",
    "reinvestment",
    "saving",
    "opex",
    "salvage",
    "depreciation",
    "interest",
    "principal",
    "tax",
    "project_cash_flow",
    "equity_cash_flow",
    "cumulative_project",
)


@dataclass(frozen=True)
class CashFlows:
    """A yearly cash-flow table and its summary figures.

    Attributes
    ----------
    years : numpy.ndarray
        ``0 .. horizon``.
    table : dict of str to numpy.ndarray
        Each of :data:`COLUMNS`, shape ``(..., horizon + 1)`` [reporting currency]; outflows
        negative.
    npv, irr : numpy.ndarray
        Of the project cash flow (after tax, before financing) [currency], [1/year].
    equity_npv, equity_irr : numpy.ndarray
        Of the equity cash flow (after debt service and tax).
    payback : numpy.ndarray
        Year the cumulative project cash flow turns positive, interpolated [year]; NaN if
        it never does within the horizon.
    min_dscr : numpy.ndarray
        Smallest debt-service coverage ratio (cash flow before debt over debt service) over
        the loan term; NaN without debt.
    rate : numpy.ndarray
        The nominal discount rate used [1/year].
    """

    years: Array
    table: dict[str, Array]
    npv: Array
    irr: Array
    equity_npv: Array
    equity_irr: Array
    payback: Array
    min_dscr: Array
    rate: Array


def nominal_rate(real: ArrayLike, inflation: ArrayLike) -> Array:
    """Nominal rate from a real rate and inflation (Fisher): ``(1+r)(1+i) - 1``."""
    return np.asarray(
        (1.0 + np.asarray(real, dtype=float)) * (1.0 + np.asarray(inflation, dtype=float)) - 1.0
    )


def present_value(flows: Array, rate: ArrayLike) -> Array:
    """Present value of yearly flows ``(..., T+1)`` (year 0 first) at ``rate`` ``(...)``."""
    t = np.arange(flows.shape[-1], dtype=float)
    r = np.asarray(rate, dtype=float)[..., None]
    return np.asarray((flows / (1.0 + r) ** t).sum(axis=-1))


def irr_flows(flows: Array, lo: float = -0.99, hi: float = 10.0, iterations: int = 200) -> Array:
    """Rate zeroing the present value of yearly flows ``(..., T+1)``, by bisection.

    NaN where the present value does not change sign between ``lo`` and ``hi`` (no outlay,
    or flows that never repay). For flows with one change of sign (an outlay then
    returns) the root is unique.
    """
    f = np.asarray(flows, dtype=float)
    a = np.full(f.shape[:-1], lo)
    b = np.full(f.shape[:-1], hi)
    fa, fb = present_value(f, a), present_value(f, b)
    ok = np.isfinite(fa) & np.isfinite(fb) & (np.sign(fa) != np.sign(fb))
    for _ in range(iterations):
        mid = 0.5 * (a + b)
        fm = present_value(f, mid)
        left = np.sign(fm) == np.sign(fa)
        a, fa = np.where(left, mid, a), np.where(left, fm, fa)
        b = np.where(left, b, mid)
        if np.all(np.abs(b - a) < 1e-12):
            break
    return np.asarray(np.where(ok, 0.5 * (a + b), np.nan))


def _loan(principal: Array, rate: Array, term: Array, t: Array) -> tuple[Array, Array]:
    """Interest and principal paid in each year ``t`` of an annuity loan."""
    k = np.maximum(t - 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pay = np.where(principal > 0, principal * capital_recovery_factor(rate, term), 0.0)
        # balance at the start of year t (t >= 1): D (1+r)^(t-1) - P ((1+r)^(t-1) - 1) / r
        grow = (1.0 + rate) ** k
        paid = np.where(np.abs(rate) < 1e-12, pay * k, pay * (grow - 1.0) / rate)
        balance = np.where(np.abs(rate) < 1e-12, principal - paid, principal * grow - paid)
        on = (t >= 1) & (t <= term)
        interest = np.where(on, balance * rate, 0.0)
    return interest, np.where(on, pay - interest, 0.0)


def cash_flows(
    capex: ArrayLike,
    saving: ArrayLike,
    rate: ArrayLike,
    horizon: int,
    *,
    opex: ArrayLike = 0.0,
    lifetime: ArrayLike | None = None,
    escalation: ArrayLike = 0.0,
    inflation: ArrayLike = 0.0,
    opex_escalation: ArrayLike | None = None,
    real_rate: bool = False,
    debt_share: ArrayLike = 0.0,
    debt_rate: ArrayLike = 0.0,
    debt_term: ArrayLike = 0.0,
    tax_rate: ArrayLike = 0.0,
    depreciation_years: ArrayLike | None = None,
    salvage: ArrayLike = 0.0,
    fx: ArrayLike = 1.0,
    saving_parts: tuple[ArrayLike, ArrayLike] | None = None,
) -> CashFlows:
    """The yearly cash flows of investments, one case per element.

    Parameters
    ----------
    capex : numeric
        Investment at year 0 [local currency].
    saving : numeric
        Yearly saving at today's prices, before operating cost [local currency/year].
    rate : numeric
        Discount rate [1/year]: nominal, or real with ``real_rate=True``.
    horizon : int
        Years of the analysis.
    opex : numeric
        Added operating cost at today's prices [local currency/year].
    lifetime : numeric, optional
        Years before the investment must be made again (default: the horizon).
    escalation, inflation, opex_escalation : numeric
        Yearly escalation of the saving, general inflation, and escalation of the operating
        cost (default the inflation) [1/year].
    debt_share, debt_rate, debt_term : numeric
        Share of the investment borrowed [1], loan rate [1/year], term [year].
    tax_rate : numeric
        Income tax rate [1]; 0 for none.
    depreciation_years : numeric, optional
        Straight-line tax depreciation period [year] (default the lifetime).
    salvage : numeric
        Value at the end of the horizon as a share of the investment [1], inflated.
    fx : numeric
        Reporting currency per unit of local currency (1: report in the local currency).
    saving_parts : (numpy.ndarray, numpy.ndarray), optional
        Savings ``(..., C)`` [local currency/year] and their escalation rates ``(..., C)``
        [1/year], added to ``saving``: the savings on each carrier, escalating each at its
        own rate.

    Returns
    -------
    CashFlows
    """
    c = np.asarray(capex, dtype=float)[..., None]
    s = np.asarray(saving, dtype=float)[..., None]
    om = np.asarray(opex, dtype=float)[..., None]
    t = np.arange(horizon + 1, dtype=float)
    life = np.asarray(horizon if lifetime is None else lifetime, dtype=float)[..., None]
    i = np.asarray(inflation, dtype=float)[..., None]
    e = np.asarray(escalation, dtype=float)[..., None]
    e_om = i if opex_escalation is None else np.asarray(opex_escalation, dtype=float)[..., None]
    dep_n = life if depreciation_years is None else np.asarray(depreciation_years, float)[..., None]
    run = t >= 1
    inflate = (1.0 + i) ** t
    investment = np.where(t == 0, -c, 0.0)
    again = run & (t < horizon) & (np.mod(t, np.maximum(np.round(life), 1.0)) == 0)
    reinvest = np.where(again, -c * inflate, 0.0)
    sav = np.where(run, s * (1.0 + e) ** t, 0.0)
    if saving_parts is not None:
        parts = np.asarray(saving_parts[0], dtype=float)[..., None]  # (..., C, 1)
        rates = np.asarray(saving_parts[1], dtype=float)[..., None]
        sav = sav + np.where(run, parts * (1.0 + rates) ** t, 0.0).sum(axis=-2)
    cost = np.where(run, -om * (1.0 + e_om) ** t, 0.0)
    salv = np.where(t == horizon, np.asarray(salvage, dtype=float)[..., None] * c * inflate, 0.0)
    depreciation = np.where(run & (t <= dep_n), c / dep_n, 0.0)
    loan = c * np.asarray(debt_share, dtype=float)[..., None]
    interest, principal = _loan(
        loan,
        np.asarray(debt_rate, dtype=float)[..., None],
        np.asarray(debt_term, float)[..., None],
        t,
    )
    tax = np.asarray(tax_rate, dtype=float)[..., None]
    operating = sav + cost
    tax_project = -tax * (operating - depreciation)
    tax_equity = -tax * (operating - depreciation - interest)
    project = investment + reinvest + operating + salv + tax_project
    equity = investment + loan * (t == 0) + reinvest + operating + salv + tax_equity
    equity = equity - interest - principal
    r = np.asarray(rate, dtype=float)
    r = nominal_rate(r, np.asarray(inflation, dtype=float)) if real_rate else r
    fxv = np.asarray(fx, dtype=float)[..., None]
    table = {
        "investment": investment,
        "reinvestment": reinvest,
        "saving": sav,
        "opex": cost,
        "salvage": salv,
        "depreciation": depreciation,
        "interest": -interest,
        "principal": -principal,
        "tax": tax_equity,
        "project_cash_flow": project,
        "equity_cash_flow": equity,
        "cumulative_project": np.cumsum(project, axis=-1),
    }
    table = {k: np.asarray(v * fxv) for k, v in table.items()}
    service = interest + principal
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(service > 0, (operating + tax_equity) / service, np.inf).min(axis=-1)
    return CashFlows(
        years=t,
        table=table,
        npv=present_value(table["project_cash_flow"], r),
        irr=irr_flows(project),
        equity_npv=present_value(table["equity_cash_flow"], r),
        equity_irr=irr_flows(equity),
        payback=_payback(table["cumulative_project"]),
        min_dscr=np.where(np.isfinite(dscr), dscr, np.nan),
        rate=np.asarray(r),
    )


def _payback(cumulative: Array) -> Array:
    """First year the cumulative cash flow reaches zero, linearly interpolated; NaN if never."""
    pos = cumulative >= 0
    first = np.argmax(pos, axis=-1)
    found = pos.any(axis=-1) & (first > 0)
    k = np.maximum(first, 1)
    before = np.take_along_axis(cumulative, (k - 1)[..., None], axis=-1)[..., 0]
    at = np.take_along_axis(cumulative, k[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = -before / (at - before)
    return np.asarray(np.where(found, k - 1 + frac, np.where(pos[..., 0], 0.0, np.nan)))
