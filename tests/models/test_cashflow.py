"""Yearly cash flows (issue #17): escalation, loans, tax, reinvestment, salvage, currencies.

Every expected value is a hand calculation written out in the comment beside it.
"""

from __future__ import annotations

import numpy as np
import pytest

from recp.models import finance
from recp.models.cashflow import cash_flows, irr_flows, nominal_rate


def test_plain_case_is_the_classic_npv_and_irr() -> None:
    # capex 25000, saving 9100 a year for 10 years at 8 %: NPV 36061.74 (finance.npv doctest)
    t = cash_flows(25000.0, 9100.0, 0.08, 10)
    assert float(t.npv) == pytest.approx(float(finance.npv(25000.0, 9100.0, 0.08, 10.0)), rel=1e-12)
    assert float(t.irr) == pytest.approx(float(finance.irr(25000.0, 9100.0, 10.0)), abs=1e-9)
    assert float(t.equity_npv) == pytest.approx(float(t.npv))
    # payback: cumulative -25000 + 9100 k is -6800 after year 2, so 2 + 6800/9100 years
    assert float(t.payback) == pytest.approx(2 + 6800 / 9100)


def test_escalation_by_hand() -> None:
    # capex 1000, saving 100 at today's prices escalating 5 %/year, 3 years, 10 %:
    # flows 105, 110.25, 115.7625 -> NPV = -1000 + 105/1.1 + 110.25/1.21 + 115.7625/1.331
    #                                   = -1000 + 95.454545 + 91.115702 + 86.974080 = -726.455673
    t = cash_flows(1000.0, 100.0, 0.10, 3, escalation=0.05)
    np.testing.assert_allclose(t.table["saving"], [0.0, 105.0, 110.25, 115.7625])
    assert float(t.npv) == pytest.approx(-726.455673, abs=1e-6)


def test_real_rate_becomes_nominal_by_fisher() -> None:
    # real 5 % and inflation 3 %: nominal (1.05)(1.03) - 1 = 8.15 %
    assert float(nominal_rate(0.05, 0.03)) == pytest.approx(0.0815)
    # a saving escalating with inflation discounted at the nominal rate = the real-terms NPV:
    # -1000 + 300 * annuity(5 %, 5) = -1000 + 300 * 4.329477 = 298.843
    t = cash_flows(1000.0, 300.0, 0.05, 5, escalation=0.03, inflation=0.03, real_rate=True)
    assert float(t.npv) == pytest.approx(-1000 + 300 * 4.329476671, abs=1e-6)


def test_loan_schedule_by_hand() -> None:
    # 10000 borrowed at 6 % over 5 years (the whole investment): payment
    # 10000 * 0.06 / (1 - 1.06**-5) = 2373.964; year 1 interest 600, principal 1773.964;
    # year 2 interest (10000 - 1773.964) * 0.06 = 493.562
    t = cash_flows(10000.0, 3000.0, 0.08, 5, debt_share=1.0, debt_rate=0.06, debt_term=5)
    assert -t.table["interest"][1] == pytest.approx(600.0)
    assert -t.table["principal"][1] == pytest.approx(1773.964, abs=1e-3)
    assert -t.table["interest"][2] == pytest.approx(493.562, abs=1e-3)
    assert -t.table["principal"].sum() == pytest.approx(10000.0)
    # equity cash flow: 0 at year 0, then 3000 - 2373.964 = 626.036 each year
    np.testing.assert_allclose(t.table["equity_cash_flow"], [0.0] + [626.036] * 5, atol=1e-3)
    assert float(t.min_dscr) == pytest.approx(3000 / 2373.964, abs=1e-6)


def test_half_debt_equity_irr_above_project_irr() -> None:
    # leverage at 4 % on a project earning ~ 15 % raises the equity IRR
    t = cash_flows(10000.0, 2000.0, 0.08, 10, debt_share=0.5, debt_rate=0.04, debt_term=10)
    assert float(t.irr) == pytest.approx(float(finance.irr(10000.0, 2000.0, 10.0)), abs=1e-9)
    assert float(t.equity_irr) > float(t.irr)
    # equity year 0 = -5000; the equity flows repay it at the equity IRR
    assert float(
        np.sum(t.table["equity_cash_flow"] / (1 + t.equity_irr) ** t.years)
    ) == pytest.approx(0, abs=1e-6)


def test_tax_and_straight_line_depreciation_by_hand() -> None:
    # capex 10000, saving 3000, 5 years, depreciation 10000/5 = 2000 a year, tax 30 %:
    # taxable 3000 - 2000 = 1000, tax 300, after-tax flow 2700;
    # NPV at 10 % = -10000 + 2700 * annuity(10 %, 5) = -10000 + 2700 * 3.790787 = 235.1247
    t = cash_flows(10000.0, 3000.0, 0.10, 5, tax_rate=0.30)
    np.testing.assert_allclose(t.table["tax"][1:], -300.0)
    assert float(t.npv) == pytest.approx(-10000 + 2700 * 3.790786769, abs=1e-5)


def test_reinvestment_and_salvage_by_hand() -> None:
    # lifetime 4 years, horizon 10: the investment is made again at years 4 and 8;
    # with 2 % inflation: -1000 * 1.02**4 = -1082.43216, -1000 * 1.02**8 = -1171.65938;
    # salvage 10 % of capex at year 10, inflated: 100 * 1.02**10 = 121.89944
    t = cash_flows(1000.0, 400.0, 0.08, 10, lifetime=4, inflation=0.02, salvage=0.10)
    re = t.table["reinvestment"]
    assert np.flatnonzero(re).tolist() == [4, 8]
    assert re[4] == pytest.approx(-1082.43216, abs=1e-5)
    assert re[8] == pytest.approx(-1171.65938, abs=1e-5)
    assert t.table["salvage"][10] == pytest.approx(121.89944, abs=1e-5)


def test_reporting_currency() -> None:
    # a plant in BDT reported in USD at 0.0091 USD/BDT: every money figure times 0.0091
    local = cash_flows(1.0e6, 3.0e5, 0.1, 5)
    usd = cash_flows(1.0e6, 3.0e5, 0.1, 5, fx=0.0091)
    assert float(usd.npv) == pytest.approx(float(local.npv) * 0.0091)
    assert float(usd.irr) == pytest.approx(float(local.irr))


def test_vectorised_over_cases() -> None:
    t = cash_flows(np.array([1000.0, 2000.0]), np.array([300.0, 300.0]), 0.08, 6)
    assert t.table["project_cash_flow"].shape == (2, 7)
    assert float(t.npv[0]) == pytest.approx(float(finance.npv(1000.0, 300.0, 0.08, 6.0)))
    assert np.isnan(irr_flows(np.array([100.0, 10.0, 10.0])))  # no outlay: no IRR


def test_escalation_per_carrier_by_hand() -> None:
    # gas saving 100 escalating 5 %, electricity saving 50 escalating 2 %, 2 years, 10 %:
    # year 1: 105 + 51 = 156; year 2: 110.25 + 52.02 = 162.27
    # NPV = -200 + 156/1.1 + 162.27/1.21 = -200 + 141.818182 + 134.107438 = 75.925620
    t = cash_flows(
        200.0, 0.0, 0.10, 2, saving_parts=(np.array([100.0, 50.0]), np.array([0.05, 0.02]))
    )
    np.testing.assert_allclose(t.table["saving"], [0.0, 156.0, 162.27])
    assert float(t.npv) == pytest.approx(75.925620, abs=1e-6)
