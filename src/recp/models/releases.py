"""Mercury and PCDD/F releases of a process, per pathway or vector (UNEP Toolkits).

A release is ``activity x factor`` per pathway (mercury: input factor x output distribution
factor; PCDD/F: class emission factor per vector). A pathway without a number (ND, or not
transcribed) is left out, never counted as zero. ``environment`` is the part released to air,
water and land; the rest stays in products and residues, so a measure that moves a release from
air to a residue is a shift, not a reduction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Vectors that are a release to the environment.
ENVIRONMENT = ("air", "water", "land")


def vector_totals(
    per_vector: Mapping[str, float | None], environment: Iterable[str] = ENVIRONMENT
) -> tuple[float, float]:
    """Total release and the part released to the environment, per unit of activity.

    Parameters
    ----------
    per_vector : mapping of str to float or None
        Release per unit of activity for each pathway or vector, in the Toolkit's order
        [kg Hg or g TEQ per unit]; None where there is no number (ND or not transcribed).
    environment : iterable of str
        The vectors that reach the environment (air, water, land).

    Returns
    -------
    (float, float)
        ``total`` and ``environment`` [kg Hg or g TEQ per unit]; vectors without a number are
        not counted.

    References
    ----------
    .. [1] UNEP (2013), Toolkit for Identification and Quantification of Releases of Dioxins,
       Furans and Other Unintentional POPs, Part I Section 3.2 (release = activity x emission
       factor, per vector).
    .. [2] UNEP (2019), Toolkit for Identification and Quantification of Mercury Releases,
       Reference Report, Ch. 4 (input factor x output distribution factors).

    Examples
    --------
    >>> vector_totals({"air": 0.3, "water": None, "land": 0.1, "product": 0.0, "residue": 0.6})
    (1.0, 0.4)
    """
    env = set(environment)
    total = in_env = 0.0
    for vector, value in per_vector.items():
        if value is None:
            continue
        total += value
        if vector in env:
            in_env += value
    return total, in_env


def distribute(input_factor: float, shares: Mapping[str, float | None]) -> dict[str, float | None]:
    """Split a mercury input factor over its output pathways.

    Parameters
    ----------
    input_factor : float
        Mercury input per unit of activity [kg Hg/unit].
    shares : mapping of str to float or None
        Output distribution factor per pathway [1]; None where the source gives none (ND).

    Returns
    -------
    dict
        Release per pathway [kg Hg/unit], None where the share is None.

    References
    ----------
    .. [1] UNEP (2019), Toolkit for Identification and Quantification of Mercury Releases,
       Reference Report, Ch. 4 (output distribution factors).

    Examples
    --------
    >>> distribute(2.0, {"air": 0.35, "water": None, "land": 0.65})
    {'air': 0.7, 'water': None, 'land': 1.3}
    """
    return {p: None if s is None else input_factor * s for p, s in shares.items()}
