"""Portfolios: many validated plants as one set of arrays, the input of the batch engine.

A :class:`Portfolio` is built by both readers of many plants: :func:`portfolio_from_scenarios`
(validated scenario files, each compiled once by :func:`recp.engine.compile_scenario`) and
:func:`recp.tables.portfolio_from_tables` (tidy tables, validated column by column), which
joins its two kinds of plants with :func:`merge_portfolios`. :func:`recp.batch.evaluate`
assesses it. Flow tables are joined by one function, :func:`concat_flow_tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recp import engine
from recp.engine import Compiled, FlowTable, PlantTable
from recp.factors import FactorLibrary
from recp.models import balances
from recp.units import to_float, unit_text

if TYPE_CHECKING:
    from recp.scenario import Scenario

#: Columns of the errors table: one row per problem of a plant left out.
ERROR_COLUMNS = ["plant", "file", "place", "message"]


@dataclass
class Portfolio:
    """Plants ready for the array engine (validated, canonical units, flows sorted by plant).

    Scenarios are a steps table: one row per (plant, scenario, step) in order, plant-major,
    with the scenario as a code into ``scen_names``.
    """

    plant_ids: list[str]
    names: list[str]
    sectors: list[str | None]
    countries: list[str]
    currency: list[str]
    production: np.ndarray  # (P,) NaN when not given
    production_unit: list[str]
    discount_rate: np.ndarray  # (P,) NaN when not given
    ft: FlowTable
    pt: PlantTable
    iv_plant: np.ndarray  # interventions (global index)
    iv_ids: list[str]
    capex: np.ndarray
    opex: np.ndarray
    lifetime: np.ndarray
    ch_iv: np.ndarray  # changes
    ch_order: np.ndarray
    ch_flow: np.ndarray
    ch_kind: np.ndarray
    ch_value: np.ndarray
    ch_place: list[str] | None  # per change, or None: use ch_row with ch_place_fmt
    ch_row: np.ndarray
    scen_names: list[str]  # scenario vocabulary
    st_plant: np.ndarray  # steps
    st_scen: np.ndarray
    st_k: np.ndarray
    st_iv: np.ndarray
    files: list[str | None]
    ch_place_fmt: str = "interventions row {}"
    ch_src: np.ndarray | None = None  # source flow of a MOVE change (global index), -1 otherwise
    #: Warnings found while reading the plants: (plant index, code, message) rows, in order.
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    #: Balance tolerance per plant [1] (default 10 %) and the extra outputs listed under
    #: ``balances`` as (plant index, 0 water [m3] or 1 mass [t], amount) rows.
    balance_tolerance: np.ndarray | None = None
    balance_extra: list[tuple[int, int, float]] = field(default_factory=list)
    #: Credit price per plant [plant currency/(t CO2e)], NaN when not given.
    carbon_price: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.carbon_price is None:
            self.carbon_price = np.full(len(self.plant_ids), np.nan)
        if self.ch_src is None:
            self.ch_src = np.full(len(self.ch_flow), -1, dtype=np.int64)
        if self.balance_tolerance is None:
            self.balance_tolerance = np.full(len(self.plant_ids), balances.TOLERANCE)

    def change_place(self, g: int) -> str:
        """Where change ``g`` is in its input, for messages."""
        if self.ch_place is not None:
            return self.ch_place[g]
        return self.ch_place_fmt.format(int(self.ch_row[g]))


def portfolio_from_scenarios(
    scs: Sequence[Scenario],
    ids: Sequence[str],
    lib: FactorLibrary,
    compiled: Sequence[Compiled] | None = None,
) -> Portfolio:
    """Concatenate validated scenarios into one :class:`Portfolio` (parse-time, per plant).

    ``compiled`` are the plants already compiled by :func:`recp.engine.compile_scenario` (each
    plant is compiled once); without it they are compiled here.
    """
    comps = (
        list(compiled) if compiled is not None else [engine.compile_scenario(s, lib) for s in scs]
    )
    fts: list[FlowTable] = []
    iv: dict[str, list[Any]] = {k: [] for k in ("plant", "id", "capex", "opex", "life")}
    ch: dict[str, list[Any]] = {k: [] for k in ("iv", "order", "flow", "kind", "value", "place")}
    ch["src"] = []
    scen_names: dict[str, int] = {}
    st: dict[str, list[int]] = {k: [] for k in ("plant", "scen", "k", "iv")}
    offset = 0
    for p, (sc, comp) in enumerate(zip(scs, comps, strict=True)):
        ft = comp.flow_table
        assert ft is not None
        ft.plant[:] = p
        fts.append(ft)
        local = _add_interventions(comp, p, offset, iv, ch)
        for name, steps in sc.scenario_map.items():
            code = scen_names.setdefault(name, len(scen_names))
            for k, iid in enumerate(steps):
                for key, x in (("plant", p), ("scen", code), ("k", k), ("iv", local[iid])):
                    st[key].append(x)
        offset += len(ft)
    i64 = np.int64
    pts = [c.plant_table for c in comps]
    return Portfolio(
        plant_ids=list(ids),
        names=[s.plant.name for s in scs],
        sectors=[s.plant.sector for s in scs],
        countries=[str(t.country[0]) for t in pts if t is not None],
        currency=[s.currency for s in scs],
        production=np.array([_magnitude(s.plant.production) for s in scs]),
        production_unit=[
            unit_text(s.plant.production) if s.plant.production is not None else "" for s in scs
        ],
        discount_rate=np.array([_magnitude(s.discount_rate, "dimensionless") for s in scs]),
        carbon_price=np.array(
            [_magnitude(s.carbon_price, f"{s.currency}/(t CO2e)") for s in scs], dtype=float
        ),
        ft=concat_flow_tables(fts),
        pt=PlantTable(
            country=np.array([t.country[0] for t in pts if t is not None], dtype=object),
            gwp=np.array([t.gwp[0] for t in pts if t is not None], dtype=i64),
            grid=np.array([t.grid[0] for t in pts if t is not None], dtype=float),
            grid_cm=np.array([t.grid_cm[0] for t in pts if t is not None], dtype=float),
        ),
        iv_plant=np.array(iv["plant"], dtype=i64),
        iv_ids=iv["id"],
        capex=np.array(iv["capex"], dtype=float),
        opex=np.array(iv["opex"], dtype=float),
        lifetime=np.array(iv["life"], dtype=float),
        ch_iv=np.array(ch["iv"], dtype=i64),
        ch_order=np.array(ch["order"], dtype=i64),
        ch_flow=np.array(ch["flow"], dtype=i64),
        ch_kind=np.array(ch["kind"], dtype=i64),
        ch_value=np.array(ch["value"], dtype=float),
        ch_place=ch["place"],
        ch_row=np.zeros(len(ch["place"]), dtype=i64),
        scen_names=list(scen_names),
        st_plant=np.array(st["plant"], dtype=i64),
        st_scen=np.array(st["scen"], dtype=i64),
        st_k=np.array(st["k"], dtype=i64),
        st_iv=np.array(st["iv"], dtype=i64),
        files=[s.source_file for s in scs],
        ch_src=np.array(ch["src"], dtype=i64),
        warnings=[(p, w["code"], w["message"]) for p, c in enumerate(comps) for w in c.warnings],
        balance_tolerance=np.array([_tolerance(s) for s in scs], dtype=float),
        balance_extra=[
            (p, kind, to_float(q, unit))
            for p, s in enumerate(scs)
            if s.balances is not None
            for kind, (extra, unit) in enumerate(((s.balances.water, "m3"), (s.balances.mass, "t")))
            for q in extra.values()
        ],
    )


def _add_interventions(
    comp: Compiled, p: int, offset: int, iv: dict[str, list[Any]], ch: dict[str, list[Any]]
) -> dict[str, int]:
    """Append one compiled plant's interventions and changes; return their global indices."""
    local: dict[str, int] = {}
    for iid, c in comp.interventions.items():
        g = len(iv["id"])
        local[iid] = g
        for key, x in (
            ("plant", p),
            ("id", iid),
            ("capex", comp.capex[iid]),
            ("opex", comp.opex[iid]),
            ("life", comp.lifetime[iid]),
        ):
            iv[key].append(x)
        src = c.src if c.src is not None else np.full(len(c.flow), -1, dtype=np.int64)
        n = len(c.flow)
        ch["iv"] += [g] * n
        ch["order"] += range(n)
        ch["flow"] += (offset + c.flow).tolist()
        ch["kind"] += c.kind.tolist()
        ch["value"] += c.value.tolist()
        ch["place"] += list(c.place)
        ch["src"] += np.where(src >= 0, offset + src, -1).tolist()
    return local


