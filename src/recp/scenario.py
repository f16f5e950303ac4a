"""Scenario files: the plant, its yearly flows, interventions and scenarios.

A scenario file is YAML (JSON is YAML too). :func:`load` reads and validates it and returns a
:class:`Scenario`; every problem found is collected into one :class:`~recp.errors.InputError`
whose lines name the file, the line, the place (``flows[2].amount``), the value and what is
allowed. Quantities are ``"<number> <unit>"`` strings or ``{value:, unit:}`` mappings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from yaml.constructor import ConstructorError

from recp import calc, rules
from recp.errors import (
    InputError,
    Problem,
    ReadOnlyError,
    UnitError,
    UnknownFactorError,
    did_you_mean,
)
from recp.factors import FactorLibrary, library
from recp.financing import Finance
from recp.models.effluent import POLLUTANTS
from recp.processes import plan
from recp.rules import (
    AMOUNT_UNITS,
    CATEGORIES,
    DIMENSION_NAMES,
    EXAMPLES,
    GWP_CHOICES,
    LANDFILL_KEYS,
    PLANT_QUANTITIES,
    WASTE_ROUTES,
    WASTEWATER_KEYS,
    WATER_SOURCES,
    message,
    qty,
)
from recp.rules import (
    FLOW_TYPES as FLOW_TYPES,  # re-exported: the vocabularies' historic home
)
from recp.sectors import find_measure
from recp.uncertain import UncertainInput, extract
from recp.units import CURRENCIES, is_dimension, parse_quantity, parse_unit, too_small
from recp.workbook import read_located

#: Largest scenario file recp reads [bytes]; larger ones are refused with a clear error.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Deepest nesting accepted in a scenario document.
MAX_DEPTH = 32
#: Most values (scalars, lists, mappings) a document may hold once YAML aliases are expanded:
#: guards against alias bombs ("billion laughs"), which expand a few lines into billions of values.
MAX_NODES = 1_000_000


def _quantity(v: Any) -> Any:
    """Pydantic hook: parse a user quantity, raising only ValueError."""
    if v is None:
        return None
    try:
        return parse_quantity(v)
    except UnitError as e:
        raise ValueError(e.problems[0].message) from None


#: JSON Schema of a quantity (for editors and ``recp schema``).
QTY_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "examples": ["12 MWh", "0.30 USD/m3", "-8 %"]},
        {"type": "number"},
        {
            "type": "object",
            "properties": {"value": {"type": "number"}, "unit": {"type": "string"}},
            "required": ["value"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                k: {"type": ["string", "number"]}
                for k in ("low", "mode", "high", "mean", "sd", "p5", "p95")
            }
            | {"unit": {"type": "string"}},
            "minProperties": 2,
            "additionalProperties": False,
            "description": "an uncertain quantity (docs/uncertainty.md): {low, high}, "
            "{low, mode, high}, {mean, sd} or {p5, p95}, bounds as quantities or with 'unit'",
        },
    ],
    "description": "a quantity: '<number> <unit>', {value, unit}, or a distribution",
}

Qty = Annotated[Any, BeforeValidator(_quantity), WithJsonSchema(QTY_SCHEMA)]


def _plain_id(v: str) -> str:
    """Pydantic hook: an id has no surrounding spaces or line breaks."""
    if v != v.strip() or any(c in v for c in "\n\r\t"):
        raise ValueError(f"an id has no surrounding spaces or line breaks, got {v!r}")
    return v


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=False)

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse assignment: a scenario is validated as a whole, once (checks span fields)."""
        raise ReadOnlyError(
            f"{type(self).__name__}.{name} cannot be set: scenario objects are validated once "
            "and read-only; change the mapping or file and build it again "
            "(recp.Scenario.from_dict(data) or recp.load(path))"
        )


class Plant(_Model):
    """The assessed site."""

    name: str = Field(min_length=1, max_length=300)
    country: str = Field(description="ISO 3166-1 alpha-2 (alpha-3 accepted)")
    sector: str | None = None
    production: Qty | None = Field(None, description="annual reference output, for intensities")
    notes: str | None = None
    source: str | None = None


class Flow(_Model):
    """One yearly input or output of the plant."""

    id: str = Field(min_length=1, max_length=100)
    type: Literal[
        "fuel", "electricity", "heat", "water", "wastewater", "waste", "material", "product"
    ]
    amount: Qty
    name: str | None = None
    carrier: str | None = None
    price: Qty | None = None
    ncv: Qty | None = None
    density: Qty | None = None
    emission_factor: Qty | None = None
    combustion_sector: str | None = Field(
        None, description="IPCC combustion category: energy, manufacturing, commercial, residential"
    )
    market_factor: Qty | None = Field(
        None, description="supplier-specific or contractual factor (market-based scope 2)"
    )
    on_site: bool | None = Field(
        None, description="waste or wastewater treated at the plant (scope 1) or not (scope 3)"
    )
    source: str | None = None
    hazardous: bool | None = None
    route: str | None = None
    # wastewater: organic and nitrogen load and treatment (IPCC 2006 Vol. 5 Ch. 6)
    cod: Qty | None = Field(None, description="chemical oxygen demand, e.g. '3.2 kg/m3'")
    nitrogen: Qty | None = Field(None, description="total nitrogen, e.g. '0.06 kg/m3'")
    treatment: str | None = Field(None, description="key of the wastewater treatment table")
    # effluent pollutants: a concentration ('450 mg/L') or a yearly load ('12 t')
    bod5: Qty | None = Field(None, description="5-day biochemical oxygen demand, '2500 mg/L'")
    tss: Qty | None = Field(None, description="total suspended solids, '800 mg/L' or '120 t'")
    total_n: Qty | None = Field(None, description="total nitrogen (same as 'nitrogen'), '60 mg/L'")
    total_p: Qty | None = Field(None, description="total phosphorus, '15 mg/L' or '2.2 t'")
    effluent_tariff: dict[str, Qty] | None = Field(
        None, description="charge per kg of each pollutant, e.g. {cod: 0.5 USD/kg}"
    )
    ch4_recovery: Qty | None = Field(None, description="share of CH4 recovered/flared, '80 %'")
    # waste to landfill: degradable organic carbon (IPCC 2006 Vol. 5 Ch. 2-3)
    doc_type: str | None = Field(None, description="waste type key for DOC, e.g. 'food'")
    landfill: str | None = Field(None, description="landfill type key for MCF")
    notes: str | None = None

    _id_text = field_validator("id")(classmethod(lambda cls, v: _plain_id(v)))


class MercurySpec(_Model):
    """Mercury Toolkit category and technology of a process (or its own factors)."""

    category: str | None = Field(None, description="Toolkit sub-category, e.g. 'asgm'")
    technology: str | None = Field(None, description="variant, e.g. 'whole_ore'")
    input_factor: Qty | None = Field(
        None, description="own input factor, e.g. '1.3 kg/kg' (kg Hg per kg Au) or '0.1 g/t'"
    )
    distribution: dict[str, float] | None = Field(
        None, description="own output distribution factors, fractions summing to 1"
    )
    source: str | None = None


