"""Number formatting for the text reports (HTML and Markdown; Excel keeps real numbers).

:func:`clean` (from :mod:`recp.tolerance`) is the one rule for what counts as zero: every
report cleans its values with it before formatting, so that floating-point noise such as
``-7.28e-12`` reads ``0`` (see :func:`recp.report.model.build`).

>>> num(5139.83347), num(42.5), num(1.28219), num(0.00123), num(-977.4), num(None)
('5,140', '42.5', '1.28', '0.00123', '−977', '—')
>>> pct(-0.1834), pct(7.8052), signed(-117080.0)
('−18.3 %', '781 %', '−117,080')
"""

from __future__ import annotations

import math

from recp.tolerance import ZERO_RTOL, clean, clean_rows

__all__ = [
    "DASH",
    "MINUS",
    "ZERO_RTOL",
    "change",
    "clean",
    "clean_rows",
    "money",
    "num",
    "pct",
    "signed",
    "years",
]

#: The minus sign (U+2212) used in reports: a hyphen reads as a dash in tables.
MINUS = "\u2212"
#: Shown for a value that was not computed (no lifetime, no discount rate, no saving).
DASH = "\u2014"


def _finite(v: float | None) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def num(v: float | None) -> str:
    """Format a quantity with about three significant digits and thousands separators."""
    if not _finite(v):
        return DASH
    assert v is not None
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 100:
        s = f"{v:,.0f}"
    elif a >= 1e-3:
        s = f"{v:.3g}"
    else:
        s = f"{v:.2e}"
    if s in ("-0", "0"):
        return "0"
    return s.replace("-", MINUS)


def signed(v: float | None) -> str:
    """Like :func:`num` with an explicit ``+`` on positive values."""
    s = num(v)
    return "+" + s if _finite(v) and v is not None and v > 0 and s != "0" else s


def money(v: float | None) -> str:
    """Format an amount of money: whole units with thousands separators."""
    if not _finite(v):
        return DASH
    assert v is not None
    s = f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2f}"
    return "0" if s in ("-0", "0", "0.00", "-0.00") else s.replace("-", MINUS)


def pct(v: float | None, sign: bool = False) -> str:
    """Format a fraction as a percentage: ``-0.1834`` -> ``−18.3 %``."""
    if not _finite(v):
        return DASH
    assert v is not None
    p = v * 100
    s = f"{p:,.0f}" if abs(p) >= 100 else f"{p:.1f}"
    if s in ("-0.0", "0.0", "-0"):
        s = "0"
    elif sign and p > 0:
        s = "+" + s
    return s.replace("-", MINUS) + " %"


def years(v: float | None) -> str:
    """Format a duration in years: one decimal, two significant digits below one year."""
    if not _finite(v):
        return DASH
    assert v is not None
    return (f"{v:.1f}" if abs(v) >= 1 else f"{v:.2g}").replace("-", MINUS)


def change(new: float | None, old: float | None) -> float | None:
    """Relative change ``(new - old) / old``; None when ``old`` is zero or missing."""
    if not (_finite(new) and _finite(old)) or not old:
        return None
    assert new is not None
    return (new - old) / abs(old)
