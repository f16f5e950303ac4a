"""Processes that release mercury or PCDD/F: resolution, validation and compilation.

A scenario's ``processes:`` section names, per process, a Toolkit category and class (or
technology) and an activity rate. The engine stays linear: each (process, Toolkit row) pair that
the plant can reach becomes a *release flow*, a virtual flow appended after the plant's flows.
Its amount is the process's activity while that row is the process's class, zero otherwise; its
coefficients are the row's factors (see :mod:`recp.toolkits`).

Interventions then stay ordered affine maps on amounts:

- an activity change (``by: -40 %``) scales every release flow of the process;
- a class or technology change *moves* the activity from the process's other release flows of
  that Toolkit into the target row's flow (change kind ``MOVE``);
- a fuel-linked process (``fuel: coal``) follows every change to its fuel flow.

An absolute activity change (``to: 25 t``, ``by: -35 t``) on a process that can change class is
applied as the equivalent relative change of the baseline activity; it is exact when no earlier
intervention of the scenario changed the same activity, and validation refuses the other cases.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recp.calcination import co2_row, merged
from recp.errors import InputError, Problem, UnitError, UnknownFactorError, did_you_mean
from recp.factors import Factor, parse_cell
from recp.models.changes import ABS, MOVE, REL, SET
from recp.toolkits import (
    GUIDEBOOK_TABLE,
    HG_PATHWAYS,
    HG_TABLE,
    KIND_LABELS,
    KIND_UNITS,
    PCDDF_VECTORS,
    TOOLKIT_TABLES,
    ToolkitRow,
    canonical_unit,
    guidebook,
    toolkit,
    with_own_tables,
)
from recp.units import canonical_amount, is_dimension, parse_quantity, to_float, unit_text

if TYPE_CHECKING:
    import pint

    from recp.factors import FactorLibrary
    from recp.scenario import MercurySpec, PcddfSpec, Process, Scenario

KINDS = ("mercury", "pcdd_f", "pcb", "dl_pcb", "hcb", "co2")
#: How messages name each kind of release.
LABELS = {**KIND_LABELS, "co2": "process CO2"}
#: Kinds whose own factors are given per vector (``emission_factors``), and an example of each.
POPS = {"pcdd_f": "40 ug TEQ/t", "pcb": "2 mg/t", "dl_pcb": "0.4 ug TEQ/t", "hcb": "1 mg/t"}


@dataclass
class Release:
    """One release flow: a process in one Toolkit row."""

    process: str
    kind: str  # mercury | pcdd_f | co2
    row: ToolkitRow
    baseline: bool
    unit: str  # canonical activity unit

    @property
    def flow_id(self) -> str:
        """How the release flow is named in outputs and messages."""
        return f"{self.process} [{LABELS[self.kind]} {self.row.id}]"


@dataclass
class ProcessPlan:
    """The release flows of a scenario and what is needed to compile its changes."""

    releases: list[Release] = field(default_factory=list)
    activity: dict[str, float] = field(default_factory=dict)  # canonical baseline activity
    unit: dict[str, str] = field(default_factory=dict)  # canonical activity unit
    fuel: dict[str, str] = field(default_factory=dict)  # process id -> id of its activity flow
    index: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (pid, kind, row id)
    problems: list[Problem] = field(default_factory=list)
    targets: dict[tuple[int, int, str], int] = field(default_factory=dict)  # (k, j, kind)
    #: Kinds whose factors come from the guidebook defaults of the process's category.
    defaults: dict[str, set[str]] = field(default_factory=dict)

    def of(self, pid: str, kind: str | None = None) -> list[int]:
        """Release indices of a process (of one Toolkit, or of both)."""
        return [
            i
            for i, r in enumerate(self.releases)
            if r.process == pid and (kind is None or r.kind == kind)
        ]

    def swaps(self, pid: str) -> bool:
        """True when the process can change class or technology (several release flows)."""
        return any(len(self.of(pid, k)) > 1 for k in KINDS)

    def linked(self, flow_id: str) -> list[str]:
        """Processes whose activity is the flow ``flow_id``."""
        return [p for p, f in self.fuel.items() if f == flow_id]

    def warnings(self) -> list[dict[str, str]]:
        """Warnings for vectors with no factor (ND or not transcribed: never zero) and cautions."""
        out: list[dict[str, str]] = []
        for rel in self.releases:
            row = rel.row
            what = "own factors" if row.table == "user" else f"{row.table} {row.id}"
            head = f"process '{rel.process}' ({LABELS[rel.kind]}, {what})"
            noun = "pathway" if rel.kind == "mercury" else "vector"
            nd = [k for k, s in row.status.items() if s == "ND"]
            missing = [k for k, s in row.status.items() if s == ""]
            if nd:
                who = {
                    "user": "no factor is given",
                    GUIDEBOOK_TABLE: "the guidebook gives no factor",
                    **dict.fromkeys(TOOLKIT_TABLES.values(), "the Toolkit gives no factor"),
                }.get(row.table, "the source gives no factor")
                out.append(
                    {
                        "code": "release_not_quantified",
                        "message": (
                            f"{head}: {who} (ND) for {', '.join(nd)}: a release by this {noun} may "
                            "occur and is not counted (not zero)"
                        ),
                    }
                )
            if missing:
                out.append(
                    {
                        "code": "release_not_quantified",
                        "message": (
                            f"{head}: recp's table has no verified factor for "
                            f"{', '.join(missing)} (not transcribed from the Toolkit): not "
                            "counted, not zero"
                        ),
                    }
                )
            if row.caution:
                out.append({"code": "factor_caution", "message": f"{head}: {row.caution}"})
        unique = {w["message"]: w for w in out}  # one warning per message, first order kept
        return list(unique.values())


# -- resolving a Toolkit row -------------------------------------------------------------------


def _user_row(
    kind: str,
    pid: str,
    rid: str,
    unit: str,
    category: str,
    values: dict[str, Any],
    status: dict[str, str],
    factors: list[Any],
) -> ToolkitRow:
    """A process's own factors as a row like the Toolkit's (table ``user``)."""
    return ToolkitRow(
        table="user",
        id=rid,
        kind=kind,
        category=category,
        category_name="own factors",
        variant="",
        variant_text="",
        activity_unit=unit,
        values=values,
        status=status,
        factors=tuple(factors),
    )


def _user_pops(kind: str, spec: PcddfSpec, pid: str, unit: str, rid: str) -> ToolkitRow:
    """A row from a process's own emission factors (per canonical unit ``unit``)."""
    assert spec.emission_factors is not None
    values: dict[str, float | None] = {}
    status: dict[str, str] = {}
    factors = []
    src = f"scenario file (process '{pid}' {kind}.emission_factors)" + (
        f"; {spec.source}" if spec.source else ""
    )
    for v in PCDDF_VECTORS:
        x = spec.emission_factors.get(v)
        if x is None or (isinstance(x, str) and x.strip().upper() == "ND"):
            values[v], status[v] = None, "ND"
            continue
        if isinstance(x, str) and x.strip().upper() == "NA":
            values[v], status[v] = 0.0, "NA"
            continue
        q = parse_quantity(x)
        values[v] = to_float(q * parse_quantity(f"1 {unit}"), KIND_UNITS[kind])
        status[v] = "value"
        shown = f"u{KIND_UNITS[kind]}/{unit}"  # as the Toolkit prints its factors
        factors.append(Factor(f"{rid}:{v}", to_float(q, shown), shown, src))
    return _user_row(kind, pid, rid, unit, "", values, status, factors)