def _magnitude(q: Any, unit: str | None = None) -> float:
    """A quantity's magnitude (in ``unit`` if given), NaN when not given."""
    if q is None:
        return np.nan
    return float((q.to(unit) if unit else q).magnitude)


def _tolerance(sc: Scenario) -> float:
    """The scenario's balance tolerance [1]."""
    bal = sc.balances
    if bal is None or bal.tolerance is None:
        return balances.TOLERANCE
    return float(bal.tolerance.to("dimensionless").magnitude)


def concat_flow_tables(fts: Sequence[FlowTable], place_fmt: str | None = None) -> FlowTable:
    """The flow tables ``fts`` as one, in order.

    Release codes index into each table's own ``releases`` list; they are mapped into one list,
    where a Toolkit row that several tables use (the same cached object) is one entry.
    ``place_fmt`` is how the joined table shows a row in messages (default: the first table's).
    """
    if not fts:
        return FlowTable.empty(0)
    arrays = {
        k: np.concatenate([getattr(f, k) for f in fts])
        for k in FlowTable.__dataclass_fields__
        if k not in ("place_fmt", "releases", "release")
    }
    releases: list[Any] = []
    index: dict[int, int] = {}
    codes = []
    for f in fts:
        assert f.release is not None
        for r in f.releases:
            if id(r) not in index:
                index[id(r)] = len(releases)
                releases.append(r)
        local = np.array([index[id(r)] for r in f.releases] + [-1], dtype=np.int64)
        codes.append(local[f.release])  # code -1 picks the trailing -1
    arrays["release"] = np.concatenate(codes)
    return FlowTable(**arrays, place_fmt=place_fmt or fts[0].place_fmt, releases=releases)