class PcddfSpec(_Model):
    """Dioxin Toolkit category and class of a process (or its own emission factors)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=True)

    category: str | None = Field(None, description="Toolkit source category, e.g. '1c'")
    class_: int | str | None = Field(None, alias="class", description="Toolkit class, e.g. 1")
    emission_factors: dict[str, Any] | None = Field(
        None, description="own factors per vector, e.g. {air: '40 ug TEQ/t', water: ND}"
    )
    source: str | None = None


class Co2Spec(_Model):
    """Process CO2 of a mineral process (IPCC 2006 Vol. 3 Ch. 2), per t of its activity.

    ``category`` is ``cement`` (activity: clinker), ``lime`` (lime), ``glass`` (glass melted),
    ``carbonates`` (carbonate consumed) or ``ceramics`` (clay fired); the other keys refine the
    default factor (see :mod:`recp.calcination`).
    """

    category: str | None = Field(None, description="cement, lime, glass, carbonates, ceramics")
    type: str | None = Field(None, description="lime type: high_calcium, dolomitic, hydraulic")
    cao: Qty | None = Field(None, description="CaO content of the clinker, e.g. '64 %'")
    ckd_correction: Qty | None = Field(None, description="cement kiln dust correction, e.g. 1.02")
    lkd_correction: Qty | None = Field(None, description="lime kiln dust correction, e.g. 1.02")
    cullet_ratio: Qty | None = Field(None, description="cullet share of the glass melt, '40 %'")
    carbonate: str | None = Field(None, description="carbonate: calcite, dolomite, magnesite...")
    carbonate_content: Qty | None = Field(None, description="carbonate share of the clay, '5 %'")
    fraction_calcined: Qty | None = Field(None, description="share calcined, default 100 %")
    emission_factor: Qty | None = Field(None, description="own factor, e.g. '0.53 t/t'")
    source: str | None = None


class Process(_Model):
    """A process that releases mercury or PCDD/F, with its activity rate (UNEP Toolkits).

    The activity is given directly (``activity: 60 t``) or taken from a flow of the plant
    (``flow: coal``; ``fuel:`` is the same), so the same coal drives scope 1 GHG and the mercury
    estimate, and every change to that flow changes the releases.
    """

    id: str = Field(min_length=1, max_length=100)
    name: str | None = None
    activity: Qty | None = Field(
        None, description="yearly activity, e.g. '60 t' of waste burned, '12 kg' of gold produced"
    )
    flow: str | None = Field(
        None,
        description="id of a flow that is the activity (coal "
        "burned, mercury used, clinker produced)",
    )
    fuel: str | None = Field(
        None, description="id of a fuel flow that is the activity (same as 'flow')"
    )
    category: str | None = Field(
        None, description="guidebook process category, e.g. 'cement_kiln' (hg-pops-category-map)"
    )
    technology: str | None = Field(None, description="its technology or fuel, e.g. 'hard_coal'")
    abatement: str | list[str] | None = Field(None, description="guidebook abatement technique(s)")
    mercury: MercurySpec | None = None
    pcdd_f: PcddfSpec | None = None
    pcb: PcddfSpec | None = None
    dl_pcb: PcddfSpec | None = None
    hcb: PcddfSpec | None = None
    co2: Co2Spec | None = None
    source: str | None = None
    notes: str | None = None

    _id_text = field_validator("id")(classmethod(lambda cls, v: _plain_id(v)))


#: Keys of a change that set a process's factors rather than its activity.
_SWAPS = ("technology", "abatement", "mercury", "pcdd_f", "pcb", "dl_pcb", "hcb", "co2")


class Change(_Model):
    """A change one intervention makes to one flow or process.

    A flow or a process's activity changes ``by`` (relative or absolute) or ``to`` a value. A
    process can instead change its Toolkit class or technology (``pcdd_f: {class: 3}``,
    ``mercury: {technology: concentrate_retort}``). A flow's change can instead be computed
    by an engineering calculator, ``calc: {method: steam_leak, ...}`` (:mod:`recp.calc`).
    """

    flow: str | None = None
    process: str | None = None
    by: Qty | None = None
    to: Qty | None = None
    calc: dict[str, Any] | None = Field(
        None, description="an engineering calculator, e.g. {method: steam_leak, holes: 4, ...}"
    )
    technology: str | None = None
    abatement: str | list[str] | None = None
    switch_to: str | None = Field(
        None,
        description="fuel switch: id of the flow that replaces 'flow' for the same useful heat "
        "(a flow of the plant, which may be 0 in the baseline, or one given as a mapping)",
    )
    share: Qty | None = Field(None, description="fuel switch: part of 'flow' switched, '100 %'")
    efficiency: Qty | None = Field(
        None, description="fuel switch: efficiency of the old appliance, e.g. '82 %'"
    )
    new_efficiency: Qty | None = Field(
        None, description="fuel switch: efficiency of the new appliance, e.g. '90 %'"
    )
    mercury: MercurySpec | None = None
    pcdd_f: PcddfSpec | None = None
    pcb: PcddfSpec | None = None
    dl_pcb: PcddfSpec | None = None
    hcb: PcddfSpec | None = None
    co2: Co2Spec | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Change:
        if (self.flow is None) == (self.process is None):
            raise ValueError(message("flow_or_process"))
        swap = any(getattr(self, k) is not None for k in _SWAPS)
        switch = (self.switch_to, self.share, self.efficiency, self.new_efficiency)
        if self.calc is not None:
            if (
                self.flow is None
                or swap
                or self.by is not None
                or self.to is not None
                or any(x is not None for x in switch)
            ):
                raise ValueError(
                    "a 'calc' change computes the change of a 'flow': give 'flow' and 'calc', "
                    "without 'by', 'to', a fuel switch or a process"
                )
            return self
        if swap and self.flow is not None:
            raise ValueError(
                "'mercury', 'pcdd_f' and 'co2' changes apply to a 'process', not a flow"
            )
        if any(x is not None for x in switch):
            if self.flow is None:
                raise ValueError("a fuel switch ('switch_to') replaces a 'flow'")
            if self.by is not None or self.to is not None:
                raise ValueError(
                    "a fuel switch sets the new carrier from the old one: give 'switch_to', "
                    "'efficiency' and 'new_efficiency' (and 'share'), not 'by' or 'to'"
                )
            missing = [
                k for k in ("switch_to", "efficiency", "new_efficiency") if getattr(self, k) is None
            ]
            if missing:
                raise ValueError(
                    f"a fuel switch needs {', '.join(repr(k) for k in missing)}: recp ships no "
                    "default appliance efficiency (give the boiler's measured or rated values, "
                    "e.g. efficiency: 82 %, new_efficiency: 90 %)"
                )
            return self
        if swap:
            if self.by is not None or self.to is not None:
                raise ValueError(
                    "a change either sets the process's class/technology "
                    "('pcdd_f', 'mercury', 'co2') or its activity ('by'/'to'): split it "
                    "into two changes"
                )
            return self
        if (self.by is None) == (self.to is None):
            raise ValueError(message("by_or_to"))
        return self


class Intervention(_Model):
    """A cleaner-production option: flow changes plus its costs.

    ``measure`` names an entry of the measure catalogue (``recp measures``); the entry's
    category, changes and costs fill whatever the intervention does not give itself.
    """

    id: str = Field(min_length=1, max_length=100)
    name: str | None = None
    measure: str | None = None
    category: str
    changes: list[Change] = Field(default_factory=list)
    capex: Qty | None = None
    opex: Qty | None = None
    lifetime: Qty | None = None
    finance: Finance | None = None
    source: str | None = None
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_catalogue(cls, data: Any) -> Any:
        """Fill what the intervention leaves out from its catalogue measure (``measure:``)."""
        if not isinstance(data, dict) or not data.get("measure"):
            return data
        try:
            m = find_measure(str(data["measure"]))
        except UnknownFactorError as e:
            raise ValueError(str(e)) from None
        out = dict(data)
        if out.get("source") is None and out.get("changes") is not None:
            own = _own_figures(out["changes"], m["changes"])
            if own:  # the consultant's figures: credit them, keep the catalogue as reference
                out["source"] = _user_figure_source(own, m)
        for key in ("name", "category", "source", "capex", "lifetime", "opex"):
            if out.get(key) is None and m.get(key) is not None:
                out[key] = m[key]
        if out.get("changes") is None:
            out["changes"] = [
                {k: v for k, v in c.items() if k in ("flow", "by", "to")} for c in m["changes"]
            ]
        if out.get("notes") is None and m.get("notes"):
            out["notes"] = f"from catalogue measure {m['id']}: {m['notes']}"
        return out

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        norm = rules.category(v)
        if norm not in CATEGORIES:
            raise ValueError(
                rules.choice_message("category", v, CATEGORIES, rules.SHOW["category"])
            )
        return norm


def _same_quantity(a: Any, b: Any) -> bool:
    """Whether two user quantities are the same figure (unreadable ones are not)."""
    try:
        qa, qb = parse_quantity(a), parse_quantity(b)
        return bool(abs(qa.to(qb.units).magnitude - qb.magnitude) <= 1e-12 * abs(qb.magnitude))
    except Exception:  # noqa: BLE001 - unreadable or unconvertible: validation reports it
        return False


def _own_figures(changes: Any, catalogue: list[dict[str, Any]]) -> list[str]:
    """The changes of an intervention that are not its catalogue measure's, as text."""
    if not isinstance(changes, list):
        return []
    typical = {c.get("flow"): c.get("by") for c in catalogue}
    own: list[str] = []
    for ch in changes:
        if not isinstance(ch, dict):
            continue
        target = ch.get("flow") or ch.get("process")
        key = "to" if ch.get("to") is not None else "by"
        value = ch.get(key)
        if value is None:  # a class or technology change of a process
            continue
        if ch.get("flow") is None or key == "to" or not _same_quantity(value, typical.get(target)):
            own.append(f"{target} {key} {value}")
    return own