def _user_hg(
    spec: MercurySpec, pid: str, unit: str, rid: str, table_rid: str | None, lib: FactorLibrary
) -> ToolkitRow:
    """A row from a process's own input factor, with its own or the Toolkit row's distribution."""
    assert spec.input_factor is not None
    per = to_float(spec.input_factor * parse_quantity(f"1 {unit}"), "kg")
    src = f"scenario file (process '{pid}' mercury)" + (f"; {spec.source}" if spec.source else "")
    factors = [
        Factor(
            f"{rid}:input_factor",
            float(spec.input_factor.magnitude),
            unit_text(spec.input_factor) or "kg/kg",
            src,
        )
    ]
    values: dict[str, float | None] = {}
    status: dict[str, str] = {}
    if table_rid is None:
        assert spec.distribution is not None
        for p in HG_PATHWAYS:
            own = Factor(f"{rid}:{p}", float(spec.distribution.get(p, 0.0)), "1", src)
            values[p], status[p] = own.value * per, "value"
            factors.append(own)
        return _user_row("mercury", pid, rid, unit, "", values, status, factors)
    tk = toolkit("mercury", lib)  # the row's distribution, cited as such
    raw = tk.raw[table_rid]
    row = tk.rows.get(table_rid)
    shares = {f.id.rsplit(":", 1)[-1]: f for f in row.factors} if row is not None else {}
    for p in HG_PATHWAYS:
        status[p] = parse_cell(raw.get(p))[1]
        f: Factor | None = shares.get(p)
        if row is None and status[p] == "value":  # a Toolkit row without a default input
            f = lib.table(HG_TABLE).factor(table_rid, p)
        values[p] = (
            (f.value * per if f is not None else 0.0) if status[p] in ("value", "NA") else None
        )
        if f is not None and status[p] == "value":
            factors.append(f)
    return _user_row(
        "mercury", pid, rid, unit, str(raw.get("category") or ""), values, status, factors
    )


