"""Step-size control of the batched integrator (leaksim.core.solver.controller), on its own."""

from __future__ import annotations

import numpy as np

from leaksim.core.solver.controller import StepController, error_norm, initial_step
from leaksim.core.solver.tableau import RODAS4

CONTROLLER = StepController(RODAS4.embedded_order)


def test_exponent_follows_the_embedded_order():
    assert CONTROLLER.exponent == -0.25
    assert StepController(embedded_order=1).exponent == -0.5


def test_accepted_steps_grow_by_the_elementary_controller_within_bounds():
    err = np.array([0.0, 1e-8, 0.5, 1.0])
    factor = CONTROLLER.factor(err, np.ones(4, dtype=bool))
    np.testing.assert_allclose(factor, [6.0, 6.0, 0.9 * 0.5**-0.25, 0.9], rtol=1e-15)


def test_rejected_steps_never_grow_and_shrink_at_most_fivefold():
    err = np.array([1.01, 2.0, 1e6])
    factor = CONTROLLER.factor(err, np.zeros(3, dtype=bool))
    np.testing.assert_allclose(factor, [0.9 * 1.01**-0.25, 0.9 * 2.0**-0.25, 0.2], rtol=1e-15)
    # A step rejected for another reason (a trigger crossed early) with a small error: capped.
    assert CONTROLLER.factor(np.array([0.01]), np.zeros(1, dtype=bool))[0] == 1.0


def test_a_second_rejection_in_a_row_shrinks_the_step_at_least_tenfold():
    err = np.array([1.01, 2.0, 1e6, 2.0])
    in_row = np.array([1, 3, 1, 0])
    factor = CONTROLLER.factor(err, np.zeros(4, dtype=bool), in_row)
    np.testing.assert_allclose(factor, [0.1, 0.1, 0.1, 0.9 * 2.0**-0.25], rtol=1e-15)
    # An accepted step after rejections grows as any other.
    grown = CONTROLLER.factor(np.array([0.5]), np.ones(1, dtype=bool), np.array([4]))
    np.testing.assert_allclose(grown, [0.9 * 0.5**-0.25], rtol=1e-15)


def test_non_finite_error_shrinks_by_the_fixed_factor():
    err = np.array([np.nan, np.inf])
    np.testing.assert_array_equal(CONTROLLER.factor(err, np.zeros(2, dtype=bool)), [0.25, 0.25])


def test_error_norm_is_the_rms_of_the_scaled_error():
    y0 = np.array([[1.0, -2.0], [0.0, 0.0]])
    y1 = np.array([[3.0, -1.0], [0.0, 0.0]])
    err = np.array([[1e-6, 2e-6], [1e-9, 0.0]])
    atol = np.full((2, 2), 1e-9)
    rtol = np.array([1e-6, 1e-3])
    scale_0 = 1e-9 + 1e-6 * np.array([3.0, 2.0])
    expected_0 = np.sqrt(np.mean((err[0] / scale_0) ** 2))
    np.testing.assert_allclose(error_norm(err, y0, y1, atol, rtol), [expected_0, np.sqrt(0.5)])
    # Rows are independent: one row alone gives the same bits.
    assert error_norm(err[:1], y0[:1], y1[:1], atol[:1], rtol[:1])[0] == expected_0


def test_initial_step_is_a_hundredth_of_the_time_scale_and_within_the_span():
    y = np.array([[1.0], [1.0], [0.0]])
    f = np.array([[-2.0], [-1e-9], [0.0]])
    atol = np.full((3, 1), 1e-12)
    rtol = np.full(3, 1e-6)
    span = np.array([100.0, 10.0, 50.0])
    h = initial_step(y, f, atol, rtol, span)
    np.testing.assert_allclose(h[0], 0.01 * 1.0 / 2.0, rtol=1e-9)
    assert h[1] == 10.0  # 0.01 / 1e-9 s is longer than the run
    assert h[2] == 1e-6 * 50.0  # nothing moves: a tiny fraction of the span
