"""Exceptions raised by recp.

Every recp exception derives from :class:`RecpError` and from the built-in exception that fits
(``ValueError`` for bad input, ``KeyError`` for an unknown factor), so callers can catch either.

Input problems are collected, not raised one at a time: :class:`InputError` carries a list of
:class:`Problem`, each naming the file, the place in it (``flows[2].amount``), the offending value
and what is allowed. The CLI prints one line per problem and exits with code 2.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace


class RecpError(Exception):
    """Base class of every exception recp raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input.

    Parameters
    ----------
    place : str
        Path inside the document, e.g. ``flows[2].amount``; empty for the whole file.
    message : str
        What is wrong and what is allowed.
    file : str or None
        File name, when the input came from a file.
    line : int or None
        1-based line in the file, when known.
    subject : str or None
        The thing the place belongs to, by its id: ``flow 'well'``, ``intervention 'vsd'``;
        printed beside the place (``flows[0].amount (flow 'well')``).
    cell : str or None
        The workbook cell, ``Sheet!Cell`` (``Flows!D2``), when the input was a workbook.
    """

    place: str
    message: str
    file: str | None = None
    line: int | None = None
    subject: str | None = None
    cell: str | None = None

    @property
    def located(self) -> str:
        """The place with its cell and subject: ``Flows!D2: flows[0].amount (flow 'well')``."""
        place = self.place
        if self.subject:
            place = f"{place} ({self.subject})" if place else self.subject
        if self.cell:
            return f"{self.cell}: {place}" if place else self.cell
        return place

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        place = self.located
        if place:
            return one_line(f"{where}: {place}: {self.message}")
        return one_line(f"{where}: {self.message}")


#: Characters never printed raw in a message: line breaks (which would split one problem over
#: several lines), other control characters, bidirectional overrides (which reorder what a
#: terminal shows) and lone surrogates (which cannot be encoded).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def one_line(text: str) -> str:
    r"""Return ``text`` with line breaks and other unsafe characters escaped (``\n``).

    >>> one_line("flows[0].id: 'a\nb'")
    "flows[0].id: 'a\\nb'"
    """
    return _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


class InputError(ValueError, RecpError):
    """One or more problems in user input (scenario file, options, tables)."""

    def __init__(self, problems: Sequence[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def with_file(self, file: str) -> InputError:
        """Return a copy whose problems name ``file`` where they named none."""
        return InputError([replace(p, file=p.file or file) for p in self.problems])


class ReadOnlyError(AttributeError, RecpError):
    """Setting a field of a validated scenario object (they are read-only)."""


class UnitError(InputError):
    """A quantity whose unit is unknown, ambiguous or of the wrong dimension."""


class UnknownFactorError(KeyError, RecpError):
    """A factor id, carrier, country or table that the factor library does not have."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class OutputError(OSError, RecpError):
    """An output that cannot be written (would overwrite an input, disk full, read-only)."""


def closest(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """Return up to ``n`` close matches of ``word`` among ``choices`` (case-insensitive)."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(str(word).lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def did_you_mean(word: str, choices: Iterable[str], show: int = 12) -> str:
    """Format ``did you mean 'x'?`` or, when nothing is close, the list of valid choices."""
    choices = sorted(set(choices))
    hit = closest(word, choices)
    if hit:
        return f"did you mean '{hit[0]}'?"
    if len(choices) <= show:
        return "valid: " + ", ".join(choices)
    return "valid: " + ", ".join(choices[:show]) + f", ... ({len(choices)} in all)"
