import math

import numpy as np
import pytest

from recp import finance


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
    rp = float(finance.irr_portfolio(np.array([25000.0]), np.array([9100.0]),
                                     np.array([10.0])))
    assert rp == pytest.approx(r1, abs=1e-9)


def test_cost_of_abatement_hand_value():
    # capex 10000 over 10 y at 8 %: CRF = 1/6.7100813991 = 0.1490294887; annual cost
    # 1490.294887 - 1000 saving = 490.294887 per 50 t -> 9.8059 per t
    v = float(finance.cost_of_abatement(10000, 1000, 0.08, 10, 50))
    assert v == pytest.approx(9.80589774, rel=1e-8)
    assert math.isnan(float(finance.cost_of_abatement(10000, 1000, 0.08, 10, 0)))
