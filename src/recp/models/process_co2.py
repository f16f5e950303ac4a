"""Process CO2 of the mineral industry: cement, lime, glass, ceramics and other carbonate uses.

Calcination releases the CO2 bound in carbonates (``CaCO3 -> CaO + CO2``). The functions follow
the 2006 IPCC Guidelines, Vol. 3 Industrial Processes and Product Use, Ch. 2 Mineral Industry
Emissions; no change to these equations or defaults by the 2019 Refinement was found (not
confirmed from the Refinement text itself). Masses are in tonnes; emission factors in t CO2 per
t of the activity; fractions are dimensionless. Every value is an argument: the defaults live
in the cited factor tables (``factors/ipcc2006-carbonates``, ``ipcc2006-mineral-defaults``,
``ipcc2006-lime-types``, ``ipcc2006-clinker-fractions``), which the engine looks up.

The IPCC PDF itself was not among the stored sources; where an equation's number or form, or a
default, rests on a transcription only, the function's docstring says so
(``docs/research/ipcc-process-and-combustion.md`` has the details).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Standard atomic weights [g/mol] of the elements of IPCC 2006 Vol. 3 Table 2.1, as in the
#: CRC Handbook of Chemistry and Physics (2004) that the table cites. With them the formula
#: weights printed in Table 2.1 for calcite (100.0869) and dolomite (184.4008) are reproduced.
ATOMIC_WEIGHTS: Mapping[str, float] = {
    "C": 12.0107,
    "O": 15.9994,
    "Ca": 40.078,
    "Mg": 24.3050,
    "Fe": 55.845,
    "Mn": 54.938049,
    "Na": 22.989770,
}


def formula_weight(composition: Mapping[str, float]) -> float:
    """Formula weight of a compound from its atoms.

    Parameters
    ----------
    composition : mapping of str to float
        Number of atoms of each element in one formula unit, e.g. ``{"Ca": 1, "C": 1, "O": 3}``
        for CaCO3. Elements: those of :data:`ATOMIC_WEIGHTS`.

    Returns
    -------
    float
        [g/mol].

    Raises
    ------
    KeyError
        For an element without an atomic weight here; the message lists those there are.

    Examples
    --------
    Calcite, CaCO3 (IPCC 2006 Vol. 3 Table 2.1 prints 100.0869):

    >>> round(formula_weight({"Ca": 1, "C": 1, "O": 3}), 4)
    100.0869
    """
    unknown = sorted(set(composition) - set(ATOMIC_WEIGHTS))
    if unknown:
        raise KeyError(
            f"No atomic weight for {', '.join(unknown)}. Provide one of {sorted(ATOMIC_WEIGHTS)}"
        )
    return float(sum(ATOMIC_WEIGHTS[element] * n for element, n in composition.items()))


#: Formula weights [g/mol] of CO2, CaO and MgO from :data:`ATOMIC_WEIGHTS`.
M_CO2 = formula_weight({"C": 1, "O": 2})
M_CAO = formula_weight({"Ca": 1, "O": 1})
M_MGO = formula_weight({"Mg": 1, "O": 1})


def stoichiometric_factor(molar_mass: npt.ArrayLike, n_co2: npt.ArrayLike) -> Array:
    r"""CO2 released per tonne of a substance that gives off ``n_co2`` CO2 per formula unit.

    .. math:: EF = n \cdot M_{CO_2} / M

    For a carbonate this is its emission factor on full calcination (IPCC 2006 Vol. 3 Table 2.1:
    one CO2 per CO3 group); for an oxide, the CO2 released by calcining the carbonate that gave
    one tonne of it (the stoichiometric ratios of Table 2.4: CaO, and CaO·MgO with two CO2).

    Parameters
    ----------
    molar_mass : array_like
        Formula weight of the carbonate or oxide [g/mol] (e.g. :func:`formula_weight`).
    n_co2 : array_like
        Molecules of CO2 per formula unit [1]: the number of CO3 groups of a carbonate.

    Returns
    -------
    numpy.ndarray
        [t CO2/t].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2 Mineral Industry Emissions, Table 2.1 (carbonates: formula weights and CO2
       contents, from the CRC Handbook 2004) and Table 2.4 (lime: stoichiometric ratios).

    Examples
    --------
    Calcite (Table 2.1: 0.43971) and dolomite, two CO3 groups (Table 2.1: 0.47732):

    >>> round(float(stoichiometric_factor(formula_weight({"Ca": 1, "C": 1, "O": 3}), 1)), 5)
    0.43971
    >>> dolomite = {"Ca": 1, "Mg": 1, "C": 2, "O": 6}
    >>> round(float(stoichiometric_factor(formula_weight(dolomite), 2)), 5)
    0.47732

    CO2 per tonne of CaO (Table 2.4 ratio 0.785):

    >>> round(float(stoichiometric_factor(M_CAO, 1)), 3)
    0.785
    """
    return np.asarray(
        np.asarray(n_co2, dtype=float) * M_CO2 / np.asarray(molar_mass, dtype=float),
        dtype=float,
    )


#: CO2 released per tonne of CaO formed from CaCO3, M(CO2)/M(CaO) [t CO2/t CaO] (0.7848).
CO2_PER_CAO = M_CO2 / M_CAO


# -- Cement (Section 2.2) -----------------------------------------------------------------------


def clinker_emission_factor(cao: npt.ArrayLike, cao_non_carbonate: npt.ArrayLike = 0.0) -> Array:
    r"""Emission factor of clinker from its CaO content, before the CKD correction.

    .. math:: EF_{cl} = (CaO - CaO_{nc}) \cdot M_{CO_2} / M_{CaO}

    The CaO of clinker is taken as coming from CaCO3 fully calcined. Equation 2.4 applies this
    to the default 65 % CaO: :math:`0.65 \cdot 44.01/56.08 = 0.51` t CO2/t clinker (the
    chapter also gives 0.47 for 60 % and 0.53 for 67 % CaO, as quoted in one transcription).
    CaO that came from non-carbonate sources (steel slag, fly ash) released no CO2 and is
    subtracted. That correction was read in one transcription only (a Python implementation of
    the 2019 Refinement chapter, which labels it Equation 2.4, Tier 2), not in the IPCC text.

    Parameters
    ----------
    cao : array_like
        CaO content of the clinker [t CaO/t clinker] (Section 2.2.1.2 default: 0.65).
    cao_non_carbonate : array_like, optional
        CaO of the clinker from non-carbonate raw materials [t CaO/t clinker]; 0 by default
        (no correction). No IPCC default.

    Returns
    -------
    numpy.ndarray
        [t CO2/t clinker].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.2.1.2 (choice of emission factors) and Equation 2.4.

    Examples
    --------
    >>> round(float(clinker_emission_factor(0.65)), 4)
    0.5101
    >>> round(float(clinker_emission_factor(0.65, 0.05)), 4)
    0.4709
    """
    return np.asarray(
        (np.asarray(cao, dtype=float) - np.asarray(cao_non_carbonate, dtype=float)) * CO2_PER_CAO,
        dtype=float,
    )


def ckd_correction(
    ckd_lost: npt.ArrayLike,
    clinker: npt.ArrayLike,
    ckd_carbonate: npt.ArrayLike,
    ckd_calcination: npt.ArrayLike,
    ef_carbonate: npt.ArrayLike,
    ef_clinker: npt.ArrayLike,
) -> Array:
    r"""Correction factor for cement kiln dust (CKD) not recycled to the kiln.

    .. math:: CF_{ckd} = 1 + \frac{M_d}{M_{cl}} \cdot C_d \cdot F_d \cdot \frac{EF_c}{EF_{cl}}

    The CO2 of the calcined part of the dust that leaves the kiln system, relative to that of
    the clinker. Equation 2.5 in the form read in two transcriptions (the ClimateView page on
    category 2A1 and a Python implementation of the 2019 Refinement chapter, which numbers it
    2.5); the IPCC text itself was not read. The default parameters of this equation were not
    found: where the CKD is not known, Equation 2.4's default factor 1.02 is used instead.

    Parameters
    ----------
    ckd_lost : array_like
        CKD not recycled to the kiln, :math:`M_d` [t].
    clinker : array_like
        Clinker produced, :math:`M_{cl}` [t].
    ckd_carbonate : array_like
        Fraction of original carbonate in the CKD, :math:`C_d` [1].
    ckd_calcination : array_like
        Fraction of that carbonate calcined, :math:`F_d` [1].
    ef_carbonate : array_like
        Emission factor of the carbonate, :math:`EF_c` [t CO2/t carbonate] (Table 2.1).
    ef_clinker : array_like
        Emission factor of the clinker before the correction, :math:`EF_{cl}` [t CO2/t
        clinker] (:func:`clinker_emission_factor`).

    Returns
    -------
    numpy.ndarray
        [1], at least 1 for non-negative inputs.

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.2.1.2, Equation 2.5 (correction factor for CKD not recycled to
       the kiln).

    Examples
    --------
    10,800 t of CKD lost per 540,000 t of clinker, 80 % original carbonate (calcite), half of it
    calcined:

    >>> round(float(ckd_correction(10800.0, 540000.0, 0.8, 0.5, 0.43971, 0.51)), 5)
    1.0069
    """
    return np.asarray(
        1.0
        + np.asarray(ckd_lost, dtype=float)
        / np.asarray(clinker, dtype=float)
        * np.asarray(ckd_carbonate, dtype=float)
        * np.asarray(ckd_calcination, dtype=float)
        * np.asarray(ef_carbonate, dtype=float)
        / np.asarray(ef_clinker, dtype=float),
        dtype=float,
    )


def clinker_co2(clinker: npt.ArrayLike, ef_clinker: npt.ArrayLike, cf_ckd: npt.ArrayLike) -> Array:
    r"""CO2 of clinker production (cement, clinker-based method).

    .. math:: CO_2 = M_{cl} \cdot EF_{cl} \cdot CF_{ckd}

    Equation 2.2 (Tier 2). With the Tier 1 factor of Equation 2.4, which already includes the
    CKD correction (:math:`EF_{clc} = 0.51 \cdot 1.02 = 0.52`), pass ``ef_clinker=0.52`` and
    ``cf_ckd=1``.

    Parameters
    ----------
    clinker : array_like
        Clinker produced, :math:`M_{cl}` [t].
    ef_clinker : array_like
        Emission factor of the clinker [t CO2/t clinker] (:func:`clinker_emission_factor`;
        Equation 2.4 default 0.51 uncorrected, 0.52 with CKD).
    cf_ckd : array_like
        CKD correction factor [1] (:func:`ckd_correction`; Equation 2.4 default 1.02).

    Returns
    -------
    numpy.ndarray
        [t CO2].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.2.1.1, Equation 2.2 (Tier 2, based on clinker production), and
       Section 2.2.1.2, Equation 2.4 (Tier 1 default clinker emission factor).

    Examples
    --------
    540,000 t of clinker at Equation 2.4's 0.52 t CO2/t clinker:

    >>> round(float(clinker_co2(540000.0, 0.52, 1.0)), 3)
    280800.0
    """
    return np.asarray(
        np.asarray(clinker, dtype=float)
        * np.asarray(ef_clinker, dtype=float)
        * np.asarray(cf_ckd, dtype=float),
        dtype=float,
    )


def cement_co2(
    cement: npt.ArrayLike,
    clinker_fraction: npt.ArrayLike,
    clinker_imports: npt.ArrayLike,
    clinker_exports: npt.ArrayLike,
    ef_clc: npt.ArrayLike,
) -> Array:
    r"""CO2 of clinker production estimated from cement production (Tier 1).

    .. math:: CO_2 = \left[\sum_i (M_{c,i} \cdot C_{cl,i}) - Im + Ex\right] \cdot EF_{clc}

    Equation 2.1. The clinker in the cement made, less the clinker bought in (imports) plus the
    clinker sold (exports), is the clinker made on site. The sum runs over the last axis of
    ``cement`` and ``clinker_fraction`` (the cement types); scalars are one type.

    Parameters
    ----------
    cement : array_like
        Cement produced, by type along the last axis, :math:`M_{c,i}` [t].
    clinker_fraction : array_like
        Clinker fraction of each cement type, :math:`C_{cl,i}` [t clinker/t cement] (Section
        2.2.1.2; the ranges for US cement types are in ``ipcc2006-clinker-fractions``).
    clinker_imports, clinker_exports : array_like
        Clinker bought in and clinker sold, :math:`Im` and :math:`Ex` [t].
    ef_clc : array_like
        Emission factor of clinker including the CKD correction [t CO2/t clinker] (Equation
        2.4 default 0.52).

    Returns
    -------
    numpy.ndarray
        [t CO2], with the last axis of ``cement`` summed.

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.2.1.1, Equation 2.1 (Tier 1, based on cement production), and
       Equation 2.4.

    Examples
    --------
    100,000 t of Portland cement at 95 % clinker and 20,000 t of masonry cement at 64 %, no
    clinker traded:

    >>> round(float(cement_co2([100000.0, 20000.0], [0.95, 0.64], 0.0, 0.0, 0.52)), 3)
    56056.0
    """
    clinker = np.sum(
        np.atleast_1d(np.asarray(cement, dtype=float) * np.asarray(clinker_fraction, dtype=float)),
        axis=-1,
    )
    return np.asarray(
        (
            clinker
            - np.asarray(clinker_imports, dtype=float)
            + np.asarray(clinker_exports, dtype=float)
        )
        * np.asarray(ef_clc, dtype=float),
        dtype=float,
    )


# -- Lime (Section 2.3) -------------------------------------------------------------------------


def lime_emission_factor(stoichiometric_ratio: npt.ArrayLike, content: npt.ArrayLike) -> Array:
    r"""Emission factor of a lime type from its oxide content.

    .. math:: EF_{lime} = SR \cdot content

    The basis of Table 2.4: high-calcium and hydraulic lime use CaO (SR 0.785 t CO2/t CaO),
    dolomitic lime CaO·MgO (SR 0.913). The table's default factors are these products rounded
    to two decimals (0.785 x 0.95 -> 0.75; 0.913 x 0.95 -> 0.86; 0.785 x 0.75 -> 0.59).

    Parameters
    ----------
    stoichiometric_ratio : array_like
        CO2 per tonne of CaO or CaO·MgO [t CO2/t oxide] (Table 2.4;
        :func:`stoichiometric_factor`).
    content : array_like
        CaO or CaO·MgO content of the lime [t/t lime] (Table 2.4 defaults 0.95, 0.95, 0.75).

    Returns
    -------
    numpy.ndarray
        [t CO2/t lime].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.3.1.2, Table 2.4 (basic parameters for the calculation of
       emission factors for lime production).

    Examples
    --------
    >>> round(float(lime_emission_factor(0.785, 0.95)), 5)
    0.74575
    """
    return np.asarray(
        np.asarray(stoichiometric_ratio, dtype=float) * np.asarray(content, dtype=float),
        dtype=float,
    )


def lime_mix_emission_factor(
    ef_high_calcium: npt.ArrayLike,
    ef_dolomitic: npt.ArrayLike,
    share_high_calcium: npt.ArrayLike,
) -> Array:
    r"""Tier 1 emission factor of lime of unknown type, as a mix of high-calcium and dolomitic.

    .. math:: EF_{lime} = s \cdot EF_{high\ calcium} + (1 - s) \cdot EF_{dolomitic}

    Equation 2.8 (the IPCC worksheet for category 2A2 refers to it for the default factor),
    with the default mix :math:`s = 0.85` (85 % high-calcium, 15 % dolomitic). Which dolomitic
    factor of Table 2.4 the equation uses (0.86 or 0.77) was not confirmed, so the combined
    default factor is not given here: pass both factors.

    Parameters
    ----------
    ef_high_calcium : array_like
        Emission factor of high-calcium lime [t CO2/t lime] (Table 2.4: 0.75).
    ef_dolomitic : array_like
        Emission factor of dolomitic lime [t CO2/t lime] (Table 2.4; see above).
    share_high_calcium : array_like
        Share of high-calcium lime in the lime produced [1] (Section 2.3.1.2: 0.85); the rest
        is dolomitic.

    Returns
    -------
    numpy.ndarray
        [t CO2/t lime].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.3.1.2, Equation 2.8 and Table 2.4; worksheet 2A2.

    Examples
    --------
    >>> round(float(lime_mix_emission_factor(0.75, 0.77, 0.85)), 4)
    0.753
    """
    share = np.asarray(share_high_calcium, dtype=float)
    return np.asarray(
        share * np.asarray(ef_high_calcium, dtype=float)
        + (1.0 - share) * np.asarray(ef_dolomitic, dtype=float),
        dtype=float,
    )


def lime_co2(
    lime: npt.ArrayLike,
    ef_lime: npt.ArrayLike,
    cf_lkd: npt.ArrayLike,
    c_h: npt.ArrayLike,
) -> Array:
    r"""CO2 of lime production, by lime type.

    .. math:: CO_2 = M_l \cdot EF_{lime} \cdot CF_{lkd} \cdot C_h

    The Tier 2 equation of Section 2.3.1.1, one term per lime type (sum the result over the
    types). Tier 1 is the same with the mix factor of :func:`lime_mix_emission_factor` and
    :math:`CF_{lkd} = C_h = 1`. The equation's form is read in the ClimateView page on category
    2A2; its number (2.6 or 2.7) was not confirmed.

    ``c_h`` corrects for hydrated lime, whose mass includes water. The GHG Protocol lime
    worksheet (as transcribed by AMEE) computes it as ``1 - x * y``, x the share of hydrated
    lime and y its water content; neither that form in the IPCC text nor its default values
    were confirmed, so it is a plain argument here (1 where no hydrated lime is made).

    Parameters
    ----------
    lime : array_like
        Lime of the type produced, :math:`M_l` [t].
    ef_lime : array_like
        Emission factor of the lime type [t CO2/t lime] (Table 2.4: high-calcium 0.75,
        dolomitic 0.86 at 95 % CaO·MgO or 0.77 (one secondary source), hydraulic 0.59;
        :func:`lime_emission_factor`).
    cf_lkd : array_like
        Correction factor for lime kiln dust (LKD) [1] (Section 2.3.1.2 default 1.02, read in
        one secondary source).
    c_h : array_like
        Correction factor for hydrated lime [1] (no default confirmed; 1 with none).

    Returns
    -------
    numpy.ndarray
        [t CO2].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Sections 2.3.1.1-2.3.1.2 (Tier 1 and Tier 2 lime production), Table 2.4.

    Examples
    --------
    100,000 t of high-calcium lime (Table 2.4: 0.75), LKD correction 1.02, no hydrated lime:

    >>> round(float(lime_co2(100000.0, 0.75, 1.02, 1.0)), 3)
    76500.0
    """
    return np.asarray(
        np.asarray(lime, dtype=float)
        * np.asarray(ef_lime, dtype=float)
        * np.asarray(cf_lkd, dtype=float)
        * np.asarray(c_h, dtype=float),
        dtype=float,
    )


# -- Glass (Section 2.4) ------------------------------------------------------------------------


def glass_co2(glass: npt.ArrayLike, ef: npt.ArrayLike, cullet_ratio: npt.ArrayLike) -> Array:
    r"""CO2 of glass production, net of the cullet (recycled glass) in the melt.

    .. math:: CO_2 = M_g \cdot EF \cdot (1 - CR)

    Cullet released its CO2 when it was first made, so only the share of glass made from
    carbonate raw materials counts. This form (Tier 1; Tier 2 is the same by glass type) is
    that of the IPCC worksheet for category 2A3; its equation number (2.10/2.11) was not
    confirmed. The per-type factors and cullet ratios of Table 2.6 were not found, so a Tier 2
    caller must give its own.

    Parameters
    ----------
    glass : array_like
        Glass produced (melted), :math:`M_g` [t].
    ef : array_like
        Emission factor before the cullet correction [t CO2/t glass] (Section 2.4.1.2 Tier 1
        default: 0.20).
    cullet_ratio : array_like
        Cullet as a fraction of the furnace charge, :math:`CR` [1], in [0, 1] (Tier 1 default
        0.50, read in one secondary source).

    Returns
    -------
    numpy.ndarray
        [t CO2].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.4 (glass production), Tier 1 and Tier 2 methods and Section
       2.4.1.2 defaults; worksheet 2A3.

    Examples
    --------
    50,000 t of glass at the Tier 1 factor and a 50 % cullet ratio:

    >>> round(float(glass_co2(50000.0, 0.20, 0.5)), 6)
    5000.0
    """
    return np.asarray(
        np.asarray(glass, dtype=float)
        * np.asarray(ef, dtype=float)
        * (1.0 - np.asarray(cullet_ratio, dtype=float)),
        dtype=float,
    )


# -- Carbonates: ceramics, bricks, soda ash and other uses (Section 2.5) ------------------------


def carbonate_co2(
    carbonate: npt.ArrayLike, ef: npt.ArrayLike, fraction_calcined: npt.ArrayLike
) -> Array:
    r"""CO2 released by carbonates calcined or otherwise decomposed, carbonate by carbonate.

    .. math:: CO_2 = \sum_i M_i \cdot EF_i \cdot F_i

    The carbonate-input form of the chapter: the first term of the cement Tier 3 equation
    (Equation 2.3) and of the lime Tier 3 method, and the method for other process uses of
    carbonates (ceramics, other uses of soda ash, other uses of limestone and dolomite). The
    result is per carbonate; sum it over the carbonates. The equation numbers of Section 2.5
    and its default limestone/dolomite split were not confirmed; give the carbonates consumed.

    Parameters
    ----------
    carbonate : array_like
        Carbonate consumed, :math:`M_i` [t].
    ef : array_like
        Emission factor of the carbonate, :math:`EF_i` [t CO2/t carbonate] (Table 2.1:
        calcite 0.43971, dolomite 0.47732, soda ash 0.41492, ...).
    fraction_calcined : array_like
        Fraction of the carbonate calcined, :math:`F_i` [1] (1 where it is not known).

    Returns
    -------
    numpy.ndarray
        [t CO2], per carbonate.

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Table 2.1, Section 2.2.1.1 (Equation 2.3, first term), Sections 2.3-2.5
       (carbonate-input methods; Section 2.5 other process uses of carbonates).

    Examples
    --------
    1,000 t of soda ash used (Table 2.1: 0.41492) and 2,000 t of limestone (0.43971):

    >>> co2 = carbonate_co2([1000.0, 2000.0], [0.41492, 0.43971], 1.0)
    >>> [round(float(x), 2) for x in co2], round(float(co2.sum()), 2)
    ([414.92, 879.42], 1294.34)
    """
    return np.asarray(
        np.asarray(carbonate, dtype=float)
        * np.asarray(ef, dtype=float)
        * np.asarray(fraction_calcined, dtype=float),
        dtype=float,
    )


def ceramics_co2(
    clay: npt.ArrayLike,
    carbonate_content: npt.ArrayLike,
    ef: npt.ArrayLike,
    fraction_calcined: npt.ArrayLike,
) -> Array:
    r"""CO2 of ceramics and bricks from the carbonate in their clay.

    .. math:: CO_2 = M_{clay} \cdot c \cdot EF \cdot F

    :func:`carbonate_co2` applied to the carbonate in the clay fired (ceramics, category
    2A4a). No IPCC default carbonate content of clay was found: give the clay's own.

    Parameters
    ----------
    clay : array_like
        Clay (raw material) fired [t].
    carbonate_content : array_like
        Mass fraction of the carbonate in the clay [t carbonate/t clay].
    ef : array_like
        Emission factor of the carbonate [t CO2/t carbonate] (Table 2.1).
    fraction_calcined : array_like
        Fraction of the carbonate calcined [1].

    Returns
    -------
    numpy.ndarray
        [t CO2].

    References
    ----------
    .. [1] IPCC (2006), 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 3
       IPPU, Ch. 2, Section 2.5 (other process uses of carbonates: ceramics) and Table 2.1.

    Examples
    --------
    200,000 t of clay with 5 % CaCO3 (Table 2.1: 0.43971), fully calcined:

    >>> round(float(ceramics_co2(200000.0, 0.05, 0.43971, 1.0)), 6)
    4397.1
    """
    return carbonate_co2(
        np.asarray(clay, dtype=float) * np.asarray(carbonate_content, dtype=float),
        ef,
        fraction_calcined,
    )
