"""The published JSON Schema of the scenario format, and its documentation (#15)."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from recp import sectors
from recp.cli import main
from recp.schema import SCHEMA_PATH, keys, scenario_schema, schema_text
from tests.conftest import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenario-format.md"
#: The section of docs/scenario-format.md that documents each part of the format.
SECTIONS = {
    "Scenario": "Top level",
    "Plant": "`plant`",
    "Flow": "`flows[]`",
    "Balances": "`balances`",
    "Process": "`processes[]`",
    "MercurySpec": "`processes[]`",
    "PcddfSpec": "`processes[]`",
    "Co2Spec": "`co2`: process CO2",
    "Intervention": "`interventions[]`",
    "Change": "`interventions[]`",
    "Finance": "Finance",
    "Quantity": None,
}


@pytest.mark.locked  # pydantic's JSON Schema output differs by version (2.6 omits
# "additionalProperties": true on free mappings): the published copy is the locked one's.
def test_checked_in_schema_is_the_generated_one():
    """Regenerate it with: recp schema -o docs/scenario.schema.json --force"""
    assert (ROOT / SCHEMA_PATH).read_text(encoding="utf-8") == schema_text()


def test_recp_schema_prints_it(capsys):
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == schema_text()


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_worked_plants_conform_to_the_schema(path):
    jsonschema.validate(yaml.safe_load(path.read_text()), scenario_schema())


@pytest.mark.parametrize("key", list(sectors.SECTORS))
def test_sector_templates_conform_to_the_schema(key):
    jsonschema.validate(sectors.template_data(key), scenario_schema())


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"plant": {"name": "x", "country": "BD"}, "flows": [], "Flows": []}, "Flows"),
        (
            {"plant": {"name": "x", "country": "BD"}, "flows": [{"id": "a", "type": "fuel"}]},
            "amount",
        ),
        (
            {
                "plant": {"name": "x", "country": "BD"},
                "flows": [{"id": "a", "type": "water", "amount": "1 m3", "Price": "1 USD/m3"}],
            },
            "Price",
        ),
    ],
)
def test_schema_refuses_what_recp_refuses(doc, where):
    """Unknown keys (case matters) and missing required keys fail in an editor too."""
    with pytest.raises(jsonschema.ValidationError, match=where):
        jsonschema.validate(doc, scenario_schema())


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_key_of_the_model_is_documented():
    """docs/scenario-format.md missed cod, treatment, nitrogen, ch4_recovery, doc_type, ..."""
    sections = _sections()
    schema = scenario_schema()
    assert set(SECTIONS) == {"Scenario", *schema["$defs"]}, "a new part: map it to its section"
    missing = []
    for part, key in keys(schema):
        title = SECTIONS[part]
        if title is None:
            continue
        spans = re.findall(r"`([^`]+)`", sections[title])
        if not any(re.search(rf"(?<![\w.]){re.escape(key)}(?!\w)", s) for s in spans):
            missing.append(f"{part}.{key} (section '{title}')")
    assert not missing, "undocumented keys: " + ", ".join(missing)


def test_doc_points_to_the_schema():
    text = DOC.read_text(encoding="utf-8")
    assert "scenario.schema.json" in text and "recp schema" in text