def merge_portfolios(parts: list[Portfolio], order: dict[str, int]) -> Portfolio:
    """One portfolio of the plants of ``parts``, in the order ``order`` gives their ids."""
    a, b = parts
    Pa, Fa, Ia = len(a.plant_ids), len(a.ft), len(a.iv_ids)
    ids = a.plant_ids + b.plant_ids
    rank = np.array([order[p] for p in ids], dtype=np.int64)  # per plant, not per row
    perm = np.argsort(rank, kind="stable")  # new position -> old plant
    new_of_old = np.empty(len(ids), dtype=np.int64)
    new_of_old[perm] = np.arange(len(ids))
    ft = concat_flow_tables([a.ft, b.ft], place_fmt="flows row {}")
    ft.plant = new_of_old[np.concatenate([a.ft.plant, b.ft.plant + Pa])]
    forder = np.argsort(ft.plant, kind="stable")
    new_flow = np.empty(len(ft), dtype=np.int64)
    new_flow[forder] = np.arange(len(ft))
    for k in FlowTable.__dataclass_fields__:
        v = getattr(ft, k)
        if isinstance(v, np.ndarray):
            setattr(ft, k, v[forder])
    iv_plant = new_of_old[np.concatenate([a.iv_plant, b.iv_plant + Pa])]
    iorder = np.argsort(iv_plant, kind="stable")
    new_iv = np.empty(len(iv_plant), dtype=np.int64)
    new_iv[iorder] = np.arange(len(iv_plant))
    scen = list(dict.fromkeys(a.scen_names + b.scen_names))
    b_scen = np.array([scen.index(s) for s in b.scen_names] or [0], dtype=np.int64)
    st_plant = new_of_old[np.concatenate([a.st_plant, b.st_plant + Pa])]
    sorder = np.argsort(st_plant, kind="stable")
    places = [a.change_place(g) for g in range(len(a.ch_iv))] + [
        b.change_place(g) for g in range(len(b.ch_iv))
    ]
    src = np.concatenate(
        [
            a.ch_src if a.ch_src is not None else np.full(len(a.ch_iv), -1),
            np.where(b.ch_src >= 0, b.ch_src + Fa, -1)
            if b.ch_src is not None
            else np.full(len(b.ch_iv), -1),
        ]
    )

    def cat(name: str) -> Any:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, list):
            return [(x + y)[i] for i in perm]
        return np.concatenate([x, y])[perm]

    def iv_cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(a, name), getattr(b, name)])[iorder]

    extra: dict[str, Any] = {}
    if hasattr(a, "warnings"):  # read-time warnings and balance data, per plant
        extra["warnings"] = sorted(
            [(int(new_of_old[p]), c, m) for p, c, m in a.warnings]
            + [(int(new_of_old[p + Pa]), c, m) for p, c, m in b.warnings],
            key=lambda w: w[0],
        )
        extra["balance_tolerance"] = cat("balance_tolerance")
        extra["balance_extra"] = sorted(
            [(int(new_of_old[p]), k, v) for p, k, v in a.balance_extra]
            + [(int(new_of_old[p + Pa]), k, v) for p, k, v in b.balance_extra],
            key=lambda w: w[0],
        )
    return Portfolio(
        **extra,
        plant_ids=cat("plant_ids"),
        names=cat("names"),
        sectors=cat("sectors"),
        countries=cat("countries"),
        currency=cat("currency"),
        production=cat("production"),
        production_unit=cat("production_unit"),
        discount_rate=cat("discount_rate"),
        carbon_price=cat("carbon_price"),
        ft=ft,
        pt=PlantTable(
            country=np.concatenate([a.pt.country, b.pt.country])[perm].astype(object),
            gwp=np.concatenate([a.pt.gwp, b.pt.gwp])[perm],
            grid=np.concatenate([a.pt.grid, b.pt.grid])[perm],
            grid_cm=np.concatenate([a.pt.grid_cm, b.pt.grid_cm])[perm],
        ),
        iv_plant=iv_plant[iorder],
        iv_ids=[(a.iv_ids + b.iv_ids)[i] for i in iorder],
        capex=iv_cat("capex"),
        opex=iv_cat("opex"),
        lifetime=iv_cat("lifetime"),
        ch_iv=new_iv[np.concatenate([a.ch_iv, b.ch_iv + Ia])],
        ch_order=np.concatenate([a.ch_order, b.ch_order]),
        ch_flow=new_flow[np.concatenate([a.ch_flow, b.ch_flow + Fa])],
        ch_kind=np.concatenate([a.ch_kind, b.ch_kind]),
        ch_value=np.concatenate([a.ch_value, b.ch_value]),
        ch_place=places,
        ch_row=np.concatenate([a.ch_row, b.ch_row]),
        scen_names=scen,
        st_plant=st_plant[sorder],
        st_scen=np.concatenate([a.st_scen, b_scen[b.st_scen] if len(b.st_scen) else b.st_scen])[
            sorder
        ],
        st_k=np.concatenate([a.st_k, b.st_k])[sorder],
        st_iv=new_iv[np.concatenate([a.st_iv, b.st_iv + Ia])][sorder],
        files=cat("files"),
        ch_src=np.where(src >= 0, new_flow[np.maximum(src, 0)], -1),
    )


__all__ = [
    "ERROR_COLUMNS",
    "Portfolio",
    "concat_flow_tables",
    "merge_portfolios",
    "portfolio_from_scenarios",
]
