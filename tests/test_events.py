"""Event bookkeeping and crossing location of the integrator (leaksim.core.solver.events)."""

from __future__ import annotations

import numpy as np
from helpers import two_modules

from leaksim.core.solver.dense import DenseOutput
from leaksim.core.solver.events import BISECTIONS, EventSchedule, crossed, first_at_or_below


def linear_steps(y0, y1):
    """Steps whose dense output is the straight line from y0 to y1 (k1 = k2 = 0), t in [0, 1]."""
    y0 = np.asarray(y0, dtype=float)[:, None]
    y1 = np.asarray(y1, dtype=float)[:, None]
    n = y0.shape[0]
    return DenseOutput(np.zeros(n), np.ones(n), y0, y1, np.zeros_like(y0), np.zeros_like(y0))


def test_crossed_means_from_above_to_at_or_below():
    before = np.array([1.0, 1.0, 0.0, -1.0, 1.0])
    after = np.array([0.0, -1.0, -1.0, -2.0, 0.5])
    np.testing.assert_array_equal(crossed(before, after), [True, True, False, False, False])


def test_bisection_finds_the_first_theta_at_or_below_each_level():
    dense = linear_steps([1.0, 2.0, 1.0], [0.0, 0.0, 0.0])
    level = np.array([0.3, 0.5, 0.9])
    theta = first_at_or_below(dense, lambda y, th: y[:, 0], level, np.ones(3))
    exact = np.array([0.7, 0.75, 0.1])
    assert np.all(theta >= exact - 1e-15)  # the condition holds at the answer
    assert np.all(theta - exact <= 2.0**-BISECTIONS)
    # Each row on its own gives the same bits.
    for r in range(3):
        rows = np.array([r])
        alone = first_at_or_below(dense.take(rows), lambda y, th: y[:, 0], level[rows], np.ones(1))
        assert alone[0] == theta[r]


def test_bisection_stays_inside_the_end_it_is_given():
    dense = linear_steps([1.0], [-1.0])
    theta = first_at_or_below(dense, lambda y, th: y[:, 0], np.array([0.0]), np.array([0.6]))
    assert abs(theta[0] - 0.5) <= 0.6 * 2.0**-BISECTIONS
    # The value may depend on theta itself, as a rate at the step's time does.
    theta = first_at_or_below(dense, lambda y, th: -th, np.array([-0.25]), np.array([1.0]))
    assert abs(theta[0] - 0.25) <= 2.0**-BISECTIONS


def test_schedule_switches_due_events_in_order_and_finds_the_next_stop():
    net = two_modules(hole_area=[1e-4, 1e-4, 1e-4], event_time=[10.0, 20.0, np.inf])
    events = EventSchedule(net)
    cases = np.arange(3)
    np.testing.assert_array_equal(events.next_stop(cases, np.zeros(3)), [10.0, 20.0, np.inf])
    happened = events.apply_due(cases, np.array([10.0, 10.0, 10.0]))
    np.testing.assert_array_equal(happened, [True, False, False])
    np.testing.assert_array_equal(events.is_open[:, 0], [False, True, True])
    # A done event is no longer a stop; an undone one is, until it happens.
    np.testing.assert_array_equal(events.next_stop(cases, np.full(3, 10.0)), [np.inf, 20.0, np.inf])
    events.schedule(np.array([2]), np.array([0]), np.array([15.0]))
    assert events.next_stop(np.array([2]), np.array([10.0]))[0] == 15.0
    np.testing.assert_array_equal(events.happened()[:, 0], [10.0, np.nan, np.nan])
