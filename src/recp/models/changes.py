"""Change rules: how an intervention's changes turn flow amounts into new amounts.

An intervention is an ordered list of changes, each acting on one flow of the plant:

- ``REL`` (relative, ``by: -8 %``) multiplies the amount by ``1 + value``; two relative changes
  compound (-20 % then -10 % is -28 %);
- ``ABS`` (absolute, ``by: -15000 m3``) adds ``value`` [canonical unit of the flow];
- ``SET`` (``to: 0 t``) sets the amount to ``value`` [canonical unit of the flow];
- ``MOVE`` (a process changing class, see :mod:`recp.processes`) adds the amount of a source
  flow to the flow and empties the source;
- ``PULL`` adds ``value`` times the amount of a source flow to the flow and leaves the source
  as it is. A fuel switch is a ``PULL`` on the new carrier (``value`` = share x old efficiency /
  new efficiency x energy per unit of the old / of the new, see :func:`switch_ratio`) followed
  by a ``REL`` of ``-share`` on the old one: the same useful heat, from the amount the old
  carrier has at that point of the sequence.

Changes are applied in order, each to the amounts the previous ones left. A change that takes
a flow below zero (beyond a rounding tolerance of ``1e-9 * max(1, |before|)``) is an input
error; :func:`below_zero` finds which ones, so the caller can word the message with the place
in its own input.

These are the only places the rules are written: the single-plant assessment applies whole
interventions with :func:`apply_changes`, the batch engine applies one change position to many
runs at once with :func:`changed`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int64]

#: Kinds of change: a relative change multiplies, an absolute one adds, ``to`` sets; ``MOVE``
#: adds a source flow's amount to the flow and empties the source (a process changing class).
REL, ABS, SET, MOVE, PULL = 0, 1, 2, 3, 4

#: Relative tolerance below zero that counts as rounding, not as an error.
TOLERANCE = 1e-9


def changed(
    before: npt.ArrayLike, kind: npt.ArrayLike, value: npt.ArrayLike, moved: npt.ArrayLike
) -> Array:
    """Amounts after one change each, elementwise.

    Parameters
    ----------
    before : numeric
        Amount of the changed flow before the change [canonical unit of the flow].
    kind : numeric
        Change kind code: :data:`REL`, :data:`ABS`, :data:`SET`, :data:`MOVE` or :data:`PULL`.
    value : numeric
        Fraction for ``REL`` [1]; amount for ``ABS`` and ``SET`` [canonical unit of the flow];
        ignored for ``MOVE``; units of the flow per unit of the source for ``PULL``.
    moved : numeric
        Amount of the source flow of a ``MOVE`` or ``PULL`` [canonical unit of the source];
        ignored otherwise.

    Returns
    -------
    numpy.ndarray
        ``before * (1 + value)``, ``before + value``, ``value``, ``before + moved`` or
        ``before + value * moved``.
    """
    b = np.asarray(before, dtype=float)
    k = np.asarray(kind)
    v = np.asarray(value, dtype=float)
    return np.asarray(
        np.where(
            k == REL,
            b * (1.0 + v),
            np.where(
                k == ABS,
                b + v,
                np.where(
                    k == MOVE,
                    b + np.asarray(moved, dtype=float),
                    np.where(k == PULL, b + v * np.asarray(moved, dtype=float), v),
                ),
            ),
        ),
        dtype=float,
    )


def is_below_zero(before: npt.ArrayLike, after: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether a change took an amount below zero, beyond rounding.

    Parameters
    ----------
    before, after : numeric
        The flow's amount before and after the change [canonical unit of the flow].

    Returns
    -------
    numpy.ndarray of bool
        ``after < -1e-9 * max(1, |before|)``.
    """
    b = np.asarray(before, dtype=float)
    return np.asarray(np.asarray(after, dtype=float) < -TOLERANCE * np.maximum(1.0, np.abs(b)))