def _user_figure_source(own: list[str], measure: dict[str, Any]) -> str:
    """The source of a catalogue measure used with the consultant's own figures."""
    ref = "; ".join(
        f"{c['flow']} {c['by']}"
        + (f" (range {c['range'][0]} to {c['range'][1]})" if c.get("range") else "")
        for c in measure["changes"]
    )
    return (
        f"user-supplied figures ({', '.join(own)}), not from the catalogue; catalogue measure "
        f"{measure['id']} for reference: typical {ref} ({measure['source']})"
    )


class Balances(_Model):
    """Optional data for the mass and water balances: outputs not recorded as flows."""

    tolerance: Qty | None = Field(None, description="allowed imbalance, default 10 %")
    water: dict[str, Qty] = Field(
        default_factory=dict,
        description="water leaving other than as wastewater, e.g. "
        "{evaporation: 20000 m3, in_product: 3000 m3}",
    )
    mass: dict[str, Qty] = Field(
        default_factory=dict,
        description="mass leaving other than as product or waste, e.g. "
        "{emissions: 5 t, wastewater_solids: 12 t}",
    )


class Scenario(_Model):
    """A plant with its flows, interventions and named scenarios (a validated scenario file).

    Use :func:`load` or :func:`loads` to build one from a file or text; ``Scenario.from_dict``
    from a mapping. Construction validates structure, units and references.
    """

    plant: Plant
    currency: str = "USD"
    gwp: str = "AR5"
    grid_factor: Qty | None = None
    grid_cm: Qty | None = Field(
        None, description="combined-margin grid factor for emission reductions, '0.41 t CO2e/MWh'"
    )
    grid_basis: str | None = Field(
        None,
        description="what the location-based grid factor covers: 'lifecycle' (Ember's "
        "lifecycle intensity of generation, the shipped default) or 'combustion' (the plant's "
        "own 'grid_factor' from a national inventory: required)",
    )
    discount_rate: Qty | None = None
    carbon_price: Qty | None = Field(
        None,
        description="price of an emission-reduction credit in the plant's currency, "
        "'10 USD/t CO2e': adds credit revenue to each intervention's annual saving",
    )
    effluent_tariff: dict[str, Qty] | None = Field(
        None,
        description="charge per kg of each effluent pollutant on every wastewater flow that "
        "carries it, e.g. {cod: 0.5 USD/kg}; a flow's own effluent_tariff overrides it",
    )
    flows: list[Flow] = Field(min_length=1)
    processes: list[Process] = Field(default_factory=list)
    factors: list[str] | None = Field(
        None, description="own factor tables (CSV + meta, or folders of them) for the processes"
    )
    interventions: list[Intervention] = Field(default_factory=list)
    scenarios: dict[str, list[str]] | None = None
    balances: Balances | None = None
    finance: Finance | None = None
    notes: str | None = None
    #: File the scenario was read from (set by :func:`load`), for messages.
    source_file: SkipJsonSchema[str | None] = Field(None, exclude=True)
    #: Workbook cell of each place (``flows[0].amount`` -> ``Flows!D2``), for messages.
    _cells: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _switch_flows(cls, data: Any) -> Any:
        """A fuel switch to a carrier the plant does not use yet: add it as a flow of 0 GJ."""
        if not isinstance(data, dict) or not isinstance(data.get("interventions"), list):
            return data
        flows = data.get("flows")
        if not isinstance(flows, list):
            return data
        ids = {f.get("id") for f in flows if isinstance(f, dict) and isinstance(f.get("id"), str)}
        added: list[dict[str, Any]] = []
        ivs = []
        for iv in data["interventions"]:
            chs = iv.get("changes") if isinstance(iv, dict) else None
            if not isinstance(chs, list):
                ivs.append(iv)
                continue
            new_chs = []
            for ch in chs:
                new = ch.get("switch_to") if isinstance(ch, dict) else None
                if isinstance(new, dict) and isinstance(new.get("id"), str):
                    if new["id"] not in ids:
                        ids.add(new["id"])
                        added.append({"type": "fuel", "amount": "0 GJ", **new})
                    ch = {**ch, "switch_to": new["id"]}
                new_chs.append(ch)
            ivs.append({**iv, "changes": new_chs})
        if not added:
            return data
        return {**data, "flows": [*flows, *added], "interventions": ivs}

    #: Distributions given in place of quantities (:mod:`recp.uncertain`); used only by
    #: ``--uncertainty``: the fields themselves hold the central values. Not an input key.
    _uncertain: list[UncertainInput] = PrivateAttr(default_factory=list)

    @property
    def uncertain(self) -> list[UncertainInput]:
        """The uncertain inputs of the file, in file order (empty for plain files)."""
        return self._uncertain

    @field_validator("gwp")
    @classmethod
    def _gwp(cls, v: str) -> str:
        up = rules.gwp(v)
        if up not in GWP_CHOICES:
            raise ValueError(rules.choice_message("gwp", v, GWP_CHOICES))
        return up

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if v not in CURRENCIES:
            raise ValueError(rules.choice_message("currency", v, CURRENCIES))
        return v

    # -- derived --------------------------------------------------------------------------

    @property
    def scenario_map(self) -> dict[str, list[str]]:
        """Scenario name -> intervention ids in order (default: ``all`` = every intervention)."""
        if self.scenarios:
            return dict(self.scenarios)
        if self.interventions:
            return {"all": [i.id for i in self.interventions]}
        return {}

    @property
    def country_code(self) -> str:
        """The plant's ISO 3166-1 alpha-2 code (alpha-3 and names normalised)."""
        return rules.country(self.plant.country)[0] or self.plant.country

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Name the flow or intervention of each problem by its id (and its workbook cell)."""
        data = {
            "flows": [{"id": f.id} for f in self.flows],
            "processes": [{"id": p.id} for p in self.processes],
            "interventions": [
                {
                    "id": iv.id,
                    "changes": [{"flow": c.flow, "process": c.process} for c in iv.changes],
                }
                for iv in self.interventions
            ],
        }
        return [_named(p, data, self._cells) for p in problems]

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Any,
        *,
        file: str | None = None,
        text: str | None = None,
        lib: FactorLibrary | None = None,
        cells: dict[str, str] | None = None,
    ) -> Scenario:
        """Validate a mapping (parsed YAML/JSON) into a Scenario.

        ``lib`` is the factor library the references are checked against (carriers, Toolkit
        categories...); default the shipped one. ``cells`` maps places (``flows[0].amount``)
        to workbook cells (``Flows!D2``) for the messages of a workbook's problems.

        Raises
        ------
        InputError
            With one located :class:`~recp.errors.Problem` per issue found.
        """
        locate = _Locator(text) if text is not None else None
        if not isinstance(data, dict):
            raise InputError(
                [
                    Problem(
                        "",
                        "a scenario file is a mapping with keys 'plant', "
                        f"'flows', ... (got {type(data).__name__})",
                        file,
                    )
                ]
            )
        depth = _depth(data)
        if depth > MAX_DEPTH:
            raise InputError(
                [
                    Problem(
                        "",
                        f"nesting is {depth} levels deep; at most {MAX_DEPTH} are accepted",
                        file,
                    )
                ]
            )
        data, uncertain, dist_problems = extract(data)
        located = [
            Problem(p.place, p.message, file, locate.line(p.place) if locate else None)
            for p in dist_problems
        ]
        try:
            sc = cls.model_validate(data)
        except ValidationError as e:
            bad = {p.place for p in located}  # a bad distribution: its own line, no other
            rest = [p for p in _pydantic_problems(e, data, file, locate) if p.place not in bad]
            raise InputError([_named(p, data, cells) for p in located + rest]) from None
        if located:
            raise InputError([_named(p, data, cells) for p in located])
        BaseModel.__setattr__(sc, "source_file", file)
        BaseModel.__setattr__(sc, "_cells", dict(cells or {}))
        BaseModel.__setattr__(sc, "_uncertain", uncertain)
        problems = list(sc.check(lib))
        if problems:
            raise InputError(
                [
                    _named(
                        Problem(p.place, p.message, file, locate.line(p.place) if locate else None),
                        data,
                        cells,
                    )
                    for p in problems
                ]
            )
        return sc

    def check(self, lib: FactorLibrary | None = None) -> Iterator[Problem]:
        """Yield every semantic problem: units per flow type, references, ids, country, carrier.

        The rules and their messages are :mod:`recp.rules`, shared with the tidy tables.
        ``lib`` is the factor library to check references against (default the shipped one).
        """
        lib = lib or library()
        yield from _check_plant(self)
        broken: set[str] = set()  # flows whose amount is unusable: no follow-on errors
        seen: dict[str, int] = {}
        for i, fl in enumerate(self.flows):
            for p in check_flow(fl, f"flows[{i}]", self.currency, lib):
                if p.place.endswith(".amount"):
                    broken.add(fl.id)
                yield p
            if fl.id in seen:
                yield Problem(
                    f"flows[{i}].id",
                    message("flow_duplicate", value=fl.id, other=f"flows[{seen[fl.id]}]"),
                )
            seen.setdefault(fl.id, i)
        for i, fl in enumerate(self.flows):
            yield from check_emission_sources(fl, f"flows[{i}]", lib)
            yield from check_effluent(fl, f"flows[{i}]", self.currency)
        if self.effluent_tariff is not None:
            yield from _check_tariff(self.effluent_tariff, "effluent_tariff", self.currency)
        yield from _check_interventions(self, broken)
        if self.processes or any(
            ch.process is not None for iv in self.interventions for ch in iv.changes
        ):
            yield from plan(self, lib).problems
        yield from _check_scenarios(self)


_INDEXED = re.compile(r"^(flows|interventions|processes)\[(\d+)\](?:\.changes\[(\d+)\])?")
_KINDS = {"flows": "flow", "interventions": "intervention", "processes": "process"}


def _named(p: Problem, data: Any, cells: dict[str, str] | None) -> Problem:
    """Name the flow, intervention or process a problem's place points into, and its cell.

    ``flows[0].amount`` gets the subject ``flow 'well'``; a change of an intervention names the
    intervention and the flow it changes. In a workbook, the place's cell (``Flows!D2``) is
    looked up in ``cells``, trimming the place to its closest located parent.
    """
    subject = p.subject
    m = _INDEXED.match(p.place)
    if m and subject is None and isinstance(data, dict):
        items = data.get(m.group(1))
        idx = int(m.group(2))
        item = items[idx] if isinstance(items, list) and idx < len(items) else None
        if isinstance(item, dict) and isinstance(item.get("id"), str | int):
            subject = f"{_KINDS[m.group(1)]} {str(item['id'])!r}"
            changes = item.get("changes")
            if m.group(3) is not None and isinstance(changes, list):
                j = int(m.group(3))
                ch = changes[j] if j < len(changes) else None
                for key in ("flow", "process"):
                    if isinstance(ch, dict) and isinstance(ch.get(key), str | int):
                        subject += f", {key} {str(ch[key])!r}"
                        break
    cell = p.cell
    if cells and cell is None:
        place = p.place
        while place and place not in cells:
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", place)
            place = parent if parent != place else ""
        cell = cells.get(place) if place else None
    return replace(p, subject=subject, cell=cell)


def _check_plant(sc: Scenario) -> Iterator[Problem]:
    """Country, production, grid factor and discount rate."""
    code, hint = rules.country(sc.plant.country)
    if code is None:
        yield Problem("plant.country", message("country", value=sc.plant.country, hint=hint))
    prod = sc.plant.production
    if prod is not None and (not prod.magnitude > 0 or too_small(prod)):
        yield Problem("plant.production", message("positive", q=qty(prod)))
    for place, q in (
        ("grid_factor", sc.grid_factor),
        ("grid_cm", sc.grid_cm),
        ("discount_rate", sc.discount_rate),
    ):
        unit, what = PLANT_QUANTITIES[place]
        if q is not None and not is_dimension(q, unit):
            yield Problem(place, message("plant_quantity", q=qty(q), what=what))
    for place, q in (("grid_factor", sc.grid_factor), ("grid_cm", sc.grid_cm)):
        if q is not None and q.magnitude < 0:
            yield Problem(place, message("negative", q=qty(q)))
    if sc.discount_rate is not None and is_dimension(sc.discount_rate, "percent"):
        r = float(sc.discount_rate.to("dimensionless").magnitude)
        if not -0.99 < r < 1.0:
            yield Problem("discount_rate", message("rate_range", q=qty(sc.discount_rate)))
    yield from _check_carbon_price(sc)
    yield from _check_grid_basis(sc)


def _check_grid_basis(sc: Scenario) -> Iterator[Problem]:
    """A known basis; a combustion basis needs the plant's own grid factor."""
    if sc.grid_basis is None:
        return
    if sc.grid_basis not in rules.GRID_BASES:
        yield Problem(
            "grid_basis", rules.choice_message("grid_basis", sc.grid_basis, rules.GRID_BASES)
        )
    elif sc.grid_basis == "combustion" and sc.grid_factor is None:
        yield Problem("grid_basis", message("grid_basis_combustion"))


