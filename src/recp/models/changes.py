"""Change rules: how an intervention's changes turn flow amounts into new amounts.

An intervention is an ordered list of changes, each acting on one flow of the plant:

- ``REL`` (relative, ``by: -8 %``) multiplies the amount by ``1 + value``; two relative changes
  compound (-20 % then -10 % is -28 %);
- ``ABS`` (absolute, ``by: -15000 m3``) adds ``value`` [canonical unit of the flow];
- ``SET`` (``to: 0 t``) sets the amount to ``value`` [canonical unit of the flow];
- ``MOVE`` (a process changing class, see :mod:`recp.processes`) adds the amount of a source
  flow to the flow and empties the source.

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
REL, ABS, SET, MOVE = 0, 1, 2, 3

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
        Change kind code: :data:`REL`, :data:`ABS`, :data:`SET` or :data:`MOVE`.
    value : numeric
        Fraction for ``REL`` [1]; amount for ``ABS`` and ``SET`` [canonical unit of the flow];
        ignored for ``MOVE``.
    moved : numeric
        Amount of the source flow of a ``MOVE`` [canonical unit of the flow]; ignored otherwise.

    Returns
    -------
    numpy.ndarray
        ``before * (1 + value)``, ``before + value``, ``value`` or ``before + moved``.
    """
    b = np.asarray(before, dtype=float)
    k = np.asarray(kind)
    v = np.asarray(value, dtype=float)
    return np.asarray(
        np.where(
            k == REL,
            b * (1.0 + v),
            np.where(k == ABS, b + v, np.where(k == MOVE, b + np.asarray(moved, dtype=float), v)),
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
        Shape ``(c,)``: source flow of a ``MOVE``, -1 otherwise.

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
        moved = out[..., s] if k == MOVE else 0.0
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
        moved = float(state[s]) if k == MOVE else 0.0
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


__all__ = ["ABS", "MOVE", "REL", "SET", "apply_changes", "below_zero", "changed", "is_below_zero"]
