"""Holes whose area grows with time, against the closed form of a time-varying blowdown."""

import numpy as np
from helpers import ATM, air_properties, one_module

from leaksim.core.flow import choked_flow_function
from leaksim.core.network import Growth
from leaksim.core.solver import solve

VOLUME, T0 = 10.0, 295.15


def growing(knot_time, knot_area, n=1):
    net = one_module(volume=np.full(n, VOLUME), area=np.full(n, knot_area[0]), cd=1.0)
    return net.replace(
        growth=Growth(
            link=[0],
            time=np.asarray(knot_time, float).reshape(1, 1, -1),
            area=np.asarray(knot_area, float).reshape(1, 1, -1),
        )
    )


def exponent_rate():
    """k in dN/dt = -k A(t) N for a choked isothermal leak with Cd = 1 [1/(m^2 s)]."""
    r, gamma = air_properties()
    return choked_flow_function(gamma) * np.sqrt(r * T0) / VOLUME


def test_linear_growth_integrates_to_the_area_integral():
    # A(t) = A0 + rate t: ln(p / p0) = -k (A0 t + rate t^2 / 2).
    a0, rate, end = 1e-5, 4e-9, 3600.0
    net = growing([0.0, end], [a0, a0 + rate * end])
    t = np.linspace(0, end, 13)
    sol = solve(net, end, t, rtol=1e-9)
    expected = ATM * np.exp(-exponent_rate() * (a0 * t + rate * t**2 / 2))
    np.testing.assert_allclose(sol.pressure[0, 0], expected, rtol=1e-7)


def test_table_growth_is_piecewise_linear_and_constant_beyond():
    knots = np.array([600.0, 1800.0, 2400.0])
    areas = np.array([1e-5, 5e-5, 2e-5])
    net = growing(knots, areas)
    t = np.linspace(0, 3600.0, 25)
    sol = solve(net, 3600.0, t, rtol=1e-9)

    def area_integral(time):
        grid = np.linspace(0, time, 200001)
        return np.trapezoid(np.interp(grid, knots, areas), grid)

    expected = ATM * np.exp(-exponent_rate() * np.array([area_integral(x) for x in t]))
    np.testing.assert_allclose(sol.pressure[0, 0], expected, rtol=1e-6)