def _check_carbon_price(sc: Scenario) -> Iterator[Problem]:
    """A credit price per t CO2e in the plant's currency, not negative."""
    q = sc.carbon_price
    if q is None:
        return
    unit, what = rules.carbon_price_unit(sc.currency)
    if not is_dimension(q, unit):
        yield Problem("carbon_price", message("plant_quantity", q=qty(q), what=what))
    elif q.magnitude < 0:
        yield Problem("carbon_price", message("negative", q=qty(q)))


def _check_interventions(sc: Scenario, broken: set[str]) -> Iterator[Problem]:
    """Ids, flow changes (references, units, signs) and costs of every intervention."""
    flows = {f.id: f for f in sc.flows}
    iseen: set[str] = set()
    for k, iv in enumerate(sc.interventions):
        place = f"interventions[{k}]"
        if iv.id in iseen:
            yield Problem(f"{place}.id", message("intervention_duplicate", value=iv.id))
        iseen.add(iv.id)
        if not iv.changes:
            yield Problem(f"{place}.changes", message("no_changes"))
        for j, ch in enumerate(iv.changes):
            cplace = f"{place}.changes[{j}]"
            if ch.flow is None:  # a process change: checked with the processes
                continue
            if ch.flow not in flows:
                yield Problem(f"{cplace}.flow", rules.choice_message("no_flow", ch.flow, flows))
                continue
            if ch.calc is not None:
                yield from _check_calc(ch, iv.id, flows, cplace)
            elif ch.switch_to is not None:
                yield from check_switch(ch, flows, cplace)
            elif ch.flow not in broken:
                yield from check_change(ch, flows[ch.flow].amount, cplace)
        yield from _check_costs(iv, place, sc.currency)


