"""Yearly cash-flow tables of a plant's interventions and scenarios (``finance:`` keys).

Only when the scenario file has ``finance:`` (at the top or in an intervention): the JSON
document then gains ``cash_flows`` (one row per scenario, intervention and year; the scenario
total has ``intervention: null``) and each in-sequence ``economics`` row a ``finance`` mapping
(NPV, IRR, equity NPV and IRR, payback, smallest debt-service coverage ratio, in the reporting
currency). The arithmetic is :func:`recp.models.cashflow.cash_flows`.

Each intervention's saving is split by flow, so that each carrier escalates at its own rate
(:func:`recp.financing.escalation_of`); its carbon revenue escalates at the ``default`` rate.
A scenario's table is the sum of its interventions' in-sequence tables over one horizon (the
``horizon`` key, else the longest lifetime); a shorter-lived measure is bought again.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from recp.financing import Finance, escalation_of, merged
from recp.models import finance
from recp.models.cashflow import COLUMNS, CashFlows, cash_flows, irr_flows, present_value

if TYPE_CHECKING:
    from recp.assessment import Assessment


def _num(x: float) -> float | None:
    """JSON-ready float, as the rest of the document (12 significant digits, None for NaN)."""
    if x is None or not math.isfinite(x):
        return None
    return 0.0 if x == 0 else float(f"{x:.12g}")


def has_finance(a: Assessment) -> bool:
    """Whether the scenario asks for cash-flow tables."""
    return a.scenario.finance is not None or any(
        iv.finance is not None for iv in a.scenario.interventions
    )


def _table(
    a: Assessment, fin: Finance, iid: str, before: np.ndarray, after: np.ndarray, horizon: int
) -> CashFlows:
    """One intervention's cash flows from the amounts before and after it."""
    c, sc = a.compiled, a.scenario
    try:
        cost = c.row_index("cost", "total")
        per_flow = (before - after) * c.W[:, cost]  # saving on each flow [currency/year]
    except KeyError:
        per_flow = np.zeros(len(before))
    kinds = {f.id: (f.carrier, f.type) for f in sc.flows}
    rates = np.array([escalation_of(fin, fid, *kinds.get(fid, (None, ""))) for fid in c.flow_ids])
    credit = 0.0
    price, red = c.settings.get("carbon_price"), None
    if price is not None:
        try:
            red = c.row_index("ghg_reduction", "total")
        except KeyError:
            red = None
    if red is not None and price is not None:
        credit = float(finance.carbon_revenue((before - after) @ c.W[:, red], float(price)))
    rate = c.settings.get("discount_rate")
    life = c.lifetime[iid]
    return cash_flows(
        c.capex[iid],
        credit,
        np.nan if rate is None else rate,
        horizon,
        opex=c.opex[iid],
        lifetime=life if np.isfinite(life) else horizon,
        escalation=escalation_of(fin, "", None, "default"),
        inflation=fin.inflation or 0.0,
        opex_escalation=fin.opex_escalation,
        real_rate=fin.discount_basis == "real",
        debt_share=fin.debt_share or 0.0,
        debt_rate=fin.debt_rate or 0.0,
        debt_term=fin.debt_term or 0.0,
        tax_rate=fin.tax_rate or 0.0,
        depreciation_years=fin.depreciation_years,
        salvage=fin.salvage or 0.0,
        fx=fin.exchange_rate or 1.0,
        saving_parts=(per_flow, rates),
    )


def _summary(t: CashFlows, horizon: int, currency: str) -> dict[str, Any]:
    return {
        "currency": currency,
        "horizon_years": horizon,
        "discount_rate_nominal": _num(float(t.rate)),
        "npv": _num(float(t.npv)),
        "irr": _num(float(t.irr)),
        "equity_npv": _num(float(t.equity_npv)),
        "equity_irr": _num(float(t.equity_irr)),
        "payback_years": _num(float(t.payback)),
        "min_dscr": _num(float(t.min_dscr)),
    }


def _rows(name: str, iid: str | None, t: CashFlows, currency: str) -> list[dict[str, Any]]:
    return [
        {
            "scenario": name,
            "intervention": iid,
            "year": int(y),
            "currency": currency,
            **{k: _num(float(t.table[k][j])) for k in COLUMNS},
        }
        for j, y in enumerate(t.years)
    ]


def add_cash_flows(doc: dict[str, Any], a: Assessment) -> dict[str, Any]:
    """Add ``cash_flows`` and the ``finance`` figures of economics rows to ``doc``."""
    sc, c = a.scenario, a.compiled
    plant = sc.finance or Finance()
    currency = plant.reporting_currency or sc.currency
    rows: list[dict[str, Any]] = []
    figures: dict[tuple[str, str | None], dict[str, Any]] = {}
    for name, ids in sc.scenario_map.items():
        if not ids:
            continue
        lives = [c.lifetime[i] for i in ids if np.isfinite(c.lifetime[i])]
        horizon = int(plant.horizon or (max(lives) if lives else 0))
        if horizon < 1:
            continue  # no lifetime and no horizon: no table (economics say why)
        states = a.states[name]
        ivs = {iv.id: iv for iv in sc.interventions}
        tables = []
        for k, iid in enumerate(ids):
            fin = merged(sc.finance, ivs[iid].finance) or Finance()
            t = _table(a, fin, iid, states[k], states[k + 1], horizon)
            tables.append(t)
            cur = fin.reporting_currency or currency
            rows += _rows(name, iid, t, cur)
            figures[(name, iid)] = _summary(t, horizon, cur)
        total = {k: np.sum([t.table[k] for t in tables], axis=0) for k in COLUMNS}
        total["cumulative_project"] = np.cumsum(total["project_cash_flow"])
        t0 = tables[0]
        dscr = [float(t.min_dscr) for t in tables]
        tot = CashFlows(
            years=t0.years,
            table=total,
            npv=present_value(total["project_cash_flow"], t0.rate),
            irr=irr_flows(total["project_cash_flow"]),
            equity_npv=present_value(total["equity_cash_flow"], t0.rate),
            equity_irr=irr_flows(total["equity_cash_flow"]),
            payback=np.asarray(_first_positive(total["cumulative_project"])),
            min_dscr=np.asarray(min((d for d in dscr if np.isfinite(d)), default=np.nan)),
            rate=t0.rate,
        )
        rows += _rows(name, None, tot, currency)
        figures[(name, None)] = _summary(tot, horizon, currency)
    for row in doc["economics"]:
        if row["basis"] == "in_sequence":
            row["finance"] = figures.get((row["scenario"], row["intervention"]))
    doc["cash_flows"] = rows
    return doc


def _first_positive(cum: np.ndarray) -> float:
    """Year the cumulative cash flow reaches zero, interpolated; NaN if never."""
    pos = np.flatnonzero(cum >= 0)
    if pos.size == 0:
        return math.nan
    k = int(pos[0])
    if k == 0:
        return 0.0
    return k - 1 + float(-cum[k - 1] / (cum[k] - cum[k - 1]))
