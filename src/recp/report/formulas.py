"""Excel formulas of the report's economics, the same arithmetic as :mod:`recp.models.finance`.

The Excel report writes the savings cost, payback, NPV, IRR and cost per t CO2e as live
formulas over the cells they come from (flow prices, saved amounts, capex, opex, lifetime, the
discount rate), so that a consultant who changes a price sees every figure follow. Each
function here returns the text of one formula (without the leading ``=``) from cell
references; :mod:`recp.report.excel` places them. The conventions are recp's:

- yearly cash flows at year end, the investment at year 0 (no mid-year convention);
- annuity factor ``(1 - (1 + r) ** -n) / r``, and ``n`` where ``|r| < 1e-12``
  (:func:`recp.models.finance.annuity_factor`; a lifetime need not be whole);
- simple payback ``capex / saving``, blank when the saving is not positive;
- NPV ``-capex + saving x annuity``, blank without a discount rate or a lifetime;
- IRR: the rate zeroing the NPV, searched in (-99 %, 10 000 %) like
  :func:`recp.models.finance.irr` (blank where the NPV has no root there); Excel's ``RATE``
  for one measure and ``IRR`` over yearly cash flows for a scenario (whole lifetimes), each
  started from recp's own first estimate so that the solvers land on the same root;
- cost per t CO2e ``(capex / annuity - saving) / t CO2e avoided`` (blank when nothing is
  avoided), a scenario's from the sum of its measures' annualised capex.

Only cell references, numbers and the functions ``IF``, ``NOT``, ``AND``, ``OR``, ``ABS``, ``SIGN``,
``SUM``, ``SUMPRODUCT``, ``COUNT``, ``MAX``, ``NPV``, ``IRR``, ``RATE``, ``IFERROR`` and
``ISNUMBER`` are used: they mean the same in Excel and LibreOffice, and no text from the
scenario file ever enters a formula.

>>> annuity("$B$10", "K5")
'IF(OR($B$10="",K5=""),"",IF(ABS($B$10)<1E-12,K5,(1-(1+$B$10)^(-K5))/$B$10))'
"""

from __future__ import annotations

#: Bounds of the IRR search of :func:`recp.models.finance.irr` [1/year].
IRR_LO = -0.99
IRR_HI = 100.0
#: Functions the formulas may use (checked by the tests).
FUNCTIONS = (
    "IF",
    "NOT",
    "AND",
    "OR",
    "ABS",
    "SIGN",
    "SUM",
    "SUMPRODUCT",
    "COUNT",
    "MAX",
    "NPV",
    "IRR",
    "RATE",
    "IFERROR",
    "ISNUMBER",
)


def number(v: float) -> str:
    """A float as formula text that reads back as the same double (``repr``)."""
    return repr(float(v)).replace("e", "E")


def flow_saving(prices: str, saved: str) -> str:
    """Saving on the priced flows: Σ price x (amount before - amount after) [currency/year]."""
    return f"SUMPRODUCT({prices},{saved})"


def annual_saving(flow_cost: str, opex: str, carbon: str | None = None) -> str:
    """Annual saving net of added operating cost (plus carbon credit revenue where given)."""
    extra = f"+IF(ISNUMBER({carbon}),{carbon},0)" if carbon else ""
    return f"{flow_cost}-IF(ISNUMBER({opex}),{opex},0){extra}"


def payback(capex: str, saving: str) -> str:
    """Simple payback [year], blank when the saving is not positive."""
    return f'IF(AND(ISNUMBER({saving}),{saving}>0),{capex}/{saving},"")'


def annuity(rate: str, life: str) -> str:
    """Annuity factor, blank without a discount rate or a lifetime."""
    return (
        f'IF(OR({rate}="",{life}=""),"",'
        f"IF(ABS({rate})<1E-12,{life},(1-(1+{rate})^(-{life}))/{rate}))"
    )


def annualised_capex(capex: str, af: str) -> str:
    """Equivalent annual cost of the capex: capex / annuity factor [currency/year]."""
    return f'IF(ISNUMBER({af}),{capex}/{af},"")'


def npv(capex: str, saving: str, af: str) -> str:
    """Net present value [currency], blank without an annuity factor."""
    return f'IF(ISNUMBER({af}),-{capex}+{saving}*{af},"")'


def irr(capex: str, saving: str, life: str) -> str:
    """IRR of ``-capex`` now and ``saving`` for ``life`` years, where it is in the bracket.

    Excel's ``RATE`` starts from recp's own first estimate (one fixed-point step from the
    perpetuity rate, :func:`recp.models.finance.irr`), so that it follows changed prices.
    """
    lo = f"(-{capex}+{saving}*((1+{number(IRR_LO)})^(-{life})-1)/{number(-IRR_LO)})"
    hi = f"(-{capex}+{saving}*(1-(1+{number(IRR_HI)})^(-{life}))/{number(IRR_HI)})"
    p = f"({saving}/{capex})"
    start = f"{p}*(1-(1+{p})^(-{life}))"
    rate = f"RATE({life},{saving},-{capex},0,0,{{}})"
    return (
        f'IF(NOT(ISNUMBER({life})),"",IF(AND(SIGN({lo})<>SIGN({hi}),{lo}<>0),'
        f'IFERROR({rate.format(start)},IFERROR({rate.format("0.1")},"")),""))'
    )


def cost_per_t(annual_capex: str, saving: str, abated: str) -> str:
    """Cost per t CO2e avoided [currency/t CO2e], blank when nothing is avoided."""
    return (
        f"IF(AND(ISNUMBER({annual_capex}),ISNUMBER({abated})),"
        f'IF({abated}>0,({annual_capex}-{saving})/{abated},""),"")'
    )


def cash_flow(year: int, capex: str, savings: str, lives: str) -> str:
    """A scenario's cash flow in ``year``: -Σ capex at 0, then the savings of live measures."""
    if year == 0:
        return f"-SUM({capex})"
    return f"SUMPRODUCT({savings},({lives}>={year})*1)"


def irr_flows(flows: str, first: str, second: str, rest: str) -> str:
    """IRR of yearly cash flows ``flows`` (``first`` year 0, ``second`` year 1, ``rest`` 1..N).

    Excel's ``IRR`` starts from the perpetuity rate (recp's start, year 1's saving over the
    capex), then from 10 %.
    """
    lo = f"({first}+NPV({number(IRR_LO)},{rest}))"
    hi = f"({first}+NPV({number(IRR_HI)},{rest}))"
    start = f"IFERROR(-{second}/{first},0.1)"
    return (
        f"IF(AND(SIGN({lo})<>SIGN({hi}),{lo}<>0),"
        f'IFERROR(IRR({flows},{start}),IFERROR(IRR({flows},0.1),"")),"")'
    )
