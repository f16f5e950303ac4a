"""recp.models.landfill against IPCC 2006 Vol. 5 Ch. 2-3 hand calculations."""

import pytest

from recp.models.landfill import CH4_PER_C, methane_per_tonne


def test_food_waste_managed_anaerobic():
    # Food waste DOC 0.15 (Vol. 5 Ch. 2 Table 2.4), DOCf 0.5 and F 0.5 (Ch. 3 Section 3.2.3),
    # managed anaerobic MCF 1.0 (Table 3.1), OX 0 (Table 3.2):
    # 0.15 x 0.5 x 1.0 x 0.5 x 16/12 = 0.05 t CH4 per t of waste.
    assert float(methane_per_tonne(0.15, 0.5, 1.0, 0.5, 0.0)) == pytest.approx(0.05)


def test_uncategorised_site_and_oxidation():
    # Uncategorised site MCF 0.6 and a cover that oxidises 10 % (OX 0.1, Table 3.2):
    assert float(methane_per_tonne(0.15, 0.5, 0.6, 0.5, 0.1)) == pytest.approx(
        0.15 * 0.5 * 0.6 * 0.5 * CH4_PER_C * 0.9
    )


def test_no_degradable_carbon_no_methane():
    assert float(methane_per_tonne(0.0, 0.5, 1.0, 0.5, 0.0)) == 0.0
