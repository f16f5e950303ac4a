"""recp's version, read from the installed package's metadata.

Kept apart from ``recp/__init__.py`` so that modules (``assessment``, ``cli``) can name the
version without importing the package's lazy public API (an import cycle with ``recp``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recp")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
