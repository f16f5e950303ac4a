"""Reports a consultant hands over: HTML, Excel and Markdown, in English or Chinese.

>>> import recp
>>> from recp.report import write_report
>>> a = recp.assess(recp.load("scenarios/dairy-md.yaml"))       # doctest: +SKIP
>>> write_report(a, "dairy.html")                                # doctest: +SKIP
>>> write_report(a, "dairy.xlsx", lang="zh")                     # doctest: +SKIP

The format follows the file's extension (:data:`FORMATS`); the language is one of
:func:`languages` (one gettext catalogue each, ``recp/locale/<code>/LC_MESSAGES/recp.po``).
Reports are built from the
assessment's result rows (the same numbers as ``recp assess --format json``) and written
atomically; an input file or an existing file (unless ``force``) is never overwritten.

This module imports nothing heavy: the renderers (and openpyxl) load when a report is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from recp.errors import InputError
from recp.io import check_output, write_atomic
from recp.report.fmt import number_locale
from recp.report.lang import Translator, labels, languages, translator
from recp.report.model import build

if TYPE_CHECKING:
    from recp.assessment import Assessment

#: Report formats by file extension.
FORMATS = {".html": "html", ".htm": "html", ".xlsx": "xlsx", ".md": "md", ".markdown": "md"}

__all__ = ["FORMATS", "languages", "render", "report_format", "write_report"]


def report_format(path: str | Path) -> str:
    """Return the report format of ``path`` from its extension: ``html``, ``xlsx`` or ``md``.

    Raises
    ------
    InputError
        For any other extension, naming the valid ones.
    """
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        valid = ", ".join(sorted(FORMATS))
        raise InputError(
            f"--report {path}: unknown report format {ext or '(no extension)'!r}; "
            f"valid extensions: {valid}"
        )
    return FORMATS[ext]


def render(assessment: Assessment, fmt: str, lang: str = "en") -> bytes:
    """Render ``assessment`` in format ``fmt`` (``html``, ``xlsx``, ``md``) as bytes.

    Raises
    ------
    InputError
        For an unknown language or format.
    """
    t = translator(lang)
    if fmt not in set(FORMATS.values()):
        raise InputError(f"unknown report format {fmt!r}; valid: html, xlsx, md")
    with number_locale(lang):  # numbers and dates in the language's CLDR locale
        return _render(assessment, fmt, t)


def _render(assessment: Assessment, fmt: str, t: Translator) -> bytes:
    data = build(assessment)
    if fmt == "html":
        from recp.report.html import render as render_html  # lazy: CLI start-up

        return render_html(data, t).encode("utf-8")
    if fmt == "md":
        from recp.report.markdown import render as render_md  # lazy: CLI start-up

        return render_md(data, t).encode("utf-8")
    from recp.report.excel import render as render_xlsx  # lazy: CLI start-up (openpyxl)

    return render_xlsx(data, t)


def write_report(
    assessment: Assessment,
    path: str | Path,
    *,
    lang: str = "en",
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write the report of ``assessment`` to ``path``; the format follows the extension.

    Parameters
    ----------
    assessment : Assessment
        From :func:`recp.assess`.
    path : str or Path
        ``.html`` (or ``.htm``), ``.xlsx`` or ``.md`` (or ``.markdown``).
    lang : str
        Report language, one of :func:`languages` (default English).
    force : bool
        Replace an existing file.
    inputs : iterable of paths
        Files that must never be overwritten (the scenario files).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        For an unknown extension or language (nothing is written).
    OutputError
        If ``path`` is an input, exists without ``force``, or cannot be written.
    """
    inputs = list(inputs)
    fmt = report_format(path)
    labels(lang)  # an unknown language fails before any work
    check_output(path, inputs, force)  # fail fast, before rendering
    return write_atomic(path, render(assessment, fmt, lang), inputs=inputs, force=force)