def _own_pops(
    kind: str, spec: Any, pid: str, unit: str, place: str, rid_user: str
) -> ToolkitRow | Problem:
    """A process's own PCDD/F, PCB or HCB emission factors, checked, as a row."""
    bad = [k for k in spec.emission_factors if k not in PCDDF_VECTORS]
    if bad:
        return Problem(
            f"{place}.emission_factors.{bad[0]}",
            f"unknown vector {bad[0]!r}: {did_you_mean(bad[0], PCDDF_VECTORS)}",
        )
    for k, x in spec.emission_factors.items():
        if isinstance(x, str) and x.strip().upper() in ("NA", "ND"):
            continue
        try:
            q = parse_quantity(x)
        except UnitError as e:
            return Problem(f"{place}.emission_factors.{k}", e.problems[0].message)
        if not is_dimension(q * parse_quantity(f"1 {unit}"), KIND_UNITS[kind]):
            return Problem(
                f"{place}.emission_factors.{k}",
                (
                    f"'{q:~}' is not a release per {unit} of activity (e.g. "
                    f"'{POPS[kind]}'), or give 'ND'"
                ),
            )
        if q.magnitude < 0:
            return Problem(f"{place}.emission_factors.{k}", f"must not be negative, got '{q:~}'")
    return _user_pops(kind, spec, pid, unit, rid_user)


def _own_hg(
    spec: Any,
    pid: str,
    unit: str,
    place: str,
    base_category: str | None,
    lib: FactorLibrary,
    rid_user: str,
) -> ToolkitRow | Problem:
    """A process's own mercury input factor (and distribution, or a Toolkit row's), checked."""
    q = spec.input_factor
    if not is_dimension(q * parse_quantity(f"1 {unit}"), "kg"):
        return Problem(
            f"{place}.input_factor",
            (
                f"'{q:~}' is not a mass of mercury per {unit} of activity (e.g. '0.1 g/t' or "
                "'1.3 kg/kg')"
            ),
        )
    if q.magnitude < 0:
        return Problem(f"{place}.input_factor", f"must not be negative, got '{q:~}'")
    table_rid = None
    if spec.distribution is None:
        if spec.category is None and base_category is None:
            return Problem(
                f"{place}.distribution",
                "an own 'input_factor' needs its "
                "'distribution' (air, water, land, product, general_waste, "
                "sector_treatment) or a Toolkit 'category' to take it from",
            )
        try:
            table_rid = toolkit("mercury", lib).find(
                str(spec.category or base_category), spec.technology
            )
        except UnknownFactorError as e:
            return Problem(f"{place}.category", str(e))
    else:
        bad = _shares_problem(spec.distribution, place)
        if bad is not None:
            return bad
    return _user_hg(spec, pid, unit, rid_user, table_rid, lib)


def _resolve(
    kind: str,
    spec: Any,
    pid: str,
    unit: str,
    place: str,
    base_category: str | None,
    lib: FactorLibrary,
    rid_user: str,
) -> ToolkitRow | Problem:
    """The Toolkit row a spec names, or a Problem saying what is wrong."""
    if kind == "co2":
        return co2_row(spec, pid, place, lib, rid_user)
    if kind in POPS and spec.emission_factors is not None:
        return _own_pops(kind, spec, pid, unit, place, rid_user)
    if kind == "mercury" and spec.input_factor is not None:
        return _own_hg(spec, pid, unit, place, base_category, lib, rid_user)
    tk = toolkit(kind, lib)
    category = spec.category or base_category
    variant = spec.technology if kind == "mercury" else spec.class_
    vkey = "technology" if kind == "mercury" else "class"
    if category is None:
        example = "'asgm'" if kind == "mercury" else "'1c' (medical waste incineration)"
        return Problem(
            f"{place}.category",
            f"give the {tk.label} Toolkit category, e.g. "
            f"{example} (see 'recp factors show {tk.table_id}')",
        )
    try:
        tk.find_category(category)
    except UnknownFactorError as e:
        return Problem(f"{place}.category", str(e))
    try:
        rid = tk.find(category, variant)
        row = tk.row(rid)
    except UnknownFactorError as e:
        return Problem(f"{place}.{vkey}" if variant is not None else f"{place}.category", str(e))
    if kind == "mercury" and spec.distribution is not None:
        return _distributed(row, spec, pid, place, rid_user)
    return row


