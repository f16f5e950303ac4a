"""Engineering calculators: an intervention's change computed from what the consultant measured.

A change of a scenario file may give ``calc: {method: NAME, ...parameters}`` instead of
``by:``/``to:``. :func:`problems` checks the parameters (name, dimension, physical range) and
:func:`calculate` runs the method, a pure vectorised function of
:mod:`recp.models.calculators`, and returns a :class:`Calculation`: the change of the flow (and
of linked flows, such as the make-up water of a steam leak), the inputs as given, the
intermediate values and the method's equation and source, which the assessment keeps and the
reports show as "how this saving was computed".

Every parameter is converted once at this boundary (pint, one registry); the models work on
floats in SI units. :data:`METHODS` lists the methods; ``docs/calculators.md`` documents each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recp.errors import Problem, UnitError, did_you_mean
from recp.factors import library
from recp.models.calculators import compressed_air, flue_gas, insulation, lighting, motors, steam
from recp.units import is_dimension, parse_quantity, to_float

#: Hours in a (leap) year: the most a yearly operating time can be [h].
YEAR_HOURS = 8784.0
#: Nominal density of make-up water [t/m3] (1 t of steam lost is 1 m3 of make-up water).
WATER_T_PER_M3 = 1.0

# -- parameters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a method.

    ``unit`` is the SI unit the model takes (``1`` for a fraction or a count); ``what`` says
    in words what to give (``a length, e.g. '3 mm'``). ``lo``/``hi`` bound the converted value
    (``lo_open``/``hi_open``: strictly); ``kind`` is ``qty``, ``count``, ``list``, ``choice`` or
    ``flow`` (the id of a linked flow).
    """

    name: str
    unit: str
    what: str
    required: bool = True
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    kind: str = "qty"
    choices: tuple[str, ...] = ()
    shown: str = ""  # the unit inputs and defaults are shown in


def _p(name: str, unit: str, what: str, **kw: Any) -> Param:
    return Param(name, unit, what, **kw)


def _fraction(name: str, what: str, **kw: Any) -> Param:
    kw.setdefault("lo", 0.0)
    kw.setdefault("lo_open", True)
    kw.setdefault("hi", 1.0)
    return Param(name, "dimensionless", f"{what}, e.g. '80 %'", shown="%", **kw)


def _temperature(name: str, what: str, **kw: Any) -> Param:
    kw.setdefault("lo", 273.16)
    kw.setdefault("hi", 873.15)
    return Param(name, "K", f"{what}, a temperature, e.g. '20 degC'", shown="degC", **kw)


def _hours(name: str = "hours") -> Param:
    return Param(
        name, "h", "hours a year, e.g. '8000 h'", lo=0.0, lo_open=True, hi=YEAR_HOURS, shown="h"
    )


def _count(name: str, what: str, **kw: Any) -> Param:
    return Param(name, "dimensionless", what, kind="count", lo=0.0, **kw)


def _flow(name: str, what: str, **kw: Any) -> Param:
    kw.setdefault("required", False)
    return Param(name, "", what, kind="flow", **kw)


_EFF = _fraction("boiler_efficiency", "boiler efficiency, fuel to steam")
_FW = _temperature("feedwater_temperature", "feedwater temperature")
_CD = _fraction(
    "discharge_coefficient", "discharge coefficient of the orifice", required=False, default=None
)
_WATER = _flow("water_flow", "id of the make-up water flow the measure also saves")


# -- results ------------------------------------------------------------------------------------


@dataclass
class Effect:
    """A change the calculation makes: ``relative`` (fraction) or ``absolute`` (value, unit).

    ``target`` is ``flow`` (the change's own flow) or the name of the parameter that links
    another flow (``water_flow``...).
    """

    target: str
    kind: str
    value: float
    unit: str = ""


@dataclass
class Calculation:
    """A method's result with everything needed to show how it was computed."""

    method: str
    title: str
    equation: str
    source: str
    inputs: list[dict[str, Any]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def value(self, label: str, value: float, unit: str) -> None:
        """Record an intermediate value (shown in the reports)."""
        self.values.append({"name": label, "value": _round(value), "unit": unit})


def _round(x: float) -> float | None:
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.12g}")


@dataclass(frozen=True)
class Method:
    """A calculator: its parameters, the flow types its change applies to, and its runner."""

    name: str
    title: str
    equation: str
    source: str
    params: tuple[Param, ...]
    flow_types: tuple[str, ...]
    run: Callable[[dict[str, Any], Calculation, float | None], None]
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    one_of: tuple[tuple[str, ...], ...] = ()


# -- runners: parameters (SI floats) -> Calculation ---------------------------------------------


def _gj(j: Any) -> float:
    return float(j) / 1e9


def _steam(v: dict[str, Any], c: Calculation, _: float | None, holes: str, d: str) -> None:
    cd = 0.73 if v["discharge_coefficient"] is None else v["discharge_coefficient"]
    r = steam.steam_leak(
        v[holes], v[d], v["gauge_pressure"], v["hours"], v["boiler_efficiency"],
        v["feedwater_temperature"], cd,
    )  # fmt: skip
    c.value("steam lost", float(r["steam_loss"]), "kg/h")
    c.value("steam enthalpy above feedwater (IAPWS-IF97)", float(r["enthalpy_rise"]) / 1e3, "kJ/kg")
    c.value("heat lost", _gj(r["heat"]), "GJ/year")
    c.value("fuel saved", _gj(r["fuel"]), "GJ/year")
    c.value("make-up water saved", float(r["water"]) / 1e3 / WATER_T_PER_M3, "m3/year")
    c.effects.append(Effect("flow", "absolute", -_gj(r["fuel"]), "GJ"))
    c.effects.append(Effect("water_flow", "absolute", -float(r["water"]) / 1e3, "m3"))


