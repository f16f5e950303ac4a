"""Hypothesis strategies shared by the property and fuzz tests.

Two families:

- :func:`plants`: valid plants described in canonical units (t, m3, GJ, USD), with interventions,
  plus :func:`render`, which writes one as a scenario mapping in any mix of convertible units.
  The property tests compare the same plant rendered in different units, scaled, reordered...
- :func:`mutated_texts`: scenario files broken in every way the fuzz harness knows (wrong types,
  huge/tiny numbers, NaN/inf spellings, hostile unicode, deep nesting, duplicate ids and keys,
  unknown keys, broken YAML, binary junk, alias bombs, python-object tags).

Example counts are bounded for ``make test``; run longer with environment variables::

    RECP_FUZZ_EXAMPLES=5000 RECP_PROPERTY_EXAMPLES=2000 .venv/bin/python -m pytest \
        tests/test_fuzz.py tests/test_properties.py
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

#: Examples per fuzz test in ``make test`` (override with RECP_FUZZ_EXAMPLES).
FUZZ_EXAMPLES = int(os.environ.get("RECP_FUZZ_EXAMPLES", "120"))
#: Examples per property test in ``make test`` (override with RECP_PROPERTY_EXAMPLES).
PROPERTY_EXAMPLES = int(os.environ.get("RECP_PROPERTY_EXAMPLES", "40"))

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "data" / "issue_example.yaml"

# -- units: size of each unit in the canonical one ---------------------------------------------

MASS = {"t": 1.0, "kg": 1e-3, "kt": 1e3, "g": 1e-6}
VOLUME = {"m3": 1.0, "L": 1e-3, "hL": 0.1}
ENERGY = {
    "GJ": 1.0,
    "MJ": 1e-3,
    "kWh": 3.6e-3,
    "MWh": 3.6,
    "TJ": 1e3,
    "toe": 41.868,
    "tce": 29.3076,
}
CANONICAL = {"mass": "t", "volume": "m3", "energy": "GJ"}
UNITS = {"mass": MASS, "volume": VOLUME, "energy": ENERGY}
MONEY = {"USD": 1.0, "kUSD": 1e3}
YEARS = {"year": 1.0, "month": 1 / 12}

# Carriers by how their amount may be given (by volume only where recp ships a density).
MASS_CARRIERS = [
    "natural_gas",
    "bituminous_coal",
    "lignite",
    "wood",
    "diesel",
    "lpg",
    "residual_fuel_oil",
    "biogas",
]
VOLUME_CARRIERS = ["diesel", "lpg", "residual_fuel_oil", "motor_gasoline", "kerosene"]


@dataclass
class FlowSpec:
    """One flow in canonical units: amount [t, m3 or GJ], price [USD per canonical unit]."""

    id: str
    type: str
    dim: str  # mass, volume or energy
    amount: float
    price: float | None = None
    carrier: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChangeSpec:
    """A change in canonical units: ``rel`` [fraction], ``abs`` or ``to`` [flow's unit]."""

    flow: int
    kind: str  # rel, abs, to
    value: float


@dataclass
class InterventionSpec:
    id: str
    changes: list[ChangeSpec]
    capex: float  # USD
    lifetime: float  # years


@dataclass
class PlantSpec:
    flows: list[FlowSpec]
    interventions: list[InterventionSpec]


amounts = st.floats(1e-2, 1e7, allow_nan=False, allow_infinity=False)
prices = st.one_of(st.none(), st.floats(1e-3, 1e3))


@st.composite
def flow_specs(draw: Any, i: int) -> FlowSpec:
    kind = draw(
        st.sampled_from(
            [
                "fuel_mass",
                "fuel_energy",
                "fuel_volume",
                "electricity",
                "water",
                "wastewater",
                "waste",
                "material",
            ]
        )
    )
    amount = draw(amounts)
    price = draw(prices)
    fid = f"f{i}"
    if kind == "fuel_mass":
        return FlowSpec(fid, "fuel", "mass", amount, price, draw(st.sampled_from(MASS_CARRIERS)))
    if kind == "fuel_energy":
        return FlowSpec(fid, "fuel", "energy", amount, price, draw(st.sampled_from(MASS_CARRIERS)))
    if kind == "fuel_volume":
        return FlowSpec(
            fid, "fuel", "volume", amount, price, draw(st.sampled_from(VOLUME_CARRIERS))
        )
    if kind == "electricity":
        return FlowSpec(fid, "electricity", "energy", amount, price)
    if kind == "water":
        return FlowSpec(
            fid,
            "water",
            "volume",
            amount,
            price,
            extra={"source": draw(st.sampled_from(["groundwater", "municipal"]))},
        )
    if kind == "wastewater":
        return FlowSpec(fid, "wastewater", "volume", amount, price)
    if kind == "waste":
        return FlowSpec(
            fid,
            "waste",
            "mass",
            amount,
            price,
            extra={
                "hazardous": draw(st.booleans()),
                "route": draw(st.sampled_from(["landfill", "recycling"])),
            },
        )
    return FlowSpec(fid, "material", "mass", amount, price)


@st.composite
def change_specs(draw: Any, flows: list[FlowSpec], kinds: tuple[str, ...]) -> ChangeSpec:
    k = draw(st.integers(0, len(flows) - 1))
    kind = draw(st.sampled_from(kinds))
    if kind == "rel":
        value = draw(st.floats(-0.9, 1.0))
    elif kind == "abs":  # additions, and small cuts that never reach zero in practice
        value = draw(st.floats(-0.01, 0.5)) * flows[k].amount
    else:
        value = draw(st.floats(0.0, 2.0)) * flows[k].amount
    return ChangeSpec(k, kind, value)


@st.composite
def plants(
    draw: Any,
    max_flows: int = 6,
    max_interventions: int = 4,
    kinds: tuple[str, ...] = ("rel", "abs", "to"),
) -> PlantSpec:
    """A valid plant (canonical units) with interventions using the given change kinds."""
    n = draw(st.integers(1, max_flows))
    flows = [draw(flow_specs(i)) for i in range(n)]
    ivs = []
    for j in range(draw(st.integers(0, max_interventions))):
        changes = draw(st.lists(change_specs(flows, kinds), min_size=1, max_size=3))
        ivs.append(
            InterventionSpec(
                f"i{j}",
                changes,
                draw(st.floats(0, 1e6)),
                draw(st.sampled_from([1.0, 5.0, 10.0, 20.0])),
            )
        )
    return PlantSpec(flows, ivs)


def _q(value: float, unit: str) -> str:
    return f"{value!r} {unit}"


def render(
    spec: PlantSpec,
    units: dict[str, str] | None = None,
    scale: float = 1.0,
    money: str = "USD",
    years: str = "year",
    mapping: bool = False,
    order: list[int] | None = None,
) -> dict[str, Any]:
    """Write ``spec`` as a scenario mapping.

    Parameters
    ----------
    units : dict
        Unit per dimension (``{"mass": "kg", ...}``); default the canonical ones.
    scale : float
        Multiply every amount and absolute change (not prices, not relative changes).
    money, years : str
        Units for capex and lifetime.
    mapping : bool
        Write quantities as ``{value:, unit:}`` mappings instead of strings.
    order : list of int
        Order of the interventions in the default scenario ``all``.
    """
    units = units or dict(CANONICAL)

    def qty(value: float, unit: str) -> Any:
        return {"value": value, "unit": unit} if mapping else _q(value, unit)

    flows = []
    for f in spec.flows:
        u = units[f.dim]
        size = UNITS[f.dim][u]
        doc: dict[str, Any] = {
            "id": f.id,
            "type": f.type,
            "amount": qty(f.amount * scale / size, u),
        }
        if f.carrier:
            doc["carrier"] = f.carrier
        if f.price is not None:
            doc["price"] = qty(f.price * size, f"USD/{u}")
        doc.update(f.extra)
        flows.append(doc)
    ivs = []
    for iv in spec.interventions:
        changes = []
        for ch in iv.changes:
            f = spec.flows[ch.flow]
            u = units[f.dim]
            size = UNITS[f.dim][u]
            if ch.kind == "rel":
                changes.append({"flow": f.id, "by": qty(ch.value * 100, "%")})
            else:
                key = "by" if ch.kind == "abs" else "to"
                changes.append({"flow": f.id, key: qty(ch.value * scale / size, u)})
        ivs.append(
            {
                "id": iv.id,
                "category": "good housekeeping",
                "changes": changes,
                "capex": qty(iv.capex / MONEY[money], money),
                "lifetime": qty(iv.lifetime / YEARS[years], years),
            }
        )
    doc = {
        "plant": {"name": "Property plant", "country": "BD", "production": "1000 t"},
        "grid_factor": "0.5 t CO2e/MWh",
        "discount_rate": "8 %",
        "flows": flows,
    }
    if ivs:
        doc["interventions"] = ivs
        ids = [iv["id"] for iv in ivs]
        doc["scenarios"] = {"all": [ids[k] for k in (order or range(len(ids)))]}
    return doc


# -- fuzzing: hostile values and broken files ------------------------------------------------

NASTY_STRINGS = [
    "nan",
    "NaN",
    ".nan",
    ".inf",
    "-.inf",
    "+.inf",
    "inf",
    "1e999",
    "-1e999",
    "1e999 t",
    "nan t",
    "inf GJ",
    "1e308 kt",
    "1e-308 t",
    "-0.0 t",
    "0x10 t",
    "1_000_000 t",
    "",
    " ",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "2024-01-01",
    "12:30:00",
    "\u202egas",
    "gas\u202e",
    "\u200fRTL\u200e",
    "🔥",
    "👨\u200d👩\u200d👧",
    "e\u0301\u0301\u0301",
    "natural_gas\u0301",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff t",
    "a\nb",
    "a\rb",
    "a\u2028b",
    "t**9**9**9",
    "5 t**99",
    "5 Yt*Yt*Yt*Yt*Yt*Yt*Yt*Yt*Yt*Yt/yt/yt",
    "5 t^^2",
    "5 (t",
    "5 t)",
    "5 " + "t*" * 300 + "t",
    "5 ton",
    "5 cal",
    "5 gallon",
    "3 EUROS",
    "1e30 t",
    "1e31 t",
    "x" * 5000,
    "!!python/object/apply:os.system ['true']",
    "*alias",
    "&anchor x",
    "{",
    "[",
    "%YAML 1.1",
    "---",
    "...",
    "'",
    '"',
    "- a",
    "a: b",
    "? x",
]

NASTY_NUMBERS = [
    1e308,
    -1e308,
    1e-308,
    -1e-308,
    5e-324,
    -0.0,
    0.0,
    10**400,
    -(10**400),
    2**63,
    -(2**63),
    float("nan"),
    float("inf"),
    float("-inf"),
    1e30,
    1e31,
    True,
    False,
]


def _nested(depth: int) -> Any:
    obj: Any = "x"
    for _ in range(depth):
        obj = [obj]
    return obj


nasty_values = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.sampled_from(NASTY_NUMBERS),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.integers(1, 80).map(_nested),
    st.builds(
        lambda v, u: f"{v!r} {u}",
        st.floats(),
        st.sampled_from(["t", "kg", "GJ", "MWh", "m3", "L", "USD", "%", "year", ""]),
    ),
)


