import math

import numpy as np
import pytest

from recp.models import finance


def test_annuity_factor_hand_value():
    # (1 - 1.08**-10) / 0.08 = 6.710081399... (standard annuity table, 8 %, 10 years)
    assert float(finance.annuity_factor(0.08, 10)) == pytest.approx(6.7100813991, rel=1e-10)
    assert float(finance.annuity_factor(0.0, 7)) == 7.0


def test_npv_hand_value():
    # -25000 + 9100 * 6.7100813991 = 36061.7407
    assert float(finance.npv(25000, 9100, 0.08, 10)) == pytest.approx(36061.7407, abs=1e-3)


def test_irr_zeroes_the_npv():
    r = float(finance.irr(25000, 9100, 10))
    assert float(finance.npv(25000, 9100, r, 10)) == pytest.approx(0.0, abs=1e-6)
    # Hand check: at r = 0.34525, 1.34525**10 = 19.41 and (1 - 1/19.41) / 0.34525 = 2.7473,
    # which is 25000 / 9100: IRR = 34.52 %.
    assert r == pytest.approx(0.345246, abs=5e-6)


def test_irr_of_textbook_case():
    # -100 now, 110 in one year: IRR exactly 10 %.
    assert float(finance.irr(100, 110, 1)) == pytest.approx(0.10, abs=1e-9)


def test_irr_undefined_cases_are_nan():
    assert math.isnan(float(finance.irr(0, 500, 10)))  # nothing invested
    assert math.isnan(float(finance.irr(1000, -5, 10)))  # never repays


def test_simple_payback():
    assert float(finance.simple_payback(25000, 10000)) == 2.5
    assert math.isnan(float(finance.simple_payback(25000, -1)))


def test_portfolio_irr_equals_single_when_one_investment():
    r1 = float(finance.irr(25000, 9100, 10))
    rp = float(finance.irr_portfolio(np.array([25000.0]), np.array([9100.0]), np.array([10.0])))
    assert rp == pytest.approx(r1, abs=1e-9)


def test_cost_of_abatement_hand_value():
    # capex 10000 over 10 y at 8 %: CRF = 1/6.7100813991 = 0.1490294887; annual cost
    # 1490.294887 - 1000 saving = 490.294887 per 50 t -> 9.8059 per t
    v = float(finance.cost_of_abatement(10000, 1000, 0.08, 10, 50))
    assert v == pytest.approx(9.80589774, rel=1e-8)
    assert math.isnan(float(finance.cost_of_abatement(10000, 1000, 0.08, 10, 0)))


def test_irr_exact_root_at_start_is_kept():
    # Regression: the start guess for (60000, 67502.4, 15 y) hits NPV == 0 exactly; the solver
    # once replaced it by a bisection midpoint and returned 6.75 % instead of 112.5 %.
    r = float(finance.irr(60000.0, 67502.4, 15.0))
    assert r == pytest.approx(1.12502617, abs=1e-8)
    assert float(finance.npv(60000.0, 67502.4, r, 15.0)) == pytest.approx(0.0, abs=1e-6)


def test_irr_matches_npv_root_over_many_cases():
    rng = np.random.default_rng(3)
    c = rng.uniform(1e2, 1e6, 20_000)
    s = rng.uniform(-1e5, 1e6, 20_000)
    n = rng.integers(1, 40, 20_000).astype(float)
    r = finance.irr(c, s, n)
    found = ~np.isnan(r)
    # a root exists when the undiscounted savings repay the capex, unless the IRR is above the
    # documented bracket (IRR < s/c, so s < 50 c keeps it below 10 000 %)
    assert found.sum() > 10_000
    resid = finance.npv(c[found], s[found], r[found], n[found])
    assert np.all(np.abs(resid) <= 1e-6 * np.maximum(c[found], 1.0))
    assert not np.any((s * n > c * 1.000001) & (s > 0) & (s < 50 * c) & ~found)


def test_scenarios_of_different_widths_solve_as_if_padded():
    """appraise_scenarios solves each group of scenarios of equal width without the padding
    cells; the IRRs are those of the padded matrices exactly (padding adds exact zeros)."""
    rng = np.random.default_rng(7)
    m, k = 400, 5
    width = rng.integers(0, k + 1, m)
    real = np.arange(k)[None, :] < width[:, None]
    cap = np.where(real, rng.uniform(0, 5e4, (m, k)), 0.0)
    sav = np.where(real, rng.uniform(-2e3, 2e4, (m, k)), 0.0)
    yrs = np.where(real, rng.integers(1, 25, (m, k)).astype(float), np.nan)
    got = finance.appraise_scenarios(cap, sav, np.full(m, 0.08), yrs, {}, real).irr
    padded = finance.irr_portfolio(cap, sav, np.where(real, yrs, 1.0))
    assert np.array_equal(got, padded, equal_nan=True)
    assert np.isnan(got[width == 0]).all()


def test_irr_of_investments_that_lose_money_converges_in_a_few_steps():
    """Newton on log V = log capex in log(1 + r) reaches a negative IRR in a few steps; on the
    NPV itself it crept towards it by about (1 + r) / n a step (tens of steps at n = 20)."""
    capex = np.full(6, 25000.0)
    saving = np.array([100.0, 500.0, 1000.0, 2000.0, 9100.0, 40000.0])
    years = np.array([20.0, 20.0, 10.0, 10.0, 10.0, 3.0])
    full = finance.irr(capex, saving, years)
    assert (full[:4] < 0).all()
    np.testing.assert_allclose(finance.irr(capex, saving, years, iterations=8), full, rtol=1e-12)
    # and the root is the NPV's: 25000 = 1000 * annuity(r, 10) at r = -13.93 %
    assert float(finance.npv(25000, 1000, full[2], 10)) == pytest.approx(0.0, abs=1e-7)
    assert full[2] == pytest.approx(-0.1393146, abs=1e-6)