def _air(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    cd = 1.0 if v["discharge_coefficient"] is None else v["discharge_coefficient"]
    r = compressed_air.air_leak(
        v["holes"], v["diameter"], v["gauge_pressure"], v["hours"], v["specific_power"], cd,
        v["temperature"],
    )  # fmt: skip
    c.value("free air lost", float(r["free_air"]) * 60.0, "m3/min")
    c.value("compressor power", float(r["power"]) / 1e3, "kW")
    c.value("electricity saved", float(r["electricity"]) / 3.6e9, "MWh/year")
    c.effects.append(Effect("flow", "absolute", -float(r["electricity"]) / 3.6e9, "MWh"))


def _insulation(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    cyl = v["area"] is None
    inner = v["surface_temperature"] or v["fluid_temperature"]
    r = insulation.insulation(
        inner, v["ambient_temperature"], v["thickness"], v["conductivity"],
        v["length"] if cyl else v["area"], v["hours"], v["efficiency"], v["emissivity"],
        v["cladding_emissivity"], cyl, v["diameter"] or 0.1, v["height"] or 1.0,
    )  # fmt: skip
    per = "W/m" if cyl else "W/m2"
    c.value("heat loss, bare", float(r["bare_loss"]), per)
    c.value("heat loss, insulated", float(r["insulated_loss"]), per)
    c.value("insulation surface temperature", float(r["insulated_surface"]) - 273.15, "degC")
    c.value("heat saved", _gj(r["heat"]), "GJ/year")
    c.value("fuel saved", _gj(r["fuel"]), "GJ/year")
    c.effects.append(Effect("flow", "absolute", -_gj(r["fuel"]), "GJ"))


def _losses(v: dict[str, Any], before: str, after: str) -> tuple[Any, Any]:
    row = library().table(SIEGERT).rows[v["fuel"]]
    a1, a2, b = row["a1"], row["a2"], row["b"]
    t_b = v["flue_temperature_before"]
    t_a = v.get("flue_temperature_after") or t_b
    air = v["air_temperature"]
    if v.get("co2" + before) is not None:
        co2_b = v["co2" + before]
        co2_a = v.get("co2" + after) or co2_b
        return (
            flue_gas.flue_gas_loss_co2(t_b, air, co2_b, a1, b),
            flue_gas.flue_gas_loss_co2(t_a, air, co2_a, a1, b),
        )
    o2_b = v["o2" + before]
    o2_a = v["o2" + after] if v.get("o2" + after) is not None else o2_b
    return flue_gas.flue_gas_loss(t_b, air, o2_b, a2, b), flue_gas.flue_gas_loss(
        t_a, air, o2_a, a2, b
    )


def _flue(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    suffix = ("_before", "_after") if c.method == "boiler_tuning" else ("", "")
    r = flue_gas.retuning(*_losses(v, *suffix))
    c.value("flue-gas loss before (Siegert)", 100 * float(r["loss_before"]), "%")
    c.value("flue-gas loss after (Siegert)", 100 * float(r["loss_after"]), "%")
    c.value("combustion efficiency before", 100 * float(r["efficiency_before"]), "%")
    c.value("combustion efficiency after", 100 * float(r["efficiency_after"]), "%")
    c.value("fuel change", 100 * float(r["fuel_change"]), "%")
    c.effects.append(Effect("flow", "relative", float(r["fuel_change"])))


def _blowdown(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    r = steam.blowdown_recovery(
        v["blowdown"], v["gauge_pressure"], v["hours"], v["makeup_temperature"], v["recovery"],
        v["boiler_efficiency"],
    )  # fmt: skip
    c.value("blowdown enthalpy above make-up (IAPWS-IF97)", float(r["blowdown_enthalpy"]) / 1e3,
            "kJ/kg")  # fmt: skip
    c.value("heat recovered", float(r["recovered_rate"]) / 1e3, "kW")
    c.value("heat recovered", _gj(r["heat"]), "GJ/year")
    c.value("fuel saved", _gj(r["fuel"]), "GJ/year")
    c.effects.append(Effect("flow", "absolute", -_gj(r["fuel"]), "GJ"))


def _condensate(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    m = v["condensate"] if v["condensate"] is not None else v["steam"] * v["fraction"]
    r = steam.condensate_return(
        m, v["hours"], v["condensate_temperature"], v["makeup_temperature"],
        v["boiler_efficiency"], v["flash_fraction"] or 0.0,
    )  # fmt: skip
    water = float(r["water"])
    c.value("condensate returned", float(r["returned"]) / 1e3, "t/year")
    c.value("enthalpy gain over make-up (IAPWS-IF97)", float(r["enthalpy_gain"]) / 1e3, "kJ/kg")
    c.value("fuel saved", _gj(r["fuel"]), "GJ/year")
    c.value("make-up water saved", water, "m3/year")
    c.effects.append(Effect("flow", "absolute", -_gj(r["fuel"]), "GJ"))
    c.effects.append(Effect("water_flow", "absolute", -water, "m3"))
    c.effects.append(Effect("wastewater_flow", "absolute", -water, "m3"))
    if v["chemical_dose"] is not None:
        chem = water * v["chemical_dose"] / 1e3  # kg/m3 x m3 -> t
        c.value("treatment chemicals saved", chem, "t/year")
        c.effects.append(Effect("chemicals_flow", "absolute", -chem, "t"))


#: The factor table of the IEC 60034-30-1 class efficiencies (EU 2019/1781 Annex I).
MOTOR_CLASSES = "eu-motor-classes-2019"


def _class_efficiency(v: dict[str, Any], c: Calculation, when: str) -> float:
    """A motor's efficiency: given, or the minimum of its class at its rated output."""
    if v["efficiency_" + when] is not None:
        return float(v["efficiency_" + when])
    cls = v["class_" + when]
    row = library().table(MOTOR_CLASSES).rows[f"{cls}_{v['poles']}"]
    eff = float(
        motors.class_efficiency(
            v["power"], row["a"], row["b"], row["c"], row["d"], row["p_max"] * 1e3
        )
    )
    if MOTOR_CLASSES not in c.source:
        c.source += (
            f"; class efficiencies: Commission Regulation (EU) 2019/1781 Annex I "
            f"(factor table {MOTOR_CLASSES})"
        )
    c.value(f"efficiency {when}: {cls} minimum, {v['poles']} poles, at rated output "
            f"({MOTOR_CLASSES}:{row['id']})", 100 * eff, "%")  # fmt: skip
    return eff


def _motor(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    before = _class_efficiency(v, c, "before")
    after = _class_efficiency(v, c, "after")
    r = motors.motor_upgrade(
        v["power"], v["load"], v["hours"], before, after,
        v["count"] if v["count"] is not None else 1.0,
    )  # fmt: skip
    c.value("input power before", float(r["input_before"]) / 1e3, "kW")
    c.value("input power after", float(r["input_after"]) / 1e3, "kW")
    c.value("electricity saved", float(r["electricity"]) / 3.6e9, "MWh/year")
    c.effects.append(Effect("flow", "absolute", -float(r["electricity"]) / 3.6e9, "MWh"))


def _vsd(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    q, h = np.asarray(v["flow"]), np.asarray(v["hours"])
    if v["control"] == "on_off":
        before = v["power"] * q
    else:
        before = np.asarray(v["power_before"])
    r = motors.vsd(
        v["power"], q, h, before, v["drive_efficiency"], v["static_head"] or 0.0,
        v["min_speed"] or 0.0,
    )  # fmt: skip
    for qi, pb, pa in zip(q.tolist(), np.atleast_1d(before).tolist(), r["power_after"].tolist(),
                          strict=True):  # fmt: skip
        c.value(f"power at {100 * qi:g} % flow, present control", pb / 1e3, "kW")
        c.value(f"power at {100 * qi:g} % flow with the drive", pa / 1e3, "kW")
    c.value("electricity before", float(r["energy_before"]) / 3.6e9, "MWh/year")
    c.value("electricity with the drive", float(r["energy_after"]) / 3.6e9, "MWh/year")
    c.value("electricity saved", float(r["electricity"]) / 3.6e9, "MWh/year")
    c.effects.append(Effect("flow", "absolute", -float(r["electricity"]) / 3.6e9, "MWh"))


def _lighting(v: dict[str, Any], c: Calculation, _: float | None) -> None:
    r = lighting.lighting(
        v["count"], v["power_before"], v["power_after"], v["hours"], v["control_saving"] or 0.0
    )
    c.value("electricity before", float(r["energy_before"]) / 3.6e9, "MWh/year")
    c.value("electricity after", float(r["energy_after"]) / 3.6e9, "MWh/year")
    c.value("electricity saved", float(r["electricity"]) / 3.6e9, "MWh/year")
    c.effects.append(Effect("flow", "absolute", -float(r["electricity"]) / 3.6e9, "MWh"))


def _fuel_switch(v: dict[str, Any], c: Calculation, energy: float | None) -> None:
    share = 1.0 if v["share"] is None else v["share"]
    ratio = float(flue_gas.fuel_change(v["efficiency_before"], v["efficiency_after"])) + 1.0
    c.value("share of the fuel replaced", 100 * share, "%")
    c.value("new fuel per unit of old fuel (efficiency before / after)", ratio, "GJ/GJ")
    c.effects.append(Effect("flow", "relative", -share))
    if energy is not None:
        old = share * energy
        c.value("old fuel replaced (baseline)", old, "GJ/year")
        c.value("useful heat", old * v["efficiency_before"], "GJ/year")
        c.value("new fuel", old * ratio, "GJ/year")
        c.effects.append(Effect("to_flow", "absolute", old * ratio, "GJ"))


# -- the methods --------------------------------------------------------------------------------

_STEAM_SRC = (
    "Napier's equation, US DOE Steam Tip Sheet #1 'Inspect and Repair Steam Traps' (AMO, 2012) "
    "and Improving Steam System Performance: A Sourcebook for Industry, 2nd ed. (DOE, 2012); "
    "steam and water enthalpies IAPWS-IF97 (CoolProp)"
)
_STEAM_EQ = (
    "m = n x Cd x (pi d^2/4) x p_abs / 70 [lb/s; psia, in^2] (Napier); "
    "fuel = m x hours x (h''(p) - h(T_fw)) / eta_boiler; water = m x hours"
)
_STEAM_COMMON = (
    _p(
        "gauge_pressure",
        "Pa",
        "steam gauge pressure, e.g. '7 bar'",
        lo=0.75e5,
        hi=220e5,
        shown="bar",
    ),  # fmt: skip
    _hours(),
    _EFF,
    _FW,
    _CD,
    _WATER,
)
_SIEGERT_SRC = (
    "Siegert formula and fuel constants A1, A2, B of the 1. BImSchV (Verordnung ueber kleine und "
    "mittlere Feuerungsanlagen, 26 January 2010), Anlage 2"
)
#: Siegert's fuel constants (1. BImSchV Anlage 2), one row per fuel, and its fuels.
SIEGERT = "bimschv-2010-siegert"
SIEGERT_FUELS = ("heating_oil", "natural_gas", "lpg")  # the rows of table SIEGERT (a test checks)
_FUEL = Param(
    "fuel",
    "",
    "the fuel burned",
    kind="choice",
    choices=SIEGERT_FUELS,
    required=True,
)
_O2 = {"lo": 0.0, "lo_open": False, "hi": 0.21, "hi_open": True, "required": False}
_CO2 = {"lo": 0.0, "lo_open": True, "hi": 0.20, "required": False}
_CLASSES = ("IE2", "IE3", "IE4")
_LIGHT_SRC = "Carbon Trust, Lighting: Bright ideas for more efficient illumination, CTG076 (2012)"
_MOTOR_SRC = (
    "McCoy, Litman, Douglass, Energy-Efficient Electric Motor Selection Handbook, "
    "DOE/CE-0384 Rev. 3 (US DOE/BPA, 1993)"
)

_METHODS: tuple[Method, ...] = (
    Method(
        "steam_leak",
        "Steam leaks (Napier's equation)",
        _STEAM_EQ,
        _STEAM_SRC,
        (
            _count("holes", "number of leaks, e.g. 4"),
            _p(
                "diameter",
                "m",
                "hole diameter, e.g. '3 mm'",
                lo=0.0,
                lo_open=True,
                hi=0.1,
                shown="mm",
            ),
            *_STEAM_COMMON,
        ),
        ("fuel", "heat", "electricity"),
        lambda v, c, e: _steam(v, c, e, "holes", "diameter"),
        {"water_flow": ("water",)},
    ),  # fmt: skip
    Method(
        "steam_trap",
        "Failed-open steam traps (Napier's equation)",
        _STEAM_EQ,
        _STEAM_SRC,
        (
            _count("traps", "number of failed-open traps, e.g. 6"),
            _p(
                "orifice",
                "m",
                "trap orifice diameter, e.g. '1/8 in' as '3.2 mm'",
                lo=0.0,
                lo_open=True,
                hi=0.1,
                shown="mm",
            ),
            *_STEAM_COMMON,
        ),
        ("fuel", "heat", "electricity"),
        lambda v, c, e: _steam(v, c, e, "traps", "orifice"),
        {"water_flow": ("water",)},
    ),  # fmt: skip
    Method(
        "compressed_air_leak",
        "Compressed-air leaks (choked flow through an orifice)",
        "m = n Cd A p0 sqrt(k/(R T)) (2/(k+1))^((k+1)/(2(k-1))); free air V = m R T / p_atm; "
        "electricity = V x specific power x hours",
        "US DOE Compressed Air Tip Sheet #3 'Minimize Compressed Air Leaks' (2004) and "
        "Improving Compressed Air System Performance, 3rd ed. (2016); ideal-gas choked flow",
        (
            _count("holes", "number of leaks, e.g. 12"),
            _p(
                "diameter",
                "m",
                "hole diameter, e.g. '2 mm'",
                lo=0.0,
                lo_open=True,
                hi=0.1,
                shown="mm",
            ),
            _p(
                "gauge_pressure",
                "Pa",
                "line gauge pressure, e.g. '7 bar'",
                lo=0.9e5,
                hi=50e5,
                shown="bar",
            ),
            _hours(),
            _p(
                "specific_power",
                "W/(m3/s)",
                "compressor input power per free air, e.g. '6.5 kW/(m3/min)'",
                lo=0.0,
                lo_open=True,
                shown="kW/(m3/min)",
            ),
            _CD,
            _temperature(
                "temperature", "air temperature in the line", required=False, default=293.15
            ),
        ),
        ("electricity",),
        _air,
    ),  # fmt: skip
    Method(
        "insulation",
        "Insulating a bare pipe or surface (convection and radiation)",
        "q_bare = h(T_s) A (T_s - T_a), h = Churchill-Chu convection + e sigma (T_s^4 - T_a^4)/"
        "(T_s - T_a); insulated: (T_i - T_s)/R_ins = h(T_s) A_s (T_s - T_a), R_ins = "
        "ln(D_o/D)/(2 pi k) or t/k; fuel = (q_bare - q_ins) x size x hours / efficiency",
        "ISO 12241:2022 sections 4-5; Churchill and Chu (1975), Int. J. Heat Mass Transfer 18; "
        "air properties CoolProp",
        (
            _p(
                "diameter",
                "m",
                "outer diameter of the pipe, e.g. '60.3 mm'",
                required=False,
                lo=0.0,
                lo_open=True,
                hi=5.0,
                shown="mm",
            ),
            _p(
                "length",
                "m",
                "length of pipe, e.g. '120 m'",
                required=False,
                lo=0.0,
                lo_open=True,
                shown="m",
            ),
            _p(
                "area",
                "m2",
                "area of a flat surface, e.g. '12 m2'",
                required=False,
                lo=0.0,
                lo_open=True,
                shown="m2",
            ),
            _p(
                "height",
                "m",
                "height of the flat surface, e.g. '2 m'",
                required=False,
                lo=0.0,
                lo_open=True,
                shown="m",
            ),
            _temperature(
                "surface_temperature", "measured temperature of the bare surface", required=False
            ),
            _temperature("fluid_temperature", "temperature of the fluid inside", required=False),
            _temperature("ambient_temperature", "air temperature around it", lo=223.15, hi=333.15),
            _p(
                "thickness",
                "m",
                "insulation thickness, e.g. '50 mm'",
                lo=0.0,
                lo_open=True,
                hi=1.0,
                shown="mm",
            ),
            _p(
                "conductivity",
                "W/(m*K)",
                "insulation conductivity, e.g. '0.04 W/(m*K)'",
                lo=0.0,
                lo_open=True,
                hi=1.0,
                shown="W/(m*K)",
            ),
            _hours(),
            _fraction("efficiency", "efficiency of the heat source, fuel to heat"),
            _fraction("emissivity", "emissivity of the bare surface"),
            _fraction("cladding_emissivity", "emissivity of the insulation's cladding"),
        ),
        ("fuel", "heat", "electricity"),
        _insulation,
        one_of=(("surface_temperature", "fluid_temperature"), ("length", "area")),
    ),  # fmt: skip
    Method(
        "boiler_tuning",
        "Boiler tuning (combustion efficiency, indirect method)",
        "q_A = (t_flue - t_air) (A2/(21 - O2) + B) or (A1/CO2 + B) [%]; eta = 100 - q_A; "
        "fuel change = eta_before/eta_after - 1",
        _SIEGERT_SRC,
        (
            _FUEL,
            _temperature("flue_temperature_before", "flue gas temperature before"),
            _temperature("flue_temperature_after", "flue gas temperature after", required=False),
            _temperature("air_temperature", "combustion air temperature"),
            _fraction("o2_before", "O2 in the dry flue gas before", **_O2),
            _fraction("o2_after", "O2 in the dry flue gas after", **_O2),
            _fraction("co2_before", "CO2 in the dry flue gas before", **_CO2),
            _fraction("co2_after", "CO2 in the dry flue gas after", **_CO2),
        ),
        ("fuel",),
        _flue,
        one_of=(("o2_before", "co2_before"),),
    ),  # fmt: skip
    Method(
        "economiser",
        "Economiser on the flue gas (combustion efficiency, indirect method)",
        "q_A = (t_flue - t_air) (A2/(21 - O2) + B) [%] before and after the economiser; "
        "fuel change = eta_before/eta_after - 1",
        _SIEGERT_SRC + "; US DOE Steam Tip Sheet #3 'Use Feedwater Economizers for Waste Heat "
        "Recovery' (2012)",
        (
            _FUEL,
            _temperature("flue_temperature_before", "flue gas temperature without the economiser"),
            _temperature("flue_temperature_after", "flue gas temperature after the economiser"),
            _temperature("air_temperature", "combustion air temperature"),
            _fraction("o2", "O2 in the dry flue gas", **_O2),
            _fraction("co2", "CO2 in the dry flue gas", **_CO2),
        ),
        ("fuel",),
        _flue,
        one_of=(("o2", "co2"),),
    ),  # fmt: skip
    Method(
        "blowdown_recovery",
        "Heat recovery from boiler blowdown",
        "Q = r x m_bd x hours x (h'(p) - h(T_makeup)); fuel = Q / eta_boiler",
        "US DOE Steam Tip Sheet #10 'Recover Heat from Boiler Blowdown' (AMO, 2012); "
        "enthalpies IAPWS-IF97 (CoolProp)",
        (
            _p(
                "blowdown",
                "kg/h",
                "continuous blowdown, e.g. '1.5 t/h'",
                lo=0.0,
                lo_open=True,
                shown="kg/h",
            ),
            _p(
                "gauge_pressure",
                "Pa",
                "boiler gauge pressure, e.g. '10 bar'",
                lo=0.0,
                lo_open=True,
                hi=220e5,
                shown="bar",
            ),
            _hours(),
            _temperature("makeup_temperature", "make-up water temperature", hi=373.15),
            _fraction("recovery", "share of the blowdown heat recovered"),
            _EFF,
        ),
        ("fuel", "heat", "electricity"),
        _blowdown,
    ),  # fmt: skip
    Method(
        "condensate_return",
        "Returning condensate to the boiler",
        "fuel = (1 - f_flash) m hours (h(T_c) - h(T_makeup)) / eta_boiler; water = "
        "(1 - f_flash) m hours / rho(T_makeup); chemicals = water x dose",
        "US DOE Steam Tip Sheet #8 'Return Condensate to the Boiler' (AMO, 2012); enthalpies "
        "and density IAPWS-IF97 (CoolProp)",
        (
            _p(
                "condensate",
                "kg/h",
                "condensate returned, e.g. '2 t/h'",
                required=False,
                lo=0.0,
                lo_open=True,
                shown="kg/h",
            ),
            _p(
                "steam",
                "kg/h",
                "steam raised, e.g. '4 t/h' (with 'fraction')",
                required=False,
                lo=0.0,
                lo_open=True,
                shown="kg/h",
            ),
            _fraction("fraction", "share of the steam returned as condensate", required=False),
            _hours(),
            _temperature(
                "condensate_temperature", "temperature of the returned condensate", hi=473.15
            ),
            _temperature("makeup_temperature", "make-up water temperature", hi=373.15),
            _EFF,
            _fraction(
                "flash_fraction",
                "share lost as flash steam",
                required=False,
                lo=0.0,
                lo_open=False,
                hi_open=True,
            ),
            _p(
                "chemical_dose",
                "kg/m3",
                "treatment chemicals per m3 of make-up, e.g. '0.2 kg/m3'",
                required=False,
                lo=0.0,
                shown="kg/m3",
            ),
            _WATER,
            _flow("wastewater_flow", "id of the wastewater flow the condensate went to"),
            _flow("chemicals_flow", "id of the treatment-chemicals flow"),
        ),
        ("fuel", "heat", "electricity"),
        _condensate,
        {
            "water_flow": ("water",),
            "wastewater_flow": ("wastewater",),
            "chemicals_flow": ("material",),
        },
        one_of=(("condensate", "steam"),),
    ),  # fmt: skip
    Method(
        "motor_upgrade",
        "More efficient motor",
        "E = n x P x load x hours x (1/eta_before - 1/eta_after)",
        _MOTOR_SRC,
        (
            _p("power", "W", "rated output power, e.g. '55 kW'", lo=0.0, lo_open=True, shown="kW"),
            _fraction("load", "average load, share of rated power", hi=1.5),
            _hours(),
            _fraction(
                "efficiency_before", "efficiency of the present motor at that load", required=False
            ),
            _fraction(
                "efficiency_after", "efficiency of the new motor at that load", required=False
            ),
            Param(
                "class_before",
                "",
                "IEC 60034-30-1 class of the present motor",
                kind="choice",
                choices=_CLASSES,
                required=False,
            ),
            Param(
                "class_after",
                "",
                "IEC 60034-30-1 class of the new motor",
                kind="choice",
                choices=_CLASSES,
                required=False,
            ),
            Param(
                "poles",
                "",
                "number of poles (with a class)",
                kind="choice",
                choices=("2", "4", "6", "8"),
                required=False,
            ),
            _count("count", "number of motors, e.g. 3", required=False),
        ),
        ("electricity",),
        _motor,
        one_of=(("efficiency_before", "class_before"), ("efficiency_after", "class_after")),
    ),  # fmt: skip
    Method(
        "vsd",
        "Variable speed drive on a fan or pump (affinity laws)",
        "P(Q) = P_full x max(Q (h_s + (1 - h_s) Q^2), n_min^3) / eta_drive; "
        "E = sum hours_i (P_before,i - P(Q_i))",
        "US DOE, Improving Pumping System Performance: A Sourcebook for Industry, 2nd ed. "
        "(2006); Carbon Trust, Variable speed drives, CTG070 (2011)",
        (
            _p(
                "power",
                "W",
                "input power at full flow, e.g. '30 kW'",
                lo=0.0,
                lo_open=True,
                shown="kW",
            ),
            Param(
                "flow",
                "dimensionless",
                "flow at each step, share of full flow, e.g. ['100 %', '80 %', '60 %']",
                kind="list",
                lo=0.0,
                hi=1.0,
                shown="%",
            ),
            Param(
                "hours",
                "h",
                "hours a year at each step, e.g. ['2000 h', '3000 h', '1000 h']",
                kind="list",
                lo=0.0,
                hi=YEAR_HOURS,
                shown="h",
            ),
            Param(
                "control",
                "",
                "the present control",
                kind="choice",
                choices=("on_off", "throttling"),
            ),
            Param(
                "power_before",
                "W",
                "measured input power at each step with the present "
                "control, e.g. ['30 kW', '27 kW', '24 kW']",
                kind="list",
                required=False,
                lo=0.0,
                shown="kW",
            ),
            _fraction("drive_efficiency", "efficiency of the drive"),
            _fraction(
                "static_head",
                "static head, share of the full-flow head",
                required=False,
                lo=0.0,
                lo_open=False,
                hi_open=True,
            ),
            _fraction(
                "min_speed",
                "minimum speed, share of full speed",
                required=False,
                lo=0.0,
                lo_open=False,
            ),
        ),
        ("electricity",),
        _vsd,
    ),  # fmt: skip
    Method(
        "lighting",
        "Lighting retrofit and controls",
        "E = n x hours x (P_before - P_after (1 - c))",
        _LIGHT_SRC,
        (
            _count("count", "number of fittings, e.g. 120"),
            _p(
                "power_before",
                "W",
                "input power of a present fitting, e.g. '72 W'",
                lo=0.0,
                shown="W",
            ),
            _p("power_after", "W", "input power of a new fitting, e.g. '30 W'", lo=0.0, shown="W"),
            _hours(),
            _fraction(
                "control_saving",
                "share of the hours the controls save",
                required=False,
                lo=0.0,
                lo_open=False,
            ),
        ),
        ("electricity",),
        _lighting,
    ),  # fmt: skip
    Method(
        "fuel_switch",
        "Fuel switch with the efficiencies of the old and new equipment",
        "old fuel x (1 - share); new fuel += share x old fuel (baseline) x eta_before/eta_after",
        "energy balance at equal useful heat (RETScreen Expert fuel-switch model, "
        "Natural Resources Canada)",
        (
            _flow("to_flow", "id of the new fuel flow", required=True),
            _fraction("efficiency_before", "efficiency of the present equipment"),
            _fraction("efficiency_after", "efficiency of the new equipment"),
            _fraction("share", "share of the present fuel replaced", required=False),
        ),
        ("fuel", "heat", "electricity"),
        _fuel_switch,
        {"to_flow": ("fuel", "heat", "electricity")},
    ),  # fmt: skip
)

#: The calculators by name.
METHODS: dict[str, Method] = {m.name: m for m in _METHODS}


# -- checking and running -----------------------------------------------------------------------


def _who(iid: str, method: str, name: str) -> str:
    return f"intervention '{iid}', {method} parameter '{name}'"


def _one(p: Param, raw: Any, who: str) -> tuple[Any, str | None]:
    """One parameter value converted to the model's unit, or an error message."""
    if p.kind == "flow":
        return (raw, None) if isinstance(raw, str) and raw else (None, f"{who}: give a flow id")
    if p.kind == "choice":
        if isinstance(raw, (str, int)) and not isinstance(raw, bool) and str(raw) in p.choices:
            return str(raw), None
        return None, f"{who}: unknown value {raw!r}: {did_you_mean(str(raw), p.choices)}"
    if p.kind == "list":
        if not isinstance(raw, list) or not raw:
            return None, f"{who}: give a list, {p.what}"
        vals = [_one(Param(p.name, p.unit, p.what, lo=p.lo, hi=p.hi), x, who) for x in raw]
        bad = [m for _, m in vals if m]
        return ([v for v, _ in vals], None) if not bad else (None, bad[0])
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, dict)):
        return None, f"{who}: {raw!r} is not a quantity; give {p.what}"
    try:
        q = parse_quantity(raw)
    except UnitError as e:
        return None, f"{who}: {e.problems[0].message}"
    if not is_dimension(q, p.unit):
        unit = "has no unit" if is_dimension(q, "dimensionless") else f"is in '{q.units:~}'"
        return None, f"{who}: {raw!r} {unit}, the wrong dimension; give {p.what}"
    x = to_float(q, p.unit)
    return x, _out_of_range(p, x, raw, who)


def _out_of_range(p: Param, x: float, raw: Any, who: str) -> str | None:
    if not math.isfinite(x):
        return f"{who}: {raw!r} is not a finite number"
    low = p.lo is not None and (x <= p.lo if p.lo_open else x < p.lo)
    high = p.hi is not None and (x >= p.hi if p.hi_open else x > p.hi)
    if not (low or high):
        return None
    lo = "" if p.lo is None else f"{'above' if p.lo_open else 'at least'} {_show(p, p.lo)}"
    hi = "" if p.hi is None else f"{'below' if p.hi_open else 'at most'} {_show(p, p.hi)}"
    return f"{who}: {raw!r} is out of range: it must be {' and '.join(x for x in (lo, hi) if x)}"


def _show(p: Param, x: float) -> str:
    if p.shown == "degC":
        return f"{x - 273.15:g} degC"
    if p.shown == "%":
        return f"{100 * x:g} %"
    if p.shown and p.shown != p.unit:
        q = parse_quantity(f"{x!r} {p.unit}")
        return f"{to_float(q, p.shown):g} {p.shown}"
    return f"{x:g} {p.unit}".rstrip()


def _parse(
    calc: dict[str, Any], iid: str, place: str
) -> tuple[Method | None, dict[str, Any], list[Problem]]:
    """The method and its converted parameters, with one problem per bad parameter."""
    name = calc.get("method")
    if not isinstance(name, str) or name not in METHODS:
        hint = did_you_mean(str(name), METHODS, show=20)
        msg = (
            f"intervention '{iid}': calc needs a 'method' ({hint})"
            if name is None
            else f"intervention '{iid}': unknown calc method {name!r}: {hint}"
        )
        return None, {}, [Problem(f"{place}.method", msg)]
    m = METHODS[name]
    known = {p.name: p for p in m.params}
    out: list[Problem] = []
    vals: dict[str, Any] = {}
    for key, raw in calc.items():
        if key == "method":
            continue
        if key not in known:
            hint = did_you_mean(str(key), known, show=20)
            out.append(Problem(f"{place}.{key}", f"{_who(iid, name, key)}: unknown; {hint}"))
            continue
        v, err = _one(known[key], raw, _who(iid, name, key))
        if err:
            out.append(Problem(f"{place}.{key}", err))
        vals[key] = v
    for p in m.params:
        if p.name not in calc:
            in_group = [g for g in m.one_of if p.name in g]
            if p.required and not in_group:
                out.append(Problem(place, f"{_who(iid, name, p.name)}: missing; give {p.what}"))
            vals.setdefault(p.name, p.default)
    out += _cross_checks(m, calc, vals, iid, place)
    return m, vals, out


def _cross_checks(
    m: Method, calc: dict[str, Any], vals: dict[str, Any], iid: str, place: str
) -> list[Problem]:
    """Rules between parameters: one of a group, and what physics forbids."""
    out: list[Problem] = []
    for group in m.one_of:
        given = [g for g in group if g in calc]
        if len(given) != 1:
            what = " or ".join(f"'{g}'" for g in group)
            verb = "give one of" if not given else "give only one of"
            out.append(Problem(place, f"intervention '{iid}', {m.name}: {verb} {what}"))
    if out:
        return out
    if m.name == "insulation" and vals.get("area") is None and vals.get("diameter") is None:
        out.append(Problem(place, f"{_who(iid, m.name, 'diameter')}: missing; a pipe needs it"))
    if m.name == "insulation" and vals.get("area") is not None and vals.get("height") is None:
        out.append(Problem(place, f"{_who(iid, m.name, 'height')}: missing; a surface needs it"))
    if m.name == "condensate_return" and "steam" in calc and "fraction" not in calc:
        out.append(Problem(place, f"{_who(iid, m.name, 'fraction')}: missing; 'steam' needs it"))
    if m.name == "vsd":
        out += _vsd_checks(calc, vals, iid, place)
    if m.name == "motor_upgrade":
        out += _motor_checks(calc, vals, iid, place)
    if m.name == "boiler_tuning" and "o2_before" in calc and "co2_after" in calc:
        out.append(Problem(f"{place}.co2_after", f"{_who(iid, m.name, 'co2_after')}: give "
                           "'o2_after' with 'o2_before'"))  # fmt: skip
    return out


def _motor_checks(
    calc: dict[str, Any], vals: dict[str, Any], iid: str, place: str
) -> list[Problem]:
    """A class needs the number of poles, and covers 0.75 kW to 1000 kW."""
    if "class_before" not in calc and "class_after" not in calc:
        return []
    if "poles" not in calc:
        return [Problem(place, f"{_who(iid, 'motor_upgrade', 'poles')}: missing; a class "
                        "needs the number of poles (2, 4, 6 or 8)")]  # fmt: skip
    p = vals.get("power")
    if p is not None and not 750.0 <= p <= 1e6:
        return [Problem(f"{place}.power", f"{_who(iid, 'motor_upgrade', 'power')}: the class "
                        "efficiencies cover 0.75 kW to 1000 kW; give efficiency_before and "
                        "efficiency_after")]  # fmt: skip
    return []


def _vsd_checks(calc: dict[str, Any], vals: dict[str, Any], iid: str, place: str) -> list[Problem]:
    out: list[Problem] = []
    lists = [k for k in ("flow", "hours", "power_before") if isinstance(vals.get(k), list)]
    sizes = {len(vals[k]) for k in lists}
    if len(sizes) > 1:
        out.append(Problem(place, f"intervention '{iid}', vsd: " + ", ".join(lists)
                           + " must have one value per step (the same length)"))  # fmt: skip
    if calc.get("control") == "throttling" and "power_before" not in calc:
        out.append(Problem(place, f"{_who(iid, 'vsd', 'power_before')}: missing; throttling "
                           "control needs the measured power at each step"))  # fmt: skip
    return out


def _inputs(m: Method, calc: dict[str, Any], vals: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in m.params:
        if p.name in calc:
            raw = calc[p.name]
            text = ", ".join(str(x) for x in raw) if isinstance(raw, list) else str(raw)
            if isinstance(raw, dict):
                text = f"{raw.get('value')} {raw.get('unit', '')}".strip()
            out.append({"name": p.name, "value": text, "default": False})
        elif p.name == "discharge_coefficient":
            cd = "73 %" if m.name.startswith("steam") else "100 %"
            out.append({"name": p.name, "value": cd, "default": True})
        elif p.default is not None:
            out.append({"name": p.name, "value": _show(p, p.default), "default": True})
    return out


def problems(calc: Any, iid: str, place: str) -> Iterator[Problem]:
    """Every problem of a ``calc:`` mapping (``place`` is the change's ``...calc``).

    Runs the method once, so a physically impossible combination (an insulated loss above
    the bare one) is found here too.
    """
    if not isinstance(calc, dict):
        yield Problem(place, f"intervention '{iid}': calc is a mapping with a 'method'")
        return
    m, vals, probs = _parse(calc, iid, place)
    yield from probs
    if m is None or probs:
        return
    c = Calculation(m.name, m.title, m.equation, m.source)
    m.run(vals, c, None)
    yield from _physics(c, iid, place)


def _physics(c: Calculation, iid: str, place: str) -> Iterator[Problem]:
    vals = {v["name"]: v["value"] for v in c.values}
    if c.method == "insulation":
        bare, ins = vals.get("heat loss, bare"), vals.get("heat loss, insulated")
        if bare is not None and ins is not None and ins > bare:
            yield Problem(
                place,
                f"intervention '{iid}', insulation: the insulated loss ({ins:.4g}) is above the "
                f"bare loss ({bare:.4g}): the pipe is below the critical radius of this "
                "insulation; check diameter, thickness, conductivity",
            )
    for v in c.values:
        if v["value"] is None:
            yield Problem(place, f"intervention '{iid}', {c.method}: {v['name']} cannot be "
                          "computed from these parameters")  # fmt: skip


def calculate(
    calc: dict[str, Any], iid: str, place: str, energy: float | None = None
) -> Calculation:
    """Run a checked ``calc:`` mapping.

    Parameters
    ----------
    calc : dict
        ``{method: NAME, ...}`` as in the scenario file (checked by :func:`problems`).
    iid, place : str
        Intervention id and the place of the ``calc`` mapping, for messages.
    energy : float, optional
        Baseline energy of the changed flow [GJ] (``fuel_switch`` sizes the new fuel with it).

    Returns
    -------
    Calculation
        ``effects`` hold the changes; links whose parameter is not given are left out.
    """
    m, vals, _ = _parse(calc, iid, place)
    assert m is not None
    c = Calculation(m.name, m.title, m.equation, m.source, _inputs(m, calc, vals))
    m.run(vals, c, energy)
    c.effects = [e for e in c.effects if e.target == "flow" or calc.get(e.target) is not None]
    return c


def links(calc: dict[str, Any]) -> dict[str, str]:
    """The linked flows a ``calc:`` mapping names: parameter -> flow id."""
    m = METHODS.get(str(calc.get("method")))
    if m is None:
        return {}
    return {p.name: calc[p.name] for p in m.params if p.kind == "flow" and p.name in calc}


__all__ = ["METHODS", "Calculation", "Effect", "Method", "Param", "calculate", "links", "problems"]