def example_doc() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        obj = obj[p]
    return obj


@st.composite
def mutated_docs(draw: Any) -> Any:
    """The example plant with one to three structural mutations."""
    doc: Any = example_doc()
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(
            st.sampled_from(
                ["replace", "replace", "replace", "delete", "unknown_key", "duplicate", "wrap"]
            )
        )
        if not path:
            if op == "replace":
                doc = draw(nasty_values)
            continue
        parent = _get(doc, path[:-1])
        key = path[-1]
        if op == "replace":
            parent[key] = draw(nasty_values)
        elif op == "delete":
            del parent[key]
        elif op == "unknown_key" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["amout", "id\u202e", "🔥", "", "null", "x" * 200]))] = (
                draw(nasty_values)
            )
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))  # duplicate ids, flows, changes...
        elif op == "wrap":
            parent[key] = [parent[key]]
    return doc


def _dump(doc: Any, ascii_only: bool) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=not ascii_only)


BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
)

PYTHON_TAGS = [
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!!python/object/new:builtins.dict {}",
    "!!python/module:os",
    "!!python/tuple [1, 2]",
    "!!binary AAEC",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom x",
    "!!timestamp 2001-12-14",
    "!!float nan",
    "!!int 0x10",
]


@st.composite
def text_mutations(draw: Any) -> str | bytes:
    """The example file (as text) broken at the text level: lines, tags, bytes, aliases."""
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    op = draw(
        st.sampled_from(
            [
                "dup_line",
                "drop_line",
                "truncate",
                "insert",
                "tag",
                "bomb",
                "deep",
                "bytes",
                "swap_char",
                "indent",
                "anchors",
            ]
        )
    )
    if op == "dup_line":  # often a duplicate key
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif op == "drop_line":
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif op == "insert":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(st.sampled_from(NASTY_STRINGS) | st.text(max_size=10)) + text[i:]
    elif op == "tag":
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if ": " in line:
            head, _ = line.rsplit(": ", 1)
            lines[i] = f"{head}: {draw(st.sampled_from(PYTHON_TAGS))}\n"
    elif op == "bomb":
        return (
            BOMB + text.replace("notes", "x") + "notes: *a9\n"
            if draw(st.booleans())
            else BOMB.replace("\na", "\n  a").replace("a0:", "balances:\n  a0:", 1) + text
        )
    elif op == "deep":
        n = draw(st.sampled_from([33, 100, 5000, 100_000]))
        return text + "notes: " + "[" * n + "]" * draw(st.sampled_from([0, n]))
    elif op == "bytes":
        raw = text.encode("utf-8")
        i = draw(st.integers(0, len(raw)))
        return raw[:i] + draw(st.binary(min_size=1, max_size=20)) + raw[i:]
    elif op == "swap_char":
        i = draw(st.integers(0, len(text) - 1))
        return text[:i] + draw(st.sampled_from(list(":-[]{},&*!|>'\"%@`#\t "))) + text[i + 1 :]
    elif op == "indent":
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
    elif op == "anchors":  # legitimate reuse: must still work (or be a clean error)
        return text.replace("  - {id: grid,", "  - &g {id: grid,").replace(
            "scenarios:", "x_alias: *g\nscenarios:"
        )
    return "".join(lines)


@st.composite
def mutated_texts(draw: Any) -> str | bytes:
    """A broken scenario file: a mutated document dumped as YAML, or a mutated text."""
    if draw(st.booleans()):
        return _dump(draw(mutated_docs()), ascii_only=draw(st.booleans()))
    return draw(text_mutations())