def apply_changes(
    amounts: npt.ArrayLike, flow: Codes, kind: Codes, value: Array, src: Codes
) -> Array:
    """Apply one intervention's changes, in order, to amounts of shape ``(..., F)``.

    Parameters
    ----------
    amounts : array_like
        Flow amounts, last axis the plant's ``F`` flows [canonical unit of each flow]; leading
        axes are independent copies (states, plants of the same layout).
    flow : numpy.ndarray of int
        Shape ``(c,)``: the flow each change acts on (index into the last axis).
    kind : numpy.ndarray of int
        Shape ``(c,)``: :data:`REL`, :data:`ABS`, :data:`SET` or :data:`MOVE`.
    value : numpy.ndarray
        Shape ``(c,)``: fraction [1] or amount [canonical unit of the flow].
    src : numpy.ndarray of int
        Shape ``(c,)``: source flow of a ``MOVE`` or ``PULL``, -1 otherwise.

    Returns
    -------
    numpy.ndarray
        A new array of the same shape; amounts are not clamped at zero. The loop runs over the
        intervention's few changes, never over flows.

    Examples
    --------
    >>> import numpy as np
    >>> apply_changes(
    ...     np.array([100.0, 50.0]), np.array([0, 0]), np.array([REL, REL]),
    ...     np.array([-0.2, -0.1]), np.array([-1, -1]),
    ... ).tolist()
    [72.0, 50.0]
    """
    out = np.array(amounts, dtype=float, copy=True)
    for f, k, v, s in zip(flow.tolist(), kind.tolist(), value.tolist(), src.tolist(), strict=True):
        moved = out[..., s] if k in (MOVE, PULL) else 0.0
        out[..., f] = changed(out[..., f], k, v, moved)
        if k == MOVE:
            out[..., s] = 0.0
    return out


def below_zero(
    amounts: npt.ArrayLike, flow: Codes, kind: Codes, value: Array, src: Codes
) -> tuple[Codes, Array, Array]:
    """Which changes of one intervention take a flow below zero, checked change by change.

    A flow taken below zero is set to zero before the next change is checked, so each error
    is reported once, where it happens.

    Parameters
    ----------
    amounts : array_like
        Shape ``(F,)``: the amounts the intervention starts from [canonical unit of each flow].
    flow, kind, value, src : numpy.ndarray
        The intervention's changes, as for :func:`apply_changes`.

    Returns
    -------
    (numpy.ndarray of int, numpy.ndarray, numpy.ndarray)
        Positions of the offending changes, the flow's amount before each and after it
        [canonical unit of the flow].
    """
    state = np.array(amounts, dtype=float, copy=True)
    where: list[int] = []
    prevs: list[float] = []
    afters: list[float] = []
    for j, (f, k, v, s) in enumerate(
        zip(flow.tolist(), kind.tolist(), value.tolist(), src.tolist(), strict=True)
    ):
        prev = float(state[f])
        moved = float(state[s]) if k in (MOVE, PULL) else 0.0
        after = float(changed(prev, k, v, moved))
        if k == MOVE:
            state[s] = 0.0
        state[f] = after
        if is_below_zero(prev, after):
            where.append(j)
            prevs.append(prev)
            afters.append(after)
            state[f] = 0.0
    return np.array(where, dtype=np.int64), np.array(prevs), np.array(afters)


def switch_ratio(
    share: npt.ArrayLike,
    efficiency: npt.ArrayLike,
    new_efficiency: npt.ArrayLike,
    gj_old: npt.ArrayLike,
    gj_new: npt.ArrayLike,
) -> Array:
    r"""Units of the new carrier per unit of the old one, for the same useful heat.

    .. math:: r = s \cdot \frac{\eta_{old}}{\eta_{new}} \cdot \frac{e_{old}}{e_{new}}

    The useful heat of the switched part, ``s x amount x e_old x eta_old``, is delivered by
    the new carrier at its own efficiency.

    Parameters
    ----------
    share : numeric
        Part of the old carrier's amount that is switched [1].
    efficiency, new_efficiency : numeric
        Efficiency of the old and of the new appliance (useful heat per final energy) [1].
    gj_old, gj_new : numeric
        Energy per canonical unit of the old and of the new carrier [GJ per t, m3 or GJ].

    Returns
    -------
    numpy.ndarray
        [unit of the new carrier per unit of the old].

    Examples
    --------
    1 t of residual fuel oil (40.4 GJ) in an 82 % boiler, replaced by natural gas (in GJ) in a
    90 % boiler: 40.4 x 0.82 / 0.90 = 36.81 GJ of gas.

    >>> round(float(switch_ratio(1.0, 0.82, 0.90, 40.4, 1.0)), 4)
    36.8089
    """
    return np.asarray(
        np.asarray(share, dtype=float)
        * np.asarray(efficiency, dtype=float)
        / np.asarray(new_efficiency, dtype=float)
        * np.asarray(gj_old, dtype=float)
        / np.asarray(gj_new, dtype=float),
        dtype=float,
    )


__all__ = [
    "ABS",
    "MOVE",
    "PULL",
    "REL",
    "SET",
    "apply_changes",
    "below_zero",
    "changed",
    "is_below_zero",
    "switch_ratio",
]