def _distributed(
    row: ToolkitRow, spec: Any, pid: str, place: str, rid_user: str
) -> ToolkitRow | Problem:
    """A table row's mercury input split by the process's own ``distribution``."""
    if row.input is None:
        return Problem(f"{place}.distribution", f"row {row.id!r} has no single mercury input")
    bad = _shares_problem(spec.distribution, place)
    if bad is not None:
        return bad
    src = f"scenario file (process '{pid}' mercury.distribution)" + (
        f"; {spec.source}" if spec.source else ""
    )
    shares = {p: float(spec.distribution.get(p, 0.0)) for p in HG_PATHWAYS}
    factors = [f for f in row.factors if not f.id.endswith(tuple(f":{p}" for p in HG_PATHWAYS))]
    factors += [Factor(f"{rid_user}:{p}", shares[p], "1", src) for p in HG_PATHWAYS]
    lo_hi = row.bounds.get("input")
    return ToolkitRow(
        table=row.table,
        id=f"{row.id}@own-distribution",
        kind="mercury",
        category=row.category,
        category_name=row.category_name,
        variant=row.variant,
        variant_text=row.variant_text,
        activity_unit=row.activity_unit,
        values={p: row.input * shares[p] for p in HG_PATHWAYS},
        status=dict.fromkeys(HG_PATHWAYS, "value"),
        factors=tuple(factors),
        caution=row.caution.split("; no cited pathway split")[0],
        bounds={p: (lo_hi[0] * shares[p], lo_hi[1] * shares[p]) for p in shares} if lo_hi else {},
        input=row.input,
    )


def _shares_problem(dist: dict[str, Any], place: str) -> Problem | None:
    """A distribution's problem (unknown pathway, share outside 0-1, sum not 1), or None."""
    bad = [k for k in dist if k not in HG_PATHWAYS]
    if bad:
        return Problem(
            f"{place}.distribution.{bad[0]}",
            f"unknown pathway {bad[0]!r}: {did_you_mean(bad[0], HG_PATHWAYS)}",
        )
    if any(not 0 <= float(v) <= 1 for v in dist.values()):
        return Problem(f"{place}.distribution", "each share is a fraction from 0 to 1")
    tot = sum(float(v) for v in dist.values())
    if abs(tot - 1.0) > 1e-6:
        return Problem(f"{place}.distribution", f"the shares sum to {tot:g}, not 1")
    return None


def _fit(
    row: ToolkitRow, kind: str, pr: Process, q: Any, place: str, sc: Scenario, lib: FactorLibrary
) -> ToolkitRow | Problem:
    """The row per unit of the process's activity, or a Problem for a unit mismatch.

    A factor per GJ on a fuel flow in t or m3 is multiplied by the fuel's net calorific value.
    """
    if row.table != "user" and (pr.fuel or pr.flow) and not is_dimension(q, row.activity_unit):
        fl = next((f for f in sc.flows if f.id == (pr.fuel or pr.flow)), None)
        if (
            fl is not None
            and fl.type == "fuel"
            and is_dimension(parse_quantity(f"1 {row.activity_unit}"), "GJ")
            and not is_dimension(q, row.activity_unit)
        ):
            got = _fuel_ncv(fl, lib, place)
            if isinstance(got, Problem):
                return got
            gj, unit, used = got
            scale = gj / canonical_unit(row.activity_unit)[1]
            return replace(
                row,
                activity_unit=unit,
                values={v: None if x is None else x * scale for v, x in row.values.items()},
                bounds={v: (a * scale, b * scale) for v, (a, b) in row.bounds.items()},
                factors=(*row.factors, *used),
                input=None if row.input is None else row.input * scale,
            )
    bad = _activity_problem(row, kind, pr.id, q, place)
    return row if bad is None else bad


def _fuel_ncv(fl: Any, lib: FactorLibrary, place: str) -> tuple[float, str, list[Factor]] | Problem:
    """GJ per canonical unit (t or m3) of a fuel flow, the unit, and the factors used."""
    _, _, unit = canonical_amount(fl.amount)
    if fl.ncv is not None:
        per = "GJ/t" if unit == "t" else "GJ/m3"
        if is_dimension(fl.ncv, per):
            x = to_float(fl.ncv, per)
            src = f"scenario file (flow '{fl.id}' ncv)"
            return x, unit, [Factor(f"flow:{fl.id}:ncv", x, per, src)]
    if unit == "t" and fl.carrier is not None:
        f = lib.table(lib.FUELS).factor(str(fl.carrier), "ncv")
        if f is not None:
            return to_float(parse_quantity(f"{f.value} {f.unit}"), "GJ/t"), unit, [f]
    return Problem(
        place,
        f"flow '{fl.id}' is in {unit}, the factor per GJ: give the flow's 'ncv' "
        "(e.g. '25 GJ/t' or '35.8 MJ/m3') so that recp can convert its activity",
    )


