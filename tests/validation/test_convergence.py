"""Convergence of the integrator on closed forms: the error falls with the tolerance at the
rate of the method's order, and the default tolerance meets the documented accuracy."""

import numpy as np
from helpers import ATM, air_properties, blowdown_time_constant, one_module

from leaksim.core.solver import solve


def adiabatic_error(rtol):
    volume, area, end = 4.0, 5e-4, 600.0
    t = np.linspace(0, end, 61)
    sol = solve(
        one_module(volume=volume, area=area, energy="adiabatic"), end, t, rtol=rtol, atol=1e-14
    )
    _, gamma = air_properties()
    tau = blowdown_time_constant(volume, 0.6 * area)
    expected = ATM * (1 + (gamma - 1) / 2 * t / tau) ** (-2 * gamma / (gamma - 1))
    return np.max(np.abs(sol.pressure[0, 0] / expected - 1)), int(sol.n_steps[0])


def test_error_follows_the_tolerance_and_steps_grow_like_order_four():
    tolerances = np.array([1e-4, 1e-6, 1e-8, 1e-10])
    errors, steps = np.array([adiabatic_error(r) for r in tolerances]).T
    # Error within a small factor of the tolerance at every level (error-per-step control).
    assert np.all(errors < 10 * tolerances)
    assert np.all(np.diff(errors) < 0)
    # Steps grow like tol^(-1/(p+1)) with the embedded order p = 3: a factor 100 in
    # tolerance costs 100^(1/4) = 3.2x the steps; allow 2x-5x for start-up and rounding.
    growth = steps[1:] / steps[:-1]
    assert np.all((growth > 2.0) & (growth < 5.0))


def test_default_tolerance_meets_the_documented_accuracy():
    # The README and issue promise 1e-4 relative on closed forms at the default rtol 1e-6.
    error, _ = adiabatic_error(1e-6)
    assert error < 1e-5
