"""The ``finance:`` keys of a scenario: how a bank would lay out the cash flows.

All keys are optional and off by default; a scenario without ``finance:`` gives exactly the
economics it gave before. ``finance:`` at the top of the file applies to every intervention;
``finance:`` in an intervention overrides single keys for that intervention.

::

    finance:
      horizon: 15 year            # years of the cash-flow table (default: the lifetime)
      inflation: 3 %
      discount_basis: real        # discount_rate is real (nominal by default)
      escalation: {natural_gas: 5 %, electricity: 4 %, default: 3 %}   # default: the inflation
      opex_escalation: 3 %        # default: the inflation
      debt_share: 60 %
      debt_rate: 7 %
      debt_term: 8 year
      tax_rate: 25 %
      depreciation_years: 10 year # straight line; default the lifetime
      salvage: 10 %               # of the investment, at the end of the horizon
      reporting_currency: EUR
      exchange_rate: 0.0084       # EUR per unit of the plant's currency

See :mod:`recp.models.cashflow` for the arithmetic and docs/methodology.md (Economics).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from recp.errors import UnitError
from recp.units import CURRENCIES, parse_quantity


def _rate(v: Any, what: str, lo: float, hi: float) -> float | None:
    """A rate or share given as '3 %' or 0.03, as a fraction within [lo, hi]."""
    if v is None:
        return None
    try:
        q = parse_quantity(v)
        x = float(q.to("dimensionless").magnitude)
    except UnitError as e:
        raise ValueError(e.problems[0].message) from None
    except Exception:  # noqa: BLE001 - pint dimensionality error: one sentence
        raise ValueError(f"{what} is a share or a rate like '3 %', got {v!r}") from None
    if not lo <= x <= hi:
        raise ValueError(f"{what} {v!r} is outside {lo:.0%} to {hi:.0%}")
    return x


def _years(v: Any, what: str) -> float | None:
    """A number of years given as '10 year' or 10, whole, from 1 to 100."""
    if v is None:
        return None
    try:
        q = parse_quantity(v)
        x = float(q.magnitude if q.dimensionless else q.to("year").magnitude)
    except UnitError as e:
        raise ValueError(e.problems[0].message) from None
    except Exception:  # noqa: BLE001 - pint dimensionality error: one sentence
        raise ValueError(f"{what} is a number of years like '10 year', got {v!r}") from None
    if not (1 <= x <= 100 and x == round(x)):
        raise ValueError(f"{what} {v!r} must be a whole number of years from 1 to 100")
    return x


class Finance(BaseModel):
    """Optional financing, tax and currency settings (all off by default)."""

    model_config = ConfigDict(extra="forbid")

    horizon: float | None = None
    inflation: float | None = None
    discount_basis: Literal["nominal", "real"] | None = None
    escalation: dict[str, float] | None = None
    opex_escalation: float | None = None
    debt_share: float | None = None
    debt_rate: float | None = None
    debt_term: float | None = None
    tax_rate: float | None = None
    depreciation_years: float | None = None
    salvage: float | None = None
    reporting_currency: str | None = None
    exchange_rate: float | None = None

    @field_validator("inflation", "opex_escalation", "debt_rate", mode="before")
    @classmethod
    def _rates(cls, v: Any, info: Any) -> float | None:
        return _rate(v, info.field_name, -0.5, 10.0)

    @field_validator("debt_share", "tax_rate", mode="before")
    @classmethod
    def _shares(cls, v: Any, info: Any) -> float | None:
        return _rate(v, info.field_name, 0.0, 1.0)

    @field_validator("salvage", mode="before")
    @classmethod
    def _salvage(cls, v: Any) -> float | None:
        return _rate(v, "salvage", 0.0, 10.0)

    @field_validator("horizon", "debt_term", "depreciation_years", mode="before")
    @classmethod
    def _whole_years(cls, v: Any, info: Any) -> float | None:
        return _years(v, info.field_name)

    @field_validator("escalation", mode="before")
    @classmethod
    def _escalation(cls, v: Any) -> dict[str, float] | None:
        if v is None:
            return None
        if not isinstance(v, dict):
            raise ValueError(
                "escalation maps a flow id, carrier or flow type (or 'default') to a rate, "
                "e.g. {natural_gas: 5 %, default: 3 %}"
            )
        out = {}
        for k, x in v.items():
            r = _rate(x, f"escalation of {k}", -0.5, 10.0)
            assert r is not None or x is None
            out[str(k)] = 0.0 if r is None else r
        return out

    @field_validator("reporting_currency")
    @classmethod
    def _currency(cls, v: str | None) -> str | None:
        if v is not None and v.upper() not in CURRENCIES:
            raise ValueError(f"unknown reporting_currency {v!r}; give an ISO 4217 code (EUR, USD)")
        return None if v is None else v.upper()

    @field_validator("exchange_rate", mode="before")
    @classmethod
    def _fx(cls, v: Any) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            raise ValueError(
                f"exchange_rate is a positive number (reporting currency per unit of the "
                f"plant's currency), got {v!r}"
            )
        return float(v)


def merged(plant: Finance | None, own: Finance | None) -> Finance | None:
    """An intervention's settings: the plant's, with the keys the intervention sets itself."""
    if plant is None and own is None:
        return None
    base = plant.model_dump() if plant is not None else {}
    if own is not None:
        base |= {k: getattr(own, k) for k in own.model_fields_set}
    return Finance.model_construct(**base)


def escalation_of(fin: Finance, flow_id: str, carrier: str | None, flow_type: str) -> float:
    """The escalation rate of one flow's saving.

    By flow id, then carrier, flow type, ``default``; without any, prices follow the general
    inflation (0 when no inflation is given).
    """
    esc = fin.escalation or {}
    for key in (flow_id, carrier, flow_type, "default"):
        if key is not None and key in esc:
            return esc[key]
    return fin.inflation or 0.0