def _activity_problem(row: ToolkitRow, kind: str, pid: str, q: Any, place: str) -> Problem | None:

    if (row.table == "user" and kind != "co2") or is_dimension(q, row.activity_unit):
        return None
    label = LABELS[kind]
    what = f"{row.category} {row.category_name}".strip()
    variant = (
        f", {'class' if kind == 'pcdd_f' else 'technology'} {row.variant}" if row.variant else ""
    )
    return Problem(
        place,
        f"process '{pid}': '{q:~}' does not convert to {row.activity_unit}: "
        f"the {label} factor ({what}{variant}) is per {row.activity_unit} of activity",
    )


# -- the plan ----------------------------------------------------------------------------------


def _activity(
    sc: Scenario, pr: Process, place: str
) -> tuple[pint.Quantity[Any], str, str | None] | Problem:
    """A process's activity: (quantity, place of it, id of the flow it is taken from)."""
    linked = pr.flow or pr.fuel
    given = [k for k in ("activity", "flow", "fuel") if getattr(pr, k) is not None]
    if len(given) != 1:
        return Problem(
            f"{place}.activity",
            f"process '{pr.id}': give exactly "
            "one of 'activity' (e.g. '60 t') or 'flow' (the id of "
            "the flow that is its activity)",
        )
    if linked is not None:
        key = "flow" if pr.flow is not None else "fuel"
        fl = next((f for f in sc.flows if f.id == linked), None)
        if fl is None or (key == "fuel" and fl.type != "fuel"):
            pool = [f.id for f in sc.flows if key == "flow" or f.type == "fuel"]
            noun = "fuel flow" if key == "fuel" else "flow"
            return Problem(f"{place}.{key}", f"no {noun} {linked!r}: {did_you_mean(linked, pool)}")
        return fl.amount, f"{place}.{key}", linked
    q = pr.activity
    where = f"{place}.activity"
    if q is None or not q.magnitude >= 0:
        return Problem(where, f"process '{pr.id}': the activity must not be negative, got '{q:~}'")
    return q, where, None


def _plan_process(pl: ProcessPlan, sc: Scenario, i: int, lib: FactorLibrary) -> bool:
    """Add the release flows of ``sc.processes[i]`` to the plan; False if it has a problem."""
    pr = sc.processes[i]
    place = f"processes[{i}]"
    if pr.category is None and (pr.technology is not None or pr.abatement is not None):
        key = "technology" if pr.technology is not None else "abatement"
        pl.problems.append(
            Problem(f"{place}.{key}", f"process '{pr.id}': '{key}' needs the 'category' it refines")
        )
        return False
    if pr.category is None and all(getattr(pr, k) is None for k in KINDS):
        pl.problems.append(
            Problem(
                place,
                f"process '{pr.id}' needs 'mercury' and/or 'pcdd_f', 'pcb', 'dl_pcb', 'hcb' "
                "(a Toolkit category and class, or own factors), a 'category' (guidebook "
                "defaults, see 'recp factors show hg-pops-category-map'), or 'co2' (its mineral "
                "category)",
            )
        )
        return False

    got_activity = _activity(sc, pr, place)
    if isinstance(got_activity, Problem):
        pl.problems.append(got_activity)
        return False
    q, where, linked = got_activity
    amount, _, unit = canonical_amount(q)  # the engine's canonical unit (t, m3, GJ or its own)
    pl.unit[pr.id] = unit
    pl.activity[pr.id] = amount
    if linked is not None:
        pl.fuel[pr.id] = linked
    for kind in KINDS:
        spec = getattr(pr, kind)
        if spec is None:
            continue
        got = _resolve(
            kind, spec, pr.id, unit, f"{place}.{kind}", None, lib, f"user:{pr.id}:{kind}"
        )
        if isinstance(got, Problem):
            pl.problems.append(got)
            continue
        got = _fit(got, kind, pr, q, where, sc, lib)
        if isinstance(got, Problem):
            pl.problems.append(got)
            continue
        _add(pl, pr.id, kind, got, True)
    if pr.category is not None:
        rows = _guidebook_rows(pl, pr, place, pr.technology, _names(pr.abatement), (), lib)
        for kind, raw in (rows or {}).items():
            row = _fit(raw, kind, pr, q, where, sc, lib)
            if isinstance(row, Problem):
                pl.problems.append(row)
                break
            if getattr(pr, kind) is None:  # a Toolkit spec or own factors take precedence
                pl.defaults.setdefault(pr.id, set()).add(kind)
                _add(pl, pr.id, kind, row, True)
    return True