def _check_calc(ch: Change, iid: str, flows: dict[str, Flow], place: str) -> Iterator[Problem]:
    """A computed change: the calculator's parameters, its flow's type and its linked flows."""
    assert ch.calc is not None and ch.flow is not None
    found = list(calc.problems(ch.calc, iid, f"{place}.calc"))
    yield from found
    m = calc.METHODS.get(str(ch.calc.get("method")))
    if m is None:
        return
    if flows[ch.flow].type not in m.flow_types:
        yield Problem(
            f"{place}.flow",
            f"intervention '{iid}': {m.name} computes the change of a flow of type "
            f"{' or '.join(m.flow_types)}; "
            f"'{ch.flow}' is {flows[ch.flow].type}",
        )
    for key, fid in calc.links(ch.calc).items():
        if not isinstance(fid, str):
            continue
        if fid not in flows:
            yield Problem(
                f"{place}.calc.{key}",
                f"intervention '{iid}', {m.name} parameter '{key}': "
                + rules.choice_message("no_flow", fid, flows),
            )
        elif flows[fid].type not in m.links.get(key, ()):
            yield Problem(
                f"{place}.calc.{key}",
                f"intervention '{iid}', {m.name} parameter '{key}': flow '{fid}' is "
                f"{flows[fid].type}, not {' or '.join(m.links.get(key, ()))}",
            )


def check_change(ch: Change, amount: Any, place: str) -> Iterator[Problem]:
    """A flow change's ``to`` or ``by`` against the flow's amount."""
    unit = str(amount.units)
    if ch.to is not None:
        if not is_dimension(ch.to, unit):
            yield Problem(f"{place}.to", message("to_unit", q=qty(ch.to), unit=f"{amount.units:~}"))
        elif ch.to.magnitude < 0:
            yield Problem(f"{place}.to", message("to_negative", q=qty(ch.to)))
    elif ch.by is not None:
        if is_dimension(ch.by, "percent"):
            if ch.by.to("dimensionless").magnitude < -1:
                yield Problem(f"{place}.by", message("by_below_zero", q=qty(ch.by), flow=ch.flow))
        elif not is_dimension(ch.by, unit):
            yield Problem(f"{place}.by", message("by_unit", q=qty(ch.by), unit=f"{amount.units:~}"))


#: Flow types a fuel switch can take from and give to (carriers of final energy).
SWITCH_TYPES = ("fuel", "electricity", "heat")


def check_switch(ch: Change, flows: dict[str, Flow], place: str) -> Iterator[Problem]:
    """A fuel switch: two different energy flows, a share and two efficiencies."""
    assert ch.flow is not None and ch.switch_to is not None
    if ch.switch_to not in flows:
        yield Problem(f"{place}.switch_to", rules.choice_message("no_flow", ch.switch_to, flows))
    elif ch.switch_to == ch.flow:
        yield Problem(f"{place}.switch_to", "a fuel switch replaces a flow by another flow")
    for key in ("flow", "switch_to"):
        fid = getattr(ch, key)
        if fid in flows and flows[fid].type not in SWITCH_TYPES:
            yield Problem(
                f"{place}.{key}",
                f"a fuel switch is between fuels, electricity or heat; '{fid}' is "
                f"{flows[fid].type}",
            )
    for key, low, high in (("share", 0.0, 1.0), ("efficiency", 0.0, 10.0),
                           ("new_efficiency", 0.0, 10.0)):  # fmt: skip
        q = getattr(ch, key)
        if q is None:
            continue
        ok = is_dimension(q, "percent") and low < q.to("dimensionless").magnitude <= high
        if not ok:
            what = (
                "a share above 0 and up to 100 %"
                if key == "share"
                else ("an efficiency above 0 % (a heat pump's COP as e.g. '300 %' or 3)")
            )
            yield Problem(f"{place}.{key}", f"'{qty(q)}' is not {what}")


