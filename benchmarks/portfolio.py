"""Synthetic national portfolio for the batch benchmark: tidy tables, realistic mixes.

Each plant has ~20 flows (fuels of a country-typical mix, grid electricity, water by source,
wastewater, hazardous and non-hazardous waste, materials, a product) and 5 interventions with
relative and absolute changes, in 5 scenarios (quick wins, the full programme, and three
partial sequences), so 1 plant = 5 plant-scenarios. Quantities are numbers with a unit column
(``amount`` + ``unit``, ``by`` + ``by_unit``, ...), the tidy form a national programme's
database exports; strings such as "12 MWh" are read too, and cost more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COUNTRIES = ["BD", "MD", "UA", "VN", "CN", "EG", "IN", "ZA", "MA", "GH"]
SECTORS = ["textiles", "dairy", "metal_finishing", "cement", "brewery"]
FUELS = ["natural_gas", "diesel", "lpg", "bituminous_coal", "wood", "residual_fuel_oil"]
SCENARIOS = {
    "quick wins": [0, 1],
    "full": [0, 1, 2, 3, 4],
    "heat": [2, 0],
    "water": [1, 3],
    "capital": [4, 2, 3],
}


def make(n_plants: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:07d}" for i in range(n_plants)], dtype=object)
    plants = pd.DataFrame(
        {
            "plant": ids,
            "country": rng.choice(COUNTRIES, n_plants),
            "sector": rng.choice(SECTORS, n_plants),
            "production": np.round(rng.uniform(1e3, 5e4, n_plants), 1),
            "production_unit": "t",
            "discount_rate": 8.0,
            "discount_rate_unit": "%",
        }
    )
    # 20 flows per plant: 3 fuels, 2 electricity meters, 3 water sources, 2 wastewater,
    # 4 wastes, 5 materials, 1 product
    layout = (
        [("fuel", None)] * 3
        + [("electricity", None)] * 2
        + [("water", s) for s in ("groundwater", "municipal", "surface_water")]
        + [("wastewater", None)] * 2
        + [("waste", None)] * 4
        + [("material", None)] * 5
        + [("product", None)]
    )
    n_f = len(layout)
    plant_col = np.repeat(ids, n_f)
    fid = np.tile(np.array([f"f{k}" for k in range(n_f)], dtype=object), n_plants)
    ftype = np.tile(np.array([t for t, _ in layout], dtype=object), n_plants)
    src = np.tile(np.array([s or "" for _, s in layout], dtype=object), n_plants)
    amount = rng.uniform(10, 5000, n_plants * n_f)
    unit = np.select(
        [ftype == "fuel", ftype == "electricity", np.isin(ftype, ["water", "wastewater"])],
        ["t", "MWh", "m3"],
        "t",
    ).astype(object)
    carrier = np.where(ftype == "fuel", rng.choice(FUELS, n_plants * n_f), "").astype(object)
    price = np.select(
        [ftype == "fuel", ftype == "electricity", ftype == "water"],
        [
            rng.uniform(200, 600, n_plants * n_f),
            rng.uniform(60, 150, n_plants * n_f),
            rng.uniform(0.2, 2, n_plants * n_f),
        ],
        rng.uniform(10, 500, n_plants * n_f),
    )
    price_unit = np.select(
        [ftype == "fuel", ftype == "electricity", np.isin(ftype, ["water", "wastewater"])],
        ["USD/t", "USD/MWh", "USD/m3"],
        "USD/t",
    ).astype(object)
    price = np.where(ftype == "product", np.nan, price)
    price_unit = np.where(ftype == "product", "", price_unit)
    haz = np.where(
        ftype == "waste", np.where(rng.random(n_plants * n_f) < 0.3, "true", "false"), ""
    )
    flows = pd.DataFrame(
        {
            "plant": plant_col,
            "id": fid,
            "type": ftype,
            "amount": amount,
            "unit": unit,
            "carrier": carrier,
            "price": price,
            "price_unit": price_unit,
            "source": src,
            "hazardous": haz,
        }
    )
    # 5 interventions, one change each on a fixed flow slot (relative or absolute)
    slots = [0, 5, 3, 10, 14]
    iv = []
    for k, slot in enumerate(slots):
        rel = k != 3
        iv.append(
            pd.DataFrame(
                {
                    "plant": ids,
                    "id": f"iv{k}",
                    "category": "good housekeeping",
                    "flow": f"f{slot}",
                    "by": -np.round(
                        rng.uniform(2, 25, n_plants) if rel else rng.uniform(0, 5, n_plants), 3
                    ),
                    "by_unit": "%" if rel else "t",
                    "capex": rng.uniform(1e3, 1e5, n_plants),
                    "capex_unit": "USD",
                    "lifetime": 10.0,
                    "lifetime_unit": "year",
                }
            )
        )
    ivs = pd.concat(iv, ignore_index=True).sort_values("plant", kind="stable")
    scen = (
        pd.DataFrame(
            [(p, name, f"iv{k}") for p in ids for name, ks in SCENARIOS.items() for k in ks],
            columns=["plant", "scenario", "intervention"],
        )
        if n_plants <= 20_000
        else _scen_fast(ids)
    )
    return {
        "plants": plants,
        "flows": flows,
        "interventions": ivs.reset_index(drop=True),
        "scenarios": scen,
    }


def _scen_fast(ids: np.ndarray) -> pd.DataFrame:
    names, ivs = [], []
    for name, ks in SCENARIOS.items():
        for k in ks:
            names.append(name)
            ivs.append(f"iv{k}")
    m = len(names)
    return pd.DataFrame(
        {
            "plant": np.repeat(ids, m),
            "scenario": np.tile(names, len(ids)),
            "intervention": np.tile(ivs, len(ids)),
        }
    )
