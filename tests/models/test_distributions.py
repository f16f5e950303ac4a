"""Distributions of uncertain inputs (issue #17): shapes, checks, seeded sampling, ranks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recp.models.distributions import make, ranks, sample, spearman


@pytest.mark.parametrize(
    ("params", "kind", "central", "mean"),
    [
        ({"low": 900.0, "high": 1100.0}, "uniform", 1000.0, 1000.0),
        ({"low": 1.0, "mode": 2.0, "high": 6.0}, "triangular", 2.0, 3.0),  # (1+2+6)/3
        ({"mean": 10.0, "sd": 2.0}, "normal", 10.0, 10.0),
        # lognormal with p5 = 1, p95 = 4: median 2; sigma = ln 4 / (2 * 1.6449) = 0.42140
        ({"p5": 1.0, "p95": 4.0}, "lognormal", 2.0, 2.0 * math.exp(0.5 * 0.4214036**2)),
    ],
)
def test_shapes_central_and_mean(params, kind, central, mean) -> None:  # noqa: ANN001
    d = make(params)
    assert d.kind == kind
    assert d.central == pytest.approx(central)
    assert d.mean == pytest.approx(mean, rel=1e-6)
    x = sample(d, 200_000, np.random.default_rng(0))
    sd = x.std()
    assert abs(x.mean() - mean) < 5 * sd / math.sqrt(x.size)


def test_lognormal_percentiles() -> None:
    x = sample(make({"p5": 1.0, "p95": 4.0}), 400_000, np.random.default_rng(1))
    p5, p95 = np.percentile(x, [5, 95])
    assert p5 == pytest.approx(1.0, rel=0.01)
    assert p95 == pytest.approx(4.0, rel=0.01)


def test_truncated_normal_is_never_negative() -> None:
    x = sample(make({"mean": 1.0, "sd": 2.0}, positive=True), 50_000, np.random.default_rng(2))
    assert x.min() >= 0.0
    y = sample(make({"mean": 1.0, "sd": 2.0}), 50_000, np.random.default_rng(2))
    assert y.min() < 0.0


def test_zero_width_is_exact_and_takes_no_draw() -> None:
    rng = np.random.default_rng(3)
    assert sample(make({"low": 0.1, "high": 0.1}), 5, rng).tolist() == [0.1] * 5
    assert sample(make({"low": 2.0, "mode": 2.0, "high": 2.0}), 3, rng).tolist() == [2.0] * 3
    assert sample(make({"mean": 7.0, "sd": 0.0}), 3, rng).tolist() == [7.0] * 3
    assert rng.random() == np.random.default_rng(3).random()  # the stream was not touched


def test_same_seed_same_draws() -> None:
    d = make({"low": 1.0, "mode": 2.0, "high": 5.0})
    a = sample(d, 1000, np.random.default_rng(42))
    b = sample(d, 1000, np.random.default_rng(42))
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"low": 2.0, "high": 1.0}, "low (2) is above high (1)"),
        ({"low": 1.0, "mode": 3.0, "high": 2.0}, "mode (3) is not between low and high"),
        ({"mean": 1.0, "sd": -1.0}, "sd (-1) is negative"),
        ({"p5": 0.0, "p95": 1.0}, "must be positive"),
        ({"low": 1.0}, "a distribution has keys"),
        ({"low": 1.0, "sd": 1.0}, "a distribution has keys"),
    ],
)
def test_bad_parameters(params, message) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(params)


def test_negative_bound_for_a_positive_quantity() -> None:
    with pytest.raises(ValueError, match="negative for a quantity that cannot be"):
        make({"low": -1.0, "high": 1.0}, positive=True)


def test_ranks_and_spearman() -> None:
    assert ranks(np.array([3.0, 1.0, 2.0, 2.0])).tolist() == [3.0, 0.0, 1.5, 1.5]
    x = np.column_stack([np.arange(10.0), -np.arange(10.0), np.ones(10)])
    rho = spearman(x, np.arange(10.0) ** 3)  # monotone: +1, -1; constant: NaN
    assert rho[0] == pytest.approx(1.0)
    assert rho[1] == pytest.approx(-1.0)
    assert np.isnan(rho[2])