def _check_costs(iv: Intervention, place: str, currency: str) -> Iterator[Problem]:
    for key, (unit, example) in rules.money_units(currency).items():
        q = getattr(iv, key)
        if q is not None and not is_dimension(q, unit):
            yield Problem(
                f"{place}.{key}", message("money_unit", q=qty(q), unit=unit, example=example)
            )
    life = iv.lifetime
    if (
        life is not None
        and is_dimension(life, "year")
        and (not life.magnitude > 0 or too_small(life))
    ):
        yield Problem(f"{place}.lifetime", message("positive", q=qty(life)))
    if iv.capex is not None and is_dimension(iv.capex, currency) and iv.capex.magnitude < 0:
        yield Problem(f"{place}.capex", message("negative", q=qty(iv.capex)))


def _check_scenarios(sc: Scenario) -> Iterator[Problem]:
    if sc.scenarios is None:
        return
    ids = [iv.id for iv in sc.interventions]
    for name, steps in sc.scenarios.items():
        if name == "baseline":
            yield Problem(f"scenarios.{name}", message("baseline"))
        seen_ids: set[str] = set()
        for j, iid in enumerate(steps):
            if iid not in ids:
                yield Problem(
                    f"scenarios.{name}[{j}]", rules.choice_message("no_intervention", iid, ids)
                )
            elif iid in seen_ids:
                yield Problem(f"scenarios.{name}[{j}]", message("listed_twice", value=iid))
            seen_ids.add(iid)


def check_emission_sources(fl: Flow, place: str, lib: Any) -> Iterator[Problem]:
    """Yield problems of the wastewater and landfill keys of a flow."""
    for key in WASTEWATER_KEYS:
        if getattr(fl, key) is not None and fl.type != "wastewater":
            yield Problem(f"{place}.{key}", message("wastewater_only", key=key))
    for key in LANDFILL_KEYS:
        if getattr(fl, key) is not None and not (fl.type == "waste" and fl.route == "landfill"):
            yield Problem(f"{place}.{key}", message("landfill_only", key=key))
    if fl.type == "wastewater":
        for key in ("cod", "nitrogen"):
            q = getattr(fl, key)
            if q is not None and not (
                (is_dimension(q, "kg/m3") or is_load(q)) and q.magnitude >= 0
            ):
                yield Problem(f"{place}.{key}", EFFLUENT_MESSAGE.format(q=qty(q)))
        keys = list(lib.table(lib.WASTEWATER).rows)
        if fl.treatment is not None and fl.treatment not in keys:
            yield Problem(
                f"{place}.treatment", rules.choice_message("treatment", fl.treatment, keys)
            )
        if (fl.cod is not None or pollutant(fl, "total_n") is not None) and fl.treatment is None:
            yield Problem(
                f"{place}.treatment", message("treatment_missing", choices=", ".join(keys))
            )
        rec = fl.ch4_recovery
        if rec is not None and not (
            is_dimension(rec, "percent") and 0 <= rec.to("dimensionless").magnitude <= 1
        ):
            yield Problem(f"{place}.ch4_recovery", message("share", q=qty(rec)))
    for key, table in (("doc_type", lib.LANDFILL_DOC), ("landfill", lib.LANDFILL_MCF)):
        value = getattr(fl, key)
        keys = list(lib.table(table).rows)
        if value is not None and value not in keys:
            yield Problem(f"{place}.{key}", rules.choice_message(key, value, keys))


def pollutant(fl: Flow, name: str) -> Any:
    """A flow's pollutant quantity by its name in :data:`POLLUTANTS` (``nitrogen`` is total N)."""
    if name == "total_n":
        return fl.total_n if fl.total_n is not None else fl.nitrogen
    return getattr(fl, name)


def is_load(q: Any) -> bool:
    """Whether a pollutant quantity is a yearly load (``12 t``, ``12 t/year``)."""
    return bool(is_dimension(q, "t") or is_dimension(q, "t/year"))


def check_effluent(fl: Flow, place: str, currency: str) -> Iterator[Problem]:
    """Pollutant concentrations or loads and the flow's own effluent tariff."""
    for key in (*POLLUTANTS, "nitrogen"):
        q = getattr(fl, key)
        if q is None or key in ("cod", "nitrogen"):  # checked with the wastewater keys
            continue
        if fl.type != "wastewater":
            yield Problem(f"{place}.{key}", message("wastewater_only", key=key))
        elif not ((is_dimension(q, "kg/m3") or is_load(q)) and q.magnitude >= 0):
            yield Problem(f"{place}.{key}", EFFLUENT_MESSAGE.format(q=qty(q)))
    if fl.nitrogen is not None and fl.total_n is not None:
        yield Problem(
            f"{place}.total_n", "give total nitrogen once: 'total_n' or 'nitrogen', not both"
        )
    if fl.type == "wastewater":
        loads = [
            k for k in POLLUTANTS if pollutant(fl, k) is not None and is_load(pollutant(fl, k))
        ]
        if loads and fl.amount is not None and not fl.amount.magnitude > 0:
            yield Problem(
                f"{place}.{loads[0]}",
                "a yearly load needs a wastewater volume above 0 m3 (or give a concentration)",
            )
    if fl.effluent_tariff is not None:
        if fl.type != "wastewater":
            yield Problem(
                f"{place}.effluent_tariff", message("wastewater_only", key="effluent_tariff")
            )
        yield from _check_tariff(fl.effluent_tariff, f"{place}.effluent_tariff", currency)
        for key in fl.effluent_tariff:
            if key in POLLUTANTS and pollutant(fl, key) is None:
                yield Problem(
                    f"{place}.effluent_tariff.{key}",
                    f"a charge on {key} needs the flow's {key} (a concentration or a load)",
                )


def _check_tariff(tariff: dict[str, Any], place: str, currency: str) -> Iterator[Problem]:
    """Keys are pollutants, values a price per kg in the scenario's currency."""
    for key, q in tariff.items():
        if key not in POLLUTANTS:
            yield Problem(
                f"{place}.{key}", f"unknown pollutant {key!r}: {did_you_mean(key, POLLUTANTS)}"
            )
        elif not (is_dimension(q, f"{currency}/kg") and q.magnitude >= 0):
            yield Problem(
                f"{place}.{key}",
                f"'{qty(q)}' is not a charge per kg in {currency} (e.g. '0.5 {currency}/kg')",
            )


#: The message for a pollutant that is neither a concentration nor a yearly load.
EFFLUENT_MESSAGE = (
    "'{q}' is not a concentration like '450 mg/L' (or '0.45 kg/m3') nor a yearly load like '12 t'"
)


