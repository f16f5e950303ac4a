"""finance: keys (issue #17): yearly cash-flow tables per intervention and scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import recp
from recp.errors import InputError
from recp.scenario import Scenario, loads

PLAIN = Path(__file__).parent / "data" / "issue_example.yaml"


def _with(**fin: object) -> dict:
    d = yaml.safe_load(PLAIN.read_text())
    d["finance"] = fin
    return d


def test_without_finance_the_document_is_unchanged() -> None:
    doc = recp.assess(recp.load(PLAIN)).to_dict()
    assert "cash_flows" not in doc
    assert all("finance" not in r for r in doc["economics"])


def test_empty_finance_reproduces_the_economics() -> None:
    """No escalation, debt or tax, horizon = lifetime: the table's NPV is the economics NPV."""
    doc = recp.assess(Scenario.from_dict(_with())).to_dict()
    row = next(
        r
        for r in doc["economics"]
        if r["intervention"] == "condensate" and r["basis"] == "in_sequence"
    )
    assert row["finance"]["npv"] == pytest.approx(row["npv"], rel=1e-9)
    assert row["finance"]["irr"] == pytest.approx(row["irr"], rel=1e-6)
    years = [r for r in doc["cash_flows"] if r["intervention"] == "condensate"]
    assert [r["year"] for r in years] == list(range(11))
    assert years[1]["saving"] + years[1]["opex"] == pytest.approx(row["annual_saving"])


def test_reporting_currency_and_debt() -> None:
    doc = recp.assess(
        Scenario.from_dict(
            _with(
                debt_share="100 %",
                debt_rate="6 %",
                debt_term="5 year",
                reporting_currency="eur",
                exchange_rate=0.5,
            )  # fmt: skip
        )
    ).to_dict()
    row = next(r for r in doc["cash_flows"] if r["intervention"] == "condensate" and r["year"] == 1)
    # 25000 USD borrowed at 6 %: year-1 interest 1500 USD = 750 EUR
    assert row["currency"] == "EUR"
    assert row["interest"] == pytest.approx(-750.0)
    total = [r for r in doc["cash_flows"] if r["intervention"] is None]
    assert len(total) == 11


@pytest.mark.parametrize(
    ("fin", "expected"),
    [
        ({"debt_share": "150 %"}, "finance.debt_share"),
        ({"horizon": "2.5 year"}, "finance.horizon"),
        ({"exchange_rate": -1}, "finance.exchange_rate"),
        ({"escalation": {"natural_gas": "5 kg"}}, "finance.escalation"),
        ({"loan": 1}, "finance.loan"),
    ],
)
def test_bad_finance_is_one_located_line(fin: dict, expected: str) -> None:
    d = _with(**fin)
    with pytest.raises(InputError) as e:
        loads(yaml.safe_dump(d), file="plant.yaml")
    assert len(e.value.problems) == 1
    assert e.value.problems[0].place.startswith(expected), e.value.problems[0]


def test_excel_report_gains_a_cash_flow_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from recp.cli import main

    f = tmp_path / "plant.yaml"
    f.write_text(yaml.safe_dump(_with(inflation="2 %")))
    out = tmp_path / "r.xlsx"
    assert main(["assess", str(f), "-r", str(out)]) == 0
    ws = load_workbook(out)["Finance cash flows"]
    assert [c.value for c in ws[1]][:3] == ["scenario", "intervention", "year"]
    plain = tmp_path / "p.xlsx"
    assert main(["assess", str(PLAIN), "-r", str(plain)]) == 0
    assert "Finance cash flows" not in load_workbook(plain).sheetnames
