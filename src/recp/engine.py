"""The vectorised assessment engine.

Flows of one plant or of a whole portfolio are held as a :class:`FlowTable`: columns of numpy
arrays in canonical units (``t``, ``m3``, ``GJ``) with categorical columns as integer codes.
:func:`coefficients` turns it into a sparse matrix, ``(flow, result row, value)``: what one unit
of each flow adds to each indicator component (GJ of energy, t CO2e of scope 1, m3 of
groundwater, currency of operating cost...). Every indicator of the core model is linear in the
amounts, so results are one sparse product; interventions are affine maps on the amounts
(relative changes multiply, absolute changes add, ``to`` sets), applied in order.

The same function serves :func:`compile_scenario` (one plant, from a validated
:class:`~recp.scenario.Scenario`) and the batch engine (:mod:`recp.batch`, many plants from
tidy tables), so the two agree by construction. pint is used only where user input is read.

Conventions
-----------
- ``energy`` is final energy at the site boundary [GJ]: fuels at net calorific value, bought
  electricity and heat as delivered.
- ``ghg`` [t CO2e]: ``scope1`` from fuel combustion (IPCC 2006 Vol. 2 Ch. 2 Tier 1) and
  ``scope2`` from bought electricity (location-based) and heat. ``co2``, ``ch4`` and ``n2o`` split
  scope 1 by gas; ``biogenic_co2`` [t CO2] is reported and kept outside ``total``.
- ``cost`` [currency/year]: the plant's yearly spending on priced flows (inputs bought and
  outputs paid for, such as wastewater or waste charges); products are not revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recp import calc
from recp.errors import InputError, Problem
from recp.factors import Factor, FactorLibrary, library
from recp.models import (
    combustion,
    cost,
    effluent,
    electricity,
    energy,
    landfill,
    releases,
    wastewater,
)
from recp.models.changes import ABS, PULL, REL, SET, apply_changes, switch_ratio
from recp.models.cost import P_GJ, P_M3, P_SAME, P_T
from recp.models.energy import B_M3, B_OTHER, B_T, BASES
from recp.processes import ProcessPlan, compile_changes, plan
from recp.rules import COMBUSTION_SECTORS, WASTE_ROUTES, WATER_SOURCES, combustion_sector
from recp.scenario import pollutant
from recp.toolkits import KIND_UNITS, PCDDF_VECTORS, RELEASE_KINDS, VECTORS
from recp.units import canonical_amount, is_dimension, parse_quantity, to_float

if TYPE_CHECKING:
    from recp.scenario import Scenario

FLOW_TYPES = ("fuel", "electricity", "heat", "water", "wastewater", "waste", "material", "product")
FUEL, ELEC, HEAT, WATER, WW, WASTE, MAT, PROD = range(8)
#: Type code of a release flow: a process in one Toolkit row (see :mod:`recp.processes`).
PROC = 8
GWP_CODES = ("AR4", "AR5", "AR6")

#: Indicator order in every output; contract components first, the rest alphabetically.
INDICATORS = (
    "energy",
    "ghg",
    "water",
    "wastewater",
    "effluent_load",
    "waste",
    "materials",
    "cost",
    "mercury",
    "pcdd_f",
    "pcb",
    "dl_pcb",
    "hcb",
)
_CONTRACT = {
    "mercury": (
        "total",
        "environment",
        "air",
        "water",
        "land",
        "product",
        "general_waste",
        "sector_treatment",
    ),
    **dict.fromkeys(("pcdd_f", "pcb", "dl_pcb", "hcb"), ("total", "environment", *PCDDF_VECTORS)),
    "energy": ("total",),
    "ghg": (
        "total",
        "scope1",
        "scope2",
        "scope2_market",
        "scope3",
        "co2",
        "ch4",
        "n2o",
        "biogenic_co2",
    ),
    "water": ("total",),
    "wastewater": ("total",),
    "waste": ("total", "hazardous", "non_hazardous"),
    "ghg_reduction": ("total", "fuel", "electricity", "scope3"),
    "effluent_load": effluent.POLLUTANTS,
}
#: Indicators that are savings only: their rows are not results (no baseline is shown).
SAVINGS_ONLY = ("ghg_reduction",)


def water_sources() -> tuple[str, ...]:
    """Water-source vocabulary (codes index into it); the last is ``unspecified``."""
    return (*WATER_SOURCES, "unspecified")


def waste_routes() -> tuple[str, ...]:
    """Waste-route vocabulary (codes index into it)."""
    return WASTE_ROUTES


@dataclass(frozen=True)
class Row:
    """One result row: indicator, component and unit (``{cur}`` stands for the currency)."""

    indicator: str
    component: str
    unit: str


class RowSet:
    """The fixed, ordered set of result rows for a factor library (shared by all plants)."""

    def __init__(self, lib: FactorLibrary):
        rows: list[Row] = []

        def add(ind: str, comps: list[str], unit: str) -> None:
            contract = _CONTRACT.get(ind, ())
            ordered = [c for c in contract if c in comps] + sorted(
                c for c in comps if c not in contract
            )
            for c in ordered:
                u = "t CO2" if (ind, c) == ("ghg", "biogenic_co2") else unit
                rows.append(Row(ind, c, u))

        self.carriers = tuple(lib.carriers)
        self.sources = water_sources()
        self.routes = waste_routes()
        add("energy", ["total", *self.carriers, "electricity", "heat"], "GJ")
        add("ghg", [*_CONTRACT["ghg"], "wastewater", "landfill", "process"], "t CO2e")
        add("ghg_reduction", list(_CONTRACT["ghg_reduction"]), "t CO2e")
        add("water", ["total", *self.sources], "m3")
        add("wastewater", ["total"], "m3")
        add("effluent_load", list(effluent.POLLUTANTS), "t")
        add("waste", ["total", "hazardous", "non_hazardous", *self.routes], "t")
        add("materials", ["total"], "t")
        add("cost", ["total", "effluent_charge"], "{cur}/year")
        add("mercury", list(_CONTRACT["mercury"]), "kg")
        for kind in RELEASE_KINDS[1:]:  # PCDD/F, PCB, dioxin-like PCB, HCB
            add(kind, list(_CONTRACT[kind]), KIND_UNITS[kind])
        self.rows = rows
        self.index = {(r.indicator, r.component): i for i, r in enumerate(rows)}
        self.always = np.array(
            [
                r.component in _CONTRACT.get(r.indicator, ())
                and r.indicator not in (*RELEASE_KINDS, "effluent_load")
                for r in rows
            ]
        )

    def __len__(self) -> int:
        return len(self.rows)

    def at(self, indicator: str, component: str) -> int:
        """Index of a row."""
        return self.index[(indicator, component)]

    def block(self, indicator: str, names: tuple[str, ...]) -> np.ndarray:
        """Row indices of ``indicator`` components named by a vocabulary, in its order."""
        return np.array([self.index[(indicator, n)] for n in names], dtype=np.int64)


@dataclass
class FlowTable:
    """Flows of one or many plants as columns (length N), in canonical units.

    Float columns use NaN for "not given". Code columns index into the vocabularies
    (:data:`FLOW_TYPES`, the library's carriers, :func:`water_sources`, :func:`waste_routes`),
    -1 for none.
    """

    plant: np.ndarray  # int, index into the PlantTable
    flow_id: np.ndarray  # object
    type: np.ndarray  # int code
    amount: np.ndarray  # float, canonical
    basis: np.ndarray  # int code B_T/B_M3/B_GJ/B_OTHER
    carrier: np.ndarray  # int code, -1
    ncv_mass: np.ndarray  # GJ/t, NaN
    ncv_vol: np.ndarray  # GJ/m3, NaN
    density: np.ndarray  # t/m3, NaN
    ef: np.ndarray  # t CO2e/GJ, NaN (electricity/heat own factor)
    price: np.ndarray  # currency per price basis unit, NaN
    price_basis: np.ndarray  # int code P_*
    source: np.ndarray  # int code into water_sources()
    hazardous: np.ndarray  # bool
    route: np.ndarray  # int code, -1
    row: np.ndarray  # int: the flow's position in its input (messages only)
    cod: np.ndarray | None = None  # wastewater COD, kg/m3, NaN
    nitrogen: np.ndarray | None = None  # wastewater total N, kg/m3, NaN
    bod5: np.ndarray | None = None  # wastewater BOD5, kg/m3, NaN
    tss: np.ndarray | None = None  # wastewater total suspended solids, kg/m3, NaN
    total_p: np.ndarray | None = None  # wastewater total P, kg/m3, NaN
    effluent_charge: np.ndarray | None = None  # currency/m3 from effluent tariffs, NaN
    treatment: np.ndarray | None = None  # int code into the wastewater table rows, -1
    ch4_recovery: np.ndarray | None = None  # fraction of CH4 recovered, 0
    doc_type: np.ndarray | None = None  # int code into the landfill DOC table rows, -1
    landfill: np.ndarray | None = None  # int code into the landfill MCF table rows, -1
    release: np.ndarray | None = None  # int code into ``releases`` (release flows), -1
    on_site: np.ndarray | None = None  # int: 1 treated on site, 0 off site, -1 not given
    comb: np.ndarray | None = None  # int code into COMBUSTION_SECTORS (fuels; 1 manufacturing)
    market_ef: np.ndarray | None = None  # t CO2e/GJ, NaN (market-based scope 2 factor)
    place_fmt: str = "flows[{}]"  # how a row number is shown in messages
    releases: list[Any] = field(default_factory=list)  # ToolkitRow of each release code

    def __post_init__(self) -> None:
        n = len(self.amount)
        for name, fill, dtype in (
            ("cod", np.nan, float),
            ("nitrogen", np.nan, float),
            ("bod5", np.nan, float),
            ("tss", np.nan, float),
            ("total_p", np.nan, float),
            ("effluent_charge", np.nan, float),
            ("treatment", -1, np.int64),
            ("ch4_recovery", 0.0, float),
            ("doc_type", -1, np.int64),
            ("landfill", -1, np.int64),
            ("release", -1, np.int64),
            ("on_site", -1, np.int64),
            ("comb", 1, np.int64),
            ("market_ef", np.nan, float),
        ):
            if getattr(self, name) is None:
                setattr(self, name, np.full(n, fill, dtype=dtype))

    def place(self, i: int) -> str:
        """Where flow ``i`` is in its input, for messages (``flows[3]``, ``flows row 17``)."""
        return self.place_fmt.format(int(self.row[i]))

    def __len__(self) -> int:
        return int(self.amount.shape[0])

    @classmethod
    def empty(cls, n: int) -> FlowTable:
        """A table of ``n`` flows with every optional column unset."""
        nan = np.full(n, np.nan)
        return cls(
            plant=np.zeros(n, dtype=np.int64),
            flow_id=np.empty(n, dtype=object),
            type=np.zeros(n, dtype=np.int64),
            amount=np.zeros(n),
            basis=np.zeros(n, dtype=np.int64),
            carrier=np.full(n, -1, dtype=np.int64),
            ncv_mass=nan.copy(),
            ncv_vol=nan.copy(),
            density=nan.copy(),
            ef=nan.copy(),
            price=nan.copy(),
            price_basis=np.zeros(n, dtype=np.int64),
            source=np.zeros(n, dtype=np.int64),
            hazardous=np.zeros(n, dtype=bool),
            route=np.full(n, -1, dtype=np.int64),
            row=np.arange(n, dtype=np.int64),
        )


@dataclass
class PlantTable:
    """Plant-level settings (length P)."""

    country: np.ndarray  # object ISO alpha-2
    gwp: np.ndarray  # int code into GWP_CODES
    grid: np.ndarray  # t CO2e/GJ given by the user, NaN -> country table
    grid_cm: np.ndarray = field(default_factory=lambda: np.zeros(0))  # t CO2e/GJ, NaN -> IFI

    def __post_init__(self) -> None:
        if len(self.grid_cm) != len(self.grid):  # not given: the IFI table's for every plant
            self.grid_cm = np.full(len(self.grid), np.nan)


@dataclass
class Coefficients:
    """The sparse coefficient matrix of a flow table plus provenance and diagnostics."""

    rowset: RowSet
    flow: np.ndarray  # (M,) flow index
    row: np.ndarray  # (M,) row index
    value: np.ndarray  # (M,) contribution per canonical unit of the flow
    gj_per_unit: np.ndarray  # (N,) energy content per canonical unit (0 for non-energy flows)
    factors: dict[str, tuple[Factor, np.ndarray]]  # id -> (factor, flow indices using it)
    problems: list[tuple[int, Problem]]  # (plant, problem)
    flags: dict[str, np.ndarray]  # warning code -> boolean mask over flows or plants


def _reduction_rows(b: _Builder, ft: FlowTable, pt: PlantTable, lib: FactorLibrary) -> None:
    """Emission reductions as the CDM and the development banks count them.

    ``fuel`` is scope 1 (combustion, process, on-site waste and wastewater), ``scope3`` the
    off-site waste and wastewater, ``electricity`` the grid electricity at the combined margin
    (the plant's ``grid_cm``, else the IFI harmonised factor of its country); their savings are
    the reductions an intervention brings. Added last, from the rows already built.
    """
    rs = b.rs
    if b.rows_i:
        flows, rows, vals = (np.concatenate(x) for x in (b.flows_i, b.rows_i, b.vals))
        for src, comp in ((rs.at("ghg", "scope1"), "fuel"), (rs.at("ghg", "scope3"), "scope3")):
            m = rows == src
            for dst in (comp, "total"):
                b.flows_i.append(flows[m])
                b.rows_i.append(np.full(int(m.sum()), rs.at("ghg_reduction", dst)))
                b.vals.append(vals[m])
    elec = ft.type == ELEC
    cm = pt.grid_cm.copy()
    need = np.zeros(len(cm), dtype=bool)
    need[ft.plant[elec]] = True
    need &= np.isnan(cm)
    table = lib.table(lib.GRID_CM)
    countries = pt.country.astype(str)
    for code in np.unique(countries[need]):  # loop over countries, never over plants
        in_country = need & (countries == code)
        f = table.factor(code, "cm") if code in table.rows else None
        if f is not None:
            cm[in_country] = electricity.per_gj(f.value)
            b.use(f, elec & in_country[ft.plant])
    on = elec & np.isfinite(cm[ft.plant])
    per_gj = electricity.scope2(1.0, cm[ft.plant])
    b.add(rs.at("ghg_reduction", "electricity"), on, per_gj)
    b.add(rs.at("ghg_reduction", "total"), on, per_gj)
    b.flags["grid_cm_missing"] = need & np.isnan(cm)
    b.flags["grid_cm_user"] = elec & ~np.isnan(pt.grid_cm[ft.plant])


@dataclass
class _Gwp:
    """GWP-100 per GWP set (fossil and non-fossil CH4, N2O), and each flow's set code."""

    ch4: np.ndarray  # fossil methane (fuels)
    ch4_bio: np.ndarray  # non-fossil methane (biomass fuels, landfill, wastewater)
    n2o: np.ndarray
    plant: np.ndarray


class _Builder:
    """Collects the sparse entries, the factors used, input problems and warning flags."""

    def __init__(self, rowset: RowSet):
        self.rs = rowset
        self.flows_i: list[np.ndarray] = []
        self.rows_i: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.used: dict[str, tuple[Factor, np.ndarray]] = {}
        self.problems: list[tuple[int, Problem]] = []
        self.flags: dict[str, np.ndarray] = {}

    def add(self, row: int | np.ndarray, mask: np.ndarray, value: float | np.ndarray) -> None:
        """Add ``value`` per unit of each flow in ``mask`` to result row(s) ``row``."""
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        self.flows_i.append(idx)
        self.rows_i.append(np.full(idx.size, row) if np.isscalar(row) else np.asarray(row)[idx])
        self.vals.append(
            np.full(idx.size, value, dtype=float) if np.ndim(value) == 0 else np.asarray(value)[idx]
        )

    def use(self, f: Factor, mask: np.ndarray) -> None:
        """Record that the flows in ``mask`` use factor ``f``."""
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        if f.id in self.used:
            idx = np.union1d(self.used[f.id][1], idx)
        self.used[f.id] = (f, idx)

    def use_gwp(
        self, lib: FactorLibrary, masks: dict[str, np.ndarray], plant_gwp: np.ndarray
    ) -> None:
        """Record the GWP of each gas for the flows in its mask, per the plants' GWP sets."""
        for g, code in zip(GWP_CODES, range(3), strict=True):
            for gas, mask in masks.items():
                self.use(lib.gwp(g, gas), mask & (plant_gwp == code))

    def result(self, gj_per_unit: np.ndarray) -> Coefficients:
        """The collected coefficients."""
        return Coefficients(
            rowset=self.rs,
            flow=np.concatenate(self.flows_i) if self.flows_i else np.zeros(0, dtype=np.int64),
            row=(
                np.concatenate(self.rows_i).astype(np.int64)
                if self.rows_i
                else np.zeros(0, dtype=np.int64)
            ),
            value=np.concatenate(self.vals) if self.vals else np.zeros(0),
            gj_per_unit=gj_per_unit,
            factors=self.used,
            problems=self.problems,
            flags=self.flags,
        )


@dataclass
class _Fuels:
    """Energy content of every flow and the fuel properties it came from."""

    gj: np.ndarray  # GJ per canonical unit (0 for non-energy flows)
    ncv_mass: np.ndarray  # GJ/t, user or IPCC default
    density: np.ndarray  # t/m3, user or UNSD default
    has_vol: np.ndarray  # a volumetric NCV was given
    car: np.ndarray  # carrier code, 0 for non-fuels


def _fuel_column(
    lib: FactorLibrary, carriers: tuple[str, ...], name: str, default: float
) -> np.ndarray:
    """A per-carrier column of the fuel table as an array over carrier codes."""
    fuels = lib.table(lib.FUELS)
    return np.array(
        [
            fuels.rows[c].get(name, default) if fuels.rows[c].get(name) is not None else default
            for c in carriers
        ],
        dtype=float,
    )


def _fuel_energy(b: _Builder, ft: FlowTable, lib: FactorLibrary) -> _Fuels:
    """Energy per canonical unit of each flow (fuels at NCV; electricity and heat as delivered)."""
    carriers = b.rs.carriers
    dens_t = lib.table(lib.DENSITIES)
    t = ft.type
    is_fuel = t == FUEL
    car = np.where(is_fuel, ft.carrier, 0)
    ncv_def = _fuel_column(lib, carriers, "ncv", np.nan)[car]
    dens_def = np.array(
        [
            (dens_t.rows[c]["density"] / 1000.0)
            if c in dens_t.rows and dens_t.rows[c].get("density") is not None
            else np.nan
            for c in carriers
        ]
    )[car]
    user_ncv = ~np.isnan(ft.ncv_mass)
    ncv_mass = np.where(user_ncv, ft.ncv_mass, ncv_def)
    has_vol = ~np.isnan(ft.ncv_vol)
    user_dens = ~np.isnan(ft.density)
    density = np.where(user_dens, ft.density, dens_def)
    gj = np.where(
        is_fuel, energy.fuel_energy_per_unit(ft.basis, ncv_mass, ft.ncv_vol, density), 0.0
    )
    bad = is_fuel & ~np.isfinite(gj)
    for i in np.flatnonzero(bad).tolist():  # only erroneous flows: messages, not arithmetic
        b.problems.append(
            (
                int(ft.plant[i]),
                Problem(
                    f"{ft.place(i)}.amount",
                    f"{carriers[ft.carrier[i]]} given by volume needs 'ncv' per "
                    "volume (e.g. '35.8 MJ/m3', from the supplier's gas analysis) or "
                    "'density': recp "
                    "ships no sourced default for it",
                ),
            )
        )
    gj = np.where(bad, 0.0, gj)
    gj = np.where((t == ELEC) | (t == HEAT), 1.0, gj)
    # Factor provenance (loop over the carriers present, never over flows).
    m3 = is_fuel & (ft.basis == B_M3)
    need_ncv = is_fuel & ~user_ncv & ((ft.basis == B_T) | (m3 & ~has_vol))
    need_dens = m3 & ~has_vol & ~user_dens
    fuels = lib.table(lib.FUELS)
    for code in np.unique(ft.carrier[is_fuel]):
        on = is_fuel & (ft.carrier == code)
        c = carriers[code]
        for name, mask in (("ncv", on & need_ncv), ("co2", on)):
            f = fuels.factor(c, name)
            if f is not None:
                b.use(f, mask)
        if c in dens_t.rows:
            d = dens_t.factor(c, "density")
            if d is not None:
                b.use(d, on & need_dens)
    return _Fuels(gj=gj, ncv_mass=ncv_mass, density=density, has_vol=has_vol, car=car)


def _energy_rows(b: _Builder, ft: FlowTable, fu: _Fuels) -> None:
    """Energy [GJ]: total, per carrier, electricity and heat."""
    rs, t = b.rs, ft.type
    is_fuel, is_elec_heat = t == FUEL, (t == ELEC) | (t == HEAT)
    b.add(rs.at("energy", "total"), is_fuel | is_elec_heat, fu.gj)
    b.add(rs.block("energy", rs.carriers)[fu.car], is_fuel, fu.gj)
    b.add(rs.at("energy", "electricity"), t == ELEC, 1.0)
    b.add(rs.at("energy", "heat"), t == HEAT, 1.0)


def _non_co2_factors(
    b: _Builder, ft: FlowTable, lib: FactorLibrary
) -> tuple[np.ndarray, np.ndarray]:
    """CH4 and N2O factors [kg/TJ] of each fuel from the table of its combustion category.

    Manufacturing is Table 2.3 (in the fuel table); energy, commercial and residential are
    Tables 2.2, 2.4 and 2.5. A cell recp could not verify falls back to Table 2.3, flagged.
    """
    carriers = b.rs.carriers
    fuels = lib.table(lib.FUELS)
    is_fuel = ft.type == FUEL
    car = np.where(is_fuel, ft.carrier, 0)
    out = {g: _fuel_column(lib, carriers, g, 0.0)[car] for g in ("ch4", "n2o")}
    fallback = np.zeros(len(ft), dtype=bool)
    assert ft.comb is not None
    n_car = max(len(carriers), 1)  # (category, carrier) pairs as one integer, in pair order
    pairs = np.unique(ft.comb[is_fuel].astype(np.int64) * n_car + ft.carrier[is_fuel])
    for code, cc in (divmod(k, n_car) for k in pairs.tolist()):  # pairs, never flows
        on = is_fuel & (ft.comb == code) & (ft.carrier == cc)
        table = lib.table(lib.STATIONARY[COMBUSTION_SECTORS[code]])
        for gas in ("ch4", "n2o"):
            f = (
                None
                if COMBUSTION_SECTORS[code] == "manufacturing"
                else table.factor(carriers[cc], gas)
            )
            if f is None:  # Table 2.3, as in the fuel table
                f = fuels.factor(carriers[cc], gas)
                fallback |= on & (COMBUSTION_SECTORS[code] != "manufacturing")
            else:
                out[gas] = np.where(on, f.value, out[gas])
            if f is not None:
                b.use(f, on)
    b.flags["combustion_fallback"] = fallback
    return out["ch4"], out["n2o"]


def _combustion_rows(b: _Builder, ft: FlowTable, lib: FactorLibrary, fu: _Fuels, gwp: _Gwp) -> None:
    """Scope 1 from burning fuels, by gas (IPCC 2006 Vol. 2 Ch. 2 Tier 1)."""
    rs, carriers = b.rs, b.rs.carriers
    is_fuel = ft.type == FUEL
    fuels = lib.table(lib.FUELS)
    biogenic = np.array([bool(fuels.rows[c].get("biogenic")) for c in carriers])[fu.car]
    b.use_gwp(
        lib,
        {"CH4_fossil": is_fuel & ~biogenic, "CH4_non_fossil": is_fuel & biogenic, "N2O": is_fuel},
        gwp.plant,
    )
    ef_ch4, ef_n2o = _non_co2_factors(b, ft, lib)
    e = combustion.combustion_emissions(
        fu.gj,
        _fuel_column(lib, carriers, "co2", 0.0)[fu.car],
        ef_ch4,
        ef_n2o,
        np.where(biogenic, gwp.ch4_bio[gwp.plant], gwp.ch4[gwp.plant]),
        gwp.n2o[gwp.plant],
        biogenic,
    )
    b.add(rs.at("ghg", "co2"), is_fuel, e.co2)
    b.add(rs.at("ghg", "ch4"), is_fuel, e.ch4)
    b.add(rs.at("ghg", "n2o"), is_fuel, e.n2o)
    b.add(rs.at("ghg", "biogenic_co2"), is_fuel, e.biogenic_co2)
    b.add(rs.at("ghg", "scope1"), is_fuel, e.scope1)
    b.add(rs.at("ghg", "total"), is_fuel, e.scope1)


def _scope2_rows(b: _Builder, ft: FlowTable, pt: PlantTable, lib: FactorLibrary) -> None:
    """Scope 2 from bought electricity (grid or own factor) and heat (own factor)."""
    rs, t = b.rs, ft.type
    own_ef = ~np.isnan(ft.ef)
    grid_table = lib.table(lib.GRID)
    user_grid = ~np.isnan(pt.grid)
    plant_grid = pt.grid.copy()
    table_grid = np.zeros(len(pt.grid), dtype=bool)
    elec_default = (t == ELEC) & ~own_ef
    plants_needing = np.zeros(len(pt.grid), dtype=bool)
    plants_needing[ft.plant[elec_default]] = True
    need = plants_needing & ~user_grid
    countries = pt.country.astype(str)
    for code in np.unique(countries[need]):  # loop over countries, never over plants
        in_country = need & (countries == code)
        if code in grid_table.rows:
            f = grid_table.factor(code, "factor")
            assert f is not None
            plant_grid[in_country] = electricity.per_gj(f.value)  # kg CO2e/kWh == t CO2e/MWh
            table_grid |= in_country
            b.use(f, elec_default & in_country[ft.plant])
        else:
            for p in np.flatnonzero(in_country):  # error plants only: messages
                b.problems.append(
                    (
                        int(p),
                        Problem(
                            "plant.country",
                            (
                                f"no grid emission factor for {code} in table '{lib.GRID}': give "
                                "'grid_factor' (e.g. '0.62 t CO2e/MWh')"
                            ),
                        ),
                    )
                )
    ef = np.where(own_ef, ft.ef, np.where(t == ELEC, plant_grid[ft.plant], np.nan))
    counted = ((t == ELEC) | (t == HEAT)) & np.isfinite(ef)
    per_gj = electricity.scope2(1.0, ef)
    b.add(rs.at("ghg", "scope2"), counted, per_gj)
    b.add(rs.at("ghg", "total"), counted, per_gj)
    # market-based: the supplier's or a contractual factor where given, else location-based
    assert ft.market_ef is not None
    market = np.where(np.isnan(ft.market_ef), ef, ft.market_ef)
    in_market = ((t == ELEC) | (t == HEAT)) & np.isfinite(market)
    b.add(rs.at("ghg", "scope2_market"), in_market, electricity.scope2(1.0, market))
    b.flags["heat_without_factor"] = (t == HEAT) & ~own_ef
    b.flags["grid_user"] = elec_default & user_grid[ft.plant]
    b.flags["grid_table_plant"] = table_grid


def _wastewater_rows(b: _Builder, ft: FlowTable, lib: FactorLibrary, gwp: _Gwp) -> None:
    """Scope 1 CH4 and N2O from on-site wastewater treatment (IPCC 2006 Vol. 5 Ch. 6)."""
    assert ft.cod is not None and ft.nitrogen is not None and ft.treatment is not None
    assert ft.ch4_recovery is not None
    treated = (ft.type == WW) & (ft.treatment >= 0)
    if not treated.any():
        return
    rs = b.rs
    wt = lib.table(lib.WASTEWATER)
    wc = lib.table(lib.WASTEWATER_CONSTANTS)
    keys = list(wt.rows)
    mcf_by_code = np.array(
        [wt.rows[k].get("mcf") if wt.rows[k].get("mcf") is not None else 0.0 for k in keys]
    )
    tcode = np.where(treated, ft.treatment, 0)
    with_cod = treated & ~np.isnan(ft.cod)
    b0 = wc.factor("b0_cod", "value")
    assert b0 is not None
    ch4 = wastewater.methane_per_volume(
        np.nan_to_num(ft.cod), b0.value, mcf_by_code[tcode], ft.ch4_recovery
    )
    t_ch4 = ch4 * gwp.ch4_bio[gwp.plant]
    for code in np.unique(tcode[with_cod]):
        mcf_row = wt.factor(keys[code], "mcf")
        if mcf_row is not None:
            b.use(mcf_row, with_cod & (tcode == code))
    b.use(b0, with_cod)
    # N2O of industrial wastewater: the 2019 Refinement's Tier 1 for a centralised aerobic
    # plant (Vol. 5 Ch. 6 Table 6.8A); the 2006 effluent factor is for domestic wastewater only.
    aerobic = np.array([k.startswith("aerobic") for k in keys])[tcode]
    sewer = np.array([k == "discharged_to_sewer" for k in keys])[tcode]
    given_n = treated & ~np.isnan(ft.nitrogen)
    with_n = given_n & aerobic
    b.flags["wastewater_n2o_not_estimated"] = given_n & ~aerobic & ~sewer
    ef_n2o = lib.table(lib.WASTEWATER_N2O).factor("ef_n2o_plant_aerobic", "value")
    assert ef_n2o is not None
    n2o = wastewater.nitrous_oxide_per_volume(np.nan_to_num(ft.nitrogen), ef_n2o.value)
    t_n2o = n2o * gwp.n2o[gwp.plant]
    b.use(ef_n2o, with_n)
    b.use_gwp(lib, {"CH4_non_fossil": with_cod, "N2O": with_n}, gwp.plant)
    ww_total = np.where(with_cod, t_ch4, 0.0) + np.where(with_n, t_n2o, 0.0)
    assert ft.on_site is not None
    on_site = ft.on_site != 0  # wastewater with a treatment is treated on site unless it says not
    b.add(rs.at("ghg", "ch4"), with_cod & on_site, t_ch4)
    b.add(rs.at("ghg", "n2o"), with_n & on_site, t_n2o)
    b.add(rs.at("ghg", "wastewater"), with_cod | with_n, ww_total)
    b.add(rs.at("ghg", "scope1"), (with_cod | with_n) & on_site, ww_total)
    b.add(rs.at("ghg", "scope3"), (with_cod | with_n) & ~on_site, ww_total)
    b.add(rs.at("ghg", "total"), with_cod | with_n, ww_total)


def _landfill_rows(b: _Builder, ft: FlowTable, lib: FactorLibrary, gwp: _Gwp) -> None:
    """Scope 1 CH4 from organic waste to landfill (IPCC 2006 Vol. 5 Ch. 2-3, mass balance)."""
    assert ft.doc_type is not None and ft.landfill is not None
    landfilled = (ft.type == WASTE) & (ft.doc_type >= 0)
    if not landfilled.any():
        return
    dt = lib.table(lib.LANDFILL_DOC)
    mt = lib.table(lib.LANDFILL_MCF)
    lc = lib.table(lib.LANDFILL_CONSTANTS)
    dkeys, mkeys = list(dt.rows), list(mt.rows)
    doc = np.array([dt.rows[k]["doc"] for k in dkeys])[np.where(landfilled, ft.doc_type, 0)]
    mcode = np.where(ft.landfill >= 0, ft.landfill, mkeys.index("uncategorised"))
    mcf = np.array([mt.rows[k]["mcf"] for k in mkeys])[mcode]
    docf, frac, ox = (lc.factor(k, "value") for k in ("docf", "f", "ox_default"))
    assert docf is not None and frac is not None and ox is not None
    ch4 = landfill.methane_per_tonne(doc, docf.value, mcf, frac.value, ox.value)
    t_ch4_lf = ch4 * gwp.ch4_bio[gwp.plant]
    for code in np.unique(ft.doc_type[landfilled]):
        f = dt.factor(dkeys[code], "doc")
        assert f is not None
        b.use(f, landfilled & (ft.doc_type == code))
    for code in np.unique(mcode[landfilled]):
        f = mt.factor(mkeys[code], "mcf")
        assert f is not None
        b.use(f, landfilled & (mcode == code))
    for f in (docf, frac, ox):
        b.use(f, landfilled)
    b.use_gwp(lib, {"CH4_non_fossil": landfilled}, gwp.plant)
    assert ft.on_site is not None
    on_site = ft.on_site == 1  # waste goes to a third party's landfill unless it says on site
    for row in ("landfill", "total"):
        b.add(b.rs.at("ghg", row), landfilled, t_ch4_lf)
    for row in ("ch4", "scope1"):
        b.add(b.rs.at("ghg", row), landfilled & on_site, t_ch4_lf)
    b.add(b.rs.at("ghg", "scope3"), landfilled & ~on_site, t_ch4_lf)
    b.flags["landfill_default_mcf"] = landfilled & (ft.landfill < 0)


def _quantity_rows(b: _Builder, ft: FlowTable) -> None:
    """Water by source, wastewater, waste by hazard and route, materials."""
    rs, t = b.rs, ft.type
    b.add(rs.at("water", "total"), t == WATER, 1.0)
    b.add(rs.block("water", rs.sources)[ft.source], t == WATER, 1.0)
    b.add(rs.at("wastewater", "total"), t == WW, 1.0)
    is_waste = t == WASTE
    b.add(rs.at("waste", "total"), is_waste, 1.0)
    b.add(rs.at("waste", "hazardous"), is_waste & ft.hazardous, 1.0)
    b.add(rs.at("waste", "non_hazardous"), is_waste & ~ft.hazardous, 1.0)
    routed = is_waste & (ft.route >= 0)
    b.add(rs.block("waste", rs.routes)[np.where(routed, ft.route, 0)], routed, 1.0)
    b.add(rs.at("materials", "total"), (t == MAT) & (ft.basis == B_T), 1.0)


#: The FlowTable column of each pollutant of :data:`recp.models.effluent.POLLUTANTS`.
POLLUTANT_COLUMNS = ("cod", "bod5", "tss", "nitrogen", "total_p")


def pollutant_columns(ft: FlowTable) -> np.ndarray:
    """Concentrations [kg/m3] of every flow, pollutants on the last axis (NaN: not given)."""
    return np.stack([getattr(ft, c) for c in POLLUTANT_COLUMNS], axis=-1)


def _effluent_rows(b: _Builder, ft: FlowTable) -> None:
    """Effluent loads [t] per pollutant and effluent charges [currency] of wastewater flows."""
    is_ww = ft.type == WW
    conc = pollutant_columns(ft)
    for k, name in enumerate(effluent.POLLUTANTS):
        on = is_ww & ~np.isnan(conc[:, k])
        b.add(b.rs.at("effluent_load", name), on, effluent.load_per_volume(conc[:, k]))
    assert ft.effluent_charge is not None
    charged = is_ww & ~np.isnan(ft.effluent_charge)
    for comp in ("total", "effluent_charge"):
        b.add(b.rs.at("cost", comp), charged, ft.effluent_charge)


def _cost_rows(b: _Builder, ft: FlowTable, fu: _Fuels) -> None:
    """The yearly cost of priced flows, the price converted to each flow's canonical unit."""
    vol_gj = energy.energy_per_volume(ft.ncv_vol, fu.density, fu.ncv_mass)
    price = cost.price_per_unit(ft.price, ft.price_basis, fu.gj, fu.ncv_mass, vol_gj)
    priced = ~np.isnan(ft.price)
    unconvertible = priced & ~np.isfinite(price)
    for i in np.flatnonzero(unconvertible).tolist():
        b.problems.append(
            (
                int(ft.plant[i]),
                Problem(
                    f"{ft.place(i)}.price",
                    "cannot convert the price to the flow's unit: give the "
                    "price per the flow's own unit, or the fuel's ncv/density",
                ),
            )
        )
    per_unit = cost.yearly_cost(1.0, np.where(unconvertible, 0.0, price))
    b.add(b.rs.at("cost", "total"), priced & ~unconvertible, per_unit)
    b.flags["unpriced"] = ~priced & (ft.type != PROD) & (ft.type != PROC)


def _release_rows(b: _Builder, ft: FlowTable) -> None:
    """Releases of processes: mercury, PCDD/F, PCB and HCB by vector; process CO2 in scope 1.

    Mercury and the POPs follow the UNEP Toolkits and the EMEP/EEA guidebook (per pathway or
    vector, ND never zero); process CO2 the IPCC 2006 Vol. 3 Ch. 2 (component ``process``, part
    of ``co2`` and ``scope1``).
    """
    assert ft.release is not None
    is_rel = (ft.type == PROC) & (ft.release >= 0)
    for code in np.unique(ft.release[is_rel]):  # loop over release rows, never over flows
        on = is_rel & (ft.release == code)
        tr = ft.releases[code]
        if tr.kind == "co2":
            t_co2 = tr.values["process"]
            for row in ("process", "co2", "scope1", "total"):
                b.add(b.rs.at("ghg", row), on, t_co2)
            for f in tr.factors:
                b.use(f, on)
            continue
        ind = tr.kind  # mercury, pcdd_f, pcb, dl_pcb or hcb
        per_vector = {v: tr.values[v] for v in VECTORS[ind]}
        for v, x in per_vector.items():
            if x is not None:  # ND: never counted as zero
                b.add(b.rs.at(ind, v), on, x)
        if all(x is None for x in per_vector.values()):
            continue  # nothing quantified (all ND): no total either, never a zero
        total, env = releases.vector_totals(per_vector)
        b.add(b.rs.at(ind, "total"), on, total)
        b.add(b.rs.at(ind, "environment"), on, env)
        for f in tr.factors:
            b.use(f, on)


def coefficients(ft: FlowTable, pt: PlantTable, lib: FactorLibrary) -> Coefficients:
    """Compute every flow's contribution per unit to every result row (vectorised).

    Each modelling topic is a function of :mod:`recp.models`; this composes them into one
    sparse matrix, in a fixed order of topics.

    Parameters
    ----------
    ft : FlowTable
        Flows of any number of plants, canonical units.
    pt : PlantTable
        The plants' settings (GWP set, grid factor, country).
    lib : FactorLibrary
        Factor tables.

    Returns
    -------
    Coefficients
        The sparse matrix plus the factors used, input problems and warning flags.
    """
    b = _Builder(RowSet(lib))
    gwp = _Gwp(
        ch4=np.array([lib.gwp(g, "CH4_fossil").value for g in GWP_CODES]),
        ch4_bio=np.array([lib.gwp(g, "CH4_non_fossil").value for g in GWP_CODES]),
        n2o=np.array([lib.gwp(g, "N2O").value for g in GWP_CODES]),
        plant=pt.gwp[ft.plant],
    )
    fu = _fuel_energy(b, ft, lib)
    _energy_rows(b, ft, fu)
    _combustion_rows(b, ft, lib, fu, gwp)
    _scope2_rows(b, ft, pt, lib)
    _wastewater_rows(b, ft, lib, gwp)
    _landfill_rows(b, ft, lib, gwp)
    _quantity_rows(b, ft)
    _cost_rows(b, ft, fu)
    _effluent_rows(b, ft)
    _release_rows(b, ft)
    _reduction_rows(b, ft, pt, lib)
    return b.result(fu.gj)


# -- one plant ---------------------------------------------------------------------------------


@dataclass
class CompiledChange:
    """Changes of one intervention as arrays (applied in order)."""

    flow: np.ndarray  # (c,) int flow index
    kind: np.ndarray  # (c,) REL / ABS / SET
    value: np.ndarray  # (c,) fraction for REL, canonical amount for ABS/SET
    place: list[str]  # (c,) where each change is in the file, for messages
    src: np.ndarray | None = None  # (c,) source flow of a MOVE, -1 otherwise

    def __post_init__(self) -> None:
        if self.src is None:
            self.src = np.full(len(self.flow), -1, dtype=np.int64)


@dataclass
class Compiled:
    """A plant as arrays: amounts, coefficient matrix, prices, interventions and provenance."""

    flow_ids: list[str]
    flow_units: list[str]
    amount: np.ndarray  # (F,) baseline in canonical units
    W: np.ndarray  # (F, R) dense, over the rows present for this plant
    rows: list[Row]
    interventions: dict[str, CompiledChange]
    capex: dict[str, float]
    opex: dict[str, float]
    lifetime: dict[str, float]
    factors: dict[str, Factor]
    factor_flows: dict[str, list[str]]
    warnings: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    #: The flow and plant tables the plant was compiled from (the batch engine reuses them).
    flow_table: FlowTable | None = None
    plant_table: PlantTable | None = None
    #: How each computed change (``calc:``) was computed, in intervention and change order.
    calculations: list[dict[str, Any]] = field(default_factory=list)

    def row_index(self, indicator: str, component: str = "total") -> int:
        """Position of a result row in ``W``'s columns."""
        for i, r in enumerate(self.rows):
            if r.indicator == indicator and r.component == component:
                return i
        raise KeyError((indicator, component))


def _price(price: Any, cur: str, unit: str, basis: int, i: int) -> tuple[float, int]:
    """A flow's price in the currency per its canonical unit, or per GJ, t or m3, and which."""
    own = f"{cur}/{unit}" if basis != B_OTHER else f"{cur}/({unit})"
    for code, per in ((P_SAME, own), (P_GJ, f"{cur}/GJ"), (P_T, f"{cur}/t"), (P_M3, f"{cur}/m3")):
        if is_dimension(price, per):
            return to_float(price, per), code
    # validation lets only convertible prices through
    raise InputError(
        [Problem(f"flows[{i}].price", f"'{price:~}' does not convert to {cur} per '{unit}'")]
    )


def flow_table(
    sc: Scenario, lib: FactorLibrary, pl: Any = None
) -> tuple[FlowTable, PlantTable, list[str]]:
    """Read a validated scenario's flows into a one-plant :class:`FlowTable` (pint used here).

    The release flows of its processes (:mod:`recp.processes`) follow the plant's flows.
    """
    if pl is None:
        pl = _plan(sc, lib)
    nf = len(sc.flows)
    n = nf + len(pl.releases)
    ft = FlowTable.empty(n)
    carriers = {c: k for k, c in enumerate(lib.carriers)}
    sources = {s: k for k, s in enumerate(water_sources())}
    routes = {r: k for k, r in enumerate(waste_routes())}
    cur = sc.currency
    units: list[str] = []
    for i, fl in enumerate(sc.flows):
        amount, basis, unit = canonical_amount(fl.amount)
        units.append(unit)
        ft.flow_id[i] = fl.id
        ft.type[i] = FLOW_TYPES.index(fl.type)
        ft.amount[i] = amount
        ft.basis[i] = basis
        if fl.carrier is not None:
            ft.carrier[i] = carriers[fl.carrier]
        if fl.ncv is not None:
            if is_dimension(fl.ncv, "GJ/t"):
                ft.ncv_mass[i] = to_float(fl.ncv, "GJ/t")
            else:
                ft.ncv_vol[i] = to_float(fl.ncv, "GJ/m3")
        if fl.density is not None:
            ft.density[i] = to_float(fl.density, "t/m3")
        if fl.emission_factor is not None:
            ft.ef[i] = to_float(fl.emission_factor, "t CO2e/GJ")
        if fl.type == "fuel":
            ft.comb[i] = COMBUSTION_SECTORS.index(  # type: ignore[index]
                fl.combustion_sector or combustion_sector(sc.plant.sector)
            )
        if fl.market_factor is not None:
            ft.market_ef[i] = to_float(fl.market_factor, "t CO2e/GJ")  # type: ignore[index]
        if fl.on_site is not None:
            ft.on_site[i] = int(fl.on_site)  # type: ignore[index]
        ft.source[i] = (
            sources[fl.source] if fl.type == "water" and fl.source else sources["unspecified"]
        )
        ft.hazardous[i] = bool(fl.hazardous)
        if fl.route is not None:
            ft.route[i] = routes[fl.route]
        if fl.type == "wastewater":
            _pollutants(sc, ft, i, amount)
        if fl.treatment is not None:
            ft.treatment[i] = list(lib.table(lib.WASTEWATER).rows).index(  # type: ignore[index]
                fl.treatment
            )
        if fl.ch4_recovery is not None:
            ft.ch4_recovery[i] = to_float(fl.ch4_recovery, "dimensionless")  # type: ignore[index]
        if fl.doc_type is not None:
            ft.doc_type[i] = list(lib.table(lib.LANDFILL_DOC).rows).index(  # type: ignore[index]
                fl.doc_type
            )
        if fl.landfill is not None:
            ft.landfill[i] = list(lib.table(lib.LANDFILL_MCF).rows).index(  # type: ignore[index]
                fl.landfill
            )
        if fl.price is not None:
            ft.price[i], ft.price_basis[i] = _price(fl.price, cur, unit, basis, i)
    for r, rel in enumerate(pl.releases):
        i = nf + r
        ft.flow_id[i] = rel.flow_id
        ft.type[i] = PROC
        ft.amount[i] = pl.activity[rel.process] if rel.baseline else 0.0
        ft.basis[i] = BASES.index(rel.unit) if rel.unit in BASES else B_OTHER
        ft.release[i] = r  # type: ignore[index]
        units.append(rel.unit)
    ft.releases = [rel.row for rel in pl.releases]
    grid = to_float(sc.grid_factor, "t CO2e/GJ") if sc.grid_factor is not None else np.nan
    cm = to_float(sc.grid_cm, "t CO2e/GJ") if sc.grid_cm is not None else np.nan
    pt = PlantTable(
        country=np.array([sc.country_code], dtype=object),
        gwp=np.array([GWP_CODES.index(sc.gwp)]),
        grid=np.array([grid]),
        grid_cm=np.array([cm]),
    )
    return ft, pt, units


def _pollutants(sc: Scenario, ft: FlowTable, i: int, volume: float) -> None:
    """Concentrations [kg/m3] (loads divided by the volume) and the effluent charge of flow i."""
    fl = sc.flows[i]
    tariff = {**(sc.effluent_tariff or {}), **(fl.effluent_tariff or {})}
    conc = np.full(len(effluent.POLLUTANTS), np.nan)
    rate = np.full(len(effluent.POLLUTANTS), np.nan)
    for k, (name, col) in enumerate(zip(effluent.POLLUTANTS, POLLUTANT_COLUMNS, strict=True)):
        q = pollutant(fl, name)
        if q is None:
            continue
        if is_dimension(q, "kg/m3"):
            conc[k] = to_float(q, "kg/m3")
        else:
            per_year = is_dimension(q, "t/year")
            conc[k] = effluent.concentration(to_float(q, "t/year" if per_year else "t"), volume)
        getattr(ft, col)[i] = conc[k]
        if name in tariff:
            rate[k] = to_float(tariff[name], f"{sc.currency}/kg")
    ft.effluent_charge[i] = effluent.charge_per_volume(conc, rate)  # type: ignore[index]


def _plan(sc: Scenario, lib: FactorLibrary) -> Any:
    """The scenario's process plan (release flows), empty when it has no processes."""
    if not sc.processes:
        return ProcessPlan()
    pl = plan(sc, lib)
    if pl.problems:
        raise InputError(pl.problems)
    return pl


def compile_scenario(sc: Scenario, lib: FactorLibrary | None = None) -> Compiled:
    """Compile a validated scenario into arrays in canonical units.

    Parameters
    ----------
    sc : Scenario
        A validated scenario (see :func:`recp.load`).
    lib : FactorLibrary, optional
        Factor tables to use; default the shipped ones.

    Raises
    ------
    InputError
        For a missing factor (e.g. no grid factor for the country and no ``grid_factor``).
    """
    lib = lib or library()
    pl = _plan(sc, lib)
    ft, pt, units = flow_table(sc, lib, pl)
    co = coefficients(ft, pt, lib)
    if co.problems:
        raise InputError([p for _, p in co.problems])
    rs = co.rowset
    dense = np.zeros((len(ft), len(rs)))
    np.add.at(dense, (co.flow, co.row), co.value)
    present = rs.always.copy()
    present[co.row] = True
    keep = np.flatnonzero(present)
    rows = [
        Row(r.indicator, r.component, r.unit.replace("{cur}", sc.currency))
        for r in (rs.rows[k] for k in keep)
    ]
    factors, factor_flows = _factors_used(sc, ft, co)
    warnings = _flow_warnings(sc, ft, co)
    comp, money, iv_warnings, calcs = _compile_interventions(sc, ft, units, pl, co.gj_per_unit)
    warnings += iv_warnings + pl.warnings() + _setting_warnings(sc, factors, lib)
    warnings += order_warnings(sc.scenario_map, ft.amount, dense[:, keep], comp)
    return Compiled(
        flow_ids=[str(x) for x in ft.flow_id],
        flow_units=units,
        amount=ft.amount.copy(),
        W=dense[:, keep],
        rows=rows,
        interventions=comp,
        capex=money["capex"],
        opex=money["opex"],
        lifetime=money["lifetime"],
        factors=dict(sorted(factors.items())),
        factor_flows=factor_flows,
        warnings=warnings,
        settings=_settings(sc, factors, lib),
        flow_table=ft,
        plant_table=pt,
        calculations=calcs,
    )


def order_warnings(
    scenarios: dict[str, list[str]],
    amount: np.ndarray,
    W: np.ndarray,
    comp: dict[str, CompiledChange],
) -> list[dict[str, str]]:
    """A warning for each scenario whose measures interact, so that their order matters.

    Measures interact when one's in-sequence saving (after the measures before it) differs from
    its standalone saving: two cuts of the same flow, a cut of a fuel that a later switch
    replaces... Reordering them then changes each one's in-sequence figures, and so the
    scenario's NPV, even where the end state is the same.
    """
    out: list[dict[str, str]] = []
    base = amount @ W
    scale = 1e-9 * np.maximum(np.abs(base), 1.0)
    for name, ids in scenarios.items():
        if len(ids) < 2:
            continue
        state, moved = amount, []
        for iid in ids:
            ch = comp[iid]
            assert ch.src is not None
            after = np.maximum(apply_changes(state, ch.flow, ch.kind, ch.value, ch.src), 0.0)
            seq = state @ W - after @ W
            alone = (
                base
                - np.maximum(apply_changes(amount, ch.flow, ch.kind, ch.value, ch.src), 0.0) @ W
            )
            if np.any(np.abs(seq - alone) > scale + 1e-9 * np.abs(alone)):
                moved.append(iid)
            state = after
        if moved:
            out.append(
                {
                    "code": "measures_interact",
                    "message": (
                        f"scenario '{name}': the in-sequence savings of "
                        + ", ".join(repr(x) for x in moved)
                        + " differ from their standalone savings (the measures act on the same "
                        "flows), so the order of the measures changes each one's in-sequence "
                        "figures and the scenario's NPV"
                    ),
                }
            )
    return out


def _factors_used(
    sc: Scenario, ft: FlowTable, co: Coefficients
) -> tuple[dict[str, Factor], dict[str, list[str]]]:
    """Every factor the plant used, table factors and the scenario's own, with their flows."""
    factors = {k: f for k, (f, _) in co.factors.items()}
    factor_flows = {k: [str(ft.flow_id[i]) for i in idx] for k, (_, idx) in co.factors.items()}
    if sc.grid_factor is not None and co.flags["grid_user"].any():
        factors["user:grid_factor"] = Factor(
            "user:grid_factor",
            to_float(sc.grid_factor, "t CO2e/MWh"),
            "t CO2e/MWh",
            "scenario file (grid_factor)",
        )
        factor_flows["user:grid_factor"] = [str(x) for x in ft.flow_id[co.flags["grid_user"]]]
    if sc.grid_cm is not None and co.flags["grid_cm_user"].any():
        factors["user:grid_cm"] = Factor(
            "user:grid_cm",
            to_float(sc.grid_cm, "t CO2e/MWh"),
            "t CO2e/MWh",
            "scenario file (grid_cm)",
        )
        factor_flows["user:grid_cm"] = [str(x) for x in ft.flow_id[co.flags["grid_cm_user"]]]
    for i, fl in enumerate(sc.flows):
        for key, unit in (
            ("ncv", "GJ/t" if fl.ncv is not None and is_dimension(fl.ncv, "GJ/t") else "MJ/m3"),
            ("density", "kg/m3"),
        ):
            q = getattr(fl, key)
            if q is not None and fl.type == "fuel":
                fid = f"user:{fl.id}:{key}"
                factors[fid] = Factor(
                    fid, to_float(q, unit), unit, f"scenario file (flows[{i}] '{fl.id}' {key})"
                )
                factor_flows[fid] = [fl.id]
        if fl.emission_factor is not None:
            fid = f"user:{fl.id}:emission_factor"
            factors[fid] = Factor(
                fid,
                to_float(fl.emission_factor, "t CO2e/MWh"),
                "t CO2e/MWh",
                f"scenario file (flows[{i}] '{fl.id}' emission_factor)",
            )
            factor_flows[fid] = [fl.id]
    return factors, factor_flows


def _flow_warnings(sc: Scenario, ft: FlowTable, co: Coefficients) -> list[dict[str, str]]:
    """Warnings about flows: heat without a factor, landfill type, flows without a price."""
    warnings: list[dict[str, str]] = []
    for i in np.flatnonzero(co.flags["heat_without_factor"]).tolist():
        warnings.append(
            {
                "code": "heat_without_factor",
                "flow": str(ft.flow_id[i]),
                "message": (
                    f"flow '{ft.flow_id[i]}': bought heat has no emission_factor; its scope 2 "
                    "emissions "
                    "are not counted (give e.g. 'emission_factor: 0.25 t CO2e/MWh' from the "
                    "supplier)"
                ),
            }
        )
    if "landfill_default_mcf" in co.flags:
        for i in np.flatnonzero(co.flags["landfill_default_mcf"]).tolist():
            warnings.append(
                {
                    "code": "landfill_type_unknown",
                    "flow": str(ft.flow_id[i]),
                    "message": (
                        f"flow '{ft.flow_id[i]}': no 'landfill' type given; landfill CH4 uses "
                        "the IPCC "
                        "default for an uncategorised site (MCF 0.6)"
                    ),
                }
            )
    for i in np.flatnonzero(co.flags["combustion_fallback"]).tolist():
        sector = COMBUSTION_SECTORS[int(ft.comb[i])]  # type: ignore[index]
        warnings.append(
            {
                "code": "combustion_factor_fallback",
                "flow": str(ft.flow_id[i]),
                "sector": str(sector),
                "carrier": str(co.rowset.carriers[ft.carrier[i]]),
                "message": (
                    f"flow '{ft.flow_id[i]}': recp's copy of the IPCC 2006 {sector} table "
                    f"({co.rowset.carriers[ft.carrier[i]]}) lacks a verified CH4 or N2O factor; "
                    "the manufacturing value (Vol. 2 Table 2.3) is used for it"
                ),
            }
        )
    no_n2o = co.flags.get("wastewater_n2o_not_estimated")
    if no_n2o is not None and no_n2o.any():
        ids = ", ".join(str(x) for x in ft.flow_id[no_n2o])
        warnings.append(
            {
                "code": "wastewater_n2o_not_estimated",
                "flows": ids,
                "message": (
                    f"N2O of wastewater {ids} is not estimated: recp's default (IPCC 2019 "
                    "Refinement Vol. 5 Ch. 6 Table 6.8A, 0.016 kg N2O-N/kg N) is for centralised "
                    "aerobic treatment only, and the 2006 effluent factor is for domestic "
                    "wastewater; its nitrogen is kept for the effluent load"
                ),
            }
        )
    if co.flags["grid_cm_missing"].any():
        warnings.append(
            {
                "code": "grid_cm_missing",
                "country": str(sc.country_code),
                "message": (
                    f"no combined-margin grid factor for {sc.country_code} in table "
                    "'grid-ifi-2021': electricity savings are not counted as emission reductions "
                    "(ghg_reduction/electricity); give 'grid_cm' (e.g. '0.41 t CO2e/MWh')"
                ),
            }
        )
    for key in sc.effluent_tariff or {}:
        if not any(fl.type == "wastewater" and pollutant(fl, key) is not None for fl in sc.flows):
            warnings.append(
                {
                    "code": "effluent_tariff_unused",
                    "message": (
                        f"effluent_tariff.{key}: no wastewater flow gives {key} (a concentration "
                        "or a load), so this charge is not counted"
                    ),
                }
            )
    unpriced = [str(x) for x in ft.flow_id[co.flags["unpriced"]]]
    if unpriced and sc.interventions:
        warnings += _unpriced_warnings(sc, unpriced)
    return warnings


def _unpriced_warnings(sc: Scenario, unpriced: list[str]) -> list[dict[str, str]]:
    """A warning per unpriced flow that interventions change (naming them), one for the rest."""
    changed_by: dict[str, list[str]] = {}
    for iv in sc.interventions:
        for ch in iv.changes:
            if ch.flow in unpriced and iv.id not in changed_by.setdefault(ch.flow, []):
                changed_by[ch.flow].append(iv.id)
    out = [
        {
            "code": "flows_without_price",
            "flow": fid,
            "interventions": ", ".join(repr(i) for i in changed_by[fid]),
            "message": (
                f"no price for flow '{fid}', changed by intervention(s) "
                + ", ".join(repr(i) for i in changed_by[fid])
                + ": that change is not counted in the annual cost saving"
            ),
        }
        for fid in unpriced
        if fid in changed_by
    ]
    rest = [fid for fid in unpriced if fid not in changed_by]
    if rest:
        out.append(
            {
                "code": "flows_without_price",
                "template": "flows_without_price_others",
                "flows": ", ".join(repr(x) for x in rest),
                "message": (
                    "no price for flow(s) "
                    + ", ".join(repr(x) for x in rest)
                    + ": their changes are not counted in the annual cost saving"
                ),
            }
        )
    return out


def _compile_switch(
    sc: Scenario, ids: dict[str, int], gj: np.ndarray, k: int, j: int
) -> list[tuple[int, int, float, int, str]]:
    """A fuel switch as a ``PULL`` on the new carrier and a ``REL`` of ``-share`` on the old.

    Raises
    ------
    InputError
        When either carrier has no energy per unit (a fuel whose NCV is unknown).
    """
    ch = sc.interventions[k].changes[j]
    assert ch.flow is not None and ch.switch_to is not None
    assert ch.efficiency is not None and ch.new_efficiency is not None
    old, new = ids[ch.flow], ids[ch.switch_to]
    place = f"interventions[{k}].changes[{j}]"
    for f, key in ((old, "flow"), (new, "switch_to")):
        if not (np.isfinite(gj[f]) and gj[f] > 0):
            raise InputError(
                [Problem(f"{place}.{key}", f"flow '{sc.flows[f].id}' has no energy content")]
            )
    share = to_float(ch.share, "dimensionless") if ch.share is not None else 1.0
    ratio = switch_ratio(
        share,
        to_float(ch.efficiency, "dimensionless"),
        to_float(ch.new_efficiency, "dimensionless"),
        gj[old],
        gj[new],
    )
    return [(new, PULL, float(ratio), old, place), (old, REL, -share, -1, place)]


def _compile_change(
    sc: Scenario, ft: FlowTable, units: list[str], ids: dict[str, int], k: int, j: int
) -> tuple[int, int, float, int, str] | None:
    """One flow change of intervention ``k`` as (flow, kind, value, source, place)."""
    ch = sc.interventions[k].changes[j]
    if ch.flow is None:
        return None
    f = ids[ch.flow]
    place = f"interventions[{k}].changes[{j}]"
    unit = units[f] if ft.basis[f] != B_OTHER else str(sc.flows[f].amount.units)
    if ch.to is not None:
        kind, val = SET, to_float(ch.to, unit)
    else:
        assert ch.by is not None
        if is_dimension(ch.by, "percent"):
            kind, val = REL, float(ch.by.to("dimensionless").magnitude)
        else:
            kind, val = ABS, to_float(ch.by, unit)
    return (f, kind, val, -1, place)


def _compile_calc(
    sc: Scenario,
    ft: FlowTable,
    units: list[str],
    gj: np.ndarray,
    ids: dict[str, int],
    k: int,
    j: int,
) -> tuple[list[tuple[int, int, float, int, str]], dict[str, Any]]:
    """A computed change (``calc:``) as entries (flow, kind, value, source, place) and a record.

    An energy the calculator gives (GJ, MWh) is converted to a fuel flow's own unit through its
    net calorific value (``gj_per_unit``); the record keeps the inputs, the intermediate
    values, the method's source and each change in the calculator's and the flow's unit.
    """
    iv = sc.interventions[k]
    ch = iv.changes[j]
    assert ch.calc is not None and ch.flow is not None
    place = f"interventions[{k}].changes[{j}]"
    f0 = ids[ch.flow]
    res = calc.calculate(ch.calc, iv.id, f"{place}.calc", float(ft.amount[f0] * gj[f0]))
    targets = {"flow": ch.flow} | calc.links(ch.calc)
    entries: list[tuple[int, int, float, int, str]] = []
    changes: list[dict[str, Any]] = []
    for e in res.effects:
        fid = targets[e.target]
        f = ids[fid]
        if e.kind == "relative":
            entries.append((f, REL, e.value, -1, place))
            amount, unit = e.value * float(ft.amount[f]), units[f]
        else:
            q = calc_quantity(e.value, e.unit)
            if is_dimension(q, units[f]):
                amount = to_float(q, units[f])
            elif is_dimension(q, "GJ") and gj[f] > 0:
                amount = to_float(q, "GJ") / float(gj[f])
            else:
                raise InputError(
                    [Problem(place, f"intervention '{iv.id}': {res.method} gives {e.value:g} "
                             f"{e.unit}, which does not convert to flow '{fid}' ({units[f]})")]
                )  # fmt: skip
            entries.append((f, ABS, amount, -1, place))
            unit = units[f]
        changes.append(
            {"flow": fid, "kind": e.kind, "value": _round(e.value), "unit": e.unit or "1",
             "amount": _round(amount), "amount_unit": unit}
        )  # fmt: skip
    record = {
        "intervention": iv.id, "change": place, "flow": ch.flow, "method": res.method,
        "title": res.title, "equation": res.equation, "source": res.source,
        "inputs": res.inputs, "values": res.values, "changes": changes,
    }  # fmt: skip
    return entries, record


def _round(x: float) -> float:
    return float(f"{float(x):.12g}")


def calc_quantity(value: float, unit: str) -> Any:
    """A calculator's result as a quantity (the one unit registry)."""
    return parse_quantity(f"{value!r} {unit}")


def _compile_interventions(
    sc: Scenario, ft: FlowTable, units: list[str], pl: ProcessPlan, gj: np.ndarray
) -> tuple[
    dict[str, CompiledChange],
    dict[str, dict[str, float]],
    list[dict[str, str]],
    list[dict[str, Any]],
]:
    """Each intervention's ordered changes as arrays, its money, warnings, calculations."""
    ids = {f.id: k for k, f in enumerate(sc.flows)}
    cur = sc.currency
    comp: dict[str, CompiledChange] = {}
    money: dict[str, dict[str, float]] = {"capex": {}, "opex": {}, "lifetime": {}}
    warnings: list[dict[str, str]] = []
    proc_problems: list[Problem] = []
    calcs: list[dict[str, Any]] = []
    for k, iv in enumerate(sc.interventions):
        by_j: dict[int, list[tuple[int, int, float, int, str]]] = {}
        mirror: list[tuple[int, str, int, float]] = []
        for j in range(len(iv.changes)):
            if iv.changes[j].calc is not None:
                by_j[j], record = _compile_calc(sc, ft, units, gj, ids, k, j)
                calcs.append(record)
                mirror += [(j, str(ft.flow_id[e[0]]), e[1], e[2]) for e in by_j[j]]
                continue
            if iv.changes[j].switch_to is not None:
                by_j[j] = _compile_switch(sc, ids, gj, k, j)
                # the old carrier's cut drives its processes as a relative change would
                mirror.append((j, str(iv.changes[j].flow), REL, by_j[j][1][2]))
                continue
            entry = _compile_change(sc, ft, units, ids, k, j)
            if entry is not None:
                by_j[j] = [entry]
                mirror.append((j, str(iv.changes[j].flow), entry[1], entry[2]))
        if pl.releases:
            # process changes, and fuel-flow changes mirrored on the processes they drive
            extra, probs = compile_changes(pl, sc, k, len(sc.flows), mirror)
            proc_problems += probs
            for j, *rest in extra:
                by_j.setdefault(j, []).append(tuple(rest))  # type: ignore[arg-type]
        entries = [e for j in sorted(by_j) for e in by_j[j]]
        comp[iv.id] = CompiledChange(
            np.array([e[0] for e in entries], dtype=np.int64),
            np.array([e[1] for e in entries], dtype=np.int64),
            np.array([e[2] for e in entries], dtype=float),
            [e[4] for e in entries],
            np.array([e[3] for e in entries], dtype=np.int64),
        )
        money["capex"][iv.id] = to_float(iv.capex, cur) if iv.capex is not None else 0.0
        money["opex"][iv.id] = to_float(iv.opex, f"{cur}/year") if iv.opex is not None else 0.0
        money["lifetime"][iv.id] = (
            to_float(iv.lifetime, "year") if iv.lifetime is not None else np.nan
        )
        if iv.lifetime is None:
            warnings.append(
                {
                    "code": "no_lifetime",
                    "intervention": iv.id,
                    "message": (
                        f"intervention '{iv.id}' has no lifetime: its NPV, IRR and cost per t CO2e "
                        "are not computed"
                    ),
                }
            )
    if proc_problems:
        raise InputError(proc_problems)
    return comp, money, warnings, calcs


def _setting_warnings(
    sc: Scenario, factors: dict[str, Factor], lib: FactorLibrary
) -> list[dict[str, str]]:
    """Warnings about plant settings: no discount rate; a lifecycle grid factor."""
    warnings: list[dict[str, str]] = []
    if sc.discount_rate is None and sc.interventions:
        warnings.append(
            {
                "code": "no_discount_rate",
                "message": (
                    "no discount_rate: NPV and cost per t CO2e avoided are not computed (IRR is)"
                ),
            }
        )
    for key in sorted(factors):
        if key.startswith(lib.GRID_CM + ":"):
            row = lib.table(lib.GRID_CM).rows[key.split(":")[1]]
            warnings.append(
                {
                    "code": "grid_cm_quality",
                    "factor": key,
                    "value": f"{factors[key].value:g}",
                    "quality": str(row.get("quality")),
                    "message": (
                        f"emission reductions of electricity use {key} "
                        f"({factors[key].value:g} t CO2/MWh), the IFI harmonised combined margin "
                        f"as quoted in a third-party copy (quality: {row.get('quality')}); check "
                        "it against the UNFCCC dataset before claiming credits, or give 'grid_cm'"
                    ),
                }
            )
        if key.startswith(lib.GRID + ":") and sc.grid_basis != "lifecycle":
            warnings.append(
                {
                    "code": "grid_factor_lifecycle",
                    "factor": key,
                    "value": f"{factors[key].value:g}",
                    "message": (
                        f"scope 2 uses {key} ({factors[key].value:g} kg CO2e/kWh): Ember's "
                        "lifecycle intensity of generation; give a combustion-based national "
                        "factor as 'grid_factor' with 'grid_basis: combustion', or say "
                        "'grid_basis: lifecycle' to keep this one"
                    ),
                }
            )
    return warnings


def _grid_basis(sc: Scenario) -> str:
    """What the location-based grid factor covers, as the settings report it."""
    if sc.grid_factor is None:
        return "lifecycle"  # the shipped table (Ember) is lifecycle-based
    return sc.grid_basis or "not stated (the plant's own grid_factor)"


def _settings(sc: Scenario, factors: dict[str, Factor], lib: FactorLibrary) -> dict[str, Any]:
    """The settings an assessment reports: GWP set, currency, discount rate, grid source."""
    return {
        "gwp": sc.gwp,
        "currency": sc.currency,
        "discount_rate": (
            float(sc.discount_rate.to("dimensionless").magnitude)
            if sc.discount_rate is not None
            else None
        ),
        "carbon_price": (
            to_float(sc.carbon_price, f"{sc.currency}/(t CO2e)")
            if sc.carbon_price is not None
            else None
        ),
        "grid_basis": _grid_basis(sc),
        "grid_factor_source": (
            "scenario file (grid_factor)"
            if sc.grid_factor is not None
            else next((f.source for k, f in factors.items() if k.startswith(lib.GRID + ":")), None)
        ),
    }