def check_flow(fl: Flow, place: str, currency: str, lib: Any) -> Iterator[Problem]:
    """Yield the problems of one flow: dimension per type, carrier, sign, price currency."""
    amount = fl.amount
    if amount is None:  # 'amount: null' (or '~'): a value is needed, never a default
        example = EXAMPLES.get(fl.type, "12 t").split(chr(39))[0]
        yield Problem(f"{place}.amount", message("amount_missing", example=example))
        return
    allowed = AMOUNT_UNITS.get(fl.type)
    if allowed is not None and not any(is_dimension(amount, u) for u in allowed):
        want = " or ".join(DIMENSION_NAMES[u] for u in allowed)
        yield Problem(
            f"{place}.amount",
            message(
                "amount_dimension",
                q=qty(amount),
                want=want,
                type=fl.type,
                example=EXAMPLES[fl.type],
            ),
        )
        return
    if amount.magnitude < 0:
        yield Problem(f"{place}.amount", message("negative", q=qty(amount)))
    if fl.type == "fuel":
        problems = list(_check_fuel(fl, place, lib))
        yield from problems
        if any(p.place.endswith(".carrier") for p in problems):
            return
    elif fl.carrier is not None:
        yield Problem(f"{place}.carrier", message("carrier_not_fuel", type=fl.type))
    yield from _check_flow_keys(fl, place)
    if fl.price is not None:
        yield from _check_price(fl, place, currency)


def _check_fuel(fl: Flow, place: str, lib: Any) -> Iterator[Problem]:
    """Carrier, calorific value and density of a fuel flow."""
    if not fl.carrier:
        hint = did_you_mean("", lib.carriers, show=rules.SHOW["carrier"])
        yield Problem(f"{place}.carrier", message("carrier_missing", hint=hint))
        return
    if fl.carrier not in lib.carriers:
        yield Problem(
            f"{place}.carrier",
            rules.choice_message("carrier", fl.carrier, lib.carriers, rules.SHOW["carrier"]),
        )
        return
    if fl.ncv is not None and not (is_dimension(fl.ncv, "GJ/t") or is_dimension(fl.ncv, "GJ/m3")):
        yield Problem(f"{place}.ncv", message("ncv", q=qty(fl.ncv)))
    if fl.density is not None and not is_dimension(fl.density, "kg/m3"):
        yield Problem(f"{place}.density", message("density", q=qty(fl.density)))
    for key in ("ncv", "density"):  # recp divides by them: a positive, usable number
        q = getattr(fl, key)
        if q is not None and (q.magnitude < 0 or too_small(q)):
            yield Problem(f"{place}.{key}", message("positive", q=qty(q)))
    if is_dimension(fl.amount, "m3"):
        has_vol_ncv = fl.ncv is not None and is_dimension(fl.ncv, "GJ/m3")
        dens_table = lib.table(lib.DENSITIES).rows
        if not has_vol_ncv and fl.density is None and fl.carrier not in dens_table:
            yield Problem(f"{place}.amount", message("fuel_volume", carrier=fl.carrier))


def _check_flow_keys(fl: Flow, place: str) -> Iterator[Problem]:
    """Water source, waste keys and an electricity or heat flow's own emission factor."""
    if fl.type == "water" and fl.source is not None and fl.source not in WATER_SOURCES:
        yield Problem(f"{place}.source", rules.choice_message("source", fl.source, WATER_SOURCES))
    if fl.type == "waste":
        if fl.hazardous is None:
            yield Problem(f"{place}.hazardous", message("hazardous"))
        if fl.route is not None and fl.route not in WASTE_ROUTES:
            yield Problem(f"{place}.route", rules.choice_message("route", fl.route, WASTE_ROUTES))
    if fl.on_site is not None and fl.type not in ("waste", "wastewater"):
        yield Problem(f"{place}.on_site", message("on_site_type"))
    cs = fl.combustion_sector
    if cs is not None and fl.type != "fuel":
        yield Problem(f"{place}.combustion_sector", message("combustion_sector_type"))
    elif cs is not None and cs not in rules.COMBUSTION_SECTORS:
        yield Problem(
            f"{place}.combustion_sector",
            rules.choice_message("combustion_sector", cs, rules.COMBUSTION_SECTORS),
        )
    for key, wrong_type in (
        ("emission_factor", "emission_factor_type"),
        ("market_factor", "market_factor_type"),
    ):
        ef = getattr(fl, key)
        if ef is None:
            continue
        if fl.type not in ("electricity", "heat"):
            yield Problem(f"{place}.{key}", message(wrong_type))
        elif not is_dimension(ef, "t CO2e/MWh"):
            yield Problem(f"{place}.{key}", message("emission_factor", q=qty(ef)))
        elif ef.magnitude < 0:
            yield Problem(f"{place}.{key}", message("emission_factor_negative"))


def _check_price(fl: Flow, place: str, currency: str) -> Iterator[Problem]:
    price = fl.price
    assert price is not None
    cur = parse_unit(currency)
    per = 1.0 * (price.units / cur)  # strip the currency (magnitude 1: a zero price is fine)
    if not is_dimension(price, f"{currency}/({fl.amount.units})") and not _price_via_energy(
        fl, per
    ):
        if "currency" not in str(price.dimensionality) or f"currency_{currency}" not in str(
            price.dimensionality
        ):
            yield Problem(
                f"{place}.price", message("price_currency", q=qty(price), currency=currency)
            )
        else:
            yield Problem(
                f"{place}.price",
                message("price_unit", q=qty(price), currency=currency, unit=f"{fl.amount.units:~}"),
            )


def _price_via_energy(fl: Flow, per: Any) -> bool:
    """A fuel's price per energy (or per mass/volume) is convertible through its NCV."""
    if fl.type != "fuel":
        return False
    inv = 1 / per
    return any(is_dimension(inv, u) for u in ("GJ", "t", "m3"))


# -- reading files --------------------------------------------------------------------------


def _depth(obj: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(obj, dict):
        return max([_depth(v, level + 1) for v in obj.values()] or [level + 1])
    if isinstance(obj, list):
        return max([_depth(v, level + 1) for v in obj] or [level + 1])
    return level


def _place(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): Scenario,
    ("plant",): Plant,
    ("flows", "#"): Flow,
    ("interventions", "#"): Intervention,
    ("interventions", "#", "changes", "#"): Change,
    ("balances",): Balances,
    ("finance",): Finance,
    ("interventions", "#", "finance"): Finance,
}