def _names(abatement: str | list[str] | None) -> list[str]:
    """Abatement names as a list (one name or several)."""
    if abatement is None:
        return []
    if isinstance(abatement, str):  # tidy tables write several as 'a;b'
        return [a.strip() for a in abatement.split(";") if a.strip()]
    return [str(a) for a in abatement]


def _guidebook_rows(
    pl: ProcessPlan,
    pr: Process,
    place: str,
    technology: str | None,
    abatement: list[str],
    also: tuple[str, ...],
    lib: FactorLibrary,
) -> dict[str, ToolkitRow] | None:
    """The guidebook rows of a process's category, technology and abatement (None: a problem)."""
    gb = guidebook(lib)
    try:
        gb.category(str(pr.category))
    except UnknownFactorError as e:
        pl.problems.append(Problem(f"{place}.category", str(e)))
        return None
    try:
        return gb.rows(str(pr.category), technology, abatement, also)
    except UnknownFactorError as e:
        key = "abatement" if "abatement" in str(e) else "technology"
        pl.problems.append(Problem(f"{place}.{key}", str(e)))
        return None


def _plan_change(
    pl: ProcessPlan, sc: Scenario, k: int, j: int, pr: Process, lib: FactorLibrary
) -> None:
    """Check change ``j`` of intervention ``k`` on process ``pr``; add its new release flows."""
    iv = sc.interventions[k]
    ch = iv.changes[j]
    place = f"interventions[{k}].changes[{j}]"
    unit = pl.unit[pr.id]
    if ch.by is not None or ch.to is not None:
        if pr.id in pl.fuel:
            pl.problems.append(
                Problem(
                    f"{place}.process",
                    (
                        f"process '{pr.id}' takes its activity from flow "
                        f"'{pl.fuel[pr.id]}': "
                        "change that flow instead"
                    ),
                )
            )
            return
        pl.problems.extend(_activity_change_problems(ch, pr, place, unit))
        return
    if ch.technology is not None or ch.abatement is not None:
        _plan_default_change(pl, sc, (k, j), pr, lib, place)
    for kind in KINDS:
        spec = getattr(ch, kind)
        if spec is None:
            continue
        base = [r for r in pl.releases if r.process == pr.id and r.kind == kind]
        if kind == "co2" and pr.co2 is not None:
            if spec.category is not None and spec.category != pr.co2.category:
                pl.problems.append(
                    Problem(
                        f"{place}.co2.category",
                        f"a change keeps process '{pr.id}''s category "
                        f"({pr.co2.category!r}): change its other co2 keys, or its activity",
                    )
                )
                continue
            spec = merged(pr.co2, spec)  # a change sets some keys; the rest are the process's
        if not base and getattr(pr, kind) is not None:
            continue  # the process's own spec has a problem, already reported
        if not base:
            pl.problems.append(
                Problem(
                    f"{place}.{kind}",
                    (
                        f"process '{pr.id}' has no {kind} Toolkit entry to change: give "
                        f"'{kind}' in the process"
                    ),
                )
            )
            continue
        got = _resolve(
            kind,
            spec,
            pr.id,
            unit,
            f"{place}.{kind}",
            base[0].row.category or None,
            lib,
            f"user:{pr.id}:{kind}:{iv.id}",
        )
        if isinstance(got, Problem):
            pl.problems.append(got)
            continue
        link = pr.flow or pr.fuel
        q = next(f.amount for f in sc.flows if f.id == link) if link else pr.activity
        got = _fit(got, kind, pr, q, f"{place}.{kind}", sc, lib)
        if isinstance(got, Problem):
            pl.problems.append(got)
            continue
        pl.targets[(k, j, kind)] = _add(pl, pr.id, kind, got, False)


