"""A catalogue measure used with the consultant's own figure credits the consultant (issue #15)."""

from __future__ import annotations

import recp
from recp import sectors


def _doc(changes, **extra):
    doc = sectors.template_data("dairy")
    iv = {"id": "cip", "measure": "dairy.cip_optimisation", **extra}
    if changes is not None:
        iv["changes"] = changes
    doc["interventions"] = [iv]
    return doc


def test_catalogue_measure_with_own_figure_credits_the_user_not_the_catalogue():
    m = sectors.find_measure("dairy.cip_optimisation")
    sc = recp.Scenario.from_dict(_doc([{"flow": "water", "by": "-22 %"}]))
    src = sc.interventions[0].source
    assert src is not None
    assert src.startswith("user-supplied figures (water by -22 %)")
    # the catalogue's figure, range and source are kept as a reference, not as the credit
    assert "catalogue measure dairy.cip_optimisation for reference" in src
    assert "water -15 % (range -10 % to -25 %)" in src
    assert m["source"] in src


def test_catalogue_measure_with_its_own_figures_keeps_the_catalogue_source():
    m = sectors.find_measure("dairy.cip_optimisation")
    same = [{"flow": "water", "by": "-15.0 %"}, {"flow": "gas", "by": {"value": -5, "unit": "%"}}]
    for changes in (None, same):
        sc = recp.Scenario.from_dict(_doc(changes))
        assert sc.interventions[0].source == m["source"]


def test_catalogue_measure_with_own_figure_and_own_source_keeps_the_users_source():
    sc = recp.Scenario.from_dict(_doc([{"flow": "gas", "to": "0 m3"}], source="site audit 2024"))
    assert sc.interventions[0].source == "site audit 2024"
