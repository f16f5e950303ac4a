"""Stationary combustion: CO2, CH4 and N2O from the energy of the fuels burnt (Tier 1)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: kg/TJ -> t/GJ
T_PER_GJ_PER_KG_PER_TJ = 1e-6


class CombustionEmissions(NamedTuple):
    """Emissions of burning fuels, per unit of the amounts given [t, t CO2e]."""

    co2: Array  #: fossil CO2 [t]
    ch4: Array  #: CH4 as CO2e [t CO2e]
    n2o: Array  #: N2O as CO2e [t CO2e]
    biogenic_co2: Array  #: CO2 from biomass, reported outside the total [t]

    @property
    def scope1(self) -> Array:
        """Fossil CO2 plus CH4 and N2O [t CO2e] (biogenic CO2 excluded)."""
        return np.asarray(self.co2 + self.ch4 + self.n2o, dtype=float)


def combustion_emissions(
    energy: npt.ArrayLike,
    ef_co2: npt.ArrayLike,
    ef_ch4: npt.ArrayLike,
    ef_n2o: npt.ArrayLike,
    gwp_ch4: npt.ArrayLike,
    gwp_n2o: npt.ArrayLike,
    biogenic: npt.ArrayLike,
) -> CombustionEmissions:
    r"""Tier 1 emissions of stationary combustion, gas by gas.

    .. math:: E_{gas} = \text{Fuel consumption} \cdot EF_{gas}

    (IPCC 2006 Vol. 2 Ch. 2 Equation 2.1), with CH4 and N2O weighted by their GWP-100. CO2 from
    biomass is reported as ``biogenic_co2`` and kept out of ``co2``.

    Parameters
    ----------
    energy : array_like
        Fuel burnt at net calorific value [GJ] (or energy per unit of a flow [GJ/unit]).
    ef_co2, ef_ch4, ef_n2o : array_like
        Emission factors [kg/TJ] (IPCC 2006 Vol. 2 Ch. 1 Table 1.4 for CO2; Ch. 2 Tables
        2.2-2.5 for CH4 and N2O by sector).
    gwp_ch4, gwp_n2o : array_like
        GWP-100 of CH4 and N2O [t CO2e/t].
    biogenic : array_like of bool
        True where the fuel is biomass.

    Returns
    -------
    CombustionEmissions
        ``co2`` [t], ``ch4`` and ``n2o`` [t CO2e], ``biogenic_co2`` [t], per unit of ``energy``.

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2
       Energy, Ch. 2 Stationary Combustion, Equation 2.1; Ch. 1 Table 1.4; Ch. 2 Tables 2.2-2.5.

    Examples
    --------
    1,000 GJ of natural gas (56,100 kg CO2/TJ, 1 kg CH4/TJ, 0.1 kg N2O/TJ) with AR5 GWPs:

    >>> e = combustion_emissions(1000.0, 56100.0, 1.0, 0.1, 28.0, 265.0, False)
    >>> [round(float(x), 9) for x in (e.co2, e.ch4, e.n2o)]
    [56.1, 0.028, 0.0265]
    """
    energy = np.asarray(energy, dtype=float)
    biogenic = np.asarray(biogenic, dtype=bool)
    co2 = energy * np.asarray(ef_co2, dtype=float) * T_PER_GJ_PER_KG_PER_TJ
    ch4 = (
        energy
        * np.asarray(ef_ch4, dtype=float)
        * T_PER_GJ_PER_KG_PER_TJ
        * np.asarray(gwp_ch4, dtype=float)
    )
    n2o = (
        energy
        * np.asarray(ef_n2o, dtype=float)
        * T_PER_GJ_PER_KG_PER_TJ
        * np.asarray(gwp_n2o, dtype=float)
    )
    return CombustionEmissions(
        co2=np.asarray(np.where(biogenic, 0.0, co2), dtype=float),
        ch4=np.asarray(ch4, dtype=float),
        n2o=np.asarray(n2o, dtype=float),
        biogenic_co2=np.asarray(np.where(biogenic, co2, 0.0), dtype=float),
    )