def _plan_default_change(
    pl: ProcessPlan,
    sc: Scenario,
    kj: tuple[int, int],
    pr: Process,
    lib: FactorLibrary,
    place: str,
) -> None:
    """A change of a process's guidebook technology or abatement: new rows for its kinds.

    The technology and abatement the change does not give stay the process's. A kind the new
    technology gives and the old one did not starts from an all-ND baseline row, and a kind it
    no longer gives moves to an all-ND row, so that every kind moves together.
    """
    ch = sc.interventions[kj[0]].changes[kj[1]]
    own = pl.defaults.get(pr.id, set())
    if pr.category is None or not own:
        pl.problems.append(
            Problem(
                f"{place}.{'technology' if ch.technology is not None else 'abatement'}",
                f"process '{pr.id}' has no guidebook 'category' whose technology or abatement "
                "could change",
            )
        )
        return
    tech = ch.technology if ch.technology is not None else pr.technology
    abate = _names(ch.abatement if ch.abatement is not None else pr.abatement)
    rows = _guidebook_rows(pl, pr, place, tech, abate, tuple(sorted(own)), lib)
    if rows is None:
        return
    link = pr.flow or pr.fuel
    q = next(f.amount for f in sc.flows if f.id == link) if link else pr.activity
    for kind, raw in rows.items():
        if getattr(pr, kind) is not None:
            continue  # this kind follows the process's own spec, not the guidebook
        row = _fit(raw, kind, pr, q, f"{place}.technology", sc, lib)
        if isinstance(row, Problem):
            pl.problems.append(row)
            return
        if kind not in own:  # new to the process: its activity starts in an all-ND row
            nd = _guidebook_rows(pl, pr, place, pr.technology, _names(pr.abatement), (kind,), lib)
            if nd is None or kind not in nd:
                return
            own.add(kind)
            first = _fit(nd[kind], kind, pr, q, place, sc, lib)
            if isinstance(first, Problem):
                pl.problems.append(first)
                return
            _add(pl, pr.id, kind, first, True)
        pl.targets[(kj[0], kj[1], kind)] = _add(pl, pr.id, kind, row, False)


#: Environment variable naming own factor tables for every scenario (``recp batch --factors``).
OWN_FACTORS_ENV = "RECP_OWN_FACTORS"


def _own_library(sc: Scenario, lib: FactorLibrary) -> FactorLibrary | list[Problem]:
    """The library plus the scenario's own factor tables, or the problems reading them."""
    base = Path(sc.source_file).parent if sc.source_file else Path.cwd()
    paths: list[str | Path] = [p if Path(p).is_absolute() else base / p for p in (sc.factors or [])]
    paths += [p for p in os.environ.get(OWN_FACTORS_ENV, "").split(os.pathsep) if p]
    try:
        return with_own_tables(lib, paths)
    except InputError as e:
        return [
            Problem("factors", f"{p.file}: {p.place + ': ' if p.place else ''}{p.message}")
            for p in e.problems
        ]


def plan(sc: Scenario, lib: FactorLibrary) -> ProcessPlan:
    """Resolve every process and process change of a scenario into release flows.

    Problems (unknown categories, wrong dimensions, bad references) are collected in
    ``plan.problems`` with their place, never raised. The scenario's own factor tables
    (``factors:``, relative to the scenario file) and those named by the environment variable
    :data:`OWN_FACTORS_ENV` (``recp batch --factors``) join the library's Toolkit tables.
    """
    pl = ProcessPlan()
    got = _own_library(sc, lib)
    if isinstance(got, list):
        pl.problems.extend(got)  # and go on with the shipped tables: report the rest too
    else:
        lib = got
    procs: dict[str, Process] = {}
    seen: dict[str, int] = {}
    for i, pr in enumerate(sc.processes):
        if pr.id in seen:
            pl.problems.append(
                Problem(
                    f"processes[{i}].id",
                    f"duplicate process id {pr.id!r} (also processes[{seen[pr.id]}])",
                )
            )
            continue
        seen[pr.id] = i
        if _plan_process(pl, sc, i, lib):
            procs[pr.id] = pr
    for k, iv in enumerate(sc.interventions):
        for j, ch in enumerate(iv.changes):
            if ch.process is None:
                continue
            found = procs.get(ch.process)
            if found is not None:
                _plan_change(pl, sc, k, j, found, lib)
            elif ch.process not in seen:
                pl.problems.append(
                    Problem(
                        f"interventions[{k}].changes[{j}].process",
                        f"no process {ch.process!r}: {did_you_mean(ch.process, seen)}",
                    )
                )
    pl.problems.extend(_order_problems(sc, pl))
    return pl


def _add(pl: ProcessPlan, pid: str, kind: str, row: ToolkitRow, baseline: bool) -> int:
    key = (pid, kind, row.id)
    if key not in pl.index:
        pl.index[key] = len(pl.releases)
        pl.releases.append(Release(pid, kind, row, baseline, pl.unit[pid]))
    return pl.index[key]


def _activity_change_problems(ch: Any, pr: Process, place: str, unit: str) -> Iterator[Problem]:

    assert pr.activity is not None
    q = pr.activity
    if ch.to is not None:
        if not is_dimension(ch.to, f"{q.units}"):
            yield Problem(
                f"{place}.to",
                f"'{ch.to:~}' does not convert to the process's activity unit '{q.units:~}'",
            )
        elif ch.to.magnitude < 0:
            yield Problem(f"{place}.to", f"an activity cannot go below zero, got '{ch.to:~}'")
    elif ch.by is not None:
        if is_dimension(ch.by, "percent"):
            if ch.by.to("dimensionless").magnitude < -1:
                yield Problem(f"{place}.by", f"'{ch.by:~}' would take process '{pr.id}' below zero")
        elif not is_dimension(ch.by, f"{q.units}"):
            yield Problem(
                f"{place}.by",
                f"'{ch.by:~}' is neither a relative change ('-40 %') "
                f"nor in the process's activity unit '{q.units:~}'",
            )


