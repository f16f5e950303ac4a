"""The JSON Schema of the scenario format, generated from the data model.

:func:`scenario_schema` derives the schema from :class:`recp.scenario.Scenario` (pydantic), so
it cannot drift from what recp accepts; ``recp schema`` prints it and the copy in
``docs/scenario.schema.json`` is kept equal to it by a test. Editors use it for completion and
checks of YAML scenario files (first line: ``# yaml-language-server: $schema=...``).

The schema checks the structure (keys, types, required keys, quantities as ``"<number> <unit>"``
or ``{value, unit}``); units, dimensions, references between flows and interventions and the
factor tables' vocabularies are checked by recp itself (``recp validate``). Vocabularies are
offered as ``examples``, not ``enum``, because recp also accepts aliases (``cp category``
spellings, country names).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from recp.factors import library
from recp.rules import CATEGORIES, COMBUSTION_SECTORS, GWP_CHOICES, WASTE_ROUTES, WATER_SOURCES
from recp.scenario import QTY_SCHEMA, Scenario

#: Where the published copy lives, relative to the repository.
SCHEMA_PATH = "docs/scenario.schema.json"


def _vocabularies() -> dict[tuple[str, str], list[str]]:
    """(model, key) -> the values recp knows, offered to editors as examples."""
    lib = library()
    out: dict[tuple[str, str], list[str]] = {
        ("Flow", "carrier"): sorted(lib.carriers),
        ("Flow", "route"): list(WASTE_ROUTES),
        ("Flow", "source"): list(WATER_SOURCES),
        ("Flow", "combustion_sector"): list(COMBUSTION_SECTORS),
        ("Intervention", "category"): list(CATEGORIES),
        ("Scenario", "gwp"): list(GWP_CHOICES),
    }
    for key, table in (
        ("treatment", "ipcc2006-wastewater"),
        ("doc_type", "ipcc2006-landfill-doc"),
        ("landfill", "ipcc2006-landfill-mcf"),
    ):
        if table in lib.ids:
            out[("Flow", key)] = list(lib.table(table).rows)
    return out


def _replace_quantities(node: Any) -> Any:
    """Every inline quantity schema -> a reference to ``#/$defs/Quantity``."""
    if isinstance(node, dict):
        if node == QTY_SCHEMA:
            return {"$ref": "#/$defs/Quantity"}
        return {k: _replace_quantities(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_quantities(v) for v in node]
    return node


def scenario_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a scenario file.

    Returns
    -------
    dict
        The schema, with ``$defs`` for each part (``Flow``, ``Intervention``, ...) and
        ``Quantity``.
    """
    raw = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **_replace_quantities(raw),
    }
    schema["title"] = "recp scenario file"
    schema["$defs"]["Quantity"] = QTY_SCHEMA
    defs = {**schema["$defs"], "Scenario": schema}
    for (model, key), values in _vocabularies().items():
        prop = defs[model]["properties"][key]
        prop["examples"] = values
    return schema


def schema_text() -> str:
    """The schema as the text of ``docs/scenario.schema.json`` (sorted keys, 2-space indent)."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def keys(schema: dict[str, Any] | None = None) -> Iterator[tuple[str, str]]:
    """Yield ``(part, key)`` for every key of the format: ``("Flow", "cod")``, ...

    The parts are the schema's objects (``Scenario`` for the top level).
    """
    schema = schema or scenario_schema()
    parts = {"Scenario": schema, **schema["$defs"]}
    for part, node in parts.items():
        for key in node.get("properties", {}):
            yield part, key
