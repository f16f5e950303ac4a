"""recp's version: the one place it is written (the build reads it from here).

Kept apart from ``recp/__init__.py`` so that modules (``assessment``, ``cli``) can name the
version without importing the package's lazy public API (an import cycle with ``recp``).
A plain string rather than ``importlib.metadata``: reading the installed metadata costs
25-40 ms of every ``recp`` start (issue 18's 0.5 s target for ``recp assess``), and the wheel's
metadata is built from this line (``[tool.hatch.version]`` in pyproject.toml), so the two
cannot differ.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
