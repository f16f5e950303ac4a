"""Uncertain inputs in a scenario file: distributions in place of quantities.

Any quantity of a scenario listed in :data:`FIELDS` may be written as a distribution
(``docs/scenario-format.md``, "Uncertain inputs")::

    amount: {low: 900 MWh, high: 1100 MWh}            # uniform
    amount: {low: 900, mode: 1000, high: 1100, unit: MWh}   # triangular
    price: {mean: 0.12, sd: 0.01, unit: USD/kWh}      # normal (truncated at 0 for prices)
    capex: {p5: 20000 USD, p95: 40000 USD}            # lognormal

:func:`extract` takes such mappings out of the parsed document before validation, puts the
central value in their place (so a run without ``--uncertainty`` sees a plain quantity and
gives exactly what it gave before), and returns them as :class:`UncertainInput`, each with
its place. A plain quantity is left exactly as it was.

:func:`catalogue_inputs` and :func:`factor_inputs` give the opt-in ranges of catalogue
measures (their ``range``) and of factor tables (``ncv_lower``/``ncv_upper`` of the IPCC fuel
table) as uncertain inputs of the same kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from recp.errors import Problem, UnitError
from recp.models import distributions
from recp.models.distributions import Distribution
from recp.sectors import find_measure
from recp.units import parse_quantity, unit_text

if TYPE_CHECKING:
    from recp.factors import FactorLibrary
    from recp.scenario import Scenario

#: The quantities that may be uncertain, by where they sit, and whether they cannot be negative.
FIELDS: dict[str, dict[str, bool]] = {
    "": {"discount_rate": True, "carbon_price": True, "grid_factor": True, "grid_cm": True},
    "flows": {
        "amount": True,
        "price": True,
        "ncv": True,
        "density": True,
        "emission_factor": True,
        "market_factor": True,
        "cod": True,
        "nitrogen": True,
    },
    "interventions": {"capex": True, "opex": False, "lifetime": True},
    "changes": {"by": False, "to": True},
    "processes": {"activity": True},
}


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input.

    Attributes
    ----------
    place : str
        Where it is in the file (``flows[3].amount``) or which factor it is
        (``factor ipcc2006-fuels/natural_gas ncv``).
    dist : Distribution
        In ``unit``.
    unit : str
        The unit its values are in (``''`` for a bare number).
    targets : tuple of str
        The scenario fields it sets (usually just ``place``; a factor sets the field on every
        flow that uses it, so all of them move together: one draw per factor, not per flow).
    label : str
        A short name for tables and charts.
    factor : (str, str, str), optional
        ``(table, row, column)`` of a factor table cell the input stands for (its draws
        replace the table's value for every flow that uses it).
    """

    place: str
    dist: Distribution
    unit: str
    targets: tuple[str, ...]
    label: str
    factor: tuple[str, str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The input as the JSON document lists it."""
        lo, hi = self.dist.ends
        return {
            "input": self.place,
            "label": self.label,
            "distribution": self.dist.kind,
            "parameters": dict(self.dist.params),
            "unit": self.unit,
            "central": self.dist.central,
            "low": lo,
            "high": hi,
        }


def is_distribution(value: Any) -> bool:
    """Whether a value of the document is a distribution mapping."""
    return isinstance(value, dict) and bool(set(value) & distributions.KEYS)


def parse(value: dict[str, Any], positive: bool) -> tuple[Distribution, str]:
    """A distribution mapping as a :class:`Distribution` and its unit.

    Bounds may carry their own units (``900 MWh``) or be numbers with a ``unit`` key; a bare
    number takes the unit of the others. Every bound is converted to the first unit given.

    Raises
    ------
    ValueError
        With one sentence naming what is wrong.
    """
    unit: str | None = value.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise ValueError(f"a distribution's unit is text, got {unit!r}")
    keys = [k for k in value if k != "unit"]
    parsed: dict[str, Any] = {}
    try:
        for k in keys:
            v = value[k]
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                raise ValueError(f"{k} must be a number or a quantity like '900 MWh', got {v!r}")
            q = parse_quantity(v)
            parsed[k] = q
            if unit is None and isinstance(v, str) and not q.dimensionless:
                unit = unit_text(q)
            elif unit is None and isinstance(v, str) and unit_text(q) == "%":
                unit = "%"
        ref = parse_quantity(f"1 {unit}") if unit else None
        mags = {
            k: float(q.magnitude)
            if ref is None or (unit_text(q) == "" and not isinstance(value[k], str))
            else float(q.to(ref.units).magnitude)
            for k, q in parsed.items()
        }
    except UnitError as e:
        raise ValueError(e.problems[0].message) from None
    except Exception as e:  # noqa: BLE001 - pint's dimensionality errors: one sentence
        raise ValueError(f"the bounds do not convert to one unit ({unit}): {e}") from None
    return distributions.make(mags, positive), unit or ""


def _walk(data: dict[str, Any]) -> list[tuple[str, dict[str, Any], str, bool]]:
    """(place, parent mapping, key, positive) of every quantity field that may be uncertain."""
    out: list[tuple[str, dict[str, Any], str, bool]] = []
    for key, pos in FIELDS[""].items():
        out.append((key, data, key, pos))
    for section in ("flows", "interventions", "processes"):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            for key, pos in FIELDS[section].items():
                out.append((f"{section}[{i}].{key}", item, key, pos))
            changes = item.get("changes") if section == "interventions" else None
            if isinstance(changes, list):
                for j, ch in enumerate(changes):
                    if isinstance(ch, dict):
                        for key, pos in FIELDS["changes"].items():
                            out.append((f"{section}[{i}].changes[{j}].{key}", ch, key, pos))
    return out


def extract(data: Any) -> tuple[Any, list[UncertainInput], list[Problem]]:
    """Take the distributions out of a parsed scenario document.

    Returns
    -------
    data : Any
        The document with each distribution replaced by ``{value: central, unit: unit}``
        (the mappings on the way are copied; the caller's document is not changed). The same
        object when there is no distribution.
    inputs : list of UncertainInput
        In document order.
    problems : list of Problem
        One per distribution that cannot be read, at its place.
    """
    if not isinstance(data, dict):
        return data, [], []
    found = [w for w in _walk(data) if is_distribution(w[1].get(w[2]))]
    allowed = {w[0] for w in found}
    elsewhere = [
        Problem(place, f"a distribution is not accepted for '{place.rsplit('.', 1)[-1]}': "
                "uncertain inputs are amounts, prices, factors, change sizes, capex, opex, "
                "lifetime, discount_rate, carbon_price and grid factors (docs/uncertainty.md)")
        for place in _distributions_anywhere(data, "")
        if place not in allowed
    ]  # fmt: skip
    if not found:
        return data, [], elsewhere
    out = _copy(data)
    inputs: list[UncertainInput] = []
    problems: list[Problem] = list(elsewhere)
    for place, _parent, key, pos in found:
        parent = at_place(out, place)
        raw = parent[key]
        try:
            dist, unit = parse(raw, pos)
        except ValueError as e:
            problems.append(Problem(place, str(e)))
            continue
        parent[key] = {"value": dist.central, "unit": unit} if unit else dist.central
        inputs.append(UncertainInput(place, dist, unit, (place,), _label(out, place)))
    return out, inputs, problems


#: Mappings whose keys are names chosen by the user (never a distribution's keys).
_NAMED = frozenset({"distribution", "emission_factors", "escalation", "scenarios", "water", "mass"})


def _distributions_anywhere(node: Any, place: str, depth: int = 0) -> list[str]:
    """Places of every distribution-like mapping in the document (any field)."""
    out: list[str] = []
    if depth > 8:
        return out
    if isinstance(node, dict):
        if place and is_distribution(node):
            return [place]
        for k, v in node.items():
            if isinstance(k, str) and k not in _NAMED:
                out += _distributions_anywhere(v, f"{place}.{k}" if place else k, depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _distributions_anywhere(v, f"{place}[{i}]", depth + 1)
    return out


def _label(doc: dict[str, Any], place: str) -> str:
    """A short name for charts: ``gas price``, ``condensate capex``, ``condensate: gas by``."""
    m = re.fullmatch(
        r"(flows|interventions|processes)\[(\d+)\]\.(?:changes\[(\d+)\]\.)?(\w+)", place
    )
    if m is None:
        return place
    section, i, j, key = m.groups()
    item = doc[section][int(i)]
    name = str(item.get("id", place)) if isinstance(item, dict) else place
    if j is None:
        return f"{name} {key}"
    ch = item["changes"][int(j)]
    target = ch.get("flow") or ch.get("process") or f"change {j}"
    return f"{name}: {target} {key}"


def _copy(data: Any) -> Any:
    """A copy of the lists and mappings of a document (leaves shared)."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def at_place(doc: Any, place: str) -> Any:
    """The mapping (or model) that holds the last key of ``place``."""
    parts = place.split(".")[:-1]
    node = doc
    for part in parts:
        m = _STEP.fullmatch(part)
        assert m is not None
        node = node[m.group(1)] if isinstance(node, dict) else getattr(node, m.group(1))
        if m.group(2) is not None:
            node = node[int(m.group(2))]
    return node


def set_value(sc: Scenario, place: str, value: float, unit: str) -> None:
    """Set the quantity at ``place`` of a (copied) scenario to ``value`` ``unit``."""
    holder = at_place(sc, place)
    key = place.rsplit(".", 1)[-1]
    q = parse_quantity({"value": value, "unit": unit} if unit else value)
    if isinstance(holder, dict):
        holder[key] = q
    else:
        object.__setattr__(holder, key, q)


def catalogue_inputs(sc: Scenario) -> list[UncertainInput]:
    """The typical ranges of catalogue measures, for changes the user left as the catalogue's.

    A change ``by: -20 %`` with ``range: [-15 %, -25 %]`` becomes a triangular distribution
    from -25 % to -15 % with its mode at -20 %.
    """
    out: list[UncertainInput] = []
    for i, iv in enumerate(sc.interventions):
        if not iv.measure:
            continue
        m = find_measure(iv.measure)
        for j, (ch, mc) in enumerate(zip(iv.changes, m["changes"], strict=False)):
            rng = mc.get("range")
            if not rng or ch.by is None or ch.flow != mc.get("flow"):
                continue
            by = parse_quantity(mc["by"])
            if ch.by != by:
                continue  # the user changed it: their value, not the catalogue's range
            unit = unit_text(by)
            lo, hi = sorted(float(parse_quantity(r).to(by.units).magnitude) for r in rng)
            mode = float(by.magnitude)
            params = {"low": min(lo, mode), "mode": mode, "high": max(hi, mode)}
            place = f"interventions[{i}].changes[{j}].by"
            out.append(
                UncertainInput(
                    place,
                    distributions.make(params),
                    unit,
                    (place,),
                    f"{iv.id}: {ch.flow} by (catalogue range)",
                )
            )
    return out


def factor_inputs(sc: Scenario, lib: FactorLibrary) -> list[UncertainInput]:
    """The bounds of factor tables, for the flows that use the table's default.

    The IPCC 2006 fuel table gives a lower and an upper net calorific value per fuel (Vol. 2,
    ch. 1, Table 1.2) and CO2 emission factor (Table 1.4): each fuel used without an own
    ``ncv`` gets a triangular distribution (lower, default, upper) of its NCV in TJ/Gg, and
    every fuel one of its CO2 factor in kg/TJ; one draw for all flows of that fuel.
    """
    table = lib.table(lib.FUELS)
    by_carrier: dict[str, list[int]] = {}
    used: dict[str, list[int]] = {}
    for i, fl in enumerate(sc.flows):
        if fl.type == "fuel" and fl.carrier in table.rows:
            used.setdefault(str(fl.carrier), []).append(i)
            if fl.ncv is None:
                by_carrier.setdefault(str(fl.carrier), []).append(i)
    out: list[UncertainInput] = []
    for car in used:
        row = table.rows[car]
        lo, mode, hi = row.get("co2_lower"), row.get("co2"), row.get("co2_upper")
        if lo is None or hi is None or mode is None:
            continue
        d = distributions.make({"low": lo, "mode": mode, "high": hi}, positive=True)
        place = f"factor {lib.FUELS}/{car} co2"
        label = f"{car} CO2 factor (IPCC bounds)"
        out.append(UncertainInput(place, d, "kg/TJ", (), label, (lib.FUELS, car, "co2")))
    for car, idx in by_carrier.items():
        row = table.rows[car]
        lo, mode, hi = row.get("ncv_lower"), row.get("ncv"), row.get("ncv_upper")
        if lo is None or hi is None or mode is None:
            continue
        d = distributions.make({"low": lo, "mode": mode, "high": hi}, positive=True)
        targets = tuple(f"flows[{i}].ncv" for i in idx)
        place = f"factor {lib.FUELS}/{car} ncv"
        out.append(UncertainInput(place, d, "TJ/Gg", targets, f"{car} NCV (IPCC bounds)"))
    return out
