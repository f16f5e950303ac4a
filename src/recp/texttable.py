"""Plain-text tables for the terminal: a title, a header, a rule and aligned columns.

The terminal summary of ``recp assess`` is uncoloured columns of short cells, which needs no
layout engine: laying them out with rich cost 20-45 ms to import and 30-35 ms to render, a
sixth of the command's start-up (issue 18's 0.5 s target). Widths count terminal cells, so
Chinese or Japanese text (two cells a character) stays aligned; a line is never cut, so a
table wider than the terminal wraps as the terminal wraps it.

Examples
--------
>>> t = TextTable("Totals", ["item", "value"], ["left", "right"])
>>> t.add_row("energy", "1,200")
>>> print(t.render(), end="")
Totals
<BLANKLINE>
  item     value
 ───────────────
  energy   1,200
<BLANKLINE>
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Literal

Justify = Literal["left", "right"]


def cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide and full-width characters take two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, justify: Justify) -> str:
    fill = " " * (width - cells(text))
    return fill + text if justify == "right" else text + fill


class TextTable:
    """A table of text cells, rendered as in ``rich``'s ``SIMPLE_HEAD`` box."""

    def __init__(self, title: str, columns: Sequence[str], justify: Sequence[Justify]):
        self.title = title
        self.columns = list(columns)
        self.justify = list(justify)
        self.rows: list[list[str]] = []

    def add_row(self, *row: str) -> None:
        """Append a row (one cell per column)."""
        self.rows.append(list(row))

    def render(self) -> str:
        """The table as lines: title, blank line, header, rule, rows, blank line."""
        widths = [cells(c) for c in self.columns]
        for row in self.rows:
            widths = [max(w, cells(c)) for w, c in zip(widths, row, strict=True)]

        def line(row: Sequence[str]) -> str:
            parts = (_pad(c, w, j) for c, w, j in zip(row, widths, self.justify, strict=True))
            return "  " + "   ".join(parts)

        rule = " " + "─" * (sum(widths) + 3 * len(widths) - 2)  # as wide as a row
        body = [line(r) for r in self.rows]
        return "\n".join([self.title, "", line(self.columns), rule, *body, ""]) + "\n"


def wrap(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped at ``width`` characters, continuation lines indented by ``indent``.

    textwrap counts characters, not terminal cells: a line of wide characters may run past
    ``width`` (the terminal then wraps it); words are never cut.
    """
    return textwrap.fill(
        text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
