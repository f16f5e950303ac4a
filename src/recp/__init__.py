"""recp: resource-efficient and cleaner production calculator.

The public library API is small and imported lazily, so that ``import recp`` and the CLI start fast:

>>> import recp
>>> sc = recp.load("scenarios/textile-dyeing-bd.yaml")  # doctest: +SKIP
>>> result = recp.assess(sc)                              # doctest: +SKIP
>>> result.table()                                        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from recp.version import __version__

if TYPE_CHECKING:
    from recp.assessment import Assessment, assess
    from recp.errors import InputError, RecpError, UnitError, UnknownFactorError
    from recp.factors import FactorLibrary, library
    from recp.scenario import Scenario, load, loads

__all__ = [
    "Assessment",
    "FactorLibrary",
    "InputError",
    "RecpError",
    "Scenario",
    "UnitError",
    "UnknownFactorError",
    "__version__",
    "assess",
    "library",
    "load",
    "loads",
]

_LAZY = {
    "Assessment": "recp.assessment",
    "assess": "recp.assessment",
    "InputError": "recp.errors",
    "RecpError": "recp.errors",
    "UnitError": "recp.errors",
    "UnknownFactorError": "recp.errors",
    "FactorLibrary": "recp.factors",
    "library": "recp.factors",
    "Scenario": "recp.scenario",
    "load": "recp.scenario",
    "loads": "recp.scenario",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'recp' has no attribute {name!r}")
