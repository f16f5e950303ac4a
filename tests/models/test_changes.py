"""The change rules (recp.models.changes) against hand-calculated amounts."""

from __future__ import annotations

import numpy as np
import pytest

from recp.models.changes import (
    ABS,
    MOVE,
    REL,
    SET,
    apply_changes,
    below_zero,
    changed,
    is_below_zero,
)

I64 = np.int64


def changes(*rows: tuple[int, int, float, int]) -> tuple[np.ndarray, ...]:
    """(flow, kind, value, src) rows as the four arrays the functions take."""
    f, k, v, s = zip(*rows, strict=True)
    return np.array(f, I64), np.array(k, I64), np.array(v, float), np.array(s, I64)


@pytest.mark.parametrize(
    ("before", "kind", "value", "moved", "after"),
    [
        (100.0, REL, -0.08, 0.0, 92.0),  # 100 * (1 - 0.08) = 92
        (850000.0, ABS, -15000.0, 0.0, 835000.0),  # 850000 - 15000 = 835000
        (300.0, SET, 0.0, 0.0, 0.0),  # to: 0 t
        (40.0, MOVE, 0.0, 60.0, 100.0),  # 40 + the source's 60 = 100
    ],
)
def test_each_rule_hand_value(before, kind, value, moved, after):
    assert float(changed(before, kind, value, moved)) == pytest.approx(after, rel=1e-15)


def test_rules_are_elementwise():
    # one change per element: 10 * 1.5 = 15; 10 + 2 = 12; set 7; 10 + 5 = 15
    got = changed(
        np.array([10.0, 10.0, 10.0, 10.0]),
        np.array([REL, ABS, SET, MOVE]),
        np.array([0.5, 2.0, 7.0, 0.0]),
        np.array([0.0, 0.0, 0.0, 5.0]),
    )
    assert got.tolist() == [15.0, 12.0, 7.0, 15.0]


def test_relative_changes_compound_in_order():
    # -20 % then -10 %: 1000 * 0.8 * 0.9 = 720 (-28 %), not 700
    out = apply_changes(np.array([1000.0]), *changes((0, REL, -0.2, -1), (0, REL, -0.1, -1)))
    assert out.tolist() == [1000.0 * 0.8 * 0.9]
    assert out[0] == pytest.approx(720.0)


def test_order_matters_between_absolute_and_relative():
    # (100 - 20) * 0.5 = 40; (100 * 0.5) - 20 = 30
    a = apply_changes(np.array([100.0]), *changes((0, ABS, -20.0, -1), (0, REL, -0.5, -1)))
    b = apply_changes(np.array([100.0]), *changes((0, REL, -0.5, -1), (0, ABS, -20.0, -1)))
    assert (a[0], b[0]) == (40.0, 30.0)


def test_move_empties_the_source_and_leaves_other_flows():
    # flow 1 (3 t) moves into flow 2 (1 t): [5, 0, 4]; flow 0 untouched
    out = apply_changes(np.array([5.0, 3.0, 1.0]), *changes((2, MOVE, 0.0, 1)))
    assert out.tolist() == [5.0, 0.0, 4.0]


def test_apply_works_on_many_states_at_once_and_copies():
    # rows are independent plants of the same layout: [10, 4] -> [10 * 1.1, 0]; [20, 6] -> [22, 0]
    amounts = np.array([[10.0, 4.0], [20.0, 6.0]])
    out = apply_changes(amounts, *changes((0, REL, 0.1, -1), (1, SET, 0.0, -1)))
    np.testing.assert_array_equal(out, [[10.0 * 1.1, 0.0], [20.0 * 1.1, 0.0]])
    assert amounts.tolist() == [[10.0, 4.0], [20.0, 6.0]]  # input not modified


def test_apply_does_not_clamp():
    # 100 - 150 = -50: the caller decides (below_zero reports it)
    assert apply_changes(np.array([100.0]), *changes((0, ABS, -150.0, -1))).tolist() == [-50.0]


def test_tolerance_is_relative_to_the_amount_before():
    # -1e-9 * max(1, |before|): rounding of 1e6 - 1e6 * (1 + 1e-16) is not an error
    assert not is_below_zero(1e6, -1e-4)  # limit -1e-3
    assert is_below_zero(1e6, -2e-3)
    assert not is_below_zero(0.5, -9e-10)  # limit -1e-9 (max(1, 0.5) = 1)
    assert is_below_zero(0.5, -2e-9)


def test_below_zero_locates_each_offending_change():
    # flow 0: 100 - 150 = -50 (change 0, error, then 0); 0 * 0.5 = 0 (change 1, fine);
    # flow 1: 10 - 10 = 0 (change 2, fine); 0 - 1 = -1 (change 3, error)
    where, before, after = below_zero(
        np.array([100.0, 10.0]),
        *changes((0, ABS, -150.0, -1), (0, REL, -0.5, -1), (1, ABS, -10.0, -1), (1, ABS, -1.0, -1)),
    )
    assert where.tolist() == [0, 3]
    assert before.tolist() == [100.0, 0.0]
    assert after.tolist() == [-50.0, -1.0]


def test_below_zero_none():
    where, before, after = below_zero(np.array([100.0]), *changes((0, REL, -1.0, -1)))
    assert where.size == before.size == after.size == 0


def test_pull_adds_a_share_of_the_source_and_leaves_it():
    """A fuel switch: PULL on the new carrier, then REL -share on the old one."""
    from recp.models.changes import PULL, switch_ratio

    # 1000 t HFO (40.4 GJ/t) in an 82 % boiler to gas (GJ) in a 90 % one, 50 % of it:
    # 0.5 x 40.4 x 0.82 / 0.90 = 18.404 GJ gas per t HFO -> 18,404.4 GJ of gas, 500 t HFO
    r = float(switch_ratio(0.5, 0.82, 0.90, 40.4, 1.0))
    assert r == pytest.approx(0.5 * 40.4 * 0.82 / 0.90)
    out = apply_changes(
        np.array([1000.0, 0.0]),
        np.array([1, 0]),
        np.array([PULL, REL]),
        np.array([r, -0.5]),
        np.array([0, -1]),
    )
    assert out.tolist() == pytest.approx([500.0, 1000 * r])
