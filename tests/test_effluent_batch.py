"""Effluent loads and charges in a batch equal the single assessment (issue #15)."""

from __future__ import annotations

import pandas as pd
import pytest

import recp
from recp.batch import assess_many, evaluate_tables_chunk
from recp.tables import tables_from_scenarios
from tests.conftest import SCENARIOS

DAIRY = next(p for p in SCENARIOS if p.stem == "dairy-md")


def _values(df: pd.DataFrame, indicator: str) -> dict[tuple[str, str], float]:
    sel = df[df["indicator"].astype(str) == indicator]
    return {
        (str(s), str(c)): float(v)
        for s, c, v in zip(sel["scenario"], sel["component"], sel["value"], strict=True)
    }


@pytest.mark.parametrize("where", ["flows", "plants"])
def test_dairy_effluent_in_tables_equals_the_file(where):
    sc = recp.load(DAIRY)
    ref = pd.DataFrame(recp.assess(sc).results())
    t = tables_from_scenarios([sc], ["dairy"])
    if where == "plants":  # the plant's tariff in the plants table instead of on the flow
        col = "effluent_tariff.cod"
        t.plants[col] = t.flows[col].dropna().iloc[0]
        t.flows[col] = None
    res = evaluate_tables_chunk(t)
    assert len(res.errors) == 0, res.errors
    for ind in ("effluent_load", "effluent_load_intensity", "cost"):
        assert _values(res.results, ind) == pytest.approx(_values(ref, ind)), ind
    assert _values(ref, "cost")[("baseline", "effluent_charge")] == pytest.approx(44_400.0)
    many = assess_many([sc])
    assert _values(many.results, "effluent_load") == pytest.approx(_values(ref, "effluent_load"))


def test_bad_effluent_columns_are_errors_in_tables():
    sc = recp.load(DAIRY)
    t = tables_from_scenarios([sc], ["dairy"])
    t.flows.loc[t.flows["id"] == "effluent", "bod5"] = "12 GJ"
    t.plants["effluent_tariff.tss"] = "1 EUR/kg"
    res = evaluate_tables_chunk(t)
    places = " ".join(res.errors["place"].astype(str))
    assert "bod5" in places and "effluent_tariff.tss" in places
