"""Probability distributions of uncertain inputs, sampled with a seeded numpy Generator.

Four shapes, named by the keys a user writes (``docs/uncertainty.md``):

- ``{low, high}``: uniform between the bounds;
- ``{low, mode, high}``: triangular;
- ``{mean, sd}``: normal; for a quantity that cannot be negative (an amount, a price, a
  capex...) truncated at zero (a negative draw is drawn again);
- ``{p5, p95}``: lognormal with these 5th and 95th percentiles (both positive).

Each has a *central* value, the one a run without ``--uncertainty`` uses: the midpoint, the
mode, the mean and the median ``sqrt(p5 * p95)``; and two *ends* for a tornado: the bounds,
``mean -/+ 1.645 sd`` and ``p5``/``p95``.

Sampling is pure numpy: one ``numpy.random.Generator`` per run, each input drawn in turn
with ``n`` values, so that the same seed gives the same numbers on every machine numpy
supports (numpy's Generator streams are stable across platforms).

References
----------
Evans, Hastings and Peacock, *Statistical Distributions*, 3rd ed., Wiley (2000): ch. 40
(triangular), ch. 33 (normal), ch. 26 (lognormal), ch. 41 (uniform).

Examples
--------
>>> d = make({"low": 900.0, "high": 1100.0})
>>> d.kind, d.central
('uniform', 1000.0)
>>> sample(d, 3, np.random.default_rng(1)).round(1).tolist()
[1002.4, 1090.1, 928.8]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: z of the 95th percentile of the standard normal distribution.
Z95 = 1.6448536269514722

#: The keys that make a mapping a distribution, and the shape each set of keys names.
SHAPES: dict[frozenset[str], str] = {
    frozenset({"low", "high"}): "uniform",
    frozenset({"low", "mode", "high"}): "triangular",
    frozenset({"mean", "sd"}): "normal",
    frozenset({"p5", "p95"}): "lognormal",
}
KEYS = frozenset({"low", "mode", "high", "mean", "sd", "p5", "p95"})


@dataclass(frozen=True)
class Distribution:
    """One uncertain input's distribution, in the unit the user wrote it in.

    Attributes
    ----------
    kind : str
        ``uniform``, ``triangular``, ``normal`` or ``lognormal``.
    params : dict of str to float
        The user's keys and values (``low``, ``mode``, ``high``, ``mean``, ``sd``, ``p5``,
        ``p95``).
    positive : bool
        Whether the quantity cannot be negative (a normal one is then truncated at zero).
    """

    kind: str
    params: dict[str, float]
    positive: bool = False

    @property
    def central(self) -> float:
        """The value a deterministic run uses: midpoint, mode, mean or median."""
        p = self.params
        if self.kind == "uniform":
            return 0.5 * (p["low"] + p["high"])
        if self.kind == "triangular":
            return p["mode"]
        if self.kind == "normal":
            return p["mean"]
        return math.sqrt(p["p5"] * p["p95"])

    @property
    def ends(self) -> tuple[float, float]:
        """The low and high values a tornado sets the input to."""
        p = self.params
        if self.kind in ("uniform", "triangular"):
            return p["low"], p["high"]
        if self.kind == "normal":
            lo = p["mean"] - Z95 * p["sd"]
            return (max(lo, 0.0) if self.positive else lo), p["mean"] + Z95 * p["sd"]
        return p["p5"], p["p95"]

    @property
    def mean(self) -> float:
        """The analytic mean (for a truncated normal: the untruncated mean)."""
        p = self.params
        if self.kind == "uniform":
            return 0.5 * (p["low"] + p["high"])
        if self.kind == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3.0
        if self.kind == "normal":
            return p["mean"]
        mu, sigma = _lognormal(p["p5"], p["p95"])
        return math.exp(mu + 0.5 * sigma**2)

    @property
    def width(self) -> float:
        """Zero when the distribution is a single value."""
        lo, hi = self.ends
        return hi - lo


def _lognormal(p5: float, p95: float) -> tuple[float, float]:
    """Mu and sigma of the lognormal with these 5th and 95th percentiles."""
    a, b = math.log(p5), math.log(p95)
    return 0.5 * (a + b), (b - a) / (2.0 * Z95)


def shape_of(keys: set[str]) -> str | None:
    """The distribution a set of keys names, or None (``unit`` is not counted)."""
    return SHAPES.get(frozenset(keys - {"unit"}))


def make(params: Mapping[str, float], positive: bool = False) -> Distribution:
    """Check a distribution's parameters and build it.

    Raises
    ------
    ValueError
        With one sentence saying what is wrong: unknown keys, a missing bound, ``low`` above
        ``high``, a ``mode`` outside them, a negative ``sd``, ``p5`` not below ``p95`` or not
        positive, or a bound below zero for a quantity that cannot be negative.
    """
    keys = set(params)
    kind = shape_of(keys)
    if kind is None:
        given = ", ".join(sorted(keys)) or "none"
        raise ValueError(
            f"a distribution has keys {{low, high}}, {{low, mode, high}}, {{mean, sd}} or "
            f"{{p5, p95}} (and an optional unit); got {given}"
        )
    p = {k: float(v) for k, v in params.items()}
    if not all(math.isfinite(v) for v in p.values()):
        raise ValueError("a distribution's values must be finite numbers")
    if kind in ("uniform", "triangular") and p["low"] > p["high"]:
        raise ValueError(f"low ({p['low']:g}) is above high ({p['high']:g})")
    if kind == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        raise ValueError(f"mode ({p['mode']:g}) is not between low and high")
    if kind == "normal" and p["sd"] < 0:
        raise ValueError(f"sd ({p['sd']:g}) is negative; a standard deviation is >= 0")
    if kind == "lognormal" and not 0 < p["p5"] <= p["p95"]:
        raise ValueError(f"p5 ({p['p5']:g}) and p95 ({p['p95']:g}) must be positive with p5 <= p95")
    if positive and kind in ("uniform", "triangular") and p["low"] < 0:
        raise ValueError(f"low ({p['low']:g}) is negative for a quantity that cannot be")
    if positive and kind == "normal" and p["mean"] < 0:
        raise ValueError(f"mean ({p['mean']:g}) is negative for a quantity that cannot be")
    return Distribution(kind, p, positive)


def sample(d: Distribution, n: int, rng: np.random.Generator) -> Array:
    """``n`` draws of ``d`` from ``rng`` (one call per distribution, never per draw).

    A distribution of zero width gives its central value exactly, with no draw taken, so
    that zero-width inputs reproduce the deterministic result bit for bit.
    """
    p = d.params
    if d.width == 0.0:
        return np.full(n, d.central)
    if d.kind == "uniform":
        return rng.uniform(p["low"], p["high"], n)
    if d.kind == "triangular":
        return rng.triangular(p["low"], p["mode"], p["high"], n)
    if d.kind == "lognormal":
        mu, sigma = _lognormal(p["p5"], p["p95"])
        return rng.lognormal(mu, sigma, n)
    x = rng.normal(p["mean"], p["sd"], n)
    if d.positive:  # truncated at zero: draw the negative ones again (vectorised)
        bad = np.flatnonzero(x < 0)
        while bad.size:
            x[bad] = rng.normal(p["mean"], p["sd"], bad.size)
            bad = bad[x[bad] < 0]
    return x


def ranks(x: npt.ArrayLike) -> Array:
    """Ranks of each column of ``x`` (shape ``(n,)`` or ``(n, k)``), ties given their mean rank."""
    a = np.asarray(x, dtype=float)
    a2 = a.reshape(a.shape[0], -1)
    order = np.argsort(a2, axis=0, kind="stable")  # all columns in one call
    pos = np.arange(a2.shape[0], dtype=float)
    out = np.empty(a2.shape)
    np.put_along_axis(out, order, np.broadcast_to(pos[:, None], a2.shape), axis=0)
    s = np.take_along_axis(a2, order, axis=0)
    tied = np.flatnonzero(np.any(s[1:] == s[:-1], axis=0)) if a2.shape[0] > 1 else np.zeros(0, int)
    for j in tied:  # columns with ties only: each run of equal values gets its mean rank
        new = np.ones(s.shape[0], dtype=bool)
        new[1:] = s[1:, j] != s[:-1, j]
        group = np.cumsum(new) - 1
        mean_rank = np.bincount(group, weights=pos) / np.bincount(group)
        out[order[:, j], j] = mean_rank[group]
    return out.reshape(a.shape)


def spearman(x: npt.ArrayLike, y: npt.ArrayLike, rx: Array | None = None) -> Array:
    """Spearman's rank correlation of each column of ``x`` (n, k) with ``y`` (n,).

    NaN where either side is constant (no variation to rank). Samples where ``y`` is NaN
    are left out. ``rx``, the ranks of ``x`` (:func:`ranks`), saves ranking ``x`` again for
    each output.
    """
    xa = np.atleast_2d(np.asarray(x, dtype=float).T).T
    ya = np.asarray(y, dtype=float)
    ok = np.isfinite(ya)
    if rx is None or not ok.all():
        rx = ranks(xa[ok])
    ry = ranks(ya[ok])
    rx = rx - rx.mean(axis=0)
    ry = ry - ry.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        num = (rx * ry[:, None]).sum(axis=0)
        den = np.sqrt((rx**2).sum(axis=0) * (ry**2).sum())
        return np.asarray(np.where(den > 0, num / den, np.nan), dtype=float)