def _pydantic_problems(
    err: ValidationError, data: Any, file: str | None, locate: _Locator | None
) -> list[Problem]:
    out: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = tuple(
            p
            for p in e["loc"]
            if not (isinstance(p, str) and p.startswith(("function-", "literal[")))
        )
        place = _place(loc)
        kind = e["type"]
        msg = str(e["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            model = _MODELS.get(tuple("#" if isinstance(p, int) else p for p in loc[:-1]))
            fields = list(model.model_fields) if model else []
            fields = [f for f in fields if f != "source_file"]
            msg = f"unknown key {loc[-1]!r}: {did_you_mean(str(loc[-1]), fields, show=20)}"
        elif kind == "missing":
            msg = f"missing required key {loc[-1]!r}" if loc else "missing value"
        elif kind in (
            "literal_error",
            "string_type",
            "bool_parsing",
            "bool_type",
            "list_type",
            "dict_type",
            "model_type",
            "too_short",
            "string_too_long",
            "string_too_short",
        ):
            shown = repr(e.get("input"))
            if len(shown) > 60:
                shown = shown[:57] + "..."
            msg = f"{msg}, got {shown}"
        out.append(Problem(place, msg, file, locate.line(place) if locate else None))
    return out


class _Locator:
    """Find the line of a place (``flows[2].amount``) in YAML text, for messages."""

    def __init__(self, text: str):
        self.text = text
        self._root: Any = None
        self._parsed = False

    def _node(self) -> Any:
        if not self._parsed:
            self._parsed = True
            try:
                self._root = yaml.compose(self.text, Loader=_loader())
            except yaml.YAMLError:
                self._root = None
        return self._root

    def line(self, place: str) -> int | None:

        node = self._node()
        if node is None:
            return None
        parts = [p for p in re.split(r"\.|\[(\d+)\]", place) if p]
        best = node
        for part in parts:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if getattr(k, "value", None) == part:
                        nxt = v if v is not None else k
                        best = k
                        break
                if nxt is None:
                    break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and part.isdigit():
                idx = int(part)
                if idx >= len(node.value):
                    break
                node = node.value[idx]
            else:
                break
            best = node
        return int(best.start_mark.line) + 1


_LOADER: Any = None
#: Tags of PyYAML's safe loader that recp refuses: scenario files hold plain data only.
_REFUSED_TAGS = (
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
)


def _loader() -> Any:
    """PyYAML's safe loader (C if available), refusing duplicate keys and non-data tags."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class RecpLoader(base):  # type: ignore[misc, valid-type]
        yaml_constructors = {
            k: v for k, v in base.yaml_constructors.items() if k not in _REFUSED_TAGS
        }

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # PyYAML keeps the last of two equal keys without a word: refuse them instead.
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                        key_node, yaml.ScalarNode
                    ):
                        continue
                    key = self.construct_object(key_node)
                    line = int(key_node.start_mark.line) + 1
                    try:
                        if key in seen:
                            raise ConstructorError(
                                None,
                                None,
                                f"duplicate key {key!r} (first given on line "
                                f"{seen[key]}); YAML would keep only the last",
                                key_node.start_mark,
                            )
                        seen[key] = line
                    except TypeError:  # unhashable: the base class reports it
                        continue
            return super().construct_mapping(node, deep=deep)

    _LOADER = RecpLoader
    return _LOADER


def _scan(text: str, file: str | None) -> None:
    """Walk the YAML events once, refusing deep nesting and alias bombs before building anything.

    The walk is iterative and stops at the first excess, so a document nested a million levels
    deep, or a few lines of aliases that expand into billions of values, is refused at once
    (building them would overflow the stack or run for hours).
    """
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, nesting) once expanded
    stack: list[list[Any]] = []  # open collections: [values, nesting below, anchor]

    def too_deep(mark: Any) -> InputError:
        return InputError(
            [
                Problem(
                    "",
                    f"nesting is more than {MAX_DEPTH} levels deep; at most "
                    f"{MAX_DEPTH} are accepted",
                    file,
                    int(mark.line) + 1,
                )
            ]
        )

    def close(values: int, height: int, anchor: str | None, mark: Any) -> None:
        if anchor:
            sizes[anchor] = (values, height)
        if stack:
            top = stack[-1]
            top[0] += values
            top[1] = max(top[1], height)
            if len(stack) + height > MAX_DEPTH:
                raise too_deep(mark)
            if top[0] > MAX_NODES:
                raise InputError(
                    [
                        Problem(
                            "",
                            f"the document holds more than {MAX_NODES:,} "
                            "values once its aliases (*name) are expanded; is it "
                            "an alias bomb?",
                            file,
                            int(mark.line) + 1,
                        )
                    ]
                )

    for ev in yaml.parse(text, Loader=_loader()):
        if isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([1, 0, ev.anchor])
            if len(stack) > MAX_DEPTH:
                raise too_deep(ev.start_mark)
        elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            values, height, anchor = stack.pop()
            close(values, height + 1, anchor, ev.start_mark)
        elif isinstance(ev, yaml.ScalarEvent):
            close(1, 0, ev.anchor, ev.start_mark)
        elif isinstance(ev, yaml.AliasEvent):
            close(*sizes.get(ev.anchor or "", (1, 0)), None, ev.start_mark)


def loads(text: str, *, file: str | None = None) -> Scenario:
    """Parse and validate scenario text (YAML or JSON).

    YAML is read with PyYAML's safe loader (no Python objects are ever built), duplicate keys are
    refused, and the nesting depth (:data:`MAX_DEPTH`) and the number of values after expanding
    aliases (:data:`MAX_NODES`) are checked before anything is built.

    Raises
    ------
    InputError
        For a syntax error (with its line) or any validation problem.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise InputError(
            [Problem("", f"file is larger than {MAX_FILE_BYTES // 2**20} MiB; split it", file)]
        )
    if "\x00" in text:
        raise InputError([Problem("", "file contains NUL bytes: not a text scenario file", file)])
    try:
        _scan(text, file)
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        what = (e.problem or e.context or "syntax error").strip()
        if isinstance(e, ConstructorError) and "constructor for the tag" in what:
            tag = what.rsplit(" ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
            what = (
                f"YAML tag '{tag}' is not allowed: a scenario file holds plain data "
                "(mappings, lists, text, numbers, true/false)"
            )
        elif isinstance(e, ConstructorError):
            what = f"YAML error: {what}"
        else:
            what = f"YAML syntax error: {what}"
        raise InputError([Problem("", what, file, line)]) from None
    except InputError:
        raise
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        raise InputError(
            [Problem("", f"cannot read YAML: {str(e).splitlines()[0]}", file)]
        ) from None
    if isinstance(data, dict) and any(
        isinstance(v, float) and math.isnan(v) for v in data.values()
    ):
        raise InputError([Problem("", "a top-level value is NaN", file)])
    return Scenario.from_dict(data, file=file, text=text)


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file (``.yaml``, ``.yml`` or ``.json``).

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        If the file is missing, unreadable, too large, not valid YAML, or fails validation.
    """
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError([Problem("", "no such file", name)])
    if p.is_dir():
        raise InputError([Problem("", "is a folder, not a scenario file", name)])
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        data, cells = read_located(p)
        return Scenario.from_dict(data, file=name, cells=cells)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                [
                    Problem(
                        "",
                        f"file is {size // 2**20} MiB; at most "
                        f"{MAX_FILE_BYTES // 2**20} MiB are read",
                        name,
                    )
                ]
            )
        raw = p.read_bytes()
    except OSError as e:
        raise InputError([Problem("", f"cannot read: {e.strerror}", name)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            [Problem("", f"not UTF-8 text (byte {e.start}): is this a scenario file?", name)]
        ) from None
    return loads(text, file=name)
