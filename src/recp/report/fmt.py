"""Number formatting for the text reports (HTML and Markdown; Excel keeps real numbers).

Numbers follow the report language's CLDR locale data (Babel): decimal and grouping symbols,
percent pattern, digits (:func:`number_locale` sets the locale for a rendering; English by
default). The rules of precision are recp's own and the same in every language: about three
significant digits, whole currency units from 10, one decimal of a year.

:func:`clean` (from :mod:`recp.tolerance`) is the one rule for what counts as zero: every
report cleans its values with it before formatting, so that floating-point noise such as
``-7.28e-12`` reads ``0`` (see :func:`recp.report.model.build`).

>>> num(5139.83347), num(42.5), num(1.28219), num(0.00123), num(-977.4), num(None)
('5,140', '42.5', '1.28', '0.00123', '−977', '—')
>>> pct(-0.1834), pct(7.8052), signed(-117080.0)
('−18.3 %', '781 %', '−117,080')
>>> with number_locale("fr"):
...     num(1234.5), num(42.5), pct(-0.1834), money(1234567.0), years(2.25)
('1\u202f234', '42,5', '−18,3\u00a0%', '1\u202f234\u202f567', '2,2')
>>> with number_locale("es"):
...     num(12345.6), num(1.28219)
('12.346', '1,28')
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from recp.tolerance import ZERO_RTOL, clean, clean_rows

__all__ = [
    "DASH",
    "currency",
    "date_text",
    "number_locale",
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


#: The locale of the numbers being formatted (a report language code: ``fr``, ``ar`` ...).
_LOCALE: ContextVar[str] = ContextVar("recp_number_locale", default="en")
#: The percent pattern per language where recp keeps its own: English reports have always
#: written ``18.3 %`` (with a space, as ISO 80000-1 does), CLDR's English pattern has none.
_PERCENT_OWN = {"en": "#,##0\u00a0%"}


@contextmanager
def number_locale(code: str) -> Iterator[str]:
    """Format the numbers of the enclosed code in the CLDR locale ``code`` (a report language)."""
    token = _LOCALE.set(code)
    try:
        yield code
    finally:
        _LOCALE.reset(token)


#: The numbering system of every report: Latin digits with the locale's own symbols. Babel
#: formats digits as Latin in any numbering system, so an older CLDR whose default for Arabic
#: is "arab" would mix Arabic separators with Latin digits (58٬340); recent CLDR (Babel 2.15+)
#: makes "latn" the Arabic default itself.
NUMBERING = "latn"


def _dec(v: float, pattern: str) -> str:
    """``v`` in the current locale with a CLDR number pattern; a hyphen minus becomes ``−``."""
    from babel.numbers import format_decimal  # lazy: ``import recp.report`` stays light

    code = _LOCALE.get()
    s = format_decimal(v, pattern, locale=code, numbering_system=NUMBERING)
    return s.replace("-", MINUS)


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
        s = _dec(v, "#,##0")
    elif a >= 1e-3:
        s = _dec(v, "@##")
    else:
        mant, exp = f"{v:.2e}".split("e")
        s = f"{_dec(float(mant), '0.00')}e{exp.replace('-', MINUS)}"
    if s in (MINUS + "0", "0") or s.strip(MINUS + "0") == "":
        return _dec(0, "0")
    return s


def signed(v: float | None) -> str:
    """Like :func:`num` with an explicit ``+`` on positive values."""
    s = num(v)
    return "+" + s if _finite(v) and v is not None and v > 0 and s != "0" else s


def money(v: float | None) -> str:
    """Format an amount of money: whole units with thousands separators."""
    if not _finite(v):
        return DASH
    assert v is not None
    if round(v, 2) == 0:
        return _dec(0, "0")
    return _dec(v, "#,##0" if abs(v) >= 10 else "#,##0.00")


def currency(v: float | None, code: str) -> str:
    """An amount with its ISO currency code in the locale's pattern (``1 234 USD`` in French).

    Whole units from 10 as :func:`money`; English reports keep ``1,234 USD``.
    """
    if not _finite(v):
        return DASH
    assert v is not None
    loc = _LOCALE.get()
    if loc == "en":
        return f"{money(v)} {code}"
    from babel import Locale  # lazy: ``import recp.report`` stays light
    from babel.numbers import format_currency, parse_pattern

    amount = 0.0 if round(v, 2) == 0 else (float(round(v)) if abs(v) >= 10 else v)
    digits = 0 if abs(amount) >= 10 or amount == 0 else 2
    # The locale's placement and spacing, with the ISO code (as in the tables' headers).
    own = str(Locale.parse(loc).currency_formats["standard"].pattern).replace("¤", "¤¤")
    pattern = parse_pattern(own)
    pattern.frac_prec = (digits, digits)
    s = format_currency(
        amount, code, pattern, locale=loc, currency_digits=False, numbering_system=NUMBERING
    )
    return s.replace("-", MINUS)


def pct(v: float | None, sign: bool = False) -> str:
    """Format a fraction as a percentage: ``-0.1834`` -> ``−18.3 %``."""
    if not _finite(v):
        return DASH
    assert v is not None
    from babel.numbers import format_percent, parse_pattern  # lazy: light import

    code = _LOCALE.get()
    p = v * 100
    if round(p, 1) == 0:
        v = p = 0.0
    own = _PERCENT_OWN.get(code)
    pattern = parse_pattern(own) if own else parse_pattern(_percent_pattern(code))
    digits = 0 if abs(p) >= 100 or p == 0 else 1
    pattern.frac_prec = (digits, digits)
    s = format_percent(v, pattern, locale=code, numbering_system=NUMBERING).replace("-", MINUS)
    if code == "en":
        s = s.replace("\u00a0", " ")
    return "+" + s if sign and p > 0 else s


def _percent_pattern(code: str) -> str:
    from babel import Locale  # lazy: light import

    return str(Locale.parse(code).percent_formats[None].pattern)


def years(v: float | None) -> str:
    """Format a duration in years: one decimal, two significant digits below one year."""
    if not _finite(v):
        return DASH
    assert v is not None
    return _dec(v, "0.0") if abs(v) >= 1 else _dec(float(f"{v:.2g}"), "0.0#")


def date_text(iso: str) -> str:
    """An ISO date (``2026-11-30``) as the locale writes it in full (``30 novembre 2026``)."""
    from babel.dates import format_date  # lazy: light import

    code = _LOCALE.get()
    if code == "en":  # recp's English reports keep the ISO date
        return iso
    return str(format_date(_dt.date.fromisoformat(iso), "long", locale=code))


def change(new: float | None, old: float | None) -> float | None:
    """Relative change ``(new - old) / old``; None when ``old`` is zero or missing."""
    if not (_finite(new) and _finite(old)) or not old:
        return None
    assert new is not None
    return (new - old) / abs(old)