def _swaps(ch: Any) -> bool:
    """True for a change of class, technology or abatement (not of activity)."""
    return (
        ch.technology is not None
        or ch.abatement is not None
        or any(getattr(ch, k) is not None for k in KINDS if k != "co2")
    )


def _absolute(ch: Any) -> bool:

    return ch.to is not None or (ch.by is not None and not is_dimension(ch.by, "percent"))


def _order_problems(sc: Scenario, pl: ProcessPlan) -> Iterator[Problem]:
    """Absolute activity changes of a class-changing process must come first in a scenario."""
    multi = {p for p in pl.activity if pl.swaps(p)}
    if not multi:
        return
    places: dict[str, list[tuple[str, bool, str]]] = {}  # iv -> (process, absolute, place)
    for k, iv in enumerate(sc.interventions):
        acts = []
        for j, ch in enumerate(iv.changes):
            if _swaps(ch):
                continue
            targets = [ch.process] if ch.process else pl.linked(ch.flow or "")
            for p in targets:
                if p in multi:
                    acts.append((p, _absolute(ch), f"interventions[{k}].changes[{j}]"))
        places[iv.id] = acts
    reported: set[str] = set()
    for name, ids in sc.scenario_map.items():
        changed: dict[str, str] = {}
        for iid in ids:
            for p, absolute, place in places.get(iid, []):
                if absolute and p in changed and place not in reported:
                    reported.add(place)
                    yield Problem(
                        place,
                        (
                            f"an absolute change of process '{p}' after '{changed[p]}' changed it "
                            f"(scenario '{name}'): with class changes, give it as relative, e.g. "
                            "'by: -40 %'"
                        ),
                    )
                changed.setdefault(p, iid)


# -- compiling changes -------------------------------------------------------------------------


def compile_changes(
    pl: ProcessPlan,
    sc: Scenario,
    k: int,
    n_flows: int,
    flow_changes: list[tuple[int, str, int, float]],
) -> tuple[list[tuple[int, int, int, float, int, str]], list[Problem]]:
    """Release-flow changes of intervention ``k``: ``(j, flow, kind, value, src, place)``.

    ``flow_changes`` are the intervention's compiled flow changes ``(j, flow id, kind, value)``
    in canonical units; changes to a fuel flow that drives a process are mirrored.
    """
    iv = sc.interventions[k]
    out: list[tuple[int, int, int, float, int, str]] = []
    problems: list[Problem] = []
    mirrored = {j: (fid, kind, v) for j, fid, kind, v in flow_changes}

    def activity(j: int, pid: str, kind: int, v: float, place: str) -> None:
        rel = pl.of(pid)
        if kind == REL or not pl.swaps(pid):
            out.extend((j, n_flows + r, kind, v, -1, place) for r in rel)
            return
        base = pl.activity[pid]
        if base <= 0:
            problems.append(
                Problem(
                    place,
                    f"process '{pid}' has no baseline activity: give the "
                    "change as relative, or a baseline activity",
                )
            )
            return
        ratio = v / base if kind == ABS else v / base - 1.0
        out.extend((j, n_flows + r, REL, ratio, -1, place) for r in rel)

    for j, ch in enumerate(iv.changes):
        place = f"interventions[{k}].changes[{j}]"
        if ch.flow is not None:
            if j in mirrored:
                fid, how, v = mirrored[j]
                for linked in pl.linked(fid):
                    activity(j, linked, how, v, place)
            continue
        pid = str(ch.process)
        if ch.to is not None:
            activity(j, pid, SET, to_float(ch.to, pl.unit[pid]), place)
            continue
        if ch.by is not None:
            if is_dimension(ch.by, "percent"):
                activity(j, pid, REL, float(ch.by.to("dimensionless").magnitude), place)
            else:
                activity(j, pid, ABS, to_float(ch.by, pl.unit[pid]), place)
            continue
        for toolkit_name in KINDS:
            if (k, j, toolkit_name) not in pl.targets:
                continue
            target = pl.targets[(k, j, toolkit_name)]
            for r in pl.of(pid, toolkit_name):
                if r != target:
                    out.append((j, n_flows + target, MOVE, 0.0, n_flows + r, place))
    return out, problems
